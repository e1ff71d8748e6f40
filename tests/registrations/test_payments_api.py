"""Payments API: manual payment submission (multipart, optional proof), the verification
queue, verify/reject with resubmission, personal data, and the staff refunds-due list."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from tests.helpers import assert_problem
from tests.registrations.conftest import audit_actions, registration_row
from tests.uploads import PDF_BYTES, TEXT_BYTES, png_bytes, png_of_size

CASH = {"entry_fee": {"amount": "500.00", "currency": "BDT"}, "payment_methods": ["bkash", "nagad"]}


def pay(client, registration_id, who, proof=None, **fields):
    data = {"method": "bkash", "sender_number": "01711000000", "amount": "500.00", **fields}
    data = {k: v for k, v in data.items() if v is not None}
    if proof is not None:
        data["proof"] = (io.BytesIO(proof[0]), proof[1])
    return client.post(
        f"/api/registrations/{registration_id}/payment/",
        data=data,
        headers=who.headers,
        content_type="multipart/form-data",
    )


def verify(client, registration_id, who):
    return client.post(f"/api/registrations/{registration_id}/payment/verify/", headers=who.headers)


def reject(client, registration_id, who, reason="Not received"):
    body = {"reason": reason} if reason is not None else {}
    return client.post(
        f"/api/registrations/{registration_id}/payment/reject/", json=body, headers=who.headers
    )


@pytest.fixture
def cash_registration(tournament, make_player, registered):
    """(tournament id, player, registration json) for a 500 BDT tournament."""

    def make(**overrides):
        tid = tournament(**{**CASH, **overrides})
        player = make_player()
        return tid, player, registered(tid, player)

    return make


def test_a_bkash_payment_with_proof_is_verified_and_confirms(
    app, client, cash_registration, organizer, received
):
    tid, player, reg = cash_registration()
    response = pay(
        client, reg["id"], player, transaction_id="8N7a6b5c", proof=(png_bytes(), "p.png")
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["status"], body["payment_status"]) == ("pending", "submitted")
    payment = body["payment"]
    assert payment["method"] == "bkash" and payment["transaction_id"] == "8N7A6B5C"
    assert payment["amount"] == "500.00" and payment["currency"] == "BDT"
    assert payment["sender_number"] == "01711000000" and payment["status"] == "submitted"
    proof = client.get(payment["proof_url"])
    assert proof.status_code == 200 and proof.data == png_bytes()
    queue = client.get(
        f"/api/tournaments/{tid}/payments/",
        query_string={"status": "submitted"},
        headers=organizer.headers,
    ).get_json()
    assert [q["registration_id"] for q in queue] == [reg["id"]]
    assert queue[0]["sender_number"] == "01711000000"
    assert queue[0]["participant"]["user"]["id"] == player.id
    verified = verify(client, reg["id"], organizer).get_json()
    assert (verified["status"], verified["payment_status"]) == ("confirmed", "verified")
    assert verified["payment"]["status"] == "verified"
    assert audit_actions(app, reg["id"]) == [("registration.payment_verified", organizer.id)]
    names = [name for name, _ in received]
    assert names.count("payment_submitted") == 1 and "payment_verified" in names
    assert "registration_confirmed" in names
    # Signals carry ids, never the sender number.
    assert all("sender_number" not in payload for _, payload in received)
    empty = client.get(
        f"/api/tournaments/{tid}/payments/",
        query_string={"status": "submitted"},
        headers=organizer.headers,
    )
    assert empty.get_json() == []


def test_a_pdf_proof_is_accepted_and_other_files_are_not(client, cash_registration):
    _, player, reg = cash_registration()
    assert_problem(
        pay(client, reg["id"], player, transaction_id="TXN1", proof=(TEXT_BYTES, "x.png")),
        415,
        "unsupported_file_type",
    )
    assert_problem(
        pay(
            client,
            reg["id"],
            player,
            transaction_id="TXN1",
            proof=(png_of_size(5 * 1024 * 1024 + 1), "big.png"),
        ),
        413,
        "file_too_large",
    )
    ok = pay(client, reg["id"], player, transaction_id="TXN1", proof=(PDF_BYTES, "r.pdf"))
    assert ok.status_code == 200


def test_the_amount_must_equal_the_fee(client, cash_registration):
    _, player, reg = cash_registration()
    for amount in ("499.99", "1000", "500.01"):
        body = assert_problem(
            pay(client, reg["id"], player, transaction_id="TXN2", amount=amount),
            422,
            "amount_mismatch",
        )
        assert body["errors"] == {"amount": ["Must be 500.00."]}
    assert pay(client, reg["id"], player, transaction_id="TXN2", amount="500").status_code == 200


def test_a_transaction_id_is_used_once_per_method(client, tournament, make_player, registered):
    tid = tournament(**CASH)
    a, b, c = make_player(), make_player(), make_player()
    ra, rb, rc = (registered(tid, p) for p in (a, b, c))
    assert pay(client, ra["id"], a, transaction_id="abc123").status_code == 200
    assert_problem(
        pay(client, rb["id"], b, transaction_id="ABC123"), 409, "duplicate_transaction_id"
    )
    # Another method may carry the same id.
    assert pay(client, rb["id"], b, transaction_id="ABC123", method="nagad").status_code == 200
    assert_problem(
        pay(client, rc["id"], c, transaction_id="abc123", method="nagad"),
        409,
        "duplicate_transaction_id",
    )


def test_methods_and_details_are_checked(client, cash_registration):
    _, player, reg = cash_registration()
    body = assert_problem(
        pay(client, reg["id"], player, transaction_id="TX0001", method="rocket"),
        422,
        "payment_method_not_accepted",
    )
    assert "method" in body["errors"]
    assert_problem(
        pay(client, reg["id"], player, method="deltacoin"), 422, "payment_method_not_accepted"
    )
    missing = assert_problem(
        pay(client, reg["id"], player, sender_number=None, amount=None), 422, "validation_error"
    )
    assert set(missing["errors"]) == {"sender_number", "transaction_id", "amount"}
    assert_problem(
        pay(client, reg["id"], player, transaction_id="bad id!"), 422, "validation_error"
    )
    assert_problem(pay(client, reg["id"], player, method="paypal"), 422)
    as_json = client.post(
        f"/api/registrations/{reg['id']}/payment/",
        json={"method": "bkash"},
        headers=player.headers,
    )
    assert_problem(as_json, 415, "unsupported_media_type")


def test_payment_is_expected_only_from_pending_unpaid_registrations(
    client, tournament, make_player, registered, cash_registration
):
    free_player = make_player()
    free = registered(tournament(), free_player)
    assert_problem(
        pay(client, free["id"], free_player, transaction_id="TX0009"), 409, "payment_not_expected"
    )
    _, player, reg = cash_registration()
    assert pay(client, reg["id"], player, transaction_id="TX0010").status_code == 200
    assert_problem(
        pay(client, reg["id"], player, transaction_id="TX0011"), 409, "payment_not_expected"
    )
    tid = tournament(max_participants=2, **CASH)
    registered(tid, make_player())
    registered(tid, make_player())
    waiting_player = make_player()
    waiting = registered(tid, waiting_player)
    assert waiting["status"] == "waitlisted" and waiting["payment_status"] == "awaiting"
    assert_problem(
        pay(client, waiting["id"], waiting_player, transaction_id="TX0012"),
        409,
        "payment_not_expected",
    )


def test_who_may_submit_a_payment(
    app, client, tournament, team_of, registered, stranger, organizer
):
    team, captain, (mate,) = team_of(2)
    tid = tournament(participant_type="team", team_size=2, **CASH)
    reg = registered(tid, captain, team=team["id"], roster=[captain.id, mate.id])
    assert_problem(pay(client, reg["id"], stranger, transaction_id="TX0020"), 404)
    assert_problem(pay(client, reg["id"], mate, transaction_id="TX0020"), 403, "forbidden")
    assert_problem(
        client.post(
            f"/api/registrations/{reg['id']}/payment/",
            data={"method": "bkash"},
            content_type="multipart/form-data",
        ),
        401,
    )
    # An organizer records a payment made in person (audited).
    assert pay(client, reg["id"], organizer, transaction_id="TX0020").status_code == 200
    assert audit_actions(app, reg["id"]) == [("registration.payment_submitted", organizer.id)]


def test_a_rejected_payment_may_be_resubmitted_with_a_fresh_deadline(
    app, client, cash_registration, organizer, received
):
    _, player, reg = cash_registration(payment_deadline_hours=2)
    assert pay(client, reg["id"], player, transaction_id="WRONG1").status_code == 200
    assert_problem(reject(client, reg["id"], organizer, reason=None), 422)
    assert_problem(reject(client, reg["id"], player), 403)
    rejected = reject(client, reg["id"], organizer, reason="No such transaction").get_json()
    assert (rejected["status"], rejected["payment_status"]) == ("pending", "rejected")
    assert rejected["payment"]["reject_reason"] == "No such transaction"
    assert rejected["payment_due_at"] is not None
    assert_problem(reject(client, reg["id"], organizer), 409, "payment_not_submitted")
    assert_problem(verify(client, reg["id"], organizer), 409, "payment_not_submitted")
    # The rejected id is free again (it was never a real payment).
    again = pay(client, reg["id"], player, transaction_id="WRONG1")
    assert again.status_code == 200 and again.get_json()["payment_status"] == "submitted"
    assert (
        "payment_rejected",
        {
            "registration_id": reg["id"],
            "tournament_id": reg["tournament_id"],
            "reason": "No such transaction",
            "actor_id": organizer.id,
        },
    ) in received
    assert audit_actions(app, reg["id"])[0] == ("registration.payment_rejected", organizer.id)
    row = registration_row(app, reg["id"])
    assert row.payment_status.value == "submitted"


def test_verification_permissions(
    client, cash_registration, stranger, staff, co_organizer, add_co_organizer
):
    tid, player, reg = cash_registration()
    pay(client, reg["id"], player, transaction_id="TX0030")
    assert_problem(verify(client, reg["id"], player), 403, "forbidden")
    assert_problem(verify(client, reg["id"], stranger), 404, "registration_not_found")
    assert_problem(client.post(f"/api/registrations/{reg['id']}/payment/verify/"), 401)
    add_co_organizer(tid, co_organizer)
    assert verify(client, reg["id"], co_organizer).get_json()["status"] == "confirmed"
    _, other_player, other = cash_registration()
    pay(client, other["id"], other_player, transaction_id="TX0031")
    assert verify(client, other["id"], staff).status_code == 200


def test_the_payment_queue_is_for_organizers(client, cash_registration, stranger, organizer):
    tid, player, reg = cash_registration()
    path = f"/api/tournaments/{tid}/payments/"
    assert_problem(client.get(path), 401)
    assert_problem(client.get(path, headers=player.headers), 403, "forbidden")
    assert_problem(client.get(path, headers=stranger.headers), 403, "forbidden")
    assert_problem(client.get("/api/tournaments/9999/payments/", headers=organizer.headers), 404)
    pay(client, reg["id"], player, transaction_id="TX0040")
    reject(client, reg["id"], organizer)
    pay(client, reg["id"], player, transaction_id="TX0041")
    everything = client.get(path, headers=organizer.headers).get_json()
    assert [p["status"] for p in everything] == ["rejected", "submitted"]
    rejected = client.get(path, query_string={"status": "rejected"}, headers=organizer.headers)
    assert [p["transaction_id"] for p in rejected.get_json()] == ["TX0040"]


def test_sender_numbers_stay_with_registrant_organizers_and_staff(
    client, tournament, team_of, registered, organizer, stranger, staff
):
    team, captain, (mate,) = team_of(2)
    tid = tournament(participant_type="team", team_size=2, **CASH)
    reg = registered(tid, captain, team=team["id"], roster=[captain.id, mate.id])
    pay(client, reg["id"], captain, transaction_id="TX0050")
    verify(client, reg["id"], organizer)
    item = f"/api/registrations/{reg['id']}/"
    for who in (captain, organizer, staff):
        assert client.get(item, headers=who.headers).get_json()["payment"]["sender_number"]
    assert "payment" not in client.get(item, headers=mate.headers).get_json()
    assert "payment" not in client.get(item, headers=stranger.headers).get_json()
    public = client.get(f"/api/tournaments/{tid}/registrations/").get_json()
    assert public and all("payment" not in r and "answers" not in r for r in public)
    assert "01711000000" not in client.get(f"/api/tournaments/{tid}/registrations/").get_data(
        as_text=True
    )


# ----- refunds due ------------------------------------------------------------------------------
def test_a_withdrawn_manual_payment_is_a_refund_due_for_staff(
    app, client, cash_registration, organizer, staff, received
):
    tid, player, reg = cash_registration()
    pay(client, reg["id"], player, transaction_id="TX0060")
    verify(client, reg["id"], organizer)
    cancelled = client.post(f"/api/registrations/{reg['id']}/cancel/", headers=player.headers)
    body = cancelled.get_json()
    assert body["status"] == "cancelled" and body["payment_status"] == "verified"
    assert body["refund_due_at"] is not None and body["refunded_at"] is None
    assert ("refund_due", {"registration_id": reg["id"], "tournament_id": tid}) in received
    assert_problem(client.get("/api/admin/refunds-due/"), 401)
    assert_problem(client.get("/api/admin/refunds-due/", headers=organizer.headers), 403)
    [due] = client.get("/api/admin/refunds-due/", headers=staff.headers).get_json()
    assert due["registration_id"] == reg["id"] and due["payer"] == {"id": player.id}
    assert due["entry_fee"] == {"amount": "500.00", "currency": "BDT"}
    assert due["payment"]["sender_number"] == "01711000000"
    assert due["payment"]["transaction_id"] == "TX0060"
    mark = f"/api/admin/refunds-due/{reg['id']}/mark-refunded/"
    assert_problem(client.post(mark, json={}, headers=organizer.headers), 403)
    done = client.post(mark, json={"reference": "BK-REFUND-9"}, headers=staff.headers)
    assert done.status_code == 200
    assert done.get_json()["payment_status"] == "refunded"
    assert done.get_json()["refund_reference"] == "BK-REFUND-9"
    assert client.get("/api/admin/refunds-due/", headers=staff.headers).get_json() == []
    history = client.get(
        "/api/admin/refunds-due/", query_string={"include_refunded": "true"}, headers=staff.headers
    ).get_json()
    assert [h["registration_id"] for h in history] == [reg["id"]]
    assert_problem(client.post(mark, json={}, headers=staff.headers), 409, "refund_not_due")
    assert_problem(
        client.post("/api/admin/refunds-due/9999/mark-refunded/", json={}, headers=staff.headers),
        404,
        "registration_not_found",
    )
    assert ("registration.refunded", staff.id) in audit_actions(app, reg["id"])
    refunded = [p for name, p in received if name == "payment_refunded"]
    assert refunded == [{"registration_id": reg["id"], "tournament_id": tid, "kind": "manual"}]
    row = registration_row(app, reg["id"])
    assert isinstance(row.refunded_at, datetime)


def test_an_unpaid_withdrawal_owes_nothing(client, cash_registration, staff):
    _, player, reg = cash_registration()
    client.post(f"/api/registrations/{reg['id']}/cancel/", headers=player.headers)
    assert client.get("/api/admin/refunds-due/", headers=staff.headers).get_json() == []
