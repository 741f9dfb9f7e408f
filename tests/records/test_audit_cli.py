"""``simkyc audit verify|head|export``: altered, deleted and reordered entries are named
(exit 1); a chain cut short after an exported, signed head is detected even when the
head row was rewritten to match (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from simkyc.cli.main import app
from simkyc.services.context import ServiceContext
from simkyc.services.registrations import start_registration, view_registration


@pytest.fixture
def cli(db_url: str, tmp_path: Path) -> Any:
    env = {"SIMKYC_DATABASE_URL": db_url, "SIMKYC_DATA_DIR": str(tmp_path / "cli"),
           "SIMKYC_SIGNING_KEYS_DIR": str(tmp_path / "signing")}

    def run(*args: str) -> Any:
        return CliRunner().invoke(app, list(args), env=env)

    return run


def _activity(ctx: ServiceContext, people: dict, n: int = 3) -> None:
    for _ in range(n):
        reg = start_registration(ctx, actor=people["agent"][0], consent=True)
        view_registration(ctx, actor=people["compliance"][0], registration_id=reg.id)


def _sql(ctx: ServiceContext, statement: str) -> None:
    with ctx.uow() as tx:
        tx.session.execute(text(statement))  # type: ignore[attr-defined]


def test_intact_chain(ctx: ServiceContext, people: dict, cli: Any) -> None:
    _activity(ctx, people)
    r = cli("audit", "verify", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["intact"] and out["entries"] >= 12 and out["first_bad_seq"] is None


@pytest.mark.parametrize(("tamper", "bad", "words"), [
    ("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 5", 5, "entry 5 was altered"),
    # The entry after the gap is the first that fails; the problem names the missing one.
    ("DELETE FROM audit_log WHERE seq = 4", 5, "entry 4 is missing"),
])
def test_altered_and_deleted_entries_are_named(ctx: ServiceContext, people: dict, cli: Any,
                                               tamper: str, bad: int, words: str) -> None:
    _activity(ctx, people)
    _sql(ctx, tamper)
    r = cli("audit", "verify", "--json")
    assert r.exit_code == 1
    out = json.loads(r.output)
    assert not out["intact"] and out["first_bad_seq"] == bad and words in out["problem"]
    r = cli("audit", "verify")
    assert r.exit_code == 1 and f"broken at entry {bad}" in r.output


def test_reordered_entries_are_named(ctx: ServiceContext, people: dict, cli: Any) -> None:
    _activity(ctx, people)
    # Swap the content of entries 6 and 7, keeping their numbers and hashes.
    with ctx.uow() as tx:
        s = tx.session  # type: ignore[attr-defined]
        rows = {r.seq: r for r in s.execute(text(
            "SELECT seq, at, actor_id, action, registration_id, detail FROM audit_log "
            "WHERE seq IN (6, 7)"))}
        for seq, other in ((6, 7), (7, 6)):
            o = rows[other]
            s.execute(text("UPDATE audit_log SET at = :at, actor_id = :a, action = :ac, "
                           "registration_id = :r, detail = :d WHERE seq = :s"),
                      {"at": o.at, "a": o.actor_id, "ac": o.action, "r": o.registration_id,
                       "d": o.detail, "s": seq})
    r = cli("audit", "verify", "--json")
    assert r.exit_code == 1 and json.loads(r.output)["first_bad_seq"] == 6


def test_truncated_tail_against_the_exported_head(ctx: ServiceContext, people: dict, cli: Any,
                                                  tmp_path: Path) -> None:
    _activity(ctx, people)
    head = cli("audit", "head", "--sign")
    assert head.exit_code == 0, head.output
    (tmp_path / "head.jws").write_text(head.output.strip())
    _activity(ctx, people, 1)
    r = cli("audit", "verify", "--head", str(tmp_path / "head.jws"), "--json")
    assert r.exit_code == 0, r.output
    exported = json.loads(r.output)["head_seq"]
    # An insider cuts the chain back to before the exported head and fixes the head row.
    keep = exported - 3
    with ctx.uow() as tx:
        s = tx.session  # type: ignore[attr-defined]
        last = s.execute(text(f"SELECT entry_hash FROM audit_log WHERE seq = {keep}")).scalar()
        s.execute(text(f"DELETE FROM audit_log WHERE seq > {keep}"))
        s.execute(text(f"UPDATE audit_head SET seq = {keep}, entry_hash = '{last}'"))
    plain = cli("audit", "verify", "--json")
    assert plain.exit_code == 0  # the chain alone looks whole ...
    r = cli("audit", "verify", "--head", str(tmp_path / "head.jws"), "--json")
    assert r.exit_code == 1  # ... but not against the head kept outside
    out = json.loads(r.output)
    assert out["first_bad_seq"] == exported and "cut short" in out["problem"]
    # A head that is not signed by the operator's key cannot be used.
    (tmp_path / "forged.jws").write_text(head.output.strip()[:-4] + "AAAA")
    r = cli("audit", "verify", "--head", str(tmp_path / "forged.jws"))
    assert r.exit_code == 2


def test_export_period(ctx: ServiceContext, people: dict, cli: Any) -> None:
    _activity(ctx, people, 1)
    r = cli("audit", "export", "--from", "2000-01-01", "--to", "2999-01-01")
    assert r.exit_code == 0
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert rows and rows[0]["seq"] == 1 and {"prev_hash", "entry_hash"} <= set(rows[0])
    assert cli("audit", "export", "--from", "yesterday").exit_code == 2
