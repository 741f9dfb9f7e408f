"""compliance: outlet hours and rates, findings, spot checks, the append-only penalties ledger

Revision ID: 0008
Revises: 0003
Create Date: 2026-12-02

- ``outlet_hours``, ``outlet_compliance``: opening hours (local minutes), an outlet's own
  spot-check rate and UTC offset.
- ``compliance_findings`` (+ ``compliance_finding_outlets``): abnormal patterns found.
- ``spot_checks``: the review queue and its outcomes.
- ``penalty_ledger``: append-only; triggers refuse UPDATE and DELETE on SQLite and
  PostgreSQL (a correction is a reversal entry).
- indexes the report's aggregations read by.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "outlet_hours",
        sa.Column("outlet_id", sa.String(length=32), nullable=False),
        sa.Column("weekday", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("opens_minute", sa.Integer(), nullable=False),
        sa.Column("closes_minute", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlets.id"],
                                name=op.f("fk_outlet_hours_outlet_id_outlets")),
        sa.PrimaryKeyConstraint("outlet_id", "weekday", name=op.f("pk_outlet_hours")),
    )
    op.create_table(
        "outlet_compliance",
        sa.Column("outlet_id", sa.String(length=32), nullable=False),
        sa.Column("spot_check_rate", sa.Float(), nullable=True),
        sa.Column("utc_offset_minutes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlets.id"],
                                name=op.f("fk_outlet_compliance_outlet_id_outlets")),
        sa.PrimaryKeyConstraint("outlet_id", name=op.f("pk_outlet_compliance")),
    )
    op.create_table(
        "compliance_findings",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("pattern", sa.String(length=40), nullable=False),
        sa.Column("subject_kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("outlet_ids", sa.JSON(), nullable=False),
        sa.Column("agent_ids", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("first_at", TZ, nullable=False),
        sa.Column("last_at", TZ, nullable=False),
        sa.Column("detected_at", TZ, nullable=False),
        sa.Column("detected_by", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_findings")),
    )
    op.create_index(op.f("ix_compliance_findings_last_at"), "compliance_findings", ["last_at"])
    op.create_table(
        "compliance_finding_outlets",
        sa.Column("finding_id", sa.String(length=32), nullable=False),
        sa.Column("outlet_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["compliance_findings.id"],
            name=op.f("fk_compliance_finding_outlets_finding_id_compliance_findings")),
        sa.PrimaryKeyConstraint("finding_id", "outlet_id",
                                name=op.f("pk_compliance_finding_outlets")),
    )
    op.create_index(op.f("ix_compliance_finding_outlets_outlet_id"),
                    "compliance_finding_outlets", ["outlet_id"])
    op.create_table(
        "spot_checks",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("registration_id", sa.String(length=32), nullable=False),
        sa.Column("outlet_id", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=False),
        sa.Column("sample_rate", sa.Float(), nullable=False),
        sa.Column("queued_at", TZ, nullable=False),
        sa.Column("queued_by", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewer_id", sa.String(length=32), nullable=True),
        sa.Column("reviewed_at", TZ, nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("defect_category", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registrations.id"],
                                name=op.f("fk_spot_checks_registration_id_registrations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_spot_checks")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_spot_checks_registration_id")),
    )
    op.create_index(op.f("ix_spot_checks_outlet_id"), "spot_checks", ["outlet_id"])
    op.create_index(op.f("ix_spot_checks_status"), "spot_checks", ["status"])
    op.create_table(
        "penalty_ledger",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("target_kind", sa.String(length=8), nullable=False),
        sa.Column("target_id", sa.String(length=32), nullable=False),
        sa.Column("outlet_id", sa.String(length=32), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("suspended_from", sa.Date(), nullable=True),
        sa.Column("suspended_to", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("reverses", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_penalty_ledger")),
        sa.UniqueConstraint("id", name=op.f("uq_penalty_ledger_id")),
        sa.UniqueConstraint("reverses", name=op.f("uq_penalty_ledger_reverses")),
    )
    op.create_index(op.f("ix_penalty_ledger_outlet_id"), "penalty_ledger", ["outlet_id"])
    op.create_index("ix_registrations_agent_created", "registrations",
                    ["agent_id", "created_at"])
    op.create_index("ix_registrations_subject_created", "registrations",
                    ["subject_id_hash", "created_at"])
    op.create_index("ix_evidence_registration_kind", "evidence", ["registration_id", "kind"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION penalty_ledger_append_only() RETURNS trigger "
                   "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
                   "'penalty_ledger is append-only: % refused', TG_OP; END $$")
        op.execute("CREATE TRIGGER penalty_ledger_no_change BEFORE UPDATE OR DELETE "
                   "ON penalty_ledger FOR EACH ROW EXECUTE FUNCTION "
                   "penalty_ledger_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER penalty_ledger_no_{verb.lower()} BEFORE {verb} "
                       f"ON penalty_ledger BEGIN SELECT RAISE(ABORT, "
                       f"'penalty_ledger is append-only: {verb} refused'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER penalty_ledger_no_change ON penalty_ledger")
        op.execute("DROP FUNCTION penalty_ledger_append_only()")
    else:
        op.execute("DROP TRIGGER penalty_ledger_no_update")
        op.execute("DROP TRIGGER penalty_ledger_no_delete")
    op.drop_index("ix_evidence_registration_kind", table_name="evidence")
    op.drop_index("ix_registrations_subject_created", table_name="registrations")
    op.drop_index("ix_registrations_agent_created", table_name="registrations")
    op.drop_table("penalty_ledger")
    op.drop_table("spot_checks")
    op.drop_table("compliance_finding_outlets")
    op.drop_table("compliance_findings")
    op.drop_table("outlet_compliance")
    op.drop_table("outlet_hours")
