"""What tournaments asks of the registrations domain, which sits above it: whether a
tournament has registrations (custom fields lock) and whether a user is (or was) listed on
one of its registrations (a private tournament's players keep seeing it, see `access`), and
how many places its registrations hold (discovery's "has room" filter, in SQL).
`deltacrown.wiring` provides the implementation."""

from __future__ import annotations

from typing import Any, Protocol

from deltacrown.core.ports import Port


class RegistrationFacts(Protocol):
    def has_registrations(self, tournament_id: int) -> bool:
        """Whether players hold (or held until the start) registrations of the tournament
        (any not cancelled or rejected)."""
        ...

    def is_listed(self, tournament_id: int, user_id: int) -> bool:
        """Whether the user is (or was) on any registration of the tournament."""
        ...

    def held_places(self, tournament_id: Any) -> Any:
        """A scalar subquery counting the places held in the tournament whose id is the SQL
        expression `tournament_id` (correlated: discovery filters and orders by it)."""
        ...


registrations: Port[RegistrationFacts] = Port("tournaments.registrations")
