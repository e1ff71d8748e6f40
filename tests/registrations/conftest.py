"""Fixtures for the registrations tests: the cast (organizer, co-organizer, players, staff),
tournaments in the state a test needs, teams with rosters, API helpers, captured signals.

Teams' fixtures (players with game profiles, teams built through the API, joining, tokens
minted at a travelled-to time) are reused from tests/teams/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tests.factories import make_tournament
from tests.helpers import UserInfo
from tests.teams.conftest import (  # noqa: F401  (fixtures)
    give_profile,
    headers_now,
    invite,
    join,
    make_player,
    make_team,
)

SIGNALS = (
    "registration_created",
    "registration_confirmed",
    "registration_cancelled",
    "registration_rejected",
    "registration_no_show",
    "waitlist_promoted",
    "payment_submitted",
    "payment_verified",
    "payment_rejected",
    "refund_due",
    "payment_refunded",
    "registration_checked_in",
    "registration_checkin_undone",
)


@pytest.fixture(autouse=True)
def _session_celery(app: Any) -> Iterator[None]:
    """Tasks (and the receiver's `.delay`) run on the current Celery app, which the last
    `create_app()` set: point it at the session's app before and after each test (the race
    tests build apps of their own)."""
    celery = app.extensions["celery"]
    celery.set_current()
    celery.set_default()
    yield
    celery.set_current()
    celery.set_default()


@pytest.fixture
def organizer(make_user: Any) -> UserInfo:
    return make_user(username="organizer")


@pytest.fixture
def co_organizer(make_user: Any) -> UserInfo:
    return make_user(username="coorg")


@pytest.fixture
def stranger(make_user: Any) -> UserInfo:
    return make_user(username="stranger")


@pytest.fixture
def tournament(app: Any, organizer: UserInfo) -> Any:
    """`tournament(**overrides)` → id of a committed tournament (registration open, solo
    Valorant, 4 places, check-in on day 6 from 10:00 to 11:00 after tomorrow's opening)."""

    def make(status: str = "registration_open", **overrides: Any) -> int:
        from deltacrown.core.time import isoformat, utcnow

        now = utcnow().replace(microsecond=0)
        day = timedelta(days=1)
        body: dict[str, Any] = {
            "participant_type": "solo",
            "max_participants": 4,
            "checkin_opens_at": isoformat(now + 6 * day),
            "checkin_closes_at": isoformat(now + 6 * day + timedelta(hours=1)),
        }
        body.update(overrides)
        return make_tournament(app, organizer.id, status=status, **body)

    return make


@pytest.fixture
def add_co_organizer(app: Any, organizer: UserInfo) -> Any:
    def add(tournament_id: int, user: UserInfo) -> None:
        from deltacrown.accounts.models import User
        from deltacrown.extensions import db
        from deltacrown.tournaments import services

        with app.app_context():
            services.add_organizer(
                tournament_id, actor=db.session.get(User, organizer.id), user_id=user.id
            )
            db.session.commit()
            db.session.remove()

    return add


@pytest.fixture
def add_field(client: Any, organizer: UserInfo) -> Any:
    """Add a custom registration field through the API."""

    def add(tournament_id: int, **field: Any) -> dict[str, Any]:
        body = {"key": "discord", "label": "Discord", "type": "text", "required": True, **field}
        response = client.post(
            f"/api/tournaments/{tournament_id}/custom-fields/", json=body, headers=organizer.headers
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return add


@pytest.fixture
def register(client: Any) -> Any:
    """POST a registration; returns the response."""

    def post(tournament_id: int, who: UserInfo, headers: Any = None, **body: Any) -> Any:
        return client.post(
            f"/api/tournaments/{tournament_id}/registrations/",
            json=body,
            headers=headers or who.headers,
        )

    return post


@pytest.fixture
def registered(register: Any) -> Any:
    """Register and assert 201; returns the body."""

    def run(tournament_id: int, who: UserInfo, **body: Any) -> dict[str, Any]:
        response = register(tournament_id, who, **body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return run


@pytest.fixture
def coins(app: Any) -> Any:
    """`coins(user, n)` deposits; `coins(user)` reads the balance."""

    def run(user: UserInfo, amount: int | None = None) -> int:
        from deltacrown.economy.models import TransactionKind, Wallet
        from deltacrown.economy.services import ledger
        from deltacrown.extensions import db

        with app.app_context():
            if amount is not None:
                ledger.credit(user.id, amount, kind=TransactionKind.DEPOSIT)
                db.session.commit()
            balance = db.session.scalar(sa.select(Wallet.balance).where(Wallet.user_id == user.id))
            db.session.remove()
        return int(balance or 0)

    return run


@pytest.fixture
def ledger_rows(app: Any) -> Any:
    """(kind, amount, idempotency key) of a user's ledger rows, oldest first."""

    def rows(user: UserInfo) -> list[tuple[str, int, str | None]]:
        from deltacrown.economy.models import Transaction, Wallet
        from deltacrown.extensions import db

        with app.app_context():
            result = db.session.execute(
                sa.select(Transaction.kind, Transaction.amount, Transaction.idempotency_key)
                .join(Wallet, Wallet.id == Transaction.wallet_id)
                .where(Wallet.user_id == user.id)
                .order_by(Transaction.id)
            ).all()
            db.session.remove()
        return [(kind.value, amount, key) for kind, amount, key in result]

    return rows


@pytest.fixture
def team_of(make_player: Any, make_team: Any, join: Any) -> Any:  # noqa: F811
    """`team_of(size)` → (team json, captain, [other members]) for Valorant, all with profiles."""

    def build(size: int = 2, game: str = "valorant") -> tuple[dict[str, Any], UserInfo, list]:
        captain = make_player(game)
        team = make_team(captain, game=game)
        others = [make_player(game) for _ in range(size - 1)]
        for member in others:
            join(team["id"], captain, member)
        return team, captain, others

    return build


@pytest.fixture
def received() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Registration signals received during the test, as (name, payload) pairs."""
    from deltacrown.core import signals

    events: list[tuple[str, dict[str, Any]]] = []
    connected = []
    for name in SIGNALS:
        signal = getattr(signals, name)

        def receiver(sender: Any, _name: str = name, **payload: Any) -> None:
            events.append((_name, payload))

        signal.connect(receiver)
        connected.append((signal, receiver))
    yield events
    for signal, receiver in connected:
        signal.disconnect(receiver)


def registration_row(app: Any, registration_id: int) -> Any:
    """A detached snapshot of a registration row (status, payment, position, ...)."""
    from deltacrown.extensions import db
    from deltacrown.registrations.models import Registration

    with app.app_context():
        row = db.session.get(Registration, registration_id)
        values = {c.key: getattr(row, c.key) for c in sa.inspect(Registration).mapper.column_attrs}
        db.session.remove()
    return type("Row", (), values)


def audit_actions(app: Any, registration_id: int) -> list[tuple[str, int | None]]:
    from deltacrown.core.audit import AuditEntry
    from deltacrown.extensions import db

    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.actor_id)
            .where(
                AuditEntry.target_type == "registrations", AuditEntry.target_id == registration_id
            )
            .order_by(AuditEntry.id)
        ).all()
        db.session.remove()
    return [(action, actor) for action, actor in rows]


def registrations_url(tournament_id: int) -> str:
    """A tournament's registrations: POST signs up, GET lists."""
    return f"/api/tournaments/{tournament_id}/registrations/"
