"""Analytics on PostgreSQL: the summary's full refresh time, and p50/p95 of the tournament and
organizer analytics endpoints answered from the summary beside the same endpoints computed
live (the baseline, in the same run).

    python bench/analytics.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench \
        [--tournaments 10000 --registrations 500000] [--requests 200]

An empty database is seeded first with bench/seed.py (`--tournaments`, `--registrations`,
COPY, deterministic); a seeded one is used as it is. Requests go through the app in-process
(Flask's test client: routing, the bearer token, the views and serialisation, no network), as
a staff member, to `--requests` tournaments picked at random and to the organizers with the
most tournaments, each asked of the summary app and of the live one in turn (so both see the
same load on a shared machine). It prints one JSON line per figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]
    return {"p50_ms": round(statistics.median(ordered), 2), "p95_ms": round(p95, 2)}


def _time_requests(client: Any, paths: list[str], headers: dict[str, str]) -> list[float]:
    samples = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code} {response.get_data(as_text=True)}")
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--tournaments", type=int, default=10_000)
    parser.add_argument("--registrations", type=int, default=500_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith("postgresql"):
        raise SystemExit("needs --database-url (or BENCH_DATABASE_URL) of a PostgreSQL database")

    import sqlalchemy as sa

    from deltacrown.accounts import tokens
    from deltacrown.accounts.models import User
    from deltacrown.analytics import summary
    from deltacrown.app import create_app
    from deltacrown.core.time import utcnow
    from deltacrown.extensions import db
    from deltacrown.tournaments.models import Tournament

    probe = create_app("testing", SQLALCHEMY_DATABASE_URI=args.database_url)
    with probe.app_context():
        try:
            seeded = db.session.scalar(sa.select(sa.func.count(Tournament.id))) or 0
        except sa.exc.ProgrammingError:
            db.session.rollback()
            seeded = 0
    if not seeded:
        import seed

        seed.main(
            [
                "--database-url", args.database_url,
                "--tournaments", str(args.tournaments),
                "--registrations", str(args.registrations),
                "--users", str(args.users),
            ]
        )  # fmt: skip

    def app_with(freshness: int) -> Any:
        return create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=args.database_url,
            ANALYTICS_FRESHNESS_MINUTES=freshness,
        )

    app = app_with(15)
    with app.app_context():
        counts = db.session.execute(
            sa.text(
                "SELECT (SELECT count(*) FROM tournaments), (SELECT count(*) FROM registrations)"
            )
        ).one()
        print(json.dumps({"tournaments": counts[0], "registrations": counts[1]}), flush=True)
        for concurrently in (False, True):
            started = time.perf_counter()
            rows = summary.refresh(now=utcnow(), concurrently=concurrently)
            db.session.commit()
            print(
                json.dumps(
                    {
                        "figure": "full refresh",
                        "concurrently": concurrently,
                        "rows": rows,
                        "seconds": round(time.perf_counter() - started, 2),
                    }
                ),
                flush=True,
            )
        staff = db.session.scalar(sa.select(User).where(User.username == "bench_staff"))
        if staff is None:
            staff = User(
                username="bench_staff",
                username_key="bench_staff",
                email="bench_staff@bench.test",
                password_hash="!",  # noqa: S106 (no password: a token is minted)
                is_staff=True,
            )
            db.session.add(staff)
            db.session.commit()
        rng = random.Random(20)  # noqa: S311  # nosec B311 - bench sampling
        ids = list(
            db.session.scalars(sa.select(Tournament.id).where(Tournament.deleted_at.is_(None)))
        )
        picked = rng.sample(ids, min(args.requests, len(ids)))
        organizers = list(
            db.session.scalars(
                sa.select(Tournament.organizer_id)
                .group_by(Tournament.organizer_id)
                .order_by(sa.func.count().desc())
                .limit(max(1, args.requests // 4))
            )
        )
        staff_id = staff.id

    tournament_paths = [f"/api/tournaments/{tid}/analytics/" for tid in picked]
    organizer_paths = [f"/api/organizer/analytics/?organizer={oid}" for oid in organizers]
    runs = {}
    for label, freshness in (("summary", 15), ("live (baseline)", 0)):
        run_app = app_with(freshness)
        with run_app.test_request_context():
            token = tokens.tokens_for(db.session.get(User, staff_id))["access_token"]
            db.session.remove()
        headers = {"Authorization": f"Bearer {token}"}
        client = run_app.test_client()
        _time_requests(client, tournament_paths[:5], headers)  # warm the pool and caches
        runs[label] = (client, headers)
    # Each path is asked of both apps in turn, so both see the same load on the machine.
    for endpoint, paths in (("tournament", tournament_paths), ("organizer", organizer_paths)):
        samples: dict[str, list[float]] = {label: [] for label in runs}
        for path in paths:
            for label, (client, headers) in runs.items():
                samples[label].extend(_time_requests(client, [path], headers))
        for label, timings in samples.items():
            print(
                json.dumps(
                    {
                        "figure": f"{endpoint} analytics",
                        "source": label,
                        "requests": len(timings),
                        **_percentiles(timings),
                    }
                ),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
