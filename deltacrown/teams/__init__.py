"""Teams: rosters, invitations and captaincy. Other domains import from here only.

What teams needs to know about registrations (a locked roster, a registered team) it asks
through `teams.ports.registrations`, which `deltacrown.wiring` provides.
"""

from deltacrown.teams.queries import (
    find_active_membership,
    get_team,
    has_active_registration,
    roster_lock_reason,
)

__all__ = [
    "find_active_membership",
    "get_team",
    "has_active_registration",
    "roster_lock_reason",
]
