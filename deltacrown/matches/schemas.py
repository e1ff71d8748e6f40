"""Match lifecycle representations: `*Schema` out, `*Args` in (shape only; rules live in
services). Games are `[{"p1": 13, "p2": 9}, ...]` in slot order; a battle-royale lobby's
game is `results`: `[{"registration_id", "placement", "kills"}, ...]`; evidence is a list of
keys returned by `POST /api/matches/{id}/evidence/`."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest.fields import Upload

from deltacrown.brackets.schemas import LobbyResultArgs, MatchSchema
from deltacrown.core import storage
from deltacrown.core.api import BaseSchema
from deltacrown.core.pagination import CursorArgs
from deltacrown.matches.models import DisputeOutcome, DisputeStatus, SubmissionStatus
from deltacrown.matches.services.evidence import MAX_EVIDENCE, evidence_problems


def _aware(**kwargs: Any) -> ma.fields.AwareDateTime:
    return ma.fields.AwareDateTime(format="iso", **kwargs)


def _is_lobby_game(games: list[Any] | None) -> bool:
    return bool(games) and isinstance(games[0], dict)  # type: ignore[index]


def _games_out(games: list[Any] | None) -> list[dict[str, int]] | None:
    if games is None or _is_lobby_game(games):
        return None
    return [{"p1": g[0], "p2": g[1]} for g in games]


def _results_out(games: list[Any] | None) -> list[dict[str, int]] | None:
    return list(games) if games is not None and _is_lobby_game(games) else None


# ----- inputs ----------------------------------------------------------------------------------
class GameArgs(BaseSchema):
    p1 = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0))
    p2 = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0))


def _games_field(game_args: type[BaseSchema] = GameArgs, **kwargs: Any) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.Nested(game_args), validate=ma.validate.Length(min=1, max=15), **kwargs
    )


def _heroes(**kwargs: Any) -> ma.fields.List:
    hero = ma.fields.String(validate=ma.validate.Length(min=1, max=40))
    return ma.fields.List(hero, validate=ma.validate.Length(max=10), **kwargs)


class DraftSideArgs(BaseSchema):
    picks = _heroes(required=True)
    bans = _heroes(load_default=list)


class DraftArgs(BaseSchema):
    """A MOBA game's draft (Dota 2, Mobile Legends), checked by the game's draft rules."""

    mode = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=40),
        metadata={"description": "Dota 2: `captains_mode`, `all_pick`, `captains_draft`, ...; "
                  "Mobile Legends: `draft_pick` or `classic`"},
    )  # fmt: skip
    p1 = ma.fields.Nested(DraftSideArgs, required=True)
    p2 = ma.fields.Nested(DraftSideArgs, required=True)


class SubmitGameArgs(GameArgs):
    draft = ma.fields.Nested(
        DraftArgs, metadata={"description": "Optional: the game's picks and bans (MOBA games)"}
    )


def _evidence_field() -> ma.fields.List:
    return ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(max=80)),
        load_default=list,
        validate=ma.validate.Length(max=MAX_EVIDENCE),
        metadata={"description": "Keys from `POST /api/matches/{id}/evidence/`"},
    )


def games_pairs(games: list[dict[str, int]] | None) -> list[list[int]] | None:
    return None if games is None else [[g["p1"], g["p2"]] for g in games]


class _EvidenceMixin(BaseSchema):
    @ma.validates("evidence")
    def _known_keys(self, value: list[str], **_: Any) -> None:
        problems = evidence_problems(value)
        if problems:
            raise ma.ValidationError(problems)


class MatchUpdateArgs(BaseSchema):
    scheduled_at = _aware(allow_none=True)
    best_of = ma.fields.Integer(validate=ma.validate.Range(min=1, max=15))


def _results_field(**kwargs: Any) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.Nested(LobbyResultArgs), validate=ma.validate.Length(min=1, max=200), **kwargs
    )


class SubmitResultArgs(_EvidenceMixin):
    """A head-to-head match takes `games`; a battle-royale lobby match takes `results` (one
    game: every present member once). Exactly one of the two."""

    games = _games_field(
        SubmitGameArgs,
        metadata={"description": "Head-to-head: per-game scores `[{p1, p2, draft?}, ...]`"},
    )
    results = _results_field(
        metadata={
            "description": "Lobby: the next game's `[{registration_id, placement, kills}]`, "
            "every present member once (placement 1 = last standing)"
        }
    )
    evidence = _evidence_field()

    @ma.validates_schema
    def _one_shape(self, data: dict[str, Any], **_: Any) -> None:
        if ("games" in data) == ("results" in data):
            message = "Give `games` (a head-to-head match) or `results` (a lobby), not both."
            raise ma.ValidationError({"games": [message], "results": [message]})


class DisputeArgs(_EvidenceMixin):
    reason = ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=2000),
        metadata={"description": "At least 20 characters"},
    )
    evidence = _evidence_field()


class OverrideArgs(BaseSchema):
    games = _games_field(required=True)
    reason = ma.fields.String(validate=ma.validate.Length(max=500), load_default=None)


class DryRunArgs(BaseSchema):
    dry_run = ma.fields.Boolean(load_default=False)


class ForfeitArgs(BaseSchema):
    loser = ma.fields.Integer(required=True, metadata={"description": "A registration id"})
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class MatchCancelArgs(BaseSchema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class EvidenceUploadArgs(BaseSchema):
    file = Upload(required=True, metadata={"description": "PNG, JPEG, WebP or PDF, at most 5 MiB"})


class DisputeQueryArgs(CursorArgs):
    status = ma.fields.Enum(DisputeStatus, by_value=True)
    tournament = ma.fields.Integer()
    match = ma.fields.Integer()


class ResolveArgs(BaseSchema):
    outcome = ma.fields.Enum(DisputeOutcome, by_value=True, required=True)
    resolution = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000))
    corrected_games = _games_field(load_default=None, allow_none=True)
    corrected_results = _results_field(
        load_default=None,
        allow_none=True,
        metadata={"description": "A lobby's overturned game: every present member's result"},
    )


class DismissArgs(BaseSchema):
    resolution = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000))


# ----- outputs ---------------------------------------------------------------------------------
class SubmissionSchema(BaseSchema):
    id = ma.fields.Integer()
    registration_id = ma.fields.Integer()
    submitted_by_id = ma.fields.Integer(allow_none=True)
    games = ma.fields.Function(lambda s: _games_out(s.games))
    game = ma.fields.Integer(allow_none=True, metadata={"description": "Lobby: the game"})
    results = ma.fields.Function(
        lambda s: _results_out(s.games), metadata={"description": "Lobby: the game's results"}
    )
    winner_registration_id = ma.fields.Integer(allow_none=True)
    evidence = ma.fields.Function(lambda s: [storage.url(k) for k in s.evidence])
    status = ma.fields.Enum(SubmissionStatus, by_value=True)
    created_at = _aware()


class LobbyGameResultSchema(BaseSchema):
    registration_id = ma.fields.Integer()
    placement = ma.fields.Integer()
    kills = ma.fields.Integer()


class LobbyStandingSchema(BaseSchema):
    registration_id = ma.fields.Integer()
    rank = ma.fields.Integer()
    seed = ma.fields.Integer()
    games = ma.fields.Integer()
    points = ma.fields.Integer()
    placement_points = ma.fields.Integer()
    kill_points = ma.fields.Integer()
    kills = ma.fields.Integer()
    best_placement = ma.fields.Integer(allow_none=True)
    decided_by = ma.fields.String(allow_none=True)
    absent = ma.fields.Boolean()


class MatchDetailSchema(MatchSchema):
    games = ma.fields.Function(lambda m: _games_out(m["scores"]))
    checked_in = ma.fields.List(ma.fields.Integer())
    submissions = ma.fields.List(ma.fields.Nested(SubmissionSchema))
    check_in_opens_at = _aware(
        allow_none=True,
        metadata={"description": "Null without a scheduled time: check-in is open while ready"},
    )
    check_in_closes_at = _aware(allow_none=True)
    confirm_by = _aware(allow_none=True, metadata={"description": "Auto-confirm deadline"})
    open_dispute_id = ma.fields.Integer(allow_none=True)
    live_scores = ma.fields.List(
        ma.fields.Nested(lambda: LiveScoreSchema()),
        metadata={"description": "While live: the last running score of each game"},
    )
    stream_url = ma.fields.String(allow_none=True, metadata={"description": "Live stream link"})
    vod_url = ma.fields.String(allow_none=True, metadata={"description": "Recording link"})
    # Battle-royale lobby matches only (`lobby` is set; `participants` are the members).
    absent = ma.fields.List(
        ma.fields.Integer(), metadata={"description": "Lobby: no-shows, who score nothing"}
    )
    games_total = ma.fields.Integer(metadata={"description": "Lobby: games to play"})
    lobby_games = ma.fields.List(
        ma.fields.List(ma.fields.Nested(LobbyGameResultSchema)),
        metadata={"description": "Lobby: every recorded game's results, best placement first"},
    )
    lobby_standings = ma.fields.List(ma.fields.Nested(LobbyStandingSchema))


class LiveScoreSchema(BaseSchema):
    game = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1, max=15))
    p1 = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0, max=9999))
    p2 = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0, max=9999))


class ScoreUpdateArgs(LiveScoreSchema):
    """A live match's running score of one game (a side or an organizer); also the websocket
    message `{"type": "score.update", "game", "p1", "p2"}`."""


class MatchEventSchema(BaseSchema):
    id = ma.fields.Integer()
    type = ma.fields.String()
    actor_id = ma.fields.Integer(allow_none=True)
    registration_id = ma.fields.Integer(allow_none=True)
    data = ma.fields.Dict()
    created_at = _aware()


class EvidenceSchema(BaseSchema):
    key = ma.fields.String()
    url = ma.fields.String()


class DisputeSchema(BaseSchema):
    id = ma.fields.Integer()
    match_id = ma.fields.Integer()
    tournament_id = ma.fields.Integer()
    registration_id = ma.fields.Integer(allow_none=True)
    raised_by_id = ma.fields.Integer(allow_none=True)
    submission_id = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String()
    evidence = ma.fields.Function(lambda d: [storage.url(k) for k in d.evidence])
    status = ma.fields.Enum(DisputeStatus, by_value=True)
    outcome = ma.fields.Enum(DisputeOutcome, by_value=True, allow_none=True)
    resolution = ma.fields.String(allow_none=True)
    corrected_games = ma.fields.Function(lambda d: _games_out(d.corrected_games))
    corrected_results = ma.fields.Function(lambda d: _results_out(d.corrected_games))
    reviewed_by_id = ma.fields.Integer(allow_none=True)
    reviewed_at = _aware(allow_none=True)
    resolved_by_id = ma.fields.Integer(allow_none=True)
    resolved_at = _aware(allow_none=True)
    created_at = _aware()
    version = ma.fields.Integer()
