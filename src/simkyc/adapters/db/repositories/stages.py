"""Stage outcomes (scores stay here, server side)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import select

from simkyc.adapters.db.repositories._base import Repository
from simkyc.adapters.db.tables import StageResultRow
from simkyc.domain.results import StageOutcome


def json_safe(value: Any) -> Any:
    """Plain JSON for any dialect: NaN and infinities (which PostgreSQL refuses) become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return json_safe(value.item())
    return str(value)


class SqlStageResults(Repository):
    def add(self, *, registration_id: str, outcome: StageOutcome, now: datetime) -> None:
        self.session.add(StageResultRow(
            registration_id=registration_id, stage=outcome.stage, passed=outcome.passed,
            reasons=list(outcome.reasons), model=outcome.model,
            policy_version=outcome.policy_version, details=json_safe(outcome.details),
            created_at=now))
        self.session.flush()

    def list(self, *, registration_id: str) -> list[StageOutcome]:
        rows = self.session.scalars(select(StageResultRow)
                                    .where(StageResultRow.registration_id == registration_id)
                                    .order_by(StageResultRow.id))
        return [StageOutcome(stage=r.stage, passed=r.passed, reasons=tuple(r.reasons or ()),
                             model=r.model, policy_version=r.policy_version,
                             details=dict(r.details or {})) for r in rows]
