"""Match figures the dashboard shows: open disputes, overdue matches, completion rate.

There are no matches yet: until the match-lifecycle issue adds them, no tournament has a
dispute or an overdue match (0) and no completion rate (None, nothing to complete). That issue
replaces the bodies below with aggregate queries over its tables, keeping these signatures, so
the dashboard, its health issues and the admin page pick the figures up unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime


def open_disputes(tournament_ids: Iterable[int]) -> int:
    """Disputes `open` or `under_review` on the tournaments' matches."""
    return 0


def overdue_matches(tournament_ids: Iterable[int], *, now: datetime) -> int:
    """Matches past their scheduled time that are not completed, forfeited or cancelled."""
    return 0


def completion_rate(tournament_ids: Iterable[int]) -> float | None:
    """Completed matches / all matches (4 places); None when there are no matches."""
    return None
