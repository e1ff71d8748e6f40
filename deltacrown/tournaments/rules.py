"""Pure tournament rules over plain values (no database): money, payment methods, schedule,
prize distribution, participants and points tables.

Each `*_errors` function returns `{field: [message, ...]}` (empty when the rule holds); the
services turn a non-empty result into the matching 422 problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from deltacrown.brackets.engine.formats import FORMATS

FieldErrors = dict[str, list[str]]

CENT = Decimal("0.01")
HUNDRED = Decimal("100.00")
MAX_PARTICIPANTS = 4096
MAX_AMOUNT = Decimal("9999999999.99")  # Numeric(12, 2)
_DECIMAL_RE = re.compile(r"^\d{1,10}(\.\d{1,2})?$")

# ISO 4217 active alphabetic codes.
CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP
    GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
    KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR
    MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF
    SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD
    TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL""".split()
)

MANUAL_METHODS = ("bkash", "nagad", "rocket", "bank_transfer")
COIN_METHOD = "deltacoin"

# The schedule, in order; between neighbours "<" or "<=" (DOMAIN.md "Time order").
SCHEDULE_FIELDS = (
    "registration_opens_at",
    "registration_closes_at",
    "checkin_opens_at",
    "checkin_closes_at",
    "start_at",
)

DEFAULT_POINTS_TABLE: dict[str, Any] = {
    "placement": {
        "1": 15,
        "2": 12,
        "3": 10,
        "4": 8,
        "5": 6,
        "6": 4,
        "7": 2,
        "8": 1,
        "9": 1,
        "10": 1,
        "11": 1,
        "12": 1,
    },
    "kill": 1,
}


# ----- money ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Money:
    """An entry fee or prize pool: cash (`amount` + ISO 4217 `currency`) or DeltaCoins."""

    amount: Decimal | None = None
    currency: str | None = None
    coins: int | None = None

    @property
    def kind(self) -> str:
        return "coins" if self.coins is not None else "cash"

    def to_json(self) -> dict[str, Any]:
        if self.coins is not None:
            return {"coins": self.coins}
        return {"amount": format_decimal(self.amount), "currency": self.currency}


def format_decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT))


def parse_decimal(value: Any, *, field: str = "value") -> Decimal:
    """A non-negative decimal with at most 2 places, from a string or an integer (never a float)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f'{field} must be a decimal string such as "100.00".')
    text = str(value).strip()
    if not _DECIMAL_RE.match(text):
        raise ValueError(f'{field} must be a decimal string with at most 2 places, e.g. "100.00".')
    try:
        return Decimal(text).quantize(CENT)
    except InvalidOperation as exc:  # pragma: no cover - the regex already rules this out
        raise ValueError(f"{field} is not a number.") from exc


def parse_money(value: Any) -> Money | None:
    """`{"amount": "100.00", "currency": "BDT"}`, `{"coins": 50}` or None; ValueError otherwise."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError('Give {"amount": "100.00", "currency": "BDT"}, {"coins": 50} or null.')
    keys = set(value)
    if keys == {"coins"}:
        coins = value["coins"]
        if isinstance(coins, bool) or not isinstance(coins, int) or coins <= 0:
            raise ValueError("coins must be a positive integer.")
        return Money(coins=coins)
    if keys == {"amount", "currency"}:
        amount = parse_decimal(value["amount"], field="amount")
        if amount <= 0:
            raise ValueError("amount must be greater than 0 (use null for none).")
        currency = value["currency"]
        if not isinstance(currency, str) or currency not in CURRENCIES:
            raise ValueError("currency must be an ISO 4217 code such as BDT.")
        return Money(amount=amount, currency=currency)
    raise ValueError('Give {"amount": "100.00", "currency": "BDT"}, {"coins": 50} or null.')


def default_payment_methods(fee: Money | None) -> list[str]:
    """What a fee implies when the organizer names no methods."""
    if fee is not None and fee.kind == "coins":
        return [COIN_METHOD]
    return []


def payment_method_errors(fee: Money | None, methods: Sequence[str]) -> FieldErrors:
    """Free: none. DeltaCoin fee: only `deltacoin`. Cash fee: one or more manual methods."""
    if len(set(methods)) != len(methods):
        return {"payment_methods": ["Each method may appear once."]}
    if fee is None:
        if methods:
            return {"payment_methods": ["A free tournament takes no payment methods."]}
    elif fee.kind == "coins":
        if list(methods) != [COIN_METHOD]:
            return {"payment_methods": ["A DeltaCoin entry fee is paid with deltacoin only."]}
    else:
        if not methods:
            return {"payment_methods": ["A cash entry fee needs at least one payment method."]}
        wrong = [m for m in methods if m not in MANUAL_METHODS]
        if wrong:
            return {
                "payment_methods": [
                    "A cash entry fee is paid with "
                    + ", ".join(MANUAL_METHODS)
                    + "; not "
                    + ", ".join(wrong)
                    + "."
                ]
            }
    return {}


