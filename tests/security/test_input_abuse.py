"""Hostile request bodies, paths and fields (issue 11, medium and low), on both databases.

Seen before: ``max_json_bytes`` never enforced (a 72 MB JSON body accepted,
1.9 GB peak); a lone UTF-16 surrogate in any JSON string gave 500 (the 422
handler echoed it back); on PostgreSQL a NUL byte in any string field gave 500;
422 responses echoed the whole input (a 100 KB path, a 100 KB error); errors
without the ``{"error", "detail"}`` envelope (401, 403, per-file 413, 415, an
empty file, unknown paths, body parse errors) and plain-text 500s; consent
``"yes"`` and ``"1"`` accepted; the language not validated. The ``api`` client
checks the envelope of every 4xx/5xx it receives (tests/conftest.py).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import text

from simkyc.domain.evidence import EvidenceKind

BASE = "/api/v1/registrations"
JSON = {"Content-Type": "application/json"}


def _no_echo(r: Any, needle: str) -> None:
    assert needle not in r.text and len(r.content) < 2000, r.text[:300]


def test_json_body_over_the_limit_is_413_before_parsing(api: Any) -> None:
    limit = api.app.state.settings.max_json_bytes
    big = b'{"consent": true, "service_id": "' + b"1" * (limit + 10) + b'"}'
    r = api.post(BASE, content=big, headers={**api.hdr("agent"), **JSON})
    assert r.status_code == 413 and r.json()["error"] == "payload_too_large"


def test_chunked_json_body_without_length_is_cut_off(api: Any) -> None:
    """No Content-Length: the limit is enforced while the body streams in."""
    limit = api.app.state.settings.max_json_bytes
    def chunks() -> Any:
        yield b'{"consent": true, "service_id": "'
        for _ in range(limit // 65536 + 4):
            yield b"1" * 65536
        yield b'"}'

    r = api.post(BASE, content=chunks(), headers={**api.hdr("agent"), **JSON})
    assert r.status_code == 413, r.text
    assert r.json()["error"] == "payload_too_large"
    with api.ctx.uow() as tx:
        assert tx.session.execute(text("SELECT count(*) FROM registrations")).scalar() == 0


@pytest.mark.parametrize("raw", [
    b'{"consent": true, "service_id": "\\ud800"}',          # lone high surrogate
    b'{"consent": true, "language": "\\udfff"}',            # lone low surrogate
    b'{"consent": true, "service_id": "a\\u0000b"}',        # NUL (PostgreSQL refuses it)
    b'{"consent": true, "service_id": "a\x00b"}',            # a raw NUL byte: not JSON
    b'{"consent": true, "service_id": "\xff\xfe"}',          # not UTF-8
    b'{"consent": true, "\\ud800": 1}',                      # a surrogate as a key
])
def test_surrogates_and_nul_are_refused_not_500(api: Any, raw: bytes) -> None:
    r = api.post(BASE, content=raw, headers={**api.hdr("agent"), **JSON})
    assert r.status_code in (400, 422), r.text
    assert "\\ud800" not in r.text and "\\udfff" not in r.text


@pytest.mark.parametrize("field", ["name", "id_number", "address", "photo"])
def test_nul_and_surrogates_inside_a_reader_record(api: Any, new_registration: Any,
                                                   field: str) -> None:
    from abuse import cn_id_number, reader_record

    rid = new_registration()
    for bad in ("a\u0000b", "\ud800"):
        record = reader_record(cn_id_number(101))
        record[field] = bad
        raw = json.dumps(record).encode()  # ensure_ascii: escapes as \u0000 / \ud800
        r = api.post(f"{BASE}/{rid}/document/reader-record", content=raw,
                     headers={**api.hdr("agent"), **JSON})
        assert r.status_code in (400, 422), r.text
    view = api.get(f"{BASE}/{rid}", headers=api.hdr("agent")).json()
    assert view["status"] == "started" and view["evidence"] == []


@pytest.mark.parametrize("path,data", [
    ("document", {"kind": "auto\u0000"}),
    ("liveness", {"nonce": "0" * 31 + "\u0000"}),
    ("voice", {"nonce": "0" * 31 + "\u0000"}),
])
def test_nul_in_form_fields(api: Any, new_registration: Any, path: str,
                            data: dict[str, str]) -> None:
    rid = new_registration()
    name = {"document": "file", "liveness": "video", "voice": "audio"}[path]
    r = api.post(f"{BASE}/{rid}/{path}", headers=api.hdr("agent"), data=data,
                 files={name: ("x.bin", b"\x00" * 100, "application/octet-stream")})
    assert r.status_code in (400, 409, 415, 422), r.text


@pytest.mark.parametrize("where", ["name", "outlet", "operator"])
def test_nul_in_account_fields(api: Any, where: str) -> None:
    body = {"name": "n", "role": "agent", "outlet": "Outlet A", where: "x\u0000y"}
    r = api.post("/api/v1/agents", json=body, headers=api.hdr("admin"))
    assert r.status_code == 422, r.text


def test_errors_do_not_echo_the_input(api: Any, new_registration: Any) -> None:
    long = "A" * 60_000
    r = api.get(f"{BASE}/{long}", headers=api.hdr("agent"))
    assert r.status_code in (404, 422)
    _no_echo(r, "AAAAAAAAAAAAAAAAAAAA")
    r = api.post(BASE, json={"consent": True, "service_id": long}, headers=api.hdr("agent"))
    assert r.status_code == 422
    _no_echo(r, "AAAAAAAAAAAAAAAAAAAA")
    r = api.post(BASE, json={"consent": True, "B" * 5000: 1}, headers=api.hdr("agent"))
    assert r.status_code == 422
    _no_echo(r, "B" * 100)
    r = api.post(BASE, content=b"{" + b'"x":' * 20000, headers={**api.hdr("agent"), **JSON})
    assert r.status_code == 400 and r.json()["error"] == "malformed_json"
    _no_echo(r, '"x":"x"')


@pytest.mark.parametrize("consent", ["yes", "1", 1, "true", None, [True], {"v": True}])
def test_consent_is_json_true_only(api: Any, consent: Any) -> None:
    r = api.post(BASE, json={"consent": consent}, headers=api.hdr("agent"))
    assert r.status_code in (400, 422), r.text


@pytest.mark.parametrize("language", ["klingon", "", "en-XX-" + "x" * 20, "../../etc"])
def test_language_is_validated_at_creation(api: Any, language: str) -> None:
    r = api.post(BASE, json={"consent": True, "language": language}, headers=api.hdr("agent"))
    assert r.status_code in (400, 422), r.text


def test_every_framework_error_has_the_envelope(api: Any, new_registration: Any) -> None:
    """The client's hook checks the envelope; these are the statuses that lacked it."""
    rid = new_registration()
    seen = {
        api.get(f"{BASE}/{rid}").status_code,                                      # 401
        api.get(f"{BASE}/{rid}", headers={"Authorization": "Bearer nope"}).status_code,
        api.post("/api/v1/agents", json={"name": "x", "role": "admin"},
                 headers=api.hdr("agent")).status_code,                            # 403
        api.get("/api/v1/nothing-here", headers=api.hdr("agent")).status_code,     # 404
        api.delete(BASE, headers=api.hdr("agent")).status_code,                    # 405
        api.post(f"{BASE}/{rid}/evidence/upper_body", headers=api.hdr("agent"),
                 files={"file": ("x.jpg", b"", "image/jpeg")}).status_code,        # empty
        api.post(f"{BASE}/{rid}/evidence/upper_body", headers=api.hdr("agent"),
                 files={"file": ("x.txt", b"hello there" * 10, "text/plain")}).status_code,
        api.post(f"{BASE}/{rid}/evidence/upper_body", headers=api.hdr("agent"),
                 files={"file": ("x.jpg", b"\xff\xd8\xff" + b"0" * (3 * 1024 * 1024),
                                 "image/jpeg")}).status_code,                      # 413
        api.post(BASE, content=b"{not json", headers={**api.hdr("agent"),
                                                      **JSON}).status_code,        # 400
        api.post(BASE, content=b"consent=1", headers={
            **api.hdr("agent"), "Content-Type": "application/x-www-form-urlencoded"}
        ).status_code,
    }
    assert {400, 401, 403, 404, 405, 413, 415} <= seen, seen


