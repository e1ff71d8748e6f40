"""Who may do what to tournaments and templates: pure predicates over an actor and an object.

An actor is a user (with `id`, `is_staff`, `is_superuser`) or None (anonymous or the system).
Staff may do anything an organizer may, on every tournament. A tournament's match-day staff
(`models.staff`) act on its matches only: a *referee* starts matches, confirms and enters
results, reviews disputes and forces check-ins; a *caster* reads lobby codes and match rooms
and attaches streams. Neither changes settings, money or the bracket. Who may *see* a tournament is
`access` (it needs the registrations port). Services enforce these; views only map "cannot
see" to 404 and "can see but may not" to 403.
"""

from __future__ import annotations

from typing import Any

from deltacrown.tournaments.models import (
    Tournament,
    TournamentTemplate,
)


def is_staff(actor: Any) -> bool:
    return bool(actor is not None and (actor.is_staff or actor.is_superuser))


def is_owner(actor: Any, tournament: Tournament) -> bool:
    return actor is not None and actor.id == tournament.organizer_id


def is_organizer(actor: Any, tournament: Tournament) -> bool:
    """The owner or a co-organizer."""
    return actor is not None and actor.id in tournament.organizer_ids


def can_manage(actor: Any, tournament: Tournament) -> bool:
    """Edit, publish, open/close registration, cancel, manage custom fields."""
    return is_staff(actor) or is_organizer(actor, tournament)


def is_referee(actor: Any, tournament: Tournament) -> bool:
    return actor is not None and actor.id in tournament.staff_ids("referee")


def is_caster(actor: Any, tournament: Tournament) -> bool:
    return actor is not None and actor.id in tournament.staff_ids("caster")


def is_matchday_staff(actor: Any, tournament: Tournament) -> bool:
    """A referee or caster of the tournament: sees it (even private) like its organizers."""
    return actor is not None and actor.id in (
        tournament.staff_ids("referee") | tournament.staff_ids("caster")
    )


def can_referee(actor: Any, tournament: Tournament) -> bool:
    """Start matches, confirm and enter results, review disputes, force check-in."""
    return can_manage(actor, tournament) or is_referee(actor, tournament)


def can_see_rooms(actor: Any, tournament: Tournament) -> bool:
    """Read every match's lobby code and room (organizers, referees, casters, staff)."""
    return can_manage(actor, tournament) or is_matchday_staff(actor, tournament)


def can_attach_streams(actor: Any, tournament: Tournament) -> bool:
    """Set a match's stream and VOD links (organizers, referees, casters, staff)."""
    return can_see_rooms(actor, tournament)


def can_manage_staff(actor: Any, tournament: Tournament) -> bool:
    """Name or remove referees and casters: organizers and staff."""
    return can_manage(actor, tournament)


def can_manage_organizers(actor: Any, tournament: Tournament) -> bool:
    """Name or remove co-organizers: the owner and staff."""
    return is_staff(actor) or is_owner(actor, tournament)


def can_leave_organizers(actor: Any, tournament: Tournament, user_id: int) -> bool:
    """A co-organizer may step down by themselves."""
    return actor is not None and actor.id == user_id and is_organizer(actor, tournament)


def can_use_template(actor: Any, template: TournamentTemplate) -> bool:
    """See and apply: public templates, one's own, and (staff) all."""
    if template.is_deleted:
        return False
    return (
        template.is_public
        or is_staff(actor)
        or (actor is not None and actor.id == template.owner_id)
    )


def can_edit_template(actor: Any, template: TournamentTemplate) -> bool:
    return is_staff(actor) or (actor is not None and actor.id == template.owner_id)
