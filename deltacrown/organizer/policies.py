"""Who may see which organizer figures: pure predicates over an actor (a user) and ids."""

from __future__ import annotations

from typing import Any

from deltacrown.tournaments.policies import is_staff


def can_view_dashboard_of(actor: Any, organizer_id: int) -> bool:
    """Everyone sees their own dashboard; staff see any organizer's."""
    return actor is not None and (actor.id == organizer_id or is_staff(actor))
