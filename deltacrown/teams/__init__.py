"""Teams: rosters, invitations and captaincy. Other domains import from here only.

The registrations domain installs the roster hooks: `set_roster_lock_query(query)` (a
registration in an ongoing tournament locks the roster) and
`set_active_registration_query(query)` (a registered team cannot disband).
"""

from deltacrown.teams.queries import (
    find_active_membership,
    get_team,
    has_active_registration,
    roster_lock_reason,
    set_active_registration_query,
    set_roster_lock_query,
)

__all__ = [
    "find_active_membership",
    "get_team",
    "has_active_registration",
    "roster_lock_reason",
    "set_active_registration_query",
    "set_roster_lock_query",
]
