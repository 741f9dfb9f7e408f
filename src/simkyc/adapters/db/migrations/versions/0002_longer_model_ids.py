"""stage_results.model holds composite model ids (e.g. VAD + recogniser + mesh)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stage_results") as batch:
        batch.alter_column("model", type_=sa.String(length=400), existing_nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("stage_results") as batch:
        batch.alter_column("model", type_=sa.String(length=100), existing_nullable=True)
