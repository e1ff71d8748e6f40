"""Read helpers for the match lifecycle: a visible match, the side an actor plays, check-ins,
submissions, disputes, events, and the rows the sweeps find due."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from deltacrown.brackets import queries as bracket_queries
from deltacrown.brackets.models import Round, Stage
from deltacrown.extensions import db
from deltacrown.matches import policies
from deltacrown.matches.errors import DisputeNotFoundError, MatchNotFoundError
from deltacrown.matches.models import (
    OPEN_DISPUTE_STATUSES,
    Dispute,
    DisputeStatus,
    Match,
    MatchCheckIn,
    MatchEvent,
    MatchStatus,
    ResultSubmission,
    SubmissionStatus,
)
from deltacrown.registrations.models import Registration, RegistrationMember
from deltacrown.teams.models import Team
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.errors import TournamentNotFoundError
from deltacrown.tournaments.models import (
    StaffRole,
    Tournament,
    TournamentOrganizer,
    TournamentStaff,
    TournamentStatus,
)


def visible_match(
    match_id: int, actor: Any, *, for_update: bool = False
) -> tuple[Match, Tournament]:
    """The match and its tournament if the actor may see the bracket; MatchNotFoundError else.
    With `for_update` both are locked first, and the visibility check reads the locked row."""
    try:
        if for_update:
            tournament, match = lock_match(match_id)
        else:
            found = db.session.get(Match, match_id)
            if found is None:
                raise MatchNotFoundError(f"No match {match_id}.")
            match = found
        tournament = bracket_queries.visible_tournament(match.tournament_id, actor)
    except TournamentNotFoundError:
        raise MatchNotFoundError(f"No match {match_id}.") from None
    return match, tournament


def lock_match(match_id: int) -> tuple[Tournament, Match]:
    """Lock the match's tournament row, then the match row (always in that order, as the
    brackets service locks tournament then stage), both freshly loaded. The tournament is
    found through the match in the locking statement itself (one round trip); the second
    statement also locks and loads the match's stage and the matches its winner and loser
    move to, which a result writes next (the tournament's lock already keeps every other
    writer of them waiting), whether it has open submissions or an open dispute
    (`open_paperwork`), and whether any match of the tournament waits to be started
    (`nothing_waited`)."""
    tournament = tournament_queries.lock_tournament_where(_TOURNAMENT_OF_MATCH, match_id=match_id)
    if tournament is None:
        raise MatchNotFoundError(f"No match {match_id}.")
    if tournament.is_deleted:
        raise TournamentNotFoundError(f"No tournament {tournament.id}.")
    rows = db.session.execute(_locking_statement(), {"match_id": match_id}).all()
    locked = next((row for row in rows if row[0].id == match_id), None)
    if locked is None:  # deleted between the two statements (the tournament lock now holds it)
        raise MatchNotFoundError(f"No match {match_id}.")
    bracket_queries.remember_locked(locked[1], *(row[0] for row in rows))
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info[_PAPERWORK_KEY] = (transaction, match_id, (bool(locked[2]), bool(locked[3])))
    session.info[_WAITING_KEY] = (transaction, tournament.id, bool(locked[4]))
    return tournament, locked[0]


def waiting_to_start(match: Any, tournament_id: Any) -> Any:
    """The condition of a tournament's matches that go live by themselves when it
    auto-starts: ready head-to-head matches without a scheduled time."""
    return sa.and_(
        match.tournament_id == tournament_id,
        match.status == MatchStatus.READY,
        match.scheduled_at.is_(None),
        match.lobby.is_(None),
    )


def nothing_waited(tournament_id: int) -> bool:
    """True when `lock_match`, earlier in this transaction and under the tournament's lock,
    found no match of the tournament waiting to start (`waiting_to_start`): the matches a
    result makes ready are then the only ones that can. Answers once per lock (False when
    unknown)."""
    session = db.session()
    known = session.info.pop(_WAITING_KEY, None)
    return known is not None and known[0].is_active and known[1] == tournament_id and not known[2]


_TOURNAMENT_OF_MATCH = Tournament.id == (
    sa.select(Match.tournament_id).where(Match.id == sa.bindparam("match_id")).scalar_subquery()
)


@functools.cache
def _locking_statement() -> sa.Select[Any]:
    """The match (bound `match_id`), the matches it feeds and its stage, locked, with its
    paperwork (built once: building it costs more than running it)."""
    return (
        sa.select(Match, Stage, *_paperwork(Match.id), _any_waiting())
        .join(Stage, Stage.id == Match.stage_id)
        .where(_match_and_fed())
        .with_for_update(of=[Match, Stage])
        .execution_options(populate_existing=True)
    )


def _match_and_fed() -> Any:
    """`id IN (:match_id, (subquery), (subquery))`: the match and the matches its winner and
    loser move to, a primary-key lookup of three ids."""
    source = orm.aliased(Match)
    match_id: Any = sa.bindparam("match_id")
    fed = [
        sa.select(column).where(source.id == match_id).scalar_subquery()
        for column in (source.next_match_winner_id, source.next_match_loser_id)
    ]
    return Match.id.in_([match_id, *fed])


def _any_waiting() -> Any:
    """EXISTS a match of the row's tournament waiting to be started (`waiting_to_start`)."""
    other = orm.aliased(Match)
    return sa.exists().where(waiting_to_start(other, Match.tournament_id))


