"""Flask-Admin for registrations: staff only; lists with filters; every action goes through the
services (rules, audit entries and signals are the API's)."""

from __future__ import annotations

from tests.registrations.conftest import audit_actions, registration_row
from tests.teams.test_admin import filter_param, flashes, run_action, sign_in

VIEWS = (
    "/admin/admin_registrations/",
    "/admin/admin_registration_payments/",
    "/admin/admin_waitlist/",
)
CASH = {"entry_fee": {"amount": "50.00", "currency": "BDT"}, "payment_methods": ["bkash"]}


def test_registration_views_are_for_staff_only(client, user):
    for view in VIEWS:
        response = client.get(view)
        assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]
    sign_in(client, user.id)
    for view in VIEWS:
        assert client.get(view).status_code == 403


def test_staff_list_and_filter_registrations(client, staff, tournament, make_player, registered):
    tid = tournament(max_participants=2)
    confirmed = [make_player(username=f"held{n}") for n in range(2)]
    for player in confirmed:
        registered(tid, player)
    registered(tid, make_player(username="inline"))
    sign_in(client, staff.id)
    page = client.get(VIEWS[0]).get_data(as_text=True)
    assert all(name in page for name in ("held0", "held1", "inline"))
    waiting = client.get(
        VIEWS[0], query_string={filter_param(page, "Status", "equals"): "waitlisted"}
    ).get_data(as_text=True)
    assert "inline" in waiting and "held0" not in waiting
    line = client.get(VIEWS[2]).get_data(as_text=True)
    assert "inline" in line and "held0" not in line


def test_staff_verify_and_reject_payments_from_the_queue(
    app, client, staff, tournament, make_player, registered
):
    from tests.registrations.test_payments_api import pay

    tid = tournament(**CASH)
    a, b = make_player(), make_player()
    ra, rb = registered(tid, a), registered(tid, b)
    pay(client, ra["id"], a, amount="50.00", transaction_id="ADMIN001")
    pay(client, rb["id"], b, amount="50.00", transaction_id="ADMIN002")
    from deltacrown.extensions import db
    from deltacrown.registrations.models import Payment

    with app.app_context():
        ids = {p.registration_id: p.id for p in db.session.query(Payment).all()}
        db.session.remove()
    sign_in(client, staff.id)
    page = client.get(VIEWS[1]).get_data(as_text=True)
    assert "ADMIN001" in page and "ADMIN002" in page
    run_action(client, VIEWS[1], "verify", [ids[ra["id"]]])
    run_action(client, VIEWS[1], "reject", [ids[rb["id"]]])
    assert registration_row(app, ra["id"]).status.value == "confirmed"
    rejected = registration_row(app, rb["id"])
    assert (rejected.status.value, rejected.payment_status.value) == ("pending", "rejected")
    assert audit_actions(app, ra["id"]) == [("registration.payment_verified", staff.id)]
    assert audit_actions(app, rb["id"]) == [("registration.payment_rejected", staff.id)]
    # Verifying again is refused by the service and reported, not a 500.
    response = run_action(client, VIEWS[1], "verify", [ids[ra["id"]]])
    assert response.status_code == 302
    assert any("no submitted payment" in message for message in flashes(client))


def test_staff_promote_remove_approve_cancel_and_force_check_in(
    app, client, staff, organizer, tournament, make_player, registered
):
    tid = tournament(max_participants=2, requires_approval=True)
    held = [registered(tid, make_player()) for _ in range(2)]
    waiting = [registered(tid, make_player()) for _ in range(3)]
    sign_in(client, staff.id)
    run_action(client, VIEWS[0], "approve", [held[0]["id"]])
    assert registration_row(app, held[0]["id"]).status.value == "confirmed"
    run_action(client, VIEWS[0], "force_check_in", [held[0]["id"]])
    assert registration_row(app, held[0]["id"]).checked_in_at is not None
    run_action(client, VIEWS[2], "remove", [waiting[0]["id"]])
    assert registration_row(app, waiting[0]["id"]).cancel_reason.value == "removed"
    assert registration_row(app, waiting[1]["id"]).waitlist_position == 1
    client.patch(
        f"/api/tournaments/{tid}/", json={"max_participants": 3}, headers=organizer.headers
    )
    run_action(client, VIEWS[2], "promote", [waiting[2]["id"]])
    assert registration_row(app, waiting[2]["id"]).status.value == "pending"  # awaiting approval
    assert registration_row(app, waiting[1]["id"]).waitlist_position == 1
    run_action(client, VIEWS[0], "cancel", [held[1]["id"]])
    assert registration_row(app, held[1]["id"]).status.value == "cancelled"
    # The freed place went to the head of the line.
    assert registration_row(app, waiting[1]["id"]).status.value == "pending"
    assert ("registration.promoted", staff.id) in audit_actions(app, waiting[2]["id"])


def test_a_payment_that_is_no_longer_the_submitted_one_is_refused(
    app, client, staff, tournament, make_player, registered
):
    from deltacrown.extensions import db
    from deltacrown.registrations.models import Payment
    from tests.registrations.test_payments_api import pay

    tid = tournament(**CASH)
    player = make_player()
    reg = registered(tid, player)
    pay(client, reg["id"], player, amount="50.00", transaction_id="OLD001")
    sign_in(client, staff.id)
    with app.app_context():
        old = db.session.query(Payment).filter_by(registration_id=reg["id"]).one().id
        db.session.remove()
    run_action(client, VIEWS[1], "reject", [old])
    pay(client, reg["id"], player, amount="50.00", transaction_id="NEW002")
    sign_in(client, staff.id)
    run_action(client, VIEWS[1], "verify", [old])  # the rejected one, not the new one
    assert registration_row(app, reg["id"]).status.value == "pending"
    assert any(f"Payment {old}" in message for message in flashes(client))
