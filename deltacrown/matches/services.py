"""Match lifecycle use cases (flush, never commit): schedule, check in, start, submit, confirm,
dispute, override, forfeit, cancel; and completion through the brackets service.

States (on `brackets.Match.status`): `scheduled` (a side unknown) → `ready` → `live` →
`awaiting_confirmation` → `completed`; also `disputed`, `forfeit`, `cancelled`. Every use
case locks the tournament row, then the match row (`queries.visible_match(for_update=True)`),
so two sides acting at once are serialised. Results enter the bracket only through
`brackets.services.record_match_result` / `correct_match_result` (routing, placements and the
tournament's completion live there); this module writes `TournamentResult` rows when the
tournament completes, and publishes `bracket.updated` after commit.

Live channels: `live.py` publishes `match.state_changed` for every status change and holds
the running score (`update_score`).

A battle-royale lobby's match (`match.lobby`) shares the states, check-in, start, cancel and
the sweeps; its results, confirmation, disputes and no-show rule live in `lobbies.py`, which
the use cases below hand lobby matches to. A lobby has no forfeit and no override.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, BinaryIO

import sqlalchemy as sa

from deltacrown.brackets import engine, store
from deltacrown.brackets import queries as bracket_queries
from deltacrown.brackets import services as bracket_services
from deltacrown.brackets.errors import CorrectionBlockedError
from deltacrown.brackets.models import Stage, StageStatus, TournamentResult
from deltacrown.core import audit, realtime, signals, storage
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches import live, policies, queries
from deltacrown.matches.errors import (
    AlreadyCheckedInError,
    AlreadySubmittedError,
    CheckInClosedError,
    CheckInNotOpenError,
    DependentMatchStartedError,
    DisputeExistsError,
    DisputesOpenError,
    InvalidScoresError,
    InvalidTransitionError,
    PermissionDeniedError,
    TournamentNotOngoingError,
    ValidationError,
)
from deltacrown.matches.models import (
    Dispute,
    DisputeOutcome,
    DisputeStatus,
    Match,
    MatchCheckIn,
    MatchEvent,
    MatchStatus,
    ResultSubmission,
    SubmissionStatus,
)
from deltacrown.tournaments.models import Tournament, TournamentStatus

M = MatchStatus
CHECK_IN_OPENS = timedelta(minutes=30)
MAX_BEST_OF = 15
MAX_EVIDENCE = 5  # files per submission or dispute
MIN_DISPUTE_REASON = 20
DRAW_FORMATS = frozenset({"round_robin", "swiss"})


# ----- helpers ---------------------------------------------------------------------------------
def _load(match_id: int, actor: Any) -> tuple[Match, Tournament]:
    return queries.visible_match(match_id, actor, for_update=True)


def _require_manager(actor: Any, tournament: Tournament) -> None:
    if not policies.can_manage(actor, tournament):
        raise PermissionDeniedError("Only the tournament's organizers and staff may do this.")


def _require_side(match: Match, actor: Any) -> int:
    side = queries.side_of(match, actor)
    if side is None:
        raise PermissionDeniedError("Only the match's participants may do this.")
    return side


def _require_pair(match: Match, action: str) -> None:
    if match.lobby is not None:
        raise InvalidTransitionError(
            f"Match {match.id} is a battle-royale lobby; cannot {action}. Record or replace "
            "the lobby's games instead.",
            current_status=match.status.value,
        )


def _require_state(match: Match, *states: MatchStatus, action: str) -> None:
    if match.status not in states:
        raise InvalidTransitionError(
            f"Match {match.id} is {match.status.value}; cannot {action}.",
            current_status=match.status.value,
            allowed_from=[s.value for s in states],
        )


def evidence_problems(evidence: Sequence[str]) -> list[str]:
    """What is wrong with a list of evidence keys (empty when nothing): each must be an
    evidence upload of this app (`upload_evidence`), at most MAX_EVIDENCE of them."""
    problems = [f"At most {MAX_EVIDENCE} files."] if len(evidence) > MAX_EVIDENCE else []
    for key in evidence:
        try:
            kind, _type = storage.parse_key(key)
        except storage.InvalidKeyError:
            kind = None
        if kind != "evidence":
            problems.append(f"{key!r} is not an evidence upload.")
    return problems


def check_evidence(evidence: Sequence[str]) -> list[str]:
    """The evidence keys, or ValidationError (422) naming what is wrong."""
    problems = evidence_problems(evidence)
    if problems:
        raise ValidationError("The evidence is not valid.", errors={"evidence": problems})
    return list(evidence)


def require_ongoing(tournament: Tournament) -> None:
    if tournament.status is not TournamentStatus.ONGOING:
        raise TournamentNotOngoingError(
            f"Tournament {tournament.id} is {tournament.status.value}; matches are played while "
            "it is ongoing.",
            tournament_status=tournament.status.value,
        )


def record_event(
    match: Match,
    type_: str,
    actor: Any,
    *,
    registration_id: int | None = None,
    now: datetime | None = None,
    **data: Any,
) -> MatchEvent:
    event = MatchEvent(
        match_id=match.id,
        tournament_id=match.tournament_id,
        type=type_,
        actor_id=getattr(actor, "id", None),
        registration_id=registration_id,
        data=data,
        created_at=now or utcnow(),
    )
    db.session.add(event)
    return event


def publish_event(match: Match, type_: str, **data: Any) -> None:
    payload = {
        "match_id": match.id,
        "tournament_id": match.tournament_id,
        "status": match.status.value,
        **data,
    }
    realtime.publish(f"match:{match.id}", type_, payload)
    realtime.publish(f"tournament:{match.tournament_id}", type_, payload)


def _stage(match: Match) -> Stage:
    return db.session.get_one(Stage, match.stage_id)  # the session's copy when it has one


def draws_allowed(match: Match) -> bool:
    """As the engine decides: league formats whose stage allows draws."""
    stage = _stage(match)
    return stage.format in DRAW_FORMATS and bool(stage.options.get("allow_draws"))


def _pending(match: Match) -> ResultSubmission:
    """The submission a match awaiting confirmation waits on."""
    pending = queries.pending_submission(match.id)
    if pending is None:  # a match awaiting confirmation always has one
        raise InvalidTransitionError(f"Match {match.id} has no pending submission.")
    return pending


def check_in_window(match: Match, tournament: Tournament) -> tuple[datetime, datetime] | None:
    """When a side may check in: from 30 minutes before `scheduled_at` until the grace ends."""
    if match.scheduled_at is None:
        return None
    return (
        match.scheduled_at - CHECK_IN_OPENS,
        match.scheduled_at + timedelta(minutes=tournament.no_show_grace_minutes),
    )


# ----- scores ----------------------------------------------------------------------------------
def series_winner(
    games: Sequence[Sequence[int]],
    best_of: int,
    participants: tuple[int | None, int | None],
    *,
    draws: bool,
) -> int | None:
    """The series winner's registration id from per-game scores (None: a drawn series, where the
    stage allows draws). Raises InvalidScoresError when the games cannot end a best-of-N:
    too many games, play after the series was decided, an undecided series, a drawn game where
    draws are not allowed."""

    def bad(message: str) -> InvalidScoresError:
        return InvalidScoresError(message, errors={"games": [message]})

    if not games:
        raise bad("Give at least one game's scores.")
    if len(games) > best_of:
        raise bad(f"A best-of-{best_of} has at most {best_of} games.")
    need = best_of // 2 + 1
    won = [0, 0]
    for number, (first, second) in enumerate(games, start=1):
        if max(won) >= need:
            raise bad(f"Game {number} was played after the series was decided.")
        if first < 0 or second < 0:
            raise bad("Scores are not negative.")
        if first == second:
            if not draws:
                raise bad(f"Game {number} is a draw; this match needs a winner of every game.")
            continue
        won[0 if first > second else 1] += 1
    if won[0] >= need:
        return participants[0]
    if won[1] >= need:
        return participants[1]
    if draws and len(games) == best_of and won[0] != won[1]:
        return participants[0] if won[0] > won[1] else participants[1]
    if draws and len(games) == best_of:
        return None
    raise bad(f"The games do not decide a best-of-{best_of} (first to {need}).")


def winner_of(match: Match, games: Sequence[Sequence[int]]) -> int | None:
    return series_winner(games, match.best_of, match.participant_ids, draws=draws_allowed(match))


def normalise_games(games: Sequence[Sequence[int]]) -> list[list[int]]:
    return [[int(g[0]), int(g[1])] for g in games]


# ----- completion --------------------------------------------------------------------------------
def write_placements(tournament_id: int) -> list[TournamentResult]:
    """The completed tournament's placements as TournamentResult rows, from its last stage
    (idempotent: existing rows are returned unchanged)."""
    existing = list(
        db.session.scalars(
            sa.select(TournamentResult)
            .where(TournamentResult.tournament_id == tournament_id)
            .order_by(TournamentResult.placement, TournamentResult.id)
        )
    )
    if existing:
        return existing
    stages = bracket_queries.stages_of(tournament_id)
    if not stages or stages[-1].status is not StageStatus.COMPLETED:
        return []
    rows = [
        TournamentResult(
            tournament_id=tournament_id,
            registration_id=p["registration_id"],
            placement=p["placement"],
        )
        for p in stages[-1].placements or []
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def complete_match(
    match: Match,
    tournament: Tournament,
    *,
    winner: int | None,
    games: Sequence[Sequence[int]],
    forfeit: bool = False,
    now: datetime,
) -> Match:
    """Apply the result through the brackets service (routing, standings, placements, the
    tournament's completion, `match.completed`), then placements and `bracket.updated`."""
    bracket_services.record_match_result(
        match.id,
        winner_registration_id=winner,
        scores=normalise_games(games),
        actor=None,
        forfeit=forfeit,
        now=now,
    )
    realtime.publish(
        f"tournament:{tournament.id}",
        "bracket.updated",
        {"tournament_id": tournament.id, "stage_id": match.stage_id, "match_id": match.id},
    )
    if tournament.status is TournamentStatus.COMPLETED:
        open_ids = queries.open_dispute_ids(tournament.id)
        if open_ids:  # the caller's unit of work rolls the result back
            raise DisputesOpenError(
                "This result would complete the tournament while disputes are open; "
                "settle them first.",
                dispute_ids=open_ids,
            )
        # The TournamentResult rows were written by the brackets completion hook
        # (matches.receivers), the same way for every path that completes a tournament.
    return match


def _settle_submissions(match: Match, status: SubmissionStatus, now: datetime) -> None:
    """The match's open submissions (pending, or disputed) end as `status`."""
    for submission in queries.current_submissions(match.id):
        if submission.status in (SubmissionStatus.PENDING, SubmissionStatus.DISPUTED):
            submission.status = status
            submission.decided_at = now


def on_direct_result(match: Match, actor: Any, now: datetime, game: int | None) -> None:
    """An organizer recorded the match's result (a lobby's game) outside the lifecycle: its
    pending submissions are superseded and its open dispute is resolved, overturned, as the
    override does."""
    if game is not None:
        from deltacrown.matches import lobbies

        lobbies.on_direct_game(match, actor, game, now)
        return
    _settle_submissions(match, SubmissionStatus.SUPERSEDED, now)
    _close_disputes(
        match, actor, DisputeOutcome.OVERTURNED, "The organizer recorded the result directly.", now
    )


def _close_disputes(
    match: Match,
    actor: Any,
    outcome: DisputeOutcome | None,
    text: str,
    now: datetime,
    *,
    corrected_games: list[Any] | None = None,
) -> None:
    dispute = queries.open_dispute(match.id)
    if dispute is None:
        return
    before = {"status": dispute.status.value}
    dispute.status = DisputeStatus.RESOLVED if outcome else DisputeStatus.DISMISSED
    dispute.outcome = outcome
    dispute.resolution = text
    if corrected_games is not None:
        dispute.corrected_games = corrected_games
    dispute.resolved_by_id = getattr(actor, "id", None)
    dispute.resolved_at = now
    audit.record(
        actor=actor,
        action="dispute.closed",
        target=dispute,
        before=before,
        after={
            "status": dispute.status.value,
            "outcome": outcome and outcome.value,
            "resolution": text,
        },
    )
    signals.send_after_commit(
        signals.dispute_resolved,
        "matches",
        dispute_id=dispute.id,
        match_id=dispute.match_id,
        tournament_id=dispute.tournament_id,
        status=dispute.status.value,
        outcome=outcome and outcome.value,
    )


# ----- scheduling ------------------------------------------------------------------------------
def schedule_match(
    match_id: int,
    *,
    actor: Any,
    scheduled_at: datetime | None = None,
    best_of: int | None = None,
    fields: Sequence[str] = (),
    now: datetime | None = None,
) -> Match:
    """Set a match's time and/or best-of (organizers; before play). A cancelled match that is
    rescheduled becomes ready again. `fields` names what the caller sent."""
    now = now or utcnow()
    match, tournament = _load(match_id, actor)
    _require_manager(actor, tournament)
    _require_state(match, M.SCHEDULED, M.READY, M.CANCELLED, action="reschedule it")
    before = {
        "scheduled_at": match.scheduled_at,
        "best_of": match.best_of,
        "status": match.status.value,
    }
    if "scheduled_at" in fields:
        if scheduled_at is not None and scheduled_at <= now:
            raise ValidationError(
                "A match is scheduled in the future.",
                errors={"scheduled_at": ["Must be in the future."]},
            )
        match.scheduled_at = scheduled_at
        db.session.execute(sa.delete(MatchCheckIn).where(MatchCheckIn.match_id == match.id))
    if "best_of" in fields and best_of is not None:
        if match.lobby is not None:
            raise ValidationError(
                "A lobby's number of games is the stage's.",
                errors={"best_of": ["Not for a lobby match."]},
            )
        if not 1 <= best_of <= MAX_BEST_OF:
            raise ValidationError(
                f"best_of is 1 to {MAX_BEST_OF}.",
                errors={"best_of": [f"Between 1 and {MAX_BEST_OF}."]},
            )
        if best_of % 2 == 0 and not draws_allowed(match):
            raise ValidationError(
                "A best-of must be odd where every match needs a winner.",
                errors={"best_of": ["Must be odd."]},
            )
        match.best_of = best_of
    if match.status is M.CANCELLED and (match.lobby is not None or all(match.participant_ids)):
        match.transition(M.READY)
    db.session.flush()
    after = {
        "scheduled_at": match.scheduled_at,
        "best_of": match.best_of,
        "status": match.status.value,
    }
    audit.record(actor=actor, action="match.scheduled", target=match, before=before, after=after)
    record_event(
        match,
        "scheduled",
        actor,
        now=now,
        scheduled_at=match.scheduled_at.isoformat() if match.scheduled_at else None,
        best_of=match.best_of,
    )
    publish_event(
        match,
        "match.scheduled",
        scheduled_at=match.scheduled_at.isoformat() if match.scheduled_at else None,
        best_of=match.best_of,
    )
    return match


# ----- check-in and start ----------------------------------------------------------------------
def check_in_match(match_id: int, *, actor: Any, now: datetime | None = None) -> Match:
    """A side checks in (from 30 minutes before `scheduled_at` to the end of the grace); when
    both have, the match starts (`live`)."""
    now = now or utcnow()
    match, tournament = _load(match_id, actor)
    side = _require_side(match, actor)
    _require_state(match, M.READY, action="check in")
    require_ongoing(tournament)
    window = check_in_window(match, tournament)
    if window is None or now < window[0]:
        raise CheckInNotOpenError(
            "Check-in opens 30 minutes before the match's scheduled time.",
            opens_at=window[0].isoformat() if window else None,
        )
    if now > window[1]:
        raise CheckInClosedError(
            "Check-in for this match has closed.", closed_at=window[1].isoformat()
        )
    present = queries.checked_in(match.id)  # the match row is locked: stays true below
    if side in present:
        raise AlreadyCheckedInError("This side has already checked in.")
    db.session.add(
        MatchCheckIn(
            match_id=match.id, registration_id=side, checked_in_by_id=actor.id, checked_in_at=now
        )
    )
    db.session.flush()
    record_event(match, "checked_in", actor, registration_id=side, now=now)
    publish_event(match, "match.checked_in", registration_id=side)
    if present | {side} >= set(queries.participants_of(match)):
        _go_live(match, None, now, automatic=True)
    return match


def _go_live(match: Match, actor: Any, now: datetime, *, automatic: bool) -> None:
    match.transition(M.LIVE)
    db.session.flush()
    record_event(match, "started", actor, now=now, automatic=automatic)
    publish_event(match, "match.started", automatic=automatic)


def start_match(match_id: int, *, actor: Any, now: datetime | None = None) -> Match:
    """ready → live (organizers; the check-in of both sides starts it by itself)."""
    now = now or utcnow()
    match, tournament = _load(match_id, actor)
    _require_manager(actor, tournament)
    _require_state(match, M.READY, action="start it")
    require_ongoing(tournament)
    _go_live(match, actor, now, automatic=False)
    audit.record(
        actor=actor,
        action="match.started",
        target=match,
        before={"status": M.READY.value},
        after={"status": M.LIVE.value},
    )
    return match


# ----- results ---------------------------------------------------------------------------------
def submit_result(
    match_id: int,
    *,
    games: Sequence[Sequence[int]] | None,
    actor: Any,
    evidence: Sequence[str] = (),
    results: Sequence[Mapping[str, Any]] | None = None,
    now: datetime | None = None,
) -> Match:
    """A side reports the per-game scores (live → awaiting_confirmation). The other side's
    submission confirms it when the games match, and disputes it otherwise. A lobby match
    takes one game's `results` instead (see `lobbies.submit`)."""
    now = now or utcnow()
    match, tournament = _load(match_id, actor)
    evidence = check_evidence(evidence)
    if match.lobby is not None:
        from deltacrown.matches import lobbies

        return lobbies.submit(
            match, tournament, results=results, actor=actor, evidence=evidence, now=now
        )
    side = _require_side(match, actor)
    _require_state(match, M.LIVE, M.AWAITING_CONFIRMATION, action="submit a result")
    require_ongoing(tournament)
    current = queries.current_submissions(match.id)
    if any(s.registration_id == side for s in current):
        raise AlreadySubmittedError("This side has already submitted a result.")
    if games is None:
        raise ValidationError(
            "A head-to-head match takes `games`: the per-game scores.",
            errors={"games": ["Required for a head-to-head match."]},
        )
    games = normalise_games(games)
    winner = winner_of(match, games)
    submission = ResultSubmission(
        match_id=match.id,
        registration_id=side,
        submitted_by_id=actor.id,
        games=games,
        winner_registration_id=winner,
        evidence=list(evidence),
        created_at=now,
    )
    db.session.add(submission)
    db.session.flush()
    record_event(
        match,
        "result_submitted",
        actor,
        registration_id=side,
        now=now,
        games=games,
        submission_id=submission.id,
    )
    pending = next((s for s in current if s.status is SubmissionStatus.PENDING), None)
    if pending is None:
        match.transition(M.AWAITING_CONFIRMATION)
        db.session.flush()
        publish_event(match, "match.result_submitted", registration_id=side, games=games)
        return match
    if [list(g) for g in pending.games] == games:
        return confirm_submission(match, tournament, pending, actor, now, also=submission)
    pending.status = submission.status = SubmissionStatus.DISPUTED
    pending.decided_at = submission.decided_at = now
    _open_dispute(
        match,
        actor,
        registration_id=side,
        submission=pending,
        now=now,
        evidence=evidence,
        reason="The two sides submitted different results for this match.",
    )
    return match


def confirm_submission(
    match: Match,
    tournament: Tournament,
    submission: ResultSubmission,
    actor: Any,
    now: datetime,
    *,
    also: ResultSubmission | None = None,
    automatic: bool = False,
) -> Match:
    for s in (submission, also):
        if s is not None:
            s.status, s.decided_at = SubmissionStatus.CONFIRMED, now
    record_event(
        match, "result_confirmed", actor, now=now, submission_id=submission.id, automatic=automatic
    )
    complete_match(
        match, tournament, winner=submission.winner_registration_id, games=submission.games, now=now
    )
    record_event(
        match, "completed", None, now=now, winner_registration_id=match.winner_registration_id
    )
    return match


def confirm_result(match_id: int, *, actor: Any, now: datetime | None = None) -> Match:
    """The other side (or an organizer) confirms the pending submission: the match completes."""
    now = now or utcnow()
    match, tournament = _load(match_id, actor)
    if match.lobby is not None:
        from deltacrown.matches import lobbies

        return lobbies.confirm(match, tournament, actor=actor, now=now)
    manager = policies.can_manage(actor, tournament)
    side = queries.side_of(match, actor)
    if side is None and not manager:
        raise PermissionDeniedError("Only the other side or an organizer may confirm.")
    _require_state(match, M.AWAITING_CONFIRMATION, action="confirm a result")
    require_ongoing(tournament)
    pending = _pending(match)
    if not policies.can_confirm(side, pending.registration_id, manager=manager):
        raise PermissionDeniedError("A side cannot confirm its own submission.")
    if manager and side is None:
        audit.record(
            actor=actor,
            action="match.result_confirmed",
            target=match,
            after={"submission_id": pending.id},
        )
    return confirm_submission(match, tournament, pending, actor, now)


def _open_dispute(
    match: Match,
    actor: Any,
    *,
    registration_id: int | None,
    submission: ResultSubmission | None,
    reason: str,
    now: datetime,
    evidence: Sequence[str] = (),
) -> Dispute:
    dispute = Dispute(
        match_id=match.id,
        tournament_id=match.tournament_id,
        registration_id=registration_id,
        raised_by_id=getattr(actor, "id", None),
        submission_id=submission and submission.id,
        reason=reason,
        evidence=list(evidence),
        created_at=now,
        updated_at=now,
    )
    db.session.add(dispute)
    if match.status is not M.COMPLETED:
        match.transition(M.DISPUTED)
    db.session.flush()
    record_event(
        match, "disputed", actor, registration_id=registration_id, now=now, dispute_id=dispute.id
    )
    signals.send_after_commit(
        signals.dispute_opened,
        "matches",
        dispute_id=dispute.id,
        match_id=match.id,
        tournament_id=match.tournament_id,
    )
    publish_event(match, "match.disputed", dispute_id=dispute.id)
    return dispute


def dispute_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_DISPUTE_REASON:
        raise ValidationError(
            f"Explain the dispute in at least {MIN_DISPUTE_REASON} characters.",
            errors={"reason": [f"At least {MIN_DISPUTE_REASON} characters."]},
        )
    return reason


def dispute_result(
    match_id: int,
    *,
    reason: str,
    actor: Any,
    evidence: Sequence[str] = (),
    now: datetime | None = None,
) -> Dispute:
    """A side disputes the other side's pending submission (→ disputed), or the result of a
    completed match of an ongoing tournament (the match stays completed until settled)."""
    now = now or utcnow()
    match, tournament = _load(match_id, actor)
    evidence = check_evidence(evidence)
    if match.lobby is not None:
        from deltacrown.matches import lobbies

        return lobbies.dispute(
            match, tournament, reason=reason, actor=actor, evidence=evidence, now=now
        )
    side = _require_side(match, actor)
    _require_state(match, M.AWAITING_CONFIRMATION, M.COMPLETED, action="dispute it")
    require_ongoing(tournament)
    reason = dispute_reason(reason)
    existing = queries.open_dispute(match.id)
    if existing is not None:
        raise DisputeExistsError("This match already has an open dispute.", dispute_id=existing.id)
    submission = None
    if match.status is M.AWAITING_CONFIRMATION:
        submission = _pending(match)
        if submission.registration_id == side:
            raise PermissionDeniedError("A side cannot dispute its own submission.")
        submission.status, submission.decided_at = SubmissionStatus.DISPUTED, now
    dispute = _open_dispute(
        match,
        actor,
        registration_id=side,
        submission=submission,
        reason=reason,
        now=now,
        evidence=evidence,
    )
    audit.record(
        actor=actor,
        action="dispute.opened",
        target=dispute,
        after={"match_id": match.id, "reason": reason},
    )
    return dispute


def preview_result(
    match: Match, winner: int | None, games: Sequence[Sequence[int]]
) -> dict[str, Any]:
    """What entering this result would change, from the engine, changing nothing."""
    stage = _stage(match)
    loaded = store.load_full(stage)
    engine_id = match.engine_id
    try:
        changes = engine.apply_result(loaded.stage, engine_id, winner, normalise_games(games))
    except engine.BracketError as exc:
        from deltacrown.brackets.errors import translate

        raise translate(exc) from exc
    return bracket_services._changes_json(loaded, changes)  # noqa: SLF001  (shared shape)


def override_result(
    match_id: int,
    *,
    games: Sequence[Sequence[int]],
    actor: Any,
    reason: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> dict[str, Any]:
    """An organizer enters or corrects a match's result. A completed match is corrected
    (re-routing while no dependent match has started: 409 `dependent_match_started`);
    otherwise the result completes it. Either way an open dispute is closed as overturned,
    the override its resolution. With `dry_run` nothing changes and the engine's preview of
    every downstream change is returned. Not for a lobby (409 `invalid_transition`)."""
    now = now or utcnow()
    match, tournament = _load(match_id, actor)
    _require_manager(actor, tournament)
    _require_pair(match, "override its result")
    _require_state(
        match,
        M.READY,
        M.LIVE,
        M.AWAITING_CONFIRMATION,
        M.DISPUTED,
        M.CANCELLED,
        M.COMPLETED,
        M.FORFEIT,
        action="override its result",
    )
    if tournament.status not in (TournamentStatus.ONGOING, TournamentStatus.COMPLETED):
        raise TournamentNotOngoingError(
            f"Tournament {tournament.id} is {tournament.status.value}.",
            tournament_status=tournament.status.value,
        )
    games = normalise_games(games)
    winner = winner_of(match, games)
    if match.has_result:
        if not dry_run:
            _close_disputes(
                match,
                actor,
                DisputeOutcome.OVERTURNED,
                reason or "The organizer overrode the result.",
                now,
                corrected_games=games,
            )
        return correct_result(match, tournament, winner, games, actor, reason, dry_run, now)
    require_ongoing(tournament)
    if dry_run:
        changes = preview_result(match, winner, games)
        return {
            "match_id": match.id,
            "applied": False,
            "allowed": True,
            "blocking": [],
            "changes": changes,
        }
    before = {"status": match.status.value, "scores": [list(g) for g in match.scores]}
    _settle_submissions(match, SubmissionStatus.SUPERSEDED, now)
    _close_disputes(
        match, actor, DisputeOutcome.OVERTURNED, reason or "The organizer entered the result.", now
    )
    complete_match(match, tournament, winner=winner, games=games, now=now)
    audit.record(
        actor=actor,
        action="match.result_overridden",
        target=match,
        before=before,
        after={
            "status": match.status.value,
            "scores": games,
            "winner_registration_id": match.winner_registration_id,
            "reason": reason,
        },
    )
    record_event(match, "result_overridden", actor, now=now, games=games, reason=reason)
    return {"match_id": match.id, "applied": True, "allowed": True, "blocking": [], "changes": None}


def correct_result(
    match: Match,
    tournament: Tournament,
    winner: int | None,
    games: list[list[int]],
    actor: Any,
    reason: str | None,
    dry_run: bool,
    now: datetime,
) -> dict[str, Any]:
    try:
        outcome = bracket_services.correct_match_result(
            match.id,
            winner_registration_id=winner,
            scores=games,
            actor=actor,
            preview=dry_run,
            now=now,
        )
    except CorrectionBlockedError as exc:
        blocking = exc.extra.get("blocking", [])
        raise DependentMatchStartedError(
            "Matches depending on this result have started.", blocking=blocking
        ) from exc
    if outcome.applied:
        record_event(match, "result_corrected", actor, now=now, games=games, reason=reason)
        realtime.publish(
            f"tournament:{tournament.id}",
            "bracket.updated",
            {"tournament_id": tournament.id, "stage_id": match.stage_id, "match_id": match.id},
        )
    return {
        "match_id": outcome.match_id,
        "applied": outcome.applied,
        "allowed": outcome.allowed,
        "blocking": outcome.blocking,
        "changes": outcome.changes,
    }


def rewrite_placements(tournament_id: int) -> None:
    """Replace the tournament's TournamentResult rows with its last stage's placements."""
    db.session.execute(
        sa.delete(TournamentResult).where(TournamentResult.tournament_id == tournament_id)
    )
    write_placements(tournament_id)


# ----- forfeits and cancellation ---------------------------------------------------------------
def _forfeit(
    match: Match, tournament: Tournament, loser: int, actor: Any, reason: str, now: datetime
) -> Match:
    winner = next(r for r in match.participant_ids if r != loser)
    _settle_submissions(match, SubmissionStatus.SUPERSEDED, now)
    _close_disputes(match, actor, None, f"The match was forfeited: {reason}", now)
    complete_match(match, tournament, winner=winner, games=[], forfeit=True, now=now)
    record_event(match, "forfeited", actor, registration_id=loser, now=now, reason=reason)
    return match


def forfeit(
    match_id: int, *, loser: int, reason: str, actor: Any, now: datetime | None = None
) -> Match:
    """An organizer records a forfeit: `loser` (one of the two registrations) loses, the other
    moves on without scores."""
    now = now or utcnow()
    match, tournament = _load(match_id, actor)
    _require_manager(actor, tournament)
    _require_pair(match, "forfeit it")
    _require_state(
        match,
        M.READY,
        M.LIVE,
        M.AWAITING_CONFIRMATION,
        M.DISPUTED,
        M.CANCELLED,
        action="forfeit it",
    )
    require_ongoing(tournament)
    if loser not in match.participant_ids:
        raise ValidationError(
            "The loser must be one of the match's two participants.",
            errors={"loser": ["Not a participant of this match."]},
        )
    before = {"status": match.status.value}
    _forfeit(match, tournament, loser, actor, reason, now)
    audit.record(
        actor=actor,
        action="match.forfeited",
        target=match,
        before=before,
        after={"status": match.status.value, "loser": loser, "reason": reason},
    )
    return match


def cancel_match(match_id: int, *, reason: str, actor: Any, now: datetime | None = None) -> Match:
    """An organizer stops a match before its result (→ cancelled); it waits for the organizer
    to reschedule it, forfeit a side or enter the result."""
    now = now or utcnow()
    match, tournament = _load(match_id, actor)
    _require_manager(actor, tournament)
    _require_state(match, M.READY, M.LIVE, M.AWAITING_CONFIRMATION, M.DISPUTED, action="cancel it")
    before = {"status": match.status.value}
    _cancel(match, actor, reason, now)
    audit.record(
        actor=actor,
        action="match.cancelled",
        target=match,
        before=before,
        after={"status": M.CANCELLED.value, "reason": reason},
    )
    return match


def _cancel(match: Match, actor: Any, reason: str, now: datetime) -> None:
    _settle_submissions(match, SubmissionStatus.SUPERSEDED, now)
    match.transition(M.CANCELLED)
    db.session.execute(sa.delete(MatchCheckIn).where(MatchCheckIn.match_id == match.id))
    db.session.flush()
    record_event(match, "cancelled", actor, now=now, reason=reason)
    publish_event(match, "match.cancelled", reason=reason)


# ----- the sweeps ------------------------------------------------------------------------------
def auto_confirm_due(*, now: datetime | None = None) -> int:
    """Confirm submissions left unanswered for the tournament's `result_confirmation_minutes`."""
    now = now or utcnow()
    done = 0
    for match_id, submission_id in queries.due_confirmations(now):
        match, tournament = _system_load(match_id)
        submission = db.session.get(ResultSubmission, submission_id)
        if (
            match.status is not M.AWAITING_CONFIRMATION
            or submission is None
            or submission.status is not SubmissionStatus.PENDING
            or tournament.status is not TournamentStatus.ONGOING
        ):
            continue
        step: Callable[..., Any] = confirm_submission
        if match.lobby is not None:
            from deltacrown.matches import lobbies

            step = lobbies.confirm_game
        if _in_savepoint(step, match, tournament, submission, None, now, automatic=True):
            done += 1
    return done


def _in_savepoint(step: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Run one sweep step in a savepoint: a result refused because disputes are open (the
    tournament's last match) is undone with its after-commit effects, the others stand, and
    the sweep tries it again next minute."""
    info = db.session().info
    mark = len(info.get("after_commit", []))
    try:
        with db.session.begin_nested():
            step(*args, **kwargs)
    except DisputesOpenError:
        del info.setdefault("after_commit", [])[mark:]
        return False
    return True


def _system_load(match_id: int) -> tuple[Match, Tournament]:
    tournament, match = queries.lock_match(match_id)
    return match, tournament


def forfeit_no_shows(*, now: datetime | None = None) -> dict[str, int]:
    """After `scheduled_at + no_show_grace_minutes`: the side that did not check in forfeits;
    when neither did, the match is cancelled for the organizer to decide. In a lobby the
    members not checked in are marked absent and the others play (`absent` counts such
    lobbies); nobody checked in: cancelled."""
    now = now or utcnow()
    counts = {"forfeited": 0, "cancelled": 0, "absent": 0}
    for match_id in queries.due_no_shows(now):
        match, tournament = _system_load(match_id)
        if match.status is not M.READY or tournament.status is not TournamentStatus.ONGOING:
            continue
        if match.lobby is not None:
            from deltacrown.matches import lobbies

            outcome = lobbies.no_show(match, tournament, now)
            counts[outcome] = counts.get(outcome, 0) + 1
            continue
        present = queries.checked_in(match.id)
        absent = [r for r in match.participant_ids if r is not None and r not in present]
        if len(absent) == 1:
            loser = absent[0]
            if _in_savepoint(_forfeit, match, tournament, loser, None, "no_show", now):
                counts["forfeited"] += 1
        elif len(absent) == 2:
            _cancel(match, None, "no_show", now)
            counts["cancelled"] += 1
    return counts


def upload_evidence(match_id: int, *, stream: BinaryIO, filename: str | None, actor: Any) -> str:
    """Store an evidence file for a match (its sides and organizers); its storage key."""
    match, tournament = queries.visible_match(match_id, actor)
    if queries.side_of(match, actor) is None and not policies.can_manage(actor, tournament):
        raise PermissionDeniedError("Only the match's sides and organizers upload evidence.")
    return storage.save(stream, "evidence", filename)


def match_state(match: Match, tournament: Tournament) -> dict[str, Any]:
    """The lifecycle view of a match: check-ins, current submissions, deadlines, dispute."""
    window = check_in_window(match, tournament)
    submissions = queries.current_submissions(match.id)
    pending = next((s for s in submissions if s.status is SubmissionStatus.PENDING), None)
    dispute = queries.open_dispute(match.id)
    lobby: dict[str, Any] = {}
    if match.lobby is not None:
        from deltacrown.matches import lobbies

        lobby = lobbies.lobby_state(match)
    return lobby | {
        "checked_in": sorted(queries.checked_in(match.id)),
        "submissions": submissions,
        "check_in_opens_at": window[0] if window else None,
        "check_in_closes_at": window[1] if window else None,
        "confirm_by": pending.created_at + timedelta(minutes=tournament.result_confirmation_minutes)
        if pending
        else None,
        "open_dispute_id": dispute.id if dispute else None,
        "live_scores": live.live_scores(match.id),
    }
