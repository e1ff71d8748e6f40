"""An organizer's result in the common case, written in two statements instead of the unit of
work's eight: `enter_result` tries it first, and anything uncommon falls back to the full
path (`organizer._enter`) before a row is written.

The common case: a head-to-head match of an ongoing elimination or round-robin stage, ready
or live, without open submissions or an open dispute, entered by an organizer, referee or
staff member, while more than two of the stage's matches are open (so the result can
neither finish the stage nor need more than the match and the two it feeds). What it does
is what the full path does, in the same order: the engine moves the result through the rows
it touches, the matches it readies go live when the tournament starts matches by itself, the
match's history, the audit entry, the live events, the state changes, `match_completed` and
the cached reads' versions. `tests/matches/test_direct_results.py` plays whole brackets
both ways and compares every row, event and signal.

PostgreSQL only (the embedded SQLite database takes the full path); `DIRECT_RESULTS = False`
turns it off.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app

from deltacrown.brackets import engine, store
from deltacrown.brackets.models import Stage
from deltacrown.brackets.services import results
from deltacrown.core import audit, cache_versions, outbox, realtime
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.matches import lifecycle, policies, queries, scoring
from deltacrown.matches.models import RESULT_STATUSES, TRANSITIONS, Match, MatchEvent
from deltacrown.matches.models import MatchStatus as M
from deltacrown.tournaments.models import Tournament, TournamentStatus

OPEN = (M.READY, M.LIVE)
LEAGUE_OR_ELIMINATION = frozenset({"single_elimination", "double_elimination", "round_robin"})


@dataclass(slots=True)
class _Round:
    side: Any
    number: int


@dataclass(slots=True)
class _Row:
    """A locked match row as the engine's `store.engine_match` and the event payloads read
    it (no ORM object: none is loaded)."""

    id: int
    tournament_id: int
    stage_id: int
    engine_id: str
    position: int
    best_of: int
    status: M
    is_reset: bool
    slot1_kind: str
    slot1_ref: str
    slot2_kind: str
    slot2_ref: str
    participant1_registration_id: int | None
    participant2_registration_id: int | None
    winner_registration_id: int | None
    scores: list[Any]
    next_match_winner_id: int | None
    next_match_winner_slot: int | None
    next_match_loser_id: int | None
    next_match_loser_slot: int | None
    scheduled_at: datetime | None
    lobby: int | None
    round: _Round
    old_status: M = M.READY
    old_winner: int | None = None
    old_scores: list[Any] = field(default_factory=list)
    completed_at: datetime | None = None
    changed: bool = False

    @property
    def participant_ids(self) -> tuple[int | None, int | None]:
        return self.participant1_registration_id, self.participant2_registration_id


@dataclass(slots=True)
class _StageRow:
    id: int
    format: str
    options: dict[str, Any]
    seeds: list[Any]
    byes: list[Any]
    groups: list[Any]
    lobbies: list[Any]
    more_rounds: bool
    open_count: int


def enabled() -> bool:
    return bool(current_app.config.get("DIRECT_RESULTS", True)) and (
        db.session.get_bind().dialect.name == "postgresql"
    )


def try_enter(
    match_id: int,
    *,
    winner: int | None,
    games: Sequence[Sequence[int]],
    actor: Any,
    reason: str | None,
    announce: bool,
    now: datetime,
) -> bool:
    """Enter the result if it is the common case (see the module); False, having written
    nothing, when it is not (the caller takes the full path, which also raises whatever the
    request deserves)."""
    tournament, locked = queries.lock_for_direct_result(match_id)
    if (
        tournament is None
        or tournament.is_deleted
        or tournament.status is not TournamentStatus.ONGOING
        or not policies.can_record_result(actor, cast(Tournament, tournament))
    ):
        return False
    row = next((r for r in locked if r.id == match_id), None)
    if row is None or not _common(row, tournament):
        return False
    rows = {r.id: _row(r) for r in locked}
    match = rows[match_id]
    games = scoring.normalise_games(games)
    try:
        scoring.check_result(winner, games, match.participant_ids, match.best_of, False)
    except Exception:  # the full path raises it with its whole context
        return False
    targets = [rows.get(i) for i in (match.next_match_winner_id, match.next_match_loser_id) if i]
    if any(t is None for t in targets):
        return False
    ordered = [match, *cast(list[_Row], targets)]
    stage = _stage(row)
    changes = _apply(stage, ordered, winner, games, now)
    if changes is None:
        return False
    _announce_result(tournament, match, ordered, changes, announce)
    started = _starting(ordered) if tournament.auto_start_matches else []
    for live in started:  # lifecycle.go_live, started by nobody
        live.status = M.LIVE
        realtime.announce_state_change(Match.status, live, M.READY.value, M.LIVE.value)
        lifecycle.publish_event(cast(Match, live), "match.started", automatic=True)
    _write(stage, match, ordered, started, games, actor, reason, now)
    return True


def _common(row: Any, tournament: queries.TournamentFacts) -> bool:
    return bool(
        row.lobby is None
        and row.status in OPEN
        and not row.open_submissions
        and not row.open_dispute
        and not (tournament.auto_start_matches and row.waiting)  # others wait to be started
        and row.stage_format in LEAGUE_OR_ELIMINATION
        and not row.stage_more_rounds
        and not row.stage_lobbies
        and row.stage_open_count > 2
        and row.tournament_id == tournament.id
    )


def _row(r: Any) -> _Row:
    values = {name: getattr(r, name) for name in queries.ROW_COLUMNS}
    return _Row(**values, round=_Round(r.side, r.round_number), old_status=r.status,
                old_winner=r.winner_registration_id, old_scores=list(r.scores))  # fmt: skip


def _stage(r: Any) -> _StageRow:  # `r`: the match's own row (it carries the documents)
    return _StageRow(r.stage_id, **{name: getattr(r, f"stage_{name}") for name in
                                    queries.STAGE_COLUMNS})  # fmt: skip


def _apply(
    stage: _StageRow, ordered: list[_Row], winner: int | None, games: list[list[int]],
    now: datetime,
) -> engine.Changes | None:  # fmt: skip
    """The engine's result on the rows (as `store.load_partial` and `store.save`): what it
    changed, or None when the engine or a row's transition refuses it (the full path
    says why)."""
    engine_ids = {r.id: r.engine_id for r in ordered}
    matches = {r.engine_id: store.engine_match(cast(Match, r), engine_ids) for r in ordered}
    partial = engine.Stage(rounds=[], matches=matches, open_count=stage.open_count,
                           **store.stage_fields(cast(Stage, stage)))  # fmt: skip
    before = {mid: _state(m) for mid, m in matches.items()}
    try:
        changes = engine.apply_result(partial, ordered[0].engine_id, winner, games)
    except engine.BracketError:
        return None
    if changes.placements is not None or changes.round_completed is not None:
        return None
    by_engine = {r.engine_id: r for r in ordered}
    for engine_id, m in partial.matches.items():
        state = _state(m)
        if state == before[engine_id]:
            continue
        r = by_engine[engine_id]
        first, second, status, winner_id, scores = state
        r.participant1_registration_id, r.participant2_registration_id = first, second
        r.winner_registration_id, r.scores = winner_id, [list(g) for g in scores]
        if store.ENGINE_STATUS[r.status] is not status:
            to = store.ROW_STATUS[status]
            if (r.status, to) not in TRANSITIONS:
                return None
            if to in RESULT_STATUSES:
                r.completed_at = now
            r.status = to
        r.changed = True
    stage.open_count = partial.open_count
    stage.more_rounds = partial.more_rounds
    return changes


def _state(m: engine.Match) -> tuple[Any, ...]:
    first, second = m.participants
    return first, second, m.status, m.winner, m.scores


def _starting(ordered: list[_Row]) -> list[_Row]:
    return sorted(
        (r for r in ordered if r.changed and r.status is M.READY and r.scheduled_at is None
         and r.lobby is None), key=lambda r: (r.position, r.id),
    )  # fmt: skip


def _announce_result(
    tournament: queries.TournamentFacts, match: _Row, ordered: list[_Row],
    changes: engine.Changes, announce: bool,
) -> None:  # fmt: skip
    """What `store.save`'s transitions, `brackets.services.results.announce_result` and
    `publish_bracket_updated` send, in their order."""
    changed = [r for r in ordered if r.changed]
    for r in changed:
        if r.status is not r.old_status:
            realtime.announce_state_change(Match.status, r, r.old_status.value, r.status.value)
    results.announce_result(
        cast(Tournament, tournament), cast(Match, match), cast(list[Match], changed), changes
    )
    if announce:
        lifecycle.publish_bracket_updated(cast(Match, match))


def _write(
    stage: _StageRow, match: _Row, ordered: list[_Row], started: list[_Row],
    games: list[list[int]], actor: Any, reason: str | None, now: datetime,
) -> None:  # fmt: skip
    """The rows, the stage's counters, the match's history (the matches started, then the
    result) and the audit entry, in one statement; the session's copies of the rows are
    expired and the cached reads' versions counted."""
    changed = [r for r in ordered if r.changed]
    history: list[tuple[int, str, int | None, dict[str, Any]]] = [
        (r.id, "started", None, {"automatic": True}) for r in started
    ]
    history.append((match.id, "result_overridden", getattr(actor, "id", None),
                    {"games": games, "reason": reason}))  # fmt: skip
    entry = audit.entry_values(
        actor=actor,
        action="match.result_recorded",
        target_type="matches",
        target_id=match.id,
        before={"status": match.old_status.value, "winner_registration_id": match.old_winner,
                "scores": [list(g) for g in match.old_scores]},
        after={"status": match.status.value, "winner_registration_id":
               match.winner_registration_id, "scores": [list(g) for g in match.scores],
               "reason": reason},
    )  # fmt: skip
    params: dict[str, Any] = {
        "written": utcnow(), "now": now, "tournament_id": match.tournament_id,
        "stage_id": match.stage_id, "open_count": stage.open_count,
        "more_rounds": stage.more_rounds,
        **{f"a_{name}": value for name, value in entry.items()},
        "a_before": json.dumps(entry["before"]), "a_after": json.dumps(entry["after"]),
    }  # fmt: skip
    for i, r in enumerate(changed):
        params.update({
            f"id{i}": r.id, f"status{i}": r.status.value,
            f"first{i}": r.participant1_registration_id,
            f"second{i}": r.participant2_registration_id,
            f"winner{i}": r.winner_registration_id, f"scores{i}": json.dumps(r.scores),
            f"completed{i}": r.completed_at,
        })  # fmt: skip
    for j, (match_id, type_, actor_id, data) in enumerate(history):
        params.update({f"e_match{j}": match_id, f"e_type{j}": type_, f"e_actor{j}": actor_id,
                       f"e_data{j}": json.dumps(data)})  # fmt: skip
    session = db.session()
    # The effects queued so far (all of this result's) go into the outbox in the same
    # statement (worker mode), unless earlier ORM changes still wait for the flush.
    body = None if session.new or session.dirty or session.deleted else outbox.take_stored(session)
    if body is not None:
        params.update(outbox.store_params(body))
    session.connection().execute(_statement(len(changed), len(history), body is not None), params)
    for model, ids in ((Match, [r.id for r in ordered]), (Stage, [match.stage_id])):
        for row_id in ids:
            held = session.identity_map.get(session.identity_key(model, row_id))
            if held is not None:
                session.expire(held)
    for table in (Match.__table__, Stage.__table__, MatchEvent.__table__):
        cache_versions.rows_written(session, cast(sa.Table, table), match.tournament_id)


