"""Every reason and error code the code can emit has a text in every language.

The codes are read from the source (:mod:`simkyc.i18n.codes`, an ``ast``
walk), not copied into the test, so emitting a new code without declaring and
translating it fails here.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from simkyc.i18n import SUPPORTED_LANGUAGES, message, reason_text
from simkyc.i18n.catalogues import load_catalogue
from simkyc.i18n.codes import CodeUse, emitted_error_codes, emitted_reason_codes, undeclared
from simkyc.i18n.keys import ERROR_CODES, declared_reasons, stage_reasons
from simkyc.i18n.tool import check_code, source_paths

SRC = Path(__file__).resolve().parents[2] / "src" / "simkyc"
STAGES = ("document", "face", "liveness", "voice")

#: The API error codes the issue lists.
ISSUE_ERROR_CODES = {
    "malformed_json", "invalid_input", "invalid_request", "forbidden", "not_found",
    "illegal_transition", "challenge_rejected", "evidence_destroyed", "evidence_unreadable",
    "payload_too_large", "unsupported_media_type", "unauthorized", "internal_error", "conflict",
    "locked_out", "too_many_requests",
}


def _emitted() -> list[CodeUse]:
    return [u for u in emitted_reason_codes(source_paths()) if Path(u.path).name != "reasons.py"]


def test_the_walk_covers_the_stage_packages() -> None:
    paths = {Path(p).name for p in map(str, source_paths())}
    assert set(STAGES) <= paths
    found = {Path(u.path).parent.name for u in _emitted()}
    assert set(STAGES) <= found


def test_every_emitted_reason_code_is_declared() -> None:
    missing = undeclared(_emitted(), declared_reasons())
    assert not missing, "declare these in the stage's reasons.py: " + ", ".join(
        f"{u.code} ({u.path}:{u.line})" for u in missing)


def test_every_declared_reason_code_is_emitted() -> None:
    """No stale declaration: each declared code is emitted literally or by a template."""
    uses = _emitted()
    literal = {u.bare for u in uses if not u.is_pattern}
    patterns = [u for u in uses if u.is_pattern and u.bare.strip("*")]
    stale = sorted(c for c in declared_reasons() - literal
                   if undeclared(patterns, {c}) == patterns)
    assert not stale


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_every_reason_code_has_a_text(lang: str) -> None:
    texts = load_catalogue(lang)
    codes = declared_reasons() | {u.bare for u in _emitted() if not u.is_pattern}
    missing = sorted(c for c in codes if not texts.get(f"reason.{c}"))
    assert not missing
    for c in codes:
        assert reason_text(c, lang) != c


def test_templated_document_codes_expand_to_what_the_code_produces() -> None:
    """``id_number_<error>`` and ``mrz_check_digit_<check>`` are built at run time:
    their parts are read from the modules that produce them."""
    from simkyc.document import id_number, reasons

    errors = {v for k, v in vars(id_number).items() if k.startswith("ERROR_")}
    assert set(reasons.ID_NUMBER_ERRORS) == errors
    tree = ast.parse((SRC / "document" / "mrz.py").read_text(encoding="utf-8"))
    checks = {t.slice.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
              for t in n.targets if isinstance(t, ast.Subscript) and _name(t.value) == "checks"
              and isinstance(t.slice, ast.Constant)}
    assert set(reasons.MRZ_CHECKS) == checks


def _name(node: ast.AST) -> str:
    return node.id if isinstance(node, ast.Name) else ""


def test_the_mrz_reasons_really_come_out_of_parse_mrz() -> None:
    from simkyc.document.mrz import parse_mrz

    # ICAO 9303 specimen (TD3), every check digit broken.
    lines = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
             "L898902C<0UTO7408121F1204151ZE184226B<<<<<<0"]
    codes = set(parse_mrz(lines).reasons)
    declared = declared_reasons()
    assert codes and codes <= declared


def test_every_stage_declares_its_codes_once() -> None:
    for stage, codes in stage_reasons().items():
        assert len(codes) == len(set(codes)), stage


def test_error_codes_are_the_issues_and_every_emitted_one() -> None:
    assert ISSUE_ERROR_CODES <= set(ERROR_CODES)  # the issue's, and the API's own
    emitted = emitted_error_codes([SRC / "api", SRC / "domain" / "errors.py"])
    assert {u.code for u in emitted} <= set(ERROR_CODES), undeclared(emitted, ERROR_CODES)
    assert len({u.code for u in emitted}) >= 10  # the walk does find the API's table


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_every_error_code_has_a_text(lang: str) -> None:
    for code in ISSUE_ERROR_CODES:
        assert message(f"error.{code}", lang) != f"error.{code}"


def test_the_checking_tool_sees_no_undeclared_code() -> None:
    assert check_code() == []


# --- the walk itself: it must find what it is meant to find ---

EMITTING = '''
from simkyc.domain.results import Check, StageOutcome

REASONS = ("declared_a",)

def check(x):
    reasons = []
    if x:
        reasons.append("appended_code")
    reasons.insert(0, "inserted_code")
    reasons += ["augmented_code"]
    c = Check("name", False, 1, 2, None if x else "check_code")
    out = StageOutcome(stage="s", passed=False, reasons=("outcome_code", *reasons))
    return ["returned_code"], {"not_a_code": 1}

def problem_reasons():
    return ["named_function_code"]

def relay_reasons(rs):
    return [f"live:{r}" for r in rs], [f"templated_{r}" for r in rs]

def unrelated():
    label = "not_collected"
    return ("also_not_collected", "text with spaces")
'''


def test_the_walk_finds_every_kind_of_emission(tmp_path: Path) -> None:
    f = tmp_path / "stage.py"
    f.write_text(textwrap.dedent(EMITTING), encoding="utf-8")
    codes = {u.code for u in emitted_reason_codes([tmp_path])}
    assert codes == {"declared_a", "appended_code", "inserted_code", "augmented_code",
                     "check_code", "outcome_code", "returned_code", "named_function_code",
                     "live:*", "templated_*"}


def test_an_undeclared_code_fails_the_check(tmp_path: Path) -> None:
    """What a new, undeclared reason in a stage looks like to the coverage test."""
    f = tmp_path / "check.py"
    f.write_text("def go(reasons):\n    reasons.append('brand_new_code')\n"
                 "    reasons.append('face_lost')\n    reasons.append(f'id_number_{x}')\n"
                 "    reasons.append(f'nothing_like_{x}')\n", encoding="utf-8")
    missing = undeclared(emitted_reason_codes([tmp_path]), declared_reasons())
    assert [(u.code, u.line) for u in missing] == [("brand_new_code", 2), ("nothing_like_*", 5)]


def test_the_error_walk_finds_tables_envelopes_and_calls(tmp_path: Path) -> None:
    f = tmp_path / "app.py"
    f.write_text("TABLE = [(KeyError, 404, 'table_code'), (A, 'x', 'not_a_row')]\n"
                 "def h():\n    body = {'error': 'envelope_code', 'detail': 'text'}\n"
                 "    return _error(409, 'call_code', 'some detail')\n", encoding="utf-8")
    assert {u.code for u in emitted_error_codes([tmp_path])} == {
        "table_code", "envelope_code", "call_code"}