# ----- schedule ------------------------------------------------------------------------------
def _pair_errors(values: Mapping[str, datetime | None], first: str, second: str) -> FieldErrors:
    if (values.get(first) is None) != (values.get(second) is None):
        missing = first if values.get(first) is None else second
        return {missing: [f"Give both {first} and {second}, or neither."]}
    return {}


def schedule_errors(values: Mapping[str, datetime | None]) -> FieldErrors:
    """registration opens < registration closes <= check-in opens < check-in closes <= start.

    The registration pair and the check-in pair are each optional (both or neither);
    `start_at` is required. Messages go to the later field of each broken link.
    """
    errors: FieldErrors = {}
    if values.get("start_at") is None:
        errors["start_at"] = ["A start time is required."]
        return errors
    errors.update(_pair_errors(values, "registration_opens_at", "registration_closes_at"))
    errors.update(_pair_errors(values, "checkin_opens_at", "checkin_closes_at"))
    if errors:
        return errors
    links = [
        ("registration_opens_at", "registration_closes_at", True),
        ("registration_closes_at", "checkin_opens_at", False),
        ("checkin_opens_at", "checkin_closes_at", True),
        ("checkin_closes_at", "start_at", False),
    ]
    if values.get("checkin_opens_at") is None:
        links.append(("registration_closes_at", "start_at", False))
    for first, second, strict in links:
        a, b = values.get(first), values.get(second)
        if a is None or b is None:
            continue
        if (strict and not a < b) or (not strict and not a <= b):
            relation = "after" if strict else "at or after"
            errors.setdefault(second, []).append(f"Must be {relation} {first}.")
    return errors


def future_errors(
    values: Mapping[str, datetime | None],
    fields: Sequence[str],
    now: datetime,
) -> FieldErrors:
    """Each of `fields` that is set must lie after `now`."""
    return {
        name: ["Must be in the future."]
        for name in fields
        if (value := values.get(name)) is not None and value <= now
    }


# ----- prize distribution --------------------------------------------------------------------
SHARE_KINDS = ("percent", "amount", "coins")


def share_kind(share: Mapping[str, Any]) -> str:
    kinds = [k for k in SHARE_KINDS if k in share]
    return kinds[0] if len(kinds) == 1 else ""


def share_value(share: Mapping[str, Any]) -> Decimal:
    kind = share_kind(share)
    return Decimal(share[kind]) if kind == "coins" else Decimal(str(share[kind])).quantize(CENT)


