"""Helpers shared by the tournament services: loading for an actor, the configuration checks
(the rules of DOMAIN.md applied to a whole configuration), snapshots for the audit log."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from deltacrown.core.actors import Actor
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.games import config as game_config
from deltacrown.games.models import Game
from deltacrown.tournaments import policies, queries, rules
from deltacrown.tournaments.errors import (
    InvalidPaymentMethodsError,
    InvalidPrizeDistributionError,
    InvalidScheduleError,
    TournamentLockedError,
)
from deltacrown.tournaments.models import ParticipantType, Tournament, TournamentFormat

# Fields that cannot change once a tournament has left the draft state.
FROZEN_AFTER_PUBLISH = (
    "game",
    "format",
    "entry_fee",
    "payment_methods",
    "participant_type",
    "team_size",
    "prize_funding",
)


def managed_tournament(
    tournament_id: int, actor: Actor | None, *, for_update: bool = False
) -> Tournament:
    """A tournament the actor may manage: 404 when they cannot see it, 403 when they may not."""
    tournament = queries.get_visible_tournament(tournament_id, actor, for_update=for_update)
    if not policies.can_manage(actor, tournament):
        raise PermissionDeniedError("Only the tournament's organizers and staff may do this.")
    return tournament


def ensure_not_finished(tournament: Tournament) -> None:
    if tournament.is_finished:
        raise TournamentLockedError(
            f"Tournament {tournament.id} is {tournament.status.value}; it can no longer change."
        )


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def default_participants(game: Game, participant_type: Any = None) -> dict[str, Any]:
    """The game's usual participant type (team when its team size is over 1) and the team
    size that goes with a participant type: 1 for solo, the game's (at least 2) for teams."""
    if participant_type is None:
        kind = ParticipantType.TEAM if game.team_size > 1 else ParticipantType.SOLO
    else:
        kind = ParticipantType(_value(participant_type))
    size = 1 if kind == ParticipantType.SOLO else max(game.team_size, 2)
    return {"participant_type": kind, "team_size": size}


def check_configuration(state: Mapping[str, Any], *, game: Game | None) -> None:
    """Every rule on a configuration except the schedule; raises the first broken group.

    `state` holds typed values by API name; keys may be missing (templates).
    """
    if game is not None and "participant_type" in state:
        errors = rules.participant_errors(
            participant_type=_value(state["participant_type"]),
            team_size=state["team_size"],
            max_substitutes=state.get("max_substitutes", 0),
            min_participants=state.get("min_participants", 2),
            max_participants=state.get("max_participants", rules.MAX_PARTICIPANTS),
        )
        if errors:
            raise ValidationError(
                "The participant settings do not add up; see errors.", errors=errors
            )
    fmt = _value(state.get("format"))
    if fmt is not None and "min_participants" in state:
        errors = rules.format_minimum_errors(fmt, state["min_participants"])
        if errors:
            raise ValidationError(
                f"{fmt} cannot be played with so few participants; see errors.", errors=errors
            )
    if game is not None and fmt is not None:
        errors = rules.format_errors(fmt, game.result_shape.value)
        if errors:
            raise ValidationError(f"{game.name} cannot be played as {fmt}.", errors=errors)
    if fmt is not None:
        errors = rules.points_table_errors(fmt, state.get("points_table"))
        if errors:
            raise ValidationError("The points table is not valid; see errors.", errors=errors)
    methods = [_value(m) for m in state.get("payment_methods", [])]
    errors = rules.payment_method_errors(state.get("entry_fee"), methods)
    if errors:
        raise InvalidPaymentMethodsError(
            "The payment methods do not fit the entry fee.", errors=errors
        )
    errors = rules.prize_distribution_errors(
        state.get("prize_distribution") or [],
        state.get("prize_pool"),
        state.get("max_participants"),
    )
    if errors:
        raise InvalidPrizeDistributionError("The prize distribution is not valid.", errors=errors)


def check_settings(game: Game, settings: Any) -> int:
    """The game config version `settings` were validated against (InvalidSettingsError)."""
    return game_config.validate_settings(game.id, settings)


def check_schedule(
    values: Mapping[str, datetime | None], *, now: datetime, must_be_future: Iterable[str]
) -> None:
    errors = rules.merge(
        rules.schedule_errors(values), rules.future_errors(values, tuple(must_be_future), now)
    )
    if errors:
        raise InvalidScheduleError("The dates are not in order; see errors.", errors=errors)


def snapshot(tournament: Tournament, fields: Iterable[str]) -> dict[str, Any]:
    """JSON-able values of `fields` for the audit log."""
    result: dict[str, Any] = {}
    for name in fields:
        value = tournament.game.slug if name == "game" else getattr(tournament, name)
        if isinstance(value, rules.Money):
            value = value.to_json()
        result[name] = _value(value) if not isinstance(value, list | dict) else value
    return result


def is_battle_royale(fmt: Any) -> bool:
    return _value(fmt) == TournamentFormat.BATTLE_ROYALE.value
