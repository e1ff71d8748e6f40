"""Live tournament channel: `/ws/tournaments/{id}` follows `tournament:{id}` (state changes,
every match's events, bracket updates, check-ins)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from deltacrown.core import ws
from deltacrown.extensions import sock
from deltacrown.tournaments import live

bp = Blueprint("tournaments_ws", __name__)


def channel(tournament_id: int) -> ws.Channel | None:
    tournament = live.find(tournament_id)
    if tournament is None:
        return None
    ws.keep_while_starting(tournament)

    def describe(user: Any) -> dict[str, Any]:
        tournament = live.find(tournament_id)
        return {
            "tournament_id": tournament_id,
            "status": tournament.status.value if tournament is not None else None,
            "is_organizer": live.is_organizer(tournament_id, user),
        }

    return ws.Channel(
        name=f"tournament:{tournament_id}",
        route="tournament",
        check=lambda user: live.check_id(tournament_id, user),
        describe=describe,
    )


@sock.route("/ws/tournaments/<int:tournament_id>", bp=bp)
def follow_tournament(sock_ws: Any, tournament_id: int) -> None:
    """Follow a tournament: `tournament.state_changed`, `bracket.updated`,
    `registration.checked_in`, and every match's events (docs/realtime.md)."""
    ws.follow(sock_ws, lambda: channel(tournament_id))
