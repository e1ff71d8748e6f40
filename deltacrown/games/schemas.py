"""Game representations."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from deltacrown.core.api import BaseSchema
from deltacrown.games.idrules import ID_RULES
from deltacrown.games.models import ResultShape


class PlayerIdRuleSchema(ma.Schema):
    key = ma.fields.String()
    label = ma.fields.String()
    expected = ma.fields.String()
    example = ma.fields.String()


class GameSchema(BaseSchema):
    id = ma.fields.Integer(dump_only=True)
    slug = ma.fields.String()
    name = ma.fields.String()
    team_size = ma.fields.Integer()
    has_draws = ma.fields.Boolean()
    result_shape = ma.fields.Enum(ResultShape, by_value=True)
    player_id = ma.fields.Method("dump_rule", metadata={"description": "In-game id rule"})
    is_active = ma.fields.Boolean()
    description = ma.fields.String(allow_none=True)

    def dump_rule(self, game: Any) -> dict[str, str]:
        rule = ID_RULES[game.id_rule]
        return PlayerIdRuleSchema().dump(rule)


class GameQueryArgs(BaseSchema):
    result_shape = ma.fields.Enum(ResultShape, by_value=True)
    team_size = ma.fields.Integer(validate=ma.validate.Range(min=1, max=10))
