"""Payout services: automatic coin payouts on completion (idempotent), the plan's refusals,
cash payouts on the desk, failures and retries, team splits, reconciliation, payout methods."""

from __future__ import annotations

from typing import Any

import pytest

from deltacrown.accounts.models import User
from deltacrown.core import signals
from deltacrown.core.actors import SYSTEM
from deltacrown.core.errors import InvalidTransitionError
from deltacrown.economy.models import Transaction
from deltacrown.economy.queries import find_ledger_mismatches
from deltacrown.extensions import db
from deltacrown.notifications.kinds import NotificationType
from deltacrown.notifications.models import Notification
from deltacrown.payouts import desk, methods, services, tasks
from deltacrown.payouts.errors import (
    InvalidPayoutMethodError,
    NoPlacementsError,
    NoPrizeDistributionError,
    PayoutAlreadyPaidError,
    TournamentNotCompletedError,
)
from deltacrown.payouts.models import Payout, PayoutKind, PayoutMethodKind, PayoutStatus
from tests.factories import build_tournament
from tests.payouts.conftest import CASH_1000, COINS_100, balance


def payouts(tournament_id: int) -> list[Payout]:
    return list(
        db.session.scalars(
            db.select(Payout).where(Payout.tournament_id == tournament_id).order_by(Payout.id)
        )
    )


def test_completion_pays_coin_prizes_once_and_verifies_clean(
    app_ctx: Any, finished: Any, staff: Any
) -> None:
    cup = finished([1, 2, 3, 4], **COINS_100)
    sent: list[dict[str, Any]] = []

    def paid(sender: Any, **kw: Any) -> None:
        sent.append(kw)

    with signals.payout_paid.connected_to(paid):
        # The completing commit's signal runs the task (in-process in tests), which credits.
        signals.tournament_completed.send("brackets", tournament_id=cup.id)
    winners = [cup.users[i][0] for i in range(4)]
    assert [balance(u) for u in winners] == [50, 30, 20, 0]
    assert {kw["user_id"] for kw in sent} == set(winners[:3])
    # Again, by the task and by the organizer: nothing new, nobody paid twice.
    assert tasks.create_for_tournament(cup.id) == 0
    assert services.create_payouts(cup.id, actor=SYSTEM).created == []
    db.session.commit()
    assert [balance(u) for u in winners] == [50, 30, 20, 0]
    rows = payouts(cup.id)
    assert [(p.placement, p.coins, p.status) for p in rows] == [
        (1, 50, PayoutStatus.PAID), (2, 30, PayoutStatus.PAID), (3, 20, PayoutStatus.PAID)
    ]  # fmt: skip
    keys = db.session.scalars(
        db.select(Transaction.idempotency_key).where(
            Transaction.reference_type == "payouts", Transaction.kind == "prize"
        )
    ).all()
    assert sorted(keys) == sorted(f"payout:{p.id}" for p in rows)
    report = services.verify(cup.id, actor=db.session.get_one(User, staff.id))
    assert report["ok"] is True and report["expected"] == 3 and report["paid"] == 3
    assert report["escrow_balance"] == 0  # the organizer's 100 held, all paid out
    assert find_ledger_mismatches()[1] == []
    # Each winner is told what they won.
    notices = db.session.execute(
        db.select(Notification.recipient_id, Notification.body).where(
            Notification.type == NotificationType.PAYOUT_PAID
        )
    ).all()
    assert sorted((r, "50 DeltaCoins" in b or "30 DeltaCoins" in b or "20 DeltaCoins" in b)
                  for r, b in notices) == sorted((u, True) for u in winners[:3])  # fmt: skip


def test_a_dry_run_returns_the_plan_and_writes_nothing(
    app_ctx: Any, finished: Any, organizer: Any
) -> None:
    cup = finished([1, 2], **COINS_100)
    owner = db.session.get_one(User, organizer.id)
    outcome = services.create_payouts(cup.id, actor=owner, dry_run=True)
    assert [(line.placement, line.coins) for line in outcome.computed.lines] == [(1, 50), (2, 30)]
    assert outcome.computed.unclaimed[0]["placement"] == 3
    assert payouts(cup.id) == []


def test_payouts_wait_for_completion_placements_and_a_distribution(
    app_ctx: Any, finished: Any, organizer: Any
) -> None:
    ongoing = build_tournament(organizer.id, status="ongoing", **CASH_1000)
    with pytest.raises(TournamentNotCompletedError):
        services.create_payouts(ongoing.id)
    unplaced = finished([], **COINS_100)
    with pytest.raises(NoPlacementsError):
        services.create_payouts(unplaced.id)
    no_prizes = finished([1], prize_pool=None, prize_distribution=[])
    with pytest.raises(NoPrizeDistributionError):
        services.create_payouts(no_prizes.id)
    assert tasks.create_for_tournament(no_prizes.id) == 0  # the automatic run stays quiet


def test_cash_prizes_wait_on_the_desk_and_are_paid_once(
    app_ctx: Any, finished: Any, staff: Any
) -> None:
    cup = finished([1, 2], **CASH_1000)
    services.create_payouts(cup.id)
    first, second = payouts(cup.id)
    assert (first.kind, str(first.amount), first.currency) == (PayoutKind.CASH, "700.00", "BDT")
    assert first.status == PayoutStatus.PENDING  # nothing credits cash
    actor = db.session.get_one(User, staff.id)
    desk.mark_paid(first.id, reference="BK-778812", actor=actor)
    assert (first.status, first.reference, first.paid_by_id) == (
        PayoutStatus.PAID, "BK-778812", staff.id
    )  # fmt: skip
    with pytest.raises(PayoutAlreadyPaidError):
        desk.mark_paid(first.id, reference="again", actor=actor)
    with pytest.raises(PayoutAlreadyPaidError):
        desk.mark_failed(first.id, reason="oops", actor=actor)
    desk.mark_failed(second.id, reason="Wrong bKash number", actor=actor)
    assert second.status == PayoutStatus.FAILED
    desk.retry(second.id, actor=actor)
    assert second.status == PayoutStatus.PENDING
    report = services.verify(cup.id, actor=actor)
    assert report["ok"] is True and report["paid"] == 1  # a pending cash payout is not a fault


