"""Persistence with SQLAlchemy 2 (SQLite by default, PostgreSQL at scale) and Alembic."""
