"""The score rules of a head-to-head match, in one place (pure: no database).

A match is a best-of-N series of games, each game's score in slot order (`[[13, 9], ...]`).
`series_winner` is the lifecycle's rule: the games a side submits must end the series (first
to a majority; where the stage allows draws, all N games played and the side with more game
wins, or a drawn series). `result_problem` is the looser rule for a result the organizer
enters directly or the engine is given: a forfeit has no scores, a series has at most N
games, and the given winner won more games than the loser (a draw: as many); games may be
left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deltacrown.brackets.errors import InvalidScoresError

Games = Sequence[Sequence[int]]
Participants = tuple[Any, Any]  # registration ids (the engine's participant ids)


def normalise_games(games: Games) -> list[list[int]]:
    return [[int(g[0]), int(g[1])] for g in games]


def series_winner(
    games: Games, best_of: int, participants: Participants, *, draws: bool
) -> int | None:
    """The series winner's registration id from per-game scores (None: a drawn series, where the
    stage allows draws). Raises InvalidScoresError when the games cannot end a best-of-N:
    too many games, play after the series was decided, an undecided series, a drawn game where
    draws are not allowed."""

    def bad(message: str) -> InvalidScoresError:
        return InvalidScoresError(message, errors={"games": [message]})

    if not games:
        raise bad("Give at least one game's scores.")
    if len(games) > best_of:
        raise bad(f"A best-of-{best_of} has at most {best_of} games.")
    need = best_of // 2 + 1
    won = [0, 0]
    for number, (first, second) in enumerate(games, start=1):
        if max(won) >= need:
            raise bad(f"Game {number} was played after the series was decided.")
        if first < 0 or second < 0:
            raise bad("Scores are not negative.")
        if first == second:
            if not draws:
                raise bad(f"Game {number} is a draw; this match needs a winner of every game.")
            continue
        won[0 if first > second else 1] += 1
    if won[0] >= need:
        return participants[0]
    if won[1] >= need:
        return participants[1]
    if draws and len(games) == best_of and won[0] != won[1]:
        return participants[0] if won[0] > won[1] else participants[1]
    if draws and len(games) == best_of:
        return None
    raise bad(f"The games do not decide a best-of-{best_of} (first to {need}).")


def check_result(
    winner: int | None, games: Games, participants: Participants, best_of: int, forfeit: bool
) -> None:
    """`result_problem`, raised as InvalidScoresError (422, on `scores`)."""
    problem = result_problem(winner, games, participants, best_of, forfeit)
    if problem is not None:
        message, detail = problem
        raise InvalidScoresError(message, errors={"scores": [detail]})


def result_problem(
    winner: int | None, games: Games, participants: Participants, best_of: int, forfeit: bool
) -> tuple[str, str] | None:
    """What is wrong with a directly entered result (a message and the field's detail), or
    None when the games agree with the winner."""
    if forfeit:
        return ("A forfeit has no scores.", "Must be empty.") if games else None
    if len(games) > best_of:
        return f"A best-of-{best_of} has at most {best_of} games.", f"At most {best_of} games."
    if not games:
        return None
    won = [sum(1 for game in games if game[i] > game[1 - i]) for i in (0, 1)]
    if winner is None:
        ok = won[0] == won[1]
    else:
        slot = 0 if winner == participants[0] else 1
        ok = won[slot] > won[1 - slot]
    if ok:
        return None
    return (
        "The scores do not make the given winner win the series.",
        "The winner must win more games than the opponent.",
    )
