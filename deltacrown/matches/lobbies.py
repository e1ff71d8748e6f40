"""The battle-royale lobby kind of match (`kinds.LOBBY`; flush, never commit).

A lobby's `Match` row (`match.lobby` = its number) goes through the same states as a
head-to-head match: `ready` → `live` → `awaiting_confirmation` → `live` (next game) ... →
`completed`; also `disputed` and `cancelled`. Its members (registrations; for a team, the
captain or a roster player acts) check in like sides do (`services.check_in_match`), and the
lobby goes live when all have, or when an organizer starts it.

One game at a time: a member submits the game's results (every present member's placement
and kills, checked by the engine's lobby rules); each other member confirms it (an agreeing
submission) or disputes it. The game is confirmed when every present member agreed, when an
organizer confirms it, or when nobody disputed it within `result_confirmation_minutes` (the
auto-confirm sweep). A member submitting different results disputes it, as does `dispute`
(reason of at least 20 characters, on the pending game only). An organizer's submission is
final at once. A confirmed game enters the stage through `brackets.services.apply_lobby_game`
(standings; after the lobby's last game the match is `completed`, after every lobby's the
stage finishes as before: placements, the tournament's completion).

No-shows: a member not checked in by `scheduled_at + no_show_grace_minutes` is marked absent
for the lobby (the no-show sweep): absent members are in no game's results and score nothing,
so they rank last; the others play on (the lobby goes live). When nobody checked in, the
lobby is cancelled for the organizer to decide, as a head-to-head match with both sides
absent. A lobby has no forfeit and no override: the organizer records or replaces a game
through `POST /api/tournaments/{id}/lobbies/{n}/games/` (which supersedes the pending
submission and closes the dispute of the game it records).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from deltacrown.brackets import engine
from deltacrown.brackets import queries as bracket_queries
from deltacrown.brackets import services as bracket_services
from deltacrown.brackets.errors import translate
from deltacrown.core import audit
from deltacrown.extensions import db
from deltacrown.matches import lifecycle, policies, queries
from deltacrown.matches.completion import apply_lobby_game
from deltacrown.matches.disputes import (
    check_correction,
    close_dispute,
    dispute_reason,
    disputed_submission,
    open_dispute,
)
from deltacrown.matches.errors import (
    AlreadySubmittedError,
    DisputeExistsError,
    InvalidTransitionError,
    PermissionDeniedError,
    ValidationError,
)
from deltacrown.matches.models import (
    Dispute,
    DisputeOutcome,
    Match,
    MatchStatus,
    ResultSubmission,
    SubmissionStatus,
)
from deltacrown.tournaments.models import Tournament

M = MatchStatus
S = SubmissionStatus


# ----- the lobby and its results ---------------------------------------------------------------
def lobby_of(match: Match) -> engine.Lobby:
    data = bracket_queries.lobby_of(match)
    if data is None:  # pragma: no cover  (a lobby match always has its lobby)
        raise InvalidTransitionError(f"Match {match.id} has no lobby.")
    return engine.Lobby.from_dict(data)


def check_results(
    lobby: engine.Lobby, results: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """`[{registration_id, placement, kills}]` checked by the engine (every present member
    once, placements 1..n once each, kills >= 0), best placement first; else 422
    `invalid_lobby_result`."""
    try:
        checked = engine.check_lobby_results(lobby, engine_results(results))
    except engine.BracketError as exc:
        raise translate(exc) from exc
    return _as_results(checked)


def engine_results(results: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"participant": r.get("registration_id"), "placement": r.get("placement"),
         "kills": r.get("kills")}
        for r in results
    ]  # fmt: skip


def _as_results(game: Sequence[engine.GameResult]) -> list[dict[str, Any]]:
    return [
        {"registration_id": r.participant, "placement": r.placement, "kills": r.kills} for r in game
    ]


def game_results(match: Match, game: int) -> list[dict[str, Any]]:
    """Game `game`'s (1-based) recorded results, best placement first."""
    return _as_results(lobby_of(match).games[game - 1])


def _next_game(lobby: engine.Lobby) -> int:
    return len(lobby.games) + 1


def _game_submissions(match: Match, game: int, *statuses: S) -> list[ResultSubmission]:
    return [
        s
        for s in queries.current_submissions(match.id)
        if s.game == game and s.status in (statuses or (S.PENDING,))
    ]


