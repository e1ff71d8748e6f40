"""The Flask-Admin payout desk: staff only; pending cash payouts with totals per currency and
the recipients' payout methods; recording a payout paid or failed goes through the services."""

from __future__ import annotations

import re
from typing import Any

from tests.payouts.conftest import CASH_1000
from tests.teams.test_admin import flashes, sign_in

DESK = "/admin/admin_payout_desk/"
LIST = "/admin/admin_payouts/"


def test_the_desk_is_for_staff_only(client: Any, user: Any) -> None:
    assert "/admin/login/" in client.get(DESK).headers["Location"]
    sign_in(client, user.id)
    assert client.get(DESK).status_code == 403 and client.get(LIST).status_code == 403


def test_staff_see_what_to_pay_and_record_it_through_the_services(
    client: Any, staff: Any, organizer: Any, finished: Any
) -> None:
    cash = finished([1, 2], **CASH_1000)
    assert client.post(f"/api/tournaments/{cash.id}/payouts/", json={},
                       headers=organizer.headers).status_code == 200  # fmt: skip
    rows = client.get(f"/api/admin/payouts/?tournament={cash.id}", headers=staff.headers).get_json()
    sign_in(client, staff.id)
    page = client.get(DESK).get_data(as_text=True)
    assert "1000.00" in page and "BDT" in page  # 700.00 + 300.00 pending
    assert "none given" in page
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(DESK, data={"csrf_token": token, "payout_id": rows[0]["id"], "outcome": "paid",
                            "text": "NG-5521"})  # fmt: skip
    assert f"Payout {rows[0]['id']}: marked paid." in flashes(client)
    client.post(DESK, data={"csrf_token": token, "payout_id": rows[0]["id"], "outcome": "failed",
                            "text": "late"})  # fmt: skip
    assert any("already paid" in message for message in flashes(client))
    after = client.get(f"/api/admin/payouts/?tournament={cash.id}", headers=staff.headers)
    assert [(r["status"], r["reference"]) for r in after.get_json()] == [
        ("paid", "NG-5521"), ("pending", None)
    ]  # fmt: skip
    assert "NG-5521" in client.get(LIST).get_data(as_text=True)
