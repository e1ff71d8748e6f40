"""Match times as iCalendar feeds (RFC 5545, written with the `icalendar` package).

Two feeds: a tournament's (every scheduled match, for whoever may see the tournament) and a
person's (every scheduled match one of their registrations plays, in any tournament: as the
player, the team's captain or on its active roster). Calendar programs fetch a person's feed
without signing in, so its address carries a token: signed with the app's secret and naming
a per-user nonce stored in `CalendarToken`; creating a new token rotates the nonce (old
addresses stop working), deleting it revokes the feed.

One VEVENT per scheduled match: its UID (`match-<id>@deltacrown`) never changes, and its
SEQUENCE is the match's `schedule_sequence`, raised whenever the time is set or agreed, so
calendar programs replace the old time instead of adding an event. A match that is over or
cancelled keeps its event (STATUS:CANCELLED for a cancelled or skipped match).
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

import icalendar
import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from deltacrown.brackets import presenters
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches import queries
from deltacrown.matches.matchday_errors import InvalidCalendarTokenError
from deltacrown.matches.matchday_models import CalendarToken
from deltacrown.matches.models import Match, MatchStatus
from deltacrown.registrations.models import (
    ACTIVE_STATUSES,
    Registration,
    RegistrationMember,
)
from deltacrown.teams.models import Team
from deltacrown.tournaments import queries as tournament_queries
from deltacrown.tournaments.models import Tournament

SALT = "calendar-feed"
PRODID = "-//DeltaCrown//Match calendar//EN"
GAME_LENGTH = timedelta(minutes=45)  # the event's length: best-of x this, at most 6 hours
CANCELLED = frozenset({MatchStatus.CANCELLED, MatchStatus.SKIPPED})


# ----- tokens ------------------------------------------------------------------------------
def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt=SALT)


def issue_token(user_id: int) -> str:
    """A new calendar token for the user; any earlier one stops working."""
    nonce = secrets.token_urlsafe(24)
    row = db.session.get(CalendarToken, user_id)
    if row is None:
        db.session.add(CalendarToken(user_id=user_id, nonce=nonce, created_at=utcnow()))
    else:
        row.nonce, row.created_at = nonce, utcnow()
    db.session.flush()
    return str(_serializer().dumps({"u": user_id, "n": nonce}))


def revoke_token(user_id: int) -> None:
    """The user's calendar address stops working (idempotent)."""
    row = db.session.get(CalendarToken, user_id)
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def user_of(token: str | None) -> int:
    """The user a calendar token belongs to, or InvalidCalendarTokenError (401)."""
    try:
        data = _serializer().loads(token or "")
        user_id, nonce = int(data["u"]), str(data["n"])
    except (BadSignature, KeyError, TypeError, ValueError):
        raise InvalidCalendarTokenError("This calendar address is not valid.") from None
    row = db.session.get(CalendarToken, user_id)
    if row is None or not hmac.compare_digest(row.nonce, nonce):
        raise InvalidCalendarTokenError("This calendar address was replaced or revoked.")
    return user_id


# ----- feeds -------------------------------------------------------------------------------
def tournament_feed(tournament_id: int, actor: Any) -> bytes:
    """The tournament's scheduled matches (TournamentNotFoundError when not visible)."""
    tournament = tournament_queries.get_visible_tournament(tournament_id, actor)
    rows = list(
        db.session.scalars(
            sa.select(Match)
            .where(Match.tournament_id == tournament.id, Match.scheduled_at.is_not(None))
            .order_by(Match.scheduled_at, Match.id)
        )
    )
    return _calendar(f"{tournament.name}", rows, {tournament.id: tournament.name})


def user_feed(user_id: int) -> bytes:
    """Every scheduled match the user's active registrations play."""
    mine = _registrations_of(user_id)
    if not mine:
        return _calendar("My matches", [], {})
    tournament_ids = {tournament_id for _, tournament_id in mine}
    registration_ids = {registration_id for registration_id, _ in mine}
    candidates = db.session.scalars(
        sa.select(Match)
        .where(Match.tournament_id.in_(tournament_ids), Match.scheduled_at.is_not(None))
        .order_by(Match.scheduled_at, Match.id)
    )
    rows = [m for m in candidates if registration_ids & set(queries.participants_of(m))]
    names: dict[int, str] = {
        int(row.id): str(row.name)
        for row in db.session.execute(
            sa.select(Tournament.id, Tournament.name).where(Tournament.id.in_(tournament_ids))
        )
    }
    return _calendar("My matches", rows, names)


def _registrations_of(user_id: int) -> list[tuple[int, int]]:
    """(registration id, tournament id) of the user's active registrations."""
    # A union of three index lookups: an OR across the joined teams and members would read
    # every registration.
    theirs = sa.union(
        sa.select(Registration.id).where(Registration.user_id == user_id),
        sa.select(Registration.id)
        .join(Team, Team.id == Registration.team_id)
        .where(Team.captain_id == user_id),
        sa.select(RegistrationMember.registration_id).where(
            RegistrationMember.user_id == user_id, RegistrationMember.is_active.is_(True)
        ),
    )
    rows = db.session.execute(
        sa.select(Registration.id, Registration.tournament_id).where(
            Registration.status.in_(ACTIVE_STATUSES), Registration.id.in_(theirs)
        )
    ).all()
    return [(int(r), int(t)) for r, t in rows]


def _calendar(name: str, rows: list[Match], tournaments: dict[int, str]) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    for row, shown in zip(rows, presenters.matches(rows), strict=True):
        calendar.add_component(_event(row, shown, tournaments.get(row.tournament_id, "")))
    return bytes(calendar.to_ical())


def _event(row: Match, shown: dict[str, Any], tournament: str) -> icalendar.Event:
    start = row.scheduled_at or utcnow()  # the feeds list scheduled matches only
    sides = [p["name"] or "TBD" for p in shown["participants"] if p is not None]
    title = " vs ".join(sides) if row.lobby is None else f"Lobby {row.lobby}"
    event = icalendar.Event()
    event.add("uid", f"match-{row.id}@deltacrown")
    event.add("sequence", row.schedule_sequence)
    event.add("dtstamp", _stamp(row))
    event.add("dtstart", start)
    event.add("dtend", start + min(GAME_LENGTH * row.best_of, timedelta(hours=6)))
    event.add("summary", f"{tournament}: {title} ({row.round.name})")
    event.add("description", f"Match {row.engine_id}, best of {row.best_of}.")
    event.add("url", f"/api/matches/{row.id}/")
    event.add("status", "CANCELLED" if row.status in CANCELLED else "CONFIRMED")
    return event


def _stamp(row: Match) -> datetime:
    return row.updated_at or row.created_at or utcnow()
