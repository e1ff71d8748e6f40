"""Test data builders shared across domains (through the services, so every rule holds).

Tournaments: `tournament_body(**overrides)` is a valid `POST /api/tournaments/` body;
`build_tournament(owner_id, status=..., **overrides)` creates one inside the current app context
(service tests); `make_tournament(app, owner_id, ...)` does the same in its own context and
commits (API tests, which must not hold a context), returning the id. `open_tournament(owner,
**overrides)` creates, publishes and opens one for registration, for scripts that seed
through the services (the live tests' match, the benchmarks).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

from deltacrown.core.time import isoformat, utcnow

DROP = object()  # `tournament_body(checkin_opens_at=DROP)` leaves the key out


def tournament_body(**overrides: Any) -> dict[str, Any]:
    """A valid create body: a Valorant single-elimination cup, registration from tomorrow."""
    now = utcnow().replace(microsecond=0)
    body: dict[str, Any] = {
        "name": "Spring Cup",
        "game": "valorant",
        "format": "single_elimination",
        "max_participants": 16,
        "registration_opens_at": isoformat(now + timedelta(days=1)),
        "registration_closes_at": isoformat(now + timedelta(days=5)),
        "start_at": isoformat(now + timedelta(days=7)),
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not DROP}


def open_tournament(owner: Any, **overrides: Any) -> Any:
    """Create a tournament of `tournament_body(**overrides)` owned by `owner` (a user), publish
    it and open its registration, through the services, in the caller's unit of work."""
    from deltacrown.tournaments import services
    from deltacrown.tournaments.schemas import TournamentCreateArgs

    data = TournamentCreateArgs().load(tournament_body(**overrides))
    tournament = services.create_tournament(actor=owner, data=data)
    services.publish_tournament(tournament.id, actor=owner)
    services.open_registration(tournament.id, actor=owner)
    return tournament


def build_tournament(owner_id: int, *, status: str = "draft", **overrides: Any) -> Any:
    """Create (flush) a tournament owned by `owner_id` and move it to `status`.

    `ongoing` and `completed` have no service yet (bracket and match issues): they are set
    directly, for tests of what those states forbid. So is `registration_closed`: closing by
    the service needs registered participants, and this tournament has none.
    """
    from deltacrown.accounts.models import User
    from deltacrown.extensions import db
    from deltacrown.tournaments import services
    from deltacrown.tournaments.models import TournamentStatus
    from deltacrown.tournaments.schemas import TournamentCreateArgs

    owner = db.session.get(User, owner_id)
    data = TournamentCreateArgs().load(tournament_body(**overrides))
    tournament = services.create_tournament(actor=owner, data=data)
    target = TournamentStatus(status)
    if target == TournamentStatus.CANCELLED:
        services.cancel_tournament(tournament.id, actor=owner, reason="Test cancellation")
    elif target != TournamentStatus.DRAFT:
        services.publish_tournament(tournament.id, actor=owner)
        if (
            target
            in (
                TournamentStatus.REGISTRATION_OPEN,
                TournamentStatus.REGISTRATION_CLOSED,
                TournamentStatus.ONGOING,
                TournamentStatus.COMPLETED,
            )
            and tournament.status == TournamentStatus.PUBLISHED
        ):
            services.open_registration(tournament.id, actor=owner)
        if target in (
            TournamentStatus.REGISTRATION_CLOSED,
            TournamentStatus.ONGOING,
            TournamentStatus.COMPLETED,
        ):
            tournament.transition(TournamentStatus.REGISTRATION_CLOSED)
            db.session.flush()
        if target in (TournamentStatus.ONGOING, TournamentStatus.COMPLETED):
            tournament.status = target
            db.session.flush()
    return tournament


def make_tournament(app: Flask, owner_id: int, *, status: str = "draft", **overrides: Any) -> int:
    """`build_tournament` in its own app context, committed (for API tests); returns the id."""
    from deltacrown.extensions import db

    with app.app_context():
        tournament_id = build_tournament(owner_id, status=status, **overrides).id
        db.session.commit()
        db.session.remove()
    return tournament_id


def make_sanction(app: Flask, *, type: str, scope: str = "global", **values: Any) -> int:
    """Record a sanction through the service (as the system) and commit; returns its id.
    `values`: user_id or team_id, and scope_id, starts_at, ends_at, reason_code."""
    from deltacrown.core.actors import SYSTEM
    from deltacrown.extensions import db
    from deltacrown.moderation import services
    from deltacrown.moderation.models import SanctionScope, SanctionType

    values.setdefault("reason_code", "test")
    with app.test_request_context():
        sanction = services.create_sanction(
            actor=SYSTEM, type=SanctionType(type), scope=SanctionScope(scope), **values
        )
        db.session.commit()
        sanction_id = sanction.id
        db.session.remove()
    return sanction_id
