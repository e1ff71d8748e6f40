"""Leaderboards' input and output schemas."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from deltacrown.core.api import BaseSchema
from deltacrown.core.pagination import CursorArgs

GAME_HELP = "The game's slug (`valorant`, `free-fire`, ...)."


class BoardArgs(BaseSchema):
    game = ma.fields.String(
        required=True, validate=ma.validate.Length(1, 40), metadata={"description": GAME_HELP}
    )
    scope = ma.fields.String(
        load_default="all_time",
        validate=ma.validate.OneOf(["all_time", "season"]),
        metadata={"description": "`all_time` (default) or `season`."},
    )
    season = ma.fields.Integer(
        metadata={"description": "With `scope=season`: the season's id (default: the current one)."}
    )
    kind = ma.fields.String(
        load_default="player",
        validate=ma.validate.OneOf(["player", "team"]),
        metadata={"description": "`player` (default) or `team` (team games)."},
    )
    by = ma.fields.String(
        load_default="points",
        validate=ma.validate.OneOf(["points", "rating"]),
        metadata={"description": "`points` (default) or `rating` (players' skill rating)."},
    )


class BoardPageArgs(BoardArgs, CursorArgs):
    pass


class RankArgs(BoardArgs):
    user = ma.fields.Integer(metadata={"description": "The player's user id (player boards)."})
    team = ma.fields.Integer(metadata={"description": "The team's id (team boards)."})
    around = ma.fields.Integer(
        load_default=2,
        validate=ma.validate.Range(min=0, max=10),
        metadata={"description": "How many entries to show on each side (default 2)."},
    )

    @ma.validates_schema
    def _one_subject(self, data: dict[str, Any], **kwargs: Any) -> None:
        teams = data.get("kind") == "team" and data.get("by") != "rating"
        wanted = "team" if teams else "user"
        if data.get(wanted) is None:
            raise ma.ValidationError(
                f"Required for {'team' if teams else 'player'} boards.", wanted
            )


class EntrySchema(BaseSchema):
    rank = ma.fields.Integer()
    id = ma.fields.Integer(metadata={"description": "The user's (or team's) id."})
    name = ma.fields.String(allow_none=True)
    points = ma.fields.Float(allow_none=True)
    wins = ma.fields.Integer(allow_none=True)
    matches_played = ma.fields.Integer(allow_none=True)
    ordinal = ma.fields.Float(
        allow_none=True, metadata={"description": "Rating boards: mu - 3 sigma."}
    )


class BoardSchema(BaseSchema):
    game = ma.fields.String()
    scope = ma.fields.String()
    season = ma.fields.Integer(allow_none=True)
    kind = ma.fields.String()
    by = ma.fields.String()
    total = ma.fields.Integer()
    items = ma.fields.List(ma.fields.Nested(EntrySchema))


class RankSchema(BaseSchema):
    game = ma.fields.String()
    scope = ma.fields.String()
    season = ma.fields.Integer(allow_none=True)
    kind = ma.fields.String()
    by = ma.fields.String()
    total = ma.fields.Integer()
    entry = ma.fields.Nested(
        EntrySchema, allow_none=True, metadata={"description": "None when not on the board."}
    )
    around = ma.fields.List(ma.fields.Nested(EntrySchema))


class PointsRowSchema(BaseSchema):
    id = ma.fields.Integer()
    game = ma.fields.String(attribute="game_slug")
    tournament_id = ma.fields.Integer()
    tournament = ma.fields.String(attribute="tournament_name", allow_none=True)
    season_id = ma.fields.Integer(allow_none=True)
    kind = ma.fields.String()
    subject_id = ma.fields.Integer()
    registration_id = ma.fields.Integer()
    placement = ma.fields.Integer()
    tier = ma.fields.String()
    placement_points = ma.fields.Float()
    kill_points = ma.fields.Float()
    points = ma.fields.Float()
    wins = ma.fields.Integer()
    matches_played = ma.fields.Integer()
    placed_at = ma.fields.DateTime()


class HistoryArgs(CursorArgs):
    game = ma.fields.String(validate=ma.validate.Length(1, 40), metadata={"description": GAME_HELP})


class RatingChangeSchema(BaseSchema):
    match_id = ma.fields.Integer()
    game_number = ma.fields.Integer(metadata={"description": "A lobby's game; 0 for a match."})
    mu_before = ma.fields.Float()
    sigma_before = ma.fields.Float()
    mu = ma.fields.Float(attribute="mu_after")
    sigma = ma.fields.Float(attribute="sigma_after")
    ordinal = ma.fields.Float(attribute="ordinal_after")
    created_at = ma.fields.DateTime()


class RatingSchema(BaseSchema):
    game = ma.fields.String()
    ordinal = ma.fields.Float()
    mu = ma.fields.Float()
    sigma = ma.fields.Float()
    matches = ma.fields.Integer()
    history = ma.fields.List(ma.fields.Nested(RatingChangeSchema))


class SideChanceSchema(BaseSchema):
    registration_id = ma.fields.Integer()
    win_probability = ma.fields.Float()


class PredictionSchema(BaseSchema):
    match_id = ma.fields.Integer()
    sides = ma.fields.List(ma.fields.Nested(SideChanceSchema))


class SeasonQueryArgs(BaseSchema):
    game = ma.fields.String(validate=ma.validate.Length(1, 40), metadata={"description": GAME_HELP})


class SeasonSchema(BaseSchema):
    id = ma.fields.Integer()
    game = ma.fields.String(attribute="game_slug")
    name = ma.fields.String()
    starts_at = ma.fields.DateTime()
    ends_at = ma.fields.DateTime()
    is_current = ma.fields.Boolean()


class SeasonCreateArgs(BaseSchema):
    game = ma.fields.String(
        required=True, validate=ma.validate.Length(1, 40), metadata={"description": GAME_HELP}
    )
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 100))
    starts_at = ma.fields.AwareDateTime(required=True)
    ends_at = ma.fields.AwareDateTime(required=True)


class SeasonUpdateArgs(BaseSchema):
    name = ma.fields.String(validate=ma.validate.Length(1, 100))
    starts_at = ma.fields.AwareDateTime()
    ends_at = ma.fields.AwareDateTime()


class BreakdownArgs(BaseSchema):
    user = ma.fields.Integer(required=True)
    game = ma.fields.String(
        required=True, validate=ma.validate.Length(1, 40), metadata={"description": GAME_HELP}
    )
    season = ma.fields.Integer()


class BreakdownSchema(BaseSchema):
    user = ma.fields.Integer()
    game = ma.fields.String()
    season = ma.fields.Integer(allow_none=True)
    rank = ma.fields.Integer(allow_none=True)
    total = ma.fields.Float()
    rows = ma.fields.List(ma.fields.Nested(PointsRowSchema))


class RecomputeArgs(BaseSchema):
    game = ma.fields.String(
        required=True, validate=ma.validate.Length(1, 40), metadata={"description": GAME_HELP}
    )
    season = ma.fields.Integer()


class JobSchema(BaseSchema):
    job_id = ma.fields.String()
    boards = ma.fields.Integer()


class OddsArgs(BaseSchema):
    seed = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=2**31 - 1),
        metadata={"description": "The simulation's RNG seed (the same seed, the same odds)."},
    )


class ChanceSchema(BaseSchema):
    registration_id = ma.fields.Integer()
    name = ma.fields.String(allow_none=True)
    probability = ma.fields.Float()


class OddsSchema(BaseSchema):
    tournament_id = ma.fields.Integer()
    runs = ma.fields.Integer()
    seed = ma.fields.Integer()
    participants = ma.fields.List(ma.fields.Nested(ChanceSchema))
