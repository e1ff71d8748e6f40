"""Brackets: the pure engine (`brackets.engine`), its persistence (stages, rounds and matches as
rows: `models`, `store`) and the use cases on top (`services`: seeding, generation, start,
results, corrections, playoffs, battle-royale lobbies), read through `queries`/`presenters`.

The match itself (`Match`, `MatchStatus`) is the matches domain's; a result enters the tree
only through `services.apply_result` (`apply_lobby_game`, `correct_result`), which matches
calls once it has checked who acts. Other domains use `models` (`Stage`, `Round`,
`TournamentResult`) and `queries`.
"""
