"""Battle royale: lobbies of up to K, a series of G games, points-table scoring, top M advance.

The seeds are dealt to ceil(N / lobby_size) lobbies in snake order (sizes differ by at most
one). Every game of a lobby records each member's placement (1 = last standing) and kills;
a member scores `points_table["placement"][str(placement)]` (0 when not listed) plus
`points_table["kill"]` per kill, summed over the games. A lobby ranks by points, then total
kills, then best single-game placement (DOMAIN.md), then seed, the last resort that keeps
the cut for advancing well defined. The top `advance_per_lobby` of each lobby advance:
`advancing(stage)` lists them as the seeds of the next stage, every lobby's first before any
second, each rank ordered by the same criteria.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deltacrown.brackets.engine.changes import Changes
from deltacrown.brackets.engine.errors import (
    InvalidLobbyResultError,
    InvalidOptionsError,
    MatchAlreadyCompletedError,
    StageNotCompleteError,
    UnknownLobbyError,
    WrongFormatError,
)
from deltacrown.brackets.engine.formats._placements import rank_tiers
from deltacrown.brackets.engine.formats.round_robin import snake_groups
from deltacrown.brackets.engine.model import (
    GameResult,
    Lobby,
    MatchStatus,
    ParticipantId,
    Placement,
    Stage,
)
from deltacrown.brackets.engine.standings import StandingsTable

DEFAULT_POINTS_TABLE: dict[str, Any] = {
    "placement": {"1": 15, "2": 12, "3": 10, "4": 8, "5": 6, "6": 4, "7": 2, "8": 1, "9": 1,
                  "10": 1, "11": 1, "12": 1},
    "kill": 1,
}  # fmt: skip
CRITERIA = ("points", "kills", "best_placement", "seed")


@dataclass(slots=True)
class LobbyRow:
    participant: ParticipantId
    seed: int
    rank: int = 0
    games: int = 0
    placement_points: int = 0
    kill_points: int = 0
    kills: int = 0
    best_placement: int | None = None
    decided_by: str | None = None

    @property
    def points(self) -> int:
        return self.placement_points + self.kill_points

    def sort_key(self) -> tuple[int, int, int, int]:
        best = self.best_placement if self.best_placement is not None else 1 << 30
        return (-self.points, -self.kills, best, self.seed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "participant": self.participant,
            "rank": self.rank,
            "seed": self.seed,
            "games": self.games,
            "placement_points": self.placement_points,
            "kill_points": self.kill_points,
            "points": self.points,
            "kills": self.kills,
            "best_placement": self.best_placement,
            "decided_by": self.decided_by,
        }


class BattleRoyale:
    name = "battle_royale"
    min_participants = 2
    defaults: dict[str, Any] = {
        "lobby_size": 16,
        "games": 6,
        "advance_per_lobby": 0,
        "points_table": DEFAULT_POINTS_TABLE,
    }

    def check_options(self, options: dict[str, Any]) -> None:
        for name, low in (("lobby_size", 2), ("games", 1), ("advance_per_lobby", 0)):
            value = options[name]
            if type(value) is not int or value < low:
                raise InvalidOptionsError(f"{name} must be an integer of at least {low}")
        normalize_points_table(options["points_table"])

    def build(self, seeds: Sequence[ParticipantId], options: dict[str, Any]) -> Stage:
        options = {**options, "points_table": normalize_points_table(options["points_table"])}
        members = snake_groups(len(seeds), options["lobby_size"], option="lobby_size")
        smallest = min(len(m) for m in members)
        if options["advance_per_lobby"] > smallest:
            raise InvalidOptionsError(
                f"advance_per_lobby {options['advance_per_lobby']} exceeds the smallest lobby "
                f"({smallest})"
            )
        lobbies = [
            Lobby(f"BR{n}", n, f"Lobby {n}", [seeds[s - 1] for s in numbers], options["games"])
            for n, numbers in enumerate(members, start=1)
        ]
        return Stage(
            format=self.name,
            options=options,
            seeds=list(seeds),
            byes=[],
            rounds=[],
            matches={},
            lobbies={lobby.id: lobby for lobby in lobbies},
        )

    def placements(self, stage: Stage) -> list[Placement]:
        """Tiers by lobby position: every lobby's winner shares 1st, and so on."""
        tiers: dict[int, list[ParticipantId]] = {}
        for table in lobby_tables(stage):
            for row in table.rows:
                tiers.setdefault(row.rank, []).append(row.participant)
        return rank_tiers(stage, [tiers[rank] for rank in sorted(tiers)])

    def standings(self, stage: Stage) -> list[StandingsTable]:
        """One table per lobby."""
        return lobby_tables(stage)


