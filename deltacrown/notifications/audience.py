"""Who hears about what, and the names a notice mentions: read-only questions to the domains
below (registrations, matches, teams, tournaments). Every function takes ids and answers
plain values; a row that is gone answers nobody (a signal may outlive its row)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from deltacrown.accounts.models import User
from deltacrown.extensions import db
from deltacrown.matches import queries as match_queries
from deltacrown.matches.models import Match, MatchStatus
from deltacrown.registrations.models import (
    CancelReason,
    Registration,
    RegistrationMember,
    RegistrationStatus,
)
from deltacrown.teams.models import MembershipStatus, Team, TeamMembership
from deltacrown.tournaments.models import Tournament, TournamentOrganizer


def registration_people(registration_ids: Iterable[int]) -> list[int]:
    """The people a registration speaks for: the solo player, or the team's captain and
    everyone listed on its roster (active or not: a cancelled roster still hears of it)."""
    ids = list(registration_ids)
    if not ids:
        return []
    people: set[int] = set()
    for user_id, captain_id in db.session.execute(
        sa.select(Registration.user_id, Team.captain_id)
        .outerjoin(Team, Team.id == Registration.team_id)
        .where(Registration.id.in_(ids))
    ):
        people.update(i for i in (user_id, captain_id) if i is not None)
    people.update(
        db.session.scalars(
            sa.select(RegistrationMember.user_id).where(RegistrationMember.registration_id.in_(ids))
        )
    )
    return sorted(people)


def match_sides(match_id: int) -> tuple[Match | None, list[int]]:
    """The match and its sides' registration ids (a lobby's members)."""
    match = db.session.get(Match, match_id)
    if match is None:
        return None, []
    return match, match_queries.participants_of(match)


def playable_matches(tournament_id: int) -> list[int]:
    """The tournament's matches that are ready or live, in order of play."""
    return list(
        db.session.scalars(
            sa.select(Match.id)
            .where(
                Match.tournament_id == tournament_id,
                Match.status.in_((MatchStatus.READY, MatchStatus.LIVE)),
            )
            .order_by(Match.position, Match.id)
        )
    )


def pending_submitter(match_id: int) -> int | None:
    """The registration whose result submission awaits the others' answer."""
    submission = match_queries.pending_submission(match_id)
    return submission.registration_id if submission is not None else None


def tournament_managers(tournament_id: int) -> list[int]:
    tournament = db.session.get(Tournament, tournament_id)
    if tournament is None:
        return []
    co = db.session.scalars(
        sa.select(TournamentOrganizer.user_id).where(
            TournamentOrganizer.tournament_id == tournament_id
        )
    )
    return sorted({tournament.organizer_id, *co})


def tournament_players(
    tournament_id: int,
    statuses: tuple[RegistrationStatus, ...],
    *,
    cancelled_with_it: bool = False,
) -> list[int]:
    """The people of the tournament's registrations in `statuses` (and, with
    `cancelled_with_it`, of those cancelled because the tournament was)."""
    condition: sa.ColumnElement[bool] = Registration.status.in_(statuses)
    if cancelled_with_it:
        condition = sa.or_(
            condition, Registration.cancel_reason == CancelReason.TOURNAMENT_CANCELLED
        )
    ids = db.session.scalars(
        sa.select(Registration.id).where(Registration.tournament_id == tournament_id, condition)
    )
    return registration_people(ids)


def team_captain(team_id: int) -> int | None:
    team = db.session.get(Team, team_id)
    return team.captain_id if team is not None else None


def team_members(team_id: int) -> list[int]:
    return sorted(
        db.session.scalars(
            sa.select(TeamMembership.user_id).where(
                TeamMembership.team_id == team_id,
                TeamMembership.status == MembershipStatus.ACTIVE,
            )
        )
    )


def tournament_name(tournament_id: int | None) -> str | None:
    if tournament_id is None:
        return None
    return db.session.scalar(sa.select(Tournament.name).where(Tournament.id == tournament_id))


def team_name(team_id: int | None) -> str | None:
    if team_id is None:
        return None
    return db.session.scalar(sa.select(Team.name).where(Team.id == team_id))


def username(user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return db.session.scalar(sa.select(User.username).where(User.id == user_id))


def active_user_ids(user_ids: Iterable[int]) -> dict[int, str]:
    """The given users who are still active, with their e-mail addresses."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(User.id, User.email).where(User.id.in_(ids), User.is_active.is_(True))
    )
    return {int(user_id): str(email) for user_id, email in rows}
