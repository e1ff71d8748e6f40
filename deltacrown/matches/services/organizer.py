"""The organizer's word on a match's result, in one implementation for every route that
enters one: `enter_result` enters the result of an open match (ready, live, awaiting
confirmation, disputed or cancelled) or corrects a completed one, or previews either; the
match lifecycle follows (its open submissions are set aside, its open dispute is resolved as
overturned with the organizer's reason), and it is audited (`match.result_recorded`,
`match.result_corrected`). `POST /api/matches/{id}/override-result/` takes games and derives
the winner; `/result/`, `/correction/preview/` and `/correction/` (kept for existing clients)
take the winner and the scores. A forfeit is recorded with `forfeit`, and a battle-royale
lobby's game with `record_lobby_game`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from deltacrown.brackets import queries as bracket_queries
from deltacrown.brackets import services as bracket_services
from deltacrown.brackets.errors import MatchAlreadyCompletedError, MatchNotCompletedError
from deltacrown.brackets.models import Stage
from deltacrown.core import audit
from deltacrown.core.time import utcnow
from deltacrown.matches import lifecycle, lobbies, policies, queries, scoring
from deltacrown.matches.completion import (
    apply_lobby_game,
    complete_match,
    correct_by_organizer,
    forfeit_match,
    settle_directly,
)
from deltacrown.matches.disputes import close_open_dispute
from deltacrown.matches.errors import (
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.matches.kinds import kind_of
from deltacrown.matches.models import DisputeOutcome, Match, MatchStatus, SubmissionStatus
from deltacrown.matches.services import direct
from deltacrown.tournaments.models import Tournament, TournamentStatus

M = MatchStatus
T = TournamentStatus
# open: a new result only (a completed match is corrected instead); completed: a correction
# only; any: whichever the match needs.
Expect = Literal["any", "open", "completed"]
ENTERABLE = (M.READY, M.LIVE, M.AWAITING_CONFIRMATION, M.DISPUTED, M.CANCELLED)


@dataclass(frozen=True, slots=True)
class ResultEntry:
    """What an organizer's result did, or would do (`applied` false: a preview)."""

    match_id: int
    applied: bool
    allowed: bool
    blocking: list[int]
    changes: dict[str, Any] | None


def _require_series(match: Match, action: str) -> None:
    if not kind_of(match).series:
        raise InvalidTransitionError(
            f"Match {match.id} is a battle-royale lobby; cannot {action}. Record or replace "
            "the lobby's games instead.",
            current_status=match.status.value,
        )


def _snapshot(match: Match) -> dict[str, Any]:
    return {
        "status": match.status.value,
        "winner_registration_id": match.winner_registration_id,
        "scores": [list(g) for g in match.scores],
    }


def enter_result(
    match_id: int,
    *,
    winner: int | None,
    games: Sequence[Sequence[int]],
    actor: Any,
    forfeit: bool = False,
    reason: str | None = None,
    preview: bool = False,
    expect: Expect = "any",
    blocked_as_dependent: bool = True,
    announce: bool = True,
    now: datetime | None = None,
) -> ResultEntry:
    """Enter (or correct, or preview) a match's result as its organizer; see the module.

    Raises MatchNotFoundError, PermissionDeniedError, InvalidTransitionError (a lobby, or a
    match not yet known or skipped), TournamentNotOngoingError, MatchAlreadyCompletedError
    (`expect="open"`), MatchNotCompletedError (`expect="completed"`), MatchNotReadyError,
    InvalidWinnerError, InvalidScoresError, TournamentLockedError, DisputesOpenError, and when
    matches depending on a corrected result have started DependentMatchStartedError (or,
    with `blocked_as_dependent=False`, CorrectionBlockedError). `announce=False` leaves out
    `bracket.updated` (the routes that never published it keep their events).
    """
    now = now or utcnow()
    if (
        not (forfeit or preview)
        and expect != "completed"
        and direct.enabled()
        and direct.try_enter(
            match_id,
            winner=winner,
            games=games,
            actor=actor,
            reason=reason,
            announce=announce,
            now=now,
        )  # fmt: skip
    ):
        return ResultEntry(match_id, True, True, [], None)
    match, tournament = lifecycle.load(match_id, actor)
    _guard(match, tournament, actor, expect)
    return _enter(match, tournament, winner=winner, games=games, actor=actor, forfeit=forfeit,
                  reason=reason, preview=preview, blocked_as_dependent=blocked_as_dependent,
                  announce=announce, now=now)  # fmt: skip


