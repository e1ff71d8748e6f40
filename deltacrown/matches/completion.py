"""A result reaching the bracket: the match domain's side of `brackets.services.apply_result`,
`correct_result` and `apply_lobby_game` (which take no actor and record nothing): the
tournament's completion is audited for the actor who caused it, `bracket.updated` is
published, and a result that would complete the tournament while disputes are open is
refused (the caller's unit of work rolls it back)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from deltacrown.brackets import queries as bracket_queries
from deltacrown.brackets import services as bracket_services
from deltacrown.brackets.errors import CorrectionBlockedError
from deltacrown.core import audit, signals
from deltacrown.matches import queries, scoring
from deltacrown.matches.disputes import close_open_dispute
from deltacrown.matches.errors import DependentMatchStartedError, DisputesOpenError
from deltacrown.matches.lifecycle import (
    publish_bracket_updated,
    record_event,
    settle_submissions,
    start_waiting,
)
from deltacrown.matches.models import DisputeOutcome, Match, SubmissionStatus
from deltacrown.tournaments.models import Tournament, TournamentStatus


def _completed(tournament: Tournament, actor: Any, champion: int | None) -> None:
    audit.record(
        actor=actor,
        action="tournament.completed",
        target=tournament,
        before={"status": TournamentStatus.ONGOING.value},
        after={"status": TournamentStatus.COMPLETED.value, "champion": champion},
    )


def _refuse_with_open_disputes(tournament: Tournament, what: str) -> None:
    open_ids = queries.open_dispute_ids(tournament.id)
    if open_ids:
        raise DisputesOpenError(
            f"This {what} would complete the tournament while disputes are open; "
            "settle them first.",
            dispute_ids=open_ids,
        )


def _champion(tournament: Tournament) -> int | None:
    results = bracket_queries.tournament_results(tournament.id)
    return results[0].registration_id if results else None


def complete_match(
    match: Match,
    tournament: Tournament,
    *,
    winner: int | None,
    games: Sequence[Sequence[int]],
    actor: Any,
    forfeit: bool = False,
    announce: bool = True,
    now: datetime,
) -> bracket_services.ResultOutcome:
    """Enter the result in the bracket (routing, standings, placements, the tournament's
    completion, `match.completed`), then `bracket.updated` (unless `announce` is off)."""
    outcome = bracket_services.apply_result(
        match.id, winner=winner, games=scoring.normalise_games(games), forfeit=forfeit, now=now
    )
    if announce:
        publish_bracket_updated(match)
    if outcome.tournament_completed:
        _refuse_with_open_disputes(tournament, "result")
        _completed(tournament, actor, _champion(tournament))
    # Only the rows the result moved can have become ready, unless it went beyond them.
    start_waiting(tournament, now, readied=None if outcome.grew else outcome.changed)
    return outcome


def forfeit_match(
    match: Match, tournament: Tournament, loser: int, actor: Any, reason: str, now: datetime
) -> Match:
    """`loser` forfeits: the other side moves on without scores; the match's submissions
    are set aside and its open dispute dismissed."""
    winner = next(r for r in match.participant_ids if r != loser)
    settle_submissions(match, SubmissionStatus.SUPERSEDED, now)
    close_open_dispute(match, actor, None, f"The match was forfeited: {reason}", now)
    complete_match(match, tournament, winner=winner, games=[], forfeit=True, actor=actor, now=now)
    record_event(match, "forfeited", actor, registration_id=loser, now=now, reason=reason)
    return match


def correct_match(
    match: Match,
    tournament: Tournament,
    *,
    winner: int | None,
    games: Sequence[Sequence[int]],
    actor: Any,
    forfeit: bool = False,
    preview: bool = False,
    announce: bool = True,
    now: datetime,
) -> bracket_services.CorrectionOutcome:
    """Correct a completed match's result in the bracket (or preview it; `bracket.updated`
    unless `announce` is off); the tournament's completion, if the correction brings it, is
    audited. Raises the bracket's CorrectionBlockedError when matches depending on the
    result have started."""
    outcome = bracket_services.correct_result(
        match.id,
        winner=winner,
        games=scoring.normalise_games(games),
        forfeit=forfeit,
        preview=preview,
        now=now,
    )
    if outcome.applied and announce:
        publish_bracket_updated(match)
    if outcome.tournament_completed:
        _completed(tournament, actor, _champion(tournament))
    if outcome.applied:
        start_waiting(tournament, now)
    return outcome


def correct_by_organizer(
    match: Match,
    tournament: Tournament,
    winner: int | None,
    games: list[list[int]],
    actor: Any,
    reason: str | None,
    now: datetime,
    *,
    forfeit: bool = False,
    preview: bool = False,
    blocked_as_dependent: bool = True,
    announce: bool = True,
) -> bracket_services.CorrectionOutcome:
    """The organizer corrects a completed match's result (an override or a dispute's
    ruling), or previews it. Applied, it is audited (`match.result_corrected`), in the
    match's history and announced (`match_result_corrected`). Matches depending on it that
    have started refuse it: 409 `dependent_match_started` (`correction_blocked` where the
    route has always answered so, `blocked_as_dependent=False`)."""
    before = {
        "status": match.status.value,
        "winner_registration_id": match.winner_registration_id,
        "scores": [list(g) for g in match.scores],
    }
    try:
        outcome = correct_match(
            match, tournament, winner=winner, games=games, actor=actor, forfeit=forfeit,
            preview=preview, announce=announce, now=now,
        )  # fmt: skip
    except CorrectionBlockedError as exc:
        if not blocked_as_dependent:
            raise
        raise DependentMatchStartedError(
            "Matches depending on this result have started.", blocking=exc.extra.get("blocking", [])
        ) from exc
    if outcome.applied:
        audit.record(
            actor=actor,
            action="match.result_corrected",
            target=match,
            before=before,
            after={
                "status": match.status.value,
                "winner_registration_id": match.winner_registration_id,
                "scores": [list(g) for g in match.scores],
                "reason": reason,
            },
        )
        record_event(match, "result_corrected", actor, now=now, games=games, reason=reason)
        signals.send_after_commit(
            signals.match_result_corrected,
            "matches",
            match_id=match.id,
            tournament_id=tournament.id,
            actor_id=getattr(actor, "id", None),
        )
    return outcome


def apply_lobby_game(
    match: Match,
    tournament: Tournament,
    results: Sequence[Mapping[str, Any]],
    actor: Any,
    now: datetime,
    *,
    game: int | None = None,
) -> bracket_services.LobbyOutcome:
    """Enter a lobby's game in the stage (`results` in the engine's terms: participant,
    placement, kills); the lobby's match follows (`live`, or `completed` after its last)."""
    outcome = bracket_services.apply_lobby_game(
        tournament.id,
        int(match.lobby or 0),
        results=[dict(r) for r in results],
        game=game,
        now=now,
    )
    if outcome.tournament_completed:
        _refuse_with_open_disputes(tournament, "game")
        _completed(tournament, actor, _champion(tournament))
    start_waiting(tournament, now)
    return outcome


def settle_directly(match: Match, actor: Any, now: datetime, *, game: int | None) -> None:
    """The organizer entered the match's result (a lobby's game `game`) directly: the
    submissions it replaces are set aside and the open dispute is resolved, overturned."""
    settle_submissions(match, SubmissionStatus.SUPERSEDED, now, game=game)
    text = (
        "The organizer recorded the result directly."
        if game is None
        else f"The organizer recorded game {game} directly."
    )
    close_open_dispute(match, actor, DisputeOutcome.OVERTURNED, text, now)
