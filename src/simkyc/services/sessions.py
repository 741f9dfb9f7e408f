"""Sign-in for people: user name + password, browser sessions, CSRF, throttling.

Agents, supervisors and compliance officers sign in with a user name and a
password (hashed with argon2id, ``argon2-cffi``'s defaults: 64 MiB, 3
passes). A successful sign-in opens a *session*: a random cookie value shown
once, stored only as SHA-256. A session ends when the person signs out, after
``SessionRules.idle_timeout_s`` without a request, or ``max_age_s`` after it
began, whichever comes first.

Cross-site request forgery: the cookie is ``SameSite=Strict`` and every unsafe
request (POST, PUT, PATCH, DELETE) authenticated by it must carry the
session's CSRF token in the ``X-CSRF-Token`` header. The token is an HMAC of
the cookie value (nothing more is stored); another site can neither read it
nor the cookie, so it cannot forge the header.

Guessing is throttled twice: per user name in the database (``max_failures``
failures within ``failure_window_s`` refuse further tries for that name until
the oldest one leaves the window, across processes), and per client address
by the API's :class:`~simkyc.services.accounts.FailureThrottle`. Unknown user
names cost the same argon2 verification as known ones.

API tokens (:mod:`simkyc.services.accounts`) stay for integrations.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from simkyc.domain.access import Permission, require
from simkyc.domain.errors import (
    AuthenticationError,
    CsrfError,
    InputError,
    RateLimitedError,
)
from simkyc.domain.parties import Agent
from simkyc.services.accounts import FailureThrottle
from simkyc.services.context import ServiceContext
from simkyc.services.ports import WebSession

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")
_hasher = PasswordHasher()  # argon2id


@cache
def _dummy_hash() -> str:
    """Verified against when the user name is unknown, so both cost the same time."""
    return _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class SessionRules:
    """Time-outs (seconds), the per-name failure throttle and the password rule."""

    idle_timeout_s: int = 15 * 60
    max_age_s: int = 12 * 3600
    max_failures: int = 5
    failure_window_s: int = 15 * 60
    min_password_length: int = 10
    #: A request refreshes the session's last use at most this often (a write each time).
    touch_every_s: int = 15


DEFAULT_RULES = SessionRules()


@dataclass(frozen=True)
class SignedIn:
    """A new session: ``token`` (the cookie value) and ``csrf_token`` are shown once."""

    agent: Agent
    session: WebSession
    token: str
    csrf_token: str


def normalise_username(username: str) -> str:
    """The stored form of a user name: trimmed, case-folded; ``InputError`` if unusable."""
    name = username.strip().casefold()
    if not USERNAME.match(name):
        raise InputError("a user name is 2-100 characters: letters, digits, . _ @ -")
    return name


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session (HMAC-SHA256 of its cookie value, hex)."""
    return hmac.new(session_token.encode(), b"simkyc csrf v1", hashlib.sha256).hexdigest()


def set_password(ctx: ServiceContext, *, agent_id: str, username: str, password: str,
                 actor: Agent | None = None, rules: SessionRules = DEFAULT_RULES) -> str:
    """Give an account a user name and password (argon2id); returns the stored user name.

    ``actor`` is None only for the local CLI. The password is at least
    ``rules.min_password_length`` characters and not the user name.
    """
    if actor is not None:
        require(actor, Permission.MANAGE_ACCOUNTS, "set passwords")
    name = normalise_username(username)
    if len(password) < rules.min_password_length:
        raise InputError(f"a password has at least {rules.min_password_length} characters")
    if len(password) > 1024:
        raise InputError("a password has at most 1024 characters")
    if password.strip().casefold() == name:
        raise InputError("the password may not be the user name")
    hashed = _hasher.hash(password)
    now = ctx.clock()
    with ctx.uow() as tx:
        tx.sessions.set_password(agent_id=agent_id, username=name, password_hash=hashed,
                                 now=now)
        tx.audit.append(at=now, actor_id=actor.id if actor else None, action="password.set",
                        detail=f"{agent_id} as {name}")
    return name


def check_password(ctx: ServiceContext, *, username: str, password: str, client: str = "",
                   throttle: FailureThrottle | None = None,
                   rules: SessionRules = DEFAULT_RULES, purpose: str = "signin") -> Agent:
    """The active account whose user name and password these are.

    Raises :class:`RateLimitedError` while the name (or the client) failed too
    often recently, :class:`AuthenticationError` otherwise (audited as
    ``<purpose>.failed``). Used for signing in and for a supervisor signing an
    override or a lockout lift at an agent's counter.
    """
    key = client or "unknown"
    if throttle is not None:
        throttle.check(key)
    try:
        name = normalise_username(username)
    except InputError:
        name = username.strip().casefold()[:100]
    name_key = _sha(name)
    now = ctx.clock()
    with ctx.uow() as tx:
        recent = tx.sessions.failures_since(
            username_sha256=name_key, since=now - timedelta(seconds=rules.failure_window_s))
        if len(recent) >= rules.max_failures:
            tx.audit.append(at=now, actor_id=None, action=f"{purpose}.throttled",
                            detail=f"client={key[:64]}")
            retry = (recent[-rules.max_failures] + timedelta(seconds=rules.failure_window_s)
                     - now).total_seconds()
            throttled = max(1.0, retry)
        else:
            throttled = 0.0
        record = tx.sessions.password_for(username=name)
    if throttled:
        raise RateLimitedError("too many failed sign-ins for this user name; try again later",
                               retry_after_s=throttled)
    # argon2 runs outside any transaction (~0.1 s), so no lock is held meanwhile.
    ok = False
    try:
        ok = _hasher.verify(record.password_hash if record else _dummy_hash(), password[:1024])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    agent = None
    with ctx.uow() as tx:
        if ok and record is not None:
            agent = tx.accounts.get_agent(agent_id=record.agent_id)
            if not agent.active:
                agent = None
        if agent is None:
            tx.sessions.add_failure(username_sha256=name_key, at=now)
            tx.audit.append(at=now, actor_id=None, action=f"{purpose}.failed",
                            detail=f"client={key[:64]}")
        else:
            tx.sessions.clear_failures(username_sha256=name_key)
            if record is not None and _hasher.check_needs_rehash(record.password_hash):
                tx.sessions.set_password(agent_id=agent.id, username=name,
                                         password_hash=_hasher.hash(password), now=now)
    if agent is None:
        if throttle is not None:
            throttle.failed(key)
        raise AuthenticationError("unknown user name or wrong password")
    return agent