@dataclass(frozen=True, slots=True)
class TournamentFacts:
    """What a result's guards read of a tournament (`policies`, its status, auto-start), read
    with its lock by `lock_for_direct_result` instead of the whole row."""

    id: int
    status: TournamentStatus
    is_deleted: bool
    organizer_id: int
    auto_start_matches: bool
    organizer_ids: frozenset[int]
    referee_ids: frozenset[int]

    def staff_ids(self, role: str) -> set[int]:
        return set(self.referee_ids) if role == StaffRole.REFEREE else set()


def lock_for_direct_result(match_id: int) -> tuple[TournamentFacts | None, list[sa.Row[Any]]]:
    """In one statement, `lock_match`'s two: the match's tournament locked first with what a
    result's guards read of it (`TournamentFacts`), then the match, the matches it feeds,
    their rounds' side and number and their stage as plain rows (no ORM objects), locked,
    with the match's paperwork and whether a match of the tournament waits to be started.
    (None, []) when there is no such match. PostgreSQL.

    The tournament's lock is a CTE the statement's one-time filter reads: PostgreSQL
    evaluates it before it reads any match, so the locks are taken in `lock_match`'s order
    (`tests/performance/test_result_statements.py` checks the plan)."""
    rows = list(db.session.connection().execute(direct_result_lock(), {"match_id": match_id}))
    if not rows:
        return None, []
    (tournament_id, status, deleted, owner, auto_start, co, referees) = rows[0].t_facts
    facts = TournamentFacts(
        tournament_id, TournamentStatus(status), deleted, owner, auto_start,
        frozenset((owner, *(co or ()))), frozenset(referees or ()),
    )  # fmt: skip
    return facts, rows


@functools.cache
def direct_result_lock() -> sa.Select[Any]:
    """The statement of `lock_for_direct_result` (bound `match_id`; built once)."""
    co = sa.select(sa.func.array_agg(TournamentOrganizer.user_id)).where(
        TournamentOrganizer.tournament_id == Tournament.id
    )
    referees = sa.select(sa.func.array_agg(TournamentStaff.user_id)).where(
        TournamentStaff.tournament_id == Tournament.id, TournamentStaff.role == StaffRole.REFEREE
    )
    locked = (
        sa.select(
            Tournament.id,
            sa.func.json_build_array(
                Tournament.id, Tournament.status, Tournament.deleted_at.is_not(None),
                Tournament.organizer_id, Tournament.auto_start_matches, co.scalar_subquery(),
                referees.scalar_subquery(),
            ).label("facts"),
        )
        .where(_TOURNAMENT_OF_MATCH)
        .with_for_update(of=Tournament)
        .cte("locked_tournament")
    )  # fmt: skip
    return (
        _row_locking_statement()
        .add_columns(sa.select(locked.c.facts).scalar_subquery().label("t_facts"))
        .where(sa.select(locked.c.id).scalar_subquery().is_not(None))
    )


ROW_COLUMNS = (
    "id", "tournament_id", "stage_id", "engine_id", "position", "best_of", "status", "is_reset",
    "slot1_kind", "slot1_ref", "slot2_kind", "slot2_ref", "participant1_registration_id",
    "participant2_registration_id", "winner_registration_id", "scores",
    "next_match_winner_id", "next_match_winner_slot", "next_match_loser_id",
    "next_match_loser_slot", "scheduled_at", "lobby",
)  # fmt: skip
STAGE_COLUMNS = ("format", "options", "seeds", "byes", "groups", "lobbies", "more_rounds",
                 "open_count")  # fmt: skip
STAGE_DOCUMENTS = frozenset({"options", "seeds", "byes", "groups", "lobbies"})


