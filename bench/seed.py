"""Seed a PostgreSQL database for the hot-reads benchmark, through COPY (not the API).

    python bench/seed.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench \
        --tournaments 100000 --registrations 1000000

The schema is migrated first. It adds `--users` players (10,000), then the tournaments (nine
in ten public, the rest unlisted or private; mostly completed, a few open, published, closed,
ongoing, cancelled or drafts; games, formats, regions, fees and prizes varied; names such as
"Valorant Clash 4711"), then `--registrations` confirmed solo registrations spread over them
(distinct players per tournament), in batches of COPY, and VACUUM ANALYZE (as autovacuum
would soon: index-only scans need the visibility map). `--append` adds to what
is there (to go from 10,000 to 100,000 tournaments); without it the tables must hold no
bench rows yet. It prints what it wrote and how long each part took, as JSON lines.

Rows are generated from a seeded random generator, so two runs seed the same data.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

STATUSES = (
    ["completed"] * 70
    + ["cancelled"] * 5
    + ["ongoing"] * 5
    + ["registration_open"] * 8
    + ["published"] * 4
    + ["registration_closed"] * 4
    + ["draft"] * 4
)
FORMATS = ("single_elimination", "double_elimination", "round_robin", "swiss")
REGIONS = ("Dhaka", "Chattogram", "Sylhet", "Khulna", "Rajshahi", "Barishal", "Rangpur")
WORDS = ("Cup", "League", "Clash", "Masters", "Open", "Showdown", "Series", "Arena", "Invitational")
BATCH = 20_000


def _defaults(table: Any) -> dict[str, Any]:
    """The Python-side defaults of a table's columns (COPY does not run them)."""
    values = {}
    for column in table.columns:
        default = column.default
        if default is None or column.primary_key:
            continue
        values[column.name] = default.arg(None) if default.is_callable else default.arg
    return values


def _jsonable(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value) if isinstance(value, (dict, list)) else value