def sign_in(ctx: ServiceContext, *, username: str, password: str, client: str = "",
            throttle: FailureThrottle | None = None,
            rules: SessionRules = DEFAULT_RULES) -> SignedIn:
    """Check the password and open a session (audited as ``signin``)."""
    agent = check_password(ctx, username=username, password=password, client=client,
                           throttle=throttle, rules=rules)
    token = "ss_" + secrets.token_urlsafe(32)
    now = ctx.clock()
    session = WebSession(id=ctx.new_id(), agent_id=agent.id, created_at=now, last_seen_at=now,
                         expires_at=now + timedelta(seconds=rules.max_age_s), ended_at=None)
    with ctx.uow() as tx:
        tx.sessions.add_session(session_id=session.id, agent_id=agent.id,
                                token_sha256=_sha(token), now=now,
                                expires_at=session.expires_at)
        tx.audit.append(at=now, actor_id=agent.id, action="signin",
                        detail=f"session {session.id} client={(client or 'unknown')[:64]}")
    return SignedIn(agent=agent, session=session, token=token, csrf_token=csrf_token(token))


def _usable(s: WebSession | None, now: datetime, rules: SessionRules) -> str | None:
    """Why ``s`` cannot be used now (None: it can)."""
    if s is None:
        return "unknown session"
    if s.ended_at is not None:
        return "the session was ended"
    if s.expires_at <= now:
        return "the session is too old"
    if s.last_seen_at + timedelta(seconds=rules.idle_timeout_s) <= now:
        return "the session timed out after inactivity"
    return None


def authenticate_session(ctx: ServiceContext, token: str | None, *, csrf: str | None,
                         unsafe: bool, rules: SessionRules = DEFAULT_RULES
                         ) -> tuple[Agent, WebSession]:
    """The account of a live session cookie; refreshes its last use.

    ``unsafe``: the request changes something (not GET/HEAD/OPTIONS), so
    ``csrf`` must be the session's :func:`csrf_token`, else
    :class:`CsrfError` (403, audited). A missing, unknown, ended, idle or old
    session is :class:`AuthenticationError` (an idle one is ended, audited).
    """
    if not token or len(token) > 200:
        raise AuthenticationError("not signed in")
    now = ctx.clock()
    with ctx.uow() as tx:
        s = tx.sessions.session_for(token_sha256=_sha(token))
        why = _usable(s, now, rules)
        if why is not None:
            if s is not None and s.ended_at is None:
                tx.sessions.end(session_id=s.id, now=now)
                tx.audit.append(at=now, actor_id=s.agent_id, action="session.expire",
                                detail=f"{s.id}: {why}")
            agent = None
        else:
            assert s is not None
            agent = tx.accounts.get_agent(agent_id=s.agent_id)
            if unsafe and not (csrf and hmac.compare_digest(csrf, csrf_token(token))):
                tx.audit.append(at=now, actor_id=agent.id, action="csrf.failed",
                                detail=f"session {s.id}")
                csrf_failed = True
            else:
                csrf_failed = False
                if (now - s.last_seen_at).total_seconds() >= rules.touch_every_s:
                    tx.sessions.touch(session_id=s.id, now=now)
    if agent is None:
        raise AuthenticationError(f"{why}; sign in again")
    if not agent.active:
        raise AuthenticationError("the account is not active")
    if csrf_failed:
        raise CsrfError("missing or wrong X-CSRF-Token for a request authenticated by the "
                        "session cookie")
    assert s is not None
    return agent, s


def sign_out(ctx: ServiceContext, token: str | None) -> None:
    """End the session of this cookie (audited); an unknown one is ignored."""
    if not token or len(token) > 200:
        return
    now = ctx.clock()
    with ctx.uow() as tx:
        s = tx.sessions.session_for(token_sha256=_sha(token))
        if s is not None and s.ended_at is None:
            tx.sessions.end(session_id=s.id, now=now)
            tx.audit.append(at=now, actor_id=s.agent_id, action="signout", detail=s.id)


__all__ = [
    "DEFAULT_RULES",
    "SessionRules",
    "SignedIn",
    "authenticate_session",
    "check_password",
    "csrf_token",
    "normalise_username",
    "set_password",
    "sign_in",
    "sign_out",
]
