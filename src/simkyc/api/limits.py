"""Request-body limits enforced while the body streams in (before any parsing).

A JSON body may be at most ``max_json_bytes``; any other body (multipart
uploads) at most ``max_bytes``. A request beyond its limit gets ``413`` with
the error envelope and is never handed to a route, so nothing is stored.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int, max_json_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_json_bytes = max_json_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        multipart = _header(scope, b"content-type").startswith(b"multipart/")
        limit = self.max_bytes if multipart else self.max_json_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _reject(send, limit)
            return
        seen = 0
        started = False
        refused = False

        async def limited_receive() -> Message:
            # Beyond the limit the 413 is sent here and the app is told the client left:
            # an exception raised through the app would be caught by its body parser
            # (FastAPI answers 400) instead of reaching this middleware.
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    if not started:
                        await _reject(send, limit)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 was the answer; whatever the app says after it is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, tracking_send)


class SecurityHeadersMiddleware:
    """Headers on every response: no framing, no sniffing, a strict content policy."""

    HEADERS = [
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"content-security-policy",
         b"default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: data:; "
         b"connect-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; "
         b"frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
        (b"permissions-policy", b"camera=(self), microphone=(self), geolocation=()"),
    ]

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope.get("path", "") in ("/docs", "/redoc")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.HEADERS if k not in present
                         and not (docs and k == b"content-security-policy")]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).lower()
    return b""


def _content_length(scope: Scope) -> int | None:
    raw = _header(scope, b"content-length")
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


async def _reject(send: Send, limit: int) -> None:
    body: dict[str, Any] = {"error": "payload_too_large",
                            "detail": f"request body exceeds the {limit}-byte limit"}
    raw = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(raw)).encode())]})
    await send({"type": "http.response.body", "body": raw})
