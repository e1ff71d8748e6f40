"""What tournaments asks of the domains above it.

Of registrations: whether a tournament has registrations (custom fields lock), whether a user
is (or was) listed on one of its registrations (a private tournament's players keep seeing it,
see `access`), and how many places its registrations hold (discovery's "has room" filter, in
SQL; the format minimum at close-registration).
Of brackets: whether a bracket has been drawn (registration may reopen until then) and the
podium of a finished tournament.
Of payouts: holding an organizer-funded DeltaCoin prize pool when registration opens.
`deltacrown.wiring` provides the implementations."""

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

    def places_taken(self, tournament_id: int) -> int:
        """Registrations holding a place (pending and confirmed)."""
        ...


class BracketFacts(Protocol):
    def has_bracket(self, tournament_id: int) -> bool:
        """Whether the tournament's first stage has been drawn."""
        ...

    def podium(self, tournament_id: int) -> dict[str, list[dict[str, Any]]]:
        """`champion`, `runner_up` and `third`: each a list of `{registration_id, name}`."""
        ...


class PrizePoolFunding(Protocol):
    def fund(self, tournament_id: int) -> None:
        """Hold the tournament's DeltaCoin prize pool when it is funded by the organizer
        (from their wallet into the tournament's escrow; idempotent); nothing for other
        pools. Raises a 409 `insufficient_funds` problem when the wallet does not hold it."""
        ...


registrations: Port[RegistrationFacts] = Port("tournaments.registrations")
brackets: Port[BracketFacts] = Port("tournaments.brackets")
prize_funding: Port[PrizePoolFunding] = Port("tournaments.prize_funding")