def _guard(match: Match, tournament: Tournament, actor: Any, expect: Expect) -> None:
    """Who may enter it, and whether this match takes this kind of entry now."""
    if not policies.can_record_result(actor, tournament):
        raise PermissionDeniedError(
            "Only the tournament's organizers, referees and staff may do this."
        )
    _require_series(match, "enter its result")
    if expect == "open":
        lifecycle.require_ongoing(tournament)
        if match.has_result:
            raise MatchAlreadyCompletedError(f"Match {match.id} already has a result.")
    elif tournament.status not in (T.ONGOING, T.COMPLETED):
        lifecycle.require_ongoing(tournament)
    if expect == "completed" and not match.has_result:
        raise MatchNotCompletedError(f"Match {match.id} has no result to correct.")
    if expect == "any":
        lifecycle.require_state(
            match, *ENTERABLE, M.COMPLETED, M.FORFEIT, action="override its result"
        )


def _enter(
    match: Match,
    tournament: Tournament,
    *,
    winner: int | None,
    games: Sequence[Sequence[int]],
    actor: Any,
    forfeit: bool,
    reason: str | None,
    preview: bool,
    blocked_as_dependent: bool,
    announce: bool,
    now: datetime,
) -> ResultEntry:
    games = scoring.normalise_games(games)
    scoring.check_result(winner, games, match.participant_ids, match.best_of, forfeit)
    if match.has_result:
        return _correct(match, tournament, winner, games, forfeit, actor, reason, preview,
                        blocked_as_dependent, announce, now)  # fmt: skip
    lifecycle.require_ongoing(tournament)
    if preview:
        changes = bracket_services.preview_result(match.id, winner=winner, games=games)
        return ResultEntry(match.id, False, True, [], changes)
    before = _snapshot(match)
    open_submissions, open_dispute = queries.open_paperwork(match.id)
    if open_submissions:
        lifecycle.settle_submissions(match, SubmissionStatus.SUPERSEDED, now)
    if open_dispute:
        close_open_dispute(
            match, actor, DisputeOutcome.OVERTURNED,
            reason or "The organizer entered the result.", now,
        )  # fmt: skip
    complete_match(
        match, tournament, winner=winner, games=games, forfeit=forfeit, actor=actor,
        announce=announce, now=now,
    )  # fmt: skip
    # The event first: the audit entry's flush writes both.
    lifecycle.record_event(match, "result_overridden", actor, now=now, games=games, reason=reason)
    audit.record(
        actor=actor,
        action="match.result_recorded",
        target=match,
        before=before,
        after={**_snapshot(match), "reason": reason},
    )
    return ResultEntry(match.id, True, True, [], None)


def _correct(
    match: Match,
    tournament: Tournament,
    winner: int | None,
    games: list[list[int]],
    forfeit: bool,
    actor: Any,
    reason: str | None,
    preview: bool,
    blocked_as_dependent: bool,
    announce: bool,
    now: datetime,
) -> ResultEntry:
    if not preview:
        close_open_dispute(
            match, actor, DisputeOutcome.OVERTURNED,
            reason or "The organizer overrode the result.", now, corrected_games=games,
        )  # fmt: skip
    outcome = correct_by_organizer(
        match, tournament, winner, games, actor, reason, now, forfeit=forfeit, preview=preview,
        blocked_as_dependent=blocked_as_dependent, announce=announce,
    )  # fmt: skip
    return ResultEntry(
        outcome.match_id, outcome.applied, outcome.allowed, outcome.blocking, outcome.changes
    )


