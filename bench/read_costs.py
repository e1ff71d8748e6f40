"""What each documented read costs on a large database: every GET of the OpenAPI document, in
process, as one person, with its most expensive documented parameters, slowest first.

    python bench/read_costs.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench \
        [--as new-player|busiest-player|busiest-organizer|staff|anonymous] [--top 25] \
        [--source /path/to/another/checkout] [--label after]

Seed the database first (bench/seed.py; bench/hot_reads.py adds a played 256-player double
elimination, whose tournament, match and registration fill the path ids). Each operation is
sent with its defaults, then once per documented query parameter set to its costliest value
(the largest page, a deep page, every ordering and enum value, a long search); the figure is
the best of two runs of the slowest of those requests, in milliseconds. The person is a new
account (`new-player`, `staff`), the seeded player with the most registrations or the organizer
with the most tournaments. `--source` imports DeltaCrown from another checkout, so a commit
before a change runs in the same session on the same database: its lines are the baseline.
Prints one JSON line per operation: {"label", "as", "ms", "status", "url"}.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _person(app: Any, engine: Any, who: str) -> dict[str, str]:
    import sqlalchemy as sa

    from deltacrown.accounts import tokens
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db
    from tests.helpers import create_user

    if who == "anonymous":
        return {}
    if who in ("new-player", "staff"):
        name = f"cost{random.getrandbits(28):07x}"  # noqa: S311
        return create_user(app, username=name, is_staff=who == "staff").headers
    busiest = {
        "busiest-player": "SELECT user_id FROM registrations WHERE user_id IS NOT NULL "
        "GROUP BY user_id ORDER BY count(*) DESC LIMIT 1",
        "busiest-organizer": "SELECT organizer_id FROM tournaments "
        "GROUP BY organizer_id ORDER BY count(*) DESC LIMIT 1",
    }[who]
    with engine.connect() as connection:
        user_id = connection.execute(sa.text(busiest)).scalar_one()
    with app.app_context():
        pair = tokens.tokens_for(db.session.get(User, user_id))
        db.session.commit()
    return {"Authorization": f"Bearer {pair['access_token']}"}


def _ids(engine: Any) -> dict[str, Any]:
    import sqlalchemy as sa

    def one(sql: str) -> Any:
        with engine.connect() as connection:
            return connection.execute(sa.text(sql)).scalar()

    cup = one(
        "SELECT id FROM tournaments WHERE name LIKE 'Bench %' "
        "AND format = 'double_elimination' ORDER BY id LIMIT 1"
    ) or one("SELECT id FROM tournaments ORDER BY id LIMIT 1")
    return {
        "tournament_id": cup,
        "match_id": one(f"SELECT id FROM matches WHERE tournament_id = {int(cup)} LIMIT 1"),  # noqa: S608
        "registration_id": one(
            f"SELECT id FROM registrations WHERE tournament_id = {int(cup)} LIMIT 1"  # noqa: S608
        ),
        "stage_id": one(f"SELECT id FROM stages WHERE tournament_id = {int(cup)} LIMIT 1"),  # noqa: S608
        "user_id": one("SELECT id FROM users ORDER BY id LIMIT 1"),
        "team_id": one("SELECT id FROM teams ORDER BY id LIMIT 1"),
        "game_id": one("SELECT id FROM games ORDER BY id LIMIT 1"),
    }


def _costly_values(parameter: dict[str, Any]) -> list[str]:
    schema, name = parameter.get("schema", {}), parameter["name"]
    if "enum" in schema:
        return [str(value) for value in schema["enum"]]
    if name == "page":
        return ["1", "500"]
    if name in ("q", "search"):
        words = " ".join(["cup", "pro", "league", "open", "a"] * 20)
        return ["cup", words[: schema.get("maxLength", 100)]]
    if schema.get("type") == "boolean":
        return ["true"]
    if schema.get("format") == "date-time":
        return ["2000-01-01T00:00:00Z"]
    if schema.get("format") == "date":
        return ["2000-01-01"]
    return []


def _requests(document: dict[str, Any], ids: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(path, query strings) of every GET whose path ids can be filled."""
    found = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        names = re.findall(r"{(\w+)}", path)
        if operation is None or any(ids.get(name) is None for name in names):
            continue
        url = re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), path)
        sizes, queries = [], [""]
        for parameter in operation.get("parameters", []):
            if parameter.get("in") != "query":
                continue
            if parameter["name"] in ("page_size", "limit"):
                top = parameter.get("schema", {}).get("maximum", 100)
                sizes.append(f"{parameter['name']}={top}")
                continue
            queries += [f"{parameter['name']}={v}" for v in _costly_values(parameter)]
        found.append((url, ["&".join([*sizes, q] if q else sizes) for q in queries]))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--as", dest="who", default="new-player",
                        choices=["new-player", "busiest-player", "busiest-organizer", "staff",
                                 "anonymous"])  # fmt: skip
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--source", type=Path, default=ROOT)
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    sys.path[:0] = [str(args.source.resolve()), str(ROOT)]
    import sqlalchemy as sa

    from deltacrown.app import create_app

    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=args.database_url, RATELIMIT_ENABLED=False
    )  # fmt: skip
    client = app.test_client()
    engine = sa.create_engine(args.database_url)
    headers = _person(app, engine, args.who)
    document = client.get("/api/openapi.json").get_json()
    rows = []
    for url, queries in _requests(document, _ids(engine)):
        worst = (0.0, url, 0)
        for query in queries:
            full = f"{url}?{query}" if query else url
            best = float("inf")
            for _ in range(2):
                started = time.perf_counter()
                response = client.get(full, headers=headers)
                response.get_data()  # a streamed export runs its queries while it is read
                response.close()
                best = min(best, time.perf_counter() - started)
            if best > worst[0]:
                worst = (best, full, response.status_code)
        rows.append(worst)
    engine.dispose()
    for seconds, url, status in sorted(rows, reverse=True)[: args.top]:
        line = {"label": args.label, "as": args.who, "ms": round(seconds * 1000, 1)}
        print(json.dumps({**line, "status": status, "url": url}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
