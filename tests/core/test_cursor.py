"""Cursor pagination for append-only feeds: opaque, newest first, stable under inserts."""

from __future__ import annotations

import base64
import json

import pytest
import sqlalchemy as sa

from deltacrown.core import audit
from deltacrown.core.audit import AuditEntry
from deltacrown.core.pagination import (
    InvalidCursorError,
    cursor_page,
    decode_cursor,
    encode_cursor,
)
from deltacrown.extensions import db
from tests.helpers import assert_problem

ACTION = "test.cursor"
FEED = f"/api/admin/audit/?action={ACTION}"


def add_entries(count: int) -> list[int]:
    ids = [
        audit.record(actor=None, action=ACTION, target_type="thing", target_id=n).id
        for n in range(count)
    ]
    db.session.commit()
    return ids


def feed_query() -> sa.Select:
    return sa.select(AuditEntry).where(AuditEntry.action == ACTION)


def page_ids(args: dict) -> tuple[list[int], str | None]:
    items, next_cursor = cursor_page(feed_query(), AuditEntry.id, args)
    return [item.id for item in items], next_cursor


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_cursor_round_trips_and_is_opaque():
    cursor = encode_cursor(12345)
    assert decode_cursor(cursor) == 12345
    assert "12345" not in cursor
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        b64(b"[1]"),
        b64(b'{"id": "3"}'),
        b64(b'{"id": true}'),
        b64(b'{"id": 0}'),
        b64(b'{"other": 3}'),
        b64(b"\xff\xfe"),
        encode_cursor(5) + "A" * 200,
    ],
)
def test_decode_refuses_cursors_we_did_not_issue(cursor):
    with pytest.raises(InvalidCursorError) as raised:
        decode_cursor(cursor)
    assert raised.value.status == 422 and raised.value.code == "invalid_cursor"


def test_pages_run_newest_first_and_the_last_has_no_cursor(app_ctx):
    ids = add_entries(5)
    first, cursor = page_ids({"limit": 2})
    assert first == [ids[4], ids[3]]
    second, cursor = page_ids({"limit": 2, "cursor": cursor})
    assert second == [ids[2], ids[1]]
    last, cursor = page_ids({"limit": 2, "cursor": cursor})
    assert last == [ids[0]]
    assert cursor is None


def test_a_full_last_page_has_no_cursor(app_ctx):
    ids = add_entries(4)
    _, cursor = page_ids({"limit": 2})
    last, cursor = page_ids({"limit": 2, "cursor": cursor})
    assert last == [ids[1], ids[0]]
    assert cursor is None


def test_a_row_inserted_after_page_one_does_not_shift_page_two(app_ctx):
    ids = add_entries(4)
    first, cursor = page_ids({"limit": 2})
    newer = add_entries(1)[0]
    second, _ = page_ids({"limit": 2, "cursor": cursor})
    assert first == [ids[3], ids[2]]
    assert second == [ids[1], ids[0]]
    # The new row heads a fresh first page.
    assert page_ids({"limit": 2})[0] == [newer, ids[3]]


def test_limit_defaults_to_50(app_ctx):
    add_entries(51)
    items, cursor = page_ids({})
    assert len(items) == 50 and cursor is not None


# ----- through the API (GET /api/admin/audit/) -------------------------------------------
def test_api_follows_x_next_cursor_to_the_last_page(app, client, staff):
    with app.app_context():
        ids = add_entries(3)
    first = client.get(f"{FEED}&limit=2", headers=staff.headers)
    assert first.status_code == 200
    assert [e["id"] for e in first.get_json()] == [ids[2], ids[1]]
    cursor = first.headers["X-Next-Cursor"]

    with app.app_context():
        add_entries(1)  # arrives between the two requests
    second = client.get(f"{FEED}&limit=2&cursor={cursor}", headers=staff.headers)
    assert second.status_code == 200
    assert [e["id"] for e in second.get_json()] == [ids[0]]
    assert "X-Next-Cursor" not in second.headers


@pytest.mark.parametrize("cursor", ["garbage", b64(b'{"id": -1}')])
def test_api_bad_cursor_is_422_invalid_cursor(client, staff, cursor):
    body = assert_problem(
        client.get(f"{FEED}&cursor={cursor}", headers=staff.headers), 422, "invalid_cursor"
    )
    assert "cursor" in body["errors"]


@pytest.mark.parametrize("limit", ["0", "201", "ten"])
def test_api_limit_out_of_range_is_422(client, staff, limit):
    body = assert_problem(
        client.get(f"{FEED}&limit={limit}", headers=staff.headers), 422, "validation_error"
    )
    assert "limit" in body["errors"]


def test_api_limit_200_is_allowed(client, staff):
    assert client.get(f"{FEED}&limit=200", headers=staff.headers).status_code == 200


def test_openapi_documents_cursor_parameters_and_header(client):
    operation = client.get("/api/openapi.json").get_json()["paths"]["/api/admin/audit/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"cursor", "limit"} <= names
    assert "X-Next-Cursor" in operation["responses"]["200"]["headers"]
    assert "`invalid_cursor`" in operation["responses"]["422"]["description"]


def test_cursor_json_is_the_last_id(app_ctx):
    ids = add_entries(2)
    _, cursor = page_ids({"limit": 1})
    assert json.loads(base64.urlsafe_b64decode(cursor + "==")) == {"id": ids[1]}


@pytest.mark.parametrize("last_id", [2**63, 2**70])
def test_a_cursor_naming_an_id_no_database_integer_holds_is_422(client, staff, last_id):
    cursor = b64(json.dumps({"id": last_id}).encode())
    assert_problem(
        client.get(f"{FEED}&cursor={cursor}", headers=staff.headers), 422, "invalid_cursor"
    )
