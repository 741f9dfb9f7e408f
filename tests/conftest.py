"""Shared fixtures: databases (SQLite and PostgreSQL), the application context, API clients.

PostgreSQL tests use a schema of their own per test session (``search_path``),
so they never disturb other users of the ``test`` database.
"""

from __future__ import annotations

import os
import random
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from simkyc.adapters.crypto import MasterKeyring
from simkyc.adapters.db.engine import make_engine, make_session_factory
from simkyc.adapters.db.migrate import upgrade
from simkyc.adapters.db.tables import Base
from simkyc.adapters.db.uow import unit_of_work_factory
from simkyc.adapters.evidence_store import EvidenceStore
from simkyc.domain.parties import Agent, Role
from simkyc.services.accounts import create_account
from simkyc.services.context import ServiceContext

REPO = Path(__file__).resolve().parents[1]
# tests/support: helper modules any test may import (``import testkit``, ``reader_keys``)
sys.path.insert(0, str(REPO / "tests" / "support"))

from testkit import serving  # noqa: E402

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


def truncate_all(url: str) -> None:
    """Empty every table (PostgreSQL, between tests), keeping the schema."""
    eng = make_engine(url)
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with eng.begin() as c:
        c.execute(text(f"TRUNCATE {names} CASCADE"))
    eng.dispose()


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
    truncate_all(url)  # a module-scoped fixture (the celery tests) may have left rows
    yield url
    truncate_all(url)


#: Seeded challenge randomness: the generated media of the flow tests are cached by
#: the challenge they answer, so the same seeds give the same challenges every run.
SEEDS = {"liveness": 77, "voice": 78}


def seeded_rng(purpose: str) -> random.Random:
    return random.Random(SEEDS.get(purpose, 0))


@pytest.fixture
def make_context() -> Iterator[Callable[..., ServiceContext]]:
    """Factory: ``make_context(url, evidence_dir, master_key=..., **fields)``."""
    engines = []

    def factory(url: str, evidence_dir: Path, *, master_key: bytes | None = None,
                **fields: Any) -> ServiceContext:
        engine = make_engine(url)
        engines.append(engine)
        keys = MasterKeyring(master_key or secrets.token_bytes(32))
        return ServiceContext(uow=unit_of_work_factory(make_session_factory(engine)),
                              store=EvidenceStore(evidence_dir), keys=keys,
                              dialect=engine.dialect.name, **fields)

    yield factory
    for engine in engines:
        engine.dispose()


@pytest.fixture
def ctx(db_url: str, tmp_path: Path, make_context: Callable[..., ServiceContext]
        ) -> ServiceContext:
    return make_context(db_url, tmp_path / "evidence")


#: The accounts every API and service test gets: (name, role, outlet).
ACCOUNTS = [
    ("agent", Role.AGENT, "Outlet A"),
    ("supervisor", Role.SUPERVISOR, "Outlet A"),
    ("other_agent", Role.AGENT, "Outlet B"),
    ("compliance", Role.COMPLIANCE, None),
    ("auditor", Role.AUDITOR, None),
    ("admin", Role.ADMIN, None),
]


def create_accounts(ctx: ServiceContext) -> dict[str, tuple[Agent, str]]:
    """The accounts of :data:`ACCOUNTS`, and an enrolled test card reader at each outlet
    (``tests/support/reader_keys.py`` signs records as it)."""
    from reader_keys import enroll_test_readers

    out = {}
    for name, role, outlet in ACCOUNTS:
        new = create_account(ctx, name=name, role=role, outlet_name=outlet)
        out[name] = (new.agent, new.token)
    enroll_test_readers(ctx, sorted({o for _, _, o in ACCOUNTS if o}))
    return out


@pytest.fixture
def people(ctx: ServiceContext) -> dict[str, tuple[Agent, str]]:
    """One account per role (outlet A, plus an agent at outlet B): name -> (agent, token)."""
    return create_accounts(ctx)


