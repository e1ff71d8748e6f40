"""Staff user management: /api/admin/users/ (filters, CSV export), item GET and audited PATCH."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sqlalchemy as sa

from deltacrown.core import csv as csv_module
from deltacrown.core.audit import AuditEntry
from deltacrown.extensions import db
from tests.helpers import assert_problem

LIST_URL = "/api/admin/users/"
CSV_HEADERS = [
    "id",
    "username",
    "email",
    "display_name",
    "country",
    "is_active",
    "is_staff",
    "created_at",
    "last_login_at",
]


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _item_url(user_id: int) -> str:
    return f"/api/admin/users/{user_id}/"


# ----- access -----------------------------------------------------------------------------------
def test_non_staff_get_403_and_anonymous_401(client, user):
    for response in (
        client.get(LIST_URL, headers=user.headers),
        client.get(LIST_URL, headers={**user.headers, "Accept": "text/csv"}),
        client.get(_item_url(user.id), headers=user.headers),
        client.patch(_item_url(user.id), json={"is_active": False}, headers=user.headers),
    ):
        assert_problem(response, 403, "forbidden")
    assert_problem(client.get(LIST_URL), 401, "authentication_required")
    assert_problem(client.get(LIST_URL, headers={"Accept": "text/csv"}), 401)


# ----- list -------------------------------------------------------------------------------------
def test_list_filters_by_search_staff_and_active(client, staff, make_user):
    alice = make_user(username="alice", email="alice@wonder.test")
    make_user(username="bob", email="bob@builder.test", is_active=False)

    def usernames(**params: str) -> list[str]:
        response = client.get(LIST_URL, query_string=params, headers=staff.headers)
        assert response.status_code == 200, response.get_json()
        return [row["username"] for row in response.get_json()]

    assert usernames(search="WONDER") == ["alice"]  # e-mail substring, case-insensitive
    assert usernames(search="lic") == ["alice"]  # username substring
    assert usernames(is_staff="true") == ["staffer"]
    assert usernames(is_active="false") == ["bob"]
    assert set(usernames()) == {"staffer", "alice", "bob"}
    response = client.get(LIST_URL, query_string={"search": "alice"}, headers=staff.headers)
    [row] = response.get_json()
    assert row["id"] == alice.id and row["email"] == "alice@wonder.test"


def test_search_treats_like_wildcards_literally(client, staff, make_user):
    make_user(username="a_b")
    make_user(username="axb")
    response = client.get(LIST_URL, query_string={"search": "a_b"}, headers=staff.headers)
    assert [row["username"] for row in response.get_json()] == ["a_b"]


def test_list_is_paginated_for_json(client, staff, make_user):
    for n in range(4):
        make_user(username=f"paged{n}")
    response = client.get(LIST_URL, query_string={"page_size": 2}, headers=staff.headers)
    assert len(response.get_json()) == 2
    assert json.loads(response.headers["X-Pagination"])["total"] == 5


# ----- CSV export -------------------------------------------------------------------------------
def test_csv_export_has_bom_header_fixed_columns_and_every_row(
    client, staff, make_user, monkeypatch
):
    # Small batches so the export crosses several fetches and chunks.
    monkeypatch.setattr(csv_module, "YIELD_PER", 3)
    monkeypatch.setattr(csv_module, "FLUSH_EVERY", 4)
    created = [make_user(username=f"export{n:02d}") for n in range(23)]
    response = client.get(
        LIST_URL, query_string={"page_size": 5}, headers={**staff.headers, "Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.mimetype_params.get("charset") == "utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="users.csv"'
    assert "X-Pagination" not in response.headers
    rows = _csv(response)
    assert rows[0] == CSV_HEADERS
    ids = [int(row[0]) for row in rows[1:]]
    assert ids == sorted([staff.id, *(u.id for u in created)])  # all rows, not one page
    assert all(len(row) == len(CSV_HEADERS) for row in rows)


def test_csv_export_formats_values_and_defuses_formulas(client, staff, make_user):
    evil = make_user(username="evil", display_name='=HYPERLINK("http://x")', country="BD")
    plain = make_user(username="plain")
    response = client.get(
        LIST_URL, query_string={"search": "evil"}, headers={**staff.headers, "Accept": "text/csv"}
    )
    rows = _csv(response)
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["id"] == str(evil.id)
    assert record["display_name"] == '\'=HYPERLINK("http://x")'
    assert record["country"] == "BD"
    assert record["is_active"] == "true" and record["is_staff"] == "false"
    assert record["created_at"].endswith("Z") and "T" in record["created_at"]
    assert record["last_login_at"] == ""

    client.post("/api/auth/login/", json={"login": "plain", "password": plain.password})
    rows = _csv(
        client.get(
            LIST_URL,
            query_string={"search": "plain"},
            headers={**staff.headers, "Accept": "text/csv"},
        )
    )
    assert rows[1][CSV_HEADERS.index("last_login_at")].endswith("Z")


def test_csv_export_applies_the_filters(client, staff, make_user):
    make_user(username="keepme", is_active=False)
    make_user(username="dropme")
    rows = _csv(
        client.get(
            LIST_URL,
            query_string={"is_active": "false"},
            headers={**staff.headers, "Accept": "text/csv"},
        )
    )
    assert [row[1] for row in rows[1:]] == ["keepme"]


def test_browsers_and_wildcards_get_json(client, staff):
    for accept in ("*/*", "text/html,application/xhtml+xml,*/*;q=0.8", "application/json"):
        response = client.get(LIST_URL, headers={**staff.headers, "Accept": accept})
        assert response.mimetype == "application/json", accept


def test_openapi_documents_csv_as_an_alternative(client):
    spec = client.get("/api/openapi.json").get_json()
    ok = spec["paths"]["/api/admin/users/"]["get"]["responses"]["200"]
    assert set(ok["content"]) == {"application/json", "text/csv"}
    assert "403" in spec["paths"]["/api/admin/users/"]["get"]["responses"]


# ----- item and PATCH ---------------------------------------------------------------------------
def test_staff_read_any_user_with_an_etag(client, staff, make_user):
    gone = make_user(is_active=False)
    response = client.get(_item_url(gone.id), headers=staff.headers)
    assert response.status_code == 200
    assert response.get_json()["is_active"] is False
    etag = response.headers["ETag"]
    assert etag.startswith('W/"')
    cached = client.get(_item_url(gone.id), headers={**staff.headers, "If-None-Match": etag})
    assert cached.status_code == 304
    assert_problem(client.get(_item_url(999999), headers=staff.headers), 404, "user_not_found")


def test_patch_deactivates_and_writes_an_audit_entry(app, client, staff, user):
    response = client.patch(
        _item_url(user.id),
        json={"is_active": False, "display_name": "Renamed"},
        headers={**staff.headers, "X-Request-ID": "req-deactivate-1"},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["is_active"] is False
    with app.app_context():
        entries = db.session.scalars(
            sa.select(AuditEntry).where(
                AuditEntry.target_type == "users", AuditEntry.target_id == user.id
            )
        ).all()
        assert len(entries) == 1
        entry = entries[0]
        assert entry.action == "user.updated"
        assert entry.actor_id == staff.id
        assert entry.before == {"is_active": True, "display_name": None}
        assert entry.after == {"is_active": False, "display_name": "Renamed"}
        assert entry.request_id == "req-deactivate-1"


def test_deactivated_users_tokens_stop_working(client, staff, user):
    assert client.get("/api/auth/me/", headers=user.headers).status_code == 200
    patched = client.patch(_item_url(user.id), json={"is_active": False}, headers=staff.headers)
    assert patched.status_code == 200
    assert_problem(client.get("/api/auth/me/", headers=user.headers), 401, "token_invalid")
    assert_problem(
        client.post("/api/auth/refresh/", headers=user.refresh_headers), 401, "token_invalid"
    )


def test_only_a_superuser_may_grant_staff(app, client, staff, superuser, user):
    denied = client.patch(_item_url(user.id), json={"is_staff": True}, headers=staff.headers)
    assert_problem(denied, 403, "forbidden")
    with app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.target_id == user.id)
        )
        assert count == 0
    assert client.get(_item_url(user.id), headers=staff.headers).get_json()["is_staff"] is False

    granted = client.patch(_item_url(user.id), json={"is_staff": True}, headers=superuser.headers)
    assert granted.status_code == 200
    assert granted.get_json()["is_staff"] is True


def test_patch_with_a_stale_if_match_is_412(client, staff, user):
    etag = client.get(_item_url(user.id), headers=staff.headers).headers["ETag"]
    first = client.patch(
        _item_url(user.id), json={"country": "BD"}, headers={**staff.headers, "If-Match": etag}
    )
    assert first.status_code == 200
    assert first.headers["ETag"] != etag
    stale = client.patch(
        _item_url(user.id), json={"country": "IN"}, headers={**staff.headers, "If-Match": etag}
    )
    assert_problem(stale, 412, "precondition_failed")
    assert client.get(_item_url(user.id), headers=staff.headers).get_json()["country"] == "BD"


@pytest.mark.parametrize(
    "body", [{"is_active": "maybe"}, {"country": "Bangladesh"}, {"password": "x" * 12}]
)
def test_patch_rejects_invalid_bodies(client, staff, user, body):
    assert_problem(client.patch(_item_url(user.id), json=body, headers=staff.headers), 422)


def test_staff_cannot_deactivate_themselves(client, staff):
    response = client.patch(_item_url(staff.id), json={"is_active": False}, headers=staff.headers)
    assert_problem(response, 403, "forbidden")
