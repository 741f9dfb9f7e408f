"""Operators, outlets, accounts and their API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from simkyc.adapters.db.repositories._base import Repository, utc, utc_required
from simkyc.adapters.db.tables import AgentRow, OperatorRow, OutletRow, TokenRow
from simkyc.domain.errors import ConflictError, NotFoundError
from simkyc.domain.parties import Agent, Outlet, Role
from simkyc.services.ports import TokenInfo


def _agent(row: AgentRow) -> Agent:
    return Agent(id=row.id, name=row.name, role=Role(row.role), outlet_id=row.outlet_id,
                 active=row.active)


def _token(row: TokenRow) -> TokenInfo:
    return TokenInfo(id=row.id, agent_id=row.agent_id, label=row.label,
                     created_at=utc_required(row.created_at), expires_at=utc(row.expires_at),
                     revoked_at=utc(row.revoked_at), last_used_at=utc(row.last_used_at))


class SqlAccounts(Repository):
    def get_or_create_outlet(self, *, outlet_name: str, operator_name: str,
                             new_id: str) -> Outlet:
        s = self.session
        op = s.scalar(select(OperatorRow).where(OperatorRow.name == operator_name))
        row = s.scalar(select(OutletRow).where(OutletRow.name == outlet_name))
        if row is not None:
            if op is None or row.operator_id != op.id:
                raise ConflictError(f"outlet {outlet_name!r} belongs to another operator")
            return Outlet(id=row.id, operator_id=row.operator_id, name=row.name)
        if op is None:
            op = OperatorRow(id=new_id, name=operator_name)
            s.add(op)
            s.flush()
        row = OutletRow(id=new_id, operator_id=op.id, name=outlet_name)
        s.add(row)
        s.flush()
        return Outlet(id=row.id, operator_id=row.operator_id, name=row.name)

    def get_outlet(self, *, outlet_id: str) -> Outlet:
        row = self.session.get(OutletRow, outlet_id)
        if row is None:
            raise NotFoundError(f"outlet {outlet_id} not found")
        return Outlet(id=row.id, operator_id=row.operator_id, name=row.name)

    def find_outlet(self, *, name_or_id: str) -> Outlet | None:
        row = self.session.scalar(select(OutletRow).where(OutletRow.name == name_or_id)) \
            or self.session.get(OutletRow, name_or_id)
        return None if row is None else Outlet(id=row.id, operator_id=row.operator_id,
                                               name=row.name)

    def add_agent(self, *, agent_id: str, name: str, role: Role, outlet_id: str | None,
                  now: datetime) -> Agent:
        self.session.add(AgentRow(id=agent_id, name=name, role=role.value, outlet_id=outlet_id,
                                  active=True, created_at=now))
        self.session.flush()
        return Agent(id=agent_id, name=name, role=role, outlet_id=outlet_id)

    def get_agent(self, *, agent_id: str) -> Agent:
        row = self.session.get(AgentRow, agent_id)
        if row is None:
            raise NotFoundError(f"account {agent_id} not found")
        return _agent(row)

    def list_agents(self) -> list[Agent]:
        return [_agent(r) for r in self.session.scalars(select(AgentRow)
                                                        .order_by(AgentRow.created_at))]

    def set_active(self, *, agent_id: str, active: bool) -> None:
        row = self.session.get(AgentRow, agent_id)
        if row is None:
            raise NotFoundError(f"account {agent_id} not found")
        row.active = active
        self.session.flush()

    def add_token(self, *, token_id: str, agent_id: str, token_sha256: str, label: str,
                  now: datetime, expires_at: datetime | None) -> None:
        self.session.add(TokenRow(id=token_id, agent_id=agent_id, token_sha256=token_sha256,
                                  label=label, created_at=now, expires_at=expires_at))
        self.session.flush()

    def agent_for_token(self, *, token_sha256: str, now: datetime) -> Agent | None:
        tok = self.session.scalar(select(TokenRow).where(TokenRow.token_sha256 == token_sha256))
        if tok is None or tok.revoked_at is not None:
            return None
        expires = utc(tok.expires_at)
        if expires is not None and expires <= now:
            return None
        row = self.session.get(AgentRow, tok.agent_id)
        if row is None or not row.active:
            return None
        last = utc(tok.last_used_at)
        if last is None or (now - last).total_seconds() > 60:  # at most one write a minute
            tok.last_used_at = now
            self.session.flush()
        return _agent(row)

    def list_tokens(self, *, agent_id: str | None = None) -> list[TokenInfo]:
        stmt = select(TokenRow).order_by(TokenRow.created_at)
        if agent_id is not None:
            stmt = stmt.where(TokenRow.agent_id == agent_id)
        return [_token(r) for r in self.session.scalars(stmt)]

    def revoke_token(self, *, token_id: str, now: datetime) -> TokenInfo:
        row = self.session.get(TokenRow, token_id)
        if row is None:
            raise NotFoundError(f"token {token_id} not found")
        if row.revoked_at is None:
            row.revoked_at = now
            self.session.flush()
        return _token(row)
