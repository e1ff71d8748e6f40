"""My summary: the phone home screen's one call, a constant number of queries."""

from __future__ import annotations

from typing import Any

from deltacrown.core.time import utcnow
from deltacrown.economy import queries as economy_queries
from deltacrown.home import queries
from deltacrown.notifications import services as notification_services


def summary(user_id: int) -> dict[str, Any]:
    """Next match, unread notification count, open team invites, active registrations and
    wallet balance of the user: five queries, however much of each there is."""
    return {
        "next_match": queries.next_match(user_id),
        "unread_notifications": notification_services.unread_count(user_id),
        "open_invites": queries.open_invites(user_id, utcnow()),
        "active_registrations": queries.active_registrations(user_id),
        "wallet": economy_queries.wallet_summary(user_id),
    }
