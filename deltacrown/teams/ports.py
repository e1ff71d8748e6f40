"""What teams asks of the registrations domain, which sits above it: whether a team's roster
is locked (a registration in an `ongoing` tournament) and whether it holds an active
registration (disbanding is refused). `deltacrown.wiring` provides the implementation."""

from __future__ import annotations

from typing import Protocol

from deltacrown.core.ports import Port


class TeamRegistrations(Protocol):
    def roster_lock_reason(self, team_id: int) -> str | None:
        """Why the team's roster cannot change now, or None."""
        ...

    def has_active_registration(self, team_id: int) -> bool:
        """Whether the team holds an active registration in an unfinished tournament."""
        ...


registrations: Port[TeamRegistrations] = Port("teams.registrations")
