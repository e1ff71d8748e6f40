"""Round robin: circle-method schedules, optional snake-seeded groups, single or double legs.

Groups: `group_size` asks for groups of about that size; the stage makes ceil(N / group_size)
groups and deals the seeds to them in snake order (1 2 3 4 | 8 7 6 5 | 9 ...), so sizes differ
by at most one and every group gets a fair share of strong and weak seeds. No group size
means one group of everyone.

Schedule (per group, the circle method): seat the group's best seed fixed and the others
around the circle; each round pairs seat i with seat m-1-i, then everyone but the fixed seat
moves one place. With an odd number a phantom takes a seat and whoever meets it rests that
round. m-1 rounds pair every couple exactly once; the fixed seat alternates sides, the others
change sides as they move round the circle. A double round robin repeats the m-1 rounds in
the same order with sides swapped. Round r of every group is one stage round (ids
`G<group>.<round>.<n>`): groups play in parallel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deltacrown.brackets.engine.errors import InvalidOptionsError
from deltacrown.brackets.engine.formats._placements import rank_tiers
from deltacrown.brackets.engine.model import (
    Group,
    Match,
    MatchStatus,
    ParticipantId,
    Placement,
    Round,
    Side,
    Slot,
    SlotKind,
    Stage,
)
from deltacrown.brackets.engine.standings import (
    DEFAULT_POINTS,
    ROUND_ROBIN_TIE_BREAKERS,
    StandingsTable,
    check_points,
    check_tie_breakers,
    group_tables,
)

Pairing = tuple[int, int]  # (seed in slot 1, seed in slot 2)


class RoundRobin:
    name = "round_robin"
    min_participants = 2
    defaults: dict[str, Any] = {
        "group_size": None,
        "double_round_robin": False,
        "allow_draws": True,
        "points": DEFAULT_POINTS,
        "tie_breakers": list(ROUND_ROBIN_TIE_BREAKERS),
    }

    def check_options(self, options: dict[str, Any]) -> None:
        size = options["group_size"]
        if size is not None and (type(size) is not int or size < 2):
            raise InvalidOptionsError("group_size must be an integer of at least 2, or null")
        for flag in ("double_round_robin", "allow_draws"):
            if not isinstance(options[flag], bool):
                raise InvalidOptionsError(f"{flag} must be true or false")
        check_points(options["points"])
        check_tie_breakers(options["tie_breakers"])

    def build(self, seeds: Sequence[ParticipantId], options: dict[str, Any]) -> Stage:
        options = {
            **options,
            "points": dict(options["points"]),
            "tie_breakers": list(options["tie_breakers"]),
        }
        members = snake_groups(len(seeds), options["group_size"])
        legs = 2 if options["double_round_robin"] else 1
        groups = [
            Group(g, group_name(g), [seeds[s - 1] for s in numbers])
            for g, numbers in enumerate(members, start=1)
        ]
        schedules = [circle_schedule(numbers) for numbers in members]
        matches: dict[str, Match] = {}
        rounds: list[Round] = []
        longest = max(len(schedule) for schedule in schedules)
        for leg in range(legs):
            for r in range(longest):
                number = leg * longest + r + 1
                rnd = Round(Side.GROUP, number, f"Round {number}")
                for group, schedule in zip(groups, schedules, strict=True):
                    if r >= len(schedule):
                        continue  # a smaller group has fewer rounds
                    for i, (a, b) in enumerate(schedule[r], start=1):
                        home, away = (b, a) if leg else (a, b)
                        match = _match(f"G{group.number}.{number}.{i}", number, seeds, home, away)
                        matches[match.id] = match
                        rnd.match_ids.append(match.id)
                        group.match_ids.append(match.id)
                rounds.append(rnd)
        return Stage(
            format=self.name,
            options=options,
            seeds=list(seeds),
            byes=[],
            rounds=rounds,
            matches=matches,
            groups=groups,
        )

    def placements(self, stage: Stage) -> list[Placement]:
        """One group: its standings. Several: tiers by group position (the group winners share
        1st, the runners-up the next rank, ...), with ties inside a group kept shared."""
        tiers: dict[int, list[ParticipantId]] = {}
        for table in group_tables(stage):
            for row in table.rows:
                tiers.setdefault(row.rank, []).append(row.participant)
        return rank_tiers(stage, [tiers[rank] for rank in sorted(tiers)])

    def standings(self, stage: Stage) -> list[StandingsTable]:
        """One table per group."""
        return group_tables(stage)


def _match(
    match_id: str, number: int, seeds: Sequence[ParticipantId], home: int, away: int
) -> Match:
    slots = (
        Slot(SlotKind.SEED, home, seeds[home - 1]),
        Slot(SlotKind.SEED, away, seeds[away - 1]),
    )
    return Match(match_id, Side.GROUP, number, slots, status=MatchStatus.READY)


def snake_groups(n: int, group_size: int | None, option: str = "group_size") -> list[list[int]]:
    """Seed numbers 1..n dealt to ceil(n / group_size) groups in snake order, best first."""
    count = 1 if group_size is None else -(-n // group_size)
    if n // count < 2:
        raise InvalidOptionsError(
            f"{option} {group_size} would leave a group of one among {n} participants"
        )
    groups: list[list[int]] = [[] for _ in range(count)]
    for index in range(n):
        row, column = divmod(index, count)
        groups[column if row % 2 == 0 else count - 1 - column].append(index + 1)
    return groups


def circle_schedule(members: Sequence[int]) -> list[list[Pairing]]:
    """Rounds of pairings of `members` by the circle method (see the module docstring)."""
    seats: list[int | None] = list(members)
    if len(seats) % 2:
        seats.append(None)  # the phantom
    m = len(seats)
    fixed, circle = seats[0], seats[1:]
    rounds: list[list[Pairing]] = []
    for r in range(m - 1):
        line = [fixed, *circle]
        pairs: list[Pairing] = []
        for i in range(m // 2):
            a, b = line[i], line[m - 1 - i]
            if i == 0 and r % 2:
                a, b = b, a
            if a is not None and b is not None:
                pairs.append((a, b))
        rounds.append(pairs)
        circle = circle[-1:] + circle[:-1]
    return rounds


def group_name(number: int) -> str:
    """Group A ... Z, AA, AB, ... (bijective base 26)."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return f"Group {letters}"
