"""sign-in for people: passwords, browser sessions, failed sign-ins

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-02

- ``account_passwords``: an account's user name (unique) and argon2id hash.
- ``web_sessions``: browser sessions (the cookie stored only as SHA-256),
  with their last use (idle time-out) and when they were ended.
- ``sign_in_failures``: failed sign-ins per user name (keyed by its SHA-256),
  counted to throttle guessing across processes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_passwords",
        sa.Column("agent_id", sa.String(length=32), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"],
                                name=op.f("fk_account_passwords_agent_id_agents")),
        sa.PrimaryKeyConstraint("agent_id", name=op.f("pk_account_passwords")),
        sa.UniqueConstraint("username", name=op.f("uq_account_passwords_username")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"],
                                name=op.f("fk_web_sessions_agent_id_agents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_web_sessions_token_sha256")),
    )
    op.create_index(op.f("ix_web_sessions_agent_id"), "web_sessions", ["agent_id"])
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username_sha256", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index("ix_sign_in_failures_user_at", "sign_in_failures",
                    ["username_sha256", "at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failures_user_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    op.drop_index(op.f("ix_web_sessions_agent_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_table("account_passwords")
