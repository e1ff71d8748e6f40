"""The world the load test plays in, made through the services on the bench database.

* an open tournament (free, solo, room for everyone) whose check-in window is open, for
  newcomers who sign up, register and check in;
* a started single elimination of `2 × pairs` players whose first-round matches are open,
  for competitors who check both sides in, submit a result with one side and confirm it with
  the other, and for followers who watch those matches on their websockets;
* a played 256-player double elimination (bench/hot_reads.py makes it once) for the bracket
  and standings reads.

Every player of the live cup has the password `PASSWORD`. The returned dict is what the
locustfile reads (`LOCUST_WORLD`, a JSON file).
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "locust-bench-password"  # noqa: S105 - throwaway bench accounts


def _open_tournament(backend: Any) -> int:
    """A free solo tournament taking registrations, its check-in window open."""
    import sqlalchemy as sa

    from deltacrown.accounts import services as accounts
    from deltacrown.core.time import utcnow
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.extensions import db
    from deltacrown.tournaments.models import Tournament
    from tests.factories import open_tournament

    tag = f"{backend.prefix}open"
    now = utcnow().replace(microsecond=0)
    with unit_of_work():
        organizer = accounts.register_user(
            username=f"{tag}o"[:30], email=f"{tag}o@bench.test", password=PASSWORD
        )
        tournament = open_tournament(
            organizer, name=f"Locust Open {tag}", participant_type="solo", max_participants=4096
        )
        db.session.execute(
            sa.update(Tournament)
            .where(Tournament.id == tournament.id)
            .values(checkin_opens_at=now - timedelta(minutes=1),
                    checkin_closes_at=now + timedelta(hours=12))
        )  # fmt: skip
        backend.user_ids.append(organizer.id)
    return int(tournament.id)


def _live_cup(backend: Any, pairs: int) -> list[dict[str, Any]]:
    """A started single elimination (first-round matches live, or ready where they wait for
    their sides' check-in); each match with its sides' usernames and status."""
    import sqlalchemy as sa

    from deltacrown.accounts.models import User
    from deltacrown.accounts.passwords import hash_password
    from deltacrown.brackets import services as bracket_services
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.extensions import db
    from deltacrown.matches.models import Match
    from deltacrown.registrations.models import Registration

    seeds = list(range(1, 2 * pairs + 1))
    backend.prepare("single_elimination", seeds)
    stage = backend.generate("single_elimination", seeds)
    with unit_of_work():
        db.session.execute(
            sa.update(User).where(User.id.in_(backend.user_ids))
            .values(password_hash=hash_password(PASSWORD))
        )  # fmt: skip
        bracket_services.start_tournament(backend.tournament_id, actor=backend._organizer())
    rows = db.session.execute(
        sa.select(Match.id, Match.participant1_registration_id,
                  Match.participant2_registration_id, Match.status)
        .where(Match.stage_id == stage.id, Match.status.in_(("ready", "live")))
        .order_by(Match.position)
    ).all()  # fmt: skip
    usernames = dict(
        db.session.execute(
            sa.select(Registration.id, User.username)
            .join(User, User.id == Registration.user_id)
            .where(Registration.tournament_id == backend.tournament_id)
        ).all()
    )
    return [
        {
            "id": m,
            "a": usernames[first],
            "b": usernames[second],
            "status": str(getattr(status, "value", status)),
        }
        for m, first, second, status in rows
    ]


def build(database_url: str, pairs: int) -> dict[str, Any]:
    import brackets as bracket_bench  # bench/brackets.py
    import hot_reads  # bench/hot_reads.py

    bracket_bench.PostgresBackend.database_url = database_url
    backend = bracket_bench.PostgresBackend()  # migrates the database first
    try:
        browse = hot_reads.bracket_tournament(database_url)
        open_id = _open_tournament(backend)
        live = _live_cup(backend, pairs)
    finally:
        backend.context.pop()
    return {
        "password": PASSWORD,
        "open_tournament": open_id,
        "cup": backend.tournament_id,
        "played": browse,
        "matches": live,
        "user_ids": backend.user_ids,
    }
