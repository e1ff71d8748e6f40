"""The tournaments domain's answers to ports declared below it: which tournaments a user
runs, for the desks organizers share with staff (`core.admin_scoped.organizer_scope`).
`deltacrown.wiring` provides them on each app."""

from __future__ import annotations

import sqlalchemy as sa

from deltacrown.tournaments import queries


class OrganizerTournaments:
    """A user's tournaments: those they own and those they co-organize (not deleted)."""

    def runs_any(self, user_id: int) -> bool:
        return queries.runs_any(user_id)

    def tournament_ids(self, user_id: int) -> sa.Select[tuple[int]]:
        return queries.run_by(user_id)