def test_an_unexpected_failure_is_an_enveloped_500(api_settings: Any) -> None:
    from fastapi.testclient import TestClient

    from simkyc.api.app import create_app

    app = create_app(api_settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals /etc/passwd")

    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/boom")
    app.state.runtime.close()
    assert r.status_code == 500
    assert r.json() == {"error": "internal_error",
                        "detail": "the service could not complete the request"}
    assert "secret" not in r.text


def test_security_headers_and_evidence_served_as_attachment(api: Any, new_registration: Any,
                                                            advance: Any) -> None:
    page = api.get("/capture")
    assert page.status_code == 200
    h = page.headers
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert h["x-frame-options"] == "DENY" and h["x-content-type-options"] == "nosniff"
    rid = new_registration()
    advance(api.ctx, api.actor("agent"), rid, "document", subject=f"CHN/{rid}")
    ref = advance(api.ctx, api.actor("agent"), rid, "attach", evidence=(
        (EvidenceKind.UPPER_BODY, "text/html", b"<script>alert(1)</script>"),)).evidence[0]
    r = api.get(f"/api/v1/evidence/{ref.id}", headers=api.hdr("compliance"))
    assert r.status_code == 200
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_outlet_name_of_another_operator_is_refused_over_http(api: Any) -> None:
    r = api.post("/api/v1/agents", headers=api.hdr("admin"),
                 json={"name": "intruder", "role": "agent", "outlet": "Outlet A",
                       "operator": "Other Telecom"})
    assert r.status_code == 409 and r.json()["error"] == "conflict", r.text
    agents = api.get("/api/v1/agents", headers=api.hdr("admin")).json()
    assert "intruder" not in {a["name"] for a in agents}