@pytest.fixture
def api_settings(db_url: str, tmp_path: Path) -> Any:
    from simkyc.config import Settings

    return Settings(data_dir=tmp_path / "data", database_url=db_url,
                    max_image_bytes=2 * 1024 * 1024, max_video_bytes=8 * 1024 * 1024,
                    max_audio_bytes=4 * 1024 * 1024)



def _read_then_check(response: Any) -> None:
    response.read()
    check_envelope(response)


def check_envelope(response: Any) -> None:
    """Every 4xx and 5xx answers ``{"error": <code>, "detail": <text>}`` (and never more
    than a lockout's ``until``, a throttle's ``retry_after_s`` or a refused service's
    ``reasons`` and ``messages``)."""
    if response.status_code < 400:
        return
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str) \
        and isinstance(body.get("detail"), str), f"{response.status_code}: {response.text}"
    assert set(body) <= {"error", "detail", "until", "retry_after_s", "reasons",
                         "messages"}, body
    if "reasons" in body:
        assert body["error"] in ("service_invalid", "reader_record_refused"), body


@pytest.fixture
def api(api_settings: Any) -> Iterator[Any]:
    """A TestClient on a fresh app (seeded challenges), with ``api.ctx``,
    ``api.tokens[name]``, ``api.actor(name)`` and ``api.hdr(name)``.

    Accounts: agent, supervisor (Outlet A), other_agent (Outlet B), compliance, auditor, admin.
    """
    from fastapi.testclient import TestClient

    from simkyc.api.app import create_app

    app = create_app(api_settings)
    try:  # closed even when the set-up fails (no connection left for the GC to find)
        app.state.context = replace(app.state.context, rng=seeded_rng)
        people = create_accounts(app.state.context)
        tokens = {name: token for name, (_, token) in people.items()}
        with TestClient(app, raise_server_exceptions=False) as client:
            client.event_hooks = {"request": [], "response": [_read_then_check]}
            client.tokens = tokens  # type: ignore[attr-defined]
            client.hdr = lambda name: {"Authorization": f"Bearer {tokens[name]}"}  # type: ignore[attr-defined]
            client.actor = lambda name: people[name][0]  # type: ignore[attr-defined]
            client.ctx = app.state.context  # type: ignore[attr-defined]
            yield client
    finally:
        app.state.runtime.close()


@pytest.fixture
def new_registration(api: Any) -> Callable[..., str]:
    """``new_registration(who="agent", **body)`` → id of a fresh registration (consent given)."""

    def make(who: str = "agent", **body: Any) -> str:
        r = api.post("/api/v1/registrations", json={"consent": True, **body}, headers=api.hdr(who))
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    return make


def advance_step(ctx: ServiceContext, actor: Agent, registration_id: str, step: str, *,
                 passed: bool = True, reasons: tuple[str, ...] = (),
                 evidence: tuple[tuple[Any, str, bytes], ...] = (),
                 subject: str | None = None) -> Any:
    """Record ``step``'s outcome through the application layer's own recording (its
    precondition, evidence binding, status move and audit), without running its models:
    for tests of later steps. ``evidence``: ``(kind, mime, bytes)`` items."""
    from simkyc.domain.results import StageOutcome
    from simkyc.services.evidence import NewEvidence
    from simkyc.services.steps.common import record_step

    return record_step(ctx, actor=actor, registration_id=registration_id, step=step,
                       outcome=StageOutcome(stage=step, passed=passed, reasons=reasons),
                       evidence=[NewEvidence(k, m, d) for k, m, d in evidence],
                       subject=subject if passed else None,
                       failure_subject=None if passed else subject)


@pytest.fixture
def advance() -> Callable[..., Any]:
    """:func:`advance_step`."""
    return advance_step


@pytest.fixture
def live_server() -> Callable[[Any], AbstractContextManager[str]]:
    """:func:`testkit.serving`: ``with live_server(app) as base: ...`` (the browser
    tests' server)."""
    return serving
