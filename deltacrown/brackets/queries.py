"""Read helpers for brackets: participants, stages, matches, names, and the locks writers take."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from deltacrown.accounts.models import User
from deltacrown.brackets.engine import Side
from deltacrown.brackets.errors import MatchNotFoundError, StageNotFoundError
from deltacrown.brackets.models import Round, Stage, TournamentResult
from deltacrown.extensions import db
from deltacrown.matches.models import STARTED_STATUSES, Match, MatchStatus
from deltacrown.registrations.models import Registration, RegistrationStatus
from deltacrown.teams.models import Team
from deltacrown.tournaments import access
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.errors import TournamentNotFoundError
from deltacrown.tournaments.models import Tournament


# ----- participants --------------------------------------------------------------------------
def participants(tournament: Tournament) -> list[int]:
    """The registrations that play: confirmed ones (checked in, when the tournament has a
    check-in window), in registration order (sign-up time, then id)."""
    query = sa.select(Registration.id).where(
        Registration.tournament_id == tournament.id,
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    if tournament.checkin_opens_at is not None:
        query = query.where(Registration.checked_in_at.is_not(None))
    return list(db.session.scalars(query.order_by(Registration.created_at, Registration.id)))


def registration_names(registration_ids: Iterable[int]) -> dict[int, str]:
    """Display names: the player's display name (or username), or the team's name; for a
    participant without an account, its team name or its name."""
    ids = sorted(set(registration_ids))
    if not ids:
        return {}
    postgres = db.session.get_bind().dialect.name == "postgresql"
    rows = db.session.execute(_NAMES_BY_ARRAY if postgres else _NAMES_BY_LIST, {"ids": ids})
    return {
        rid: team or display or username or guest_team or guest_name
        for rid, display, username, team, guest_team, guest_name in rows
    }


def _names_statement(ids_match: Any) -> sa.Select[Any]:
    return (
        sa.select(
            Registration.id,
            User.display_name,
            User.username,
            Team.name,
            Registration.guest_team,
            Registration.guest_name,
        )
        .outerjoin(User, User.id == Registration.user_id)
        .outerjoin(Team, Team.id == Registration.team_id)
        .where(ids_match)
    )


# Built once. On PostgreSQL the ids travel as one array (`= ANY(:ids)`): a whole bracket's
# 256 ids as a list would be a new statement text for each size, which psycopg parses again
# every time (about 1 ms).
_NAMES_BY_ARRAY = _names_statement(
    Registration.id == sa.any_(sa.bindparam("ids", type_=postgresql.ARRAY(sa.Integer)))
)
_NAMES_BY_LIST = _names_statement(Registration.id.in_(sa.bindparam("ids", expanding=True)))


# ----- tournaments ---------------------------------------------------------------------------
def can_see(tournament: Tournament, actor: Any, *, invite_code: str | None = None) -> bool:
    """Whether the actor may see the tournament's bracket: the one access rule
    (`tournaments.access`), which lets a private tournament's players in."""
    return access.can_see(actor, tournament, invite_code=invite_code)


def visible_tournament(
    tournament_id: int, actor: Any, *, invite_code: str | None = None, for_update: bool = False
) -> Tournament:
    """The tournament if the actor may see its bracket, else TournamentNotFoundError."""
    tournament = tournament_queries.get_tournament(tournament_id, for_update=for_update)
    if not can_see(tournament, actor, invite_code=invite_code):
        raise TournamentNotFoundError(f"No tournament {tournament_id}.")
    return tournament


# ----- stages --------------------------------------------------------------------------------
def stages_of(tournament_id: int) -> list[Stage]:
    return list(
        db.session.scalars(
            sa.select(Stage).where(Stage.tournament_id == tournament_id).order_by(Stage.number)
        )
    )


def has_bracket(tournament_id: int) -> bool:
    return (
        db.session.scalar(sa.select(Stage.id).where(Stage.tournament_id == tournament_id).limit(1))
        is not None
    )


def find_stage(stage_id: int) -> Stage | None:
    return db.session.get(Stage, stage_id)


def get_stage(tournament_id: int, stage_id: int) -> Stage:
    stage = db.session.get(Stage, stage_id)
    if stage is None or stage.tournament_id != tournament_id:
        raise StageNotFoundError(f"No stage {stage_id} in tournament {tournament_id}.")
    return stage


def lock_stage(stage_id: int) -> Stage:
    """The stage, row-locked and freshly loaded: every writer of its matches takes this lock
    (after the tournament's), so two results never interleave their load and save. A stage
    this transaction has locked already is the session's copy."""
    held: Stage | None = _held(Stage, stage_id)
    if held is not None:
        return held
    stage = db.session.scalars(
        sa.select(Stage)
        .where(Stage.id == stage_id)
        .with_for_update(of=Stage)
        .execution_options(populate_existing=True)
    ).one()
    return stage


def rounds_of(stage_id: int) -> list[Round]:
    """The engine's rounds of a stage (not the round holding battle-royale lobby matches)."""
    return list(
        db.session.scalars(
            sa.select(Round)
            .where(Round.stage_id == stage_id, Round.side != Side.LOBBY)
            .order_by(Round.position)
        )
    )


# ----- matches -------------------------------------------------------------------------------
# Rows (matches, stages) this session has row-locked and loaded fresh, with the
# (sub)transaction that took each lock, as `tournaments.queries` keeps its tournament locks:
# within that transaction the session's copy is the row, so a result's match service locks the
# match, the matches it feeds and its stage in one statement, and the bracket service reads
# none of them again.
_LOCKED_KEY = "deltacrown_locked_bracket_rows"


