"""FastAPI dependencies: the service, the signed-in agent, role checks, upload reading.

Typed aliases (``ServiceDep``, ``ActorDep``) keep route signatures short.
Stage routes get lazily loaded models from :func:`models` (loaded once per process).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, UploadFile, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from simkyc.config import Settings
from simkyc.domain.parties import Agent, Role
from simkyc.media.sniff import family, sniff_media_type
from simkyc.workflow import RegistrationService

_bearer = HTTPBearer(auto_error=False, description="An agent token from `simkyc agent create`.")


def get_service(request: Request) -> RegistrationService:
    return request.app.state.service  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


ServiceDep = Annotated[RegistrationService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def current_agent(
    service: ServiceDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Agent:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            detail="missing bearer token",
                            headers={"WWW-Authenticate": "Bearer"})
    agent = service.authenticate(credentials.credentials)
    if agent is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="invalid or revoked token",
                            headers={"WWW-Authenticate": "Bearer"})
    return agent


ActorDep = Annotated[Agent, Depends(current_agent)]


def require_roles(*roles: Role) -> Callable[[Agent], Agent]:
    """A dependency that lets only ``roles`` through (403 otherwise)."""

    def check(actor: ActorDep) -> Agent:
        if actor.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                detail=f"role {actor.role.value} may not do this")
        return actor

    return check


RegistrarDep = Annotated[Agent, Depends(require_roles(Role.AGENT, Role.SUPERVISOR))]


def read_upload_sync(upload: UploadFile, *, max_bytes: int,
                     families: tuple[str, ...]) -> tuple[bytes, str]:
    """Read an uploaded file within ``max_bytes``; check its real type by magic bytes.

    Returns ``(data, mime)``. 413 if too large, 415 if not of an accepted family,
    400 if empty. For plain ``def`` routes: FastAPI runs them in its thread pool,
    so seconds of OCR or video analysis do not block the event loop.
    """
    upload.file.seek(0)
    data = upload.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise HTTPException(413,
                            detail=f"file exceeds the {max_bytes}-byte limit")
    if not data:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, detail="empty file")
    mime = sniff_media_type(data)
    fam = family(mime)
    ok = fam in families or (mime == "video/webm" and "audio" in families)
    if not ok:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                            detail=f"expected {' or '.join(families)}; got "
                                   f"{mime or 'an unrecognised format'}")
    assert mime is not None
    return data, mime


def max_bytes_for(settings: Settings, fam: str) -> int:
    return {"image": settings.max_image_bytes, "video": settings.max_video_bytes,
            "audio": settings.max_audio_bytes}[fam]


class ModelCache:
    """Models loaded once per process on first use (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, Any] = {}

    def get(self, name: str, loader: Callable[[], Any]) -> Any:
        with self._lock:
            if name not in self._items:
                self._items[name] = loader()
            return self._items[name]


def models(request: Request) -> ModelCache:
    return request.app.state.models  # type: ignore[no-any-return]


ModelsDep = Annotated[ModelCache, Depends(models)]

__all__ = [
    "ActorDep",
    "ModelCache",
    "ModelsDep",
    "RegistrarDep",
    "ServiceDep",
    "SettingsDep",
    "current_agent",
    "get_service",
    "max_bytes_for",
    "read_upload_sync",
    "require_roles",
]
