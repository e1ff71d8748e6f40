"""Cached against uncached public reads under gunicorn, in one run.

    python bench/cached_reads.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench \
        --redis-url redis://127.0.0.1:6379/10 [--duration 5] [--connections 16]

Seed the database first with bench/seed.py (a few thousand tournaments are enough). The
script serves DeltaCrown twice with the same settings as bench/hot_reads.py (production
config, Redis, gunicorn `-k gthread -w 2 --threads 4`): once with the response cache
(`RESPONSE_CACHE=true`, the default) and once without (`RESPONSE_CACHE=false`), and loads
each endpoint on both, anonymously (what the cache serves). It prints one JSON line per
endpoint and server (requests per second, p50, p95) and, for the cached server, `speedup`:
its requests per second over the uncached server's for the same endpoint. The issue's target
is a speedup of at least 3 for the tournament detail. The machine's other load makes
absolute figures noisy: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import hot_reads  # noqa: E402  (bench/hot_reads.py: load generators and servers)

CACHED_PORT, UNCACHED_PORT = 8183, 8184


def paths(database_url: str) -> list[tuple[str, str]]:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        detail = connection.execute(
            sa.text(
                "SELECT id FROM tournaments WHERE visibility = 'public' AND deleted_at IS NULL "
                "AND status = 'registration_open' ORDER BY id LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return [
        ("detail", f"/api/tournaments/{detail}/"),
        ("list default", "/api/tournaments/?page_size=20"),
        ("list compact", "/api/tournaments/?page_size=20&view=compact"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL"))
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    if not args.database_url or not args.redis_url:
        raise SystemExit("needs --database-url (PostgreSQL, seeded) and --redis-url")

    endpoints = paths(args.database_url)
    env = {
        **os.environ,
        "DELTACROWN_ENV": "production",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "CELERY_BROKER_URL": args.redis_url,
        "SECRET_KEY": "bench-" + "s" * 40,
        "JWT_SECRET_KEY": "bench-" + "j" * 40,
        "RATELIMIT_DEFAULT": "100000000/minute",
        "PYTHONPATH": str(ROOT),
    }
    load = hot_reads.wrk_load if shutil.which("wrk") else hot_reads.python_load
    cached = hot_reads.serve("wsgi:app", CACHED_PORT, {**env, "RESPONSE_CACHE": "true"})
    uncached = hot_reads.serve("wsgi:app", UNCACHED_PORT, {**env, "RESPONSE_CACHE": "false"})
    common = {"connections": args.connections, "duration": args.duration, "load": load.__name__}
    try:
        for _, path in endpoints:  # warm both up (and fill the cache)
            load(CACHED_PORT, path, args.connections, 1.0)
            load(UNCACHED_PORT, path, args.connections, 1.0)
        for name, path in endpoints:
            plain = load(UNCACHED_PORT, path, args.connections, args.duration)
            print(json.dumps({**common, "endpoint": name, "path": path, "server": "uncached",
                              **plain}), flush=True)  # fmt: skip
            fast = load(CACHED_PORT, path, args.connections, args.duration)
            speedup = round(fast["rps"] / plain["rps"], 2) if plain["rps"] else None
            print(json.dumps({**common, "endpoint": name, "path": path, "server": "cached",
                              **fast, "speedup": speedup}), flush=True)  # fmt: skip
    finally:
        hot_reads.stop(cached)
        hot_reads.stop(uncached)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
