"""The S3 evidence backend against a real S3 API server on loopback (moto's server mode).

Same encryption as the local folder: the bucket holds only AES-GCM
ciphertext bound to its registration and evidence ids; the application
layer stores and reads evidence through it unchanged.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from PIL import Image

from simkyc.adapters.s3_store import S3EvidenceStore, s3_client
from simkyc.domain.errors import EvidenceError, EvidenceTamperedError
from simkyc.domain.evidence import EvidenceKind


@pytest.fixture(scope="module")
def s3_endpoint(monkeypatch_module: Any) -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    for k, v in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                 "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch_module.setenv(k, v)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture
def s3_store(s3_endpoint: str) -> S3EvidenceStore:
    client = s3_client(endpoint_url=s3_endpoint)
    bucket = "simkyc-" + secrets.token_hex(4)
    client.create_bucket(Bucket=bucket)
    return S3EvidenceStore(client, bucket, "evidence/")


def ids() -> tuple[str, str]:
    return secrets.token_hex(16), secrets.token_hex(16)


def test_round_trip_stores_only_ciphertext(s3_store: S3EvidenceStore) -> None:
    reg, ev = ids()
    key = secrets.token_bytes(32)
    plaintext = b"customer face JPEG bytes " * 100
    digest = s3_store.write(registration_id=reg, evidence_id=ev, data_key=key,
                            plaintext=plaintext)
    raw = s3_store.client.get_object(Bucket=s3_store.bucket,
                                     Key=f"evidence/{reg}/{ev}.sk")["Body"].read()
    assert b"customer face" not in raw and len(raw) > len(plaintext)
    assert s3_store.read(registration_id=reg, evidence_id=ev, data_key=key,
                         sha256=digest) == plaintext
    with pytest.raises(EvidenceTamperedError):  # wrong key
        s3_store.read(registration_id=reg, evidence_id=ev, data_key=secrets.token_bytes(32),
                      sha256=digest)


def test_a_moved_or_altered_object_is_refused(s3_store: S3EvidenceStore) -> None:
    reg, ev = ids()
    other = secrets.token_hex(16)
    key = secrets.token_bytes(32)
    digest = s3_store.write(registration_id=reg, evidence_id=ev, data_key=key, plaintext=b"x" * 50)
    s3_store.client.copy_object(Bucket=s3_store.bucket, Key=f"evidence/{reg}/{other}.sk",
                                CopySource={"Bucket": s3_store.bucket,
                                            "Key": f"evidence/{reg}/{ev}.sk"})
    with pytest.raises(EvidenceTamperedError):  # bound to its own evidence id
        s3_store.read(registration_id=reg, evidence_id=other, data_key=key, sha256=digest)
    with pytest.raises(EvidenceError, match="missing"):
        s3_store.read(registration_id=reg, evidence_id=secrets.token_hex(16), data_key=key,
                      sha256=digest)
    with pytest.raises(EvidenceError, match="malformed"):
        s3_store.read(registration_id="../x", evidence_id=ev, data_key=key, sha256=digest)


def test_delete_and_sweep_orphans(s3_store: S3EvidenceStore) -> None:
    reg, kept = ids()
    orphan, gone = secrets.token_hex(16), secrets.token_hex(16)
    key = secrets.token_bytes(32)
    for ev in (kept, orphan, gone):
        s3_store.write(registration_id=reg, evidence_id=ev, data_key=key, plaintext=b"data")
    s3_store.delete(registration_id=reg, evidence_id=gone)
    assert s3_store.sweep_orphans({kept}, older_than_seconds=3600) == 0  # too recent
    assert s3_store.sweep_orphans({kept}) == 1
    assert {e for _, e, _ in s3_store.iter_items()} == {kept}
    s3_store.delete_registration(reg)
    assert list(s3_store.iter_items()) == []


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 90, 60)).save(buf, "JPEG")
    return buf.getvalue()


def test_the_application_layer_keeps_evidence_in_s3(ctx: Any, people: Any,
                                                    s3_store: S3EvidenceStore) -> None:
    from simkyc.services.evidence import read_evidence
    from simkyc.services.registrations import start_registration
    from simkyc.services.steps import Attachment, attach_evidence

    s3ctx = replace(ctx, store=s3_store)
    agent, compliance = people["agent"][0], people["compliance"][0]
    reg = start_registration(s3ctx, actor=agent, consent=True)
    photo = _jpeg()
    ref = attach_evidence(s3ctx, actor=agent, registration_id=reg.id,
                          submission=Attachment(kind=EvidenceKind.UPPER_BODY, data=photo))
    assert [e for _, e, _ in s3_store.iter_items()] == [ref.id]
    _, data = read_evidence(s3ctx, actor=compliance, evidence_id=ref.id)
    assert data == photo


def test_settings_select_the_s3_backend(s3_endpoint: str, tmp_path: Any) -> None:
    from simkyc.config import Settings
    from simkyc.domain.errors import ConfigurationError
    from simkyc.runtime.stores import make_store

    s = Settings(data_dir=tmp_path, evidence_backend="s3", s3_bucket="b",
                 s3_endpoint_url=s3_endpoint, s3_prefix="p/")
    store = make_store(s, "jobs")
    assert isinstance(store, S3EvidenceStore) and store.prefix == "p/jobs/"
    with pytest.raises(ConfigurationError):
        make_store(Settings(data_dir=tmp_path, evidence_backend="s3"))
