import sys
from datetime import UTC, datetime

import pytest

from simkyc.domain.errors import IllegalTransitionError
from simkyc.domain.registration import (
    TERMINAL,
    Registration,
    allowed_transitions,
)
from simkyc.domain.registration import (
    RegistrationStatus as S,
)

NOW = datetime(2026, 11, 29, tzinfo=UTC)


def reg(status: S = S.STARTED) -> Registration:
    return Registration(id="r", operator_id="o", outlet_id="x", agent_id="a", status=status,
                        policy_version="p", created_at=NOW, updated_at=NOW)


def test_happy_path_in_order() -> None:
    r = reg()
    for s in [S.DOCUMENT_CHECKED, S.LIVE_FACE_CAPTURED, S.LIVENESS_PASSED, S.VOICE_PASSED,
              S.FACE_MATCHED, S.REGISTERED]:
        r = r.moved_to(s, at=NOW)
    assert r.status is S.REGISTERED and r.is_terminal and not r.assisted_override


def test_assisted_override_path_sets_flag_for_good() -> None:
    r = reg(S.LIVENESS_PASSED).moved_to(S.ASSISTED_OVERRIDE, at=NOW)
    r = r.moved_to(S.FACE_MATCHED, at=NOW).moved_to(S.REGISTERED, at=NOW)
    assert r.assisted_override


@pytest.mark.parametrize("start,target", [
    (S.STARTED, S.FACE_MATCHED),
    (S.STARTED, S.REGISTERED),
    (S.DOCUMENT_CHECKED, S.VOICE_PASSED),
    (S.LIVE_FACE_CAPTURED, S.ASSISTED_OVERRIDE),
    (S.REGISTERED, S.REJECTED),
    (S.REJECTED, S.STARTED),
    (S.EXPIRED, S.DOCUMENT_CHECKED),
])
def test_illegal_transitions_raise_typed_error(start: S, target: S) -> None:
    with pytest.raises(IllegalTransitionError) as info:
        reg(start).moved_to(target, at=NOW)
    assert info.value.current == start.value and info.value.requested == target.value


def test_every_open_status_can_be_rejected_or_expired() -> None:
    for s in S:
        if s in TERMINAL:
            assert allowed_transitions(s) == frozenset()
        else:
            assert {S.REJECTED, S.EXPIRED} <= allowed_transitions(s)


def test_domain_imports_only_stdlib() -> None:
    import ast
    from pathlib import Path

    import simkyc.domain as d

    root = Path(d.__file__).parent
    for f in root.glob("*.py"):
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                mod = node.module
            elif isinstance(node, ast.Import):
                mod = node.names[0].name
            else:
                continue
            top = mod.split(".")[0]
            assert top == "simkyc" or top in sys.stdlib_module_names, (f, mod)
            if top == "simkyc":
                assert mod.startswith("simkyc.domain"), (f, mod)
