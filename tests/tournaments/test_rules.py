"""The pure tournament rules (no database): money, payment methods, time order, prize
distribution, participants, format and points tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from deltacrown.tournaments import rules
from deltacrown.tournaments.rules import Money

T0 = datetime(2027, 1, 1, 12, tzinfo=UTC)
H = timedelta(hours=1)
CASH = Money(amount=Decimal("100.00"), currency="BDT")
COINS = Money(coins=50)


# ----- money ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"amount": "100.00", "currency": "BDT"}, Money(amount=Decimal("100.00"), currency="BDT")),
        ({"amount": "99.5", "currency": "USD"}, Money(amount=Decimal("99.50"), currency="USD")),
        ({"amount": 250, "currency": "EUR"}, Money(amount=Decimal("250.00"), currency="EUR")),
        ({"coins": 50}, Money(coins=50)),
        (None, None),
    ],
)
def test_money_parses_cash_coins_and_null(raw, expected):
    assert rules.parse_money(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        {"amount": 100.5, "currency": "BDT"},  # floats are never money
        {"amount": "100.001", "currency": "BDT"},  # more than 2 places
        {"amount": "0.00", "currency": "BDT"},  # zero is "free": null
        {"amount": "-5.00", "currency": "BDT"},
        {"amount": "10.00", "currency": "XYZ"},  # not ISO 4217
        {"amount": "10.00", "currency": "bdt"},
        {"amount": "10.00"},
        {"coins": 0},
        {"coins": -3},
        {"coins": True},
        {"coins": "50"},
        {"coins": 5, "amount": "1.00", "currency": "BDT"},
        "100 BDT",
    ],
)
def test_money_refuses_bad_shapes(raw):
    with pytest.raises(ValueError):
        rules.parse_money(raw)


def test_money_serializes_back_to_the_api_shape():
    assert CASH.to_json() == {"amount": "100.00", "currency": "BDT"}
    assert COINS.to_json() == {"coins": 50}


# ----- payment methods -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fee", "methods", "ok"),
    [
        (None, [], True),
        (None, ["bkash"], False),
        (None, ["deltacoin"], False),
        (COINS, ["deltacoin"], True),
        (COINS, ["bkash"], False),
        (COINS, ["deltacoin", "bkash"], False),
        (COINS, [], False),
        (CASH, ["bkash", "nagad", "rocket", "bank_transfer"], True),
        (CASH, ["bank_transfer"], True),
        (CASH, [], False),
        (CASH, ["deltacoin"], False),
        (CASH, ["bkash", "bkash"], False),
    ],
)
def test_payment_methods_must_fit_the_fee(fee, methods, ok):
    errors = rules.payment_method_errors(fee, methods)
    assert (errors == {}) is ok
    if not ok:
        assert list(errors) == ["payment_methods"]


def test_default_payment_methods_follow_the_fee():
    assert rules.default_payment_methods(None) == []
    assert rules.default_payment_methods(COINS) == ["deltacoin"]
    assert rules.default_payment_methods(CASH) == []


# ----- schedule ------------------------------------------------------------------------------
def schedule(ro=None, rc=None, co=None, cc=None, start=T0 + 10 * H):
    return {
        "registration_opens_at": ro,
        "registration_closes_at": rc,
        "checkin_opens_at": co,
        "checkin_closes_at": cc,
        "start_at": start,
    }


@pytest.mark.parametrize(
    ("values", "bad_fields"),
    [
        (schedule(T0, T0 + H, T0 + 2 * H, T0 + 3 * H, T0 + 4 * H), set()),
        # "<=" links may be equal: closes == check-in opens, check-in closes == start
        (schedule(T0, T0 + H, T0 + H, T0 + 2 * H, T0 + 2 * H), set()),
        (schedule(start=T0), set()),
        (schedule(T0, T0 + H, start=T0 + H), set()),  # no check-in: closes <= start
        (schedule(co=T0, cc=T0 + H, start=T0 + 2 * H), set()),
        # "<" links may not be equal
        (schedule(T0, T0, start=T0 + H), {"registration_closes_at"}),
        (schedule(T0 + H, T0, start=T0 + 2 * H), {"registration_closes_at"}),
        (schedule(T0, T0 + H, T0 + 2 * H, T0 + 2 * H, T0 + 3 * H), {"checkin_closes_at"}),
        (schedule(T0, T0 + 2 * H, T0 + H, T0 + 3 * H, T0 + 4 * H), {"checkin_opens_at"}),
        (schedule(T0, T0 + H, T0 + 2 * H, T0 + 4 * H, T0 + 3 * H), {"start_at"}),
        (schedule(T0, T0 + 2 * H, start=T0 + H), {"start_at"}),
        (schedule(ro=T0, start=T0 + H), {"registration_closes_at"}),  # pairs: both or neither
        (schedule(cc=T0, start=T0 + H), {"checkin_opens_at"}),
        (schedule(start=None), {"start_at"}),
    ],
)
def test_schedule_order(values, bad_fields):
    assert set(rules.schedule_errors(values)) == bad_fields


def test_future_errors_name_the_past_fields_only():
    values = schedule(T0 - H, T0 + H, start=T0 + 2 * H)
    assert rules.future_errors(values, ["registration_opens_at", "start_at"], T0) == {
        "registration_opens_at": ["Must be in the future."]
    }
    assert rules.future_errors(values, ["start_at"], T0 + 2 * H) == {
        "start_at": ["Must be in the future."]
    }


# ----- prize distribution --------------------------------------------------------------------
def pct(*values):
    return [{"placement": n, "percent": v} for n, v in enumerate(values, start=1)]


@pytest.mark.parametrize(
    ("shares", "pool", "max_participants", "ok"),
    [
        (pct("50.00", "30.00", "20.00"), CASH, 16, True),
        (pct("100"), CASH, 2, True),
        (pct("33.34", "33.33", "33.33"), COINS, 8, True),
        (pct("50.00", "30.00", "19.99"), CASH, 16, False),  # sums to 99.99
        (pct("50.00", "30.00", "20.01"), CASH, 16, False),  # sums to 100.01
        (pct("20.00", "30.00", "50.00"), CASH, 16, False),  # increasing
        (pct("60.00", "40.00"), None, 16, False),  # no prize pool
        (pct("40.00", "30.00", "20.00", "10.00"), CASH, 3, False),  # k > max participants
        (pct("100.00", "0.00"), CASH, 4, False),  # a zero share
        ([{"placement": 1, "percent": "60"}, {"placement": 3, "percent": "40"}], CASH, 8, False),
        ([{"placement": 2, "percent": "100"}], CASH, 8, False),  # does not start at 1
        ([{"placement": 1, "percent": "50"}, {"placement": 1, "percent": "50"}], CASH, 8, False),
        ([{"placement": 1, "amount": "70.00"}, {"placement": 2, "amount": "30.00"}], CASH, 8, True),
        (
            [{"placement": 1, "amount": "70.00"}, {"placement": 2, "amount": "20.00"}],
            CASH,
            8,
            False,
        ),
        ([{"placement": 1, "amount": "50.00"}], COINS, 8, False),  # amounts need a cash pool
        ([{"placement": 1, "coins": 30}, {"placement": 2, "coins": 20}], COINS, 8, True),
        ([{"placement": 1, "coins": 30}, {"placement": 2, "coins": 30}], COINS, 8, False),
        ([{"placement": 1, "coins": 100}], CASH, 8, False),  # coins need a coin pool
        ([{"placement": 1, "percent": "60"}, {"placement": 2, "amount": "40.00"}], CASH, 8, False),
        ([], None, 8, True),
    ],
)
def test_prize_distribution(shares, pool, max_participants, ok):
    errors = rules.prize_distribution_errors(shares, pool, max_participants)
    assert (errors == {}) is ok, errors
    if not ok:
        assert list(errors) == ["prize_distribution"]


def test_equal_shares_are_not_increasing():
    assert rules.prize_distribution_errors(pct("50", "50"), CASH, 4) == {}


def test_prize_distribution_is_stored_sorted_with_two_places():
    shares = [{"placement": 2, "percent": Decimal("40")}, {"placement": 1, "percent": "60.5"}]
    assert rules.normalize_prize_distribution(shares) == [
        {"placement": 1, "percent": "60.50"},
        {"placement": 2, "percent": "40.00"},
    ]
    assert rules.normalize_prize_distribution([{"placement": 1, "coins": 7}]) == [
        {"placement": 1, "coins": 7}
    ]


# ----- participants, format, points table ----------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "bad_fields"),
    [
        ({}, set()),
        ({"min_participants": 1}, {"min_participants"}),
        ({"max_participants": 4097}, {"max_participants"}),
        ({"min_participants": 17}, {"max_participants"}),
        ({"participant_type": "solo", "team_size": 1, "max_substitutes": 0}, set()),
        ({"participant_type": "solo", "team_size": 5, "max_substitutes": 0}, {"team_size"}),
        ({"participant_type": "solo", "team_size": 1, "max_substitutes": 1}, {"max_substitutes"}),
        ({"team_size": 1}, {"team_size"}),
    ],
)
def test_participants(kwargs, bad_fields):
    values = {
        "participant_type": "team",
        "team_size": 5,
        "max_substitutes": 2,
        "min_participants": 2,
        "max_participants": 16,
        **kwargs,
    }
    assert set(rules.participant_errors(**values)) == bad_fields


@pytest.mark.parametrize(
    ("fmt", "shape", "ok"),
    [
        ("single_elimination", "score", True),
        ("battle_royale", "placement_points", True),
        ("battle_royale", "score", False),
        ("swiss", "placement_points", False),
    ],
)
def test_battle_royale_format_matches_battle_royale_games(fmt, shape, ok):
    assert (rules.format_errors(fmt, shape) == {}) is ok


@pytest.mark.parametrize(
    ("fmt", "table", "ok"),
    [
        ("battle_royale", rules.DEFAULT_POINTS_TABLE, True),
        ("battle_royale", {"placement": {"1": 10, "2": 5}, "kill": 2}, True),
        ("battle_royale", None, True),
        ("single_elimination", {"placement": {"1": 10}, "kill": 1}, False),
        ("battle_royale", {"placement": {"1": 10, "3": 5}, "kill": 1}, False),
        ("battle_royale", {"placement": {"1": 5, "2": 10}, "kill": 1}, False),
        ("battle_royale", {"placement": {"1": 10}, "kill": -1}, False),
        ("battle_royale", {"placement": {"1": 10}}, False),
        ("battle_royale", {"placement": {"1": "ten"}, "kill": 1}, False),
    ],
)
def test_points_table(fmt, table, ok):
    assert (rules.points_table_errors(fmt, table) == {}) is ok
