"""Live tournament channel: `/ws/tournaments/{id}` follows `tournament:{id}` (state changes,
every match's events, bracket updates, check-ins)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from deltacrown.core import ws
from deltacrown.extensions import sock
from deltacrown.tournaments import live, policies

bp = Blueprint("tournaments_ws", __name__)


def channel(tournament_id: int) -> ws.Channel | None:
    tournament = live.find(tournament_id)
    if tournament is None:
        return None

    def describe(user: Any) -> dict[str, Any]:
        return {
            "tournament_id": tournament.id,
            "status": tournament.status.value,
            "is_organizer": user is not None and policies.can_manage(user, tournament),
        }

    return ws.Channel(
        name=f"tournament:{tournament_id}",
        route="tournament",
        check=lambda user: live.check(tournament, user),
        describe=describe,
    )


@sock.route("/ws/tournaments/<int:tournament_id>", bp=bp)
def follow_tournament(sock_ws: Any, tournament_id: int) -> None:
    """Follow a tournament: `tournament.state_changed`, `bracket.updated`,
    `registration.checked_in`, and every match's events (docs/realtime.md)."""
    ws.follow(sock_ws, lambda: channel(tournament_id))
