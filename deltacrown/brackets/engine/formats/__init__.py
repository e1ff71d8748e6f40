"""The FORMATS registry (CTFd's CHALLENGE_CLASSES pattern): format name -> format object.

A format turns seeds and options into a stage, ranks the stage in any state (`standings`:
per group, per lobby or one table, from the shared ranking in `standings.py`) and, once the
stage is over, turns its results into placements. Result routing is the same for every elimination format (see `progress`), so a
format only describes structure. Round robin and Swiss matches route nobody; a Swiss format
also has `round_completed(stage, changes)`, which `progress` calls when a round's last result
arrives. `group_stage_playoffs` builds a round-robin or Swiss stage that records its playoff
rule, so no stage ever carries that format's name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from deltacrown.brackets.engine.errors import InvalidOptionsError, UnknownFormatError
from deltacrown.brackets.engine.formats.battle_royale import BattleRoyale
from deltacrown.brackets.engine.formats.double_elim import DoubleElimination
from deltacrown.brackets.engine.formats.group_stage import GroupStagePlayoffs
from deltacrown.brackets.engine.formats.round_robin import RoundRobin
from deltacrown.brackets.engine.formats.single_elim import SingleElimination
from deltacrown.brackets.engine.formats.swiss import Swiss
from deltacrown.brackets.engine.model import ParticipantId, Placement, Stage
from deltacrown.brackets.engine.standings import StandingsTable


class BracketFormat(Protocol):
    name: str
    min_participants: int
    defaults: dict[str, Any]

    def check_options(self, options: dict[str, Any]) -> None:
        """Raise InvalidOptionsError unless every option value is acceptable."""

    def build(self, seeds: Sequence[ParticipantId], options: dict[str, Any]) -> Stage:
        """The stage for validated seeds and options."""

    def placements(self, stage: Stage) -> list[Placement]:
        """Final placements of a completed stage, best first."""

    def standings(self, stage: Stage) -> list[StandingsTable]:
        """The stage's tables in any state: one per group, per lobby, or one for the stage."""


FORMATS: dict[str, BracketFormat] = {
    fmt.name: fmt
    for fmt in (
        SingleElimination(),
        DoubleElimination(),
        RoundRobin(),
        Swiss(),
        BattleRoyale(),
        GroupStagePlayoffs(),
    )
}


def get_format(name: str) -> BracketFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise UnknownFormatError(
            f"unknown bracket format {name!r}; known: {', '.join(sorted(FORMATS))}"
        ) from None


def normalize_options(fmt: BracketFormat, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """The format's defaults overlaid with `options`; unknown names are refused."""
    options = dict(options or {})
    unknown = sorted(set(options) - set(fmt.defaults))
    if unknown:
        raise InvalidOptionsError(f"unknown option(s) for {fmt.name}: {', '.join(unknown)}")
    merged = {**fmt.defaults, **options}
    fmt.check_options(merged)
    return merged