def override_result(
    match_id: int,
    *,
    games: Sequence[Sequence[int]],
    actor: Any,
    reason: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> ResultEntry:
    """An organizer enters or corrects a match's result from its games (the winner is who
    won the series). A completed match is corrected (re-routing while no dependent match has
    started: 409 `dependent_match_started`); otherwise the result completes it. Either way an
    open dispute is closed as overturned, the override its resolution. With `dry_run`
    nothing changes and the engine's preview of every downstream change is returned. Not for
    a lobby (409 `invalid_transition`)."""
    now = now or utcnow()
    match, tournament = lifecycle.load(match_id, actor)
    _guard(match, tournament, actor, "any")
    games = scoring.normalise_games(games)
    return _enter(match, tournament, winner=lifecycle.winner_of(match, games), games=games,
                  actor=actor, forfeit=False, reason=reason, preview=dry_run,
                  blocked_as_dependent=True, announce=True, now=now)  # fmt: skip


def forfeit(
    match_id: int, *, loser: int, reason: str, actor: Any, now: datetime | None = None
) -> Match:
    """An organizer records a forfeit: `loser` (one of the two registrations) loses, the other
    moves on without scores."""
    now = now or utcnow()
    match, tournament = lifecycle.load(match_id, actor)
    lifecycle.require_referee(actor, tournament)
    _require_series(match, "forfeit it")
    lifecycle.require_state(match, *ENTERABLE, action="forfeit it")
    lifecycle.require_ongoing(tournament)
    if loser not in match.participant_ids:
        raise ValidationError(
            "The loser must be one of the match's two participants.",
            errors={"loser": ["Not a participant of this match."]},
        )
    before = {"status": match.status.value}
    forfeit_match(match, tournament, loser, actor, reason, now)
    audit.record(
        actor=actor,
        action="match.forfeited",
        target=match,
        before=before,
        after={"status": match.status.value, "loser": loser, "reason": reason},
    )
    return match


def record_lobby_game(
    tournament_id: int,
    lobby_number: int,
    *,
    results: Sequence[Mapping[str, Any]],
    actor: Any,
    game: int | None = None,
    now: datetime | None = None,
) -> Stage:
    """Record a battle-royale lobby's next game (or replace game `game`, 1-based): every
    present member's placement and kills (`registration_id`, `placement`, `kills`). A new game
    settles the lobby's lifecycle as a direct result does: that game's submissions are set
    aside and the open dispute is resolved, overturned.

    Raises TournamentNotFoundError, PermissionDeniedError, TournamentNotOngoingError,
    LobbyNotFoundError, MatchAlreadyCompletedError (all games played: pass `game` to
    correct one), InvalidLobbyResultError, DisputesOpenError.
    """
    now = now or utcnow()
    played = lobbies.engine_results(results)
    tournament = bracket_queries.visible_tournament(tournament_id, actor, for_update=True)
    lifecycle.require_referee(actor, tournament)
    stage = next((s for s in bracket_queries.stages_of(tournament.id) if s.lobbies), None)
    row = None if stage is None else bracket_queries.lobby_match(stage.id, lobby_number)
    if row is None:
        outcome = bracket_services.apply_lobby_game(
            tournament.id, lobby_number, results=played, game=game, now=now
        )
    else:
        # A new game settles what waited on it first, so its own dispute does not hold it up.
        new_game = len(lobbies.lobby_of(row).games) + 1 if game is None else None
        if new_game is not None:
            settle_directly(row, actor, now, game=new_game)
        outcome = apply_lobby_game(row, tournament, played, actor, now, game=game)
        if new_game is not None:
            _lobby_game_recorded(row, new_game, actor, now)
    audit.record(
        actor=actor,
        action="lobby.game_recorded",
        target=outcome.stage,
        after={
            "lobby": lobby_number,
            "game": game or outcome.games_played,
            "results": list(results),
        },
    )
    return outcome.stage


def _lobby_game_recorded(match: Match, game: int, actor: Any, now: datetime) -> None:
    results = lobbies.game_results(match, game)
    lifecycle.record_event(match, "game_recorded", actor, now=now, game=game, results=results)
    lifecycle.publish_event(match, "match.game_recorded", game=game, results=results)
    if match.status is M.COMPLETED:
        lifecycle.record_event(match, "completed", None, now=now)
