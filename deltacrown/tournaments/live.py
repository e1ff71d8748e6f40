"""Who may follow a tournament's live channels (its own and its matches'), and
`tournament.state_changed` after every status change."""

from __future__ import annotations

from typing import Any

from deltacrown.core import realtime
from deltacrown.extensions import db
from deltacrown.tournaments import policies
from deltacrown.tournaments.models import Tournament, TournamentStatus, Visibility

CLOSE_UNAUTHENTICATED, CLOSE_FORBIDDEN, CLOSE_NOT_FOUND = 4401, 4403, 4404

# Set by registrations (`set_participant_query`): does this user play in this tournament?
_participant_query: Any = None


def set_participant_query(query: Any) -> None:
    global _participant_query
    _participant_query = query


def find(tournament_id: int) -> Tournament | None:
    tournament = db.session.get(Tournament, tournament_id)
    if tournament is None or tournament.is_deleted:
        return None
    return tournament


def check(tournament: Tournament, user: Any) -> int | None:
    """None when `user` (None: anonymous) may follow; else the websocket close code. Public
    and unlisted tournaments: anyone. Private: organizers, participants and staff (a token is
    needed: 4401 without, 4403 for others). Drafts: organizers and staff only (4404)."""
    if policies.can_manage(user, tournament):
        return None
    if tournament.status is TournamentStatus.DRAFT:
        return CLOSE_NOT_FOUND
    if tournament.visibility is not Visibility.PRIVATE:
        return None
    if user is None:
        return CLOSE_UNAUTHENTICATED
    if _participant_query is not None and _participant_query(tournament.id, user.id):
        return None
    return CLOSE_FORBIDDEN


def check_id(tournament_id: int, user: Any) -> int | None:
    """`check` on a freshly loaded tournament (a long-lived socket re-checks on `auth`)."""
    tournament = find(tournament_id)
    return CLOSE_NOT_FOUND if tournament is None else check(tournament, user)


def is_organizer(tournament_id: int, user: Any) -> bool:
    tournament = find(tournament_id)
    return tournament is not None and user is not None and policies.can_manage(user, tournament)


realtime.announce_state_changes(
    Tournament.status,
    "tournament.state_changed",
    channels=lambda tournament: [f"tournament:{tournament.id}"],
    ids=lambda tournament: {"tournament_id": tournament.id},
)
