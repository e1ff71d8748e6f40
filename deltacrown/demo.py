"""`flask demo seed`: idempotent demo data for the embedded default (later domains extend it)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from deltacrown.accounts import queries, services, verification
from deltacrown.accounts.models import GameProfile
from deltacrown.brackets.demo import seed_demo_brackets
from deltacrown.core.actors import SYSTEM
from deltacrown.core.transaction import unit_of_work
from deltacrown.economy.demo import seed_demo_economy
from deltacrown.extensions import db
from deltacrown.games.queries import get_game
from deltacrown.registrations.demo import seed_demo_registrations
from deltacrown.teams.demo import seed_demo_teams
from deltacrown.tournaments.demo import seed_demo_tournaments

demo_cli = AppGroup("demo", help="Demo data for trying DeltaCrown out.")

DEMO_PASSWORD = "deltacrown-demo"
STAFF = ("admin", "admin@demo.deltacrown.dev")
PLAYERS = [
    (
        "alice",
        "alice@demo.deltacrown.dev",
        "BD",
        {"valorant": "Alice#BD01", "efootball": "100000001"},
    ),
    (
        "bob",
        "bob@demo.deltacrown.dev",
        "BD",
        {"valorant": "BobTheBlade#BD02", "cs2": "76561198000000002"},
    ),
    (
        "carol",
        "carol@demo.deltacrown.dev",
        "IN",
        {"valorant": "CarolC#IN03", "mlbb": "1234567890|1234"},
    ),
    (
        "dave",
        "dave@demo.deltacrown.dev",
        "PK",
        {"pubg-mobile": "DaveSniper", "free-fire": "DaveFF_04"},
    ),
]


def seed_demo() -> list[tuple[str, str]]:
    """Create the demo users and profiles that are missing; return (login, role) pairs."""

    logins: list[tuple[str, str]] = []
    username, email = STAFF
    admin = queries.find_user_by_login(username)
    if admin is None:
        admin = services.register_user(
            username=username,
            email=email,
            password=DEMO_PASSWORD,
            display_name="Demo Admin",
            is_superuser=True,
        )
    verification.mark_verified_as_staff(admin, actor=SYSTEM)  # demo addresses are verified
    logins.append((username, "staff (superuser)"))
    for username, email, country, profiles in PLAYERS:
        user = queries.find_user_by_login(username)
        if user is None:
            user = services.register_user(
                username=username,
                email=email,
                password=DEMO_PASSWORD,
                display_name=username.title(),
                country=country,
            )
        verification.mark_verified_as_staff(user, actor=SYSTEM)  # demo addresses are verified
        for slug, in_game_id in profiles.items():
            game = get_game(slug)
            exists = db.session.scalar(
                sa.select(GameProfile.id).where(
                    GameProfile.user_id == user.id, GameProfile.game_id == game.id
                )
            )
            if exists is None:
                services.add_game_profile(user, game_ref=slug, in_game_id=in_game_id)
        logins.append((username, "player"))

    seed_demo_teams()

    seed_demo_economy(
        queries.find_user_by_login(STAFF[0]),
        {n: queries.find_user_by_login(n) for n, *_ in PLAYERS},
    )

    seed_demo_tournaments()

    seed_demo_registrations()

    seed_demo_brackets()
    return logins


@demo_cli.command("seed")
def seed() -> None:
    """Create demo users (idempotent) and print their logins."""

    with unit_of_work():
        logins = seed_demo()
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for login, role in logins:
        click.echo(f"  {login:<8} {role}")
    click.echo(
        "Admin: http://127.0.0.1:5000/admin/  API docs: http://127.0.0.1:5000/api/docs/swagger"
    )


def register(app: Flask) -> None:
    app.cli.add_command(demo_cli)
