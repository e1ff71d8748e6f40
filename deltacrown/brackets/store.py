"""Engine stages as rows and back: insert a generated stage, rebuild the engine's view of a
stage (whole, or only the matches one result touches), and write back what changed.

Rows are the truth. A result touches its match and the (at most two) matches its
participants move to (`engine.progress`), so `load_partial` rebuilds a stage of just those
rows, with the open-match count kept on the stage row; a play-through is then linear in the
number of matches instead of quadratic. Whatever needs the whole stage (placements, a
correction's downstream walk, a Swiss round's settlement) uses `load_full`. Both compare
every loaded match with its row afterwards and save only the rows that differ.

Slots are numbered 1 and 2 in rows and in the API, 0 and 1 in the engine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from deltacrown.brackets import engine, queries
from deltacrown.brackets.models import Round, Stage
from deltacrown.core.db import table_of
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches.models import Match, MatchStatus

_KINDS = {kind.value: kind for kind in engine.SlotKind}
M, E = MatchStatus, engine.MatchStatus
# The engine's view of each status, and the status a row takes when the engine moves it.
# `cancelled` is still open for the engine: it blocks its round (and the stage) until the
# organizer settles it.
ENGINE_STATUS: dict[MatchStatus, engine.MatchStatus] = {
    M.SCHEDULED: E.PENDING,
    M.READY: E.READY,
    M.LIVE: E.READY,
    M.AWAITING_CONFIRMATION: E.READY,
    M.DISPUTED: E.READY,
    M.CANCELLED: E.READY,
    M.COMPLETED: E.COMPLETED,
    M.FORFEIT: E.COMPLETED,
    M.SKIPPED: E.SKIPPED,
}
ROW_STATUS: dict[engine.MatchStatus, MatchStatus] = {
    E.PENDING: M.SCHEDULED,
    E.READY: M.READY,
    E.COMPLETED: M.COMPLETED,
    E.SKIPPED: M.SKIPPED,
}
RowState = tuple[Any, Any, engine.MatchStatus, Any, tuple[tuple[int, int], ...]]


@dataclass(slots=True)
class Loaded:
    """An engine stage rebuilt from rows, with the rows and their state before any change."""

    row: Stage
    stage: engine.Stage
    matches: dict[str, Match]  # by engine id
    before: dict[str, RowState] = field(default_factory=dict)
    full: bool = True

    def row_id(self, engine_id: str) -> int:
        return self.matches[engine_id].id


# ----- creation ------------------------------------------------------------------------------
def create_stage(
    tournament_id: int,
    number: int,
    stage: engine.Stage,
    *,
    requested_options: dict[str, Any],
    best_of: int,
    seeding: Any,
    rng_seed: int | None,
    created_by_id: int | None,
) -> Stage:
    """Insert a generated engine stage: the stage row, its rounds and its matches."""
    row = Stage(
        tournament_id=tournament_id,
        number=number,
        format=stage.format,
        options=dict(stage.options),
        requested_options=dict(requested_options),
        best_of=best_of,
        seeding=seeding,
        rng_seed=rng_seed,
        seeds=list(stage.seeds),
        byes=list(stage.byes),
        groups=[g.to_dict() for g in stage.groups],
        lobbies=[lobby.to_dict() for lobby in stage.lobbies.values()],
        more_rounds=stage.more_rounds,
        open_count=stage.open_count,
        created_by_id=created_by_id,
    )
    db.session.add(row)
    db.session.flush()
    insert_rounds(row, stage, stage.rounds, start=0)
    if stage.lobbies:
        _insert_lobby_matches(row, stage)
    return row


def _insert_lobby_matches(row: Stage, stage: engine.Stage) -> None:
    """One match row per battle-royale lobby, in a round of side `lobby`, for the lifecycle
    (check-in, submissions, disputes); the lobby itself stays in `Stage.lobbies`."""
    holder = Round(
        stage_id=row.id, side=engine.Side.LOBBY, number=1, name="Lobbies", position=0, byes=[]
    )
    db.session.add(holder)
    db.session.flush()
    db.session.add_all(
        Match(
            tournament_id=row.tournament_id,
            stage_id=row.id,
            round_id=holder.id,
            engine_id=lobby.id,
            position=lobby.number - 1,
            number=lobby.number,
            best_of=lobby.games_total,
            status=MatchStatus.READY,
            slot1_kind="seed",
            slot1_ref="0",
            slot2_kind="seed",
            slot2_ref="0",
            scores=[],
            lobby=lobby.number,
        )
        for lobby in stage.lobbies.values()
    )
    db.session.flush()


def insert_rounds(
    row: Stage, stage: engine.Stage, rounds: list[engine.Round], *, start: int
) -> None:
    """Insert engine rounds (and their matches) at positions from `start` (a Swiss stage
    grows a round at a time)."""
    round_rows = [
        Round(
            stage_id=row.id,
            side=rnd.side,
            number=rnd.number,
            name=rnd.name,
            position=start + i,
            byes=list(rnd.byes),
        )
        for i, rnd in enumerate(rounds)
    ]
    db.session.add_all(round_rows)
    db.session.flush()
    first_position = (
        db.session.scalar(sa.select(sa.func.count(Match.id)).where(Match.stage_id == row.id)) or 0
    )
    _insert_matches(row, stage, rounds, round_rows, first_position)


def _reserve_ids(count: int) -> list[int]:
    """`count` new match ids, ascending: from the sequence on PostgreSQL; on SQLite past the
    largest id (the write transaction holds the database's lock, so nobody else inserts)."""
    if db.session.get_bind().dialect.name == "postgresql":
        ids = db.session.scalars(
            sa.text(
                "SELECT nextval(pg_get_serial_sequence('matches', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
        return sorted(ids)
    start = (db.session.scalar(sa.select(sa.func.max(Match.id))) or 0) + 1
    return list(range(start, start + count))


def _insert_matches(
    row: Stage,
    stage: engine.Stage,
    rounds: list[engine.Round],
    round_rows: list[Round],
    first_position: int,
) -> None:
    # One executemany of plain INSERTs: a 4096-player double elimination has 8,190 matches,
    # far too many for the unit of work's per-object flush, and a bulk INSERT ... RETURNING
    # (to learn the ids routing needs) costs six times as much. So the ids are reserved
    # first, in order of play, and the rows go in last match first: every match a row routes
    # to (always generated after it) is already there when the foreign key is checked.
    matches = [stage.matches[mid] for rnd in rounds for mid in rnd.match_ids]
    if not matches:
        return
    ids = dict(zip((m.id for m in matches), _reserve_ids(len(matches)), strict=True))
    round_of = {mid: (rr.id, n) for rnd, rr in zip(rounds, round_rows, strict=True)
                for n, mid in enumerate(rnd.match_ids, start=1)}  # fmt: skip
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for position, match in enumerate(matches, start=first_position):
        first, second = match.slots
        round_id, number = round_of[match.id]
        winner_to, loser_to = match.winner_to, match.loser_to
        rows.append(
            {
                "id": ids[match.id],
                "tournament_id": row.tournament_id,
                "stage_id": row.id,
                "round_id": round_id,
                "engine_id": match.id,
                "position": position,
                "number": number,
                "best_of": row.best_of,
                "status": ROW_STATUS[match.status].value,
                "is_reset": match.is_reset,
                "slot1_kind": first.kind.value,
                "slot1_ref": str(first.ref),
                "slot2_kind": second.kind.value,
                "slot2_ref": str(second.ref),
                "participant1_registration_id": first.participant,
                "participant2_registration_id": second.participant,
                "winner_registration_id": match.winner,
                "scores": [list(game) for game in match.scores],
                "next_match_winner_id": ids[winner_to.match] if winner_to else None,
                "next_match_winner_slot": winner_to.slot + 1 if winner_to else None,
                "next_match_loser_id": ids[loser_to.match] if loser_to else None,
                "next_match_loser_slot": loser_to.slot + 1 if loser_to else None,
                "scheduled_at": None,
                "completed_at": None,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    rows.reverse()
    db.session.execute(table_of(Match).insert(), rows)


# ----- rows -> engine ------------------------------------------------------------------------
def _state(match: engine.Match) -> RowState:
    first, second = match.participants
    return first, second, match.status, match.winner, match.scores


def _ref(kind: str, ref: str) -> int | str:
    return int(ref) if kind == "seed" else ref


def engine_match(row: Match, engine_ids: dict[int, str]) -> engine.Match:
    """The engine's match for a row; routing to rows not in `engine_ids` is left out (a
    partial load never follows it)."""
    winner_to = loser_to = None
    winner_id, loser_id = row.next_match_winner_id, row.next_match_loser_id
    if winner_id is not None and winner_id in engine_ids:
        winner_to = engine.Target(engine_ids[winner_id], (row.next_match_winner_slot or 1) - 1)
    if loser_id is not None and loser_id in engine_ids:
        loser_to = engine.Target(engine_ids[loser_id], (row.next_match_loser_slot or 1) - 1)
    return engine.Match(
        id=row.engine_id,
        side=row.round.side,
        round=row.round.number,
        slots=(
            engine.Slot(
                _KINDS[row.slot1_kind],
                _ref(row.slot1_kind, row.slot1_ref),
                row.participant1_registration_id,
            ),
            engine.Slot(
                _KINDS[row.slot2_kind],
                _ref(row.slot2_kind, row.slot2_ref),
                row.participant2_registration_id,
            ),
        ),
        winner_to=winner_to,
        loser_to=loser_to,
        status=ENGINE_STATUS[row.status],
        winner=row.winner_registration_id,
        scores=tuple((int(a), int(b)) for a, b in row.scores),
        is_reset=row.is_reset,
    )


def stage_fields(row: Stage) -> dict[str, Any]:
    return {
        "format": row.format,
        "options": dict(row.options),
        "seeds": list(row.seeds),
        "byes": list(row.byes),
        "groups": [engine.Group.from_dict(g) for g in row.groups],
        "lobbies": {lobby.id: lobby for lobby in (engine.Lobby.from_dict(d) for d in row.lobbies)},
        "more_rounds": row.more_rounds,
    }


def _loaded(row: Stage, stage: engine.Stage, rows: list[Match], full: bool) -> Loaded:
    loaded = Loaded(row, stage, {m.engine_id: m for m in rows}, full=full)
    loaded.before = {mid: _state(m) for mid, m in stage.matches.items()}
    return loaded


def load_full(row: Stage) -> Loaded:
    """The whole stage, from fresh rows."""
    rows = queries.stage_matches(row.id, fresh=True)
    engine_ids = {m.id: m.engine_id for m in rows}
    matches = {m.engine_id: engine_match(m, engine_ids) for m in rows}
    round_ids: dict[int, list[str]] = {}
    for m in rows:
        round_ids.setdefault(m.round_id, []).append(m.engine_id)
    rounds = [
        engine.Round(r.side, r.number, r.name, round_ids.get(r.id, []), list(r.byes))
        for r in queries.rounds_of(row.id)
    ]
    stage = engine.Stage(rounds=rounds, matches=matches, **stage_fields(row))
    return _loaded(row, stage, rows, full=True)


def load_partial(row: Stage, match_id: int) -> Loaded:
    """Just the match and the matches its winner and loser move to, from fresh rows (the
    match as the session holds it when this transaction has locked and loaded it already)."""
    match = queries.locked_match(match_id)
    if match is None:
        (match,) = queries.matches_by_id([match_id], fresh=True)
    targets = [i for i in (match.next_match_winner_id, match.next_match_loser_id) if i]
    held = [queries.locked_match(i) for i in targets]
    if any(m is None for m in held):
        held = list(queries.matches_by_id(targets, fresh=True))
    rows = [match, *(m for m in held if m is not None)]
    engine_ids = {m.id: m.engine_id for m in rows}
    matches = {m.engine_id: engine_match(m, engine_ids) for m in rows}
    stage = engine.Stage(rounds=[], matches=matches, open_count=row.open_count, **stage_fields(row))
    return _loaded(row, stage, rows, full=False)


# ----- engine -> rows ------------------------------------------------------------------------
def save(
    loaded: Loaded,
    *,
    now: datetime,
    statuses: dict[str, MatchStatus] | None = None,
    flush: bool = True,
) -> list[Match]:
    """Write back every loaded match the engine changed, and the stage's counters; returns
    the changed rows. A row keeps a richer status (live, disputed, forfeit) while the
    engine's view of it is unchanged; `statuses` (by engine id) names the row status a
    match the engine moved takes instead of the plain one (a forfeit). `flush=False` leaves
    the rows to the session's next flush (a result's later steps may change them again)."""
    changed: list[Match] = []
    statuses = statuses or {}
    for engine_id, match in loaded.stage.matches.items():
        state = _state(match)
        if state == loaded.before.get(engine_id):
            continue
        row = loaded.matches[engine_id]
        first, second, status, winner, scores = state
        row.participant1_registration_id = first  # type: ignore[assignment]
        row.participant2_registration_id = second  # type: ignore[assignment]
        row.winner_registration_id = winner  # type: ignore[assignment]
        row.scores = [list(game) for game in scores]
        if ENGINE_STATUS[row.status] is not status:
            row.transition(statuses.get(engine_id, ROW_STATUS[status]), at=now)
        changed.append(row)
    stage_row = loaded.row
    stage_row.open_count = loaded.stage.open_count
    stage_row.more_rounds = loaded.stage.more_rounds
    if flush:
        db.session.flush()
    return changed


def placements_json(placements: Iterable[engine.Placement]) -> list[dict[str, Any]]:
    return [{"placement": p.rank, "registration_id": p.participant} for p in placements]
