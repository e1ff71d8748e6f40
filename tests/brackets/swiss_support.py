"""Helpers for the Swiss tests: a play-through driver, greedy pairing, a brute-force checker."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Set

from deltacrown.brackets.engine import (
    ParticipantId,
    RoundChanges,
    Stage,
    apply_result,
    next_round,
)
from deltacrown.brackets.engine.formats.swiss import Record, swiss_records


def active_ranked(stage: Stage) -> list[ParticipantId]:
    """Players still to pair, best first (points, then seed), as the engine ranks them."""
    records = swiss_records(stage)
    wins = stage.options["swiss_wins_to_advance"]
    seed = {p: i for i, p in enumerate(stage.seeds)}
    active = [
        p
        for p in stage.seeds
        if wins is None or (records[p].wins < wins and records[p].losses < wins)
    ]
    return sorted(active, key=lambda p: (-records[p].points, seed[p]))


def greedy_pairs(stage: Stage) -> list[tuple[ParticipantId, ParticipantId]]:
    """Top-down greedy pairing: the best unpaired player takes the best one not met yet; if
    nobody is left that it has not met, it takes a rematch with the best one left."""
    records = swiss_records(stage)
    left = active_ranked(stage)
    pairs = []
    while len(left) > 1:
        first = left.pop(0)
        partner = next((p for p in left if p not in records[first].opponents), left[0])
        left.remove(partner)
        pairs.append((first, partner))
    return pairs


def legal_pairing_exists(
    players: Collection[ParticipantId],
    met: Mapping[ParticipantId, Set[ParticipantId]],
    had_bye: Set[ParticipantId],
) -> bool:
    """Brute force (small fields only): can everyone be paired with no rematch and at most
    one bye each?"""
    players = list(players)
    if len(players) % 2:
        return any(
            _perfect([q for q in players if q != p], met) for p in players if p not in had_bye
        )
    return _perfect(players, met)


def _perfect(players: list[ParticipantId], met: Mapping[ParticipantId, Set[ParticipantId]]) -> bool:
    if not players:
        return True
    first, rest = players[0], players[1:]
    return any(
        _perfect([q for q in rest if q != partner], met)
        for partner in rest
        if partner not in met[first]
    )


def play_swiss(
    stage: Stage, rng: random.Random, *, draws: float = 0.0
) -> list[tuple[dict[ParticipantId, Record], RoundChanges]]:
    """Play every round with random results (a share `draws` of draws); return, per paired
    round after the first, the records it was paired from and what `next_round` returned."""
    history = []
    while True:
        for match_id in stage.rounds[-1].match_ids:
            match = stage.matches[match_id]
            winner = None if rng.random() < draws else rng.choice(match.participants)
            changes = apply_result(
                stage, match_id, winner, [[1, 1]] if winner is None else [[1, 0]]
            )
        if stage.is_complete:
            return history
        if stage.rounds[-1].match_ids:
            assert changes.round_completed == stage.rounds[-1].number
        records = swiss_records(stage)
        history.append((records, next_round(stage)))
