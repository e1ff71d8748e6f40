"""Money in before money out: an organizer-funded prize pool is held when registration opens
(and given back on cancel), prizes are paid out of the tournament's escrow, and the escrow is
settled at completion: the platform fee to the house, the rest to the organizer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from deltacrown.accounts.models import User
from deltacrown.core.transaction import savepoint
from deltacrown.economy import services as economy
from deltacrown.economy.errors import InsufficientFundsError
from deltacrown.economy.models import TransactionKind
from deltacrown.economy.queries import find_ledger_mismatches
from deltacrown.extensions import db
from deltacrown.payouts import services, tasks
from deltacrown.tournaments import services as tournaments
from deltacrown.tournaments.models import TournamentStatus
from tests.factories import build_tournament
from tests.payouts.conftest import COINS_100, balance


def escrow(tournament_id: int) -> int:
    return economy.account_balance(economy.escrow_account(tournament_id))


def pay_fees(tournament_id: int, registrations: list[int], coins: int) -> None:
    """What registrations do with a paid coin fee: it goes into the escrow."""
    for registration_id in registrations:
        economy.credit_account(
            economy.escrow_account(tournament_id), coins, kind=TransactionKind.ESCROW_IN,
            key=f"escrow_in:reg:{registration_id}", reference=("registrations", registration_id),
        )  # fmt: skip
    db.session.commit()


def test_an_organizer_funded_pool_is_held_as_registration_opens_and_given_back_on_cancel(
    app_ctx: Any, organizer: Any
) -> None:
    owner = db.session.get_one(User, organizer.id)
    cup = build_tournament(organizer.id, status="published", **COINS_100)
    db.session.commit()
    with pytest.raises(InsufficientFundsError), savepoint():
        tournaments.open_registration(cup.id, actor=owner)
    db.session.refresh(cup)
    assert cup.status == TournamentStatus.PUBLISHED
    # The sweep leaves it published too, and goes on with the other tournaments.
    later = cup.registration_opens_at + timedelta(minutes=1)
    assert tournaments.apply_scheduled_transitions(now=later)["opened"] == 0
    db.session.refresh(cup)
    assert cup.status == TournamentStatus.PUBLISHED
    economy.credit(organizer.id, 120, kind=TransactionKind.DEPOSIT)
    tournaments.open_registration(cup.id, actor=owner)
    db.session.commit()
    assert (balance(organizer.id), escrow(cup.id)) == (20, 100)
    tournaments.cancel_tournament(cup.id, actor=owner, reason="Venue lost")
    db.session.commit()
    assert tasks.release_cancelled_pool(cup.id) == 100
    assert tasks.release_cancelled_pool(cup.id) == 100  # the same ledger rows again
    db.session.expire_all()
    assert (balance(organizer.id), escrow(cup.id)) == (120, 0)
    assert find_ledger_mismatches()[1] == []


def test_the_escrow_pays_the_prizes_then_the_house_fee_then_the_organizer(
    app: Any, app_ctx: Any, finished: Any, organizer: Any, staff: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setitem(app.config, "PLATFORM_FEE_PERCENT", 10)
    cup = finished([1, 2, 3, 4], **COINS_100)  # the organizer's 100 held
    pay_fees(cup.id, cup.registrations, 20)  # 80 coins of entry fees
    assert escrow(cup.id) == 180
    house = economy.account_balance(economy.HOUSE)
    tasks.create_for_tournament(cup.id)
    db.session.expire_all()
    assert [balance(users[0]) for users in cup.users] == [50, 30, 20, 0]
    assert economy.account_balance(economy.HOUSE) - house == 8  # 10 % of the fees
    assert balance(organizer.id) == 72  # the fees less the platform fee
    assert escrow(cup.id) == 0
    report = services.verify(cup.id, actor=db.session.get_one(User, staff.id))
    assert report["ok"] is True and report["escrow_balance"] == 0
    assert find_ledger_mismatches()[1] == []


def test_a_pool_funded_by_entry_fees_is_what_they_bring_up_to_the_advertised_pool(
    app: Any, app_ctx: Any, finished: Any, organizer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PLATFORM_FEE_PERCENT", 10)
    cup = finished([1, 2, 3, 4], prize_funding="entry_fees", **COINS_100)
    assert (balance(organizer.id), escrow(cup.id)) == (0, 0)  # nothing held at opening
    pay_fees(cup.id, cup.registrations, 20)  # 80 in, 8 for the house: a pool of 72
    tasks.create_for_tournament(cup.id)
    db.session.expire_all()
    # 72 × 50/30/20 % = 36, 21.6, 14.4 -> 36, 21, 14; the dust of 1 to 1st.
    assert [balance(users[0]) for users in cup.users] == [37, 21, 14, 0]
    assert (balance(organizer.id), escrow(cup.id)) == (0, 0)
    assert find_ledger_mismatches()[1] == []


def test_a_prize_the_escrow_does_not_hold_is_not_minted(
    app_ctx: Any, finished: Any, organizer: Any
) -> None:
    cup = finished([1, 2], **COINS_100)
    # As for a tournament whose pool was never held: the escrow is empty.
    economy.debit_account(economy.escrow_account(cup.id), 100, kind=TransactionKind.ESCROW_OUT,
                          key="drained")  # fmt: skip
    outcome = services.create_payouts(cup.id)
    first = outcome.created[0]
    for _ in range(services.MAX_ATTEMPTS):
        services.pay_coins(first.id)
    assert first.status == "failed" and "does not hold" in (first.last_error or "")
    assert balance(cup.users[0][0]) == 0
