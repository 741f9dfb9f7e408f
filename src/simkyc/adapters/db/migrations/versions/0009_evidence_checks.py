"""evidence checks: the latest decrypt-and-hash result of each evidence item

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-03

- ``evidence_checks``: one row per evidence item checked (``ok``, ``unreadable`` or
  ``destroyed``) and when, written by ``simkyc compliance check-evidence`` and the
  scheduled worker task; the compliance report reads it instead of decrypting every
  item again. No foreign key to ``evidence``: retention may remove an item, its last
  check stays as history of what was found.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_checks",
        sa.Column("evidence_id", sa.String(length=32), nullable=False),
        sa.Column("registration_id", sa.String(length=32), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("evidence_id", name=op.f("pk_evidence_checks")),
    )
    op.create_index(op.f("ix_evidence_checks_registration_id"), "evidence_checks",
                    ["registration_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_evidence_checks_registration_id"), table_name="evidence_checks")
    op.drop_table("evidence_checks")
