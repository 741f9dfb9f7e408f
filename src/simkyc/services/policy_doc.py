"""The decision policy as a document: validated on load, with a canonical SHA-256.

The operator configures the policy as a TOML file (``SIMKYC_POLICY_FILE``;
:mod:`simkyc.adapters.policy_file` reads it); sections and keys are those of
:class:`~simkyc.domain.policy.DecisionPolicy`, and any key left out keeps its
built-in default. :func:`policy_from_document` refuses an unknown key, a
value of the wrong type, a negative limit or an inconsistent delivery set-up
with a :class:`~simkyc.domain.errors.ConfigurationError` naming the key.

:func:`policy_sha256` is the SHA-256 of the canonical JSON of the *whole*
effective policy (defaults filled in, keys sorted, no spaces, UTF-8): two
files that differ only in layout, comments or defaults written out have the
same hash. It is recorded with every stage result and every record, so a
regulator can see which published policy a decision was taken under.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import typing
from functools import lru_cache
from typing import Any

from simkyc.domain.errors import ConfigurationError
from simkyc.domain.evidence import EvidenceKind
from simkyc.domain.policy import READER_RECORD_MODES, RECORD_FIELDS, DecisionPolicy

SINK_KINDS = ("webhook", "directory")
#: Numeric keys that may be negative (angles, lags, HOG scores).
_SIGNED = {"reference_min_detection_score", "av_min_lag_seconds", "av_min_correlation"}


def policy_document(policy: DecisionPolicy) -> dict[str, Any]:
    """The policy as plain data (tables, lists, scalars), every key present."""
    return _plain(policy)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def canonical_json(policy: DecisionPolicy) -> bytes:
    return json.dumps(policy_document(policy), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode()


@lru_cache(maxsize=32)
def policy_sha256(policy: DecisionPolicy) -> str:
    """Hex SHA-256 of :func:`canonical_json` (cached: policies are frozen)."""
    return hashlib.sha256(canonical_json(policy)).hexdigest()


def policy_from_document(doc: dict[str, Any], *, source: str = "policy") -> DecisionPolicy:
    """Build and validate a policy from parsed TOML/JSON; missing keys keep their defaults."""
    if not isinstance(doc, dict):
        raise ConfigurationError(f"{source}: the policy must be a table")
    policy = _build(DecisionPolicy, doc, source, "")
    _check(policy, source)
    return policy


def _build(cls: type, doc: dict[str, Any], source: str, path: str) -> Any:
    hints = typing.get_type_hints(cls)
    names = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(doc) - set(names))
    if unknown:
        raise ConfigurationError(f"{source}: unknown key {path}{unknown[0]} "
                                 f"(known: {', '.join(sorted(names))})")
    values: dict[str, Any] = {}
    for name, raw in doc.items():
        values[name] = _convert(hints[name], raw, source, f"{path}{name}")
    try:
        return cls(**values)
    except TypeError as exc:  # a required field of a table in a list is missing
        raise ConfigurationError(f"{source}: {path.rstrip('.') or 'policy'}: {exc}") from exc


def _convert(hint: Any, raw: Any, source: str, path: str) -> Any:
    origin = typing.get_origin(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(raw, dict):
            raise ConfigurationError(f"{source}: {path} must be a table")
        return _build(hint, raw, source, path + ".")
    if origin is tuple:
        (item,) = {a for a in typing.get_args(hint) if a is not Ellipsis}
        if not isinstance(raw, list):
            raise ConfigurationError(f"{source}: {path} must be a list")
        return tuple(_convert(item, v, source, f"{path}[{i}]") for i, v in enumerate(raw))
    if hint is bool:
        if not isinstance(raw, bool):
            raise ConfigurationError(f"{source}: {path} must be true or false")
        return raw
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ConfigurationError(f"{source}: {path} must be an integer")
        if raw < 0:
            raise ConfigurationError(f"{source}: {path} must not be negative")
        return raw
    if hint is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or raw != raw:
            raise ConfigurationError(f"{source}: {path} must be a number")
        if raw < 0 and path.rsplit(".", 1)[-1] not in _SIGNED:
            raise ConfigurationError(f"{source}: {path} must not be negative")
        return float(raw)
    if hint is str:
        if not isinstance(raw, str):
            raise ConfigurationError(f"{source}: {path} must be a string")
        return raw
    raise ConfigurationError(f"{source}: {path}: unsupported type {hint!r}")  # pragma: no cover


def _check_compliance(policy: DecisionPolicy, source: str) -> None:
    """The compliance rules' rates are shares (0..1) and a minimum sample is at least 1."""
    c = policy.compliance
    for key in ("override_rate_floor", "no_flash_rate_floor"):
        if getattr(c, key) > 1:
            raise ConfigurationError(f"{source}: compliance.{key} is a share between 0 and 1")
    for key in ("override_min_registrations", "no_flash_min_registrations"):
        if getattr(c, key) < 1:
            raise ConfigurationError(f"{source}: compliance.{key} must be at least 1")


