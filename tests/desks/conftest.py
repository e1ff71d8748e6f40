"""Fixtures for the desks (payment desk, dispute desk, control room): cash tournaments with
submitted payments whose proof is a real PNG, the matches suite's started cup for disputes,
and form helpers for Flask-Admin pages (CSRF token, flashed messages)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.brackets_api.conftest import register_players
from tests.factories import make_tournament
from tests.helpers import UserInfo
from tests.matches.conftest import (  # noqa: F401  (fixtures)
    _session_celery,
    any_cup,
    api,
    co_organizer,
    cup,
    give_profile,
    m,
    make_player,
    organizer,
    started,
    stranger,
)
from tests.uploads import png_bytes

CASH = {"entry_fee": {"amount": "50.00", "currency": "BDT"}, "payment_methods": ["bkash"]}
REASON = "The scores they sent are not what we played, see the screenshot."
_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf(page: str) -> str:
    """The CSRF token of the first Flask-Admin form on an HTML page."""
    found = _TOKEN.search(page)
    assert found, page[:2000]
    return found.group(1)


def flashes(client: Any) -> list[str]:
    with client.session_transaction() as session:
        return [message for _, message in session.get("_flashes", [])]


@pytest.fixture
def cash_queue(app: Any, make_player: Any) -> Any:  # noqa: F811
    """`cash_queue(owner, n, prefix="TX")` → (tournament id, payment ids oldest first): a cash
    tournament of `owner`'s with n players whose bKash payments (with a PNG proof) wait."""

    def build(owner: UserInfo, n: int, prefix: str = "TX", **fields: Any) -> tuple[int, list[int]]:
        from deltacrown.accounts.models import User
        from deltacrown.core.time import utcnow
        from deltacrown.extensions import db
        from deltacrown.registrations import services
        from deltacrown.registrations.models import Registration

        tid = make_tournament(
            app,
            owner.id,
            status="registration_open",
            participant_type="solo",
            max_participants=max(n, 4),
            **CASH,
            **fields,
        )
        players = [make_player() for _ in range(n)]
        registrations = register_players(app, tid, players)
        start = utcnow() - timedelta(hours=1)
        ids = []
        with app.test_request_context():
            for i, (player, rid) in enumerate(zip(players, registrations, strict=True)):
                services.submit_payment(
                    rid,
                    actor=db.session.get(User, player.id),
                    method="bkash",
                    sender_number="01711000000",
                    transaction_id=f"{prefix}{i:03d}",
                    amount=Decimal("50.00"),
                    proof=io.BytesIO(png_bytes()),
                    proof_filename="proof.png",
                    now=start + timedelta(minutes=i),
                )
                ids.append(db.session.get(Registration, rid).latest_payment.id)
            db.session.commit()
            db.session.remove()
        return tid, ids

    return build


@pytest.fixture
def disputed(client: Any, started: Any, m: Any) -> Any:  # noqa: F811
    """A started best-of-3 cup whose first semi-final is disputed: side 1 claimed 13-9, 13-4,
    side 2 disputed it with a screenshot (a PNG). Returns (play, match id, dispute id)."""

    def build() -> tuple[Any, int, int]:
        play = started()
        semi = play.matches["W1.1"]["id"]
        m.live(semi)
        first, second = play.sides("W1.1")
        assert m.submit(semi, [(13, 9), (13, 4)], first.headers).status_code == 200
        upload = client.post(
            f"/api/matches/{semi}/evidence/",
            data={"file": (io.BytesIO(png_bytes()), "screenshot.png")},
            headers=second.headers,
            content_type="multipart/form-data",
        )
        assert upload.status_code == 201, upload.get_json()
        response = m.dispute(semi, REASON, second.headers, evidence=[upload.get_json()["key"]])
        assert response.status_code == 201, response.get_json()
        return play, semi, response.get_json()["id"]

    return build
