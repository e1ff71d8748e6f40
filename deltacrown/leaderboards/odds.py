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
import random
from collections import Counter
from typing import Any

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
        players = rosters.get(entry) or [None]
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


def _stage_matches(tournament: Tournament) -> tuple[list[int], list[Match]]:
    stages = queries.stages(tournament.id)
    if tournament.format.value not in FORMATS or len(stages) != 1:
        raise OddsUnavailableError("Odds are simulated for single and double elimination brackets.")
    stage = stages[0]
    matches = list(
        db.session.scalars(
            sa.select(Match).where(Match.stage_id == stage.id).order_by(Match.position, Match.id)
        )
    )
    return list(stage.seeds), matches


def simulate(tournament: Tournament, *, seed: int, runs: int = RUNS) -> dict[str, Any]:
    """Play the remaining bracket `runs` times; each entry's share of the titles."""
    if tournament.status is TournamentStatus.COMPLETED:
        champions = [r.registration_id for r in queries.tournament_results(tournament.id)
                     if r.placement == 1]  # fmt: skip
        return {"runs": 0, "seed": seed, "odds": {e: 1 / len(champions) for e in champions}}
    if not queries.stages(tournament.id):
        raise OddsUnavailableError("The bracket has not been drawn yet.")
    entries, matches = _stage_matches(tournament)
    index = {entry: i for i, entry in enumerate(entries)}
    n = len(entries)
    win = win_matrix(_strengths(entries, tournament.game_id))
    rng = random.Random(seed)  # noqa: S311  (a reproducible simulation, not a secret)
    draw = rng.random
    winners: dict[str, list[int]] = {}
    losers: dict[str, list[int]] = {}
    by_engine = {m.engine_id: m for m in matches}
    champion: list[int] | None = None

    def side(m: Match, slot: int) -> list[int]:
        kind = m.slot1_kind if slot == 1 else m.slot2_kind
        ref = m.slot1_ref if slot == 1 else m.slot2_ref
        if kind == "seed":
            known = m.participant_ids[slot - 1]
            return [index[known] if known is not None else -1] * runs
        return winners[ref] if kind == "winner" else losers[ref]

    for match in matches:
        if match.lobby is not None:
            raise OddsUnavailableError("Odds are simulated for elimination brackets.")
        first, second = side(match, 1), side(match, 2)
        if match.status in RESULT_STATUSES:
            w = index[match.winner_registration_id]  # type: ignore[index]
            other = next(p for p in match.participant_ids if p != match.winner_registration_id)
            won, lost = [w] * runs, [index[other]] * runs  # type: ignore[index]
        elif match.status is MatchStatus.SKIPPED:
            won, lost = [-1] * runs, [-1] * runs
        else:
            won = [a if b < 0 or (a >= 0 and draw() < win[a * n + b]) else b
                   for a, b in zip(first, second, strict=True)]  # fmt: skip
            lost = [b if w == a else a for a, b, w in zip(first, second, won, strict=True)]
        winners[match.engine_id], losers[match.engine_id] = won, lost
        if match.next_match_winner_id is None and match.round.side.value != "third_place":
            if champion is not None and not match.is_reset:
                raise OddsUnavailableError("This bracket has no single final to win.")
            if match.is_reset:
                final = by_engine[match.slot1_ref]
                wb_champion = side(final, 1)
                gf = winners[final.engine_id]
                champion = [
                    g if g == c else r for g, c, r in zip(gf, wb_champion, won, strict=True)
                ]
            else:
                champion = won
    counts = Counter(champion or [])
    return {
        "runs": runs,
        "seed": seed,
        "odds": {entry: counts.get(i, 0) / runs for i, entry in enumerate(entries)},
    }
