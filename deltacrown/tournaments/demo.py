"""Demo tournaments in several states, and a public template (idempotent: by slug and name).

Called from `deltacrown.demo.seed_demo()` after the demo users exist; dates are relative to
now, so a fresh seed always shows a tournament taking sign-ups.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from deltacrown.accounts.queries import find_user_by_login
from deltacrown.core.time import isoformat, utcnow
from deltacrown.extensions import db
from deltacrown.tournaments import services
from deltacrown.tournaments.models import Tournament, TournamentStatus, TournamentTemplate
from deltacrown.tournaments.schemas import TemplateConfigArgs, TournamentCreateArgs

S = TournamentStatus
TEMPLATE_NAME = "Weekly Valorant Cup (5v5, single elimination)"


def _spec(now: Any) -> list[tuple[str, str, TournamentStatus, dict[str, Any]]]:
    day = timedelta(days=1)
    return [
        (
            "alice",
            "Dhaka Valorant Open",
            S.REGISTRATION_OPEN,
            {
                "game": "valorant",
                "format": "single_elimination",
                "max_participants": 16,
                "registration_opens_at": now - day,
                "registration_closes_at": now + 5 * day,
                "checkin_opens_at": now + 6 * day,
                "checkin_closes_at": now + 6 * day + timedelta(hours=1),
                "start_at": now + 7 * day,
                "entry_fee": {"amount": "200.00", "currency": "BDT"},
                "payment_methods": ["bkash", "nagad"],
                "prize_pool": {"amount": "10000.00", "currency": "BDT"},
                "prize_distribution": [
                    {"placement": 1, "percent": "60.00"},
                    {"placement": 2, "percent": "30.00"},
                    {"placement": 3, "percent": "10.00"},
                ],
                "settings": {
                    "best_of": 3,
                    "map_pool": ["Ascent", "Bind", "Haven"],
                    "server_region": "ap",
                },
                "region": "Bangladesh",
                "timezone": "Asia/Dhaka",
            },
        ),
        (
            "alice",
            "eFootball Friday Night",
            S.PUBLISHED,
            {
                "game": "efootball",
                "format": "round_robin",
                "max_participants": 8,
                "registration_opens_at": now + 2 * day,
                "registration_closes_at": now + 4 * day,
                "start_at": now + 5 * day,
                "entry_fee": {"coins": 50},
                "prize_pool": {"coins": 400},
                "prize_distribution": [
                    {"placement": 1, "coins": 300},
                    {"placement": 2, "coins": 100},
                ],
                "settings": {"match_minutes": 6, "extra_time": True},
            },
        ),
        (
            "bob",
            "CS2 Community Scrims",
            S.DRAFT,
            {
                "game": "cs2",
                "format": "swiss",
                "max_participants": 32,
                "start_at": now + 14 * day,
                "settings": {"best_of": 1, "max_rounds": 24},
            },
        ),
        (
            "dave",
            "PUBG Mobile Squad Showdown",
            S.REGISTRATION_OPEN,
            {
                "game": "pubg-mobile",
                "format": "battle_royale",
                "max_participants": 64,
                "registration_opens_at": now - 2 * day,
                "registration_closes_at": now + 2 * day,
                "start_at": now + 3 * day,
                "settings": {"maps": ["Erangel", "Miramar"]},
            },
        ),
        (
            "carol",
            "MLBB Rising Stars",
            S.CANCELLED,
            {
                "game": "mlbb",
                "format": "double_elimination",
                "max_participants": 16,
                "start_at": now + 10 * day,
                "visibility": "public",
            },
        ),
    ]


def _advance(tournament: Tournament, target: TournamentStatus, actor: Any) -> None:
    if target == S.DRAFT:
        return
    if target == S.CANCELLED:
        services.cancel_tournament(tournament.id, actor=actor, reason="Not enough teams signed up.")
        return
    services.publish_tournament(tournament.id, actor=actor)
    if target == S.REGISTRATION_OPEN and tournament.status != S.REGISTRATION_OPEN:
        services.open_registration(tournament.id, actor=actor)
    if target == S.REGISTRATION_CLOSED:
        if tournament.status != S.REGISTRATION_OPEN:
            services.open_registration(tournament.id, actor=actor)
        services.close_registration(tournament.id, actor=actor)


def seed_demo_tournaments() -> list[str]:
    """Create the demo tournaments and template that are missing; return the tournaments' slugs."""

    now = utcnow().replace(microsecond=0)
    slugs: list[str] = []
    for username, name, target, data in _spec(now):
        owner = find_user_by_login(username)
        if owner is None:
            continue
        existing = db.session.scalar(
            sa.select(Tournament).where(
                Tournament.name == name, Tournament.organizer_id == owner.id
            )
        )
        if existing is None:
            body = {k: isoformat(v) if isinstance(v, datetime) else v for k, v in data.items()}
            typed = TournamentCreateArgs().load({**body, "name": name})
            existing = services.create_tournament(actor=owner, data=typed)
            _advance(existing, target, owner)
        slugs.append(existing.slug)
    _seed_template()
    return slugs


def _seed_template() -> None:
    owner = find_user_by_login("admin")
    if owner is None:
        return
    exists = db.session.scalar(
        sa.select(TournamentTemplate.id).where(TournamentTemplate.name == TEMPLATE_NAME)
    )
    if exists is not None:
        return

    config = TemplateConfigArgs().load(
        {
            "game": "valorant",
            "format": "single_elimination",
            "max_participants": 16,
            "rules": "Standard competitive rules. Best of 1 until the final (best of 3).",
            "settings": {"best_of": 1, "server_region": "ap"},
            "custom_fields": [
                {
                    "key": "discord",
                    "label": "Discord handle",
                    "type": "text",
                    "required": True,
                    "max": 40,
                },
                {
                    "key": "rules_accepted",
                    "label": "I accept the rules",
                    "type": "checkbox",
                    "required": True,
                },
            ],
        }
    )
    services.create_template(actor=owner, name=TEMPLATE_NAME, is_public=True, config=config)
