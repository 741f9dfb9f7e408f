"""Building the application context from settings: the one place a process wires itself.

:func:`build_context` opens the database (and, on the embedded SQLite
default, brings its schema up to date itself; any other database must be
migrated with ``simkyc db upgrade`` first, or the process refuses to start
with a one-line message), the evidence store and the keyring.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from simkyc.adapters.db.engine import make_engine, make_session_factory
from simkyc.adapters.db.uow import unit_of_work_factory
from simkyc.adapters.keyfile import load_keyring
from simkyc.config import Settings
from simkyc.domain.errors import ConfigurationError
from simkyc.domain.policy import DEFAULT_POLICY, DecisionPolicy
from simkyc.runtime.stores import make_store
from simkyc.services.context import MediaLimits, ServiceContext


@dataclass(frozen=True)
class Runtime:
    """A built context and the engine behind it (dispose it when the process ends)."""

    context: ServiceContext
    engine: Engine
    settings: Settings

    def close(self) -> None:
        self.engine.dispose()


def ensure_schema(settings: Settings) -> None:
    """SQLite: apply pending migrations. Other databases: refuse unless at the newest revision."""
    from simkyc.adapters.db.migrate import current, head, upgrade

    url = settings.resolved_database_url
    if settings.database_dialect == "sqlite":
        upgrade(url)
        return
    try:
        at = current(url)
    except Exception as exc:  # noqa: BLE001 - any driver error, reported in one line
        raise ConfigurationError(f"cannot reach the {settings.database_dialect} database: "
                                 f"{str(exc).splitlines()[0]}") from exc
    if at != head():
        raise ConfigurationError(
            f"the {settings.database_dialect} database is at revision {at or 'none'}, not "
            f"{head()}: run `simkyc db upgrade` first")


def limits_from(settings: Settings) -> MediaLimits:
    return MediaLimits(max_image_bytes=settings.max_image_bytes,
                       max_video_bytes=settings.max_video_bytes,
                       max_audio_bytes=settings.max_audio_bytes,
                       max_json_bytes=settings.max_json_bytes)


def build_runtime(settings: Settings, *, policy: DecisionPolicy = DEFAULT_POLICY,
                  migrate: bool = True) -> Runtime:
    """The context on the configured database, evidence folder and master key.

    Raises :class:`~simkyc.domain.errors.ConfigurationError` for an unusable key
    or a database that is not migrated.
    """
    keyring = load_keyring(settings)
    if policy is DEFAULT_POLICY and settings.policy_file is not None:
        from simkyc.adapters.policy_file import load_policy_file

        policy = load_policy_file(settings.policy_file)
    from simkyc.adapters.jose import SigningKeys

    signer = SigningKeys(settings.resolved_signing_keys_dir)
    if migrate:
        ensure_schema(settings)
    engine = make_engine(settings.resolved_database_url)
    context = ServiceContext(
        uow=unit_of_work_factory(make_session_factory(engine)),
        store=make_store(settings), keys=keyring, policy=policy,
        limits=limits_from(settings), dialect=engine.dialect.name, signer=signer)
    return Runtime(context=context, engine=engine, settings=settings)


__all__ = ["Runtime", "build_runtime", "ensure_schema", "limits_from"]
