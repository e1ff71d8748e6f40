"""Lobby codes: the custom room (id and password) a match or battle-royale lobby is played in.

Organizers, referees and staff set it (`PATCH /api/matches/{id}/room/`). Organizers,
referees, casters and staff read it at any time; the match's sides (a lobby's members) read
it from `reveal_room_minutes` (the tournament's match-day setting) before the scheduled time,
or at once when the match has no scheduled time. Nobody else ever does: it is not part of
any public representation, event history, audit entry, log line or webhook.

Live delivery (`room.updated`): on the match room channel (`match:{id}:chat`, which only the
room's members receive: sides, organizers, referees, casters, staff) it carries the code
when the sides may already read it; before that it carries only `reveals_at`, and the code
goes to the tournament's organizers, referees and casters on their own channel (`/ws/me`,
`user:{id}`), and a sweep (`reveal_due`, every minute) sends the code to the room channel
once `reveals_at` has come. Clients may also read `GET .../room/` at `reveals_at`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from deltacrown.core import audit, realtime
from deltacrown.core.time import isoformat, readable, utcnow
from deltacrown.extensions import db
from deltacrown.matches import chat, lifecycle, policies, queries
from deltacrown.matches.errors import PermissionDeniedError
from deltacrown.matches.matchday_errors import RoomNotRevealedError
from deltacrown.matches.models import Match
from deltacrown.tournaments import staff_roles
from deltacrown.tournaments.models import Tournament


def reveals_at(match: Match, tournament: Tournament) -> datetime | None:
    """When the sides may read the code (None: at once, the match has no scheduled time)."""
    if match.scheduled_at is None:
        return None
    minutes = staff_roles.settings_of(tournament.id).reveal_room_minutes
    return match.scheduled_at - timedelta(minutes=minutes)


def _revealed(match: Match, tournament: Tournament, now: datetime) -> bool:
    at = reveals_at(match, tournament)
    return at is None or now >= at


def present(match: Match, tournament: Tournament) -> dict[str, Any]:
    return {
        "match_id": match.id,
        "room_id": match.room_id,
        "password": match.room_password,
        "reveals_at": reveals_at(match, tournament),
    }


def get_room(match_id: int, *, actor: Any, now: datetime | None = None) -> dict[str, Any]:
    """The match's lobby code for whoever may read it now.

    Raises MatchNotFoundError, PermissionDeniedError (not a side nor the tournament's staff),
    RoomNotRevealedError (a side, before `reveals_at`).
    """
    now = now or utcnow()
    match, tournament = queries.visible_match(match_id, actor)
    if policies.can_see_room(actor, tournament):
        return present(match, tournament)
    if queries.side_of(match, actor) is None:
        raise PermissionDeniedError(
            "Only the match's sides and its tournament's organizers, referees and casters "
            "read its lobby code."
        )
    at = reveals_at(match, tournament)
    if at is not None and now < at:
        raise RoomNotRevealedError(
            f"The lobby code is shown from {readable(at)}.", reveals_at=isoformat(at)
        )
    return present(match, tournament)


def set_room(
    match_id: int,
    *,
    actor: Any,
    room_id: str | None,
    password: str | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Set or clear the lobby code (organizers, referees, staff) and deliver it live to those
    who may read it. Raises MatchNotFoundError, PermissionDeniedError."""
    now = now or utcnow()
    match, tournament = lifecycle.load(match_id, actor)
    if not policies.can_set_room(actor, tournament):
        raise PermissionDeniedError(
            "Only the tournament's organizers, referees and staff set lobby codes."
        )
    match.room_id = room_id
    match.room_password = password
    revealed = _revealed(match, tournament, now)
    match.room_revealed_at = now if revealed and room_id else None
    db.session.flush()
    # What was done, never the code itself.
    audit.record(
        actor=actor, action="match.room_updated", target=match, after={"room_set": bool(room_id)}
    )
    lifecycle.record_event(match, "room_updated", actor, now=now, room_set=bool(room_id))
    shown = present(match, tournament)
    wire = _wire(shown)
    if revealed:
        realtime.publish(chat.room(match.id), "room.updated", wire)
    else:
        realtime.publish(
            chat.room(match.id),
            "room.updated",
            {"match_id": match.id, "room_set": bool(room_id), "reveals_at": wire["reveals_at"]},
        )
        for user_id in _room_staff(tournament):
            realtime.publish(f"user:{user_id}", "room.updated", wire)  # `/ws/me`
    return shown


def reveal_due(*, now: datetime | None = None) -> int:
    """The sweep: send each lobby code whose `reveals_at` has come to its match's room
    channel (once; setting the code again starts over). Returns how many were sent."""
    now = now or utcnow()
    horizon = now + timedelta(minutes=staff_roles.MAX_REVEAL_MINUTES)
    due = db.session.scalars(
        sa.select(Match.id).where(
            Match.room_id.is_not(None),
            Match.room_revealed_at.is_(None),
            Match.scheduled_at.is_not(None),
            Match.scheduled_at <= horizon,
        )
    ).all()
    sent = 0
    for match_id in due:
        tournament, match = queries.lock_match(match_id)
        if match.room_id is None or match.room_revealed_at is not None:
            continue
        if not _revealed(match, tournament, now):
            continue
        match.room_revealed_at = now
        realtime.publish(chat.room(match.id), "room.updated", _wire(present(match, tournament)))
        sent += 1
    db.session.flush()
    return sent


def _wire(shown: dict[str, Any]) -> dict[str, Any]:
    at = shown["reveals_at"]
    return {**shown, "reveals_at": isoformat(at) if at else None}


def _room_staff(tournament: Tournament) -> list[int]:
    """The tournament's organizers, referees and casters (site staff read `GET .../room/`)."""
    staff = tournament.staff_ids("referee") | tournament.staff_ids("caster")
    return sorted(tournament.organizer_ids | staff)
