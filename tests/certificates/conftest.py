"""A completed tournament built straight from rows (the bracket's own tests cover how
placements come about): confirmed solo registrations with placements 1..n, or team
registrations of two players each; and a quick stand-in for drawing, for tests about
everything but the files' looks."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import build_tournament
from tests.helpers import UserInfo

_numbers = itertools.count(1)

# The smallest files the storage accepts as a PDF and a PNG.
TINY_PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def _session_celery(app: Any) -> Iterator[None]:
    celery = app.extensions["celery"]
    celery.set_current()
    celery.set_default()
    yield
    celery.set_default()


@dataclass
class Completed:
    id: int
    user_ids: list[int]  # in placement order; team members two by two
    registration_ids: list[int]


def build_completed(
    app: Any, organizer_id: int, players: list[int], extra: int = 0, *, teams: bool = False
) -> Completed:
    """A completed tournament of `players` (user ids) and `extra` new users, placed in that
    order; with `teams`, consecutive pairs form a team registration."""
    from deltacrown.accounts.models import User
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

    with app.app_context():
        user_ids = list(players)
        for _ in range(extra):
            n = next(_numbers)
            user = User(
                username=f"certp{n}",
                username_key=f"certp{n}",
                email=f"certp{n}@example.test",
                password_hash="!",
                display_name=f"Player Number {n}",
            )
            db.session.add(user)
            db.session.flush()
            user_ids.append(user.id)
        size = 2 if teams else 1
        fields: dict[str, Any] = {"max_participants": max(4, len(user_ids) // size)}
        if teams:
            fields.update(participant_type="team", team_size=2)
        tournament = build_tournament(organizer_id, status="completed", name="Dhaka Cup", **fields)
        registration_ids = []
        for place, start in enumerate(range(0, len(user_ids), size), start=1):
            members = user_ids[start : start + size]
            team_id = None
            if teams:
                n = next(_numbers)
                team = Team(
                    game_id=tournament.game_id,
                    name=f"Tigers {n}",
                    name_key=f"tigers {n}",
                    tag=f"T{n % 1000}",
                    slug=f"tigers-{n}",
                    captain_id=members[0],
                )
                db.session.add(team)
                db.session.flush()
                team_id = team.id
            registration = Registration(
                tournament_id=tournament.id,
                user_id=None if teams else members[0],
                team_id=team_id,
                registered_by_id=members[0],
                status=RegistrationStatus.CONFIRMED,
                payment_status=PaymentStatus.NOT_REQUIRED,
                answers={},
            )
            db.session.add(registration)
            db.session.flush()
            db.session.add_all(
                RegistrationMember(
                    registration_id=registration.id,
                    tournament_id=tournament.id,
                    user_id=member,
                    role=MemberRole.PLAYER,
                )
                for member in members
            )
            db.session.add(
                TournamentResult(
                    tournament_id=tournament.id, registration_id=registration.id, placement=place
                )
            )
            registration_ids.append(registration.id)
        db.session.commit()
        result = Completed(tournament.id, user_ids, registration_ids)
        db.session.remove()
    return result


@pytest.fixture
def organizer(make_user: Any) -> UserInfo:
    return make_user(username="certorg")


@pytest.fixture
def winner(make_user: Any) -> UserInfo:
    return make_user(username="certwinner", display_name="Rahim Uddin")


@pytest.fixture
def quick_draw(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Draw tiny stand-in files instead of the real ones; answers the list of what was drawn."""
    from deltacrown.certificates import services

    calls: list[Any] = []

    def fake(facts: Any, language: str, fonts: Any) -> Any:
        calls.append((facts, language))
        return services.Drawn(TINY_PDF + facts.code.encode(), TINY_PNG, language)

    monkeypatch.setattr(services, "draw", fake)
    return calls
