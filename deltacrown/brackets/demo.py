"""A demo bracket for `flask demo seed` (idempotent): "DeltaCrown Bracket Demo", a solo
Valorant single elimination with a third-place match run by the demo admin, the four demo
players registered, the bracket generated, the tournament started and its first match played.

Each run moves the tournament as far along that path as it has not gone yet, through the
services, so a second run changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from deltacrown.accounts import services as accounts
from deltacrown.accounts.queries import find_user_by_login
from deltacrown.brackets import queries, services
from deltacrown.core.time import isoformat, utcnow
from deltacrown.extensions import db
from deltacrown.matches.models import Match, MatchStatus
from deltacrown.registrations import queries as registration_queries
from deltacrown.registrations import services as registrations
from deltacrown.tournaments import services as tournaments
from deltacrown.tournaments.models import Tournament, TournamentStatus
from deltacrown.tournaments.schemas import TournamentCreateArgs

NAME = "DeltaCrown Bracket Demo"
ORGANIZER = "admin"
PLAYERS = ("alice", "bob", "carol", "dave")
EXTRA_PROFILES = {"dave": "DaveValo#PK04"}  # the other three have Valorant ids already
S = TournamentStatus


def _tournament(organizer: object) -> Tournament:
    existing = db.session.scalar(
        sa.select(Tournament).where(
            Tournament.name == NAME,
            Tournament.organizer_id == organizer.id,  # type: ignore[attr-defined]
        )
    )
    if existing is not None:
        return existing
    now = utcnow().replace(microsecond=0)
    body = {
        "name": NAME,
        "game": "valorant",
        "format": "single_elimination",
        "participant_type": "solo",
        "max_participants": 8,
        "registration_opens_at": isoformat(now - timedelta(days=1)),
        "registration_closes_at": isoformat(now + timedelta(days=2)),
        "start_at": isoformat(now + timedelta(days=3)),
        "description": "A small bracket to click through: the semi-finals are under way.",
    }
    tournament = tournaments.create_tournament(
        actor=organizer, data=TournamentCreateArgs().load(body)
    )
    tournaments.publish_tournament(tournament.id, actor=organizer)  # opens registration too
    return tournament


def _register_players(tournament: Tournament) -> None:
    for username in PLAYERS:
        user = find_user_by_login(username)
        if user is None:
            continue
        if username in EXTRA_PROFILES and "valorant" not in {
            p.game.slug for p in user.game_profiles
        }:
            accounts.add_game_profile(
                user, game_ref="valorant", in_game_id=EXTRA_PROFILES[username]
            )
        if registration_queries.find_active_for_user(tournament.id, user.id) is None:
            registrations.register(tournament.id, actor=user)


def _played(tournament_id: int) -> bool:
    """Whether a match of the tournament has a result (its matches may be live already:
    they start by themselves)."""
    played = sa.select(Match.id).where(
        Match.tournament_id == tournament_id,
        Match.status.in_((MatchStatus.COMPLETED, MatchStatus.FORFEIT)),
    )
    return bool(db.session.scalar(sa.select(played.exists())))


def seed_demo_brackets() -> int | None:
    """Take the demo bracket tournament one step further wherever it stopped; its id (None
    without the demo admin)."""
    organizer = find_user_by_login(ORGANIZER)
    if organizer is None:
        return None
    tournament = _tournament(organizer)
    if tournament.status == S.REGISTRATION_OPEN:
        _register_players(tournament)
        tournaments.close_registration(tournament.id, actor=organizer)
    if tournament.status == S.REGISTRATION_CLOSED:
        if not queries.has_bracket(tournament.id):
            services.generate_bracket(
                tournament.id, actor=organizer, options={"third_place_match": True}
            )
        services.start_tournament(tournament.id, actor=organizer)
    if tournament.status == S.ONGOING and not _played(tournament.id):
        first = db.session.scalars(
            sa.select(Match)
            .where(
                Match.tournament_id == tournament.id,
                Match.status.in_((MatchStatus.READY, MatchStatus.LIVE)),
            )
            .order_by(Match.position)
        ).first()
        if first is not None:
            services.apply_result(
                first.id,
                winner=first.participant1_registration_id,
                games=[[13, 9]],
                now=utcnow(),
            )
    return tournament.id
