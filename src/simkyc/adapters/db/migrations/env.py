"""Alembic environment: runs migrations on the URL set by :mod:`simkyc.adapters.db.migrate`."""

from __future__ import annotations

from alembic import context

from simkyc.adapters.db.engine import make_engine
from simkyc.adapters.db.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
