"""Stored answers to requests sent with an ``Idempotency-Key``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from simkyc.adapters.db.repositories._base import Repository
from simkyc.adapters.db.tables import IdempotencyRow


class SqlIdempotency(Repository):
    def get(self, *, actor_id: str, key: str) -> tuple[str, dict[str, Any]] | None:
        row = self.session.get(IdempotencyRow, (actor_id, key))
        return None if row is None else (row.request_sha256, dict(row.response or {}))

    def put(self, *, actor_id: str, key: str, request_sha256: str, response: dict[str, Any],
            now: datetime) -> None:
        self.session.add(IdempotencyRow(actor_id=actor_id, key=key,
                                        request_sha256=request_sha256, response=response,
                                        created_at=now))
        self.session.flush()
