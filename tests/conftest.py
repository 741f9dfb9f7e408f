"""Shared fixtures: databases (SQLite and PostgreSQL), the workflow service, API clients.

PostgreSQL tests use a schema of their own per test session (``search_path``),
so they never disturb other users of the ``test`` database.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from simkyc.adapters.db.engine import make_engine, make_session_factory
from simkyc.adapters.db.migrate import upgrade
from simkyc.adapters.evidence_store import EvidenceStore
from simkyc.domain.parties import Agent, Role
from simkyc.domain.policy import DEFAULT_POLICY
from simkyc.workflow import RegistrationService

REPO = Path(__file__).resolve().parents[1]
FACES = (REPO / ".." / "shared" / "data" / "faces").resolve()
PG_BASE = os.environ.get("SIMKYC_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> bool:
    try:
        eng = make_engine(PG_BASE, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
        eng.dispose()
        return True
    except Exception:  # noqa: BLE001
        return False


@pytest.fixture(scope="session")
def faces_dir() -> Path:
    return FACES


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required in CI but is not reachable at 127.0.0.1:5432")
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432")
    schema = "t_" + secrets.token_hex(6)
    admin = make_engine(PG_BASE)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    yield url
    with admin.begin() as c:
        c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database, on SQLite and on PostgreSQL (each test runs on both)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'simkyc.db'}"
        upgrade(url)
        yield url
        return
    url = request.getfixturevalue("pg_url")
    upgrade(url)
    yield url
    eng = make_engine(url)
    with eng.begin() as c:  # empty the tables between tests, keep the schema
        c.execute(text("TRUNCATE audit_log, challenges, stage_results, evidence, data_keys, "
                       "registrations, agents, outlets, operators CASCADE"))
    eng.dispose()


@pytest.fixture
def make_service() -> Iterator[Callable[..., RegistrationService]]:
    """Factory: ``make_service(url, evidence_dir, **kwargs)``; engines are disposed afterwards."""
    engines = []

    def factory(url: str, evidence_dir: Path, **kwargs: Any) -> RegistrationService:
        engine = make_engine(url)
        engines.append(engine)
        kwargs.setdefault("master_key", secrets.token_bytes(32))
        return RegistrationService(sessions=make_session_factory(engine),
                                   store=EvidenceStore(evidence_dir), policy=DEFAULT_POLICY,
                                   **kwargs)

    yield factory
    for engine in engines:
        engine.dispose()


@pytest.fixture
def service(db_url: str, tmp_path: Path,
            make_service: Callable[..., RegistrationService]) -> RegistrationService:
    return make_service(db_url, tmp_path / "evidence")


#: The accounts every API and service test gets: (name, role, outlet).
ACCOUNTS = [
    ("agent", Role.AGENT, "Outlet A"),
    ("supervisor", Role.SUPERVISOR, "Outlet A"),
    ("other_agent", Role.AGENT, "Outlet B"),
    ("compliance", Role.COMPLIANCE, None),
    ("auditor", Role.AUDITOR, None),
    ("admin", Role.ADMIN, None),
]


def create_accounts(service: RegistrationService) -> dict[str, tuple[Agent, str]]:
    return {name: service.create_agent(name=name, role=role, outlet_name=outlet)
            for name, role, outlet in ACCOUNTS}


@pytest.fixture
def people(service: RegistrationService) -> dict[str, tuple[Agent, str]]:
    """One account per role (outlet A, plus an agent at outlet B): name -> (agent, token)."""
    return create_accounts(service)


@pytest.fixture
def api_settings(db_url: str, tmp_path: Path) -> Any:
    from simkyc.config import Settings

    return Settings(data_dir=tmp_path / "data", database_url=db_url,
                    max_image_bytes=2 * 1024 * 1024, max_video_bytes=8 * 1024 * 1024,
                    max_audio_bytes=4 * 1024 * 1024)


@pytest.fixture
def api(api_settings: Any) -> Iterator[Any]:
    """A TestClient on a fresh app, with ``api.tokens[role_name]`` and ``api.hdr(name)``.

    Accounts: agent, supervisor (Outlet A), other_agent (Outlet B), compliance, auditor, admin.
    """
    from fastapi.testclient import TestClient

    from simkyc.api.app import create_app

    app = create_app(api_settings)
    service = app.state.service
    tokens = {name: token for name, (_, token) in create_accounts(service).items()}
    with TestClient(app) as client:
        client.tokens = tokens  # type: ignore[attr-defined]
        client.hdr = lambda name: {"Authorization": f"Bearer {tokens[name]}"}  # type: ignore[attr-defined]
        client.service = service  # type: ignore[attr-defined]
        yield client
    app.state.engine.dispose()


@pytest.fixture
def new_registration(api: Any) -> Callable[..., str]:
    """``new_registration(who="agent", **body)`` → id of a fresh registration (consent given)."""

    def make(who: str = "agent", **body: Any) -> str:
        r = api.post("/api/v1/registrations", json={"consent": True, **body}, headers=api.hdr(who))
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    return make