def _check(policy: DecisionPolicy, source: str) -> None:
    """Rules across keys: the reader records, the delivery set-up, the retention kinds,
    the compliance rates."""
    _check_compliance(policy, source)
    doc = policy.document
    if doc.reader_records not in READER_RECORD_MODES:
        raise ConfigurationError(f"{source}: document.reader_records must be one of "
                                 f"{', '.join(READER_RECORD_MODES)} (not {doc.reader_records!r})")
    if doc.reader_max_age_seconds < 1:
        raise ConfigurationError(f"{source}: document.reader_max_age_seconds must be at least 1")
    d = policy.delivery
    kinds = {k.value for k in EvidenceKind}
    profiles = {}
    for i, p in enumerate(d.profiles):
        where = f"{source}: delivery.profiles[{i}]"
        if p.name in profiles:
            raise ConfigurationError(f"{where}: profile {p.name!r} is defined twice")
        profiles[p.name] = p
        bad = sorted(set(p.fields) - set(RECORD_FIELDS))
        if bad:
            raise ConfigurationError(f"{where}: unknown record field {bad[0]!r} "
                                     f"(known: {', '.join(RECORD_FIELDS)})")
        bad = sorted(set(p.embed_evidence) - kinds)
        if bad:
            raise ConfigurationError(f"{where}: unknown evidence kind {bad[0]!r} in "
                                     "embed_evidence")
        if p.embed_evidence and "evidence" not in p.fields:
            raise ConfigurationError(f"{where}: embed_evidence needs the field 'evidence'")
    names = set()
    for i, s in enumerate(d.sinks):
        where = f"{source}: delivery.sinks[{i}]"
        if s.name in names:
            raise ConfigurationError(f"{where}: sink {s.name!r} is defined twice")
        names.add(s.name)
        if s.kind not in SINK_KINDS:
            raise ConfigurationError(f"{where}: kind must be one of {', '.join(SINK_KINDS)}")
        if s.profile not in profiles:
            raise ConfigurationError(f"{where}: no profile named {s.profile!r}")
        if s.kind == "webhook" and not s.target.startswith(("http://", "https://")):
            raise ConfigurationError(f"{where}: a webhook target is an http(s) URL")
        if not s.target:
            raise ConfigurationError(f"{where}: target is empty")
    if d.lease_seconds <= d.timeout_seconds:
        raise ConfigurationError(f"{source}: delivery.lease_seconds must be more than "
                                 "delivery.timeout_seconds")
    if d.max_attempts < 1:
        raise ConfigurationError(f"{source}: delivery.max_attempts must be at least 1")
    bad = sorted(set(policy.retention.after_service_end) - kinds - {"record"})
    if bad:
        raise ConfigurationError(f"{source}: retention.after_service_end: unknown kind "
                                 f"{bad[0]!r}")
    if policy.registration.max_numbers_per_identity < 1:
        raise ConfigurationError(f"{source}: registration.max_numbers_per_identity must be "
                                 "at least 1")


def policy_warnings(policy: DecisionPolicy) -> list[str]:
    """What an operator should know before running ``policy`` in production."""
    out = []
    if policy.document.reader_records == "unsigned":
        out.append("document.reader_records = \"unsigned\": card-reader records are accepted "
                   "without a reader's signature (anyone can type one); do not use in "
                   "production")
    return out


def profile_named(policy: DecisionPolicy, name: str) -> Any:
    for p in policy.delivery.profiles:
        if p.name == name:
            return p
    raise ConfigurationError(f"no delivery profile named {name!r}")


__all__ = [
    "SINK_KINDS",
    "canonical_json",
    "policy_document",
    "policy_from_document",
    "policy_sha256",
    "policy_warnings",
    "profile_named",
]
