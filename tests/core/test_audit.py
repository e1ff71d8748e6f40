"""The audit log's read side: GET /api/admin/audit/ (staff) and the read-only Flask-Admin view."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine

from deltacrown.accounts import services
from deltacrown.accounts.models import User
from deltacrown.core import audit
from deltacrown.core.actors import SYSTEM, ActorKind
from deltacrown.extensions import db
from tests import helpers
from tests.helpers import assert_problem

AUDIT = "/api/admin/audit/"


def sign_in_admin(client, user_id):
    helpers.sign_in_admin(client, user_id)


def change_user_as_staff(app, *, actor_id, user_id, changes, request_id):
    """Run the staff service inside a real request context (request id set by the app)."""
    with app.test_request_context(headers={"X-Request-ID": request_id}):
        app.preprocess_request()
        services.update_user_as_staff(
            db.session.get(User, user_id), actor=db.session.get(User, actor_id), changes=changes
        )
        db.session.commit()


def record_at(when, **kwargs):
    with time_machine.travel(when, tick=False):
        return audit.record(actor=None, **kwargs).id


def test_staff_change_is_visible_with_before_after_and_request_id(app, client, staff, user):
    change_user_as_staff(
        app,
        actor_id=staff.id,
        user_id=user.id,
        changes={"display_name": "Renamed", "is_active": False},
        request_id="req-audit-1",
    )
    response = client.get(AUDIT, headers=staff.headers)
    assert response.status_code == 200
    [entry] = response.get_json()
    assert entry["actor_id"] == staff.id
    assert entry["action"] == "user.updated"
    assert (entry["target_type"], entry["target_id"]) == ("users", user.id)
    assert entry["before"] == {"display_name": None, "is_active": True}
    assert entry["after"] == {"display_name": "Renamed", "is_active": False}
    assert entry["request_id"] == "req-audit-1"
    assert entry["created_at"].endswith(("Z", "+00:00"))


def test_staff_edit_through_flask_admin_is_audited(app, client, staff, user):
    sign_in_admin(client, staff.id)
    edit_url = f"/admin/admin_users/edit/?id={user.id}"
    page = client.get(edit_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        edit_url,
        data={"csrf_token": token, "display_name": "Via Admin", "country": "BD", "is_active": "y"},
        headers={"X-Request-ID": "req-admin-7"},
    )
    assert response.status_code == 302
    entries = client.get(
        f"{AUDIT}?target_type=users&target_id={user.id}", headers=staff.headers
    ).get_json()
    assert [(e["action"], e["actor_id"], e["request_id"]) for e in entries] == [
        ("user.updated", staff.id, "req-admin-7")
    ]
    assert entries[0]["after"] == {"display_name": "Via Admin", "country": "BD"}


def test_filters_narrow_the_feed(app, client, staff, user):
    early = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    late = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    with app.app_context():
        a = record_at(early, action="thing.created", target_type="things", target_id=1)
        b = record_at(late, action="thing.deleted", target_type="things", target_id=1)
        c = record_at(late, action="thing.created", target_type="things", target_id=2)
        d = record_at(late, action="thing.created", target_type="widgets", target_id=1)
        db.session.commit()
    change_user_as_staff(
        app, actor_id=staff.id, user_id=user.id, changes={"country": "BD"}, request_id="req-f"
    )

    def ids(query):
        response = client.get(f"{AUDIT}?{query}", headers=staff.headers)
        assert response.status_code == 200, response.get_json()
        return [entry["id"] for entry in response.get_json()]

    everything = ids("")
    assert everything[1:] == [d, c, b, a]
    staff_entry = everything[0]
    assert ids(f"actor={staff.id}") == [staff_entry]
    assert ids("action=thing.created") == [d, c, a]
    assert ids("target_type=things") == [c, b, a]
    assert ids("target_type=things&target_id=1") == [b, a]
    assert ids("created_from=2026-02-01T00:00:00Z&action=thing.created") == [d, c]
    assert ids("created_to=2026-02-01T00:00:00Z") == [a]
    assert ids("created_from=2026-01-01T12:00:00Z&created_to=2026-03-01T12:00:00Z") == [a]
    assert ids("action=thing.created&target_type=things&limit=1") == [c]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("target_id=1", "target_type"),
        ("created_from=2026-01-01T00:00:00", "created_from"),  # no offset
        ("actor=someone", "actor"),
    ],
)
def test_bad_filters_are_422(client, staff, query, field):
    body = assert_problem(
        client.get(f"{AUDIT}?{query}", headers=staff.headers), 422, "validation_error"
    )
    assert field in body["errors"]


def test_non_staff_gets_403(client, user):
    assert_problem(client.get(AUDIT, headers=user.headers), 403, "forbidden")


def test_anonymous_gets_401(client):
    assert_problem(client.get(AUDIT), 401, "authentication_required")


def test_flask_admin_lists_and_shows_entries_read_only(app, client, staff, user):
    change_user_as_staff(
        app,
        actor_id=staff.id,
        user_id=user.id,
        changes={"display_name": "Shown"},
        request_id="req-admin-list",
    )
    sign_in_admin(client, staff.id)
    listing = client.get("/admin/admin_audit/")
    assert listing.status_code == 200
    assert b"user.updated" in listing.data and b"req-admin-list" in listing.data

    with app.app_context():
        entry_id = db.session.scalar(db.select(audit.AuditEntry.id))
    details = client.get(f"/admin/admin_audit/details/?id={entry_id}")
    assert details.status_code == 200 and b"Shown" in details.data

    # No create, edit or delete: Flask-Admin sends those back to the list.
    for path in ("/admin/admin_audit/new/", f"/admin/admin_audit/edit/?id={entry_id}"):
        assert client.get(path).status_code == 302
    client.post("/admin/admin_audit/delete/", data={"id": entry_id})
    with app.app_context():
        assert db.session.get(audit.AuditEntry, entry_id) is not None


def test_flask_admin_audit_is_closed_to_non_staff(client, user):
    assert client.get("/admin/admin_audit/").status_code == 302
    sign_in_admin(client, user.id)
    assert client.get("/admin/admin_audit/").status_code == 403


def test_each_entry_records_which_kind_of_actor_acted(app_ctx, staff):
    user = db.session.get(User, staff.id)
    by_user = audit.record(actor=user, action="thing.by_user")
    by_system = audit.record(actor=SYSTEM, action="thing.by_system")
    by_nobody = audit.record(actor=None, action="thing.by_nobody")
    assert (by_user.actor_kind, by_user.actor_id) == (ActorKind.USER, staff.id)
    assert (by_system.actor_kind, by_system.actor_id) == (ActorKind.SYSTEM, None)
    assert (by_nobody.actor_kind, by_nobody.actor_id) == (ActorKind.ANONYMOUS, None)


def test_the_feed_shows_and_filters_the_actor_kind(app, client, staff, user):
    with app.app_context():
        system_entry = audit.record(actor=SYSTEM, action="thing.swept").id
        db.session.commit()
    change_user_as_staff(
        app, actor_id=staff.id, user_id=user.id, changes={"country": "BD"}, request_id="req-k"
    )
    entries = client.get(AUDIT, headers=staff.headers).get_json()
    assert [(e["action"], e["actor_kind"], e["actor_id"]) for e in entries] == [
        ("user.updated", "user", staff.id),
        ("thing.swept", "system", None),
    ]
    only_system = client.get(f"{AUDIT}?actor_kind=system", headers=staff.headers).get_json()
    assert [e["id"] for e in only_system] == [system_entry]
    assert client.get(f"{AUDIT}?actor_kind=anonymous", headers=staff.headers).get_json() == []
    body = assert_problem(
        client.get(f"{AUDIT}?actor_kind=robot", headers=staff.headers), 422, "validation_error"
    )
    assert "actor_kind" in body["errors"]


def test_flask_admin_shows_the_actor_kind(app, client, staff):
    with app.app_context():
        audit.record(actor=SYSTEM, action="thing.swept")
        db.session.commit()
    sign_in_admin(client, staff.id)
    listing = client.get("/admin/admin_audit/").get_data(as_text=True)
    assert "Actor Kind" in listing and "system" in listing
