"""Bracket representations: `*Schema` out, `*Args` in (shape only; rules live in services).

The bracket is one document a client can draw from:
`{"stages": [{"id", "type", "rounds": [{"number", "name", "side", "matches": [{"id", "number",
"status", "best_of", "participants": [{"registration_id", "name", "seed", "score", "result"}],
"next_match_winner_id", "next_match_loser_id"}]}]}]}`, plus a few fields that help drawing
(each match's `code`, per-game `scores`, `winner_registration_id`). A participant's `score` is
the points of the only game when one game was played, else the games won; `result` is `win`,
`loss` or `draw` once the match has a result.
"""

from __future__ import annotations

import marshmallow as ma

from deltacrown.brackets.engine import Side
from deltacrown.brackets.models import SeedingMethod, StageStatus
from deltacrown.core.api import BaseSchema
from deltacrown.core.i18n import Label
from deltacrown.matches.models import MATCH_STATUS_LABELS, MatchStatus

SIDES = [side.value for side in Side]


def _aware(**kwargs: object) -> ma.fields.AwareDateTime:
    return ma.fields.AwareDateTime(format="iso", **kwargs)  # type: ignore[arg-type]


# ----- inputs ----------------------------------------------------------------------------------
class BracketOptionsArgs(BaseSchema):
    """Options by format; an option the tournament's format does not use is a 422."""

    best_of = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=15),
        metadata={"description": "Games per match (odd in elimination formats). Default: the "
                  "tournament settings' `best_of`, else 1."},
    )  # fmt: skip
    third_place_match = ma.fields.Boolean(
        metadata={"description": "Single elimination: a match between the semi-final losers."}
    )
    grand_final = ma.fields.String(
        validate=ma.validate.OneOf(["none", "single", "double"]),
        metadata={"description": "Double elimination: `double` (default) adds the bracket "
                  "reset, played only if the losers'-bracket finalist wins the first."},
    )  # fmt: skip
    group_size = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=2))
    double_round_robin = ma.fields.Boolean()
    swiss_rounds = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=1))
    swiss_wins_to_advance = ma.fields.Integer(allow_none=True, validate=ma.validate.Range(min=1))
    group_format = ma.fields.String(validate=ma.validate.OneOf(["round_robin", "swiss"]))
    lobby_size = ma.fields.Integer(validate=ma.validate.Range(min=2))
    games = ma.fields.Integer(validate=ma.validate.Range(min=1))
    advance_per_group = ma.fields.Integer(
        allow_none=True,
        validate=ma.validate.Range(min=0),
        metadata={"description": "Group stage: how many of each group reach the playoffs; "
                  "battle royale: how many of each lobby advance."},
    )  # fmt: skip
    playoff_format = ma.fields.String(
        validate=ma.validate.OneOf(["single_elimination", "double_elimination"])
    )


class BracketGenerateArgs(BaseSchema):
    seeding = ma.fields.Enum(
        SeedingMethod,
        by_value=True,
        load_default=SeedingMethod.REGISTRATION_ORDER,
        metadata={"description": "`registration_order`, `random` (the RNG seed is stored), "
                  "`manual` (then `seeds`) or `rating` (best skill rating in the game first; a "
                  "team by its players' mean rating; unrated entries last, in sign-up order)."},
    )  # fmt: skip
    seeds = ma.fields.List(
        ma.fields.Integer(strict=True),
        validate=ma.validate.Length(max=4096),
        metadata={"description": "Manual seeding: every participant's registration id once, "
                  "best first."},
    )  # fmt: skip
    rng_seed = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(min=0, max=2**53 - 1),
        metadata={"description": "Random seeding: replay a draw (default: a fresh seed)."},
    )
    options = ma.fields.Nested(BracketOptionsArgs, load_default=dict)


class ViewArgs(BaseSchema):
    invite_code = ma.fields.String(
        validate=ma.validate.Length(max=32),
        metadata={"description": "Lets a non-organizer see a private tournament"},
    )


class BracketPictureArgs(ViewArgs):
    stage = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "Stage id (default: the latest stage that has started)"},
    )
    theme = ma.fields.String(
        load_default="light",
        validate=ma.validate.OneOf(["light", "dark"]),
        metadata={"description": "Colours for light or dark pages"},
    )
    width = ma.fields.Integer(
        validate=ma.validate.Range(min=320, max=4096),
        metadata={"description": "Width in pixels; the height follows (default: natural size)"},
    )