def normalize_points_table(table: Any) -> dict[str, Any]:
    """`{"placement": {"1": 15, ...}, "kill": 1}` with placement keys as strings of 1, 2, ..."""
    if not isinstance(table, Mapping) or set(table) != {"placement", "kill"}:
        raise InvalidOptionsError("points_table must be an object with placement and kill")
    placement, kill = table["placement"], table["kill"]
    if type(kill) is not int or kill < 0 or not isinstance(placement, Mapping):
        raise InvalidOptionsError("points_table.kill must be a non-negative integer")
    normalized: dict[str, int] = {}
    for key, points in placement.items():
        if not str(key).isdigit() or int(key) < 1 or type(points) is not int or points < 0:
            raise InvalidOptionsError(
                "points_table.placement maps placements (1, 2, ...) to non-negative integers"
            )
        normalized[str(int(key))] = points
    return {"placement": normalized, "kill": kill}


def record_lobby_game(
    stage: Stage,
    lobby_id: str,
    results: Sequence[Mapping[str, Any]],
    *,
    game: int | None = None,
) -> Changes:
    """Record the next game of a lobby, or replace game `game` (1-based) to correct it.

    `results` holds one `{participant, placement, kills}` per lobby member. Raises
    WrongFormatError, UnknownLobbyError, MatchAlreadyCompletedError (all games recorded: pass
    `game` to correct one) or InvalidLobbyResultError; the stage is unchanged then. The
    Changes carry the placements once every lobby has played all its games.
    """
    if stage.format != BattleRoyale.name:
        raise WrongFormatError(f"lobby results need a battle_royale stage, not {stage.format}")
    lobby = stage.lobbies.get(lobby_id)
    if lobby is None:
        raise UnknownLobbyError(f"no lobby {lobby_id!r} in this stage")
    checked = check_lobby_results(lobby, results)
    if game is None:
        if lobby.status is MatchStatus.COMPLETED:
            raise MatchAlreadyCompletedError(f"lobby {lobby_id} has played all its games")
        lobby.games.append(checked)
        if lobby.status is MatchStatus.COMPLETED:
            stage.open_count -= 1
    elif type(game) is int and 1 <= game <= len(lobby.games):
        lobby.games[game - 1] = checked
    else:
        raise InvalidLobbyResultError(
            f"lobby {lobby_id} has {len(lobby.games)} game(s) recorded; cannot replace {game!r}"
        )
    changes = Changes(lobby_id)
    if stage.open_count == 0:
        changes.placements = BattleRoyale().placements(stage) if stage.is_complete else None
    return changes


def check_lobby_results(
    lobby: Lobby, results: Sequence[Mapping[str, Any]]
) -> tuple[GameResult, ...]:
    """Every member exactly once, placements 1..k each once, kills >= 0; best placement first."""
    if not isinstance(results, Sequence) or not all(isinstance(r, Mapping) for r in results):
        raise InvalidLobbyResultError("results must be a list of {participant, placement, kills}")
    checked: list[GameResult] = []
    for result in results:
        if set(result) != {"participant", "placement", "kills"}:
            raise InvalidLobbyResultError("each result has exactly participant, placement, kills")
        placement, kills = result["placement"], result["kills"]
        if type(placement) is not int or type(kills) is not int:
            raise InvalidLobbyResultError("placement and kills must be integers")
        if kills < 0:
            raise InvalidLobbyResultError(f"kills must not be negative ({result['participant']!r})")
        checked.append(GameResult(result["participant"], placement, kills))
    members = set(lobby.present)
    given = [r.participant for r in checked]
    if len(given) != len(set(given)):
        raise InvalidLobbyResultError("a participant appears more than once in the results")
    if set(given) != members:
        missing = [p for p in lobby.present if p not in set(given)]
        strangers = [p for p in given if p not in members]
        raise InvalidLobbyResultError(
            f"results must cover the lobby exactly; missing {missing!r}, not in lobby {strangers!r}"
        )
    if sorted(r.placement for r in checked) != list(range(1, len(members) + 1)):
        raise InvalidLobbyResultError(f"placements must be 1 to {len(members)}, each exactly once")
    return tuple(sorted(checked, key=lambda r: r.placement))


