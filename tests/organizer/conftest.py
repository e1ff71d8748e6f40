"""The organizer dashboard's seeded scenario: figures in the tests are computed by hand from it.

Cast: `org` organizes Alpha, Charlie, Delta and Foxtrot and co-organizes Bravo (owned by
`rival`, who alone owns Echo). Time is frozen for the whole test.

| tournament | status | max | fee | registrations |
| --- | --- | --- | --- | --- |
| Alpha | registration_open, start +10d | 8 (min 2) | 100.00 BDT | p1 confirmed verified checked in; p2 confirmed verified; p3 pending, payment submitted 30 h ago; p4 pending awaiting (a rejected payment 50 h ago); p5 cancelled refunded |
| Bravo | published, start +3d | 4 | 50 coins | p1 confirmed (50 coins); p6 confirmed (50 coins); p7 cancelled (50 coins, refunded) |
| Charlie | draft, start +5d | 16 | free | none |
| Delta | cancelled | 8 | free | p8 cancelled |
| Foxtrot | registration_closed, start +40d | 2 (min 2) | 5.00 USD | team A (p2, p9) confirmed verified; team B (p10, p11) waitlisted; team C (p12, p13) no-show verified |
| Echo (rival's) | published | 8 | 999.00 BDT | p1 confirmed verified |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from deltacrown.accounts.models import User
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.tournaments import services
from tests.discovery.conftest import schedule
from tests.factories import build_tournament
from tests.organizer.seed import (
    add_registration,
    add_team,
    pay_coins,
    refund_coins,
    submit_payment,
)


@dataclass
class Scenario:
    org: Any
    rival: Any
    players: dict[str, Any]
    ids: dict[str, int]
    now: Any


@pytest.fixture
def frozen():
    with time_machine.travel(utcnow().replace(microsecond=0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def scenario(app, make_user, frozen) -> Scenario:
    org, rival = make_user(username="org"), make_user(username="rival")
    players = {f"p{n}": make_user(username=f"player{n}") for n in range(1, 14)}
    now = utcnow()
    with app.app_context():
        pid = {key: info.id for key, info in players.items()}

        def cup(owner, name, status, days, **body):
            return build_tournament(
                owner.id, status=status, name=name, **{**schedule(days), **body}
            ).id

        bdt = {"entry_fee": {"amount": "100.00", "currency": "BDT"}, "payment_methods": ["bkash"]}
        ids = {
            "alpha": cup(org, "Alpha", "registration_open", 10, max_participants=8, **bdt),
            "bravo": cup(
                rival, "Bravo", "published", 3, max_participants=4, entry_fee={"coins": 50}
            ),
            "charlie": cup(org, "Charlie", "draft", 5, max_participants=16),
            "delta": cup(org, "Delta", "cancelled", 6, max_participants=8),
            "foxtrot": cup(
                org,
                "Foxtrot",
                "registration_closed",
                40,
                max_participants=2,
                entry_fee={"amount": "5.00", "currency": "USD"},
                payment_methods=["bkash"],
            ),
            "echo": cup(
                rival,
                "Echo",
                "published",
                8,
                max_participants=8,
                entry_fee={"amount": "999.00", "currency": "BDT"},
                payment_methods=["bkash"],
            ),
        }
        services.add_organizer(ids["bravo"], actor=db.session.get(User, rival.id), user_id=org.id)

        cash = {"fee_amount": "100.00", "fee_currency": "BDT", "payment_method": "bkash"}
        a = ids["alpha"]
        add_registration(
            a,
            user_id=pid["p1"],
            status="confirmed",
            payment_status="verified",
            checked_in_at=now - timedelta(minutes=5),
            **cash,
        )
        add_registration(
            a, user_id=pid["p2"], status="confirmed", payment_status="verified", **cash
        )
        p3 = add_registration(
            a, user_id=pid["p3"], status="pending", payment_status="submitted", **cash
        )
        submit_payment(p3, submitted_at=now - timedelta(hours=30))
        p4 = add_registration(
            a, user_id=pid["p4"], status="pending", payment_status="awaiting", **cash
        )
        submit_payment(p4, submitted_at=now - timedelta(hours=50), status="rejected")
        add_registration(
            a, user_id=pid["p5"], status="cancelled", payment_status="refunded", **cash
        )

        b = ids["bravo"]
        for key in ("p1", "p6", "p7"):
            registration = add_registration(b, user_id=pid[key], status="confirmed")
            entry = pay_coins(registration, 50)
            if key == "p7":
                refund_coins(registration, entry)
                registration.status = registration.status.CANCELLED
                registration.payment_status = registration.payment_status.REFUNDED

        add_registration(ids["delta"], user_id=pid["p8"], status="cancelled")

        f = ids["foxtrot"]
        usd = {"fee_amount": "5.00", "fee_currency": "USD", "payment_method": "bkash"}
        team_a = add_team(pid["p2"], "Team Alpha", "TA")
        team_b = add_team(pid["p10"], "Team Bravo", "TB")
        team_c = add_team(pid["p12"], "Team Charlie", "TC")
        add_registration(
            f,
            team_id=team_a.id,
            members=[pid["p2"], pid["p9"]],
            status="confirmed",
            payment_status="verified",
            **usd,
        )
        add_registration(
            f,
            team_id=team_b.id,
            members=[pid["p10"], pid["p11"]],
            status="waitlisted",
            payment_status="awaiting",
            waitlist_position=1,
            **usd,
        )
        add_registration(
            f,
            team_id=team_c.id,
            members=[pid["p12"], pid["p13"]],
            status="no_show",
            payment_status="verified",
            **usd,
        )

        add_registration(
            ids["echo"],
            user_id=pid["p1"],
            status="confirmed",
            payment_status="verified",
            fee_amount="999.00",
            fee_currency="BDT",
        )
        db.session.commit()
        db.session.remove()
    return Scenario(org, rival, players, ids, now)


@pytest.fixture
def headers_now(app):
    """`headers_now(user_info)`: a bearer header minted now (after a test moved the clock)."""
    from deltacrown.accounts import tokens

    def mint(info: Any) -> dict[str, str]:
        with app.test_request_context():
            token = tokens.tokens_for(db.session.get(User, info.id))["access_token"]
            db.session.remove()
        return {"Authorization": f"Bearer {token}"}

    return mint