def copy_rows(connection: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """COPY `rows` (dicts, defaults filled in) into `table` on a psycopg connection."""
    if not rows:
        return
    defaults = _defaults(table)
    columns = list(dict.fromkeys([*defaults, *rows[0]]))
    names = ", ".join(f'"{name}"' for name in columns)
    with (
        connection.cursor() as cursor,
        cursor.copy(
            f"COPY {table.name} ({names}) FROM STDIN"  # noqa: S608  # nosec B608 - model names
        ) as copy,
    ):
        for row in rows:
            merged = {**defaults, **row}
            copy.write_row([_jsonable(merged[name]) for name in columns])


def tournament_row(n: int, rng: random.Random, games: list[tuple[int, str]], users: list[int],
                   now: datetime, tag: str) -> dict[str, Any]:  # fmt: skip
    game_id, game_name = games[n % len(games)]
    status = rng.choice(STATUSES)
    if status in ("completed", "cancelled", "ongoing"):
        start = now - timedelta(days=rng.randint(1, 900), hours=rng.randint(0, 23))
    else:
        start = now + timedelta(days=rng.randint(1, 120), hours=rng.randint(0, 23))
    fee, prize = rng.random(), rng.random()
    return {
        "name": f"{game_name} {rng.choice(WORDS)} {n}",
        "slug": f"{tag}-{n}",
        "description": f"Season {n % 50} of the {rng.choice(REGIONS)} circuit, "
        f"{rng.choice(FORMATS).replace('_', ' ')} for {game_name} players.",
        "game_id": game_id,
        "organizer_id": users[n % len(users)],
        "format": rng.choice(FORMATS),
        "participant_type": "solo",
        "team_size": 1,
        "max_participants": rng.choice((8, 16, 32, 64, 128)),
        "start_at": start,
        "registration_opens_at": start - timedelta(days=20),
        "registration_closes_at": start - timedelta(days=2),
        "region": rng.choice(REGIONS),
        "visibility": "public" if n % 10 else rng.choice(("unlisted", "private")),
        "invite_code": f"{tag}{n}" if n % 10 == 0 else None,
        "fee_amount": rng.choice((50, 100, 200, 500)) if fee < 0.25 else None,
        "fee_currency": "BDT" if fee < 0.25 else None,
        "fee_coins": rng.choice((10, 50, 100)) if 0.25 <= fee < 0.35 else None,
        "prize_amount": rng.randint(1, 500) * 100 if prize < 0.5 else None,
        "prize_currency": "BDT" if prize < 0.5 else None,
        "prize_coins": rng.randint(1, 100) * 10 if 0.5 <= prize < 0.7 else None,
        "status": status,
        "published_at": None if status == "draft" else start - timedelta(days=30),
        "created_at": start - timedelta(days=rng.randint(30, 60), seconds=rng.randint(0, 86400)),
        "updated_at": start - timedelta(days=1),
        "version": 1,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--tournaments", type=int, default=100_000)
    parser.add_argument("--registrations", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--append", action="store_true")
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgresql"):
        raise SystemExit("needs --database-url (or BENCH_DATABASE_URL) of a PostgreSQL database")

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from deltacrown.accounts.models import User
    from deltacrown.app import MIGRATIONS_DIR, create_app
    from deltacrown.extensions import db
    from deltacrown.games.models import Game
    from deltacrown.registrations.models import Registration
    from deltacrown.tournaments.models import Tournament

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=args.database_url)
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
        start_count = db.session.scalar(sa.select(sa.func.count(Tournament.id))) or 0
        if start_count and not args.append:
            raise SystemExit(f"{start_count} tournaments already there: pass --append")
        games = [tuple(row) for row in db.session.execute(sa.select(Game.id, Game.name)).all()]
        raw = db.engine.raw_connection()
        connection = raw.driver_connection
        rng = random.Random(start_count + 1)  # noqa: S311  # nosec B311 - bench data
        now = datetime.now(UTC).replace(microsecond=0)
        tag = f"b{start_count}"

        clock = time.perf_counter()
        users = [
            {
                "username": f"{tag}u{i}",
                "username_key": f"{tag}u{i}",
                "email": f"{tag}u{i}@bench.test",
                "password_hash": "!",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for i in range(args.users)
        ]
        copy_rows(connection, User.__table__, users)
        connection.commit()
        user_ids = list(
            db.session.scalars(
                sa.select(User.id).where(User.username.like(f"{tag}u%")).order_by(User.id)
            )
        )
        print(json.dumps({"table": "users", "rows": len(user_ids),
                          "seconds": round(time.perf_counter() - clock, 1)}), flush=True)  # fmt: skip

        clock = time.perf_counter()
        for first in range(0, args.tournaments, BATCH):
            rows = [
                tournament_row(start_count + n, rng, games, user_ids, now, tag)
                for n in range(first, min(first + BATCH, args.tournaments))
            ]
            copy_rows(connection, Tournament.__table__, rows)
            connection.commit()
        print(json.dumps({"table": "tournaments", "rows": args.tournaments,
                          "seconds": round(time.perf_counter() - clock, 1)}), flush=True)  # fmt: skip

        clock = time.perf_counter()
        tournaments = list(
            db.session.scalars(
                sa.select(Tournament.id)
                .where(Tournament.slug.like(f"{tag}-%"), Tournament.status != "draft")
                .order_by(Tournament.id)
            )
        )
        per = max(1, -(-args.registrations // max(1, len(tournaments))))
        written = 0
        batch: list[dict[str, Any]] = []
        for index, tournament_id in enumerate(tournaments):
            for j in range(per):
                if written + len(batch) >= args.registrations:
                    break
                user_id = user_ids[(index * 7 + j * 131) % len(user_ids)]
                batch.append(
                    {
                        "tournament_id": tournament_id,
                        "user_id": user_id,
                        "registered_by_id": user_id,
                        "status": "confirmed",
                        "payment_status": "not_required",
                        "answers": {},
                        "confirmed_at": now,
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                )
            if len(batch) >= BATCH * 5:
                copy_rows(connection, Registration.__table__, batch)
                connection.commit()
                written += len(batch)
                batch = []
        copy_rows(connection, Registration.__table__, batch)
        connection.commit()
        written += len(batch)
        print(json.dumps({"table": "registrations", "rows": written,
                          "seconds": round(time.perf_counter() - clock, 1)}), flush=True)  # fmt: skip

        clock = time.perf_counter()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
        raw.close()
        print(json.dumps({"analyze_seconds": round(time.perf_counter() - clock, 1)}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
