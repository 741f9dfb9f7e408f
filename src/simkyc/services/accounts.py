"""Accounts and API tokens: create, authenticate, list, revoke.

Tokens are shown once and stored only as SHA-256 hashes; each may expire.
Failed authentications are audited (never with the token) and throttled per
client: after ``MAX_FAILURES`` failures within ``FAILURE_WINDOW`` from one
client key, further attempts are refused for the rest of the window.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from simkyc.domain.access import Permission, require
from simkyc.domain.errors import AuthenticationError, InputError, RateLimitedError
from simkyc.domain.parties import Agent, Role
from simkyc.services.context import ServiceContext
from simkyc.services.ports import TokenInfo, UnitOfWork

#: Roles that work at an outlet (and need one).
OUTLET_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})
MAX_FAILURES = 10
FAILURE_WINDOW_S = 60.0


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A freshly issued token: ``token`` is shown once."""

    agent: Agent
    token: str
    info: TokenInfo


def create_account(ctx: ServiceContext, *, name: str, role: Role, outlet_name: str | None,
                   operator_name: str = "default", actor: Agent | None = None,
                   token_days: int | None = None) -> NewToken:
    """Create an account and its first API token.

    ``actor`` is None only for the local CLI (trusted: it can read the database
    anyway). An outlet name that exists under another operator is refused.
    """
    if actor is not None:
        require(actor, Permission.MANAGE_ACCOUNTS, "create accounts")
    name = check_account_fields(name=name, role=role, outlet_name=outlet_name)
    now = ctx.clock()
    with ctx.uow() as tx:
        outlet_id = None
        if outlet_name:
            outlet_id = tx.accounts.get_or_create_outlet(
                outlet_name=outlet_name, operator_name=operator_name, new_id=ctx.new_id()).id
        agent = tx.accounts.add_agent(agent_id=ctx.new_id(), name=name, role=role,
                                      outlet_id=outlet_id, now=now)
        token, info = _issue(ctx, tx, agent, label="initial", now=now, days=token_days)
        tx.audit.append(at=now, actor_id=actor.id if actor else None, action="agent.create",
                        detail=f"{agent.id} {role.value}")
    return NewToken(agent=agent, token=token, info=info)


def check_account_fields(*, name: str, role: Role, outlet_name: str | None) -> str:
    """The account's name, stripped; :class:`InputError` if it is empty or the outlet
    does not fit the role (checked before anything is opened or created)."""
    name = name.strip()
    if not name:
        raise InputError("an account needs a name")
    if role in OUTLET_ROLES and not outlet_name:
        raise InputError(f"an {role.value} needs an outlet")
    if role not in OUTLET_ROLES and outlet_name:
        raise InputError(f"a {role.value} account does not belong to an outlet")
    return name


def _issue(ctx: ServiceContext, tx: UnitOfWork, agent: Agent, *, label: str, now: datetime,
           days: int | None) -> tuple[str, TokenInfo]:
    token = "sk_" + secrets.token_urlsafe(32)
    token_id = ctx.new_id()
    expires = now + timedelta(days=days) if days else None
    tx.accounts.add_token(token_id=token_id, agent_id=agent.id, token_sha256=token_hash(token),
                          label=label, now=now, expires_at=expires)
    return token, TokenInfo(id=token_id, agent_id=agent.id, label=label, created_at=now,
                            expires_at=expires, revoked_at=None, last_used_at=None)


def issue_token(ctx: ServiceContext, *, agent_id: str, label: str = "",
                days: int | None = None, actor: Agent | None = None) -> NewToken:
    """A further token for an account (e.g. for an integration); shown once."""
    if actor is not None:
        require(actor, Permission.MANAGE_ACCOUNTS, "issue tokens")
    now = ctx.clock()
    with ctx.uow() as tx:
        agent = tx.accounts.get_agent(agent_id=agent_id)
        token, info = _issue(ctx, tx, agent, label=label[:100], now=now, days=days)
        tx.audit.append(at=now, actor_id=actor.id if actor else None, action="token.issue",
                        detail=f"{info.id} for {agent.id}")
    return NewToken(agent=agent, token=token, info=info)


def list_tokens(ctx: ServiceContext, *, agent_id: str | None = None,
                actor: Agent | None = None) -> list[TokenInfo]:
    if actor is not None:
        require(actor, Permission.MANAGE_ACCOUNTS, "list tokens")
    with ctx.uow() as tx:
        return tx.accounts.list_tokens(agent_id=agent_id)


def list_accounts(ctx: ServiceContext, *, actor: Agent | None = None) -> list[Agent]:
    if actor is not None:
        require(actor, Permission.MANAGE_ACCOUNTS, "list accounts")
    with ctx.uow() as tx:
        return tx.accounts.list_agents()


def revoke_token(ctx: ServiceContext, *, token_id: str, actor: Agent | None = None) -> TokenInfo:
    """Revoke a token at once (audited); the account and its other tokens stay."""
    if actor is not None:
        require(actor, Permission.MANAGE_ACCOUNTS, "revoke tokens")
    now = ctx.clock()
    with ctx.uow() as tx:
        info = tx.accounts.revoke_token(token_id=token_id, now=now)
        tx.audit.append(at=now, actor_id=actor.id if actor else None, action="token.revoke",
                        detail=info.id)
    return info


class FailureThrottle:
    """Failed attempts per client key in a sliding window (per process, thread-safe)."""

    def __init__(self, *, max_failures: int = MAX_FAILURES,
                 window_s: float = FAILURE_WINDOW_S) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}

    def _prune(self, key: str, now: float) -> deque[float]:
        q = self._seen.setdefault(key, deque())
        while q and q[0] <= now - self.window_s:
            q.popleft()
        return q

    def check(self, key: str) -> None:
        """Raise :class:`RateLimitedError` while ``key`` has too many recent failures."""
        now = time.monotonic()
        with self._lock:
            q = self._prune(key, now)
            if len(q) >= self.max_failures:
                raise RateLimitedError("too many failed attempts; try again later",
                                       retry_after_s=max(1.0, q[0] + self.window_s - now))

    def failed(self, key: str) -> None:
        with self._lock:
            self._prune(key, time.monotonic()).append(time.monotonic())


def authenticate(ctx: ServiceContext, token: str | None, *, client: str = "",
                 throttle: FailureThrottle | None = None) -> Agent:
    """The active account a valid, unexpired, unrevoked token belongs to.

    Raises :class:`AuthenticationError` (audited as ``auth.failed``) otherwise,
    and :class:`RateLimitedError` when ``client`` failed too often recently.
    """
    key = client or "unknown"
    if throttle is not None:
        throttle.check(key)
    now = ctx.clock()
    agent = None
    if token and len(token) <= 200:
        with ctx.uow() as tx:
            agent = tx.accounts.agent_for_token(token_sha256=token_hash(token), now=now)
    if agent is None:
        if throttle is not None:
            throttle.failed(key)
        with ctx.uow() as tx:
            tx.audit.append(at=now, actor_id=None, action="auth.failed",
                            detail=f"client={key[:64]} token={'given' if token else 'none'}")
        raise AuthenticationError("missing, invalid, expired or revoked token")
    return agent


__all__ = [
    "FailureThrottle",
    "NewToken",
    "authenticate",
    "check_account_fields",
    "create_account",
    "issue_token",
    "list_accounts",
    "list_tokens",
    "revoke_token",
    "token_hash",
]
