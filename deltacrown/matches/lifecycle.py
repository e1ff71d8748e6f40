"""What the match use cases share: loading a match for an actor (locked), the guards, the
match's event history and live events, the stage's draw rule, check-in windows, and the
steps more than one use case takes (going live, cancelling, settling submissions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa

from deltacrown.brackets.models import Stage
from deltacrown.core import cache_versions, realtime
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches import policies, queries, scoring
from deltacrown.matches.errors import (
    InvalidTransitionError,
    PermissionDeniedError,
    TournamentNotOngoingError,
)
from deltacrown.matches.models import (
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
DRAW_FORMATS = frozenset({"round_robin", "swiss"})


# ----- loading and guards ------------------------------------------------------------------------
def load(match_id: int, actor: Any) -> tuple[Match, Tournament]:
    """The match and its tournament as the actor sees them, both row-locked (tournament
    first): 404 `match_not_found` when the actor may not see it."""
    return queries.visible_match(match_id, actor, for_update=True)


def require_manager(actor: Any, tournament: Tournament) -> None:
    if not policies.can_manage(actor, tournament):
        raise PermissionDeniedError("Only the tournament's organizers and staff may do this.")


def require_referee(actor: Any, tournament: Tournament) -> None:
    if not policies.can_referee(actor, tournament):
        raise PermissionDeniedError(
            "Only the tournament's organizers, referees and staff may do this."
        )


def require_side(match: Match, actor: Any) -> int:
    """The actor's side of the match (a participant's action): PermissionDeniedError for
    others, TournamentFrozenError while staff have the tournament frozen."""
    side = queries.side_of(match, actor)
    if side is None:
        raise PermissionDeniedError("Only the match's participants may do this.")
    tournament = db.session.get(Tournament, match.tournament_id)
    if tournament is not None:
        tournament.ensure_not_frozen()
    return side


def require_state(match: Match, *states: MatchStatus, action: str) -> None:
    """The action is taken from these states only (409 `invalid_transition` otherwise)."""
    if match.status not in states:
        raise InvalidTransitionError(
            f"Match {match.id} is {match.status.value}; cannot {action}.",
            current_status=match.status.value,
            allowed_from=[s.value for s in states],
        )


def require_ongoing(tournament: Tournament) -> None:
    if tournament.status is not TournamentStatus.ONGOING:
        raise TournamentNotOngoingError(
            f"Tournament {tournament.id} is {tournament.status.value}; matches are played while "
            "it is ongoing.",
            tournament_status=tournament.status.value,
        )


def pending_submission(match: Match) -> ResultSubmission:
    """The submission a match awaiting confirmation waits on."""
    pending = queries.pending_submission(match.id)
    if pending is None:  # a match awaiting confirmation always has one
        raise InvalidTransitionError(f"Match {match.id} has no pending submission.")
    return pending


# ----- history and live events -------------------------------------------------------------------
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


def publish_bracket_updated(match: Match) -> None:
    realtime.publish(
        f"tournament:{match.tournament_id}",
        "bracket.updated",
        {"tournament_id": match.tournament_id, "stage_id": match.stage_id, "match_id": match.id},
    )


# ----- the stage's rules -------------------------------------------------------------------------
def stage_of(match: Match) -> Stage:
    return db.session.get_one(Stage, match.stage_id)  # the session's copy when it has one


def draws_allowed(match: Match) -> bool:
    """As the engine decides: league formats whose stage allows draws."""
    stage = stage_of(match)
    return stage.format in DRAW_FORMATS and bool(stage.options.get("allow_draws"))


def winner_of(match: Match, games: list[list[int]]) -> int | None:
    return scoring.series_winner(
        games, match.best_of, match.participant_ids, draws=draws_allowed(match)
    )


def check_in_window(match: Match, tournament: Tournament) -> tuple[datetime, datetime] | None:
    """When a side may check in: from 30 minutes before `scheduled_at` until the grace ends.
    None for a match without a scheduled time: check-in is open while it is ready."""
    if match.scheduled_at is None:
        return None
    return (
        match.scheduled_at - CHECK_IN_OPENS,
        match.scheduled_at + timedelta(minutes=tournament.no_show_grace_minutes),
    )


# ----- steps shared by the use cases -------------------------------------------------------------
def settle_submissions(
    match: Match, status: SubmissionStatus, now: datetime, *, game: int | None = None
) -> None:
    """The match's open submissions (pending or disputed; of lobby game `game` when given)
    end as `status`."""
    for submission in queries.current_submissions(match.id):
        if submission.status in (SubmissionStatus.PENDING, SubmissionStatus.DISPUTED) and (
            game is None or submission.game == game
        ):
            submission.status = status
            submission.decided_at = now


def go_live(match: Match, actor: Any, now: datetime, *, automatic: bool) -> None:
    match.transition(M.LIVE)
    record_event(match, "started", actor, now=now, automatic=automatic)
    publish_event(match, "match.started", automatic=automatic)


def start_waiting(
    tournament: Tournament,
    now: datetime,
    *,
    match: Match | None = None,
    readied: Sequence[Match] | None = None,
) -> None:
    """With the tournament's `auto_start_matches`, while it is ongoing: its ready head-to-head
    matches without a scheduled time (or only `match`) go live at once, started by nobody.
    A scheduled match waits for its check-in; a lobby waits for its members' check-in (who
    is present decides its games). `readied`: every match that may have become ready in this
    transaction (a result's rows); when the match's lock found none waiting before
    (`queries.nothing_waited`), they are the only candidates and no query looks for others."""
    if not tournament.auto_start_matches or tournament.status is not TournamentStatus.ONGOING:
        return
    if match is not None:
        waiting = [match] if _waits_for_nobody(match) else []
    elif readied is not None and queries.nothing_waited(tournament.id):
        waiting = sorted(
            (m for m in readied if _waits_for_nobody(m)), key=lambda m: (m.position, m.id)
        )
    else:
        # Ids first (a result has just loaded the match it made ready: the session has it).
        ids = db.session.scalars(
            sa.select(Match.id)
            .where(queries.waiting_to_start(Match, tournament.id))
            .order_by(Match.position, Match.id)
            .with_for_update()
        ).all()
        if not _held(ids):
            _go_live_together(ids, tournament.id, now)
            return
        waiting = _matches(ids)
    for ready in waiting:
        go_live(ready, None, now, automatic=True)


@dataclass(frozen=True, slots=True)
class _Started:
    """A match going live with others (`_go_live_together`): what its history entry, its
    live event and its state change read of it."""

    id: int
    tournament_id: int
    status: MatchStatus = M.LIVE


def _held(ids: Sequence[int]) -> bool:
    session = db.session
    return any(session.identity_key(Match, i) in session.identity_map for i in ids)


def _go_live_together(ids: Sequence[int], tournament_id: int, now: datetime) -> None:
    """`go_live` (started by nobody) for matches the session holds no copy of, locked by the
    caller: one UPDATE for all of them instead of one per row (a 1,024-player cup starts 512
    matches at once), then each one's state change, history entry and live event, in
    order, as `go_live` sends them."""
    if not ids:
        return
    session = db.session()
    table = cast(sa.Table, Match.__table__)
    session.connection().execute(
        sa.update(table)
        .where(table.c.id.in_(ids), table.c.status == M.READY)
        .values(status=M.LIVE, version=table.c.version + 1, updated_at=utcnow())
    )
    cache_versions.rows_written(session, table, tournament_id)
    for match_id in ids:
        started = cast(Match, _Started(match_id, tournament_id))
        realtime.announce_state_change(Match.status, started, M.READY.value, M.LIVE.value)
        record_event(started, "started", None, now=now, automatic=True)
        publish_event(started, "match.started", automatic=True)


def _matches(ids: Sequence[int]) -> list[Match]:
    """The matches with these ids, in this order: the session's copies, the others read in
    one query."""
    session = db.session
    held = {i: session.identity_map.get(session.identity_key(Match, i)) for i in ids}
    missing = [i for i, match in held.items() if match is None]
    if missing:
        held.update(
            (m.id, m) for m in session.scalars(sa.select(Match).where(Match.id.in_(missing)))
        )
    return [m for m in (held[i] for i in ids) if m is not None]


def _waits_for_nobody(match: Match) -> bool:
    return match.status is M.READY and match.scheduled_at is None and match.lobby is None


def cancel(match: Match, actor: Any, reason: str, now: datetime) -> None:
    """Stop the match for the organizer to decide: its submissions and check-ins are set
    aside, and it blocks its round until settled."""
    settle_submissions(match, SubmissionStatus.SUPERSEDED, now)
    match.transition(M.CANCELLED)
    db.session.execute(sa.delete(MatchCheckIn).where(MatchCheckIn.match_id == match.id))
    db.session.flush()
    record_event(match, "cancelled", actor, now=now, reason=reason)
    publish_event(match, "match.cancelled", reason=reason)
