"""reader devices: enrolled card readers and the signed records already used

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

- ``reader_devices``: one row per enrolled card reader (device id, outlet, Ed25519
  public key as base64url of its 32 raw bytes, who enrolled it and when, revocation).
- ``reader_record_uses``: the SHA-256 of each signed reader record's signature once it
  was accepted (primary key: a second use is refused, also between concurrent requests).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reader_devices",
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("outlet_id", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enrolled_by", sa.String(length=32), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlets.id"],
                                name=op.f("fk_reader_devices_outlet_id_outlets")),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_reader_devices")),
        sa.UniqueConstraint("public_key", name=op.f("uq_reader_devices_public_key")),
    )
    op.create_index(op.f("ix_reader_devices_outlet_id"), "reader_devices", ["outlet_id"])
    op.create_table(
        "reader_record_uses",
        sa.Column("signature_sha256", sa.String(length=64), nullable=False),
        sa.Column("device_id", sa.String(length=64), nullable=False),
        sa.Column("registration_id", sa.String(length=32), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("signature_sha256", name=op.f("pk_reader_record_uses")),
    )
    op.create_index(op.f("ix_reader_record_uses_registration_id"), "reader_record_uses",
                    ["registration_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_reader_record_uses_registration_id"),
                  table_name="reader_record_uses")
    op.drop_table("reader_record_uses")
    op.drop_index(op.f("ix_reader_devices_outlet_id"), table_name="reader_devices")
    op.drop_table("reader_devices")