@functools.cache
def _row_locking_statement() -> sa.Select[Any]:
    """`_locking_statement` as plain columns (the same rows, locks and flags)."""
    match_id: Any = sa.bindparam("match_id")
    return (
        sa.select(
            *(getattr(Match, name) for name in ROW_COLUMNS),
            Round.side,
            Round.number.label("round_number"),
            # The stage's documents once, on the match's own row (the seeds of a large stage
            # are most of the statement's bytes).
            *(
                (
                    sa.case((Match.id == match_id, getattr(Stage, name)))
                    if name in STAGE_DOCUMENTS
                    else getattr(Stage, name)
                ).label(f"stage_{name}")
                for name in STAGE_COLUMNS
            ),
            *(
                column.label(name)
                for column, name in zip(
                    _paperwork(Match.id), ("open_submissions", "open_dispute"), strict=True
                )
            ),
            _any_waiting().label("waiting"),
        )
        .join(Round, Round.id == Match.round_id)
        .join(Stage, Stage.id == Match.stage_id)
        .where(_match_and_fed())
        .with_for_update(of=[Match, Stage])
    )


_PAPERWORK_KEY = "deltacrown_match_paperwork"
_WAITING_KEY = "deltacrown_matches_waiting"


def _paperwork(match_id: Any) -> tuple[Any, Any]:
    """EXISTS of the match's open submissions (pending or disputed) and of its open dispute."""
    submissions = sa.exists().where(
        ResultSubmission.match_id == match_id,
        ResultSubmission.status.in_((SubmissionStatus.PENDING, SubmissionStatus.DISPUTED)),
    )
    disputes = sa.exists().where(
        Dispute.match_id == match_id, Dispute.status.in_(OPEN_DISPUTE_STATUSES)
    )
    return submissions, disputes


def open_paperwork(match_id: int) -> tuple[bool, bool]:
    """Whether the match has open submissions (pending or disputed) and an open dispute: a
    result settles them, and most matches have neither. Right after `lock_match` (nothing
    has changed them since) its answer is used once; otherwise one query asks."""
    session = db.session()
    known = session.info.pop(_PAPERWORK_KEY, None)
    if known is not None and known[0].is_active and known[1] == match_id:
        return known[2]  # type: ignore[no-any-return]
    row = db.session.execute(sa.select(*_paperwork(match_id))).one()
    return bool(row[0]), bool(row[1])


def participants_of(match: Match) -> list[int]:
    """The registrations that play the match: its two sides, or a lobby's members."""
    if match.lobby is not None:
        lobby = bracket_queries.lobby_of(match)
        return [int(r) for r in lobby["participants"]] if lobby else []
    return [r for r in match.participant_ids if r is not None]


def side_of(match: Match, actor: Any) -> int | None:
    """The registration id (of the match's two, or a lobby's members) the actor speaks for,
    or None."""
    if actor is None:
        return None
    ids = participants_of(match)
    if not ids:
        return None
    rows = db.session.execute(
        sa.select(Registration.id, Registration.user_id, Team.captain_id)
        .outerjoin(Team, Team.id == Registration.team_id)
        .where(Registration.id.in_(ids))
    ).all()
    roster: dict[int, set[int]] = {r: set() for r in ids}
    for registration_id, user_id in db.session.execute(
        sa.select(RegistrationMember.registration_id, RegistrationMember.user_id).where(
            RegistrationMember.registration_id.in_(ids), RegistrationMember.is_active.is_(True)
        )
    ):
        roster[registration_id].add(user_id)
    for registration_id, user_id, captain_id in rows:
        if policies.acts_for(
            actor.id, user_id=user_id, captain_id=captain_id, roster=roster[registration_id]
        ):
            return int(registration_id)
    return None


def checked_in(match_id: int) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(MatchCheckIn.registration_id).where(MatchCheckIn.match_id == match_id)
        )
    )


def current_submissions(match_id: int) -> list[ResultSubmission]:
    """The match's submissions not superseded, oldest first."""
    return list(
        db.session.scalars(
            sa.select(ResultSubmission)
            .where(
                ResultSubmission.match_id == match_id,
                ResultSubmission.status != SubmissionStatus.SUPERSEDED,
            )
            .order_by(ResultSubmission.id)
        )
    )


def pending_submission(match_id: int) -> ResultSubmission | None:
    return db.session.scalar(
        sa.select(ResultSubmission)
        .where(
            ResultSubmission.match_id == match_id,
            ResultSubmission.status == SubmissionStatus.PENDING,
        )
        .order_by(ResultSubmission.id)
        .limit(1)
    )


def open_dispute(match_id: int) -> Dispute | None:
    return db.session.scalar(
        sa.select(Dispute)
        .where(Dispute.match_id == match_id, Dispute.status.in_(OPEN_DISPUTE_STATUSES))
        .limit(1)
    )


def open_dispute_ids(tournament_id: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(Dispute.id)
            .where(
                Dispute.tournament_id == tournament_id,
                Dispute.status.in_(OPEN_DISPUTE_STATUSES),
            )
            .order_by(Dispute.id)
        )
    )


