"""The map veto of a match over REST: read its state, and ban, pick or choose a starting side."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView

from deltacrown.core.api import BaseSchema, Blueprint
from deltacrown.core.auth import get_current_user, login_required, require_user
from deltacrown.matches import veto
from deltacrown.matches.errors import MatchNotFoundError, PermissionDeniedError
from deltacrown.matches.veto_rules import (
    ACTIONS,
    InvalidVetoActionError,
    MapUnavailableError,
    NotYourTurnError,
    VetoCompleteError,
    VetoNotAvailableError,
)
from deltacrown.tournaments.errors import TournamentFrozenError

blp = Blueprint(
    "match_veto",
    __name__,
    url_prefix="/api",
    description="Map veto: the sides of a match ban and pick maps in turn (and choose starting "
    "sides where the game has them); the result sets each game's map.",
)


class VetoTurnSchema(BaseSchema):
    action = ma.fields.String(metadata={"description": "`ban`, `pick` or `side`"})
    by = ma.fields.Integer(metadata={"description": "The slot that acts (1 or 2)"})
    map = ma.fields.String(
        allow_none=True, metadata={"description": "For a side choice: the map it is on"}
    )
    registration_id = ma.fields.Integer(allow_none=True)


class VetoStepSchema(BaseSchema):
    action = ma.fields.String()
    by = ma.fields.Integer()
    map = ma.fields.String()
    side = ma.fields.String(allow_none=True)
    auto = ma.fields.Boolean(
        metadata={"description": "Taken at random because the side's turn ran out"}
    )
    at = ma.fields.String(metadata={"description": "When (ISO 8601, UTC)"})


class VetoMapSchema(BaseSchema):
    game = ma.fields.Integer(metadata={"description": "Game number, from 1"})
    map = ma.fields.String()
    picked_by = ma.fields.Integer(
        allow_none=True, metadata={"description": "Slot that picked it; null for the decider"}
    )
    side_chosen_by = ma.fields.Integer(allow_none=True)
    starting_side = ma.fields.String(
        allow_none=True, metadata={"description": "The side `side_chosen_by` starts on"}
    )


class VetoSchema(BaseSchema):
    match_id = ma.fields.Integer()
    best_of = ma.fields.Integer()
    participants = ma.fields.List(
        ma.fields.Integer(allow_none=True),
        metadata={"description": "Registration ids of slot 1 and slot 2"},
    )
    pool = ma.fields.List(ma.fields.String())
    sides = ma.fields.List(
        ma.fields.String(),
        allow_none=True,
        metadata={"description": "The game's starting sides; null when sides are not vetoed"},
    )
    remaining = ma.fields.List(ma.fields.String())
    history = ma.fields.List(ma.fields.Nested(VetoStepSchema))
    next = ma.fields.Nested(
        VetoTurnSchema, allow_none=True, metadata={"description": "null once complete"}
    )
    complete = ma.fields.Boolean()
    maps = ma.fields.List(ma.fields.Nested(VetoMapSchema))
    turn_seconds = ma.fields.Integer(metadata={"description": "0: no turn timer"})
    turn_due_at = ma.fields.AwareDateTime(format="iso", allow_none=True)
    completed_at = ma.fields.AwareDateTime(format="iso", allow_none=True)


class VetoActionArgs(BaseSchema):
    action = ma.fields.String(required=True, validate=ma.validate.OneOf(ACTIONS))
    map = ma.fields.String(
        validate=ma.validate.Length(min=1, max=60),
        metadata={"description": "The map to ban or pick (for `side`: optional, the map of "
                  "the turn)"},
    )  # fmt: skip
    side = ma.fields.String(
        validate=ma.validate.Length(min=1, max=20),
        metadata={"description": "For `side`: the starting side chosen"},
    )


@blp.route("/matches/<int:match_id>/veto/")
class MatchVeto(MethodView):
    @login_required(optional=True)
    @blp.response(200, VetoSchema)
    @blp.errors(MatchNotFoundError, VetoNotAvailableError)
    def get(self, match_id: int) -> Any:
        """The match's map veto: whose turn it is and what is expected, the remaining maps,
        the history, and each game's map once known. A veto nobody acted on yet is shown at
        its first turn. 409 `veto_not_available` when the game has no map pool, the match is a
        lobby, or its best-of has no veto (1, 3 and 5 do)."""
        return veto.get_veto(match_id, get_current_user())

    @login_required
    @blp.arguments(VetoActionArgs)
    @blp.response(200, VetoSchema)
    @blp.errors(
        MatchNotFoundError,
        PermissionDeniedError,
        TournamentFrozenError,
        VetoNotAvailableError,
        NotYourTurnError,
        VetoCompleteError,
        InvalidVetoActionError,
        MapUnavailableError,
    )
    def post(self, args: dict[str, Any], match_id: int) -> Any:
        """Ban or pick a map, or choose the starting side on a map the other side picked, for
        the side whose turn it is: its player, or its team's captain (an organizer acts for
        that side). Side 1 (the first slot) starts. Best of 1: bans in turn until one map is
        left. Best of 3: ban, ban, pick, pick, then bans until the decider is left. Best of 5:
        ban, ban, then picks until the decider is left. The finished veto sets each game's
        map; every change reaches the match channel as `veto.updated`. 409 `not_your_turn`,
        409 `veto_complete`, 422 `map_unavailable` (banned, picked or not in the pool), 422
        `invalid_veto_action` (this turn expects another action)."""
        return veto.act(match_id, actor=require_user(), **args)


class MatchGameSchema(BaseSchema):
    number = ma.fields.Integer(metadata={"description": "Game number, from 1"})
    map = ma.fields.String(allow_none=True, metadata={"description": "Set by the map veto"})
    picked_by_slot = ma.fields.Integer(allow_none=True)
    side_chosen_by_slot = ma.fields.Integer(allow_none=True)
    starting_side = ma.fields.String(allow_none=True)
    draft = ma.fields.Dict(
        allow_none=True,
        metadata={"description": "MOBA picks and bans reported with the result: {mode, p1: "
                  "{picks, bans}, p2: {picks, bans}}"},
    )  # fmt: skip


@blp.route("/matches/<int:match_id>/games/")
class MatchGames(MethodView):
    @login_required(optional=True)
    @blp.response(200, MatchGameSchema(many=True))
    @blp.errors(MatchNotFoundError)
    def get(self, match_id: int) -> Any:
        """Each game of the match known so far: its map and starting side from the map veto,
        and its MOBA draft from the reported result."""
        return veto.visible_games(match_id, get_current_user())
