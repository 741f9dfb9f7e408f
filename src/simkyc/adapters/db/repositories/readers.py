"""Enrolled card readers, and the signatures of the reader records already used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from simkyc.adapters.db.repositories._base import Repository, utc, utc_required
from simkyc.adapters.db.tables import OutletRow, ReaderDeviceRow, ReaderRecordUseRow
from simkyc.document.reader_signature import b64url, b64url_decode
from simkyc.domain.errors import ConflictError, NotFoundError
from simkyc.domain.parties import ReaderDevice


def _device(row: ReaderDeviceRow, outlet_name: str | None = None) -> ReaderDevice:
    return ReaderDevice(device_id=row.device_id, outlet_id=row.outlet_id,
                        public_key=b64url_decode(row.public_key),
                        enrolled_at=utc_required(row.enrolled_at), enrolled_by=row.enrolled_by,
                        revoked_at=utc(row.revoked_at), revoked_by=row.revoked_by,
                        outlet_name=outlet_name)


class SqlReaderDevices(Repository):
    def add(self, *, device: ReaderDevice) -> None:
        s = self.session
        if s.get(ReaderDeviceRow, device.device_id) is not None:
            raise ConflictError(f"reader {device.device_id} is already enrolled")
        key = b64url(device.public_key)
        if s.scalar(select(ReaderDeviceRow).where(ReaderDeviceRow.public_key == key)):
            raise ConflictError("this public key is already enrolled for another reader")
        s.add(ReaderDeviceRow(device_id=device.device_id, outlet_id=device.outlet_id,
                              public_key=key, enrolled_at=device.enrolled_at,
                              enrolled_by=device.enrolled_by))
        try:
            s.flush()
        except IntegrityError as exc:  # a concurrent enrolment of the same id or key
            raise ConflictError(f"reader {device.device_id} or its key is already "
                                "enrolled") from exc

    def get(self, *, device_id: str) -> ReaderDevice | None:
        row = self.session.get(ReaderDeviceRow, device_id)
        if row is None:
            return None
        outlet = self.session.get(OutletRow, row.outlet_id)
        return _device(row, outlet.name if outlet else None)

    def all(self) -> list[ReaderDevice]:
        rows = self.session.execute(
            select(ReaderDeviceRow, OutletRow.name)
            .join(OutletRow, OutletRow.id == ReaderDeviceRow.outlet_id)
            .order_by(ReaderDeviceRow.enrolled_at, ReaderDeviceRow.device_id))
        return [_device(row, name) for row, name in rows]

    def revoke(self, *, device_id: str, now: datetime, by: str | None) -> ReaderDevice:
        row = self.session.scalar(select(ReaderDeviceRow)
                                  .where(ReaderDeviceRow.device_id == device_id)
                                  .with_for_update())
        if row is None:
            raise NotFoundError(f"reader {device_id} not found")
        if row.revoked_at is None:
            row.revoked_at = now
            row.revoked_by = by
            self.session.flush()
        outlet = self.session.get(OutletRow, row.outlet_id)
        return _device(row, outlet.name if outlet else None)

    def used(self, *, signature_sha256: str) -> bool:
        return self.session.get(ReaderRecordUseRow, signature_sha256) is not None

    def use(self, *, signature_sha256: str, device_id: str, registration_id: str,
            now: datetime) -> bool:
        """Record the use; False when this signature was already used (nothing written)."""
        if self.used(signature_sha256=signature_sha256):
            return False
        try:
            with self.session.begin_nested():
                self.session.add(ReaderRecordUseRow(signature_sha256=signature_sha256,
                                                    device_id=device_id,
                                                    registration_id=registration_id,
                                                    used_at=now))
        except IntegrityError:  # a concurrent request used it first
            return False
        return True


__all__ = ["SqlReaderDevices"]
