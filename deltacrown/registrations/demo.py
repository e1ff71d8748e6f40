"""Demo registrations for `flask demo seed` (idempotent): the demo players and teams enter
every demo tournament that is taking sign-ups and that they qualify for.

What qualifies comes from the rest of the demo data, which other domains pin: the only
tournament open on a fresh seed ("Dhaka Valorant Open") is 5v5, and no demo team has five
players, so a fresh seed registers nobody there. "eFootball Friday Night" (a solo coin cup)
opens two days after seeding (the schedule sweep opens it); bob and carol get eFootball ids
here, so running `flask demo seed` again from then on registers them, paying 50 of their
welcome coins.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from deltacrown.accounts import services as accounts
from deltacrown.accounts.models import GameProfile
from deltacrown.accounts.queries import find_user_by_login
from deltacrown.core.errors import DomainError
from deltacrown.extensions import db
from deltacrown.registrations import queries, services
from deltacrown.registrations.models import Registration
from deltacrown.teams.models import MembershipStatus, Team, TeamRole
from deltacrown.tournaments.models import ParticipantType, Tournament, TournamentStatus

PLAYERS = ("alice", "bob", "carol", "dave")
EXTRA_PROFILES = {"bob": {"efootball": "100000002"}, "carol": {"efootball": "100000003"}}


def _ensure_profiles() -> None:
    for username, profiles in EXTRA_PROFILES.items():
        user = find_user_by_login(username)
        if user is None:
            continue
        for slug, in_game_id in profiles.items():
            have = {p.game.slug for p in user.game_profiles}
            if slug not in have:
                accounts.add_game_profile(user, game_ref=slug, in_game_id=in_game_id)


def _attempt(tournament: Tournament, actor: Any, **kwargs: Any) -> Registration | None:
    """Register, or leave things as they were when a rule says no (full, no coins, ...)."""
    try:
        with db.session.begin_nested():
            return services.register(tournament.id, actor=actor, **kwargs)
    except DomainError:
        return None


def _has_profile(user_id: int, game_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(GameProfile.id).where(
                GameProfile.user_id == user_id, GameProfile.game_id == game_id
            )
        )
        is not None
    )


def _enter_solo(tournament: Tournament) -> list[Registration]:
    made = []
    for username in PLAYERS:
        user = find_user_by_login(username)
        if (
            user is None
            or user.id in tournament.organizer_ids
            or not _has_profile(user.id, tournament.game_id)
            or queries.find_active_for_user(tournament.id, user.id) is not None
        ):
            continue
        registration = _attempt(tournament, user)
        if registration is not None:
            made.append(registration)
    return made


def _enter_teams(tournament: Tournament) -> list[Registration]:
    made = []
    teams = db.session.scalars(
        sa.select(Team).where(Team.game_id == tournament.game_id, Team.is_active.is_(True))
    ).all()
    for team in teams:
        if team.captain.username not in PLAYERS or queries.find_active_team(tournament.id, team.id):
            continue
        players = [
            m.user_id
            for m in team.active_members
            if m.role != TeamRole.SUBSTITUTE
            and m.status == MembershipStatus.ACTIVE
            and _has_profile(m.user_id, tournament.game_id)
        ]
        if len(players) < tournament.team_size:
            continue
        registration = _attempt(
            tournament, team.captain, team_id=team.id, roster=players[: tournament.team_size]
        )
        if registration is not None:
            made.append(registration)
    return made


def seed_demo_registrations() -> list[int]:
    """Register the qualifying demo players and teams that are not registered yet; returns
    the ids of the registrations made now."""
    _ensure_profiles()
    made: list[Registration] = []
    open_tournaments = db.session.scalars(
        sa.select(Tournament)
        .where(
            Tournament.status == TournamentStatus.REGISTRATION_OPEN,
            Tournament.deleted_at.is_(None),
        )
        .order_by(Tournament.id)
    ).all()
    for tournament in open_tournaments:
        if tournament.participant_type == ParticipantType.SOLO:
            made += _enter_solo(tournament)
        else:
            made += _enter_teams(tournament)
    return [r.id for r in made]
