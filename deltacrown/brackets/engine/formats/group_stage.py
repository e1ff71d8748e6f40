"""Group stage then playoffs: round-robin groups (or one Swiss pool), then an elimination bracket.

`generate("group_stage_playoffs", seeds, options)` returns the group stage: a `round_robin`
(or `swiss`) stage whose `options["playoffs"]` records the declared rule (`advance_per_group`,
the playoff format and its options). When that stage is over (its last result's Changes
carry placements), `generate_playoffs(stage)` builds the playoff stage with the elimination
formats, seeded by `playoff_seeds`:

- Round-robin groups: the group winners take the top seeds in group order (A1, B1, C1, ...),
  so with up to four groups they cannot meet before the semi-finals (standard seeding puts
  seeds 1-4 in different quarters). Each further tier (the runners-up, then the thirds, ...)
  takes the next seed numbers, assigned by a matching that keeps players of the same group
  as far apart in the bracket as possible: an earlier meeting outweighs any number of later
  ones, and among equal choices the group order is kept. With two groups and two advancing
  this is the classic cross-over, A1 v B2 and B1 v A2, and group-mates can meet only in the
  final.
- A Swiss pool: the top `advance_per_group` of its standings in order (for an X-wins Swiss,
  by default everyone who reached X wins).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import networkx as nx

from deltacrown.brackets.engine.errors import (
    InvalidOptionsError,
    InvalidSeedsError,
    StageNotCompleteError,
    WrongFormatError,
)
from deltacrown.brackets.engine.formats.double_elim import DoubleElimination
from deltacrown.brackets.engine.formats.round_robin import RoundRobin, snake_groups
from deltacrown.brackets.engine.formats.single_elim import SingleElimination
from deltacrown.brackets.engine.formats.swiss import Swiss, swiss_qualifiers
from deltacrown.brackets.engine.model import ParticipantId, Placement, Stage
from deltacrown.brackets.engine.seeding import bracket_size, standard_order
from deltacrown.brackets.engine.standings import DEFAULT_POINTS, StandingsTable, group_tables

# The formats a group stage combines (the registry in `formats/__init__` imports this module).
GROUP_FORMATS: dict[str, RoundRobin | Swiss] = {"round_robin": RoundRobin(), "swiss": Swiss()}
PLAYOFF_FORMATS: dict[str, SingleElimination | DoubleElimination] = {
    "single_elimination": SingleElimination(),
    "double_elimination": DoubleElimination(),
}
# Which of the combined options belong to which part.
GROUP_OPTIONS = {
    "round_robin": ("group_size", "double_round_robin", "allow_draws", "points", "tie_breakers"),
    "swiss": ("swiss_rounds", "swiss_wins_to_advance", "allow_draws", "points", "tie_breakers"),
}
PLAYOFF_OPTIONS = {"single_elimination": ("third_place",), "double_elimination": ("grand_final",)}


class GroupStagePlayoffs:
    name = "group_stage_playoffs"
    min_participants = 3
    defaults: dict[str, Any] = {
        "group_format": "round_robin",
        "group_size": None,
        "double_round_robin": False,
        "swiss_rounds": None,
        "swiss_wins_to_advance": None,
        "allow_draws": None,  # None: the group format's default
        "points": DEFAULT_POINTS,
        "tie_breakers": None,  # None: the group format's default
        "advance_per_group": 2,  # None: only for an X-wins Swiss, everyone with X wins
        "playoff_format": "single_elimination",
        "third_place": False,
        "grand_final": "double",
    }

    def check_options(self, options: dict[str, Any]) -> None:
        group_format, playoff_format = options["group_format"], options["playoff_format"]
        if group_format not in GROUP_FORMATS:
            raise InvalidOptionsError(f"group_format must be one of {', '.join(GROUP_FORMATS)}")
        if playoff_format not in PLAYOFF_FORMATS:
            raise InvalidOptionsError(f"playoff_format must be one of {', '.join(PLAYOFF_FORMATS)}")
        for name, default in self.defaults.items():
            used = name in GROUP_OPTIONS[group_format] or name in PLAYOFF_OPTIONS[playoff_format]
            if not used and name not in ("group_format", "playoff_format", "advance_per_group"):
                if options[name] != default:
                    raise InvalidOptionsError(f"{name} does not apply to this group stage")
        advance = options["advance_per_group"]
        if advance is None:
            if options["swiss_wins_to_advance"] is None:
                raise InvalidOptionsError("advance_per_group is required")
        elif type(advance) is not int or advance < 1:
            raise InvalidOptionsError("advance_per_group must be a positive integer")
        GROUP_FORMATS[group_format].check_options(_group_options(options))
        PLAYOFF_FORMATS[playoff_format].check_options(_playoff_options(options))

    def build(self, seeds: Sequence[ParticipantId], options: dict[str, Any]) -> Stage:
        group_format = GROUP_FORMATS[options["group_format"]]
        advance = options["advance_per_group"]
        if options["group_format"] == "round_robin":
            groups = snake_groups(len(seeds), options["group_size"])
            qualifiers = len(groups) * advance
            if advance > min(len(g) for g in groups):
                raise InvalidOptionsError(f"advance_per_group {advance} exceeds the smallest group")
        else:
            qualifiers = len(seeds) if advance is None else advance
            if qualifiers > len(seeds):
                raise InvalidOptionsError(f"advance_per_group {advance} exceeds the field")
        playoff = PLAYOFF_FORMATS[options["playoff_format"]]
        if advance is not None and qualifiers < playoff.min_participants:
            raise InvalidSeedsError(
                f"{qualifiers} qualifier(s) cannot play {playoff.name}; it needs "
                f"{playoff.min_participants}"
            )
        stage = group_format.build(seeds, _group_options(options))
        stage.options["playoffs"] = {
            "advance_per_group": advance,
            "format": playoff.name,
            "options": _playoff_options(options),
        }
        return stage

    def placements(self, stage: Stage) -> list[Placement]:
        return GROUP_FORMATS[stage.format].placements(stage)

    def standings(self, stage: Stage) -> list[StandingsTable]:
        return GROUP_FORMATS[stage.format].standings(stage)


def _group_options(options: dict[str, Any]) -> dict[str, Any]:
    group_format = GROUP_FORMATS[options["group_format"]]
    picked = {name: options[name] for name in GROUP_OPTIONS[options["group_format"]]}
    merged = {**group_format.defaults, **picked}
    for name in ("allow_draws", "tie_breakers"):
        if merged[name] is None:
            merged[name] = group_format.defaults[name]
    return merged


def _playoff_options(options: dict[str, Any]) -> dict[str, Any]:
    return {name: options[name] for name in PLAYOFF_OPTIONS[options["playoff_format"]]}


def generate_playoffs(group_stage: Stage) -> Stage:
    """The playoff stage of a completed group stage made by `group_stage_playoffs`.

    Raises WrongFormatError (the stage has no playoff rule), StageNotCompleteError, or
    InvalidSeedsError (an X-wins Swiss left too few qualifiers).
    """
    plan = group_stage.options.get("playoffs")
    if not plan:
        raise WrongFormatError("this stage was not generated as group_stage_playoffs")
    seeds = playoff_seeds(group_stage, plan["advance_per_group"])
    playoff = PLAYOFF_FORMATS[plan["format"]]
    if len(seeds) < playoff.min_participants:
        raise InvalidSeedsError(f"{len(seeds)} qualifier(s) cannot play {playoff.name}")
    return playoff.build(seeds, {**playoff.defaults, **plan["options"]})


def playoff_seeds(group_stage: Stage, advance_per_group: int | None) -> list[ParticipantId]:
    """The playoff seed list from a completed group stage (see the module docstring)."""
    if not group_stage.is_complete:
        raise StageNotCompleteError("the group stage is not over")
    if group_stage.format == "swiss":
        qualifiers = swiss_qualifiers(group_stage)
        return qualifiers if advance_per_group is None else qualifiers[:advance_per_group]
    if group_stage.format != "round_robin" or advance_per_group is None:
        raise WrongFormatError("playoff seeds come from round-robin groups or a Swiss pool")
    tables = group_tables(group_stage)
    tiers = [[table.rows[t].participant for table in tables] for t in range(advance_per_group)]
    return _separate_group_mates(tiers)


def _separate_group_mates(tiers: list[list[ParticipantId]]) -> list[ParticipantId]:
    """Seed numbers tier by tier; tiers[t][g] is the (t+1)-th of group g."""
    groups = len(tiers[0])
    total = groups * len(tiers)
    size = bracket_size(total)
    position = {seed: i for i, seed in enumerate(standard_order(size))}
    last_round = size.bit_length() - 1
    placed: list[list[int]] = [[] for _ in range(groups)]  # seed numbers taken, per group
    seeds: list[ParticipantId] = list(tiers[0])
    for g in range(groups):
        placed[g].append(g + 1)
    for t, tier in enumerate(tiers[1:], start=1):
        numbers = list(range(t * groups + 1, (t + 1) * groups + 1))
        costs = {}
        for g in range(groups):
            for k, number in enumerate(numbers):
                penalty = sum(
                    (total + 1) ** (last_round - _meeting_round(position, number, mate))
                    for mate in placed[g]
                )
                # Lower penalty first; then keep the group order (tiny, below one penalty unit).
                costs[g, number] = penalty * (groups * groups + 1) + abs(k - g)
        ceiling = max(costs.values()) + 1  # networkx wants the weights positive
        graph = nx.Graph()
        for (g, number), cost in costs.items():
            graph.add_edge(("group", g), ("seed", number), weight=ceiling - cost)
        matching = nx.max_weight_matching(graph, maxcardinality=True)
        chosen = {}
        for a, b in matching:
            group_node, seed_node = (a, b) if a[0] == "group" else (b, a)
            chosen[seed_node[1]] = group_node[1]
        for number in numbers:
            g = chosen[number]
            placed[g].append(number)
            seeds.append(tier[g])
    return seeds


def _meeting_round(position: dict[int, int], a: int, b: int) -> int:
    """The round in which seeds a and b would meet if both kept winning (1 = first round)."""
    return (position[a] ^ position[b]).bit_length()
