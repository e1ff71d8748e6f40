"""The matches domain's reactions: keep TournamentResult rows with the bracket's final
placements, however the tournament completed (match flow, organizer override, correction)."""

from __future__ import annotations


def connect() -> None:
    from deltacrown.brackets.services.common import on_final_placements
    from deltacrown.matches.services import rewrite_placements

    on_final_placements(rewrite_placements)
