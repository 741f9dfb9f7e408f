"""records: active services, signed records, the delivery outbox, tombstones

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

- ``services``: a registered service held by an identity until it ends (ported
  out, cancelled); an active number or ICCID is unique per operator (partial
  unique indexes). Registrations already ``registered`` become active services.
- ``records``: the signed record (JWS) of a registration per delivery profile.
- ``outbox``: one row per record and sink, delivered by the delivery loop.
- ``tombstones``: what a purge or an erasure destroyed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "services",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("registration_id", sa.String(length=32), nullable=False),
        sa.Column("operator_id", sa.String(length=32), nullable=False),
        sa.Column("subject_id_hash", sa.String(length=64), nullable=False),
        sa.Column("service_kind", sa.String(length=20), nullable=False),
        sa.Column("service_id", sa.String(length=64), nullable=False),
        sa.Column("iccid", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["operator_id"], ["operators.id"],
                                name=op.f("fk_services_operator_id_operators")),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"],
                                name=op.f("fk_services_registration_id_registrations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_services_registration_id")),
    )
    op.create_index(op.f("ix_services_subject_id_hash"), "services", ["subject_id_hash"])
    op.create_index("uq_services_active_number", "services", ["operator_id", "service_id"],
                    unique=True, sqlite_where=sa.text("active"),
                    postgresql_where=sa.text("active"))
    op.create_index("uq_services_active_iccid", "services", ["operator_id", "iccid"],
                    unique=True, sqlite_where=sa.text("active AND iccid IS NOT NULL"),
                    postgresql_where=sa.text("active AND iccid IS NOT NULL"))
    # Registered services so far: active, one per registration (the newest of a number).
    op.execute(
        "INSERT INTO services (id, registration_id, operator_id, subject_id_hash, service_kind, "
        "service_id, iccid, active, started_at) "
        "SELECT r.id, r.id, r.operator_id, r.subject_id_hash, COALESCE(r.service_kind, 'mobile'), "
        "r.service_id, NULL, true, r.updated_at FROM registrations r "
        "WHERE r.status = 'registered' AND r.subject_id_hash IS NOT NULL "
        "AND r.service_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM registrations n "
        "WHERE n.status = 'registered' AND n.operator_id = r.operator_id "
        "AND n.service_id = r.service_id AND n.updated_at > r.updated_at)")

    op.create_table(
        "records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("registration_id", sa.String(length=32), nullable=False),
        sa.Column("profile", sa.String(length=64), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("policy_sha256", sa.String(length=64), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("jws", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"],
                                name=op.f("fk_records_registration_id_registrations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_records")),
    )
    op.create_index(op.f("ix_records_registration_id"), "records", ["registration_id"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=32), nullable=False),
        sa.Column("sink", sa.String(length=64), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"],
                                name=op.f("fk_outbox_record_id_records")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    op.create_index(op.f("ix_outbox_record_id"), "outbox", ["record_id"])
    op.create_index(op.f("ix_outbox_status"), "outbox", ["status"])
    op.create_index(op.f("ix_outbox_next_attempt_at"), "outbox", ["next_attempt_at"])
    op.create_index("uq_outbox_record_sink", "outbox", ["record_id", "sink"], unique=True)

    op.create_table(
        "tombstones",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("registration_id", sa.String(length=32), nullable=False),
        sa.Column("item_kind", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tombstones")),
    )
    op.create_index(op.f("ix_tombstones_registration_id"), "tombstones", ["registration_id"])


def downgrade() -> None:
    op.drop_table("tombstones")
    op.drop_index("uq_outbox_record_sink", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("records")
    op.drop_index("uq_services_active_iccid", table_name="services")
    op.drop_index("uq_services_active_number", table_name="services")
    op.drop_table("services")
