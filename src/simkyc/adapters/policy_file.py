"""The policy file: TOML (``tomllib``), validated by :mod:`simkyc.services.policy_doc`.

``SIMKYC_POLICY_FILE`` names it; without it the built-in default applies.
A file that cannot be read or parsed, or that fails validation, raises a
:class:`~simkyc.domain.errors.ConfigurationError` naming the file, the line
(for a syntax error) or the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from simkyc.domain.errors import ConfigurationError
from simkyc.domain.policy import DEFAULT_POLICY, DecisionPolicy
from simkyc.services.policy_doc import policy_document, policy_from_document


def load_policy_file(path: Path) -> DecisionPolicy:
    """Read and validate the policy in ``path`` (keys left out keep their defaults)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"cannot read the policy file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigurationError(f"the policy file {path} is not UTF-8") from exc
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{path}: not valid TOML: {exc}") from exc
    return policy_from_document(doc, source=str(path))


def load_configured_policy(path: Path | None) -> DecisionPolicy:
    """The policy named by the setting, or the built-in default."""
    return DEFAULT_POLICY if path is None else load_policy_file(path)


def policy_toml(policy: DecisionPolicy) -> str:
    """The whole effective policy as TOML (``simkyc policy show``): loads back to itself."""
    doc = policy_document(policy)
    lines: list[str] = []
    scalars = {k: v for k, v in doc.items() if not isinstance(v, dict)}
    for k, v in scalars.items():
        lines.append(f"{k} = {_value(v)}")
    for section, table in doc.items():
        if not isinstance(table, dict):
            continue
        lists = {k: v for k, v in table.items()
                 if isinstance(v, list) and v and isinstance(v[0], dict)}
        lines.append("")
        lines.append(f"[{section}]")
        for k, v in table.items():
            if k not in lists:
                lines.append(f"{k} = {_value(v)}")
        for k, items in lists.items():
            for item in items:
                lines.append("")
                lines.append(f"[[{section}.{k}]]")
                lines.extend(f"{ik} = {_value(iv)}" for ik, iv in item.items())
    return "\n".join(lines) + "\n"


def _value(v: object) -> str:
    import json

    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


__all__ = ["load_configured_policy", "load_policy_file", "policy_toml"]
