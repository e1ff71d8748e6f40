"""Who may do what to registrations: pure predicates over an actor and objects.

An actor is a user (with `id`, `is_staff`, `is_superuser`) or None (anonymous or the system).
Staff may do anything an organizer or a captain may. The *registrant* of a solo registration
is its player; of a team registration, the team's current captain.
"""

from __future__ import annotations

from typing import Any

from deltacrown.registrations.models import Registration
from deltacrown.tournaments import access
from deltacrown.tournaments import policies as tournament_policies
from deltacrown.tournaments.models import Tournament

is_staff = tournament_policies.is_staff


def can_manage(actor: Any, tournament: Tournament) -> bool:
    """Organizers (owner, co-organizers) and staff: approve, verify, force check-in, ..."""
    return tournament_policies.can_manage(actor, tournament)


def can_force_check_in(actor: Any, tournament: Tournament) -> bool:
    """Check a registration in outside the window: organizers, staff and referees."""
    return tournament_policies.can_referee(actor, tournament)


def is_registrant(actor: Any, registration: Registration) -> bool:
    """The solo player, or the team's current captain."""
    return actor is not None and registration.registrant_id == actor.id


def is_member(actor: Any, registration: Registration) -> bool:
    """Listed on the registration (player or substitute)."""
    return actor is not None and actor.id in registration.member_ids


def can_act_for(actor: Any, registration: Registration) -> bool:
    """Cancel, pay, check in: the registrant, and staff on their behalf (`tournaments.access`)."""
    return access.can_act_for(actor, registration)


def can_view(actor: Any, registration: Registration) -> bool:
    """Everything but personal data: the registrant, the roster, organizers, referees and
    staff."""
    return (
        is_registrant(actor, registration)
        or is_member(actor, registration)
        or tournament_policies.can_referee(actor, registration.tournament)
    )


def can_see_personal(actor: Any, registration: Registration) -> bool:
    """Answers and payment details (sender numbers): registrant, organizers, staff."""
    return is_registrant(actor, registration) or can_manage(actor, registration.tournament)


def can_cancel(actor: Any, registration: Registration) -> bool:
    """The registrant withdraws; organizers and staff may remove."""
    return can_act_for(actor, registration) or can_manage(actor, registration.tournament)


def can_pay(actor: Any, registration: Registration) -> bool:
    """Submit manual payment details: the registrant, organizers (paid in person) and staff."""
    return is_registrant(actor, registration) or can_manage(actor, registration.tournament)


def can_mark_refunded(actor: Any) -> bool:
    """Manual refunds are paid out by staff."""
    return is_staff(actor)


def viewer_level(actor: Any, registration: Registration) -> str:
    """What a representation may show: `private` (all), `member` (no personal data), `public`."""
    if can_see_personal(actor, registration):
        return "private"
    if is_member(actor, registration):
        return "member"
    return "public"
