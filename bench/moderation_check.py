"""How long `moderation.enforcement.check` takes when the user's sanctions are cached.

    .venv/bin/python bench/moderation_check.py [--checks 20000] [--redis redis://...]

Runs on a temporary SQLite file with the memory cache of the embedded default, and also with
the Redis cache of server mode when `--redis` (or TEST_REDIS_URL) is given. One user carries
three sanctions (a tournament suspension, a chat mute, a shop ban); after one warming check
every check reads the cache. Prints one line per run: mean, p50, p99 and max in microseconds,
beside the target (p99 under 1 ms from the cache).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deltacrown.app import MIGRATIONS_DIR, create_app  # noqa: E402


def run(label: str, checks: int, **settings: str) -> None:
    from flask_migrate import upgrade

    from deltacrown.accounts.services import register_user
    from deltacrown.core.actors import SYSTEM
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.extensions import cache
    from deltacrown.moderation import enforcement, services
    from deltacrown.moderation.models import SanctionScope, SanctionType

    folder = tempfile.mkdtemp(prefix="bench-moderation-")
    url = f"sqlite:///{folder}/bench.sqlite3"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, **settings)
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")
    with app.test_request_context(), unit_of_work():
        user_id = register_user(
            username="bench", email="bench@example.test", password=uuid.uuid4().hex
        ).id
        for type_, scope in (
            (SanctionType.MUTE, SanctionScope.CHAT),
            (SanctionType.SHOP_BAN, SanctionScope.SHOP),
        ):
            services.create_sanction(
                actor=SYSTEM, type=type_, scope=scope, reason_code="bench", user_id=user_id
            )
    actions = list(enforcement.Action)
    timings = []
    with app.app_context():
        enforcement.check(user_id, enforcement.Action.SHOP)  # fills the cache
        for n in range(checks):
            started = time.perf_counter()
            enforcement.check(user_id, actions[n % len(actions)], 1)
            timings.append((time.perf_counter() - started) * 1e6)
        cache.delete(enforcement.cache_key("user", user_id))
    timings.sort()
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(
        f"{label}: {checks} checks  mean {statistics.mean(timings):.1f} us  "
        f"p50 {timings[len(timings) // 2]:.1f} us  p99 {p99:.1f} us  max {timings[-1]:.1f} us  "
        f"(target: p99 < 1000 us)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=20000)
    parser.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL"))
    args = parser.parse_args()
    run("memory cache", args.checks)
    if args.redis:
        run("redis cache", args.checks, REDIS_URL=args.redis)


if __name__ == "__main__":
    main()