def remember_locked(*rows: Match | Stage) -> None:
    """`rows` were just loaded fresh under their row locks (SELECT ... FOR UPDATE)."""
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    held = session.info.get(_LOCKED_KEY)
    if held is None or any(not t.is_active for t, _ in held.values()):
        # Only live transactions' locks are kept (and no row of an earlier one held on to).
        held = session.info[_LOCKED_KEY] = {
            k: (t, row) for k, (t, row) in (held or {}).items() if t.is_active
        }
    for row in rows:
        held[(type(row), row.id)] = (transaction, row)


def _held(kind: type, row_id: int) -> Any:
    session = db.session()
    held = session.info.get(_LOCKED_KEY, {}).get((kind, row_id))
    if held is None or not held[0].is_active or held[1] not in session:
        return None
    return held[1]


def locked_match(match_id: int) -> Match | None:
    """The session's copy of a match locked and loaded fresh in the current transaction (a
    rolled-back savepoint's lock does not count), or None."""
    match: Match | None = _held(Match, match_id)
    return match


def get_match(match_id: int) -> Match:
    match = db.session.get(Match, match_id)
    if match is None:
        raise MatchNotFoundError(f"No match {match_id}.")
    return match


def stage_matches(stage_id: int, *, fresh: bool = False) -> list[Match]:
    """Every engine match of a stage in order of play (lobby matches are not the engine's)."""
    query = (
        sa.select(Match)
        .where(Match.stage_id == stage_id, Match.lobby.is_(None))
        .order_by(Match.position)
    )
    if fresh:
        query = query.execution_options(populate_existing=True)
    return list(db.session.scalars(query))


def bracket_rows(stage_id: int) -> list[Any]:
    """The columns the bracket document shows, of every match of a stage in order of play
    (plain rows: a 4096-player bracket has 8,190 matches; `presenters.bracket` unpacks them
    in this order)."""
    return list(
        db.session.execute(
            sa.select(
                Match.id,
                Match.stage_id,
                Match.round_id,
                Match.engine_id,
                Match.number,
                Match.status,
                Match.best_of,
                Match.participant1_registration_id,
                Match.participant2_registration_id,
                Match.winner_registration_id,
                Match.scores,
                Match.next_match_winner_id,
                Match.next_match_loser_id,
            )
            .where(Match.stage_id == stage_id)
            .order_by(Match.position)
        )
    )


def lobby_match(stage_id: int, number: int) -> Match | None:
    """The match row of a battle-royale lobby (None for a stage generated before they had
    rows)."""
    return db.session.scalar(
        sa.select(Match).where(Match.stage_id == stage_id, Match.lobby == number)
    )


def lobby_of(match: Match) -> dict[str, Any] | None:
    """A lobby match's lobby as the stage keeps it (`participants`, `games`, `absent`)."""
    if match.lobby is None:
        return None
    stage = db.session.get(Stage, match.stage_id)
    lobbies = stage.lobbies if stage is not None else []
    return next((lobby for lobby in lobbies if lobby["number"] == match.lobby), None)


def stage_matches_by_engine_id(stage_id: int, engine_ids: Iterable[str]) -> list[Match]:
    ids = list(engine_ids)
    if not ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Match)
            .where(Match.stage_id == stage_id, Match.engine_id.in_(ids))
            .order_by(Match.position)
        )
    )


def matches_by_id(match_ids: Iterable[int], *, fresh: bool = False) -> list[Match]:
    ids = [i for i in match_ids if i is not None]
    if not ids:
        return []
    query = sa.select(Match).where(Match.id.in_(ids))
    if fresh:
        query = query.execution_options(populate_existing=True)
    return list(db.session.scalars(query))


def started_matches(tournament_id: int) -> list[int]:
    """Ids of the tournament's matches where play has begun or ended."""
    return list(
        db.session.scalars(
            sa.select(Match.id)
            .where(Match.tournament_id == tournament_id, Match.status.in_(STARTED_STATUSES))
            .order_by(Match.id)
        )
    )


def started_in_stages(stage_ids: list[int]) -> list[int]:
    """Ids of the matches of these stages where play has begun or ended."""
    if not stage_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Match.id)
            .where(Match.stage_id.in_(stage_ids), Match.status.in_(STARTED_STATUSES))
            .order_by(Match.id)
        )
    )


def list_matches(
    tournament_id: int,
    *,
    stage_id: int | None = None,
    round_number: int | None = None,
    side: str | None = None,
    status: MatchStatus | None = None,
    registration_id: int | None = None,
) -> sa.Select[tuple[Match]]:
    """A tournament's matches in order of play, filtered."""
    query = (
        sa.select(Match)
        .join(Stage, Stage.id == Match.stage_id)
        .join(Round, Round.id == Match.round_id)
        .where(Match.tournament_id == tournament_id)
    )
    if stage_id is not None:
        query = query.where(Match.stage_id == stage_id)
    if round_number is not None:
        query = query.where(Round.number == round_number)
    if side is not None:
        query = query.where(Round.side == side)
    if status is not None:
        query = query.where(Match.status == status)
    if registration_id is not None:
        query = query.where(
            sa.or_(
                Match.participant1_registration_id == registration_id,
                Match.participant2_registration_id == registration_id,
            )
        )
    return query.order_by(Stage.number, Match.position)


def tournament_results(tournament_id: int) -> list[TournamentResult]:
    """A completed tournament's placements (best first; empty before it completes)."""
    return list(
        db.session.scalars(
            sa.select(TournamentResult)
            .where(TournamentResult.tournament_id == tournament_id)
            .order_by(TournamentResult.placement, TournamentResult.id)
        )
    )
