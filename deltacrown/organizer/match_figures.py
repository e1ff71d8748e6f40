"""Match figures the dashboard shows: open disputes, overdue matches, match no-shows and the
completion rate, as aggregate queries over the match-lifecycle tables (brackets' `matches`,
matches' `disputes` and `match_events`). The dashboard, its health issues and the admin page
read them through these signatures."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from deltacrown.extensions import db
from deltacrown.matches.models import OPEN_DISPUTE_STATUSES, Dispute, Match, MatchEvent, MatchStatus

NOT_STARTED = (MatchStatus.SCHEDULED, MatchStatus.READY)
PLAYED = (MatchStatus.COMPLETED, MatchStatus.FORFEIT)


def open_disputes(tournament_ids: Iterable[int]) -> int:
    """Disputes `open` or `under_review` on the tournaments' matches."""
    ids = list(tournament_ids)
    if not ids:
        return 0
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Dispute.id)).where(
                Dispute.tournament_id.in_(ids), Dispute.status.in_(OPEN_DISPUTE_STATUSES)
            )
        )
        or 0
    )


def overdue_matches(tournament_ids: Iterable[int], *, now: datetime) -> int:
    """Matches past their scheduled time that have not started (scheduled or ready)."""
    ids = list(tournament_ids)
    if not ids:
        return 0
    return int(
        db.session.scalar(
            sa.select(sa.func.count(Match.id)).where(
                Match.tournament_id.in_(ids),
                Match.status.in_(NOT_STARTED),
                Match.scheduled_at.is_not(None),
                Match.scheduled_at < now,
            )
        )
        or 0
    )


def match_no_shows(tournament_ids: Iterable[int]) -> int:
    """Sides that forfeited a match by not checking in (the no-show sweep's forfeits)."""
    ids = list(tournament_ids)
    if not ids:
        return 0
    return int(
        db.session.scalar(
            sa.select(sa.func.count(MatchEvent.id)).where(
                MatchEvent.tournament_id.in_(ids),
                MatchEvent.type == "forfeited",
                MatchEvent.actor_id.is_(None),
            )
        )
        or 0
    )


def completion_rate(tournament_ids: Iterable[int]) -> float | None:
    """Completed (or forfeited) matches / all matches not cancelled (4 places); None when
    there are no matches."""
    ids = list(tournament_ids)
    if not ids:
        return None
    total, played = db.session.execute(
        sa.select(
            sa.func.count(Match.id),
            sa.func.count(Match.id).filter(Match.status.in_(PLAYED)),
        ).where(Match.tournament_id.in_(ids), Match.status != MatchStatus.CANCELLED)
    ).one()
    return round(played / total, 4) if total else None
