"""A tournament's match-day staff and settings.

Organizers (and site staff) name *referees* and *casters*: a user holds one such role per
tournament, and an organizer of the tournament is not named again. What each role may do is
in `policies` (and the match and registration policies that ask it).

Match-day settings: whether the sides of a match may propose its time
(`schedule_proposals`), the window each round's matches must be played in
(`round_deadlines`: round number, optionally the bracket side, `opens_at` < `closes_at`),
and how many minutes before a match its sides may read the lobby code
(`reveal_room_minutes`). A tournament without a row has the defaults.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deltacrown.accounts.queries import get_user
from deltacrown.core import audit
from deltacrown.core.actors import Actor, UserActor
from deltacrown.core.errors import PermissionDeniedError, ValidationError
from deltacrown.core.time import isoformat, utcnow
from deltacrown.extensions import db
from deltacrown.tournaments import policies, queries
from deltacrown.tournaments.errors import AlreadyStaffError, StaffNotFoundError
from deltacrown.tournaments.models import (
    MatchdaySettings,
    StaffRole,
    Tournament,
    TournamentStaff,
)
from deltacrown.tournaments.services.common import ensure_not_finished

DEFAULT_REVEAL_MINUTES = 15
MAX_REVEAL_MINUTES = 24 * 60
MAX_ROUND_DEADLINES = 128


def _staff_tournament(tournament_id: int, actor: Actor | None) -> Tournament:
    tournament = queries.get_visible_tournament(tournament_id, actor, for_update=True)
    if not policies.can_manage_staff(actor, tournament):
        raise PermissionDeniedError("Only the tournament's organizers and staff name referees.")
    return tournament


def list_staff(tournament_id: int, actor: Actor | None) -> list[TournamentStaff]:
    """The referees and casters of a tournament the actor may see, in the order named."""
    tournament = queries.get_visible_tournament(tournament_id, actor)
    return list(tournament.staff_links)


def add_staff(
    tournament_id: int, *, actor: UserActor, user_id: int, role: StaffRole
) -> TournamentStaff:
    """Name a referee or caster. Raises TournamentNotFoundError, PermissionDeniedError,
    TournamentLockedError, UserNotFoundError, AlreadyStaffError (an organizer, or already
    named: remove first to change the role)."""
    tournament = _staff_tournament(tournament_id, actor)
    ensure_not_finished(tournament)
    user = get_user(user_id)
    if user.id in tournament.organizer_ids:
        raise AlreadyStaffError(f"{user.username} organizes this tournament.")
    if any(link.user_id == user.id for link in tournament.staff_links):
        raise AlreadyStaffError(f"{user.username} is already on this tournament's staff.")
    link = TournamentStaff(
        tournament_id=tournament.id,
        user_id=user.id,
        user=user,
        role=role,
        added_by_id=actor.id,
        created_at=utcnow(),
    )
    tournament.staff_links.append(link)
    db.session.flush()
    audit.record(
        actor=actor,
        action="tournament.staff_added",
        target=tournament,
        after={"user_id": user.id, "role": role.value},
    )
    return link


def remove_staff(tournament_id: int, *, actor: Actor | None, user_id: int) -> None:
    """Remove a referee or caster (organizers and staff; anyone named may step down).
    Raises TournamentNotFoundError, PermissionDeniedError, StaffNotFoundError."""
    tournament = queries.get_visible_tournament(tournament_id, actor, for_update=True)
    leaving = actor is not None and getattr(actor, "id", None) == user_id
    if not (leaving or policies.can_manage_staff(actor, tournament)):
        raise PermissionDeniedError("Only the tournament's organizers and staff remove referees.")
    link = next((x for x in tournament.staff_links if x.user_id == user_id), None)
    if link is None:
        raise StaffNotFoundError(f"User {user_id} is not on tournament {tournament.id}'s staff.")
    tournament.staff_links.remove(link)
    db.session.flush()
    audit.record(
        actor=actor,
        action="tournament.staff_removed",
        target=tournament,
        before={"user_id": user_id, "role": link.role.value},
    )


# ----- match-day settings ----------------------------------------------------------------------
def settings_of(tournament_id: int) -> MatchdaySettings:
    """The tournament's match-day settings (the defaults, unsaved, when none were set)."""
    found = db.session.get(MatchdaySettings, tournament_id)
    if found is not None:
        return found
    return MatchdaySettings(
        tournament_id=tournament_id,
        schedule_proposals=False,
        round_deadlines=[],
        reveal_room_minutes=DEFAULT_REVEAL_MINUTES,
    )


def get_settings(tournament_id: int, actor: Actor | None) -> MatchdaySettings:
    queries.get_visible_tournament(tournament_id, actor)
    return settings_of(tournament_id)


def update_settings(
    tournament_id: int, *, actor: Actor | None, changes: dict[str, Any]
) -> MatchdaySettings:
    """Change match-day settings (organizers and staff). `round_deadlines` replaces the
    list. Raises TournamentNotFoundError, PermissionDeniedError, TournamentLockedError,
    ValidationError (overlapping keys or a window that closes before it opens)."""
    tournament = queries.get_visible_tournament(tournament_id, actor, for_update=True)
    if not policies.can_manage(actor, tournament):
        raise PermissionDeniedError("Only the tournament's organizers and staff may do this.")
    ensure_not_finished(tournament)
    settings = settings_of(tournament_id)
    before = present_settings(settings)
    if "round_deadlines" in changes:
        settings.round_deadlines = _check_deadlines(changes["round_deadlines"])
    for name in ("schedule_proposals", "reveal_room_minutes"):
        if name in changes:
            setattr(settings, name, changes[name])
    db.session.add(settings)
    db.session.flush()
    audit.record(
        actor=actor,
        action="tournament.matchday_updated",
        target=tournament,
        before=before,
        after=present_settings(settings),
    )
    return settings


def _check_deadlines(windows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    errors: dict[str, list[str]] = {}
    seen: set[tuple[int, str | None]] = set()
    stored = []
    for index, window in enumerate(windows):
        key = (window["round"], window.get("side"))
        if key in seen:
            errors[str(index)] = ["Another window has the same round and side."]
        seen.add(key)
        if window["closes_at"] <= window["opens_at"]:
            errors[str(index)] = ["closes_at must be after opens_at."]
        stored.append(
            {
                "round": window["round"],
                "side": window.get("side"),
                "opens_at": isoformat(window["opens_at"]),
                "closes_at": isoformat(window["closes_at"]),
            }
        )
    if errors:
        raise ValidationError(
            "The round windows are not valid.", errors={"round_deadlines": errors}
        )
    return stored


def round_window(
    settings: MatchdaySettings, *, round_number: int, side: str
) -> tuple[datetime, datetime] | None:
    """The window a round's matches are played in: the one naming its side, else the one
    for every side of that round number; None when the organizer set none."""
    general = None
    for window in settings.round_deadlines:
        if window["round"] != round_number:
            continue
        span = (
            datetime.fromisoformat(window["opens_at"]),
            datetime.fromisoformat(window["closes_at"]),
        )
        if window.get("side") == side:
            return span
        if window.get("side") is None:
            general = span
    return general


def present_settings(settings: MatchdaySettings) -> dict[str, Any]:
    return {
        "schedule_proposals": settings.schedule_proposals,
        "round_deadlines": [
            {
                **window,
                "opens_at": datetime.fromisoformat(window["opens_at"]),
                "closes_at": datetime.fromisoformat(window["closes_at"]),
            }
            for window in settings.round_deadlines
        ],
        "reveal_room_minutes": settings.reveal_room_minutes,
    }
