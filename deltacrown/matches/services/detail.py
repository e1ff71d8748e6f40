"""The lifecycle view of a match for its detail: check-ins, current submissions, deadlines,
the open dispute, the running score, and the kind's own part (a lobby's games)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from deltacrown.matches import live, queries
from deltacrown.matches.kinds import kind_of
from deltacrown.matches.lifecycle import check_in_window
from deltacrown.matches.models import Match, SubmissionStatus
from deltacrown.tournaments.models import Tournament


def match_state(match: Match, tournament: Tournament) -> dict[str, Any]:
    """The lifecycle view of a match: check-ins, current submissions, deadlines, dispute."""
    window = check_in_window(match, tournament)
    submissions = queries.current_submissions(match.id)
    pending = next((s for s in submissions if s.status is SubmissionStatus.PENDING), None)
    dispute = queries.open_dispute(match.id)
    return kind_of(match).state(match) | {
        "checked_in": sorted(queries.checked_in(match.id)),
        "submissions": submissions,
        "check_in_opens_at": window[0] if window else None,
        "check_in_closes_at": window[1] if window else None,
        "confirm_by": pending.created_at + timedelta(minutes=tournament.result_confirmation_minutes)
        if pending
        else None,
        "open_dispute_id": dispute.id if dispute else None,
        "live_scores": live.live_scores(match.id),
        "stream_url": match.stream_url,
        "vod_url": match.vod_url,
    }
