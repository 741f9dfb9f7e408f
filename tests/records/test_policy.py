"""The policy document: TOML validated with clear errors, a canonical SHA-256 recorded with
every stage result and record, ``simkyc policy show|validate|hash``, SIMKYC_POLICY_FILE."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from simkyc.adapters.policy_file import load_policy_file, policy_toml
from simkyc.cli.main import app
from simkyc.domain.errors import ConfigurationError
from simkyc.domain.policy import DEFAULT_POLICY
from simkyc.services.context import ServiceContext
from simkyc.services.policy_doc import policy_sha256
from simkyc.services.registrations import start_registration


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "policy.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_layout_and_hash(tmp_path: Path) -> None:
    assert load_policy_file(_write(tmp_path, "")) == DEFAULT_POLICY
    # The whole policy written out loads back to itself, with the same hash.
    full = load_policy_file(_write(tmp_path, policy_toml(DEFAULT_POLICY)))
    assert full == DEFAULT_POLICY and policy_sha256(full) == policy_sha256(DEFAULT_POLICY)
    # Comments, order and an int for a float change nothing.
    a = load_policy_file(_write(tmp_path, "# ours\n[face]\nsface_match_threshold = 1\n"
                                          "[registration]\nmax_numbers_per_identity = 3\n"))
    b = load_policy_file(_write(tmp_path, "[registration]\nmax_numbers_per_identity = 3\n"
                                          "[face]\nsface_match_threshold = 1.0\n"))
    assert policy_sha256(a) == policy_sha256(b) != policy_sha256(DEFAULT_POLICY)
    assert a.registration.max_numbers_per_identity == 3


@pytest.mark.parametrize(("text", "words"), [
    ("[face]\nbogus = 1\n", "unknown key face.bogus"),
    ("[registration]\nmax_numbers_per_identity = \"five\"\n",
     "registration.max_numbers_per_identity must be an integer"),
    ("[retention]\nliveness_video_days = -1\n", "retention.liveness_video_days must not be"),
    ("[document]\nreject_expired = 1\n", "document.reject_expired must be true or false"),
    ("[registration\n", "not valid TOML"),
    ("[[delivery.sinks]]\nname = \"x\"\nkind = \"webhook\"\ntarget = \"http://h/\"\n"
     "profile = \"nobody\"\n", "no profile named 'nobody'"),
    ("[[delivery.sinks]]\nname = \"x\"\nkind = \"ftp\"\ntarget = \"/t\"\nprofile = \"regulator\"\n",
     "kind must be one of webhook, directory"),
    ("[[delivery.profiles]]\nname = \"regulator\"\nfields = [\"face_template\"]\n",
     "unknown record field 'face_template'"),
    ("[[delivery.sinks]]\nname = \"x\"\nkind = \"webhook\"\n", "delivery.sinks[0]"),
])
def test_invalid_policies_are_refused_clearly(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ConfigurationError, match=words.replace("[", r"\[")):
        load_policy_file(_write(tmp_path, text))


def test_cli(tmp_path: Path) -> None:
    run = CliRunner().invoke
    good = _write(tmp_path, "[registration]\nmax_numbers_per_identity = 3\n")
    r = run(app, ["policy", "validate", str(good), "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["sha256"] == policy_sha256(
        load_policy_file(good))
    r = run(app, ["policy", "hash"], env={"SIMKYC_POLICY_FILE": str(good)})
    assert r.output.strip() == policy_sha256(load_policy_file(good))
    r = run(app, ["policy", "show", "--file", str(good)])
    assert r.exit_code == 0 and "max_numbers_per_identity = 3" in r.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[face]\nbogus = 1\n")
    r = run(app, ["policy", "validate", str(bad)])
    assert r.exit_code == 1 and "unknown key face.bogus" in r.output
    r = run(app, ["policy", "hash", "--file", str(tmp_path / "missing.toml")])
    assert r.exit_code == 2


def test_stage_results_record_the_policy_hash(ctx: ServiceContext, people: dict,
                                              advance: Any) -> None:
    agent = people["agent"][0]
    reg = start_registration(ctx, actor=agent, consent=True)
    advance(ctx, agent, reg.id, "document", subject="CHN/11010519491231002X")
    with ctx.uow() as tx:
        (outcome,) = tx.stages.list(registration_id=reg.id)
    assert outcome.details["policy_sha256"] == policy_sha256(ctx.policy)


def test_the_setting_names_the_policy_file(tmp_path: Path) -> None:
    from simkyc.config import Settings
    from simkyc.runtime import build_runtime

    good = _write(tmp_path, "[registration]\nmax_numbers_per_identity = 2\n")
    rt = build_runtime(Settings(data_dir=tmp_path / "d", policy_file=good))
    try:
        assert rt.context.policy.registration.max_numbers_per_identity == 2
        assert rt.context.signer is not None
    finally:
        rt.close()
    bad = tmp_path / "bad.toml"
    bad.write_text("x = \n")
    with pytest.raises(ConfigurationError, match="not valid TOML"):
        build_runtime(Settings(data_dir=tmp_path / "d", policy_file=bad))