def test_a_coin_credit_that_keeps_failing_is_marked_failed_and_retried_by_staff(
    app_ctx: Any, finished: Any, staff: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deltacrown.economy.errors import IdempotencyConflictError

    cup = finished([1], **COINS_100)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise IdempotencyConflictError("refused")

    monkeypatch.setattr(services.economy, "credit", refuse)
    services.create_payouts(cup.id)
    [payout] = payouts(cup.id)
    for _ in range(services.MAX_ATTEMPTS):
        services.pay_coins(payout.id)
    assert (payout.status, payout.attempts, payout.last_error) == (
        PayoutStatus.FAILED,
        3,
        "refused",
    )
    actor = db.session.get_one(User, staff.id)
    report = services.verify(cup.id, actor=actor)
    assert report["ok"] is False and report["failed"] == [payout.id]
    monkeypatch.undo()
    desk.retry(payout.id, actor=actor)
    services.pay_coins(payout.id)
    assert payout.status == PayoutStatus.PAID and balance(payout.user_id) == 50
    with pytest.raises(InvalidTransitionError):
        payout.move_to(PayoutStatus.PENDING)


def test_team_prizes_split_across_the_roster_or_go_to_the_captain(
    app_ctx: Any, finished: Any
) -> None:
    split = finished([1], team_size=3, game="valorant", **COINS_100)
    services.create_payouts(split.id)
    captain, *others = split.users[0]
    amounts = {p.user_id: p.coins for p in payouts(split.id)}
    assert amounts == {captain: 18, others[0]: 16, others[1]: 16}  # 1st: 50 % of 100
    captained = finished([1], team_size=3, prize_to_captain=True, **COINS_100)
    services.create_payouts(captained.id)
    assert {p.user_id: p.coins for p in payouts(captained.id)} == {captained.users[0][0]: 50}


def test_payout_methods_are_validated_per_method(app_ctx: Any, user: Any) -> None:
    saved = methods.save_method(user.id, PayoutMethodKind.BKASH, "+880 1712-345678")
    assert saved.account == "01712345678"
    again = methods.save_method(user.id, PayoutMethodKind.BKASH, "01812345678")
    assert again.id == saved.id and again.account == "01812345678"
    assert methods.save_method(user.id, PayoutMethodKind.PAYPAL, "Me@Example.com").account == (
        "me@example.com"
    )
    for method, account in (
        (PayoutMethodKind.NAGAD, "12345"),
        (PayoutMethodKind.BANK, "#!"),
        (PayoutMethodKind.PAYPAL, "not an address"),
    ):
        with pytest.raises(InvalidPayoutMethodError):
            methods.save_method(user.id, method, account)


def swap_first_and_second(tournament_id: int) -> None:
    from deltacrown.brackets.models import TournamentResult

    rows = db.session.scalars(
        db.select(TournamentResult).where(TournamentResult.tournament_id == tournament_id)
    ).all()
    for row in rows:
        row.placement = {1: 2, 2: 1}.get(row.placement, row.placement)
    db.session.flush()


def test_a_correction_after_payout_takes_back_what_is_no_longer_due_and_pays_the_new_winner(
    app_ctx: Any, finished: Any, staff: Any
) -> None:
    from deltacrown.economy.services import ledger
    from deltacrown.payouts import corrections

    cup = finished([1, 2, 3], **COINS_100)
    tasks.create_for_tournament(cup.id)
    first, second, third = (cup.users[i][0] for i in range(3))
    assert [balance(u) for u in (first, second, third)] == [50, 30, 20]
    # The old winner spends most of the prize before the correction.
    admin = db.session.get_one(User, staff.id)
    ledger.adjust_balance(first, -45, reason="Spent in the shop", actor=admin)
    swap_first_and_second(cup.id)
    db.session.commit()
    counts = tasks.follow_corrected_results(cup.id)  # new coin payouts credited after commit
    db.session.expire_all()
    assert counts == {"cancelled": 0, "reversed": 1, "clawback_due": 1, "created": 2}
    by_user = {(p.user_id, p.placement): p.status for p in payouts(cup.id)}
    assert by_user == {
        (first, 1): PayoutStatus.CLAWBACK_DUE,  # 5 coins left: the 50 cannot be taken back
        (second, 2): PayoutStatus.REVERSED,  # its 30 went back to the escrow
        (third, 3): PayoutStatus.PAID,
        (second, 1): PayoutStatus.PENDING,  # the escrow holds 30 of its 50 until staff act
        (first, 2): PayoutStatus.PAID,
    }
    assert [balance(u) for u in (first, second, third)] == [5 + 30, 0, 20]
    report = services.verify(cup.id, actor=admin)
    assert report["ok"] is False and len(report["clawbacks_due"]) == 1
    assert report["escrow_balance"] == 0
    assert report["missing"] == report["amount_mismatches"] == report["duplicates"] == []
    assert corrections.follow_corrected_results(cup.id) == dict.fromkeys(counts, 0)
    assert find_ledger_mismatches()[1] == []
