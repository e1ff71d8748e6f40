"""The payout plan as a pure function over plain values (no database, no Flask).

Amounts are integers in the pool's minor unit: whole coins for a DeltaCoin pool, cents for a
cash pool (`Numeric(12, 2)` holds nothing finer). The rules (DOMAIN.md "After the tournament"):

* percent entries pay `pool × percent` rounded down to the minor unit; the rounding dust goes
  to 1st, so the percent prizes add up to the pool exactly. Fixed entries (`amount`, `coins`)
  pay what they say.
* Shared places (two 3rds) split the sum of the places they cover evenly; the dust goes to
  the better seed (the earlier participant in the given order).
* A placement with nobody in it pays nothing and is listed in `unclaimed`.
* A team's prize is split evenly across its roster, the remainder to the captain; with
  `prize_to_captain` the captain gets all of it. A solo participant's roster is themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

CENTS = Decimal(100)


@dataclass(frozen=True)
class Placed:
    """One participant's final placement; `members` the users paid for it (a solo player:
    just them), `captain_id` who gets a team's remainder (or all of it)."""

    placement: int
    registration_id: int
    members: tuple[int, ...]
    captain_id: int


@dataclass(frozen=True)
class Line:
    """One planned payout: `minor` units of the pool to `user_id` for a placement."""

    placement: int
    registration_id: int
    user_id: int
    minor: int


@dataclass
class Plan:
    lines: list[Line] = field(default_factory=list)
    # Placements of the distribution nobody took, with what they would have paid.
    unclaimed: dict[int, int] = field(default_factory=dict)

    @property
    def paid_total(self) -> int:
        return sum(line.minor for line in self.lines)


class PlanError(ValueError):
    """The distribution cannot be planned (no entries, mixed or unknown kinds)."""


def to_minor(value: Any, *, coins: bool) -> int:
    """A stored amount in the pool's minor unit (rounded down to it)."""
    if coins:
        return int(value)
    return int((Decimal(str(value)) * CENTS).to_integral_value(rounding=ROUND_DOWN))


def from_minor(minor: int, *, coins: bool) -> Decimal | int:
    return minor if coins else (Decimal(minor) / CENTS).quantize(Decimal("0.01"))


def place_prizes(
    pool_minor: int, distribution: Sequence[Mapping[str, Any]], *, coins: bool
) -> dict[int, int]:
    """What each placement of the distribution pays, in minor units."""
    if not distribution:
        raise PlanError("The tournament has no prize distribution.")
    kinds = {
        kind for share in distribution for kind in ("percent", "amount", "coins") if kind in share
    }
    if len(kinds) != 1:
        raise PlanError("Every placement must use the same one of percent, amount or coins.")
    kind = kinds.pop()
    prizes: dict[int, int] = {}
    for share in distribution:
        placement = int(share["placement"])
        if kind == "percent":
            percent = Decimal(str(share["percent"]))
            value = (Decimal(pool_minor) * percent / 100).to_integral_value(rounding=ROUND_DOWN)
            prizes[placement] = int(value)
        else:
            prizes[placement] = to_minor(share[kind], coins=kind == "coins" or coins)
    if kind == "percent" and prizes:
        prizes[min(prizes)] += pool_minor - sum(prizes.values())
    return prizes


def _split(total: int, parts: int) -> list[int]:
    """`total` in `parts` even shares, the dust to the first ones (better first)."""
    base, dust = divmod(total, parts)
    return [base + (1 if index < dust else 0) for index in range(parts)]


def _per_member(placed: Placed, amount: int, prize_to_captain: bool) -> list[tuple[int, int]]:
    if prize_to_captain or len(placed.members) <= 1:
        return [(placed.captain_id if prize_to_captain else placed.members[0], amount)]
    base, remainder = divmod(amount, len(placed.members))
    # The remainder to the captain (to the first member if the captain left the roster).
    gets_rest = placed.captain_id if placed.captain_id in placed.members else placed.members[0]
    return [
        (user_id, base + (remainder if user_id == gets_rest else 0)) for user_id in placed.members
    ]


def build_plan(
    pool_minor: int,
    distribution: Sequence[Mapping[str, Any]],
    placements: Sequence[Placed],
    *,
    coins: bool,
    prize_to_captain: bool = False,
) -> Plan:
    """Who gets what. `placements` best first, ties in seed order (better seed first)."""
    prizes = place_prizes(pool_minor, distribution, coins=coins)
    plan = Plan()
    by_place: dict[int, list[Placed]] = {}
    for placed in placements:
        by_place.setdefault(placed.placement, []).append(placed)
    covered: set[int] = set()
    for placement in sorted(by_place):
        group = by_place[placement]
        places = range(placement, placement + len(group))
        covered.update(places)
        total = sum(prizes.get(place, 0) for place in places)
        if total <= 0:
            continue
        for placed, share in zip(group, _split(total, len(group)), strict=True):
            for user_id, amount in _per_member(placed, share, prize_to_captain):
                if amount > 0:
                    plan.lines.append(Line(placement, placed.registration_id, user_id, amount))
    plan.unclaimed = {
        place: amount for place, amount in sorted(prizes.items()) if place not in covered and amount
    }
    return plan
