"""Game configurations: versioned JSON Schemas for each game's tournament `settings`.

Kept in one module (model, errors, reads, writes, API schemas) because the concept is small
and self-contained; the tournaments domain calls `validate_settings` and stores the version it
got back, so a later version never invalidates stored tournaments. Versions are immutable:
staff publish version n+1, nobody edits or deletes one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jsonschema
import marshmallow as ma
import sqlalchemy as sa
from jsonschema.exceptions import SchemaError
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deltacrown.core import audit
from deltacrown.core.api import BaseSchema
from deltacrown.core.db import UTCDateTime
from deltacrown.core.errors import NotFoundError, PermissionDeniedError, ValidationError
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model, db
from deltacrown.games.models import Game
from deltacrown.games.queries import get_game

# What a game without any version accepts: any object.
PERMISSIVE_SCHEMA: dict[str, Any] = {"type": "object"}
MAX_ERRORS = 20


class InvalidSchemaError(ValidationError):
    code, title = "invalid_schema", "Invalid JSON Schema"


class InvalidSettingsError(ValidationError):
    code, title = "invalid_settings", "Settings do not match the game's schema"


class GameConfigNotFoundError(NotFoundError):
    code, title = "game_config_not_found", "Game configuration version not found"


class GameConfig(Model):
    """One immutable version of a game's settings schema."""

    __tablename__ = "game_configs"
    __table_args__ = (sa.UniqueConstraint("game_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(
        sa.ForeignKey("games.id", ondelete="CASCADE"), nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # A type instance of its own (core.db.json_type): never a shared mutable one.
    schema: Mapped[dict[str, Any]] = mapped_column(
        sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    game: Mapped[Game] = relationship()

    def __str__(self) -> str:
        return f"{self.game} v{self.version}"

    def __repr__(self) -> str:
        return f"<GameConfig game={self.game_id} v{self.version}>"


# ----- reads ---------------------------------------------------------------------------------
def latest_config(game_id: int) -> GameConfig | None:
    return db.session.scalars(
        sa.select(GameConfig)
        .where(GameConfig.game_id == game_id)
        .order_by(GameConfig.version.desc())
        .limit(1)
    ).first()


def schema_for(game: Game, version: int | None = None) -> dict[str, Any]:
    """`{version, schema}`: the latest (version 0 and a permissive schema when none exists)
    or the given version (GameConfigNotFoundError when unknown)."""
    if version is None:
        config = latest_config(game.id)
        if config is None:
            return {"version": 0, "schema": dict(PERMISSIVE_SCHEMA)}
    elif version == 0:
        return {"version": 0, "schema": dict(PERMISSIVE_SCHEMA)}
    else:
        config = db.session.scalars(
            sa.select(GameConfig).where(
                GameConfig.game_id == game.id, GameConfig.version == version
            )
        ).first()
        if config is None:
            raise GameConfigNotFoundError(f"{game.slug} has no configuration version {version}.")
    return {"version": config.version, "schema": config.schema}


# ----- rules ---------------------------------------------------------------------------------
def check_schema(schema: Any) -> None:
    """InvalidSchemaError unless `schema` is a JSON Schema object its metaschema accepts."""
    if not isinstance(schema, dict):
        raise InvalidSchemaError(
            "The schema must be a JSON object.", errors={"schema": ["Must be an object."]}
        )
    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except SchemaError as exc:
        path = ".".join(str(p) for p in exc.path)
        message = f"{path}: {exc.message}" if path else exc.message
        raise InvalidSchemaError("Not a valid JSON Schema.", errors={"schema": [message]}) from exc


def settings_errors(schema: dict[str, Any], settings: Any) -> dict[str, list[str]]:
    """jsonschema's complaints about `settings`, keyed by dotted path (`settings.best_of`)."""
    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)
    errors: dict[str, list[str]] = {}
    for error in sorted(validator.iter_errors(settings), key=lambda e: list(map(str, e.path))):
        key = ".".join(["settings", *(str(p) for p in error.absolute_path)])
        errors.setdefault(key, []).append(error.message)
        if len(errors) >= MAX_ERRORS:
            break
    return errors


def validate_settings(game_id: int, settings: Any) -> int:
    """Check tournament `settings` against the game's latest schema; return its version
    (0 when the game has none). Raises InvalidSettingsError with the failing paths."""
    config = latest_config(game_id)
    schema = config.schema if config is not None else PERMISSIVE_SCHEMA
    if not isinstance(settings, dict):
        raise InvalidSettingsError(
            "Settings must be an object.", errors={"settings": ["Must be an object."]}
        )
    errors = settings_errors(schema, settings)
    if errors:
        version = config.version if config is not None else 0
        raise InvalidSettingsError(
            f"The settings do not match version {version} of the game's schema.",
            errors=errors,
            schema_version=version,
        )
    return config.version if config is not None else 0


# ----- writes --------------------------------------------------------------------------------
def create_config_version(game_ref: int | str, *, actor: Any, schema: Any) -> dict[str, Any]:
    """Staff publish version n+1 of a game's settings schema.

    Raises GameNotFoundError, PermissionDeniedError (not staff), InvalidSchemaError.
    """

    game = get_game(game_ref)
    if actor is None or not (actor.is_staff or actor.is_superuser):
        raise PermissionDeniedError("Only staff may change a game's configuration schema.")
    check_schema(schema)
    latest = latest_config(game.id)
    config = GameConfig(
        game_id=game.id,
        version=(latest.version if latest else 0) + 1,
        schema=schema,
        created_by_id=actor.id,
        created_at=utcnow(),
    )
    db.session.add(config)
    db.session.flush()
    audit.record(
        actor=actor, action="game_config.created", target=game, after={"version": config.version}
    )
    return {"version": config.version, "schema": config.schema}


# ----- API schemas ---------------------------------------------------------------------------
class GameConfigSchema(BaseSchema):
    version = ma.fields.Integer(metadata={"description": "0 when the game has no schema yet"})
    schema = ma.fields.Dict(metadata={"description": "A JSON Schema for tournament `settings`"})


class GameConfigQueryArgs(BaseSchema):
    version = ma.fields.Integer(
        validate=ma.validate.Range(min=0), metadata={"description": "A past version"}
    )


class GameConfigCreateArgs(BaseSchema):
    schema = ma.fields.Dict(
        required=True, metadata={"description": "The new JSON Schema (any draft jsonschema knows)"}
    )