def _require_present(lobby: engine.Lobby, side: int) -> None:
    if side in lobby.absent:
        raise PermissionDeniedError("An absent member takes no part in the lobby's games.")


# ----- applying a game -------------------------------------------------------------------------
def apply_game(
    match: Match,
    tournament: Tournament,
    results: Sequence[Mapping[str, Any]],
    actor: Any,
    now: datetime,
) -> Match:
    """The game enters the stage (the engine's standings); the match goes back to `live`, or
    is `completed` after the lobby's last game (the stage and the tournament may finish)."""
    apply_lobby_game(match, tournament, engine_results(results), actor, now)
    game = len(lobby_of(match).games)
    lifecycle.record_event(match, "game_recorded", actor, now=now, game=game, results=list(results))
    lifecycle.publish_event(match, "match.game_recorded", game=game, results=list(results))
    if match.status is M.COMPLETED:
        lifecycle.record_event(match, "completed", None, now=now)
    return match


def confirm_game(
    match: Match,
    tournament: Tournament,
    submission: ResultSubmission,
    actor: Any,
    now: datetime,
    *,
    automatic: bool = False,
) -> Match:
    """The pending game (and every agreeing submission) is confirmed and applied."""
    for s in _game_submissions(match, submission.game or 0):
        s.status, s.decided_at = S.CONFIRMED, now
    submission.status, submission.decided_at = S.CONFIRMED, now
    lifecycle.record_event(
        match,
        "result_confirmed",
        actor,
        now=now,
        submission_id=submission.id,
        game=submission.game,
        automatic=automatic,
    )
    return apply_game(match, tournament, submission.games, actor, now)


# ----- submit, confirm, dispute ----------------------------------------------------------------
def submit(
    match: Match,
    tournament: Tournament,
    *,
    games: Sequence[Sequence[int]] | None = None,  # a head-to-head match's scores: not read
    results: Sequence[Mapping[str, Any]] | None,
    actor: Any,
    evidence: Sequence[str],
    now: datetime,
) -> Match:
    """A member reports the next game's results (live → awaiting_confirmation); a member's
    matching submission agrees with the pending one, a different one disputes it. An
    organizer's submission is final at once (it supersedes a pending one)."""
    side = queries.side_of(match, actor)
    manager = policies.can_referee(actor, tournament)
    if side is None and not manager:
        raise PermissionDeniedError("Only the lobby's members and organizers may do this.")
    lifecycle.require_state(match, M.LIVE, M.AWAITING_CONFIRMATION, action="submit a result")
    lifecycle.require_ongoing(tournament)
    if results is None:
        raise ValidationError(
            "A lobby match takes `results`: every member's placement and kills.",
            errors={"results": ["Required for a lobby match."]},
        )
    lobby = lobby_of(match)
    checked = check_results(lobby, results)
    game = _next_game(lobby)
    if side is None:
        return _organizer_submits(match, tournament, checked, game, actor, now)
    _require_present(lobby, side)
    current = _game_submissions(match, game)
    if any(s.registration_id == side for s in current):
        raise AlreadySubmittedError("This member has already submitted this game's result.")
    submission = ResultSubmission(
        match_id=match.id,
        registration_id=side,
        submitted_by_id=actor.id,
        games=checked,
        game=game,
        evidence=list(evidence),
        created_at=now,
    )
    db.session.add(submission)
    db.session.flush()
    lifecycle.record_event(
        match,
        "result_submitted",
        actor,
        registration_id=side,
        now=now,
        game=game,
        results=checked,
        submission_id=submission.id,
    )
    if not current:
        match.transition(M.AWAITING_CONFIRMATION)
        db.session.flush()
        lifecycle.publish_event(
            match, "match.result_submitted", registration_id=side, game=game, results=checked
        )
        return match
    if current[0].games == checked:
        return _agreed(match, tournament, current[0], lobby, now)
    for s in [*current, submission]:
        s.status, s.decided_at = S.DISPUTED, now
    open_dispute(
        match,
        actor,
        registration_id=side,
        submission=current[0],
        now=now,
        evidence=evidence,
        reason=f"Lobby members submitted different results for game {game}.",
    )
    return match


