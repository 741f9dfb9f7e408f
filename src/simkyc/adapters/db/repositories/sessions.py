"""Passwords, browser sessions and failed sign-ins (sign-in for people)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from simkyc.adapters.db.repositories._base import Repository, utc, utc_required
from simkyc.adapters.db.tables import AgentRow, PasswordRow, SignInFailureRow, WebSessionRow
from simkyc.domain.errors import ConflictError, NotFoundError
from simkyc.services.ports import PasswordRecord, WebSession


def _session(row: WebSessionRow) -> WebSession:
    return WebSession(id=row.id, agent_id=row.agent_id, created_at=utc_required(row.created_at),
                      last_seen_at=utc_required(row.last_seen_at),
                      expires_at=utc_required(row.expires_at), ended_at=utc(row.ended_at))


class SqlSessions(Repository):
    def set_password(self, *, agent_id: str, username: str, password_hash: str,
                     now: datetime) -> None:
        s = self.session
        if s.get(AgentRow, agent_id) is None:
            raise NotFoundError(f"account {agent_id} not found")
        taken = s.scalar(select(PasswordRow).where(PasswordRow.username == username))
        if taken is not None and taken.agent_id != agent_id:
            raise ConflictError(f"the user name {username!r} is taken")
        row = s.get(PasswordRow, agent_id)
        if row is None:
            s.add(PasswordRow(agent_id=agent_id, username=username,
                              password_hash=password_hash, updated_at=now))
        else:
            row.username, row.password_hash, row.updated_at = username, password_hash, now
        s.flush()

    def password_for(self, *, username: str) -> PasswordRecord | None:
        row = self.session.scalar(select(PasswordRow).where(PasswordRow.username == username))
        if row is None:
            return None
        return PasswordRecord(agent_id=row.agent_id, username=row.username,
                              password_hash=row.password_hash)

    def add_failure(self, *, username_sha256: str, at: datetime) -> None:
        self.session.add(SignInFailureRow(username_sha256=username_sha256, at=at))
        self.session.flush()

    def failures_since(self, *, username_sha256: str, since: datetime) -> list[datetime]:
        rows = self.session.scalars(
            select(SignInFailureRow.at).where(SignInFailureRow.username_sha256 == username_sha256,
                                              SignInFailureRow.at > since)
            .order_by(SignInFailureRow.at))
        return [utc_required(r) for r in rows]

    def clear_failures(self, *, username_sha256: str) -> None:
        self.session.execute(delete(SignInFailureRow)
                             .where(SignInFailureRow.username_sha256 == username_sha256))

    def add_session(self, *, session_id: str, agent_id: str, token_sha256: str, now: datetime,
                    expires_at: datetime) -> None:
        self.session.add(WebSessionRow(id=session_id, agent_id=agent_id,
                                       token_sha256=token_sha256, created_at=now,
                                       last_seen_at=now, expires_at=expires_at))
        self.session.flush()

    def session_for(self, *, token_sha256: str) -> WebSession | None:
        row = self.session.scalar(select(WebSessionRow)
                                  .where(WebSessionRow.token_sha256 == token_sha256))
        return _session(row) if row is not None else None

    def touch(self, *, session_id: str, now: datetime) -> None:
        row = self.session.get(WebSessionRow, session_id)
        if row is not None:
            row.last_seen_at = now
            self.session.flush()

    def end(self, *, session_id: str, now: datetime) -> None:
        row = self.session.get(WebSessionRow, session_id)
        if row is not None and row.ended_at is None:
            row.ended_at = now
            self.session.flush()

    def count_open(self, *, agent_id: str, now: datetime) -> int:
        return int(self.session.scalar(
            select(func.count()).select_from(WebSessionRow)
            .where(WebSessionRow.agent_id == agent_id, WebSessionRow.ended_at.is_(None),
                   WebSessionRow.expires_at > now)) or 0)