def mark_absent(stage: Stage, lobby_id: str, absent: Sequence[ParticipantId]) -> Lobby:
    """Mark lobby members absent (no-shows) before its first game: every game then covers
    only the members present, and the absent score nothing (they rank last). Raises
    WrongFormatError, UnknownLobbyError, or InvalidLobbyResultError (a game was already
    recorded, a stranger to the lobby, or nobody would be left to play)."""
    if stage.format != BattleRoyale.name:
        raise WrongFormatError(f"absences need a battle_royale stage, not {stage.format}")
    lobby = stage.lobbies.get(lobby_id)
    if lobby is None:
        raise UnknownLobbyError(f"no lobby {lobby_id!r} in this stage")
    if lobby.games:
        raise InvalidLobbyResultError(f"lobby {lobby_id} has played; absences come before")
    strangers = [p for p in absent if p not in lobby.participants]
    if strangers:
        raise InvalidLobbyResultError(f"not in lobby {lobby_id}: {strangers!r}")
    marked = [p for p in lobby.participants if p in set(absent) or p in lobby.absent]
    if len(marked) >= len(lobby.participants):
        raise InvalidLobbyResultError(f"lobby {lobby_id} needs at least one member present")
    lobby.absent = marked
    return lobby


def lobby_rows(stage: Stage, lobby: Lobby) -> list[LobbyRow]:
    """A lobby's standings, best first; `decided_by` names the first criterion that differs."""
    table = stage.options["points_table"]
    placement_points: dict[str, int] = table["placement"]
    seed = {p: i for i, p in enumerate(stage.seeds, start=1)}
    rows = {p: LobbyRow(p, seed[p]) for p in lobby.participants}
    for game in lobby.games:
        for result in game:
            row = rows[result.participant]
            row.games += 1
            row.placement_points += placement_points.get(str(result.placement), 0)
            row.kill_points += table["kill"] * result.kills
            row.kills += result.kills
            if row.best_placement is None or result.placement < row.best_placement:
                row.best_placement = result.placement
    ordered = sorted(rows.values(), key=LobbyRow.sort_key)
    for i, row in enumerate(ordered):
        row.rank = i + 1
        if i + 1 < len(ordered):
            below = ordered[i + 1].sort_key()
            row.decided_by = next(
                name for name, a, b in zip(CRITERIA, row.sort_key(), below, strict=True) if a != b
            )
    return ordered


def lobby_tables(stage: Stage) -> list[StandingsTable]:
    return [
        StandingsTable(lobby.id, lobby.name, lobby_rows(stage, lobby))
        for lobby in stage.lobbies.values()
    ]


def advancing(stage: Stage) -> list[ParticipantId]:
    """The top `advance_per_lobby` of each lobby, as seeds for the next stage (see above)."""
    if stage.format != BattleRoyale.name:
        raise WrongFormatError(f"advancing needs a battle_royale stage, not {stage.format}")
    if not stage.is_complete:
        raise StageNotCompleteError("every lobby must play all its games first")
    count = stage.options["advance_per_lobby"]
    tables = [lobby_rows(stage, lobby) for lobby in stage.lobbies.values()]
    out: list[ParticipantId] = []
    for rank in range(count):
        out.extend(
            row.participant for row in sorted((t[rank] for t in tables), key=LobbyRow.sort_key)
        )
    return out
