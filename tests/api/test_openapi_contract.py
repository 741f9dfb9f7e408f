"""The OpenAPI document is a contract: every route names its success and error schemas,
with stable operation ids, and what the service answers validates against them."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

ERROR_REF = "#/components/schemas/ErrorEnvelope"


@pytest.fixture
def spec(api: Any) -> dict[str, Any]:
    r = api.get("/openapi.json")
    assert r.status_code == 200
    return dict(r.json())


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in spec["paths"].items()
            for method, op in item.items() if method in ("get", "post", "put", "delete")]


def test_every_route_declares_its_responses(spec: dict[str, Any]) -> None:
    ids = []
    for path, method, op in operations(spec):
        where = f"{method.upper()} {path}"
        ids.append(op.get("operationId"))
        assert op.get("operationId") and "__" not in op["operationId"], where
        responses = op["responses"]
        ok = [s for s in responses if s.startswith("2")]
        assert ok, f"{where}: no success response"
        for s in ok:
            content = responses[s].get("content")
            if s != "204":
                assert content, f"{where} {s}: no schema"
        if path == "/healthz" or path.startswith(("/api/v1/flow", "/api/v1/i18n")):
            continue  # public, no error but 422 of a path parameter
        errors = [s for s in responses if s[0] in "45"]
        assert errors, f"{where}: declares no error response"
        for s in errors:
            schema = responses[s]["content"]["application/json"]["schema"]
            assert schema.get("$ref") == ERROR_REF, f"{where} {s}: not the error envelope"
    assert len(ids) == len(set(ids)), "operation ids must be unique"


def _validate(spec: dict[str, Any], path: str, method: str, response: Any) -> None:
    """Validate the answer against the schema the spec declares for its status."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    op = spec["paths"][path][method]
    schema = op["responses"][str(response.status_code)]["content"]["application/json"]["schema"]
    registry = Registry().with_resource(
        "urn:simkyc:openapi", Resource.from_contents(spec, default_specification=DRAFT202012))
    if "$ref" in schema:
        schema = {"$ref": "urn:simkyc:openapi" + schema["$ref"]}
    jsonschema.Draft202012Validator(schema, registry=registry).validate(response.json())


def test_answers_validate_against_the_declared_schemas(api: Any, spec: dict[str, Any],
                                                       new_registration: Any) -> None:
    rid = new_registration(language="en")
    base = "/api/v1/registrations"
    cases = [
        ("/api/v1/registrations/{registration_id}", "get",
         api.get(f"{base}/{rid}", headers=api.hdr("agent"))),
        ("/api/v1/registrations/{registration_id}", "get",
         api.get(f"{base}/{'0' * 32}", headers=api.hdr("agent"))),
        ("/api/v1/registrations", "post",
         api.post(base, json={"consent": "yes"}, headers=api.hdr("agent"))),
        ("/api/v1/registrations/{registration_id}/liveness/challenge", "post",
         api.post(f"{base}/{rid}/liveness/challenge", headers=api.hdr("agent"))),
        ("/api/v1/registrations/{registration_id}/register", "post",
         api.post(f"{base}/{rid}/register", json={}, headers=api.hdr("auditor"))),
        ("/api/v1/audit/verify", "get", api.get("/api/v1/audit/verify",
                                                headers=api.hdr("auditor"))),
        ("/api/v1/flow", "get", api.get("/api/v1/flow")),
        ("/healthz", "get", api.get("/healthz")),
    ]
    statuses = []
    for path, method, response in cases:
        _validate(spec, path, method, response)
        statuses.append(response.status_code)
    assert statuses == [200, 404, 422, 409, 403, 200, 200, 200]


def test_flow_definition_is_served(api: Any) -> None:
    flow = api.get("/api/v1/flow").json()
    names = [s["name"] for s in flow["steps"]]
    assert names[:2] == ["consent", "document"] and names[-1] == "register"
    register = flow["steps"][-1]
    assert register["requires"] == ["face_matched"]
    assert register["requires_evidence"] == ["upper_body"]
    match = next(s for s in flow["steps"] if s["name"] == "face_match")
    assert match["uses"] == [{"step": "document", "kind": "document_photo"},
                             {"step": "liveness", "kind": "live_face"}]
