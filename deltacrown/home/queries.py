"""The pieces of my summary, each one SQL statement whatever the amount of data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from deltacrown.core.db import db
from deltacrown.matches.models import Match, MatchStatus, involving
from deltacrown.registrations.models import Registration, RegistrationStatus
from deltacrown.registrations.queries import ids_listing_or_made_by
from deltacrown.teams.models import InviteStatus, Team, TeamInvite
from deltacrown.tournaments.models import Tournament, TournamentStatus

ACTIVE_REGISTRATION = (
    RegistrationStatus.PENDING,
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
)
FINISHED_TOURNAMENT = (TournamentStatus.COMPLETED, TournamentStatus.CANCELLED)
UPCOMING_MATCH = (MatchStatus.SCHEDULED, MatchStatus.READY, MatchStatus.LIVE)
LIST_LIMIT = 20


def active_registrations(user_id: int) -> list[dict[str, Any]]:
    """My pending, confirmed and waitlisted registrations in tournaments not yet over,
    soonest start first (at most 20)."""
    rows = db.session.execute(
        sa.select(
            Registration.id,
            Registration.status,
            Registration.tournament_id,
            Tournament.name,
            Tournament.status.label("tournament_status"),
            Tournament.start_at,
        )
        .join(Tournament, Tournament.id == Registration.tournament_id)
        .where(
            Registration.id.in_(ids_listing_or_made_by(user_id)),
            Registration.status.in_(ACTIVE_REGISTRATION),
            Tournament.status.not_in(FINISHED_TOURNAMENT),
        )
        .order_by(Tournament.start_at, Registration.id)
        .limit(LIST_LIMIT)
    ).all()
    return [
        {
            "id": row.id,
            "status": row.status,
            "tournament_id": row.tournament_id,
            "tournament_name": row.name,
            "tournament_status": row.tournament_status,
            "tournament_start_at": row.start_at,
        }
        for row in rows
    ]


def next_match(user_id: int) -> dict[str, Any] | None:
    """My next match to play: a live one first, then ready, then scheduled, by time."""
    mine = (
        sa.select(Registration.id)
        .where(
            Registration.id.in_(ids_listing_or_made_by(user_id)),
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .scalar_subquery()
    )
    urgency = sa.case(
        (Match.status == MatchStatus.LIVE, 0), (Match.status == MatchStatus.READY, 1), else_=2
    )
    row = db.session.execute(
        sa.select(
            Match.id,
            Match.status,
            Match.scheduled_at,
            Match.tournament_id,
            Tournament.name,
        )
        .join(Tournament, Tournament.id == Match.tournament_id)
        .where(
            Match.status.in_(UPCOMING_MATCH),
            involving(mine),
        )
        .order_by(urgency, Match.scheduled_at.is_(None), Match.scheduled_at, Match.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return {
        "id": row.id,
        "status": row.status,
        "scheduled_at": row.scheduled_at,
        "tournament_id": row.tournament_id,
        "tournament_name": row.name,
    }


def open_invites(user_id: int, now: datetime) -> list[dict[str, Any]]:
    """My pending, unexpired team invites, newest first (at most 20)."""
    rows = db.session.execute(
        sa.select(TeamInvite.id, TeamInvite.team_id, Team.name, TeamInvite.expires_at)
        .join(Team, Team.id == TeamInvite.team_id)
        .where(
            TeamInvite.user_id == user_id,
            TeamInvite.status == InviteStatus.PENDING,
            TeamInvite.expires_at > now,
        )
        .order_by(TeamInvite.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    return [
        {"id": row.id, "team_id": row.team_id, "team_name": row.name, "expires_at": row.expires_at}
        for row in rows
    ]
