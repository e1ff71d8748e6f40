"""Reminders, sent by a minute sweep over what is due soon, each once:

* check-in opening: 30 minutes (CHECKIN_LEAD) before a tournament's `checkin_opens_at`, to
  the people of its confirmed registrations;
* match starting: 15 minutes (MATCH_LEAD) before a ready match's `scheduled_at`, to its
  sides.

A `SentReminder` row (kind, subject, the time announced) is written with the notices; its
unique key makes a second sweep (or two at once) skip it. A rescheduled match or check-in
announces its new time once more. A sweep that runs late still reminds while the time is
ahead; a time already passed is not announced.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from deltacrown.core.time import utcnow
from deltacrown.core.transaction import savepoint
from deltacrown.extensions import db
from deltacrown.matches.models import Match, MatchStatus
from deltacrown.notifications import audience
from deltacrown.notifications.kinds import NotificationType as T
from deltacrown.notifications.models import SentReminder
from deltacrown.notifications.services import Notice, notify
from deltacrown.registrations.models import RegistrationStatus
from deltacrown.tournaments.models import Tournament, TournamentStatus

CHECKIN_LEAD = timedelta(minutes=30)
MATCH_LEAD = timedelta(minutes=15)
BATCH = 200


def _minutes(until: datetime, now: datetime) -> int:
    return max(1, math.ceil((until - now).total_seconds() / 60))


def _claim(kind: T, subject_id: int, due_at: datetime) -> bool:
    """Record the reminder; False when it was already sent (by this or another sweep)."""
    exists = db.session.scalar(
        sa.select(SentReminder.id).where(
            SentReminder.kind == kind,
            SentReminder.subject_id == subject_id,
            SentReminder.due_at == due_at,
        )
    )
    if exists is not None:
        return False
    try:
        with savepoint():
            db.session.add(SentReminder(kind=kind, subject_id=subject_id, due_at=due_at))
            db.session.flush()
    except IntegrityError:
        return False
    return True


def checkin_reminders(now: datetime | None = None) -> int:
    """Remind participants of tournaments whose check-in opens within CHECKIN_LEAD."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Tournament.id, Tournament.name, Tournament.checkin_opens_at)
        .where(
            Tournament.deleted_at.is_(None),
            Tournament.status.in_(
                (TournamentStatus.REGISTRATION_OPEN, TournamentStatus.REGISTRATION_CLOSED)
            ),
            Tournament.checkin_opens_at > now,
            Tournament.checkin_opens_at <= now + CHECKIN_LEAD,
        )
        .limit(BATCH)
    ).all()
    sent = 0
    for tournament_id, name, opens_at in rows:
        if not _claim(T.CHECKIN_OPENING, tournament_id, opens_at):
            continue
        people = audience.tournament_players(tournament_id, (RegistrationStatus.CONFIRMED,))
        notice = Notice(
            T.CHECKIN_OPENING,
            {"tournament_id": tournament_id},
            {"tournament": name, "minutes": _minutes(opens_at, now)},
            f"/api/tournaments/{tournament_id}/",
        )
        sent += len(notify(people, notice, now=now))
    return sent


def match_reminders(now: datetime | None = None) -> int:
    """Remind the sides of ready matches scheduled within MATCH_LEAD."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Match.id, Match.tournament_id, Match.scheduled_at)
        .where(
            Match.status == MatchStatus.READY,
            Match.scheduled_at > now,
            Match.scheduled_at <= now + MATCH_LEAD,
        )
        .limit(BATCH)
    ).all()
    sent = 0
    for match_id, tournament_id, scheduled_at in rows:
        if not _claim(T.MATCH_STARTING, match_id, scheduled_at):
            continue
        _, sides = audience.match_sides(match_id)
        notice = Notice(
            T.MATCH_STARTING,
            {"match_id": match_id, "tournament_id": tournament_id},
            {
                "tournament": audience.tournament_name(tournament_id),
                "minutes": _minutes(scheduled_at, now),
            },
            f"/api/matches/{match_id}/",
        )
        sent += len(notify(audience.registration_people(sides), notice, now=now))
    return sent


def purge_sent(now: datetime | None = None, keep: timedelta = timedelta(days=90)) -> int:
    """Forget reminders announced long ago (their times have passed)."""
    now = now or utcnow()
    result = db.session.execute(sa.delete(SentReminder).where(SentReminder.due_at < now - keep))
    return int(getattr(result, "rowcount", 0) or 0)
