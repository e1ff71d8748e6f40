"""The matches domain's reactions: keep TournamentResult rows with the bracket's final
placements, however the tournament completed (match flow, organizer override, correction);
and keep a lobby match's lifecycle in step when an organizer records its game directly."""

from __future__ import annotations


def connect() -> None:
    from deltacrown.brackets.services.common import on_direct_lobby_game, on_final_placements
    from deltacrown.matches.lobbies import on_direct_game
    from deltacrown.matches.services import rewrite_placements

    on_final_placements(rewrite_placements)
    on_direct_lobby_game(on_direct_game)
