"""Demo teams for `flask demo seed` (idempotent: creates only what is missing)."""

from __future__ import annotations

from deltacrown.accounts import queries as accounts_queries
from deltacrown.core.time import utcnow
from deltacrown.games.queries import get_game
from deltacrown.teams import invites, queries, services

# (game, name, tag, captain, members joining, users left with a pending invite, region)
DEMO_TEAMS = [
    ("valorant", "Crown Vipers", "CVP", "alice", ["bob"], ["carol"], "South Asia"),
    ("cs2", "Blade Runners", "BLDR", "bob", [], [], "South Asia"),
    ("mlbb", "Carol's Comets", "CMT", "carol", [], [], "India"),
]


def seed_demo_teams() -> None:
    """Create the demo teams, rosters and invites that are missing (needs the demo users)."""
    for slug, name, tag, captain_name, joining, invited, region in DEMO_TEAMS:
        captain = accounts_queries.find_user_by_login(captain_name)
        if captain is None:
            continue
        game = get_game(slug)
        team = queries.find_active_team_by_name(game.id, name.casefold())
        if team is None:
            if queries.find_active_membership_in_game(captain.id, game.id) is not None:
                continue  # the captain has a team of their own there now; leave it be
            team = services.create_team(
                actor=captain,
                game_ref=slug,
                name=name,
                tag=tag,
                region=region,
                description=f"Demo {game.name} team.",
            )
        for username in joining + invited:
            user = accounts_queries.find_user_by_login(username)
            if user is None or queries.find_active_membership_in_game(user.id, game.id):
                continue
            invite = queries.find_live_invite(team.id, user.id, utcnow())
            if invite is None:
                invite = invites.send_invite(team.id, actor=team.captain, user_id=user.id)
            if username in joining:
                invites.accept_invite(invite.id, actor=user)
