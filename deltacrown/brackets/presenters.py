"""Read models for the API: the bracket document, match rows and standings, with the
participants' names and seeds (one query for the names of a whole bracket or page)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from deltacrown.brackets import engine, queries, store
from deltacrown.brackets.models import Stage, StageStatus
from deltacrown.matches.models import RESULT_STATUSES, Match


class Names:
    """Display names and seeds of the registrations in a set of stages."""

    def __init__(
        self, stages: Iterable[Stage], extra: Iterable[int] = (), *, only: set[int] | None = None
    ) -> None:
        """`only`: the registrations shown (a page of matches), when not the whole stages."""
        self.seed_of: dict[tuple[int, int], int] = {}
        ids: set[int] = set(extra)
        for stage in stages:
            for index, registration_id in enumerate(stage.seeds, start=1):
                self.seed_of[stage.id, registration_id] = index
                ids.add(registration_id)
        if only is not None:
            ids &= only
        self.names = queries.registration_names(ids)

    def participant(
        self, stage_id: int, registration_id: int | None, score: int | None, result: str | None
    ) -> dict[str, Any]:
        if registration_id is None:
            return {"registration_id": None, "name": None, "seed": None, "score": score,
                    "result": result}  # fmt: skip
        return {
            "registration_id": registration_id,
            "name": self.names.get(registration_id),
            "seed": self.seed_of.get((stage_id, registration_id)),
            "score": score,
            "result": result,
        }


def _participants(
    names: Names,
    stage_id: int,
    status: Any,
    first: int | None,
    second: int | None,
    winner: int | None,
    games: Any,
) -> list[dict[str, Any]]:
    """Both sides of a match: the points of its only game or the games won, and `win`,
    `loss` or `draw` once it has a result."""
    if not games:
        first_score = second_score = None
    elif len(games) == 1:
        first_score, second_score = int(games[0][0]), int(games[0][1])
    else:
        first_score = sum(1 for a, b in games if a > b)
        second_score = sum(1 for a, b in games if b > a)
    if status not in RESULT_STATUSES:
        first_result = second_result = None
    elif winner is None:
        first_result = second_result = "draw"
    elif winner == first:
        first_result, second_result = "win", "loss"
    else:
        first_result, second_result = "loss", "win"
    return [
        names.participant(stage_id, first, first_score, first_result),
        names.participant(stage_id, second, second_score, second_result),
    ]


def participants(row: Any, names: Names) -> list[dict[str, Any]]:
    return _participants(
        names,
        row.stage_id,
        row.status,
        row.participant1_registration_id,
        row.participant2_registration_id,
        row.winner_registration_id,
        row.scores,
    )


def _match_document(
    names: Names,
    match_id: int,
    stage_id: int,
    code: str,
    number: int,
    status: Any,
    best_of: int,
    first: int | None,
    second: int | None,
    winner: int | None,
    scores: Any,
    to_winner: int | None,
    to_loser: int | None,
) -> dict[str, Any]:
    """A match as the bracket document shows it, from its columns (plain values, so a
    bracket's thousands of rows are read without attribute access)."""
    return {
        "id": match_id, "number": number, "code": code, "status": status, "best_of": best_of,
        "participants": _participants(names, stage_id, status, first, second, winner, scores),
        "scores": scores, "winner_registration_id": winner,
        "next_match_winner_id": to_winner, "next_match_loser_id": to_loser,
    }  # fmt: skip


def bracket_match(row: Any, names: Names) -> dict[str, Any]:
    return _match_document(
        names, row.id, row.stage_id, row.engine_id, row.number, row.status, row.best_of,
        row.participant1_registration_id, row.participant2_registration_id,
        row.winner_registration_id, row.scores, row.next_match_winner_id,
        row.next_match_loser_id,
    )  # fmt: skip


def match(row: Match, names: Names) -> dict[str, Any]:
    document = bracket_match(row, names)
    if row.lobby is not None:
        lobby = queries.lobby_of(row) or {"participants": []}
        document["participants"] = [
            names.participant(row.stage_id, p, None, None) for p in lobby["participants"]
        ]
    return {
        **document,
        "lobby": row.lobby,
        "tournament_id": row.tournament_id,
        "stage_id": row.stage_id,
        "round": {"number": row.round.number, "name": row.round.name, "side": row.round.side},
        "next_match_winner_slot": row.next_match_winner_slot,
        "next_match_loser_slot": row.next_match_loser_slot,
        "scheduled_at": row.scheduled_at,
        "completed_at": row.completed_at,
    }


def matches(rows: list[Match]) -> list[dict[str, Any]]:
    """Match rows of one page, named (stages loaded once)."""
    stage_ids = {row.stage_id for row in rows}
    stages = [s for s in (queries.find_stage(i) for i in stage_ids) if s is not None]
    shown: set[int] = set()
    for row in rows:
        sides = (row.participant1_registration_id, row.participant2_registration_id)
        shown.update(side for side in sides if side is not None)
        if row.lobby is not None:
            shown.update((queries.lobby_of(row) or {"participants": []})["participants"])
    names = Names(stages, only=shown)  # the names of these rows, not of the whole stages
    return [match(row, names) for row in rows]


def bracket(tournament_id: int) -> dict[str, Any]:
    """The whole bracket of a tournament, stage by stage, round by round."""
    stages = queries.stages_of(tournament_id)
    names = Names(stages)
    documents = []
    for stage in stages:
        by_round: dict[int, list[dict[str, Any]]] = {}
        ids: dict[str, int] = {}
        statuses: dict[str, Any] = {}
        # `bracket_match` of each row, from its plain columns (`queries.bracket_rows`' order).
        for (
            match_id, stage_id, round_id, code, number, status, best_of,
            first, second, winner, scores, to_winner, to_loser,
        ) in queries.bracket_rows(stage.id):  # fmt: skip
            by_round.setdefault(round_id, []).append(_match_document(
                names, match_id, stage_id, code, number, status, best_of,
                first, second, winner, scores, to_winner, to_loser,
            ))  # fmt: skip
            ids[code] = match_id
            statuses[code] = status
        rounds = [
            {
                "number": r.number,
                "name": r.name,
                "side": r.side,
                "matches": by_round.get(r.id, []),
            }
            for r in queries.rounds_of(stage.id)
        ]
        groups = [
            {
                "number": g["number"],
                "name": g["name"],
                "participants": [
                    names.participant(stage.id, p, None, None) for p in g["participants"]
                ],
                "match_ids": [ids[m] for m in g["match_ids"] if m in ids],
            }
            for g in stage.groups
        ]
        lobbies = [
            {
                "number": lobby["number"],
                "name": lobby["name"],
                "status": lobby["status"],
                "games_total": lobby["games_total"],
                "games_played": len(lobby["games"]),
                "participants": [
                    names.participant(stage.id, p, None, None) for p in lobby["participants"]
                ],
                "absent": list(lobby.get("absent", [])),
                "match_id": ids.get(lobby["id"]),
                "match_status": statuses.get(lobby["id"]),
            }
            for lobby in stage.lobbies
        ]
        documents.append(
            {
                "id": stage.id,
                "number": stage.number,
                "type": stage.format,
                "status": stage.status,
                "seeding": stage.seeding,
                "rng_seed": stage.rng_seed,
                "best_of": stage.best_of,
                "rounds": rounds,
                "groups": groups,
                "lobbies": lobbies,
            }
        )
    return {"tournament_id": tournament_id, "stages": documents}


def standings(tournament_id: int) -> list[dict[str, Any]]:
    """The tournament's final placements once known (its last stage is over), else []."""
    stages = queries.stages_of(tournament_id)
    stage = stages[-1] if stages else None
    if stage is None or stage.status is not StageStatus.COMPLETED or not stage.placements:
        return []
    names = Names([stage])
    return [
        {
            "placement": p["placement"],
            "registration_id": p["registration_id"],
            "name": names.names.get(p["registration_id"]),
        }
        for p in stage.placements
    ]


def stage_standings(tournament_id: int, stage_id: int) -> list[dict[str, Any]]:
    """One stage's tables in any state (the engine's): per group, per lobby, or the whole
    stage; `placement` is the rank within its table (`group` names it when there are
    several). A finished elimination stage ranks by its placements."""
    stage = queries.get_stage(tournament_id, stage_id)
    tables = engine.stage_standings(store.load_full(stage).stage)
    names = Names([stage])
    rows: list[dict[str, Any]] = []
    for table in tables:
        group = table.name if table.key != "stage" else None
        for row in table.rows:
            item: dict[str, Any] = {
                "placement": row.rank,
                "registration_id": row.participant,
                "name": names.names.get(row.participant),
                "group": group,
                "points": row.points,
                "decided_by": row.decided_by,
            }
            if isinstance(row, engine.LobbyRow):
                item |= {"played": row.games, "kills": row.kills}
            else:
                item |= {
                    "played": row.played,
                    "wins": row.wins,
                    "draws": row.draws,
                    "losses": row.losses,
                    "game_difference": row.game_difference,
                }
            rows.append(item)
    return rows
