"""Each participant's chance to win an elimination tournament: a Monte-Carlo simulation of the
bracket's remaining matches from the players' skill ratings.

Every match still open is played in stage order, in all runs at once (one list per match of
the run's winner), with the win probability OpenSkill's `predict_win` gives for two teams:
Phi((mu_a - mu_b) / sqrt(2 beta^2 + sigma_a^2 + sigma_b^2)), a team's mu and sigma^2 being
its players' sums. Decided matches keep their result; a double elimination's reset is
played only in the runs where the losers' bracket champion took the grand final. The RNG is
seeded, so a seed reproduces the odds; they are cached until the next result.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, NamedTuple

import numpy as np
import sqlalchemy as sa

from deltacrown.core.cache import cache
from deltacrown.core.errors import ConflictError
from deltacrown.extensions import db
from deltacrown.leaderboards import queries, ratings
from deltacrown.matches.models import RESULT_STATUSES, Match, MatchStatus
from deltacrown.tournaments.models import Tournament, TournamentStatus

RUNS = 10_000
DEFAULT_SEED = 20_261_206
FORMATS = ("single_elimination", "double_elimination")
CACHE_SECONDS = 24 * 3600


class OddsUnavailableError(ConflictError):
    """Odds are simulated for elimination brackets once they are drawn."""

    code, title = "odds_unavailable", "Odds unavailable"


def _strengths(entries: list[int], game_id: int) -> list[tuple[float, float]]:
    """(mu, sigma^2) per entry: the sums over its starters (unrated: the starting rating)."""
    rosters = queries.rosters(entries)
    rated = queries.ratings_of([u for r in rosters.values() for u in r], game_id)
    out = []
    for entry in entries:
        players: list[int | None] = [*rosters.get(entry, [])] or [None]
        mu = sigma2 = 0.0
        for user_id in players:
            row = rated.get(user_id) if user_id is not None else None
            m, s = (row.mu, row.sigma) if row else (ratings.DEFAULT_MU, ratings.DEFAULT_SIGMA)
            mu, sigma2 = mu + m, sigma2 + s * s
        out.append((mu, sigma2))
    return out


def win_matrix(strengths: list[tuple[float, float]]) -> list[float]:
    """Flat n x n: [a * n + b] = the chance a beats b."""
    beta2 = 2 * ratings.MODEL.beta**2
    n = len(strengths)
    flat = [0.5] * (n * n)
    for a, (mu_a, s_a) in enumerate(strengths):
        for b, (mu_b, s_b) in enumerate(strengths):
            if a != b:
                z = (mu_a - mu_b) / math.sqrt(beta2 + s_a + s_b)
                flat[a * n + b] = 0.5 * math.erfc(-z / math.sqrt(2))
    return flat


def _stamp(tournament_id: int) -> str:
    count, latest = db.session.execute(
        sa.select(sa.func.count(Match.id), sa.func.max(Match.updated_at)).where(
            Match.tournament_id == tournament_id, Match.status.in_(RESULT_STATUSES)
        )
    ).one()
    return f"{count}:{latest.isoformat() if latest else '-'}"


def tournament_odds(tournament: Tournament, seed: int | None = None) -> dict[str, Any]:
    """{registration id: chance to win}, from the cache while no new result came in."""
    seed = DEFAULT_SEED if seed is None else seed
    key = f"odds:{tournament.id}:{seed}:{_stamp(tournament.id)}"
    found = cache.get(key)
    if found is None:
        found = simulate(tournament, seed=seed)
        cache.set(key, found, timeout=CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


class Node(NamedTuple):
    """One bracket match for the simulation: its slots as (kind, ref, entry index or -1),
    its result when decided (winner and loser indexes), and its place in the bracket."""

    id: str
    slot1: tuple[str, str, int]
    slot2: tuple[str, str, int]
    state: str  # "open", "decided" or "skipped"
    winner: int
    loser: int
    is_reset: bool
    third_place: bool


def _nodes(tournament: Tournament, index: dict[int, int]) -> list[Node]:
    stages = queries.stages(tournament.id)
    if tournament.format.value not in FORMATS or len(stages) != 1:
        raise OddsUnavailableError("Odds are simulated for single and double elimination brackets.")
    rows = db.session.scalars(
        sa.select(Match).where(Match.stage_id == stages[0].id).order_by(Match.position, Match.id)
    )
    nodes = []
    for m in rows:
        first, second = m.participant_ids
        state = "open"
        winner = loser = -1
        if m.status in RESULT_STATUSES:
            state = "decided"
            winner = index[m.winner_registration_id]  # type: ignore[index]
            loser = index[second if m.winner_registration_id == first else first]  # type: ignore[index]
        elif m.status is MatchStatus.SKIPPED:
            state = "skipped"
        nodes.append(
            Node(
                m.engine_id,
                (m.slot1_kind, m.slot1_ref, index.get(first, -1) if first else -1),
                (m.slot2_kind, m.slot2_ref, index.get(second, -1) if second else -1),
                state,
                winner,
                loser,
                m.is_reset,
                m.round.side.value == "third_place",
            )  # fmt: skip
        )
    return nodes


def simulate(tournament: Tournament, *, seed: int, runs: int = RUNS) -> dict[str, Any]:
    """Play the remaining bracket `runs` times; each entry's share of the titles."""
    if tournament.status is TournamentStatus.COMPLETED:
        champions = [r.registration_id for r in queries.tournament_results(tournament.id)
                     if r.placement == 1]  # fmt: skip
        return {"runs": 0, "seed": seed, "odds": {e: 1 / len(champions) for e in champions}}
    stages = queries.stages(tournament.id)
    if not stages:
        raise OddsUnavailableError("The bracket has not been drawn yet.")
    entries = list(stages[-1].seeds)
    index = {entry: i for i, entry in enumerate(entries)}
    nodes = _nodes(tournament, index)
    win = win_matrix(_strengths(entries, tournament.game_id))
    counts = play(nodes, len(entries), win, runs=runs, seed=seed)
    return {
        "runs": runs,
        "seed": seed,
        "odds": {entry: counts.get(i, 0) / runs for i, entry in enumerate(entries)},
    }


