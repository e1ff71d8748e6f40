"""The access rule, in one place: may this actor see this tournament, and may this actor act
for this registration. REST (tournaments, registrations, brackets and, through brackets,
matches) and the websockets (`tournaments.live`) ask here; each maps a refusal to its own
answer (404, or a close code).

Seeing a tournament:

| tournament            | anonymous | signed-in stranger | participant | organizer, staff |
| --------------------- | --------- | ------------------ | ----------- | ---------------- |
| deleted               | not found | not found          | not found   | not found        |
| draft                 | not found | not found          | not found   | visible          |
| public, unlisted      | visible   | visible            | visible     | visible          |
| private               | sign in   | forbidden          | visible     | visible          |

Its referees and casters see it as its organizers do (asked only when nothing cheaper
decides, as loading them costs a query). A *participant* is (or was) listed on one of the tournament's registrations (asked through
`tournaments.ports.registrations`, only when nothing else decides). The invite code of a
private tournament opens it to whoever presents it. Drafts never hold registrations (a
tournament leaves `draft` only to be published), so a draft has no participants.

Acting for a registration (withdraw, pay, check in, play its matches): its *registrant* (the
solo player, or the team's current captain) and staff on their behalf.
"""

from __future__ import annotations

import enum
from typing import Any, Protocol

from deltacrown.tournaments import policies, ports
from deltacrown.tournaments.models import Tournament, TournamentStatus, Visibility


class Sight(enum.Enum):
    """What the rule answers about seeing a tournament."""

    VISIBLE = "visible"
    NOT_FOUND = "not_found"  # deleted, or a draft shown to someone who does not run it
    SIGN_IN = "sign_in"  # private, and the caller is anonymous
    FORBIDDEN = "forbidden"  # private, and the caller neither runs it nor plays in it


class Registrant(Protocol):
    """What the rule needs of a registration: who acts for it."""

    @property
    def registrant_id(self) -> int | None:
        """The solo player's id, or the team's current captain's (None if unknown)."""
        ...


def sight(actor: Any, tournament: Tournament, *, invite_code: str | None = None) -> Sight:
    """How `actor` (a user, or None for anonymous) sees `tournament` (see the table above)."""
    if tournament.is_deleted:
        return Sight.NOT_FOUND
    if policies.can_manage(actor, tournament):
        return Sight.VISIBLE
    if tournament.status is TournamentStatus.DRAFT:
        return Sight.VISIBLE if policies.is_matchday_staff(actor, tournament) else Sight.NOT_FOUND
    if tournament.visibility is not Visibility.PRIVATE:
        return Sight.VISIBLE
    if invite_code and invite_code == tournament.invite_code:
        return Sight.VISIBLE
    if actor is None:
        return Sight.SIGN_IN
    if ports.registrations.get().is_listed(tournament.id, actor.id):
        return Sight.VISIBLE
    if policies.is_matchday_staff(actor, tournament):
        return Sight.VISIBLE
    return Sight.FORBIDDEN


def can_see(actor: Any, tournament: Tournament, *, invite_code: str | None = None) -> bool:
    """Whether `actor` may see `tournament`, its registrations list, bracket and live channels."""
    return sight(actor, tournament, invite_code=invite_code) is Sight.VISIBLE


def can_act_for(actor: Any, registration: Registrant) -> bool:
    """Whether `actor` may act for `registration`: its registrant, or staff."""
    if actor is None:
        return False
    return policies.is_staff(actor) or registration.registrant_id == actor.id
