"""A cancelled match waits for the organizer: it blocks its round (a Swiss round is not paired
past it) until the organizer settles it, and the bracket then goes on as if it had been
played in order. (An engine-skipped grand-final reset is `skipped`, not `cancelled`: see
tests/brackets_api/test_play_api.py.)"""

from __future__ import annotations

from typing import Any

from tests.brackets_api.conftest import all_matches


def _swiss(cup: Any, api: Any) -> tuple[Any, dict[str, dict[str, Any]]]:
    c = cup(4, format="swiss")
    document = api.generated(c.id, options={"best_of": 1, "swiss_rounds": 2})
    assert api.start(c.id).status_code == 200
    return c, all_matches(document)


def _pairs(api: Any, tournament_id: int, round_number: int) -> set[frozenset[int]]:
    listed = api.matches(tournament_id).get_json()
    return {
        frozenset(p["registration_id"] for p in match["participants"])
        for match in listed
        if match["code"].startswith(f"S{round_number}.")
    }


def _winner_and_loser(match: dict[str, Any], first_wins: bool) -> tuple[int, int]:
    a, b = (p["registration_id"] for p in match["participants"])
    return (a, b) if first_wins else (b, a)


def test_a_swiss_round_with_a_cancelled_match_is_paired_only_after_the_organizer_settles_it(
    cup, api, m
):
    c, matches = _swiss(cup, api)
    first, second = matches["S1.1"], matches["S1.2"]
    assert m.cancel(first["id"]).status_code == 200

    m.live(second["id"])
    a, b = (c.player_of(p["registration_id"]) for p in second["participants"])
    assert m.submit(second["id"], [(13, 5)], a.headers).status_code == 200
    confirmed = m.confirm(second["id"], b.headers)
    assert confirmed.get_json()["status"] == "completed", confirmed.get_json()
    assert _pairs(api, c.id, 2) == set()  # S1.1 is still the organizer's to settle
    assert m.get(first["id"]).get_json()["status"] == "cancelled"

    settled = m.override(first["id"], [(5, 13)])
    assert settled.status_code == 200, settled.get_json()
    assert m.get(first["id"]).get_json()["status"] == "completed"

    won1, lost1 = _winner_and_loser(first, first_wins=False)
    won2, lost2 = _winner_and_loser(second, first_wins=True)
    assert _pairs(api, c.id, 2) == {frozenset({won1, won2}), frozenset({lost1, lost2})}


def _reset(api: Any, tournament_id: int) -> dict[str, Any]:
    listed = api.matches(tournament_id).get_json()
    return next(x for x in listed if x["code"].startswith("GF") and x["code"] != "GF1.1")


def test_the_migration_makes_stored_engine_skipped_resets_skipped_and_leaves_cancelled_ones(
    app, cup, api, m
):
    """Before `skipped` existed, an unneeded reset was stored as `cancelled`; one the
    organizer cancelled (it has a `cancelled` event) stays cancelled."""
    import importlib.util

    import sqlalchemy as sa
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    from deltacrown.app import MIGRATIONS_DIR
    from deltacrown.extensions import db

    skipped = cup(4, format="double_elimination")
    api.generated(skipped.id)
    assert api.start(skipped.id).status_code == 200
    api.play(skipped.id)  # the winners' champion takes the final: the reset is skipped
    needless = _reset(api, skipped.id)
    assert needless["status"] == "skipped"

    cancelled = cup(4, format="double_elimination")
    api.generated(cancelled.id)
    assert api.start(cancelled.id).status_code == 200

    def losers_champion_wins_the_final(match: dict[str, Any]) -> int:
        first, second = match["participants"]
        better = first if first["seed"] < second["seed"] else second
        worse = second if better is first else first
        return (worse if match["code"] == "GF1.1" else better)["registration_id"]

    while True:  # everything but the reset, which becomes ready
        ready = [x for x in api.ready(cancelled.id) if x["id"] != _reset(api, cancelled.id)["id"]]
        if not ready:
            break
        for match in ready:
            winner = losers_champion_wins_the_final(match)
            score = (
                [[13, 5]] if winner == match["participants"][0]["registration_id"] else [[5, 13]]
            )
            assert api.result(match["id"], winner, score).status_code == 200
    stopped = _reset(api, cancelled.id)
    assert m.cancel(stopped["id"]).status_code == 200

    spec = importlib.util.spec_from_file_location(
        "skipped_resets", f"{MIGRATIONS_DIR}/versions/20261206_0800_h1match0013_skipped_resets.py"
    )
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        db.session.execute(
            sa.text("UPDATE matches SET status = 'cancelled' WHERE id = :id"),
            {"id": needless["id"]},
        )  # as stored before the migration
        with Operations.context(MigrationContext.configure(db.session.connection())):
            migration.upgrade()
        statuses = dict(
            db.session.execute(
                sa.text("SELECT id, status FROM matches WHERE id IN (:a, :b)"),
                {"a": needless["id"], "b": stopped["id"]},
            ).all()
        )
        db.session.commit()
    assert statuses == {needless["id"]: "skipped", stopped["id"]: "cancelled"}
