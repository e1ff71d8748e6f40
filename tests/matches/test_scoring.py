"""The score rules of a head-to-head match (`matches.scoring`, pure): a lifecycle submission
must end its best-of series; an organizer's direct result must agree with its winner."""

from __future__ import annotations

import pytest

from deltacrown.matches.errors import InvalidScoresError
from deltacrown.matches.scoring import result_problem, series_winner

P = (101, 202)


@pytest.mark.parametrize(
    ("games", "best_of", "winner"),
    [
        ([[13, 9]], 1, 101),
        ([[13, 9], [13, 4]], 3, 101),
        ([[13, 9], [9, 13], [4, 13]], 3, 202),
        ([[1, 0], [0, 1], [1, 0], [0, 1], [1, 0]], 5, 101),
    ],
)
def test_a_series_is_won_by_the_first_to_a_majority(games, best_of, winner):
    assert series_winner(games, best_of, P, draws=False) == winner


@pytest.mark.parametrize(
    "games",
    [
        [],  # no games
        [[13, 9]],  # undecided
        [[13, 9], [13, 4], [2, 13]],  # played after 2-0
        [[13, 13], [13, 4]],  # a drawn game
        [[1, 0], [0, 1], [1, 0], [1, 0]],  # more than best-of-3
    ],
)
def test_games_that_cannot_end_a_best_of_three_are_refused(games):
    with pytest.raises(InvalidScoresError):
        series_winner(games, 3, P, draws=False)


def test_draws_only_where_the_stage_allows_them():
    assert series_winner([[1, 1], [2, 0]], 2, P, draws=True) == 101
    assert series_winner([[1, 0], [0, 1]], 2, P, draws=True) is None
    with pytest.raises(InvalidScoresError):
        series_winner([[1, 1]], 1, P, draws=False)


@pytest.mark.parametrize(
    ("winner", "games", "forfeit", "problem"),
    [
        (101, [[13, 9]], False, None),
        (101, [], False, None),  # the scores may be left out
        (None, [[13, 9], [9, 13]], False, None),  # a draw: as many games each
        (101, [], True, None),
        (101, [[13, 9]], True, "A forfeit has no scores."),
        (202, [[13, 9]], False, "The scores do not make the given winner win the series."),
        (None, [[13, 9]], False, "The scores do not make the given winner win the series."),
        (101, [[1, 0]] * 4, False, "A best-of-3 has at most 3 games."),
    ],
)
def test_a_direct_result_must_agree_with_its_winner(winner, games, forfeit, problem):
    found = result_problem(winner, games, P, 3, forfeit)
    assert (found and found[0]) == problem
