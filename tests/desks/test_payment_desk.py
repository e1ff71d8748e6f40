"""The payment desk: the queue oldest first, a payment with its proof shown through a signed
link, verify and reject through the services (the next payment opens after each), and
organizers limited to their own tournaments' payments."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.brackets_api.conftest import db_scalar
from tests.desks.conftest import csrf, flashes
from tests.helpers import sign_in_admin

DESK = "/admin/paymentdesk/"


def _status(app, payment_id):
    from deltacrown.registrations.models import Payment

    return db_scalar(app, sa.select(Payment.status).where(Payment.id == payment_id)).value


def test_staff_verify_and_reject_payments_one_after_another(
    app, client, staff, organizer, cash_queue
):
    from deltacrown.core.audit import AuditEntry

    _, (first, second, third) = cash_queue(organizer, 3)
    sign_in_admin(client, staff.id)
    queue = client.get(DESK).get_data(as_text=True)
    assert queue.index("TX000") < queue.index("TX001") < queue.index("TX002")
    assert "৳50.00" in queue and "3 waiting" in queue

    page = client.get(f"{DESK}{first}/").get_data(as_text=True)
    proof = re.search(r'id="proof-image" src="([^"]+)"', page).group(1)
    assert "sig=" in proof
    image = client.get(proof.replace("&amp;", "&"))
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert 'accesskey="v"' in page and "bKash" in page
    assert f'href="{DESK}{second}/" id="skip"' in page

    response = client.post(f"{DESK}{first}/verify/", data={"csrf_token": csrf(page)})
    assert response.headers["Location"].endswith(f"{DESK}{second}/")
    assert _status(app, first) == "verified"
    actor = db_scalar(
        app,
        sa.select(AuditEntry.actor_id).where(AuditEntry.action == "registration.payment_verified"),
    )
    assert actor == staff.id

    # A rejection needs a reason: without one nothing changes.
    response = client.post(f"{DESK}{second}/reject/", data={"csrf_token": csrf(page)})
    assert _status(app, second) == "submitted"
    assert any("reason" in message for message in flashes(client))
    response = client.post(
        f"{DESK}{second}/reject/", data={"csrf_token": csrf(page), "reason": "Not received"}
    )
    assert response.headers["Location"].endswith(f"{DESK}{third}/")
    assert _status(app, second) == "rejected"

    # Without the form's token nothing happens; a decided payment cannot be verified again.
    client.post(f"{DESK}{third}/verify/")
    assert _status(app, third) == "submitted"
    client.post(f"{DESK}{first}/verify/", data={"csrf_token": csrf(page)})
    assert any("no submitted payment" in message for message in flashes(client))
    response = client.post(f"{DESK}{third}/verify/", data={"csrf_token": csrf(page)})
    assert response.headers["Location"].endswith(DESK)
    assert "No payments are waiting" in client.get(DESK).get_data(as_text=True)


def test_an_organizer_sees_and_decides_only_their_own_tournaments_payments(
    app, client, organizer, co_organizer, make_user, cash_queue
):
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db
    from deltacrown.tournaments import services

    other = make_user(username="otherorg")
    mine, (own,) = cash_queue(organizer, 1, prefix="MINE")
    _, (foreign,) = cash_queue(other, 1, prefix="THEIRS")
    with app.test_request_context():
        owner = db.session.get(User, organizer.id)
        services.add_organizer(mine, actor=owner, user_id=co_organizer.id)
        db.session.commit()
        db.session.remove()

    sign_in_admin(client, organizer.id)
    queue = client.get(DESK).get_data(as_text=True)
    assert "MINE000" in queue and "THEIRS000" not in queue
    assert client.get(f"{DESK}{own}/").status_code == 200
    # Another organizer's payment: not listed, not shown, not decided by direct URL.
    assert client.get(f"{DESK}{foreign}/").status_code == 404
    token = csrf(client.get(f"{DESK}{own}/").get_data(as_text=True))
    assert client.post(f"{DESK}{foreign}/verify/", data={"csrf_token": token}).status_code == 404
    assert _status(app, foreign) == "submitted"
    # The rest of the admin stays staff-only.
    assert client.get("/admin/").status_code == 403
    assert client.get("/admin/admin_registrations/").status_code == 403

    sign_in_admin(client, co_organizer.id)
    queue = client.get(DESK).get_data(as_text=True)
    assert "MINE000" in queue and "THEIRS000" not in queue


def test_the_desks_are_closed_to_users_who_run_no_tournament(client, stranger):
    for desk in (DESK, "/admin/disputedesk/", "/admin/controlroom/"):
        response = client.get(desk)
        assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]
    sign_in_admin(client, stranger.id)
    for desk in (DESK, "/admin/disputedesk/", "/admin/controlroom/"):
        assert client.get(desk).status_code == 403


def test_staff_without_a_required_second_factor_are_sent_to_turn_it_on(
    app, client, staff, monkeypatch
):
    monkeypatch.setitem(app.config, "STAFF_REQUIRE_2FA", True)
    sign_in_admin(client, staff.id)
    for desk in (DESK, "/admin/disputedesk/", "/admin/controlroom/"):
        response = client.get(desk)
        assert response.status_code == 302, desk
        assert "/admin/two-factor-required/" in response.headers["Location"]


def test_the_403_page_points_organizers_to_their_desks(client, stranger):
    sign_in_admin(client, stranger.id)
    page = client.get(DESK).get_data(as_text=True)
    assert "Staff only" in page
    for desk in ("/admin/controlroom/", "/admin/paymentdesk/", "/admin/disputedesk/"):
        assert f'href="{desk}' in page
