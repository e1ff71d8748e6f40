"""Flask-Admin base for the desks organizers share with staff (payment desk, dispute desk,
tournament control room): staff see every tournament's work, an organizer only that of the
tournaments they own or co-organize. The admin home page and every other view stay
staff-only (`core.admin.StaffAccessMixin`).

Whether a user organizes anything, and which tournaments, is the tournaments domain's answer
through the `organizer_scope` port (provided by `deltacrown.wiring`), since core knows no
domain. A desk filters its queues with `viewer_scope()` and answers 404 for an item outside
it (`require_in_scope`), so another organizer's items are neither listed nor reachable by URL.
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import abort, g

from deltacrown.core.admin import current_admin_user, has_staff_rights, refuse_access
from deltacrown.core.ports import Port


class OrganizerScope(Protocol):
    """Which tournaments a user runs (as owner or co-organizer)."""

    def runs_any(self, user_id: int) -> bool:
        """Whether the user owns or co-organizes at least one tournament (not deleted)."""
        ...

    def tournament_ids(self, user_id: int) -> Any:
        """A SQL select of the ids of the tournaments the user owns or co-organizes, to use
        in `column.in_(...)`."""
        ...


organizer_scope: Port[OrganizerScope] = Port("core.organizer_scope")


class Scope:
    """What the signed-in viewer may work on: everything (staff) or their tournaments."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.everything = has_staff_rights(user)

    def tournament_ids(self) -> Any:
        """A select of the viewer's tournament ids (only meaningful when not `everything`)."""
        return organizer_scope.get().tournament_ids(self.user.id)

    def filter(self, query: Any, column: Any) -> Any:
        """`query` limited to rows whose tournament (`column`) the viewer may work on."""
        if self.everything:
            return query
        return query.where(column.in_(self.tournament_ids()))

    def allows(self, tournament: Any) -> bool:
        """Whether the viewer may work on `tournament` (a loaded tournament row)."""
        return self.everything or self.user.id in tournament.organizer_ids


def viewer_scope() -> Scope:
    """The scope of the signed-in admin user (the view has already checked access)."""
    return Scope(current_admin_user())


def require_in_scope(tournament: Any) -> None:
    """404 unless the viewer may work on `tournament` (another organizer's items are not
    revealed to exist)."""
    if tournament is None or not viewer_scope().allows(tournament):
        abort(404)


class ScopedAccessMixin:
    """Staff and organizers: anonymous → 302 to the sign-in page; a signed-in user who
    neither is staff nor runs a tournament → 403."""

    def is_accessible(self) -> bool:
        user = current_admin_user()
        if user is None:
            return False
        if has_staff_rights(user):
            return True
        if "admin_runs_any" not in g:  # asked once per request (the menu asks every view)
            g.admin_runs_any = organizer_scope.get().runs_any(user.id)
        return bool(g.admin_runs_any)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        return refuse_access()
