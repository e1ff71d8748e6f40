"""The event types an endpoint can subscribe to, and the public data each carries.

Data holds ids and public fields only (names, statuses, round numbers), never e-mails,
payment numbers or answers to custom fields. The signal gives the ids; the rows are read when
the message is built, defensively: a row that is gone leaves its fields out.
"""

from __future__ import annotations

from typing import Any

from deltacrown.extensions import db
from deltacrown.matches.models import Match
from deltacrown.registrations.models import Registration
from deltacrown.tournaments.models import Tournament

TOURNAMENT_EVENTS = {
    "published": "tournament.published",
    "ongoing": "tournament.started",
    "completed": "tournament.completed",
    "cancelled": "tournament.cancelled",
}
EVENT_TYPES = (
    *TOURNAMENT_EVENTS.values(),
    "registration.created",
    "registration.confirmed",
    "registration.cancelled",
    "match.ready",
    "match.completed",
    "match.disputed",
    "dispute.resolved",
    "payout.paid",
)
PING = "ping"


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def tournament_fields(tournament_id: int) -> dict[str, Any]:
    tournament = db.session.get(Tournament, tournament_id)
    if tournament is None:
        return {}
    return {
        "tournament": {
            "id": tournament.id,
            "name": tournament.name,
            "slug": tournament.slug,
            "status": _value(tournament.status),
        }
    }


def registration_fields(registration_id: int) -> dict[str, Any]:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        return {}
    return {
        "registration": {
            "id": registration.id,
            "status": _value(registration.status),
            "user_id": registration.user_id,
            "team_id": registration.team_id,
        }
    }


def match_fields(match_id: int) -> dict[str, Any]:
    match = db.session.get(Match, match_id)
    if match is None:
        return {}
    return {
        "match": {
            "id": match.id,
            "status": _value(match.status),
            "number": match.number,
            "participant1_registration_id": match.participant1_registration_id,
            "participant2_registration_id": match.participant2_registration_id,
            "winner_registration_id": match.winner_registration_id,
            "scores": list(match.scores or []),
        }
    }


def build_data(event_type: str, tournament_id: int, ids: dict[str, Any]) -> dict[str, Any]:
    """`ids` (from the signal) plus the public fields of the rows they name."""
    data: dict[str, Any] = {"tournament_id": tournament_id, **ids}
    data.update(tournament_fields(tournament_id))
    if ids.get("registration_id") is not None:
        data.update(registration_fields(ids["registration_id"]))
    if ids.get("match_id") is not None:
        data.update(match_fields(ids["match_id"]))
    return data
