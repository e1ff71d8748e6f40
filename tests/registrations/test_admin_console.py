"""The staff console as staff use it: a home page of what needs action, readable lists in the
viewer's time zone, the user page with everything about a user, and actions that go through
the services behind a CSRF token."""

from __future__ import annotations

import io
import re

import pytest

from tests.accounts.recovery_support import outbox  # noqa: F401  (fixture)
from tests.helpers import sign_in_admin
from tests.registrations.conftest import registration_row  # noqa: F401  (fixture module)
from tests.teams.test_admin import flashes

CASH = {"entry_fee": {"amount": "1000.00", "currency": "BDT"}, "payment_methods": ["bkash"]}
# What a page must not show: a repr, a raw timestamp (seconds, microseconds or +00:00).
REPR = re.compile(r"&lt;[A-Z][A-Za-z]+ \d")
RAW_TIME = re.compile(r"\d{2}:\d{2}:\d{2}|\+00:00|\d{4}-\d{2}-\d{2}T\d{2}")


def pay(client, registration_id, who):
    return client.post(
        f"/api/registrations/{registration_id}/payment/",
        data={
            "method": "bkash",
            "sender_number": "01711000000",
            "amount": "1000.00",
            "transaction_id": "8N7A6B5C",
            "proof": (io.BytesIO(b"%PDF-1.4\n%%EOF"), "p.pdf"),
        },
        headers=who.headers,
        content_type="multipart/form-data",
    )


@pytest.fixture
def world(app, staff, tournament, make_player, registered, client):
    """A cash tournament with a player whose payment waits for review; staff see the console
    in Asia/Dhaka time."""
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db

    tid = tournament(**CASH)
    player = make_player(username="alice")
    reg = registered(tid, player)
    assert pay(client, reg["id"], player).status_code == 200
    with app.app_context():
        db.session.get(User, staff.id).time_zone = "Asia/Dhaka"
        db.session.commit()
        db.session.remove()
    sign_in_admin(client, staff.id)
    return {"tournament": tid, "player": player, "registration": reg["id"]}


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_home_counts_what_needs_action_and_links_to_it(client, world):
    page = client.get("/admin/").get_data(as_text=True)
    tile = re.search(
        r'data-count="(\d+)"[^<]*</div>\s*<h2[^>]*>\s*<a href="([^"]+)">Payments waiting', page
    )
    assert tile, page
    assert tile.group(1) == "1"
    link = tile.group(2).replace("&amp;", "&")
    assert link == "/admin/paymentdesk/"  # the desk, where the waiting payments are decided
    queue = client.get(link).get_data(as_text=True)
    assert "8N7A6B5C" in queue
    assert "Open disputes" in page and "Overdue matches" in page and "Failed payouts" in page


def test_every_list_and_details_page_reads_like_a_person_wrote_it(app, client, world):
    from deltacrown.core.admin import StaffModelView

    admin = app.extensions["deltacrown_admin"]
    views = [view for view in admin._views if isinstance(view, StaffModelView)]
    assert len(views) > 25
    for view in views:
        url = f"/admin/{view.endpoint}/"
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert not REPR.search(page), (url, REPR.search(page))
        assert not RAW_TIME.search(page), (url, RAW_TIME.search(page))
        if view.column_searchable_list:
            searched = client.get(url, query_string={"search": "alice"})
            assert searched.status_code == 200, (url, "search")
        first = re.search(r'href="(/admin/[a-z_]+/details/\?id=\d+[^"]*)"', page)
        if first:
            details = client.get(first.group(1).replace("&amp;", "&"))
            assert details.status_code == 200, first.group(1)
            text = details.get_data(as_text=True)
            assert not REPR.search(text), (first.group(1), REPR.search(text))
    registrations = client.get("/admin/admin_registrations/").get_data(as_text=True)
    assert "Pending" in registrations and "PENDING" not in registrations
    payments = client.get("/admin/admin_registration_payments/").get_data(as_text=True)
    assert "৳1,000.00" in payments and re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} \+06", payments)
    export = client.get("/admin/admin_registrations/export/csv/")
    assert export.status_code == 200 and "alice" in export.get_data(as_text=True)


def test_the_user_page_gathers_everything_and_deactivates_through_the_service(app, client, world):
    from deltacrown.accounts.models import User
    from deltacrown.core.audit import AuditEntry
    from deltacrown.extensions import db

    player = world["player"]
    url = f"/admin/admin_users/details/?id={player.id}"
    page = client.get(url).get_data(as_text=True)
    for section in (
        "Game profiles",
        "Teams",
        "Registrations",
        "Wallet and ledger",
        "Sanctions",
        "Audit trail",
    ):
        assert f'data-section="{section}"' in page, section
    assert f"#{world['registration']}" in page and "Submitted" in page

    refused = client.post(
        "/admin/admin_users/action/",
        data={"action": "deactivate", "rowid": str(player.id), "url": url},
    )
    assert refused.status_code == 302
    response = client.post(
        "/admin/admin_users/action/",
        data={
            "csrf_token": csrf(page),
            "action": "deactivate",
            "rowid": str(player.id),
            "url": url,
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert "Deactivated 1 user(s)." in flashes(client)
    with app.app_context():
        assert db.session.get(User, player.id).is_active is False
        entry = db.session.scalars(
            db.select(AuditEntry).filter_by(target_type="users", target_id=player.id)
        ).one()
        assert entry.action == "user.updated" and entry.after == {"is_active": False}
        db.session.remove()
    again = client.get(url).get_data(as_text=True)
    assert (
        "Deactivated" in again and "user.updated" in again and 'data-action="reactivate"' in again
    )


def test_staff_choose_the_time_zone_the_console_shows_times_in(app, client, staff):
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db

    sign_in_admin(client, staff.id)
    page = client.get("/admin/admin_my_settings/").get_data(as_text=True)
    assert (
        client.post("/admin/admin_my_settings/", data={"time_zone": "Asia/Dhaka"}).status_code
        == 200
    )  # no CSRF token
    saved = client.post(
        "/admin/admin_my_settings/", data={"csrf_token": csrf(page), "time_zone": "Asia/Dhaka"}
    )
    assert saved.status_code == 302
    unknown = client.post(
        "/admin/admin_my_settings/", data={"csrf_token": csrf(page), "time_zone": "Mars/Olympus"}
    )
    assert unknown.status_code == 200 and "Not a valid choice" in unknown.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, staff.id).time_zone == "Asia/Dhaka"
        db.session.remove()
    users = client.get("/admin/admin_users/").get_data(as_text=True)
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} \+06", users)


def test_staff_send_a_password_reset_and_mark_an_address_verified_from_the_user_page(
    app,
    client,
    world,
    outbox,  # noqa: F811  (the fixture)
):
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db

    player = world["player"]
    url = f"/admin/admin_users/details/?id={player.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'data-action="reset_password"' in page and 'data-action="verify_email"' in page
    for action, flash in (
        ("reset_password", "Sent 1 password-reset e-mail(s)."),
        ("verify_email", "1 address(es) verified."),
    ):
        response = client.post(
            "/admin/admin_users/action/",
            data={"csrf_token": csrf(page), "action": action, "rowid": str(player.id), "url": url},
        )
        assert response.status_code == 302
        assert flash in flashes(client)
    [message] = [m for m in outbox if player.email in m.to]
    assert "password-reset" in message.text or "reset" in message.subject.lower()
    with app.app_context():
        assert db.session.get(User, player.id).email_verified is True
        db.session.remove()
