"""Who may see and change a tournament's bracket: pure predicates over an actor and objects.

An actor is a user (with `id`, `is_staff`, `is_superuser`) or None. Seeing a bracket follows
seeing its tournament (drafts and private tournaments are 404 to strangers), except that a
participant keeps seeing the bracket they play in. Generating, starting and entering results
are organizer actions (owner, co-organizers, staff). `record_match_result` with `actor=None`
is the system (the match-lifecycle issue after both sides agreed, or a task); the API always
passes the signed-in user.
"""

from __future__ import annotations

from typing import Any

from deltacrown.tournaments import policies as tournament_policies
from deltacrown.tournaments.models import Tournament


def can_view(
    actor: Any, tournament: Tournament, *, invite_code: str | None = None, is_listed: bool = False
) -> bool:
    """The tournament is visible to the actor, or the actor plays in it (`is_listed`)."""
    if tournament.is_deleted:
        return False
    return tournament_policies.can_view(actor, tournament, invite_code) or (
        is_listed and not tournament.is_draft
    )


def can_manage(actor: Any, tournament: Tournament) -> bool:
    """Generate or regenerate the bracket, start the tournament."""
    return tournament_policies.can_manage(actor, tournament)


def can_record_result(actor: Any, tournament: Tournament) -> bool:
    """Enter or correct a result: organizers and staff; None is the system."""
    return actor is None or tournament_policies.can_manage(actor, tournament)
