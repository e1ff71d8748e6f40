"""Round trips to PostgreSQL per safe request, on a real pool (not the tests' rolled-back
connection): a GET runs its queries in autocommit, sends no BEGIN or COMMIT and no ping, and a
safe request that writes after all still writes in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.accounts.models import User
from deltacrown.app import create_app
from deltacrown.extensions import db
from deltacrown.tournaments.models import Tournament
from tests.performance.seed import tournament_rows
from tests.performance.wire import round_trips

pytestmark = pytest.mark.postgres


@pytest.fixture
def pooled(database_url: str, is_postgres: bool) -> Iterator[dict[str, Any]]:
    """An app with its own pool of one connection, and a public tournament committed."""
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0},
    )
    with app.app_context():
        user = User(
            username="wire", username_key="wire", email="wire@example.test", password_hash="x"
        )
        db.session.add(user)
        db.session.flush()
        user_id = user.id
        row = {**tournament_rows(1, [user_id], seed=99)[0], "status": "registration_open"}
        row["visibility"] = "public"
        tournament_id = db.session.execute(
            sa.insert(Tournament.__table__).returning(Tournament.__table__.c.id), row
        ).scalar_one()
        db.session.commit()
    try:
        yield {"app": app, "tournament": tournament_id}
    finally:
        with app.app_context():
            db.session.execute(
                sa.text("DELETE FROM tournaments WHERE id = :t"), {"t": tournament_id}
            )
            db.session.execute(sa.text("DELETE FROM users WHERE id = :u"), {"u": user_id})
            db.session.commit()
            db.engine.dispose()


def _get(app: Any, path: str) -> Any:
    client = app.test_client()
    client.get(path)  # warm: the pool's connection is open and checked in
    with app.app_context():
        engine = db.engine
    with round_trips(engine) as trips:
        response = client.get(path)
    assert response.status_code in (200, 404)
    return trips


def test_a_tournament_detail_costs_its_queries_and_nothing_else(pooled):
    trips = _get(pooled["app"], f"/api/tournaments/{pooled['tournament']}/")
    sent = " ".join(trips.sent)
    assert "BEGIN" not in sent and "COMMIT" not in sent and "SELECT 1" not in sent
    # The tournament with its game and organizer, then its co-organizers.
    assert trips.count <= 2, trips.sent


def test_the_public_list_first_page_costs_at_most_two_round_trips(pooled):
    trips = _get(pooled["app"], "/api/tournaments/?page_size=20")
    assert "BEGIN" not in " ".join(trips.sent)
    assert 1 <= trips.count <= 2, trips.sent


def test_a_safe_request_that_writes_writes_in_one_transaction(pooled):
    app = pooled["app"]
    with app.test_request_context("/", method="GET"):
        db.session.execute(sa.text("SELECT 1"))  # the read runs in autocommit
        db.session.execute(
            sa.update(sa.table("tournaments", sa.column("id"), sa.column("name")))
            .where(sa.column("id") == pooled["tournament"])
            .values(name="Renamed by a GET")
        )
        connection = db.session.connection().connection.dbapi_connection
        assert connection.info.transaction_status != 0  # inside BEGIN
        db.session.rollback()
    with app.app_context():
        name = db.session.execute(
            sa.text("SELECT name FROM tournaments WHERE id = :t"), {"t": pooled["tournament"]}
        ).scalar_one()
    assert name != "Renamed by a GET"


def test_a_streamed_read_in_a_safe_request_runs_in_a_transaction(pooled):
    """A server-side cursor (`yield_per`: the CSV and JSON exports stream their rows) exists
    only inside a transaction: in autocommit PostgreSQL refuses DECLARE CURSOR."""
    app = pooled["app"]
    with app.test_request_context("/", method="GET"):
        db.session.execute(sa.text("SELECT 1"))  # the request's connection, in autocommit
        streamed = db.session.scalars(sa.select(User.id).execution_options(yield_per=1)).all()
        assert streamed
        db.session.rollback()


def test_the_match_export_streams_its_whole_body(pooled):
    client = pooled["app"].test_client()
    path = f"/api/tournaments/{pooled['tournament']}/matches/export/"
    for _ in range(2):  # the second on a connection the pool has served before
        response = client.get(path)
        assert response.status_code == 200
        body = response.get_data(as_text=True)  # streamed: its rows are read here
        assert body.startswith("\ufeffmatch_id,")
