"""What one result costs the database, counted (never timed): the organizer's result of a
16-player single elimination, the one that makes the next match ready and (auto-start) live.

The match service locks the tournament through the match (one statement, with its
co-organizers), then the match, the matches it feeds and its stage (one statement, with
whether it has open submissions or disputes, and whether any match of the tournament waits
to start); the bracket service reads none of them again; with nothing waiting before, the
auto-start looks at the rows the result moved instead of querying; the match's event and the
audit entry go out in one flush, with the rows the result moved (the next match ready and
live in one UPDATE).
Before, the same result sent 16 statements on PostgreSQL, and 14 for one that readies nothing
(the match read three times, the tournament's co-organizers, submissions and disputes each
apart, a flush per step)."""

from __future__ import annotations

from typing import Any

import pytest

from deltacrown.accounts.models import User
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from deltacrown.matches import services
from tests.brackets_api.conftest import (  # noqa: F401  (fixtures)
    api,
    organizer,
)
from tests.brackets_api.conftest import cup as any_cup  # noqa: F401  (fixture)
from tests.matches.conftest import Play, all_matches
from tests.performance.conftest import statements_seen
from tests.teams.conftest import give_profile, make_player  # noqa: F401  (fixtures)

# tournament lock, match lock, 3 UPDATEs (the match, the next match, the stage's counter),
# the match events (one INSERT of both on PostgreSQL, one each on SQLite), the audit entry.
MAX_STATEMENTS = 7


@pytest.fixture(autouse=True)
def _full_path(app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The full path's statements (PostgreSQL takes the direct path unless told otherwise;
    the last test counts that one)."""
    monkeypatch.setitem(app.config, "DIRECT_RESULTS", False)


def _enter(app: Any, organizer_id: int, play: Play, code: str) -> list[tuple[str, Any]]:
    first, _ = play.ids(code)
    with app.app_context():
        actor = db.session.get(User, organizer_id)
        with unit_of_work(), statements_seen() as seen:
            services.enter_result(
                play.matches[code]["id"], winner=first, games=[[1, 0]], actor=actor, expect="open"
            )
        db.session.remove()
    return seen


def _selects(seen: list[tuple[str, Any]]) -> list[str]:
    return [sql for sql, _ in seen if sql.lstrip().upper().startswith("SELECT")]


def test_a_result_that_readies_the_next_match_sends_at_most_seven_statements(
    app,
    any_cup,  # noqa: F811
    api,  # noqa: F811
    organizer,  # noqa: F811
    is_postgres,
):
    cup = any_cup(16, format="single_elimination", auto_start_matches=True)
    play = Play(cup, all_matches(api.generated(cup.id, options={"best_of": 1})))
    assert api.start(cup.id).status_code == 200
    _enter(app, organizer.id, play, "W1.1")  # the next match knows one side
    seen = _enter(app, organizer.id, play, "W1.2")  # ... and now both: ready, then live
    bound = MAX_STATEMENTS if is_postgres else MAX_STATEMENTS + 1
    assert len(seen) <= bound, [sql[:40] for sql, _ in seen]
    selects = _selects(seen)  # the tournament; the match, what it feeds and its stage
    assert len(selects) == 2, selects
    assert selects[0].startswith("SELECT tournaments.id")
    assert selects[1].startswith("SELECT matches.id")
    assert ("FOR UPDATE" in selects[1]) is is_postgres  # SQLite locks the whole file instead
    # The next match is written once: ready and live in one UPDATE.
    assert len([sql for sql, _ in seen if sql.startswith("UPDATE matches")]) == 2
    with app.app_context():
        next_match = api.client.get(f"/api/matches/{play.matches['W2.1']['id']}/").get_json()
    assert next_match["status"] == "live"


def test_a_result_that_feeds_a_match_still_waiting_sends_as_few(
    app,
    any_cup,  # noqa: F811
    api,  # noqa: F811
    organizer,  # noqa: F811
):
    cup = any_cup(16, format="single_elimination", auto_start_matches=True)
    play = Play(cup, all_matches(api.generated(cup.id, options={"best_of": 1})))
    assert api.start(cup.id).status_code == 200
    seen = _enter(app, organizer.id, play, "W1.1")
    assert len(seen) <= MAX_STATEMENTS, [sql[:40] for sql, _ in seen]


@pytest.mark.postgres
def test_a_direct_result_sends_two_statements_and_locks_the_tournament_first(
    app,
    any_cup,  # noqa: F811
    api,  # noqa: F811
    organizer,  # noqa: F811
    monkeypatch,
    is_postgres,
):
    """On PostgreSQL the common case (`matches.services.direct`): one statement locks the
    tournament (reading what the guards need), then the rows; one writes the rows, the
    stage, the history and the audit entry. The tournament's lock is a CTE read by the
    statement's one-time filter, which PostgreSQL evaluates before it reads (and locks) any
    match: the order every result locks in, so two results never wait on each other's
    locks the other way round."""
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): the direct path is PostgreSQL's")
    monkeypatch.setitem(app.config, "DIRECT_RESULTS", True)
    cup = any_cup(16, format="single_elimination", auto_start_matches=True)
    play = Play(cup, all_matches(api.generated(cup.id, options={"best_of": 1})))
    assert api.start(cup.id).status_code == 200
    _enter(app, organizer.id, play, "W1.1")
    seen = _enter(app, organizer.id, play, "W1.2")  # the next match: ready, then live
    assert len(seen) == 2, [sql[:40] for sql, _ in seen]
    lock, write = seen
    assert lock[0].startswith("WITH locked_tournament AS") and "FOR UPDATE" in lock[0]
    assert write[0].startswith("WITH changed AS (UPDATE matches")
    with app.app_context():
        cursor = db.session.connection().connection.dbapi_connection.cursor()
        cursor.execute("EXPLAIN (FORMAT JSON) " + lock[0], lock[1])
        plan = cursor.fetchone()[0][0]["Plan"]
        db.session.rollback()
    assert plan["Node Type"] == "LockRows"
    (outer,) = [p for p in plan["Plans"] if p["Parent Relationship"] == "Outer"]
    assert outer["Node Type"] == "Result" and "IS NOT NULL" in outer["One-Time Filter"]
    with app.app_context():
        next_match = api.client.get(f"/api/matches/{play.matches['W2.1']['id']}/").get_json()
    assert next_match["status"] == "live"
