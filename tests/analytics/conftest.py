"""A hand-built completed tournament whose figures are computed by hand below, and an empty
one (every denominator zero). Time is frozen for the whole test; rows are written directly.

Cup (completed, Valorant, capacity 8, 100.00 BDT or 30 coins), registrations (day = days
before now):

| reg | who | status | payment | checked in | day |
| --- | --- | --- | --- | --- | --- |
| r1 | p1 | confirmed | 100.00 BDT verified | yes | -3 |
| r2 | p2 | confirmed | 100.00 BDT verified | yes | -3 |
| r3 | p3 | confirmed | 100.00 BDT verified | no | -2 |
| r4 | p4 | no_show | 100.00 BDT verified | no | -2 |
| r5 | p5 | cancelled | 100.00 BDT refunded | no | -1 |
| r6 | team (p6, p7) | confirmed | 30 coins verified | yes | -1 |
| r7 | p8 | cancelled | 30 coins refunded | no | -1 |

Matches: m1 r1>r2 (10 min), m2 r1>r3 (20 min, 2 disputes), m3 r6>r2 (30 min, 1 dispute),
m4 r1>r6 (50 min), m5 r6>r3 forfeit (not timed), m6 skipped (not counted), m7 ready.
Placements: r1 1st, r6 2nd, r2 3rd, r3 4th. Payouts: r1/p1 500 coins paid, r6/p6 150.00 BDT
paid, r2/p2 100 coins pending.

Expected: 7 registrations; 4 confirmed, 3 checked in, 1 no-show: check-in 3/5 = 0.6, no-show
1/5 = 0.2; held 4 of 8: fill 0.5; 6 matches, 5 completed, 2 disputed: 0.3333; durations
600/1200/1800/3000 s: average 27.5 min, median (rank 2) 20 min, p90 (rank 4) 50 min; cash
BDT 500.00 in, 100.00 refunded, 400.00 net; coins 60 in, 30 refunded, 30 net; prizes paid 2:
500 coins and 150.00 BDT.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine

from deltacrown.accounts.models import User
from deltacrown.brackets.models import Round, SeedingMethod, Stage, StageStatus, TournamentResult
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches.models import Dispute, DisputeStatus, Match, MatchEvent, MatchStatus
from deltacrown.payouts.models import Payout, PayoutKind, PayoutStatus
from tests.factories import build_tournament
from tests.organizer.seed import add_registration, add_team


@dataclass
class World:
    org: Any
    players: dict[str, Any]
    cup: int
    empty: int
    regs: dict[str, int]
    now: Any


@pytest.fixture
def frozen():
    with time_machine.travel(utcnow().replace(microsecond=0), tick=False) as traveller:
        yield traveller


def _match(tournament_id, stage, rnd, n, status, p1=None, p2=None, winner=None, **extra):
    match = Match(
        tournament_id=tournament_id, stage_id=stage.id, round_id=rnd.id, engine_id=f"W1.{n}",
        position=n, number=n, best_of=1, status=MatchStatus(status), slot1_kind="seed",
        slot1_ref=str(n), slot2_kind="seed", slot2_ref=str(n + 10),
        participant1_registration_id=p1, participant2_registration_id=p2,
        winner_registration_id=winner, scores=[], **extra,
    )  # fmt: skip
    db.session.add(match)
    db.session.flush()
    return match


def seed_world(org: Any, players: dict[str, Any]) -> World:
    """The rows of the table above (inside an app context; the caller commits)."""
    now = utcnow()
    pid = {k: v.id for k, v in players.items()}
    cup = build_tournament(org.id, status="registration_open", name="Stats Cup", max_participants=8)
    empty = build_tournament(
        org.id, status="published", name="Empty Cup", max_participants=16, game="cs2"
    )
    day = {n: now - timedelta(days=n) for n in (1, 2, 3)}
    cash = {"fee_amount": "100.00", "fee_currency": "BDT", "payment_method": "bkash"}
    coins = {"fee_coins": 30, "payment_method": "deltacoin"}
    t = cup.id
    team = add_team(pid["p6"], "Stat Squad", "SSQ")
    regs = {
        "r1": add_registration(t, user_id=pid["p1"], payment_status="verified",
                               checked_in_at=now, created_at=day[3], **cash),
        "r2": add_registration(t, user_id=pid["p2"], payment_status="verified",
                               checked_in_at=now, created_at=day[3], **cash),
        "r3": add_registration(t, user_id=pid["p3"], payment_status="verified",
                               created_at=day[2], **cash),
        "r4": add_registration(t, user_id=pid["p4"], status="no_show",
                               payment_status="verified", created_at=day[2], **cash),
        "r5": add_registration(t, user_id=pid["p5"], status="cancelled",
                               payment_status="refunded", created_at=day[1], **cash),
        "r6": add_registration(t, team_id=team.id, members=[pid["p6"], pid["p7"]],
                               payment_status="verified", checked_in_at=now,
                               created_at=day[1], **coins),
        "r7": add_registration(t, user_id=pid["p8"], status="cancelled",
                               payment_status="refunded", created_at=day[1], **coins),
    }  # fmt: skip
    r = {k: v.id for k, v in regs.items()}
    stage = Stage(
        tournament_id=t, number=1, format="single_elimination", status=StageStatus.COMPLETED,
        options={}, requested_options={}, best_of=1, seeding=SeedingMethod.REGISTRATION_ORDER,
        seeds=[], byes=[], groups=[], lobbies=[], open_count=0,
    )  # fmt: skip
    db.session.add(stage)
    db.session.flush()
    rnd = Round(stage_id=stage.id, side="winners", number=1, name="Round 1", position=1, byes=[])
    db.session.add(rnd)
    db.session.flush()
    start = now - timedelta(hours=5)
    timed = [(r["r1"], r["r2"], r["r1"], 10), (r["r1"], r["r3"], r["r1"], 20),
             (r["r6"], r["r2"], r["r6"], 30), (r["r1"], r["r6"], r["r1"], 50)]  # fmt: skip
    matches = []
    for n, (a, b, winner, minutes) in enumerate(timed, start=1):
        m = _match(t, stage, rnd, n, "completed", a, b, winner,
                   completed_at=start + timedelta(minutes=minutes))  # fmt: skip
        db.session.add(MatchEvent(match_id=m.id, tournament_id=t, type="started", data={},
                                  created_at=start))  # fmt: skip
        matches.append(m)
    _match(t, stage, rnd, 5, "forfeit", r["r6"], r["r3"], r["r6"], completed_at=start)
    _match(t, stage, rnd, 6, "skipped")
    _match(t, stage, rnd, 7, "ready", r["r2"], r["r3"])
    for m in (matches[1], matches[1], matches[2]):
        db.session.add(Dispute(match_id=m.id, tournament_id=t, reason="Wrong score",
                               evidence=[], status=DisputeStatus.RESOLVED))  # fmt: skip
    for key, place in (("r1", 1), ("r6", 2), ("r2", 3), ("r3", 4)):
        db.session.add(TournamentResult(tournament_id=t, registration_id=r[key], placement=place))
    db.session.add_all([
        Payout(tournament_id=t, placement=1, registration_id=r["r1"], user_id=pid["p1"],
               kind=PayoutKind.COINS, coins=500, status=PayoutStatus.PAID),
        Payout(tournament_id=t, placement=2, registration_id=r["r6"], user_id=pid["p6"],
               kind=PayoutKind.CASH, amount=Decimal("150.00"), currency="BDT",
               status=PayoutStatus.PAID),
        Payout(tournament_id=t, placement=3, registration_id=r["r2"], user_id=pid["p2"],
               kind=PayoutKind.COINS, coins=100, status=PayoutStatus.PENDING),
    ])  # fmt: skip
    cup.status = "completed"
    db.session.flush()
    return World(org, players, cup.id, empty.id, r, now)


def _users(*names: str) -> list[Any]:
    """Accounts written directly (no password: the tests use bearer tokens)."""
    users = [
        User(username=name, username_key=name, email=f"{name}@example.test", password_hash="!")
        for name in names
    ]
    db.session.add_all(users)
    db.session.flush()
    return [SimpleNamespace(id=u.id, username=u.username) for u in users]


@pytest.fixture
def world(app, frozen) -> World:
    with app.app_context():
        org, *people = _users("analyst_org", *(f"analyst{n}" for n in range(1, 9)))
        built = seed_world(org, {f"p{n}": person for n, person in enumerate(people, start=1)})
        db.session.commit()
    return built


@pytest.fixture
def bearer(app):
    """`bearer(user_id)`: a bearer header for that user, minted now."""
    from deltacrown.accounts import tokens
    from deltacrown.accounts.models import User

    def mint(user_id: int) -> dict[str, str]:
        with app.test_request_context():
            token = tokens.tokens_for(db.session.get(User, user_id))["access_token"]
            db.session.remove()
        return {"Authorization": f"Bearer {token}"}

    return mint
