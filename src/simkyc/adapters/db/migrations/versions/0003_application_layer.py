"""application layer: API tokens of their own, flow version, lockouts, idempotency, audit head

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

- ``api_tokens``: tokens that expire and can be revoked; each account's token
  moves there from ``agents.token_sha256`` (dropped).
- ``registrations.flow_version``: the flow definition a registration follows.
- ``verification_failures`` and ``lockouts``: the per-document lockout.
- ``idempotency_keys``: answers to requests sent with an ``Idempotency-Key``.
- ``audit_head``: the chain's last entry, so a cut tail is detected.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"],
                                name=op.f("fk_api_tokens_agent_id_agents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_tokens_token_sha256")),
    )
    op.create_index(op.f("ix_api_tokens_agent_id"), "api_tokens", ["agent_id"])
    # Each account's existing token becomes its first API token (same id as the account).
    op.execute("INSERT INTO api_tokens (id, agent_id, token_sha256, label, created_at) "
               "SELECT id, id, token_sha256, 'initial', created_at FROM agents")
    with op.batch_alter_table("agents") as batch:
        batch.drop_constraint("uq_agents_token_sha256", type_="unique")
        batch.drop_column("token_sha256")

    with op.batch_alter_table("registrations") as batch:
        batch.add_column(sa.Column("flow_version", sa.String(length=32), nullable=False,
                                   server_default=""))

    op.create_table(
        "verification_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject_id_hash", sa.String(length=64), nullable=False),
        sa.Column("registration_id", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_failures")),
    )
    op.create_index(op.f("ix_verification_failures_subject_id_hash"),
                    "verification_failures", ["subject_id_hash"])
    op.create_index(op.f("ix_verification_failures_registration_id"),
                    "verification_failures", ["registration_id"])
    op.create_index("ix_verification_failures_subject_at", "verification_failures",
                    ["subject_id_hash", "at"])
    op.create_table(
        "lockouts",
        sa.Column("subject_id_hash", sa.String(length=64), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("subject_id_hash", name=op.f("pk_lockouts")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("actor_id", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.execute("INSERT INTO audit_head (id, seq, entry_hash) SELECT 1, seq, entry_hash "
               "FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_table("idempotency_keys")
    op.drop_table("lockouts")
    op.drop_index("ix_verification_failures_subject_at", table_name="verification_failures")
    op.drop_table("verification_failures")
    with op.batch_alter_table("registrations") as batch:
        batch.drop_column("flow_version")
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("token_sha256", sa.String(length=64), nullable=True))
    op.execute("UPDATE agents SET token_sha256 = (SELECT token_sha256 FROM api_tokens "
               "WHERE api_tokens.agent_id = agents.id ORDER BY created_at LIMIT 1)")
    op.drop_table("api_tokens")
