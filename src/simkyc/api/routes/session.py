"""Sign-in for people: ``POST /api/v1/session`` (sign in), ``GET`` (who), ``DELETE`` (sign out).

The session lives in an HttpOnly, SameSite=Strict cookie (``Secure`` in
production or over HTTPS); the page sends the session's CSRF token, returned
here, as ``X-CSRF-Token`` on every unsafe request. See
:mod:`simkyc.services.sessions`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from simkyc.api.deps import SESSION_COOKIE, ContextDep, SettingsDep, client_key
from simkyc.api.errors import error_responses
from simkyc.api.schemas import Strict, Text
from simkyc.domain.errors import AuthenticationError
from simkyc.services import sessions

router = APIRouter(prefix="/api/v1", tags=["session"])


class SignInRequest(Strict):
    username: Annotated[Text, Field(min_length=1, max_length=100)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]


class SessionOut(BaseModel):
    agent_id: str
    name: str
    role: str
    outlet_id: str | None
    csrf_token: str = Field(description="Send as X-CSRF-Token on every unsafe request.")
    idle_timeout_s: int
    expires_at: datetime


def _body(agent: Any, s: Any, csrf: str) -> dict[str, Any]:
    return {"agent_id": agent.id, "name": agent.name, "role": agent.role.value,
            "outlet_id": agent.outlet_id, "csrf_token": csrf,
            "idle_timeout_s": sessions.DEFAULT_RULES.idle_timeout_s, "expires_at": s.expires_at}


@router.post("/session", response_model=SessionOut, operation_id="sign_in",
             responses=error_responses(400, 401, 422, 429))
def sign_in(body: SignInRequest, request: Request, response: Response, ctx: ContextDep,
            settings: SettingsDep) -> dict[str, Any]:
    """Sign in with user name and password; sets the session cookie."""
    new = sessions.sign_in(ctx, username=body.username, password=body.password,
                           client=client_key(request), throttle=request.app.state.auth_throttle)
    response.set_cookie(SESSION_COOKIE, new.token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https"
                        or settings.environment == "production",
                        max_age=sessions.DEFAULT_RULES.max_age_s, path="/")
    response.headers["Cache-Control"] = "no-store"
    return _body(new.agent, new.session, new.csrf_token)


@router.get("/session", response_model=SessionOut, operation_id="read_session",
            responses=error_responses(401, 429))
def read_session(request: Request, response: Response, ctx: ContextDep) -> dict[str, Any]:
    """Who is signed in with this cookie, and the session's CSRF token (after a reload)."""
    session = request.cookies.get(SESSION_COOKIE)
    if not session:
        raise AuthenticationError("not signed in")
    agent, s = sessions.authenticate_session(ctx, session, csrf=None, unsafe=False)
    response.headers["Cache-Control"] = "no-store"
    return _body(agent, s, sessions.csrf_token(session))


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               operation_id="sign_out", responses=error_responses(401, 403, 429))
def sign_out(request: Request, ctx: ContextDep) -> Response:
    """Sign out: the session ends at once and the cookie is cleared (needs X-CSRF-Token)."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        sessions.authenticate_session(ctx, session, csrf=request.headers.get("X-CSRF-Token"),
                                      unsafe=True)
        sessions.sign_out(ctx, session)
    out = Response(status_code=status.HTTP_204_NO_CONTENT)
    out.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return out


__all__ = ["router"]