def play(nodes: list[Node], n: int, win: list[float], *, runs: int, seed: int) -> Counter[int]:
    """Titles per entry index over `runs` plays of the open nodes (in order), all runs at once:
    each node is one vector operation over the runs (NumPy), so 10,000 runs of a 511-match
    bracket take milliseconds, not seconds. -1 is "nobody" (a bye or a skipped match)."""
    rng = np.random.default_rng(seed)
    chance = np.asarray(win, dtype=np.float64).reshape(n, n) if n else np.zeros((0, 0))
    winners: dict[str, np.ndarray] = {}
    losers: dict[str, np.ndarray] = {}
    by_id = {node.id: node for node in nodes}
    fed = {ref for node in nodes for kind, ref, _ in (node.slot1, node.slot2) if kind == "winner"}
    # Only a loser who plays on (a double elimination's losers' bracket, a third-place match,
    # a reset) needs their vector: every other loser is out.
    relegated = {
        ref for node in nodes for kind, ref, _ in (node.slot1, node.slot2) if kind == "loser"
    }
    champion: np.ndarray | None = None

    def side(slot: tuple[str, str, int]) -> np.ndarray:
        kind, ref, known = slot
        if kind == "seed":
            return np.full(runs, known, dtype=np.int32)
        return winners[ref] if kind == "winner" else losers[ref]

    for node in nodes:
        first, second = side(node.slot1), side(node.slot2)
        if node.state == "decided":
            won = np.full(runs, node.winner, dtype=np.int32)
            lost = np.full(runs, node.loser, dtype=np.int32)
        elif node.state == "skipped":
            won = lost = np.full(runs, -1, dtype=np.int32)
        else:
            both = (first >= 0) & (second >= 0)
            p = np.where(both, chance[np.maximum(first, 0), np.maximum(second, 0)], 0.0)
            first_wins = (second < 0) | (both & (rng.random(runs) < p))
            won = np.where(first_wins, first, second)
            lost = np.where(first_wins, second, first) if node.id in relegated else won[:0]
        winners[node.id], losers[node.id] = won, lost
        if node.id in fed or node.third_place:
            continue
        if node.is_reset:
            final = by_id[node.slot1[1]]
            wb_champion = side(final.slot1)
            grand = winners[final.id]
            champion = np.where(grand == wb_champion, grand, won)
        elif champion is not None:
            raise OddsUnavailableError("This bracket has no single final to win.")
        else:
            champion = won
    if champion is None:
        return Counter()
    entries, counts = np.unique(champion[champion >= 0], return_counts=True)
    return Counter({int(e): int(c) for e, c in zip(entries, counts, strict=True)})
