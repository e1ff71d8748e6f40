"""Single elimination: standard placement, byes to the top seeds, optional third-place match."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deltacrown.brackets.engine.errors import InvalidOptionsError
from deltacrown.brackets.engine.formats._builder import (
    StageBuilder,
    as_sources,
    build_winners_bracket,
    single_elimination_round_name,
)
from deltacrown.brackets.engine.formats._placements import losers_of, rank_tiers
from deltacrown.brackets.engine.model import ParticipantId, Placement, Side, Stage
from deltacrown.brackets.engine.seeding import bracket_size, standard_order
from deltacrown.brackets.engine.standings import StandingsTable, elimination_table


class SingleElimination:
    name = "single_elimination"
    min_participants = 2
    defaults: dict[str, Any] = {"third_place": False}

    def check_options(self, options: dict[str, Any]) -> None:
        if not isinstance(options["third_place"], bool):
            raise InvalidOptionsError("third_place must be true or false")

    def build(self, seeds: Sequence[ParticipantId], options: dict[str, Any]) -> Stage:
        size = bracket_size(len(seeds))
        builder = StageBuilder(self.name, options, seeds)
        _, losers = build_winners_bracket(
            builder, size, standard_order(size), single_elimination_round_name
        )
        if options["third_place"] and len(losers) >= 2:
            # Between the semi-final losers. With 3 players one semi-final is a bye, so this
            # match resolves as a bye too and the only semi-final loser is third outright.
            semi_losers = as_sources(losers[-2])
            builder.add_match(
                builder.round(Side.THIRD_PLACE, "Third place"), semi_losers[0], semi_losers[1]
            )
        return builder.finish()

    def placements(self, stage: Stage) -> list[Placement]:
        """Champion, runner-up, third-place match (or shared 3rd), then by round of elimination."""
        winners = [r for r in stage.rounds if r.side is Side.WINNERS]
        third = [r for r in stage.rounds if r.side is Side.THIRD_PLACE]
        final = stage.matches[winners[-1].match_ids[0]]
        tiers: list[list[ParticipantId]] = [[final.winner], [final.loser]]  # type: ignore[list-item]
        earlier = winners[:-1]
        if third:
            decider = stage.matches[third[0].match_ids[0]]
            tiers += [[decider.winner], [decider.loser]]  # type: ignore[list-item]
            earlier = winners[:-2]  # the semi-final losers were placed by the match above
        tiers += [losers_of(stage, rnd) for rnd in reversed(earlier)]
        return rank_tiers(stage, tiers)

    def standings(self, stage: Stage) -> list[StandingsTable]:
        """The final placements once the stage is over; until then wins, fewer losses, seed."""
        return elimination_table(stage, self.placements(stage) if stage.is_complete else None)
