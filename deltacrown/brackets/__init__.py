"""Brackets: the pure engine (`brackets.engine`), its persistence (stages, rounds and matches as
rows: `models`, `store`) and the use cases on top (`services`: seeding, generation, start,
results, corrections, playoffs, battle-royale lobbies), read through `queries`/`presenters`.

Other domains use `services.record_match_result` / `services.correct_match_result` (the
match lifecycle), `models` (`Stage`, `Round`, `Match` and their statuses) and `queries`.
"""
