"""The database: the `db` extension object (unbound; `create_app` binds it), `migrate`, the
declarative base with the naming convention, column types and model mixins.

Decisions (HOUSE_STYLE "Decisions already taken"): datetimes are stored and returned as aware
UTC values (`UTCDateTime`, because SQLite hands back naive ones); enums are stored by value as
plain strings (`enum_column`); JSON is JSONB on PostgreSQL (`JSONType`).
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.mutable import MutableDict, MutableList
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from deltacrown.core.time import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
if TYPE_CHECKING:
    Model = Base  # what type checkers see: the typed declarative base db.Model is built from
else:
    Model = db.Model
migrate = Migrate()


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend; naive input is refused."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use core.time.utcnow()")
        value = value.astimezone(UTC)
        # SQLite stores text; keep it naive-UTC there so string comparison stays ordered.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_type() -> Any:
    """JSON, stored as JSONB on PostgreSQL. A fresh instance per column: `as_mutable` binds its
    coercion to the type instance, so a shared one would mix dict and list columns."""
    return sa.JSON().with_variant(JSONB(), "postgresql")


# For plain (non-mutable) JSON columns.
JSONType = json_type()


def json_dict_column(**kwargs: Any) -> Any:
    """A mutable JSON object column (JSONB on PostgreSQL)."""
    kwargs.setdefault("default", dict)
    return mapped_column(MutableDict.as_mutable(json_type()), **kwargs)


def json_list_column(**kwargs: Any) -> Any:
    """A mutable JSON array column (JSONB on PostgreSQL)."""
    kwargs.setdefault("default", list)
    return mapped_column(MutableList.as_mutable(json_type()), **kwargs)


def enum_type(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """Store an enum by its value as a plain string with a CHECK-free VARCHAR."""
    return sa.Enum(
        enum_cls,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        create_constraint=False,
        length=length,
        validate_strings=True,
    )


class TimestampMixin:
    """`created_at` set on insert, `updated_at` on every update (callable defaults)."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


class VersionMixin:
    """Optimistic-concurrency counter; feeds weak ETags (`W/"<version>"`)."""

    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # SQLAlchemy increments it on every UPDATE and adds "WHERE version = :old", so two
        # writers racing on one row cannot both win (StaleDataError → 409 at the boundary).
        return {"version_id_col": cls.version}


class SoftDeleteMixin:
    """Rows are hidden, not removed: `deleted_at` set means deleted."""

    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def soft_delete(self) -> None:
        self.deleted_at = utcnow()

    def restore(self) -> None:
        self.deleted_at = None


def table_of(model: type[Any]) -> sa.Table:
    """A mapped class's Table, typed as one (for Core UPDATE ... WHERE statements)."""
    return model.__table__  # type: ignore[no-any-return]