_STATEMENTS: dict[tuple[int, int, bool], sa.TextClause] = {}


def _statement(rows: int, events: int, stored: bool) -> sa.TextClause:
    """The write of `rows` changed matches, the stage, `events` history rows and the audit
    entry, and with `stored` the outbox row and its notification (built once per shape)."""
    built = _STATEMENTS.get((rows, events, stored))
    if built is not None:
        return built
    values = ", ".join(
        f"(CAST(:id{i} AS integer), CAST(:status{i} AS varchar), CAST(:first{i} AS integer), "
        f"CAST(:second{i} AS integer), CAST(:winner{i} AS integer), CAST(:scores{i} AS jsonb), "
        f"CAST(:completed{i} AS timestamptz))"
        for i in range(rows)
    )
    history = ", ".join(
        f"(CAST(:e_match{j} AS integer), CAST(:tournament_id AS integer), "
        f"CAST(:e_type{j} AS varchar), CAST(:e_actor{j} AS integer), NULL, "
        f"CAST(:e_data{j} AS jsonb), CAST(:now AS timestamptz))"
        for j in range(events)
    )
    audit_insert = (
        "INSERT INTO audit_entries (actor_id, actor_kind, action, target_type, target_id, "
        "before, after, request_id, created_at) VALUES (:a_actor_id, :a_actor_kind, "
        ":a_action, :a_target_type, :a_target_id, CAST(:a_before AS jsonb), "
        "CAST(:a_after AS jsonb), :a_request_id, :written)"
    )
    last = (
        f"audit AS ({audit_insert}), {outbox.STORE_CTE} {outbox.NOTIFY_SELECT}"
        if stored
        else audit_insert
    )
    # Only placeholders are formatted in (their number is the shape): no value is.
    built = _STATEMENTS[(rows, events, stored)] = sa.text(
        "WITH changed AS (UPDATE matches AS m SET status = v.status, "  # noqa: S608  # nosec B608
        "participant1_registration_id = v.first, participant2_registration_id = v.second, "
        "winner_registration_id = v.winner, scores = v.scores, "
        "completed_at = coalesce(v.completed_at, m.completed_at), updated_at = :written, "
        f"version = m.version + 1 FROM (VALUES {values}) "
        "AS v (id, status, first, second, winner, scores, completed_at) WHERE m.id = v.id), "
        "stage AS (UPDATE stages SET open_count = :open_count, more_rounds = :more_rounds, "
        "updated_at = :written, version = version + 1 WHERE id = :stage_id), "
        "history AS (INSERT INTO match_events (match_id, tournament_id, type, actor_id, "
        f"registration_id, data, created_at) VALUES {history}){',' if stored else ''} "
        f"{last}"
    )
    return built
