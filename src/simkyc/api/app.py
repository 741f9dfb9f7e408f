"""The FastAPI application factory: thin routes over the application layer."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from simkyc import __version__
from simkyc.api.background import lifespan
from simkyc.api.errors import document_errors, install_error_handlers
from simkyc.api.limits import BodyLimitMiddleware, SecurityHeadersMiddleware
from simkyc.api.routes import (
    admin,
    capture_page,
    compliance,
    counter,
    counter_page,
    document,
    face,
    flow,
    health,
    jobs,
    liveness,
    records,
    registrations,
    session,
    voice,
)
from simkyc.config import Settings
from simkyc.domain.policy import DEFAULT_POLICY, DecisionPolicy
from simkyc.runtime import ModelRegistry, Runtime, build_runtime
from simkyc.services.accounts import FailureThrottle
from simkyc.services.policy_doc import policy_warnings

log = logging.getLogger("simkyc.api")


def _operation_id(route: APIRoute) -> str:
    return route.name


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None,
               policy: DecisionPolicy = DEFAULT_POLICY,
               models: ModelRegistry | None = None) -> FastAPI:
    """Build the app. Tests pass their own ``settings`` (and may pass a ``runtime``)."""
    settings = settings or Settings()
    if runtime is None:
        runtime = build_runtime(settings, policy=policy)
    app = FastAPI(title="simkyc", version=__version__,
                  description="Live identity verification and real-name registration. "
                              "1:1 face verification only; clients see pass/fail and reasons. "
                              "Every error is {\"error\": <code>, \"detail\": <text>}.",
                  generate_unique_id_function=_operation_id, lifespan=lifespan)
    for warning in policy_warnings(runtime.context.policy):
        log.warning("policy: %s", warning)
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.engine = runtime.engine  # one engine (and pool) per process
    app.state.context = runtime.context
    app.state.models = models or ModelRegistry()
    app.state.auth_throttle = FailureThrottle()
    largest = max(settings.max_image_bytes, settings.max_video_bytes, settings.max_audio_bytes)
    # Multipart framing and a second file (audio + video) fit in the margin.
    app.add_middleware(BodyLimitMiddleware, max_bytes=largest + settings.max_audio_bytes + 65536,
                       max_json_bytes=settings.max_json_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    install_error_handlers(app)
    routers: list[Any] = [health.router, flow.router, registrations.router, document.router,
                          face.router, liveness.router, voice.router, admin.router,
                          records.router, session.router, counter.router]
    routers = jobs.for_mode(app, settings, routers)  # jobs; the 202 step routes with workers
    for router in routers:
        app.include_router(router)
    app.include_router(capture_page.router)
    app.mount("/capture/assets", capture_page.assets(), name="capture-assets")
    app.include_router(compliance.router)
    app.include_router(compliance.pages)
    app.mount("/compliance/assets", compliance.assets(), name="compliance-assets")
    app.include_router(counter_page.router)
    app.mount("/counter/assets", counter_page.assets(), name="counter-assets")
    document_errors(app)  # after every route: the statuses no route declares itself
    return app


__all__ = ["create_app"]
