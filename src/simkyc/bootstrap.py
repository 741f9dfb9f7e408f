"""Wiring from settings: the one place a running process builds its workflow service."""

from __future__ import annotations

from simkyc.adapters.db.engine import make_engine, make_session_factory
from simkyc.adapters.evidence_store import EvidenceStore
from simkyc.config import Settings
from simkyc.domain.policy import DEFAULT_POLICY, DecisionPolicy
from simkyc.workflow import RegistrationService


def build_service(settings: Settings, *,
                  policy: DecisionPolicy = DEFAULT_POLICY) -> RegistrationService:
    """The workflow service on the configured database, evidence folder and master key.

    Raises :class:`~simkyc.domain.errors.ConfigurationError` for an unusable master key.
    """
    engine = make_engine(settings.resolved_database_url)
    return RegistrationService(sessions=make_session_factory(engine),
                               store=EvidenceStore(settings.evidence_dir),
                               master_key=settings.master_key_bytes, policy=policy)


__all__ = ["build_service"]
