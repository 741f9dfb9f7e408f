import secrets
from pathlib import Path

import pytest

from simkyc.adapters.evidence_store import EvidenceStore
from simkyc.domain.errors import EvidenceError, EvidenceTamperedError

REG = secrets.token_hex(16)


def test_round_trip_is_encrypted_at_rest(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    key = secrets.token_bytes(32)
    plaintext = b"\xff\xd8 a jpeg of a face " * 100
    ev = secrets.token_hex(16)
    digest = store.write(registration_id=REG, evidence_id=ev, data_key=key, plaintext=plaintext)
    raw = (tmp_path / REG / f"{ev}.sk").read_bytes()
    assert plaintext[:20] not in raw and b"a jpeg of a face" not in raw
    assert store.read(registration_id=REG, evidence_id=ev, data_key=key, sha256=digest) == plaintext


def test_flipped_byte_is_detected(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    key = secrets.token_bytes(32)
    ev = secrets.token_hex(16)
    digest = store.write(registration_id=REG, evidence_id=ev, data_key=key, plaintext=b"x" * 500)
    path = tmp_path / REG / f"{ev}.sk"
    blob = bytearray(path.read_bytes())
    blob[100] ^= 0x01
    path.write_bytes(bytes(blob))
    with pytest.raises(EvidenceTamperedError):
        store.read(registration_id=REG, evidence_id=ev, data_key=key, sha256=digest)


def test_blob_moved_to_another_record_fails(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    key = secrets.token_bytes(32)
    a, b = secrets.token_hex(16), secrets.token_hex(16)
    da = store.write(registration_id=REG, evidence_id=a, data_key=key, plaintext=b"AAAA")
    store.write(registration_id=REG, evidence_id=b, data_key=key, plaintext=b"BBBB")
    (tmp_path / REG / f"{b}.sk").write_bytes((tmp_path / REG / f"{a}.sk").read_bytes())
    with pytest.raises(EvidenceTamperedError):
        store.read(registration_id=REG, evidence_id=b, data_key=key, sha256=da)


def test_wrong_hash_is_tampering(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    key = secrets.token_bytes(32)
    ev = secrets.token_hex(16)
    store.write(registration_id=REG, evidence_id=ev, data_key=key, plaintext=b"data")
    with pytest.raises(EvidenceTamperedError):
        store.read(registration_id=REG, evidence_id=ev, data_key=key, sha256="0" * 64)


def test_wrong_key_cannot_read(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    ev = secrets.token_hex(16)
    d = store.write(registration_id=REG, evidence_id=ev, data_key=secrets.token_bytes(32),
                    plaintext=b"data")
    with pytest.raises(EvidenceTamperedError):
        store.read(registration_id=REG, evidence_id=ev, data_key=secrets.token_bytes(32), sha256=d)


def test_path_traversal_ids_refused(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    with pytest.raises(EvidenceError):
        store.write(registration_id="../etc", evidence_id=secrets.token_hex(16),
                    data_key=secrets.token_bytes(32), plaintext=b"x")


def test_sweep_removes_only_orphans(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    key = secrets.token_bytes(32)
    kept, orphan = secrets.token_hex(16), secrets.token_hex(16)
    store.write(registration_id=REG, evidence_id=kept, data_key=key, plaintext=b"k")
    store.write(registration_id=REG, evidence_id=orphan, data_key=key, plaintext=b"o")
    (tmp_path / REG / f"{secrets.token_hex(16)}.tmp").write_bytes(b"half")
    assert store.sweep_orphans({kept}) == 2
    assert [p.name for p in (tmp_path / REG).iterdir()] == [f"{kept}.sk"]