def _organizer_submits(
    match: Match,
    tournament: Tournament,
    results: list[dict[str, Any]],
    game: int,
    actor: Any,
    now: datetime,
) -> Match:
    for s in _game_submissions(match, game):
        s.status, s.decided_at = S.SUPERSEDED, now
    audit.record(
        actor=actor,
        action="lobby.result_entered",
        target=match,
        after={"lobby": match.lobby, "game": game, "results": results},
    )
    return apply_game(match, tournament, results, actor, now)


def _agreed(
    match: Match,
    tournament: Tournament,
    pending: ResultSubmission,
    lobby: engine.Lobby,
    now: datetime,
) -> Match:
    """Every present member agreeing confirms the game; otherwise it waits for the others."""
    agreed = {s.registration_id for s in _game_submissions(match, pending.game or 0)}
    if set(lobby.present) <= agreed:
        return confirm_game(match, tournament, pending, None, now)
    lifecycle.publish_event(match, "match.result_agreed", game=pending.game, agreed=sorted(agreed))
    return match


def confirm(match: Match, tournament: Tournament, *, actor: Any, now: datetime) -> Match:
    """A member agrees with the pending game (it is confirmed once every present member has);
    an organizer confirms it at once."""
    manager = policies.can_referee(actor, tournament)
    side = queries.side_of(match, actor)
    if side is None and not manager:
        raise PermissionDeniedError("Only the lobby's members or an organizer may confirm.")
    lifecycle.require_state(match, M.AWAITING_CONFIRMATION, action="confirm a result")
    lifecycle.require_ongoing(tournament)
    pending = lifecycle.pending_submission(match)
    if side is None:
        audit.record(
            actor=actor,
            action="match.result_confirmed",
            target=match,
            after={"submission_id": pending.id, "game": pending.game},
        )
        return confirm_game(match, tournament, pending, actor, now)
    lobby = lobby_of(match)
    _require_present(lobby, side)
    if side == pending.registration_id:
        raise PermissionDeniedError("A member cannot confirm their own submission.")
    if any(s.registration_id == side for s in _game_submissions(match, pending.game or 0)):
        raise AlreadySubmittedError("This member has already confirmed this game's result.")
    agreement = ResultSubmission(
        match_id=match.id,
        registration_id=side,
        submitted_by_id=actor.id,
        games=list(pending.games),
        game=pending.game,
        evidence=[],
        created_at=now,
    )
    db.session.add(agreement)
    db.session.flush()
    lifecycle.record_event(
        match, "result_agreed", actor, registration_id=side, now=now, game=pending.game
    )
    return _agreed(match, tournament, pending, lobby, now)


def dispute(
    match: Match,
    tournament: Tournament,
    *,
    reason: str,
    actor: Any,
    evidence: Sequence[str],
    now: datetime,
) -> Dispute:
    """A member who has not agreed disputes the pending game (→ disputed)."""
    side = lifecycle.require_side(match, actor)
    lifecycle.require_state(match, M.AWAITING_CONFIRMATION, action="dispute it")
    lifecycle.require_ongoing(tournament)
    reason = dispute_reason(reason)
    existing = queries.open_dispute(match.id)
    if existing is not None:  # pragma: no cover  (a disputed lobby is not awaiting)
        raise DisputeExistsError("This match already has an open dispute.", dispute_id=existing.id)
    pending = lifecycle.pending_submission(match)
    _require_present(lobby_of(match), side)
    current = _game_submissions(match, pending.game or 0)
    if any(s.registration_id == side for s in current):
        raise PermissionDeniedError("A member cannot dispute a result they submitted or agreed.")
    for s in current:
        s.status, s.decided_at = S.DISPUTED, now
    opened = open_dispute(
        match,
        actor,
        registration_id=side,
        submission=pending,
        reason=reason,
        now=now,
        evidence=evidence,
    )
    audit.record(
        actor=actor,
        action="dispute.opened",
        target=opened,
        after={"match_id": match.id, "game": pending.game, "reason": reason},
    )
    return opened


# ----- settling a dispute ----------------------------------------------------------------------
def uphold(
    match: Match, tournament: Tournament, submission: ResultSubmission, actor: Any, now: datetime
) -> None:
    """The disputed game stands: the submission (and those agreeing) confirm and apply."""
    for s in _game_submissions(match, submission.game or 0, S.DISPUTED):
        agrees = s.id == submission.id or s.games == submission.games
        s.status, s.decided_at = (S.CONFIRMED if agrees else S.SUPERSEDED), now
    lifecycle.record_event(
        match, "result_confirmed", actor, now=now, submission_id=submission.id, game=submission.game
    )
    apply_game(match, tournament, submission.games, actor, now)


