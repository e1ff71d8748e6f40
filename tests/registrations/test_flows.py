"""The issue's "Done when", end to end through the API: a team registers with answers, pays by
bKash, is verified and checks in; a solo player pays in coins and cancels (refund in the
ledger); a full tournament fills its waitlist and promotes on a cancellation; an unpaid offer
expires to the next in line; cancelling the tournament refunds everyone (idempotently)."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from deltacrown.core.time import utcnow
from tests.registrations.conftest import registration_row

CHECKIN_OPEN = timedelta(days=6, minutes=5)


def multipart(client, path, who, data, headers=None):
    return client.post(
        path, data=data, headers=headers or who.headers, content_type="multipart/form-data"
    )


def test_a_team_registers_with_answers_pays_by_bkash_is_verified_and_checks_in(
    client, tournament, team_of, add_field, organizer, headers_now
):
    import io

    from tests.uploads import png_bytes

    team, captain, mates = team_of(3)
    tid = tournament(
        participant_type="team",
        team_size=2,
        max_substitutes=1,
        entry_fee={"amount": "1000.00", "currency": "BDT"},
        payment_methods=["bkash", "nagad"],
    )
    add_field(tid, key="discord", label="Captain's Discord", type="text", required=True)
    add_field(tid, key="region", label="Region", type="dropdown", choices=["AP", "EU"])
    created = client.post(
        f"/api/tournaments/{tid}/registrations/",
        json={
            "team": team["id"],
            "roster": [captain.id, mates[0].id],
            "substitutes": [mates[1].id],
            "answers": {"discord": "cap#0001", "region": "AP"},
        },
        headers={**captain.headers, "Idempotency-Key": "team-signup"},
    )
    assert created.status_code == 201, created.get_json()
    reg = created.get_json()
    assert (reg["status"], reg["payment_status"]) == ("pending", "awaiting")
    assert reg["answers"] == {"discord": "cap#0001", "region": "AP"}
    paid = multipart(
        client,
        f"/api/registrations/{reg['id']}/payment/",
        captain,
        {
            "method": "bkash",
            "sender_number": "01812345678",
            "transaction_id": "9AB8CD7EF6",
            "amount": "1000.00",
            "proof": (io.BytesIO(png_bytes()), "receipt.png"),
        },
    )
    assert paid.status_code == 200 and paid.get_json()["payment_status"] == "submitted"
    queue = client.get(
        f"/api/tournaments/{tid}/payments/",
        query_string={"status": "submitted"},
        headers=organizer.headers,
    ).get_json()
    assert [q["transaction_id"] for q in queue] == ["9AB8CD7EF6"]
    verified = client.post(
        f"/api/registrations/{reg['id']}/payment/verify/", headers=organizer.headers
    ).get_json()
    assert (verified["status"], verified["payment_status"]) == ("confirmed", "verified")
    with time_machine.travel(utcnow() + CHECKIN_OPEN, tick=False):
        checked = client.post(f"/api/tournaments/{tid}/check-in/", headers=headers_now(captain))
        assert checked.status_code == 200 and checked.get_json()["checked_in_at"]
        status = client.get(
            f"/api/tournaments/{tid}/check-in/status/", headers=headers_now(mates[0])
        ).get_json()
    assert (status["confirmed"], status["checked_in"]) == (1, 1)
    assert status["me"]["registration_id"] == reg["id"]
    mine = client.get("/api/me/registrations/", headers=mates[1].headers).get_json()
    assert [(r["id"], r["status"]) for r in mine] == [(reg["id"], "confirmed")]


def test_a_solo_player_pays_in_coins_and_cancels_with_a_refund_in_the_ledger(
    app, client, tournament, make_player, registered, coins, ledger_rows
):
    from deltacrown.economy.queries import find_ledger_mismatches

    tid = tournament(entry_fee={"coins": 75}, payment_methods=["deltacoin"])
    player = make_player()
    coins(player, 200)
    reg = registered(tid, player)
    assert (reg["status"], reg["payment_status"]) == ("confirmed", "verified")
    assert coins(player) == 125
    cancelled = client.post(f"/api/registrations/{reg['id']}/cancel/", headers=player.headers)
    assert cancelled.get_json()["payment_status"] == "refunded"
    assert coins(player) == 200
    assert ledger_rows(player) == [
        ("deposit", 200, None),
        ("entry_fee", -75, f"entry_fee:reg:{reg['id']}"),
        ("refund", 75, f"refund:reg:{reg['id']}"),
    ]
    history = client.get("/api/wallet/transactions/", headers=player.headers).get_json()
    assert [t["kind"] for t in history][:2] == ["refund", "entry_fee"]
    with app.app_context():
        assert find_ledger_mismatches()[1] == []


def test_a_full_tournament_fills_its_waitlist_and_promotes_on_a_cancellation(
    client, tournament, make_player, registered, organizer
):
    tid = tournament(max_participants=2)
    holders = [make_player(), make_player()]
    held = [registered(tid, p) for p in holders]
    waiting = [registered(tid, make_player()) for _ in range(3)]
    assert [w["waitlist_position"] for w in waiting] == [1, 2, 3]
    client.post(f"/api/registrations/{held[0]['id']}/cancel/", headers=holders[0].headers)
    listed = client.get(
        f"/api/tournaments/{tid}/registrations/", headers=organizer.headers
    ).get_json()
    by_id = {r["id"]: r for r in listed}
    assert by_id[waiting[0]["id"]]["status"] == "confirmed"
    assert [by_id[w["id"]]["waitlist_position"] for w in waiting[1:]] == [1, 2]
    line = client.get(f"/api/tournaments/{tid}/waitlist/", headers=organizer.headers).get_json()
    assert [(e["registration_id"], e["position"]) for e in line] == [
        (waiting[1]["id"], 1),
        (waiting[2]["id"], 2),
    ]


def test_an_unpaid_offer_expires_to_the_next_in_line(
    app, client, tournament, make_player, registered
):
    from deltacrown.registrations import tasks

    tid = tournament(
        max_participants=2,
        entry_fee={"amount": "100.00", "currency": "BDT"},
        payment_methods=["nagad"],
        payment_deadline_hours=6,
    )
    holders = [make_player(), make_player()]
    held = [registered(tid, p) for p in holders]
    first, second = make_player(), make_player()
    offer = registered(tid, first)
    after = registered(tid, second)
    # The holders pay, so only the offer can expire.
    for player, reg in zip(holders, held, strict=True):
        response = multipart(
            client,
            f"/api/registrations/{reg['id']}/payment/",
            player,
            {
                "method": "nagad",
                "sender_number": "01900000000",
                "transaction_id": f"NG{reg['id']:06d}",
                "amount": "100.00",
            },
        )
        assert response.status_code == 200
    client.post(f"/api/registrations/{held[0]['id']}/cancel/", headers=holders[0].headers)
    offered = client.get(f"/api/registrations/{offer['id']}/", headers=first.headers).get_json()
    assert offered["status"] == "pending" and offered["payment_due_at"]
    with time_machine.travel(utcnow() + timedelta(hours=6, minutes=1), tick=False):
        with app.app_context():
            assert tasks.sweep()["expired"] == 1
    gone = registration_row(app, offer["id"])
    assert (gone.status.value, gone.cancel_reason.value) == ("cancelled", "payment_expired")
    nxt = client.get(f"/api/registrations/{after['id']}/", headers=second.headers).get_json()
    assert (nxt["status"], nxt["payment_status"]) == ("pending", "awaiting")
    assert nxt["payment_due_at"] and nxt["waitlist_position"] is None


def test_cancelling_the_tournament_refunds_everyone_once(
    app,
    client,
    tournament,
    make_player,
    registered,
    organizer,
    staff,
    coins,
    ledger_rows,
    received,
):
    from deltacrown.economy.queries import find_ledger_mismatches

    coin_tid = tournament(
        max_participants=2, entry_fee={"coins": 40}, payment_methods=["deltacoin"]
    )
    players = [make_player() for _ in range(3)]
    for player in players:
        coins(player, 100)
    regs = [registered(coin_tid, p) for p in players]  # two paid, one waitlisted (unpaid)
    assert [r["status"] for r in regs] == ["confirmed", "confirmed", "waitlisted"]
    cash_tid = tournament(
        entry_fee={"amount": "250.00", "currency": "BDT"}, payment_methods=["bkash"]
    )
    payer = make_player()
    cash_reg = registered(cash_tid, payer)
    multipart(
        client,
        f"/api/registrations/{cash_reg['id']}/payment/",
        payer,
        {
            "method": "bkash",
            "sender_number": "01700000001",
            "transaction_id": "BKCANCEL1",
            "amount": "250",
        },
    )
    client.post(f"/api/registrations/{cash_reg['id']}/payment/verify/", headers=organizer.headers)
    assert escrow_balance(app, coin_tid) == 80  # the two coin fees are held, not landed nowhere

    for tid in (coin_tid, cash_tid):
        response = client.post(
            f"/api/tournaments/{tid}/cancel/",
            json={"reason": "Venue lost"},
            headers=organizer.headers,
        )
        assert response.status_code == 200, response.get_json()

    assert [coins(p) for p in players] == [100, 100, 100]
    for player, reg in zip(players[:2], regs[:2], strict=True):
        assert ledger_rows(player)[-1] == ("refund", 40, f"refund:reg:{reg['id']}")
    assert ledger_rows(players[2]) == [("deposit", 100, None)]
    rows = client.get(
        f"/api/tournaments/{coin_tid}/registrations/", headers=organizer.headers
    ).get_json()
    assert {(r["status"], r["cancel_reason"]) for r in rows} == {
        ("cancelled", "tournament_cancelled")
    }
    assert [r["payment_status"] for r in rows] == ["refunded", "refunded", "awaiting"]
    [due] = client.get("/api/admin/refunds-due/", headers=staff.headers).get_json()
    assert due["registration_id"] == cash_reg["id"] and due["status"] == "cancelled"
    notified = {p["registration_id"] for n, p in received if n == "registration_cancelled"}
    assert notified == {r["id"] for r in regs} | {cash_reg["id"]}

    # A second cancellation, and a repeated signal, change nothing.
    again = client.post(
        f"/api/tournaments/{coin_tid}/cancel/", json={"reason": "Again"}, headers=organizer.headers
    )
    assert again.status_code == 200
    from deltacrown.registrations import tasks

    with app.app_context():
        assert tasks.wind_up_cancelled_tournament(coin_tid, organizer.id) == 0
        assert tasks.wind_up_cancelled_tournament(cash_tid) == 0
        assert find_ledger_mismatches()[1] == []
    assert escrow_balance(app, coin_tid) == 0  # the refunds came out of it
    assert [coins(p) for p in players] == [100, 100, 100]
    assert len(client.get("/api/admin/refunds-due/", headers=staff.headers).get_json()) == 1


def escrow_balance(app, tournament_id):
    """DeltaCoins the tournament's escrow holds (entry fees paid and not refunded)."""
    from deltacrown.economy import services as economy
    from deltacrown.extensions import db

    with app.app_context():
        balance = economy.account_balance(economy.escrow_account(tournament_id))
        db.session.remove()
    return balance
