"""Master key rotation (issue 11, "Key management"), on SQLite and PostgreSQL.

``simkyc keys rotate`` re-wraps every registration's data key under a new
master key: evidence files are not touched, a service that loaded the old
keyring keeps reading (and starts wrapping under the new key), the keyed hash
of identities does not change (the per-identity rule still counts older
registrations), an interrupted rotation resumes, a crypto-shred is never undone.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from abuse import advance_to, start
from deploy_support import SIMKYC, clean_env, in_background
from deploy_support import run_cli as run

from simkyc.adapters.crypto import MasterKeyring
from simkyc.adapters.keyfile import FileKeyStore, read_key_file
from simkyc.config import Settings
from simkyc.domain.errors import ConfigurationError, EvidenceTamperedError
from simkyc.domain.parties import Role
from simkyc.domain.registration import RegistrationStatus as S
from simkyc.runtime import build_runtime
from simkyc.services import audit
from simkyc.services.accounts import create_account
from simkyc.services.evidence import destroy_evidence_key, read_evidence
from simkyc.services.keys import key_status, retire_keys, rotate_keys
from simkyc.services.registrations import view_registration
from simkyc.services.steps import ServiceToRegister, run_register


def _with_evidence(d: Any, advance: Any, n: int, subject: str = "CHN/keys") -> list[str]:
    """``n`` registrations, each with identity fields and an upper-body photo."""
    rids = []
    for i in range(n):
        rid = start(d.ctx, d.people["agent"], service_id=f"+86139000{i:05d}")
        advance_to(d.ctx, d.people["agent"], rid, "attach", subject=f"{subject}{i}",
                   advance=advance)
        rids.append(rid)
    return rids


def _evidence_ids(d: Any, rids: list[str]) -> list[str]:
    agent = d.people["agent"]
    return [e.id for rid in rids
            for e in view_registration(d.ctx, actor=agent, registration_id=rid).evidence]


def _read_all(ctx: Any, d: Any, ids: list[str]) -> dict[str, str]:
    out = {}
    for ev in ids:
        ref, data = read_evidence(ctx, actor=d.people["compliance"], evidence_id=ev)
        assert hashlib.sha256(data).hexdigest() == ref.sha256
        out[ev] = ref.sha256
    return out


def _files(d: Any) -> dict[str, str]:
    root = d.settings.evidence_dir
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.sk"))}


def test_rotation_rewraps_every_data_key_and_touches_no_evidence(deployment: Any,
                                                                 advance: Any) -> None:
    d = deployment
    rids = _with_evidence(d, advance, 4)
    shredded = start(d.ctx, d.people["agent"])
    destroy_evidence_key(d.ctx, actor=d.people["admin"], registration_id=shredded,
                         reason="test")
    ids = _evidence_ids(d, rids)
    assert len(ids) == 8
    before = _read_all(d.ctx, d, ids)
    files = _files(d)
    store = FileKeyStore(d.settings)
    old = store.state().current
    assert key_status(d.ctx, store).data_keys == {old: 4}

    result = rotate_keys(d.ctx, store, batch_size=3)

    assert result.complete and not result.resumed
    assert (result.rewrapped, result.already, result.destroyed) == (4, 0, 1)
    status = key_status(d.ctx, store)
    assert status.current == result.to != old
    assert status.data_keys == {result.to: 4} and status.destroyed == 1
    assert status.previous == (old,) and status.retirable == (old,)
    assert _files(d) == files  # the evidence was not re-encrypted
    fresh = d.open()  # a process started after the rotation
    assert _read_all(fresh.context, d, ids) == before
    assert _read_all(d.ctx, d, ids) == before
    assert audit.verify_audit(d.ctx, actor=d.people["auditor"]).intact

    again = rotate_keys(d.ctx, store)  # a second rotation: idempotent over the rows
    assert again.complete and again.rewrapped == 4 and again.to != result.to
    dropped, after = retire_keys(d.ctx, store)
    assert set(dropped) == {old, result.to} and after.previous == ()
    assert _read_all(d.open().context, d, ids) == before
    with d.ctx.uow() as tx:
        actions = [e.action for e in tx.audit.entries(limit=50)]
    assert actions.count("keys.rotate") == 4 and "keys.retire" in actions


def test_a_service_with_the_old_keyring_keeps_reading_and_follows(deployment: Any,
                                                                  advance: Any) -> None:
    d = deployment
    rids = _with_evidence(d, advance, 2)
    ids = _evidence_ids(d, rids)
    running = d.open()  # loaded the keyring before the rotation
    old_only = MasterKeyring(running.context.keys.current)  # no key file to follow
    store = FileKeyStore(d.settings)
    result = rotate_keys(d.ctx, store)
    assert result.complete

    assert running.context.keys.current_id != result.to  # not reloaded yet
    assert len(_read_all(running.context, d, ids)) == 4  # reloads on the unknown key
    assert running.context.keys.current_id == result.to
    from dataclasses import replace

    with pytest.raises(EvidenceTamperedError):  # what the reload is for
        _read_all(replace(d.ctx, keys=old_only), d, ids[:1])

    other = d.open()
    new_rid = start(other.context, d.people["agent"])  # wraps under the current key
    rotate_keys(d.ctx, store)  # a second rotation while `other` runs
    newer = start(other.context, d.people["agent"])  # follows the changed key file
    with other.context.uow() as tx:
        under = {r: other.context.keys.wrapped_under(tx.keys.get(registration_id=r)[1])
                 for r in (new_rid, newer)}
    current = FileKeyStore(d.settings).state().current
    assert under[newer] == current and under[new_rid] == current  # re-wrapped too


def test_the_per_identity_rule_still_counts_after_rotation(deployment: Any,
                                                           advance: Any) -> None:
    d = deployment
    agent = d.people["agent"]
    limit = d.ctx.policy.registration.max_numbers_per_identity
    subject = "CHN/110101196108040011"
    hash_before = d.ctx.keys.subject_hash(subject)
    rids = [start(d.ctx, agent, service_id=f"+86138001{i:05d}") for i in range(limit + 1)]
    for rid in rids[:limit]:
        advance_to(d.ctx, agent, rid, "attach", subject=subject, advance=advance)
        assert run_register(d.ctx, actor=agent, registration_id=rid,
                            submission=ServiceToRegister()).passed

    assert rotate_keys(d.ctx, FileKeyStore(d.settings)).complete
    doc = read_key_file(d.settings.data_dir / "master.key")
    assert not doc.legacy and doc.material.subject_hash_key is not None

    after = d.open().context  # a process on the rotated keyring
    assert after.keys.subject_hash(subject) == hash_before
    advance_to(after, agent, rids[-1], "attach", subject=subject, advance=advance)
    run_register(after, actor=agent, registration_id=rids[-1], submission=ServiceToRegister())
    view = view_registration(after, actor=agent, registration_id=rids[-1])
    assert view.status is S.REJECTED and view.reasons == ("too_many_numbers_for_identity",)


def test_rotation_while_the_service_works(deployment: Any, advance: Any) -> None:
    """No downtime: another process starts registrations and reads evidence throughout."""
    d = deployment
    rids = _with_evidence(d, advance, 6)
    ids = _evidence_ids(d, rids)
    before = _read_all(d.ctx, d, ids)
    service = d.open().context  # the running service: its own engine and keyring

    def work() -> str:
        rid = start(service, d.people["agent"])
        assert _read_all(service, d, ids[:2]) == {i: before[i] for i in ids[:2]}
        return rid

    with in_background(work, times=40, pause=0.01) as worker:
        result = rotate_keys(d.ctx, FileKeyStore(d.settings), batch_size=1)
    started = worker.results
    assert not worker.problems, worker.problems
    assert started, "the service made no registration during the rotation"
    if not result.complete:  # a wrap raced past the last pass: running it again finishes
        result = rotate_keys(d.ctx, FileKeyStore(d.settings))
        assert result.resumed
    assert result.complete
    assert key_status(d.ctx, FileKeyStore(d.settings)).data_keys == {
        result.to: len(rids) + len(started)}
    assert _read_all(service, d, ids) == before


def test_an_environment_key_rotates_into_the_key_file(db_url: str, tmp_path: Path) -> None:
    env_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url, master_key=env_key,
                        key_file=tmp_path / "secrets" / "keyring.json",
                        environment="production")
    running = build_runtime(settings, migrate=False)  # no key file yet: the env's key
    try:
        agent = create_account(running.context, name="a", role=Role.AGENT,
                               outlet_name="O").agent
        first = start(running.context, agent)
        subject_before = running.context.keys.subject_hash("CHN/x")
        result = rotate_keys(running.context, FileKeyStore(settings))
        assert result.complete and result.rewrapped == 1
        later = start(running.context, agent)  # the running process followed the new file
        with running.context.uow() as tx:
            for rid in (first, later):
                key_id, wrapped = tx.keys.get(registration_id=rid)
                assert wrapped is not None
                assert running.context.keys.wrapped_under(wrapped) == result.to
                running.context.keys.unwrap(wrapped, key_id)
        restarted = build_runtime(settings, migrate=False)
        assert restarted.context.keys.subject_hash("CHN/x") == subject_before
        assert FileKeyStore(settings).state().previous == (
            restarted.context.keys.fingerprints[1],)
        restarted.close()
        other = Settings(**{**settings.model_dump(), "master_key":
                            base64.urlsafe_b64encode(os.urandom(32)).decode()})
        with pytest.raises(ConfigurationError, match="not one of the keys"):
            build_runtime(other, migrate=False)
    finally:
        running.close()


def test_data_keys_wrapped_before_key_ids_were_recorded_are_rewrapped(
        deployment: Any, advance: Any) -> None:
    from simkyc.adapters.crypto import wrap_key

    d = deployment
    rids = _with_evidence(d, advance, 2)
    ids = _evidence_ids(d, rids)
    before = _read_all(d.ctx, d, ids)
    with d.ctx.uow() as tx:  # rewrite one as the legacy format (no master key id)
        key_id, wrapped = tx.keys.get(registration_id=rids[0])
        assert wrapped is not None
        data_key = d.ctx.keys.unwrap(wrapped, key_id)
        legacy = wrap_key(d.ctx.keys.current, data_key, key_id)
        assert tx.keys.rewrap(key_id=key_id, old=wrapped, new=legacy)
    store = FileKeyStore(d.settings)
    old = store.state().current
    assert key_status(d.ctx, store).data_keys == {old: 1, "legacy": 1}
    result = rotate_keys(d.ctx, store)
    assert result.complete and result.rewrapped == 2
    status = key_status(d.ctx, store)
    assert status.data_keys == {result.to: 2} and status.retirable == (old,)
    assert _read_all(d.open().context, d, ids) == before


class Crash(Exception):
    pass


def test_an_interrupted_rotation_resumes(deployment: Any, advance: Any) -> None:
    d = deployment
    rids = _with_evidence(d, advance, 5)
    ids = _evidence_ids(d, rids)
    before = _read_all(d.ctx, d, ids)
    store = FileKeyStore(d.settings)
    old = store.state().current

    def crash_after_first_batch(result: Any, total: int) -> None:
        raise Crash

    with pytest.raises(Crash):
        rotate_keys(d.ctx, store, batch_size=2, progress=crash_after_first_batch)
    state = store.state()
    assert state.rotation == "in_progress" and state.current != old
    assert key_status(d.ctx, store).data_keys == {state.current: 2, old: 3}
    assert _read_all(d.open().context, d, ids) == before  # mixed: both keys unwrap
    with pytest.raises(Exception, match="unfinished"):
        retire_keys(d.ctx, store)

    resumed = rotate_keys(d.ctx, store, batch_size=2)
    assert resumed.resumed and resumed.to == state.current and resumed.complete
    assert (resumed.rewrapped, resumed.already) == (3, 2)
    assert store.state().rotation == "done"
    assert key_status(d.ctx, store).data_keys == {state.current: 5}
    assert _read_all(d.open().context, d, ids) == before


def test_a_crypto_shred_during_rotation_is_not_undone(deployment: Any) -> None:
    d = deployment
    rid = start(d.ctx, d.people["agent"])
    with d.ctx.uow() as tx:
        key_id, wrapped = tx.keys.get(registration_id=rid)
    destroy_evidence_key(d.ctx, actor=d.people["admin"], registration_id=rid, reason="test")
    assert wrapped is not None
    with d.ctx.uow() as tx:  # the rotation read the row before the shred, writes after it
        assert not tx.keys.rewrap(key_id=key_id, old=wrapped, new=b"MK1" + b"x" * 40)
        assert tx.keys.get(registration_id=rid)[1] is None


# ----- the command line (SQLite: the contract, not the database, is under test) -----

def _one_line_error(p: subprocess.CompletedProcess[str]) -> str:
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), p.stderr
    return lines[0]


def test_cli_refuses_without_a_key_and_creates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    for cmd in (["keys", "rotate"], ["keys", "status"], ["keys", "retire"]):
        p = run([*cmd, "--json"], {"SIMKYC_DATA_DIR": str(data)})
        assert "no master key" in _one_line_error(p)
        assert "no master key" in json.loads(p.stdout)["error"]
    assert not data.exists()


def test_cli_env_key_needs_a_key_file_then_rotates_into_it(tmp_path: Path) -> None:
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    env = {"SIMKYC_DATA_DIR": str(tmp_path / "data"), "SIMKYC_MASTER_KEY": key,
           "SIMKYC_ENVIRONMENT": "production"}
    assert run(["db", "upgrade"], env).returncode == 0
    assert run(["agent", "create", "--name", "a", "--role", "agent", "--outlet", "S"],
               env).returncode == 0
    p = run(["keys", "rotate", "--json"], env)
    assert "SIMKYC_KEY_FILE" in _one_line_error(p)
    assert set(json.loads(p.stdout)) == {"error"}

    env["SIMKYC_KEY_FILE"] = str(tmp_path / "keys" / "keyring.json")
    p = run(["keys", "rotate", "--json", "--batch-size", "1"], env)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["complete"] and out["resumed"] is False and out["destroyed"] == 0
    keyfile = Path(env["SIMKYC_KEY_FILE"])
    assert oct(keyfile.stat().st_mode & 0o777) == "0o600"
    p = run(["keys", "status", "--json"], env)  # the env key is now a previous key
    status = json.loads(p.stdout)
    assert p.returncode == 0 and status["current"] == out["to"]
    assert len(status["previous"]) == 1 and status["retirable"] == status["previous"]
    p = run(["keys", "rotate", "--batch-size", "0"], env)
    _one_line_error(p)
    env["SIMKYC_MASTER_KEY"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
    p = run(["keys", "status"], env)  # a key the file does not hold: refused
    assert "not one of the keys" in _one_line_error(p)


def test_cli_rotation_killed_mid_way_resumes(tmp_path: Path) -> None:
    """A real crash: ``simkyc keys rotate`` killed (SIGKILL) between batches, run again."""
    import signal

    data = tmp_path / "data"
    settings = Settings(data_dir=data)
    rt = build_runtime(settings)
    agent = create_account(rt.context, name="a", role=Role.AGENT, outlet_name="O").agent
    rids = [start(rt.context, agent) for _ in range(150)]
    rt.close()
    env = {"SIMKYC_DATA_DIR": str(data)}
    with subprocess.Popen(SIMKYC + ["keys", "rotate", "--batch-size", "1"],
                          env=clean_env(env), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("re-wrapped 10 "):
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(60)
    assert proc.returncode == -signal.SIGKILL
    store = FileKeyStore(settings)
    state = store.state()
    assert state.rotation == "in_progress"
    rt = build_runtime(settings)
    try:
        counts = key_status(rt.context, store).data_keys
        assert 10 <= counts[state.current] < len(rids) and sum(counts.values()) == len(rids)
    finally:
        rt.close()
    p = run(["keys", "rotate", "--json"], env)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["resumed"] and out["to"] == state.current and out["complete"]
    assert out["rewrapped"] + out["already_under_new_key"] == len(rids)
    p = run(["keys", "status", "--json"], env)
    assert json.loads(p.stdout)["data_keys"] == {state.current: len(rids)}


def test_a_damaged_key_file_is_one_line_and_a_changed_subject_key_is_not_loaded(
        tmp_path: Path) -> None:
    from simkyc.adapters.crypto import KeyMaterial
    from simkyc.adapters.keyfile import KeyFile, write_key_file

    data = tmp_path / "data"
    data.mkdir()
    (data / "master.key").write_text('{"format": "simkyc-keyring", "version": 1}\n')
    p = run(["keys", "status", "--json"], {"SIMKYC_DATA_DIR": str(data)})
    assert "not a valid keyring" in _one_line_error(p)

    path = tmp_path / "keyring.json"
    first, second = os.urandom(32), os.urandom(32)
    write_key_file(path, KeyMaterial(first, (), os.urandom(32)), None)
    keyring = MasterKeyring.from_source(KeyFile(path))
    wrapped = keyring.wrap(b"k" * 32, "id")
    write_key_file(path, KeyMaterial(second, (first,), os.urandom(32)), None)  # another subject
    with pytest.raises(ConfigurationError, match="subject key differs"):
        keyring.wrap(b"k" * 32, "id2")
    assert keyring.unwrap(wrapped, "id") == b"k" * 32  # still the material it had