def overturn(
    match: Match,
    tournament: Tournament,
    results: Sequence[Mapping[str, Any]],
    actor: Any,
    now: datetime,
) -> list[dict[str, Any]]:
    """The organizer's corrected results replace the disputed game's."""
    lobby = lobby_of(match)
    checked = check_results(lobby, results)
    game = _next_game(lobby)
    for s in _game_submissions(match, game, S.PENDING, S.DISPUTED):
        s.status, s.decided_at = S.SUPERSEDED, now
    apply_game(match, tournament, checked, actor, now)
    return checked


def resolve(
    dispute: Dispute,
    match: Match,
    tournament: Tournament,
    *,
    outcome: DisputeOutcome,
    resolution: str,
    corrected_games: Sequence[Sequence[int]] | None,
    corrected_results: Sequence[Mapping[str, Any]] | None,
    actor: Any,
    now: datetime,
) -> None:
    """Settle a lobby's dispute about its pending game: upheld applies the disputed results,
    overturned the organizer's `corrected_results`, a rematch replays the game."""
    overturned = check_correction(
        outcome,
        given=corrected_results,
        field="corrected_results",
        foreign=corrected_games,
        foreign_field="corrected_games",
        needs="Overturning a lobby's game needs the corrected results.",
        wrong_kind="Corrected games are for a head-to-head match; give corrected results.",
        foreign_note="Not for a lobby match.",
    )
    lifecycle.require_ongoing(tournament)
    checked = None
    if overturned:  # checked before the dispute closes, so bad results change nothing
        checked = check_results(lobby_of(match), corrected_results or [])
    close_dispute(dispute, actor, outcome, resolution, now, corrected_games=checked)
    if outcome is DisputeOutcome.UPHELD:
        submission = disputed_submission(dispute, match)
        if submission is not None:
            uphold(match, tournament, submission, actor, now)
    elif checked is not None:
        overturn(match, tournament, checked, actor, now)
    else:
        replay(match, now)


def replay(match: Match, now: datetime) -> None:
    """A rematch of a lobby's game: its submissions are set aside, the lobby is live again."""
    game = _next_game(lobby_of(match))
    for s in _game_submissions(match, game, S.PENDING, S.DISPUTED):
        s.status, s.decided_at = S.SUPERSEDED, now
    match.transition(M.LIVE)
    db.session.flush()


# ----- the no-show sweep and the detail --------------------------------------------------------
def no_show(match: Match, tournament: Tournament, now: datetime, actor: Any) -> str:
    """Check-in is over: the members who did not check in are absent, and the others play
    (→ live); nobody checked in: the lobby is cancelled. Returns what happened."""
    present = queries.checked_in(match.id)
    absent = [r for r in queries.participants_of(match) if r not in present]
    if not present:
        lifecycle.cancel(match, actor, "no_show", now)
        return "cancelled"
    if lobby_of(match).games:  # pragma: no cover  (a ready lobby has not played)
        return "none"
    bracket_services.mark_lobby_absent(match.id, absent)
    lifecycle.record_event(match, "absent_marked", actor, now=now, absent=absent)
    lifecycle.publish_event(match, "match.absent_marked", absent=absent)
    lifecycle.go_live(match, actor, now, automatic=True)
    return "absent"


def state(match: Match) -> dict[str, Any]:
    """A lobby match's members, absences, per-game results and standings (for the detail)."""
    lobby = lobby_of(match)
    stage_row = bracket_queries.find_stage(match.stage_id)
    options = dict(stage_row.options) if stage_row is not None else {}
    seeds = list(stage_row.seeds) if stage_row is not None else list(lobby.participants)
    stage = engine.Stage(
        format="battle_royale",
        options=options,
        seeds=seeds,
        byes=[],
        rounds=[],
        matches={},
        lobbies={lobby.id: lobby},
    )
    rows = engine.stage_standings(stage)[0].rows
    return {
        "members": list(lobby.participants),
        "absent": list(lobby.absent),
        "games_total": lobby.games_total,
        "lobby_games": [_as_results(game) for game in lobby.games],
        "lobby_standings": [
            {"registration_id": row.participant, "absent": row.participant in lobby.absent}
            | {k: v for k, v in row.to_dict().items() if k != "participant"}
            for row in rows
        ],
    }