def list_events(match_id: int) -> sa.Select[tuple[MatchEvent]]:
    return sa.select(MatchEvent).where(MatchEvent.match_id == match_id)


def managed_tournament_ids(actor: Any) -> sa.CompoundSelect[Any]:
    """Ids of the tournaments the actor owns or co-organizes."""
    owned = sa.select(Tournament.id).where(Tournament.organizer_id == actor.id)
    co = sa.select(TournamentOrganizer.tournament_id).where(TournamentOrganizer.user_id == actor.id)
    return owned.union(co)


def refereed_tournament_ids(actor: Any) -> sa.CompoundSelect[Any]:
    """Ids of the tournaments the actor organizes or referees."""
    owned = sa.select(Tournament.id).where(Tournament.organizer_id == actor.id)
    co = sa.select(TournamentOrganizer.tournament_id).where(TournamentOrganizer.user_id == actor.id)
    refereed = sa.select(TournamentStaff.tournament_id).where(
        TournamentStaff.user_id == actor.id, TournamentStaff.role == StaffRole.REFEREE
    )
    return sa.union(owned, co, refereed)


def list_disputes(
    actor: Any,
    *,
    status: str | None = None,
    tournament_id: int | None = None,
    match_id: int | None = None,
) -> sa.Select[tuple[Dispute]]:
    """Disputes the actor settles (staff: all; organizers and referees: their tournaments'),
    filtered."""
    query = sa.select(Dispute)
    if not (actor.is_staff or actor.is_superuser):
        query = query.where(Dispute.tournament_id.in_(refereed_tournament_ids(actor)))
    if status is not None:
        query = query.where(Dispute.status == DisputeStatus(status))
    if tournament_id is not None:
        query = query.where(Dispute.tournament_id == tournament_id)
    if match_id is not None:
        query = query.where(Dispute.match_id == match_id)
    return query


def get_dispute(dispute_id: int, *, for_update: bool = False) -> Dispute:
    query = sa.select(Dispute).where(Dispute.id == dispute_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    dispute = db.session.scalar(query)
    if dispute is None:
        raise DisputeNotFoundError(f"No dispute {dispute_id}.")
    return dispute


# ----- the sweeps ------------------------------------------------------------------------------
def due_confirmations(now: datetime) -> list[tuple[int, int]]:
    """(match id, submission id) of pending submissions older than their tournament's
    confirmation window, on matches awaiting confirmation."""
    rows = db.session.execute(
        sa.select(
            ResultSubmission.match_id,
            ResultSubmission.id,
            ResultSubmission.created_at,
            Tournament.result_confirmation_minutes,
        )
        .join(Match, Match.id == ResultSubmission.match_id)
        .join(Tournament, Tournament.id == Match.tournament_id)
        .where(
            ResultSubmission.status == SubmissionStatus.PENDING,
            Match.status == MatchStatus.AWAITING_CONFIRMATION,
            ResultSubmission.created_at <= now,
        )
        .order_by(ResultSubmission.id)
    ).all()
    return [
        (match_id, sub_id)
        for match_id, sub_id, created, minutes in rows
        if created + timedelta(minutes=minutes) <= now
    ]


def due_no_shows(now: datetime) -> list[int]:
    """Ready matches whose check-in ended (`scheduled_at + no_show_grace_minutes`)."""
    rows = db.session.execute(
        sa.select(Match.id, Match.scheduled_at, Tournament.no_show_grace_minutes)
        .join(Tournament, Tournament.id == Match.tournament_id)
        .where(
            Match.status == MatchStatus.READY,
            Match.scheduled_at.is_not(None),
            Match.scheduled_at <= now,
        )
        .order_by(Match.id)
    ).all()
    return [mid for mid, at, grace in rows if at + timedelta(minutes=grace) <= now]


OVERDUE_AFTER = timedelta(hours=1)
UNFINISHED = (MatchStatus.READY, MatchStatus.LIVE, MatchStatus.AWAITING_CONFIRMATION)


def overdue_match_count(now: datetime, after: timedelta = OVERDUE_AFTER) -> int:
    """Matches still unfinished (ready, live or awaiting confirmation) more than `after` past
    their scheduled time: the ones staff should chase."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Match.id)).where(
                Match.status.in_(UNFINISHED),
                Match.scheduled_at.is_not(None),
                Match.scheduled_at <= now - after,
            )
        )
        or 0
    )


def open_dispute_count() -> int:
    """Disputes waiting for an organizer or staff (open or under review)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Dispute.id)).where(Dispute.status.in_(OPEN_DISPUTE_STATUSES))
        )
        or 0
    )
