"""FastAPI dependencies: the context, the models, the signed-in account, upload reading.

Typed aliases (``ContextDep``, ``ActorDep``, ``ModelsDep``) keep route
signatures short. Role and outlet checks are the application layer's own;
the routes add nothing but parsing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from simkyc.config import Settings
from simkyc.domain.errors import AuthenticationError, MediaTooLargeError
from simkyc.domain.parties import Agent
from simkyc.runtime.models import ModelRegistry
from simkyc.services.accounts import FailureThrottle, authenticate
from simkyc.services.context import ServiceContext
from simkyc.services.sessions import authenticate_session

#: The browser session's cookie (HttpOnly, SameSite=Strict; see api/routes/session.py).
SESSION_COOKIE = "simkyc_session"
#: Methods that change nothing: no CSRF token needed with the cookie.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="An API token from `simkyc agent create`.")


def get_context(request: Request) -> ServiceContext:
    return request.app.state.context  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_models(request: Request) -> ModelRegistry:
    return request.app.state.models  # type: ignore[no-any-return]


ContextDep = Annotated[ServiceContext, Depends(get_context)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ModelsDep = Annotated[ModelRegistry, Depends(get_models)]


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def current_agent(
    request: Request,
    ctx: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Agent:
    """The account of the bearer token (integrations) or else of the session cookie (people
    at the counter; an unsafe method needs the session's ``X-CSRF-Token`` too)."""
    token = credentials.credentials if credentials and \
        credentials.scheme.lower() == "bearer" else None
    throttle: FailureThrottle = request.app.state.auth_throttle
    # Read from the request itself: parameters would add a 422 to every route's contract.
    session = request.cookies.get(SESSION_COOKIE)
    csrf = request.headers.get("X-CSRF-Token")
    if token is None and session:
        throttle.check(client_key(request))
        try:
            agent, _ = authenticate_session(ctx, session, csrf=csrf,
                                            unsafe=request.method not in SAFE_METHODS)
        except AuthenticationError:
            throttle.failed(client_key(request))
            raise
        return agent
    return authenticate(ctx, token, client=client_key(request), throttle=throttle)


ActorDep = Annotated[Agent, Depends(current_agent)]

IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=100, pattern=r"^[A-Za-z0-9._:-]{8,100}$",
    description="Send the same key again to get the stored answer of a request whose "
                "response was lost, without running the step twice.")]


def read_upload(upload: UploadFile, *, max_bytes: int, what: str) -> bytes:
    """The uploaded file's bytes, refused beyond ``max_bytes`` (the type is the step's
    business: it sniffs and decodes them itself)."""
    upload.file.seek(0)
    data = upload.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise MediaTooLargeError(f"{what} exceeds the {max_bytes}-byte limit")
    return data


__all__ = [
    "ActorDep",
    "ContextDep",
    "IdempotencyKey",
    "ModelsDep",
    "SAFE_METHODS",
    "SESSION_COOKIE",
    "SettingsDep",
    "client_key",
    "current_agent",
    "get_context",
    "get_models",
    "get_settings",
    "read_upload",
]
