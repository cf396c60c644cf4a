"""Persistence: SQLAlchemy 2 models, the engine and unit of work, Alembic migrations."""
