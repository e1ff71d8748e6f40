"""Fixtures for payouts: completed tournaments built straight from rows (a tournament through
the service, then confirmed registrations and their placements), committed inside the test's
transaction, so no bracket has to be played to test what happens after it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.factories import build_tournament
from tests.helpers import UserInfo

_teams = itertools.count(1)


@dataclass
class Finished:
    id: int
    registrations: list[int]
    users: list[list[int]] = field(default_factory=list)  # per registration: its members


@pytest.fixture(autouse=True)
def _session_celery_is_current(app: Any) -> Iterator[None]:
    """Task proxies (`tasks.pay(...)`) follow Celery's current app, which a test that built
    another app (races, live servers, migrations) may have left behind in this thread."""
    app.extensions["celery"].set_current()
    yield


@pytest.fixture
def organizer(make_user: Any) -> UserInfo:
    return make_user(username="payorg")


def fund_organizer(owner_id: int, prize_pool: dict[str, Any] | None) -> None:
    """Give the organizer the coins of a DeltaCoin pool, which registration opening holds."""
    from deltacrown.economy import services as economy
    from deltacrown.economy.models import TransactionKind

    if prize_pool and prize_pool.get("coins"):
        economy.credit(owner_id, prize_pool["coins"], kind=TransactionKind.DEPOSIT)


def build_finished(
    owner_id: int,
    people: list[list[int]],
    placements: list[int],
    *,
    prize_pool: dict[str, Any] | None,
    prize_distribution: list[dict[str, Any]],
    **fields: Any,
) -> Finished:
    """In the current app context (flushed, not committed): a completed tournament whose i-th
    participant, `people[i]` (a team when it has more than one player, the first its captain),
    finished `placements[i]`."""
    from deltacrown.brackets.models import TournamentResult
    from deltacrown.extensions import db
    from deltacrown.registrations.models import (
        MemberRole,
        PaymentStatus,
        Registration,
        RegistrationMember,
        RegistrationStatus,
    )
    from deltacrown.teams.models import Team

    team_size = len(people[0]) if people else 1
    if fields.get("prize_funding", "organizer") == "organizer":
        fund_organizer(owner_id, prize_pool)
    tournament = build_tournament(
        owner_id,
        status="completed",
        participant_type="team" if team_size > 1 else "solo",
        team_size=team_size,
        max_participants=max(4, len(placements)),
        prize_pool=prize_pool,
        prize_distribution=prize_distribution,
        **fields,
    )
    registrations = []
    for members, placement in zip(people, placements, strict=True):
        team_id = None
        if team_size > 1:
            n = next(_teams)
            team = Team(game_id=tournament.game_id, name=f"Payout Team {n}",
                        name_key=f"payout team {n}", tag=f"P{n}", slug=f"payout-team-{n}",
                        captain_id=members[0])  # fmt: skip
            db.session.add(team)
            db.session.flush()
            team_id = team.id
        registration = Registration(
            tournament_id=tournament.id,
            user_id=None if team_id else members[0],
            team_id=team_id,
            registered_by_id=members[0],
            status=RegistrationStatus.CONFIRMED,
            payment_status=PaymentStatus.NOT_REQUIRED,
            answers={},
        )
        db.session.add(registration)
        db.session.flush()
        if team_id:
            for user_id in members:
                db.session.add(RegistrationMember(registration_id=registration.id,
                                                  tournament_id=tournament.id, user_id=user_id,
                                                  role=MemberRole.PLAYER))  # fmt: skip
        db.session.add(TournamentResult(tournament_id=tournament.id,
                                        registration_id=registration.id,
                                        placement=placement))  # fmt: skip
        registrations.append(registration.id)
    db.session.flush()
    return Finished(tournament.id, registrations, people)


@pytest.fixture
def finished(app: Any, organizer: UserInfo, make_user: Any) -> Any:
    """`finished(placements, prize_pool=..., prize_distribution=..., team_size=1)`: a completed
    tournament (`build_finished`) of new users, committed inside the test's transaction."""

    def build(placements: list[int], *, team_size: int = 1, **fields: Any) -> Finished:
        from deltacrown.extensions import db

        people = [[make_user().id for _ in range(team_size)] for _ in placements]
        with app.app_context():
            result = build_finished(organizer.id, people, placements, **fields)
            db.session.commit()
            db.session.remove()
        return result

    return build


COINS_100 = {
    "prize_pool": {"coins": 100},
    "prize_distribution": [
        {"placement": 1, "percent": "50.00"},
        {"placement": 2, "percent": "30.00"},
        {"placement": 3, "percent": "20.00"},
    ],
}
CASH_1000 = {
    "prize_pool": {"amount": "1000.00", "currency": "BDT"},
    "prize_distribution": [
        {"placement": 1, "amount": "700.00"},
        {"placement": 2, "amount": "300.00"},
    ],
}


def balance(user_id: int) -> int:
    from deltacrown.economy.services.wallets import find_wallet

    wallet = find_wallet(user_id)
    return wallet.balance if wallet is not None else 0
