"""One error envelope for every 4xx and 5xx: ``{"error": <code>, "detail": <text>}``.

``error`` is a stable code (``error.<code>`` in the message catalogue, so a
translated UI can show it); ``detail`` a readable English reason. Nothing a
client sent is echoed back beyond a field's name. A lockout adds ``until``, a
throttle ``retry_after_s`` (and a ``Retry-After`` header), a refused phone
number or ICCID (``service_invalid``, 422) and a refused card-reader record
(``reader_record_refused``, 422) their ``reasons`` and ``messages``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from simkyc.domain.errors import (
    AuthenticationError,
    ConfigurationError,
    ConflictError,
    EvidenceError,
    EvidenceKeyDestroyedError,
    InputError,
    LockedOutError,
    MediaTooLargeError,
    NotFoundError,
    PermissionDenied,
    RateLimitedError,
    ReaderRecordRefusedError,
    ServiceInvalidError,
    SimkycError,
    UnsupportedMediaError,
)

log = logging.getLogger("simkyc.api")


class ErrorEnvelope(BaseModel):
    """Every error response."""

    error: str
    detail: str
    until: str | None = None
    retry_after_s: float | None = None
    reasons: list[str] | None = None
    messages: list[str] | None = None


#: HTTP status of each error class (the most specific class wins).
STATUS: list[tuple[type[SimkycError], int]] = [
    (MediaTooLargeError, 413),
    (UnsupportedMediaError, 415),
    (ServiceInvalidError, 422),
    (ReaderRecordRefusedError, 422),
    (InputError, 400),
    (AuthenticationError, 401),
    (PermissionDenied, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (EvidenceKeyDestroyedError, 410),
    (LockedOutError, 423),
    (RateLimitedError, 429),
    (EvidenceError, 500),
    (ConfigurationError, 500),
]

#: Codes for statuses raised by the framework itself (routing, body parsing).
HTTP_CODES = {400: "invalid_request", 401: "unauthorized", 403: "forbidden",
              404: "not_found", 405: "method_not_allowed", 409: "conflict",
              413: "payload_too_large", 415: "unsupported_media_type",
              422: "invalid_request", 429: "too_many_requests", 500: "internal_error"}

MAX_DETAIL = 300


def status_of(exc: SimkycError) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def envelope(status: int, code: str, detail: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "detail": _clip(detail)}
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if "retry_after_s" in body:
        headers["Retry-After"] = str(int(body["retry_after_s"]) + 1)
    return JSONResponse(status_code=status, content=body, headers=headers)


def _clip(text: str) -> str:
    # Printable, bounded, and encodable (a lone surrogate must not break the response).
    text = " ".join(str(text).split())
    text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    return text if len(text) <= MAX_DETAIL else text[:MAX_DETAIL - 1] + "…"


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p)[:40] for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: each status with the envelope schema."""
    return {s: {"model": ErrorEnvelope, "description": HTTP_CODES.get(s, "error")}
            for s in statuses}


def evidence_content(description: str) -> dict[str, Any]:
    """The 200 of a route that serves a decrypted evidence item: one content type per
    type evidence is stored as (the sniffed media types, and JSON for fields and records)."""
    from simkyc.media.sniff import MEDIA_TYPES

    binary = {"schema": {"type": "string", "format": "binary"}}
    types = sorted({*MEDIA_TYPES, "application/octet-stream"})
    content: dict[str, Any] = {t: dict(binary) for t in types}
    content["application/json"] = {"schema": {"type": "object"}}
    return {"content": content, "description": description}


#: Statuses any operation can answer, whatever its route declares: every operation with a
#: request body (a body that does not parse: 400; beyond the body limit: 413) and every
#: operation that needs an account (no or a bad credential: 401; throttled after failed
#: sign-ins: 429); a parameter or body that breaks its schema (422) is the envelope too.
BODY_STATUSES = (400, 413, 422)
AUTH_STATUSES = (401, 429)


def document_errors(app: FastAPI) -> None:
    """Document, in one place, the error statuses the framework and the middleware answer
    for every operation (see ``BODY_STATUSES`` and ``AUTH_STATUSES``), each with the
    envelope's schema, and replace FastAPI's own 422 schema by the envelope it really is."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        spec = generate()
        if spec.get("x-simkyc-errors-documented"):
            return spec
        ref = {"$ref": "#/components/schemas/ErrorEnvelope"}
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas.setdefault("ErrorEnvelope", ErrorEnvelope.model_json_schema())
        for item in spec.get("paths", {}).values():
            for method, op in item.items():
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                responses = op.setdefault("responses", {})
                statuses: set[int] = set()
                if "requestBody" in op:
                    statuses.update(BODY_STATUSES)
                if op.get("parameters"):
                    statuses.add(422)
                if op.get("security"):
                    statuses.update(AUTH_STATUSES)
                for status in sorted(statuses):
                    responses.setdefault(str(status), {"description": HTTP_CODES[status]})
                for status, response in responses.items():
                    if status[0] in "45" and (status == "422" or "content" not in response):
                        response["content"] = {"application/json": {"schema": dict(ref)}}
        for name in ("HTTPValidationError", "ValidationError"):  # FastAPI's, now unused
            if f'"#/components/schemas/{name}"' not in json.dumps(spec):
                schemas.pop(name, None)
        spec["x-simkyc-errors-documented"] = True
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") in ("json_invalid", "json_type") for e in errors):
            return envelope(400, "malformed_json", "the request body is not valid JSON")
        readable = "; ".join(f"{_field(tuple(e.get('loc', ())))}: {e.get('msg')}"
                             for e in errors[:5])
        return envelope(422, "invalid_request", readable)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(exc.status_code, "error")
        return envelope(exc.status_code, code, str(exc.detail))

    @app.exception_handler(SimkycError)
    async def _simkyc(_: Request, exc: SimkycError) -> JSONResponse:
        status = status_of(exc)
        if status >= 500:
            log.error("request failed: %s: %s", type(exc).__name__, exc)
        extra: dict[str, Any] = {}
        if isinstance(exc, LockedOutError):
            extra["until"] = exc.until.isoformat(timespec="seconds") if exc.until else None
        if isinstance(exc, RateLimitedError):
            extra["retry_after_s"] = round(exc.retry_after_s, 1)
        if isinstance(exc, ServiceInvalidError | ReaderRecordRefusedError):
            from simkyc.i18n import reason_text

            extra["reasons"] = list(exc.reasons)
            extra["messages"] = [reason_text(r, exc.language) for r in exc.reasons]
        detail = str(exc) if status < 500 or isinstance(exc, EvidenceError) else \
            "the service could not complete the request"
        return envelope(status, exc.code, detail, **extra)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return envelope(500, "internal_error", "the service could not complete the request")


__all__ = ["ErrorEnvelope", "document_errors", "envelope", "error_responses", "evidence_content",
           "install_error_handlers", "status_of"]