class MatchQueryArgs(ViewArgs):
    stage = ma.fields.Integer(metadata={"description": "Stage id"})
    round = ma.fields.Integer(
        validate=ma.validate.Range(min=1), metadata={"description": "Round number (per side)"}
    )
    side = ma.fields.String(validate=ma.validate.OneOf(SIDES))
    status = ma.fields.Enum(MatchStatus, by_value=True)
    registration = ma.fields.Integer(
        metadata={"description": "Matches in which this registration plays"}
    )


class StandingsQueryArgs(ViewArgs):
    stage = ma.fields.Integer(
        metadata={"description": "Stage id (default: the tournament's final placements)"}
    )


class LobbyResultArgs(BaseSchema):
    registration_id = ma.fields.Integer(required=True)
    placement = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))
    kills = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0))


class LobbyGameArgs(BaseSchema):
    results = ma.fields.List(
        ma.fields.Nested(LobbyResultArgs),
        required=True,
        validate=ma.validate.Length(min=1, max=200),
        metadata={"description": "Every lobby member once: placement (1 = last standing), kills"},
    )
    game = ma.fields.Integer(
        validate=ma.validate.Range(min=1),
        metadata={"description": "Replace this game (1-based) instead of adding the next"},
    )


class MatchResultArgs(BaseSchema):
    winner_registration_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The winner's registration id (null: a draw, where allowed)"},
    )
    scores = ma.fields.List(
        ma.fields.List(
            ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0)),
            validate=ma.validate.Length(equal=2),
        ),
        load_default=list,
        validate=ma.validate.Length(max=15),
        metadata={"description": "Per game, in slot order: `[[13, 9], [7, 13], [13, 11]]`"},
    )
    forfeit = ma.fields.Boolean(
        load_default=False, metadata={"description": "A walkover: the winner and no scores"}
    )


# ----- outputs ---------------------------------------------------------------------------------
class BracketParticipantSchema(BaseSchema):
    registration_id = ma.fields.Integer(allow_none=True)
    name = ma.fields.String(allow_none=True)
    seed = ma.fields.Integer(allow_none=True)
    score = ma.fields.Integer(allow_none=True)
    result = ma.fields.String(allow_none=True, metadata={"enum": ["win", "loss", "draw"]})


class BracketMatchSchema(BaseSchema):
    id = ma.fields.Integer()
    number = ma.fields.Integer()
    code = ma.fields.String(
        metadata={"description": "The match's code in its bracket: `W1.3`, `L2.1`, `GF1.1`"}
    )
    status = ma.fields.Enum(MatchStatus, by_value=True)
    status_label = Label(MATCH_STATUS_LABELS, attribute="status")
    best_of = ma.fields.Integer()
    participants = ma.fields.List(ma.fields.Nested(BracketParticipantSchema))
    scores = ma.fields.List(ma.fields.List(ma.fields.Integer()))
    winner_registration_id = ma.fields.Integer(allow_none=True)
    next_match_winner_id = ma.fields.Integer(allow_none=True)
    next_match_loser_id = ma.fields.Integer(allow_none=True)


class RoundRefSchema(BaseSchema):
    number = ma.fields.Integer()
    name = ma.fields.String()
    side = ma.fields.String(metadata={"enum": SIDES})


class BracketRoundSchema(RoundRefSchema):
    matches = ma.fields.List(ma.fields.Nested(BracketMatchSchema))


class GroupSchema(BaseSchema):
    number = ma.fields.Integer()
    name = ma.fields.String()
    participants = ma.fields.List(ma.fields.Nested(BracketParticipantSchema))
    match_ids = ma.fields.List(ma.fields.Integer())


class LobbySchema(BaseSchema):
    number = ma.fields.Integer()
    name = ma.fields.String()
    status = ma.fields.String(metadata={"enum": ["ready", "completed"]})
    games_total = ma.fields.Integer()
    games_played = ma.fields.Integer()
    participants = ma.fields.List(ma.fields.Nested(BracketParticipantSchema))
    absent = ma.fields.List(
        ma.fields.Integer(), metadata={"description": "No-shows: in no game, score nothing"}
    )
    match_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "The lobby's match (its lifecycle)"}
    )
    match_status = ma.fields.Enum(MatchStatus, by_value=True, allow_none=True)


