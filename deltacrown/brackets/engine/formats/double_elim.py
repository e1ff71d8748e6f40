"""Double elimination: winners' bracket, losers' bracket with alternating drops, grand final.

For a winners' bracket of k rounds the losers' bracket has 2(k-1) rounds. Losers' round 1
pairs the winners' round-1 losers in order; after it, each winners' round j >= 2 drops its
losers into a round against the losers'-bracket survivors, followed (except after the last
drop) by a round among survivors only. The drop order alternates, reversed for winners'
round 2, natural for round 3, reversed for round 4, ...: reversing sends the loser of
winners' match i to the other half of the losers' bracket, so nobody meets, in the first drop
round, the player they beat in winners' round 1 (8 players: L2.1 is L(W2.2) v W(L1.1)).

Grand final `none`: the stage ends with the winners' and the losers' bracket champions
ranked 1st and 2nd (for a stage feeding another stage); `single`: one match; `double`: a
reset match, played only if the losers'-bracket champion wins the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deltacrown.brackets.engine.errors import InvalidOptionsError
from deltacrown.brackets.engine.formats._builder import (
    Feeds,
    Source,
    StageBuilder,
    as_sources,
    build_winners_bracket,
    halves,
    reverse,
    single_elimination_round_name,
)
from deltacrown.brackets.engine.formats._placements import losers_of, rank_tiers
from deltacrown.brackets.engine.model import (
    MatchStatus,
    ParticipantId,
    Placement,
    Side,
    SlotKind,
    Stage,
)
from deltacrown.brackets.engine.seeding import bracket_size, standard_order
from deltacrown.brackets.engine.standings import StandingsTable, elimination_table

GRAND_FINALS = ("none", "single", "double")


def winners_round_name(r: int, rounds: int) -> str:
    """Winners final, Winners semi-finals, ..., Winners round of 16."""
    return "Winners " + single_elimination_round_name(r, rounds).lower()


class DoubleElimination:
    name = "double_elimination"
    min_participants = 3
    defaults: dict[str, Any] = {"grand_final": "double"}

    def check_options(self, options: dict[str, Any]) -> None:
        if options["grand_final"] not in GRAND_FINALS:
            raise InvalidOptionsError(f"grand_final must be one of {', '.join(GRAND_FINALS)}")

    def build(self, seeds: Sequence[ParticipantId], options: dict[str, Any]) -> Stage:
        size = bracket_size(len(seeds))
        builder = StageBuilder(self.name, options, seeds)
        wb_champion, wb_losers = build_winners_bracket(
            builder, size, standard_order(size), winners_round_name
        )
        lb_champion = _build_losers_bracket(builder, wb_losers)
        grand_final = options["grand_final"]
        if grand_final != "none":
            final = builder.round(Side.GRAND_FINAL, "Grand final")
            builder.add_match(final, wb_champion, lb_champion)
            if grand_final == "double":
                first_id = next(reversed(builder.matches))
                builder.add_match(
                    builder.round(Side.GRAND_FINAL, "Grand final reset"),
                    (SlotKind.WINNER, first_id),
                    (SlotKind.LOSER, first_id),
                    is_reset=True,
                )
        return builder.finish()

    def placements(self, stage: Stage) -> list[Placement]:
        """Champion and runner-up, then by losers' round of elimination (later is better)."""
        losers_rounds = [r for r in stage.rounds if r.side is Side.LOSERS]
        finals = [
            stage.matches[r.match_ids[0]]
            for r in stage.rounds
            if r.side is Side.GRAND_FINAL
            and stage.matches[r.match_ids[0]].status is MatchStatus.COMPLETED
        ]
        tiers: list[list[ParticipantId]]
        if finals:
            decider = finals[-1]  # the reset if it was played, else the grand final
            tiers = [[decider.winner], [decider.loser]]  # type: ignore[list-item]
        else:  # grand final "none": both bracket champions, undefeated one first
            winners_final = next(r for r in reversed(stage.rounds) if r.side is Side.WINNERS)
            losers_final = stage.matches[losers_rounds[-1].match_ids[0]]
            wb_champion = stage.matches[winners_final.match_ids[0]].winner
            tiers = [[wb_champion], [losers_final.winner]]  # type: ignore[list-item]
        tiers += [losers_of(stage, rnd) for rnd in reversed(losers_rounds)]
        return rank_tiers(stage, tiers)

    def standings(self, stage: Stage) -> list[StandingsTable]:
        """The final placements once the stage is over; until then wins, fewer losses, seed."""
        return elimination_table(stage, self.placements(stage) if stage.is_complete else None)


def _build_losers_bracket(builder: StageBuilder, wb_losers: list[Feeds]) -> Source:
    template = "Losers round {number}"
    first = builder.round(Side.LOSERS, template)
    survivors, _ = builder.add_round(first, *halves(wb_losers[0]))
    last = len(wb_losers) - 1
    for j in range(1, len(wb_losers)):  # j = winners' round j + 1
        drops = reverse(wb_losers[j]) if j % 2 else wb_losers[j]
        pending = builder.round(Side.LOSERS, template)
        survivors, _ = builder.add_round(pending, drops, survivors)
        if j < last:
            pending = builder.round(Side.LOSERS, template)
            survivors, _ = builder.add_round(pending, *halves(survivors))
    return as_sources(survivors)[0]
