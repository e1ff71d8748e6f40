"""The payout rules by example, and a property over random pools, distributions and
placements: what is paid plus what nobody could claim is the pool, and nobody is paid twice."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from deltacrown.payouts.plan import Placed, build_plan, place_prizes, to_minor


def solo(placement: int, user_id: int) -> Placed:
    return Placed(placement, registration_id=user_id * 10, members=(user_id,), captain_id=user_id)


def paid(plan: object) -> dict[int, int]:
    return {line.user_id: line.minor for line in plan.lines}  # type: ignore[attr-defined]


def percent(*values: str) -> list[dict[str, str | int]]:
    return [{"placement": i, "percent": v} for i, v in enumerate(values, start=1)]


def test_percent_shares_round_down_and_the_dust_goes_to_first() -> None:
    plan = build_plan(
        101, percent("33.33", "33.33", "33.34"), [solo(1, 1), solo(2, 2), solo(3, 3)], coins=True
    )
    # 33.6633 -> 33, 33.6633 -> 33, 33.6734 -> 33: the 2 coins of dust go to 1st.
    assert paid(plan) == {1: 35, 2: 33, 3: 33}
    assert plan.paid_total == 101


def test_cash_percent_rounds_to_the_cent_with_the_dust_to_first() -> None:
    pool = to_minor(Decimal("333.33"), coins=False)
    plan = build_plan(pool, percent("60", "30", "10"), [solo(1, 1), solo(2, 2), solo(3, 3)],
                      coins=False)  # fmt: skip
    # 199.998 -> 199.99, 99.999 -> 99.99, 33.333 -> 33.33; the 0.02 left over goes to 1st.
    assert paid(plan) == {1: 20001, 2: 9999, 3: 3333}


def test_fixed_entries_pay_what_they_say() -> None:
    shares = [{"placement": 1, "coins": 300}, {"placement": 2, "coins": 100}]
    assert place_prizes(400, shares, coins=True) == {1: 300, 2: 100}
    amounts = [{"placement": 1, "amount": "750.50"}, {"placement": 2, "amount": "249.50"}]
    assert place_prizes(100000, amounts, coins=False) == {1: 75050, 2: 24950}


def test_two_thirds_split_third_and_fourth_with_the_dust_to_the_better_seed() -> None:
    shares = [{"placement": p, "coins": c} for p, c in ((1, 50), (2, 30), (3, 15), (4, 6))]
    placements = [solo(1, 1), solo(2, 2), solo(3, 3), solo(3, 4)]  # user 3 is the better seed
    plan = build_plan(101, shares, placements, coins=True)
    assert paid(plan) == {1: 50, 2: 30, 3: 11, 4: 10}


def test_a_placement_nobody_took_pays_nothing_and_is_listed() -> None:
    plan = build_plan(100, percent("50", "30", "20"), [solo(1, 1), solo(2, 2)], coins=True)
    assert paid(plan) == {1: 50, 2: 30}
    assert plan.unclaimed == {3: 20}


def test_a_team_prize_splits_across_the_roster_with_the_remainder_to_the_captain() -> None:
    team = Placed(1, registration_id=5, members=(7, 8, 9), captain_id=8)
    plan = build_plan(100, percent("100"), [team], coins=True)
    assert paid(plan) == {7: 33, 8: 34, 9: 33}


def test_with_prize_to_captain_the_captain_gets_the_whole_team_prize() -> None:
    team = Placed(1, registration_id=5, members=(7, 8, 9), captain_id=8)
    plan = build_plan(100, percent("100"), [team], coins=True, prize_to_captain=True)
    assert paid(plan) == {8: 100}


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[int, list[dict[str, str | int]], list[Placed]]:
    pool = draw(st.integers(min_value=1, max_value=10**9))
    k = draw(st.integers(min_value=1, max_value=8))
    # k percentages in hundredths that sum to exactly 100.00
    cuts = sorted(draw(st.lists(st.integers(0, 10000), min_size=k - 1, max_size=k - 1)))
    bounds = [0, *cuts, 10000]
    shares = [
        {"placement": i + 1, "percent": str(Decimal(bounds[i + 1] - bounds[i]) / 100)}
        for i in range(k)
    ]
    placements: list[Placed] = []
    user = 1
    place = 1
    for registration in range(draw(st.integers(0, 10))):
        if placements and draw(st.booleans()):
            place = placements[-1].placement  # a tie with the one before
        else:
            place = place + (1 if placements else 0)
        size = draw(st.integers(1, 5))
        members = tuple(range(user, user + size))
        user += size
        captain = members[draw(st.integers(0, size - 1))]
        placements.append(Placed(place, registration + 1, members, captain))
        place = placements[-1].placement + sum(1 for p in placements if p.placement == place) - 1
    return pool, shares, placements


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.booleans(), st.booleans())
def test_what_is_paid_plus_what_nobody_claimed_is_the_pool_and_nobody_is_paid_twice(
    scenario: tuple[int, list[dict[str, str | int]], list[Placed]], coins: bool, captain: bool
) -> None:
    pool, shares, placements = scenario
    plan = build_plan(pool, shares, placements, coins=coins, prize_to_captain=captain)
    assert plan.paid_total + sum(plan.unclaimed.values()) == pool
    assert all(line.minor > 0 for line in plan.lines)
    counts = Counter((line.registration_id, line.user_id) for line in plan.lines)
    assert max(counts.values(), default=1) == 1
    if not plan.unclaimed:
        assert plan.paid_total == pool
