"""The waitlist: joining, leaving with positions kept 1..n, who sees the line, promotion by
entry fee (free, coins, cash offers), offers that expire to the next in line, and the sweep."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine

from deltacrown.core.time import utcnow
from tests.helpers import assert_problem
from tests.registrations.conftest import registration_row

CASH = {"entry_fee": {"amount": "300.00", "currency": "BDT"}, "payment_methods": ["bkash"]}
COINS = {"entry_fee": {"coins": 25}, "payment_methods": ["deltacoin"]}


@pytest.fixture
def full(tournament, make_player, registered, coins):
    """A tournament with 2 places taken; returns (id, [(holder, registration) x 2])."""

    def make(**overrides):
        tid = tournament(max_participants=2, **overrides)
        players = [make_player(), make_player()]
        if "coins" in (overrides.get("entry_fee") or {}):
            for player in players:
                coins(player, 100)
        holders = [(p, registered(tid, p)) for p in players]
        return tid, holders

    return make


def positions(client, tid, organizer):
    rows = client.get(f"/api/tournaments/{tid}/waitlist/", headers=organizer.headers).get_json()
    return [(r["registration_id"], r["position"]) for r in rows]


def join(client, tid, who, **body):
    return client.post(f"/api/tournaments/{tid}/waitlist/join/", json=body, headers=who.headers)


def test_joining_the_waitlist_takes_the_same_body(client, full, tournament, make_player, organizer):
    tid, _ = full()
    joined = join(client, tid, make_player(), answers={})
    assert joined.status_code == 201
    assert (joined.get_json()["status"], joined.get_json()["waitlist_position"]) == (
        "waitlisted",
        1,
    )
    assert_problem(join(client, tournament(), make_player()), 409, "places_available")
    no_list, _ = full(waitlist_enabled=False)
    assert_problem(join(client, no_list, make_player()), 409, "waitlist_disabled")
    assert_problem(client.post(f"/api/tournaments/{tid}/waitlist/join/", json={}), 401)


def test_leaving_keeps_positions_without_gaps(
    client, full, make_player, registered, organizer, received
):
    tid, _ = full()
    people = [make_player() for _ in range(4)]
    regs = [registered(tid, p) for p in people]
    assert positions(client, tid, organizer) == [(r["id"], n) for n, r in enumerate(regs, 1)]
    left = client.delete(f"/api/tournaments/{tid}/waitlist/leave/", headers=people[1].headers)
    assert left.status_code == 204
    assert positions(client, tid, organizer) == [
        (regs[0]["id"], 1),
        (regs[2]["id"], 2),
        (regs[3]["id"], 3),
    ]
    assert (
        "registration_cancelled",
        {
            "registration_id": regs[1]["id"],
            "tournament_id": tid,
            "reason": "left_waitlist",
            "actor_id": people[1].id,
        },
    ) in received
    assert_problem(
        client.delete(f"/api/tournaments/{tid}/waitlist/leave/", headers=people[1].headers),
        404,
        "not_on_waitlist",
    )
    # An organizer removes one by cancelling it: the line closes up again.
    client.post(f"/api/registrations/{regs[0]['id']}/cancel/", headers=organizer.headers)
    assert positions(client, tid, organizer) == [(regs[2]["id"], 1), (regs[3]["id"], 2)]
    assert_problem(client.delete(f"/api/tournaments/{tid}/waitlist/leave/"), 401)


def test_holders_cannot_leave_a_waitlist_they_are_not_on(client, full):
    tid, [(holder, _), _] = full()
    assert_problem(
        client.delete(f"/api/tournaments/{tid}/waitlist/leave/", headers=holder.headers),
        404,
        "not_on_waitlist",
    )


def test_who_sees_the_line(client, full, make_player, registered, organizer, stranger, staff):
    tid, [(holder, _), _] = full()
    a, b = make_player(), make_player()
    ra, rb = registered(tid, a), registered(tid, b)
    for who in (organizer, staff):
        assert [
            r["registration_id"]
            for r in client.get(f"/api/tournaments/{tid}/waitlist/", headers=who.headers).get_json()
        ] == [ra["id"], rb["id"]]
    mine = client.get(f"/api/tournaments/{tid}/waitlist/", headers=b.headers)
    assert [(r["registration_id"], r["position"]) for r in mine.get_json()] == [(rb["id"], 2)]
    assert client.get(f"/api/tournaments/{tid}/waitlist/", headers=holder.headers).get_json() == []
    assert (
        client.get(f"/api/tournaments/{tid}/waitlist/", headers=stranger.headers).get_json() == []
    )
    assert_problem(client.get(f"/api/tournaments/{tid}/waitlist/"), 401)
    assert_problem(client.get("/api/tournaments/9999/waitlist/", headers=b.headers), 404)


# ----- promotion ------------------------------------------------------------------------------
def test_a_cancellation_promotes_the_head_of_a_free_tournament(
    app, client, full, make_player, registered, received
):
    tid, [(holder, held), _] = full()
    first = registered(tid, make_player())
    second = registered(tid, make_player())
    client.post(f"/api/registrations/{held['id']}/cancel/", headers=holder.headers)
    promoted = registration_row(app, first["id"])
    assert promoted.status.value == "confirmed" and promoted.waitlist_position is None
    assert promoted.promoted_at is not None
    assert registration_row(app, second["id"]).waitlist_position == 1
    assert (
        "waitlist_promoted",
        {
            "registration_id": first["id"],
            "tournament_id": tid,
            "status": "confirmed",
            "payment_due_at": None,
        },
    ) in received
    # A newcomer cannot jump the line.
    assert registered(tid, make_player())["status"] == "waitlisted"


def test_a_cash_promotion_is_an_offer_that_expires_to_the_next_in_line(
    app, client, full, make_player, registered, headers_now, received
):
    from deltacrown.registrations import tasks
    from tests.registrations.test_payments_api import pay

    tid, [(holder, held), (payer, paying)] = full(payment_deadline_hours=12, **CASH)
    # A submitted payment waits for the organizers: it never expires.
    assert (
        pay(client, paying["id"], payer, amount="300.00", transaction_id="SUBMIT01").status_code
        == 200
    )
    offered_player = make_player()
    offered = registered(tid, offered_player)
    nxt = registered(tid, make_player())
    client.post(f"/api/registrations/{held['id']}/cancel/", headers=holder.headers)
    body = client.get(f"/api/registrations/{offered['id']}/", headers=offered_player.headers)
    offer = body.get_json()
    assert (offer["status"], offer["payment_status"]) == ("pending", "awaiting")
    due = datetime.fromisoformat(offer["payment_due_at"].replace("Z", "+00:00"))
    [promoted] = [p for n, p in received if n == "waitlist_promoted"]
    assert promoted == {
        "registration_id": offered["id"],
        "tournament_id": tid,
        "status": "pending",
        "payment_due_at": offer["payment_due_at"],
    }
    assert timedelta(hours=11, minutes=59) < due - utcnow() <= timedelta(hours=12)
    with time_machine.travel(due - timedelta(minutes=1), tick=False), app.app_context():
        assert tasks.sweep()["expired"] == 0
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        with app.app_context():
            counts = tasks.sweep()
        assert counts["expired"] == 1 and counts["promoted"] == 1
    expired = registration_row(app, offered["id"])
    assert expired.status.value == "cancelled"
    assert expired.cancel_reason.value == "payment_expired"
    assert registration_row(app, paying["id"]).status.value == "pending"
    now_offered = registration_row(app, nxt["id"])
    assert now_offered.status.value == "pending" and now_offered.payment_due_at is not None
    assert (
        "registration_cancelled",
        {
            "registration_id": offered["id"],
            "tournament_id": tid,
            "reason": "payment_expired",
            "actor_id": None,
        },
    ) in received


def test_a_coin_promotion_debits_the_wallet_when_it_can(
    client, full, make_player, registered, coins, ledger_rows
):
    tid, [(holder, held), _] = full(**COINS)
    rich, poor = make_player(), make_player()
    coins(rich, 100)
    rich_reg = registered(tid, rich)
    poor_reg = registered(tid, poor)
    assert rich_reg["payment_status"] == "awaiting" and coins(rich) == 100  # not charged yet
    client.post(f"/api/registrations/{held['id']}/cancel/", headers=holder.headers)
    promoted = client.get(f"/api/registrations/{rich_reg['id']}/", headers=rich.headers).get_json()
    assert (promoted["status"], promoted["payment_status"]) == ("confirmed", "verified")
    assert coins(rich) == 75
    assert ledger_rows(rich)[-1] == ("entry_fee", -25, f"entry_fee:reg:{rich_reg['id']}")
    assert poor_reg["waitlist_position"] == 2


def test_a_coin_promotion_without_coins_is_an_offer_paid_from_the_wallet(
    app, client, full, make_player, registered, coins, ledger_rows
):
    tid, [(holder, held), _] = full(**COINS)
    poor = make_player()
    reg = registered(tid, poor)
    client.post(f"/api/registrations/{held['id']}/cancel/", headers=holder.headers)
    offer = client.get(f"/api/registrations/{reg['id']}/", headers=poor.headers).get_json()
    assert (offer["status"], offer["payment_status"]) == ("pending", "awaiting")
    assert offer["payment_due_at"] is not None
    path = f"/api/registrations/{reg['id']}/payment/"
    form = {"method": "deltacoin"}
    response = client.post(
        path, data=form, headers=poor.headers, content_type="multipart/form-data"
    )
    assert_problem(response, 409, "insufficient_funds")
    coins(poor, 30)
    paid = client.post(path, data=form, headers=poor.headers, content_type="multipart/form-data")
    assert paid.status_code == 200
    assert (paid.get_json()["status"], paid.get_json()["payment_status"]) == (
        "confirmed",
        "verified",
    )
    assert coins(poor) == 5
    assert registration_row(app, reg["id"]).payment_due_at is None


def test_only_the_registrant_pays_from_their_wallet(
    client, full, make_player, registered, organizer, coins
):
    tid, [(holder, held), _] = full(**COINS)
    poor = make_player()
    reg = registered(tid, poor)
    client.post(f"/api/registrations/{held['id']}/cancel/", headers=holder.headers)
    coins(organizer, 100)
    response = client.post(
        f"/api/registrations/{reg['id']}/payment/",
        data={"method": "deltacoin"},
        headers=organizer.headers,
        content_type="multipart/form-data",
    )
    assert_problem(response, 403, "forbidden")


def test_the_sweep_fills_places_freed_by_a_bigger_tournament(
    app, client, full, make_player, registered, organizer
):
    from deltacrown.registrations import tasks

    tid, _ = full()
    waiting = [registered(tid, make_player()) for _ in range(3)]
    client.patch(
        f"/api/tournaments/{tid}/", json={"max_participants": 4}, headers=organizer.headers
    )
    with app.app_context():
        assert tasks.sweep()["promoted"] == 2
    assert [registration_row(app, r["id"]).status.value for r in waiting] == [
        "confirmed",
        "confirmed",
        "waitlisted",
    ]
    assert registration_row(app, waiting[2]["id"]).waitlist_position == 1
    with app.app_context():
        assert tasks.sweep() == {"expired": 0, "promoted": 0, "wound_up": 0}


def test_no_promotion_once_the_tournament_is_under_way(app, client, full, make_player, registered):
    from deltacrown.extensions import db
    from deltacrown.registrations import services
    from deltacrown.tournaments.models import Tournament, TournamentStatus

    tid, [(holder, held), _] = full()
    waiting = registered(tid, make_player())
    with app.app_context():
        tournament = db.session.get(Tournament, tid)
        tournament.status = TournamentStatus.ONGOING
        db.session.flush()
        assert services.fill_places(tournament, now=utcnow()) == []
        db.session.rollback()
        db.session.remove()
    assert registration_row(app, waiting["id"]).status.value == "waitlisted"


def test_an_offer_needs_time_left_to_pay(app, full, make_player, registered):
    from deltacrown.extensions import db
    from deltacrown.registrations.services.common import payment_deadline
    from deltacrown.tournaments.models import Tournament

    tid, _ = full(**CASH)
    with app.app_context():
        tournament = db.session.get(Tournament, tid)
        start = tournament.start_at
        closes = tournament.checkin_closes_at
        assert payment_deadline(tournament, closes - timedelta(hours=1)) == closes
        assert payment_deadline(tournament, closes + timedelta(minutes=5)) == start
        assert payment_deadline(tournament, start) is None
        db.session.remove()
