"""Entering a result locks its tournament row once: the match service locks it, the bracket
service reuses that lock in the same transaction, and the visibility check reads the locked
row (before: three loads, two of them SELECT ... FOR UPDATE)."""

from __future__ import annotations

from typing import Any

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


def _tournament_reads(statements: list[tuple[str, Any]]) -> list[str]:
    return [
        sql
        for sql, _ in statements
        # (on PostgreSQL the direct path reads it in a CTE of its locking statement)
        if sql.lstrip().upper().startswith(("SELECT", "WITH")) and "\nFROM tournaments" in sql
    ]


def test_a_result_reads_and_locks_its_tournament_once(
    app,
    any_cup,  # noqa: F811
    api,  # noqa: F811
    organizer,  # noqa: F811
    is_postgres,
):
    cup = any_cup(4, format="single_elimination", auto_start_matches=False)
    play = Play(cup, all_matches(api.generated(cup.id, options={"best_of": 1})))
    assert api.start(cup.id).status_code == 200
    first, second = play.ids("W1.1")
    match_id = play.matches["W1.1"]["id"]
    with app.app_context():
        actor = db.session.get(User, organizer.id)
        # The result's own transaction (reactions of other domains run after its commit).
        with unit_of_work(), statements_seen() as seen:
            services.enter_result(
                match_id, winner=first, games=[[1, 0]], actor=actor, expect="open"
            )
    reads = _tournament_reads(seen)
    assert len(reads) == 1, reads
    assert ("FOR UPDATE" in reads[0]) is is_postgres  # SQLite locks the whole file instead