def normalize_prize_distribution(shares: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Sorted by placement, decimals as 2-place strings, coins as integers (the stored shape)."""
    result = []
    for share in sorted(shares, key=lambda s: s["placement"]):
        kind = share_kind(share)
        value: Any = share_value(share)
        value = int(value) if kind == "coins" else format_decimal(value)
        result.append({"placement": share["placement"], kind: value})
    return result


def prize_distribution_errors(
    shares: Sequence[Mapping[str, Any]], prize_pool: Money | None, max_participants: int | None
) -> FieldErrors:
    """Placements 1..k, one kind for all (percentages summing to exactly 100, or amounts
    or coins summing to the prize pool), k <= max participants, non-increasing by placement."""
    if not shares:
        return {}
    problems: list[str] = []
    kinds = {share_kind(s) for s in shares}
    if "" in kinds or len(kinds) != 1:
        return {
            "prize_distribution": ["Give every placement the same one of percent, amount or coins."]
        }
    kind = kinds.pop()
    placements = sorted(s["placement"] for s in shares)
    if placements != list(range(1, len(placements) + 1)):
        problems.append("Placements must be 1, 2, ... k, each once.")
    if max_participants is not None and len(shares) > max_participants:
        problems.append(f"{len(shares)} placements for at most {max_participants} participants.")
    if prize_pool is None:
        problems.append("A prize distribution needs a prize_pool.")
    elif kind == "amount" and prize_pool.kind != "cash":
        problems.append("Fixed amounts need a cash prize pool; use coins for a DeltaCoin pool.")
    elif kind == "coins" and prize_pool.kind != "coins":
        problems.append("Coins need a DeltaCoin prize pool; use amount for a cash pool.")
    values = [share_value(s) for s in sorted(shares, key=lambda s: s["placement"])]
    if any(v <= 0 for v in values):
        problems.append("Every share must be greater than 0.")
    if any(later > earlier for earlier, later in zip(values, values[1:], strict=False)):
        problems.append("Shares must not increase with the placement.")
    total = sum(values, Decimal(0))
    if kind == "percent" and total != HUNDRED:
        problems.append(f"Percentages must sum to exactly 100.00, not {format_decimal(total)}.")
    if (
        prize_pool is not None
        and kind == "amount"
        and prize_pool.kind == "cash"
        and (total != prize_pool.amount)
    ):
        problems.append(
            f"Amounts sum to {format_decimal(total)}, the prize pool is "
            f"{format_decimal(prize_pool.amount)}."
        )
    if (
        prize_pool is not None
        and kind == "coins"
        and prize_pool.kind == "coins"
        and (total != prize_pool.coins)
    ):
        problems.append(f"Coins sum to {int(total)}, the prize pool is {prize_pool.coins}.")
    return {"prize_distribution": problems} if problems else {}


# ----- participants, format, points table ----------------------------------------------------
def participant_errors(
    *,
    participant_type: str,
    team_size: int,
    max_substitutes: int,
    min_participants: int,
    max_participants: int,
) -> FieldErrors:
    """2 <= min <= max <= 4096; solo means team size 1 and no substitutes; a team has 2+."""
    errors: FieldErrors = {}
    if min_participants < 2:
        errors["min_participants"] = ["At least 2."]
    if max_participants > MAX_PARTICIPANTS:
        errors["max_participants"] = [f"At most {MAX_PARTICIPANTS}."]
    if min_participants > max_participants:
        errors.setdefault("max_participants", []).append("Must be at least min_participants.")
    if participant_type == "solo":
        if team_size != 1:
            errors["team_size"] = ["A solo tournament has team_size 1."]
        if max_substitutes:
            errors["max_substitutes"] = ["A solo tournament has no substitutes."]
    elif team_size < 2:
        errors["team_size"] = ["A team tournament needs team_size 2 or more."]
    return errors


def format_minimum(tournament_format: str) -> int:
    """The fewest participants a format can be played with (the bracket engine's own minimum:
    double elimination and group stage + playoffs need 3, the others 2)."""
    fmt = FORMATS.get(tournament_format)
    return max(2, fmt.min_participants if fmt is not None else 2)


def needed_participants(tournament_format: str, min_participants: int) -> int:
    """How many participants a tournament needs before its bracket can be drawn."""
    return max(min_participants, format_minimum(tournament_format))


def format_minimum_errors(tournament_format: str, min_participants: int) -> FieldErrors:
    """`min_participants` must allow the format to be played (its bracket needs that many)."""
    minimum = format_minimum(tournament_format)
    if min_participants < minimum:
        return {
            "min_participants": [
                f"{tournament_format} needs at least {minimum} participants; "
                f"set min_participants to {minimum} or more."
            ]
        }
    return {}


def shortfall_message(participants: int, needed: int) -> str:
    """What closing registration is refused with when too few hold a place."""
    missing = needed - participants
    return (
        f"{participants} participant(s) hold a place and the tournament needs at least "
        f"{needed}: {missing} more must register before registration can close."
    )


def format_errors(tournament_format: str, result_shape: str) -> FieldErrors:
    """Battle royale formats need a placement-points game, and such games need battle royale."""
    is_br_format = tournament_format == "battle_royale"
    is_br_game = result_shape == "placement_points"
    if is_br_format and not is_br_game:
        return {"format": ["battle_royale needs a battle royale game."]}
    if is_br_game and not is_br_format:
        return {"format": ["This battle royale game only supports the battle_royale format."]}
    return {}


def points_table_errors(tournament_format: str, table: Any) -> FieldErrors:
    """`{"placement": {"1": 15, ...}, "kill": 1}` for battle royale only."""
    if table is None:
        return {}
    if tournament_format != "battle_royale":
        return {"points_table": ["Only battle_royale tournaments have a points table."]}
    message = 'Give {"placement": {"1": 15, "2": 12, ...}, "kill": 1} with non-negative integers.'
    if not isinstance(table, Mapping) or set(table) != {"placement", "kill"}:
        return {"points_table": [message]}
    placement, kill = table["placement"], table["kill"]
    if isinstance(kill, bool) or not isinstance(kill, int) or kill < 0:
        return {"points_table": [message]}
    if not isinstance(placement, Mapping) or not placement:
        return {"points_table": [message]}
    if sorted(placement) != sorted(str(n) for n in range(1, len(placement) + 1)):
        return {"points_table": ['Placement keys must be "1", "2", ... without gaps.']}
    points = [placement[str(n)] for n in range(1, len(placement) + 1)]
    if any(isinstance(p, bool) or not isinstance(p, int) or p < 0 for p in points):
        return {"points_table": [message]}
    if any(later > earlier for earlier, later in zip(points, points[1:], strict=False)):
        return {"points_table": ["Placement points must not increase with the placement."]}
    return {}


def merge(*results: FieldErrors) -> FieldErrors:
    merged: FieldErrors = {}
    for result in results:
        for key, messages in result.items():
            merged.setdefault(key, []).extend(messages)
    return merged
