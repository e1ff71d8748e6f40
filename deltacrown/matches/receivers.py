"""The matches domain's reactions: keep TournamentResult rows with the bracket's final
placements, however the tournament completed (match flow, organizer override, correction);
and keep a match's lifecycle in step when an organizer records its result (or a lobby's game)
directly."""

from __future__ import annotations


def connect() -> None:
    from deltacrown.brackets.services.common import on_direct_result, on_final_placements
    from deltacrown.matches.services import on_direct_result as settle_lifecycle
    from deltacrown.matches.services import rewrite_placements

    on_final_placements(rewrite_placements)
    on_direct_result(settle_lifecycle)
