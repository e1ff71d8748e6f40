"""The organizer payable balances on the staff desk: cash entry fees verified by staff count
toward what the platform owes the organizer, rejected and pending ones do not, refunds done
subtract, then the platform fee; the declared cash pools and the cash prizes paid beside it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.payouts.balances import organizer_balances, totals_by_currency
from deltacrown.payouts.models import Payout, PayoutKind, PayoutStatus
from deltacrown.registrations.models import Registration
from tests.discovery.test_query_counts import counting
from tests.factories import build_tournament
from tests.helpers import assert_problem
from tests.organizer.seed import add_registration, submit_payment
from tests.teams.test_admin import sign_in

BALANCES = "/api/admin/payouts/organizer-balances/"
ONE_WINNER = [{"placement": 1, "percent": "100.00"}]


@dataclass
class Cast:
    org: int
    rival: int


def cash_fees(tournament_id: int, amount: str, currency: str, players: list[int],
              outcomes: list[str]) -> None:  # fmt: skip
    """One registration per player with a manual payment: `verified`, `refund_due` (verified,
    refund not yet paid), `refunded` (verified, refund paid back by hand), `rejected` or
    `submitted` (awaiting staff)."""
    fee = {"fee_amount": amount, "fee_currency": currency, "payment_method": "bkash"}
    now = utcnow()
    for player, outcome in zip(players, outcomes, strict=True):
        state = {
            "verified": ("confirmed", "verified", "verified"),
            "refund_due": ("cancelled", "verified", "verified"),
            "refunded": ("cancelled", "refunded", "verified"),
            "rejected": ("pending", "rejected", "rejected"),
            "submitted": ("pending", "submitted", "submitted"),
        }[outcome]
        registration = add_registration(
            tournament_id, user_id=player, status=state[0], payment_status=state[1], **fee
        )
        submit_payment(registration, submitted_at=now, status=state[2])
        if outcome in ("refund_due", "refunded"):
            registration.refund_due_at = now
        if outcome == "refunded":
            registration.refunded_at = now


def build(org: int, rival: int, players: list[int]) -> None:
    """The organizer: a 99.99 BDT cup (pool 500.00 BDT) with two verified fees, one refund due,
    one refunded, one rejected and one awaiting; a cancelled cup's 300.00 BDT pool. The rival:
    a 5.00 USD cup (pool 50.00 USD), one verified fee and a 20.00 USD prize paid."""
    cup = build_tournament(org, status="registration_open",
                           entry_fee={"amount": "99.99", "currency": "BDT"}, payment_methods=["bkash"],
                           prize_pool={"amount": "500.00", "currency": "BDT"},
                           prize_distribution=ONE_WINNER)  # fmt: skip
    cash_fees(cup.id, "99.99", "BDT", players[:6],
              ["verified", "verified", "refund_due", "refunded", "rejected", "submitted"])  # fmt: skip
    build_tournament(org, status="cancelled", prize_pool={"amount": "300.00", "currency": "BDT"},
                     prize_distribution=ONE_WINNER)  # fmt: skip
    usd = build_tournament(rival, status="completed",
                           entry_fee={"amount": "5.00", "currency": "USD"}, payment_methods=["bkash"],
                           prize_pool={"amount": "50.00", "currency": "USD"},
                           prize_distribution=ONE_WINNER)  # fmt: skip
    cash_fees(usd.id, "5.00", "USD", [players[0]], ["verified"])
    registration_id = db.session.scalar(
        sa.select(Registration.id).where(Registration.tournament_id == usd.id)
    )
    for placement, status, amount in ((1, PayoutStatus.PAID, "20.00"),
                                      (2, PayoutStatus.PENDING, "30.00")):  # fmt: skip
        db.session.add(Payout(tournament_id=usd.id, placement=placement,
                              registration_id=registration_id, user_id=players[0],
                              kind=PayoutKind.CASH, amount=Decimal(amount), currency="USD",
                              status=status))  # fmt: skip
    db.session.flush()


@pytest.fixture
def cast(app: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch) -> Cast:
    org, rival = make_user(username="cashorg"), make_user(username="cashrival")
    players = [make_user().id for _ in range(6)]
    monkeypatch.setitem(app.config, "PLATFORM_FEE_PERCENT", 7)
    with app.app_context():
        build(org.id, rival.id, players)
        db.session.commit()
        db.session.remove()
    return Cast(org.id, rival.id)


def figures(balance: Any) -> tuple[str, ...]:
    return tuple(
        str(getattr(balance, name))
        for name in (
            "fees_verified",
            "refunds_done",
            "platform_fee",
            "payable",
            "prize_pools_declared",
            "prizes_paid",
        )  # fmt: skip
    )


def test_verified_cash_fees_less_refunds_done_and_the_platform_fee_are_owed_to_the_organizer(
    app_ctx: Any, cast: Cast
) -> None:
    with counting() as statements:
        balances = organizer_balances()
    assert len(statements) == 4  # three aggregates and the usernames, whatever the rows
    assert [(b.currency, b.organizer_id, b.username) for b in balances] == [
        ("BDT", cast.org, "cashorg"), ("USD", cast.rival, "cashrival")
    ]  # fmt: skip
    # Four verified 99.99 (the refund due still counts), one of them refunded: 299.97 net;
    # 7 % = 20.9979, rounded down to 20.99; the rejected and the awaiting payments count for
    # nothing; the cancelled cup's pool is not declared any more.
    assert figures(balances[0]) == ("399.96", "99.99", "20.99", "278.98", "500.00", "0.00")
    # 5.00 less 0.35; the 20.00 prize paid beside it (not the 30.00 pending).
    assert figures(balances[1]) == ("5.00", "0.00", "0.35", "4.65", "50.00", "20.00")
    assert [(t.currency, t.organizers, t.payable) for t in totals_by_currency(balances)] == [
        ("BDT", 1, Decimal("278.98")), ("USD", 1, Decimal("4.65"))
    ]  # fmt: skip
    assert [b.currency for b in organizer_balances(currency="usd")] == ["USD"]
    assert organizer_balances(organizer=cast.org) == balances[:1]


def test_staff_read_the_balances_as_json_csv_and_on_the_desk_page(
    client: Any, cast: Cast, staff: Any, user: Any
) -> None:
    rows = client.get(f"{BALANCES}?organizer={cast.org}", headers=staff.headers).get_json()
    assert rows == [{"organizer_id": cast.org, "username": "cashorg", "currency": "BDT",
                     "fees_verified": "399.96", "refunds_done": "99.99", "platform_fee": "20.99",
                     "payable": "278.98", "prize_pools_declared": "500.00",
                     "prizes_paid": "0.00"}]  # fmt: skip
    export = client.get(BALANCES, headers={**staff.headers, "Accept": "text/csv"})
    lines = export.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("organizer_id,username,currency,fees_verified") and len(lines) == 3
    assert lines[2].endswith(",USD,5.00,0.00,0.35,4.65,50.00,20.00")
    assert_problem(client.get(BALANCES, headers=user.headers), 403)
    assert_problem(client.get(f"{BALANCES}?currency=TAKA", headers=staff.headers), 422)
    sign_in(client, staff.id)
    page = client.get("/admin/admin_payout_desk/").get_data(as_text=True)
    assert 'id="balances-BDT"' in page and "278.98" in page and "4.65" in page