class BracketStageSchema(BaseSchema):
    id = ma.fields.Integer()
    number = ma.fields.Integer()
    type = ma.fields.String(metadata={"description": "The stage's format"})
    status = ma.fields.Enum(StageStatus, by_value=True)
    seeding = ma.fields.Enum(SeedingMethod, by_value=True)
    rng_seed = ma.fields.Integer(allow_none=True)
    best_of = ma.fields.Integer()
    rounds = ma.fields.List(ma.fields.Nested(BracketRoundSchema))
    groups = ma.fields.List(ma.fields.Nested(GroupSchema))
    lobbies = ma.fields.List(ma.fields.Nested(LobbySchema))


class BracketSchema(BaseSchema):
    compiled_dump = True  # a hot read (core.dumpers)

    tournament_id = ma.fields.Integer()
    stages = ma.fields.List(ma.fields.Nested(BracketStageSchema))


class MatchSchema(BaseSchema):
    compiled_dump = True  # a hot read (core.dumpers)

    id = ma.fields.Integer()
    tournament_id = ma.fields.Integer()
    stage_id = ma.fields.Integer()
    code = ma.fields.String()
    round = ma.fields.Nested(RoundRefSchema)
    number = ma.fields.Integer()
    status = ma.fields.Enum(MatchStatus, by_value=True)
    status_label = Label(MATCH_STATUS_LABELS, attribute="status")
    best_of = ma.fields.Integer()
    participants = ma.fields.List(ma.fields.Nested(BracketParticipantSchema))
    scores = ma.fields.List(ma.fields.List(ma.fields.Integer()))
    winner_registration_id = ma.fields.Integer(allow_none=True)
    next_match_winner_id = ma.fields.Integer(allow_none=True)
    next_match_winner_slot = ma.fields.Integer(allow_none=True)
    next_match_loser_id = ma.fields.Integer(allow_none=True)
    next_match_loser_slot = ma.fields.Integer(allow_none=True)
    scheduled_at = _aware(allow_none=True)
    completed_at = _aware(allow_none=True)
    lobby = ma.fields.Integer(
        allow_none=True,
        metadata={
            "description": "Battle royale: the lobby's number; `participants` are its members"
        },
    )


class StandingSchema(BaseSchema):
    """A final placement; with `?stage=`, a table row with its statistics too."""

    compiled_dump = True  # a hot read (core.dumpers)

    placement = ma.fields.Integer()
    registration_id = ma.fields.Integer()
    name = ma.fields.String(allow_none=True)
    group = ma.fields.String(
        allow_none=True, metadata={"description": "`?stage=`: the group or lobby"}
    )
    played = ma.fields.Integer()
    wins = ma.fields.Integer()
    draws = ma.fields.Integer()
    losses = ma.fields.Integer()
    points = ma.fields.Integer()
    game_difference = ma.fields.Integer()
    kills = ma.fields.Integer(metadata={"description": "Battle royale"})
    decided_by = ma.fields.String(
        allow_none=True,
        metadata={"description": "The criterion that ranks this row above the next"},
    )


class MoveSchema(BaseSchema):
    registration_id = ma.fields.Integer()
    from_match_id = ma.fields.Integer()
    outcome = ma.fields.String(metadata={"enum": ["winner", "loser"]})
    to_match_id = ma.fields.Integer()
    slot = ma.fields.Integer()


class ChangesSchema(BaseSchema):
    moves = ma.fields.List(ma.fields.Nested(MoveSchema))
    reset = ma.fields.List(ma.fields.Integer(), metadata={"description": "Line-up changed"})
    ready = ma.fields.List(ma.fields.Integer())
    skipped = ma.fields.List(ma.fields.Integer())
    eliminated = ma.fields.List(ma.fields.Integer())
    reinstated = ma.fields.List(ma.fields.Integer())
    placements = ma.fields.List(ma.fields.Nested(StandingSchema), allow_none=True)


class CorrectionSchema(BaseSchema):
    match_id = ma.fields.Integer()
    applied = ma.fields.Boolean()
    allowed = ma.fields.Boolean()
    blocking = ma.fields.List(
        ma.fields.Integer(), metadata={"description": "Started matches that block it"}
    )
    changes = ma.fields.Nested(ChangesSchema, allow_none=True)


# What `?view=compact` keeps of each item of a list.
MATCH_COMPACT = (
    "id",
    "tournament_id",
    "code",
    "round",
    "number",
    "status",
    "status_label",
    "participants",
    "winner_registration_id",
    "scheduled_at",
    "completed_at",
)
