"""The FastAPI application factory."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from simkyc import __version__
from simkyc.api.deps import ModelCache
from simkyc.api.limits import BodyLimitMiddleware
from simkyc.api.routes import admin, capture_page, health, registrations
from simkyc.bootstrap import build_service
from simkyc.config import Settings
from simkyc.domain.errors import (
    ChallengeError,
    EvidenceError,
    EvidenceKeyDestroyedError,
    IllegalTransitionError,
    InputError,
    MediaTooLargeError,
    NotFoundError,
    UnsupportedMediaError,
)
from simkyc.domain.policy import DEFAULT_POLICY, DecisionPolicy
from simkyc.workflow import PermissionDenied, RegistrationService


def _error(status: int, code: str, detail: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": code, "detail": detail})


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _error(400, "malformed_json", "the request body is not valid JSON")
        readable = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg')}"
            for e in errors)
        return JSONResponse(status_code=422, content={
            "error": "invalid_request", "detail": readable,
            "fields": json.loads(json.dumps(errors, default=str))})

    table: list[tuple[type[Exception], int, str]] = [
        (MediaTooLargeError, 413, "payload_too_large"),
        (UnsupportedMediaError, 415, "unsupported_media_type"),
        (InputError, 400, "invalid_input"),
        (PermissionDenied, 403, "forbidden"),
        (NotFoundError, 404, "not_found"),
        (IllegalTransitionError, 409, "illegal_transition"),
        (ChallengeError, 409, "challenge_rejected"),
        (EvidenceKeyDestroyedError, 410, "evidence_destroyed"),
        (EvidenceError, 500, "evidence_unreadable"),
    ]
    for exc_type, status, code in table:
        def handler(_: Request, exc: Exception, status: int = status,
                    code: str = code) -> JSONResponse:
            return _error(status, code, str(exc))

        app.add_exception_handler(exc_type, handler)


def create_app(settings: Settings | None = None, *, service: RegistrationService | None = None,
               policy: DecisionPolicy = DEFAULT_POLICY) -> FastAPI:
    """Build the app. Tests pass their own ``settings`` (and may pass a ``service``)."""
    settings = settings or Settings()
    if service is None:
        service = build_service(settings, policy=policy)
    app = FastAPI(title="simkyc", version=__version__,
                  description="Live identity verification and real-name registration. "
                              "1:1 face verification only; clients see pass/fail and reasons.")
    app.state.settings = settings
    app.state.engine = service.engine  # one engine (and pool) per process
    app.state.service = service
    app.state.models = ModelCache()
    largest = max(settings.max_image_bytes, settings.max_video_bytes, settings.max_audio_bytes)
    # Multipart framing and a second file (e.g. audio + video) fit in the margin.
    app.add_middleware(BodyLimitMiddleware, max_bytes=largest + settings.max_audio_bytes + 65536)
    _install_error_handlers(app)
    for router in _routers():
        app.include_router(router)
    app.include_router(capture_page.router)
    app.mount("/capture/assets", capture_page.assets(), name="capture-assets")
    return app


def _routers() -> list[Any]:
    routers: list[Any] = [health.router, registrations.router, admin.router]
    # Stage routers (one line each):
    from simkyc.api.routes import liveness
    routers.append(liveness.router)
    from simkyc.api.routes import document
    routers.append(document.router)
    from simkyc.api.routes import voice
    routers.append(voice.router)
    from simkyc.api.routes import face
    routers.append(face.router)
    return routers


__all__ = ["create_app"]
