"""What every repository shares: the session, and UTC for SQLite's naive datetimes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session


def utc(dt: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything simkyc stores is UTC."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


def utc_required(dt: datetime) -> datetime:
    out = utc(dt)
    assert out is not None
    return out
