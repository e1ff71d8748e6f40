"""Placement helpers shared by the elimination formats."""

from __future__ import annotations

from deltacrown.brackets.engine.model import ParticipantId, Placement, Round, Stage


def losers_of(stage: Stage, rnd: Round) -> list[ParticipantId]:
    """The participants who lost a match of `rnd` (in a round where losing eliminates)."""
    return [stage.matches[mid].loser for mid in rnd.match_ids]  # type: ignore[misc]


def rank_tiers(stage: Stage, tiers: list[list[ParticipantId]]) -> list[Placement]:
    """Tiers best first; everyone in a tier shares rank 1 + (number placed above them)."""
    seed = {p: i for i, p in enumerate(stage.seeds)}
    placements: list[Placement] = []
    for tier in tiers:
        rank = len(placements) + 1
        placements.extend(Placement(p, rank) for p in sorted(tier, key=seed.__getitem__))
    return placements
