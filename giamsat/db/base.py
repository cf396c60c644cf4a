"""The declarative base of the models: naming convention, aware datetimes, cascading foreign keys."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    MetaData,
    Table,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class AwareDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as naive UTC, identical on SQLite and PostgreSQL."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to an AwareDateTime column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    __table__: ClassVar[Table]  # every model maps one table (typed as FromClause by SQLAlchemy)
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: AwareDateTime, dict[str, Any]: JSON, list[Any]: JSON}


def fk(target: str, nullable: bool = False) -> Mapped[Any]:
    """A cascading, indexed foreign key to ``target`` (``table.column``)."""
    return mapped_column(ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=True)
