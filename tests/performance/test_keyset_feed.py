"""The public list paged by cursor (`?cursor=`): in every ordering and with filters it walks
the same tournaments in the same order as paging by number, and a cursor it did not issue
(or issued for another ordering) is a 422 `invalid_cursor`."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from deltacrown.extensions import db
from tests.helpers import assert_problem, create_user
from tests.performance.seed import insert_tournaments, tournament_rows

COUNT = 60
PAGE = 7


@pytest.fixture
def sixty(app: Any) -> None:
    owner = create_user(app, username="feeder")
    with app.app_context():
        rows = tournament_rows(COUNT, [owner.id], seed=3)
        for n, row in enumerate(rows):
            row["status"] = "registration_open" if n % 3 else "completed"
            row["visibility"] = "public"
            if n % 5 == 0:  # ties on the sort keys, broken by id
                row["start_at"], row["created_at"] = rows[0]["start_at"], rows[0]["created_at"]
                row["name"] = "Tied " + str(n % 2)
        insert_tournaments(rows)
        db.session.commit()
        db.session.remove()


def _by_number(client: Any, params: dict[str, Any]) -> list[int]:
    response = client.get("/api/tournaments/", query_string={**params, "page_size": 100})
    return [t["id"] for t in response.get_json()]


def _by_cursor(client: Any, params: dict[str, Any]) -> list[int]:
    ids: list[int] = []
    cursor = ""
    while cursor is not None:
        response = client.get(
            "/api/tournaments/", query_string={**params, "page_size": PAGE, "cursor": cursor}
        )
        assert response.status_code == 200, response.get_json()
        assert "X-Pagination" not in response.headers
        page = response.get_json()
        assert len(page) <= PAGE
        ids += [t["id"] for t in page]
        cursor = response.headers.get("X-Next-Cursor")
    return ids


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"ordering": "start_at"},
        {"ordering": "-start_at"},
        {"ordering": "name"},
        {"ordering": "-name"},
        {"ordering": "prize_pool"},
        {"ordering": "-prize_pool"},
        {"ordering": "created_at", "status": "registration_open"},
    ],
)
def test_the_cursor_feed_walks_the_list_in_the_same_order(client, sixty, params):
    expected = _by_number(client, params)
    assert len(expected) >= 2 * PAGE
    assert _by_cursor(client, params) == expected


@pytest.mark.parametrize(
    "cursor",
    ["nonsense", "eyJpZCI6IDF9", "eyJvIjoibmFtZSIsImsiOiJhIiwiaWQiOjF9", "x" * 600],
)
def test_a_cursor_not_issued_for_this_list_is_refused(client, sixty, cursor):
    response = client.get("/api/tournaments/", query_string={"cursor": cursor})
    assert_problem(response, 422, "invalid_cursor" if len(cursor) <= 500 else "validation_error")


def test_a_cursor_of_another_ordering_is_refused(client, sixty):
    first = client.get("/api/tournaments/", query_string={"cursor": "", "page_size": PAGE})
    cursor = first.headers["X-Next-Cursor"]
    response = client.get("/api/tournaments/", query_string={"cursor": cursor, "ordering": "name"})
    assert_problem(response, 422, "invalid_cursor")


def _forged(ordering: str, key: str, last_id: int) -> str:
    raw = json.dumps({"o": ordering, "k": key, "id": last_id}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("ordering", "key", "last_id"),
    [
        ("start_at", "0001-01-01T00:00:00+14:00", 1),  # a time zone away from the calendar
        ("-created_at", "9999-12-31T23:59:59-14:00", 1),
        ("-start_at", "1899-12-31T23:59:59+00:00", 1),
        ("name", "x", 2**70),  # no database integer holds it
        ("-prize_pool", "1", 2**63),
    ],
)
def test_a_forged_cursor_beyond_any_row_is_refused_not_a_server_error(
    client, ordering, key, last_id
):
    cursor = _forged(ordering, key, last_id)
    response = client.get(
        "/api/tournaments/", query_string={"cursor": cursor, "ordering": ordering}
    )
    assert_problem(response, 422, "invalid_cursor")
