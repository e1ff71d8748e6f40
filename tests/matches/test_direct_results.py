"""An organizer's result written directly (`matches.services.direct`) does what the full
path does: the same brackets are played result by result both ways, and every match row,
stage row, history entry, audit entry, live event, signal and cached scope is compared.

PostgreSQL only: the direct path is PostgreSQL's (the embedded SQLite database always takes
the full path)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from deltacrown.accounts.models import User
from deltacrown.brackets.models import Stage
from deltacrown.core import cache_versions, realtime
from deltacrown.core.audit import AuditEntry
from deltacrown.core.outbox import OutboxMessage
from deltacrown.core.signals import signals
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from deltacrown.matches import services
from deltacrown.matches.models import Match, MatchEvent
from deltacrown.matches.services import direct
from deltacrown.registrations.models import Registration

pytestmark = pytest.mark.postgres

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
SKIPPED_COLUMNS = {"id", "created_at", "updated_at", "tournament_id", "stage_id", "round_id"}


@pytest.fixture(autouse=True)
def _needs_postgres(is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL): the direct path is PostgreSQL's")


class Recorder:
    """Every live event, signal and bumped cache scope, in the order they leave."""

    def __init__(self) -> None:
        self.effects: list[tuple[Any, ...]] = []

    def publish(self, channel: str, event_type: str, data: dict[str, Any]) -> None:
        self.effects.append(("event", channel, event_type, data))

    def signal(self, name: str) -> Any:
        def receive(sender: Any, **payload: Any) -> None:
            self.effects.append(("signal", name, sender, payload))

        return receive

    def bump(self, scopes: Any) -> None:
        self.effects.append(("scopes", sorted(scopes)))


@pytest.fixture
def recorder(app: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    recorder = Recorder()
    monkeypatch.setattr(realtime, "publish_now", recorder.publish)
    monkeypatch.setattr(cache_versions, "bump", recorder.bump)
    monkeypatch.setitem(app.config, "RESPONSE_CACHE", True)
    receivers = [(signal, recorder.signal(name)) for name, signal in signals.items()]
    for signal, receiver in receivers:
        signal.connect(receiver)
    yield recorder
    for signal, receiver in receivers:
        signal.disconnect(receiver)


def _play(tournament_id: int, organizer_id: int, hits: list[bool]) -> None:
    """Every open match of the tournament, in order of play, slot 1 winning 2-1; each result
    in a unit of work of its own, as a request would."""
    while True:
        ready = db.session.execute(
            sa.select(Match.id, Match.participant1_registration_id)
            .where(Match.tournament_id == tournament_id, Match.status.in_(("ready", "live")))
            .order_by(Match.position)
        ).all()
        if not ready:
            return
        for match_id, first in ready:
            with unit_of_work():
                actor = db.session.get(User, organizer_id)
                services.enter_result(match_id, winner=first, games=[[1, 0], [0, 1], [1, 0]],
                                      actor=actor, reason="reported", now=NOW)  # fmt: skip
            hits.append(True)


def _names(tournament_id: int, organizer_id: int) -> dict[tuple[str, Any], Any]:
    """Stable names for the ids of one play-through: matches by engine id, stages by number,
    registrations by seed, the tournament and the organizer by role."""
    names: dict[tuple[str, Any], Any] = {("tournament", tournament_id): "T",
                                         ("user", organizer_id): "organizer"}  # fmt: skip
    for stage in db.session.scalars(sa.select(Stage).where(Stage.tournament_id == tournament_id)):
        names[("stage", stage.id)] = f"S{stage.number}"
        for seed, registration_id in enumerate(stage.seeds, start=1):
            names[("registration", registration_id)] = f"seed{seed}"
    for registration_id, user_id in db.session.execute(
        sa.select(Registration.id, Registration.user_id).where(
            Registration.tournament_id == tournament_id
        )
    ):
        names[("user", user_id)] = f"player of {names.get(('registration', registration_id))}"
    for match_id, engine_id in db.session.execute(
        sa.select(Match.id, Match.engine_id).where(Match.tournament_id == tournament_id)
    ):
        names[("match", match_id)] = engine_id
    return names


def _rename(value: Any, names: dict[tuple[str, Any], Any], key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _rename(v, names, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if key in ("participants", "registration_ids"):
            return [names.get(("registration", v), v) for v in value]
        return [_rename(v, names, key) for v in value]
    if key == "id" or (key.endswith("_at") and isinstance(value, str)):
        return "<generated>"
    if key == "link" and isinstance(value, str):
        kinds = {"matches": "match", "tournaments": "tournament"}
        return re.sub(
            r"(matches|tournaments)/(\d+)",
            lambda m: f"{m[1]}/{names.get((kinds[m[1]], int(m[2])), m[2])}",
            value,
        )
    if isinstance(value, str) and ":" in value:
        kind, _, number = value.partition(":")
        if number.isdigit():
            return f"{kind}:{names.get((kind, int(number)), number)}"
    if isinstance(value, int) and not isinstance(value, bool):
        for kind in ("match", "stage", "registration", "tournament", "user"):
            if (
                key.startswith(kind)
                or key.endswith(f"{kind}_id")
                or (kind == "registration" and key.endswith("registration_id"))
            ):
                return names.get((kind, value), value)
        if key in ("champion", "winner", "loser"):
            return names.get(("registration", value), value)
        if key == "actor_id":
            return names.get(("user", value), value)
        if key.startswith(("participant", "next_match")) and key.endswith("_id"):
            kind = "registration" if key.startswith("participant") else "match"
            return names.get((kind, value), value)
    return value


def _last_ids() -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(model.id), 0))) or 0
        for model in (MatchEvent, AuditEntry, OutboxMessage)
    )


def _snapshot(
    tournament_id: int, organizer_id: int, recorder: Recorder, since: tuple[int, int, int]
) -> dict[str, Any]:
    """What the play-through wrote (history and audit since `since`) and sent."""
    names = _names(tournament_id, organizer_id)
    match_ids = [m for (kind, m) in names if kind == "match"]
    matches = {}
    for match in db.session.scalars(sa.select(Match).where(Match.tournament_id == tournament_id)):
        row = {c.key: getattr(match, c.key) for c in sa.inspect(Match).column_attrs
               if c.key not in SKIPPED_COLUMNS}  # fmt: skip
        matches[match.engine_id] = _rename(row, names)
    stages = [
        (s.number, s.status, s.open_count, s.more_rounds, s.version, _rename(s.placements, names))
        for s in db.session.scalars(
            sa.select(Stage).where(Stage.tournament_id == tournament_id).order_by(Stage.number)
        )
    ]
    history = [
        (names[("match", e.match_id)], e.type, _rename({"actor_id": e.actor_id}, names),
         _rename(e.data, names), e.created_at == NOW)
        for e in db.session.scalars(
            sa.select(MatchEvent).where(MatchEvent.tournament_id == tournament_id,
                                        MatchEvent.id > since[0])
            .order_by(MatchEvent.id)
        )
    ]  # fmt: skip
    audit = [
        (a.action, a.actor_kind, _rename({"actor_id": a.actor_id}, names), a.target_type,
         names.get(("match" if a.target_type == "matches" else "tournament", a.target_id)),
         _rename(a.before, names), _rename(a.after, names))
        for a in db.session.scalars(
            sa.select(AuditEntry).where(
                sa.or_(
                    sa.and_(AuditEntry.target_type == "matches",
                            AuditEntry.target_id.in_(match_ids or [-1])),
                    sa.and_(AuditEntry.target_type == "tournaments",
                            AuditEntry.target_id == tournament_id),
                ),
                AuditEntry.id > since[1],
            ).order_by(AuditEntry.id)
        )
    ]  # fmt: skip
    # The platform's leaderboards hold both play-throughs: the second one's ranks differ.
    effects = [_rename(list(effect), names) for effect in recorder.effects
               if not (effect[0] == "event" and effect[2].startswith("leaderboard."))]  # fmt: skip
    # Server mode: what the outbox holds for the relay, in the order it delivers it.
    stored = [
        _rename(message, names)
        for row in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.id > since[2]).order_by(OutboxMessage.id)
        )
        for message in row.messages
    ]
    return {"matches": matches, "stages": stages, "history": history, "audit": audit,
            "effects": effects, "stored": stored}  # fmt: skip


CASES = [
    ("single_elimination", 16, {"third_place_match": True}, True, "request"),
    ("single_elimination", 13, {}, False, "request"),
    ("double_elimination", 8, {"grand_final": "double"}, True, "worker"),
    ("round_robin", 6, {}, True, "worker"),
]


@pytest.mark.parametrize(("format_", "size", "options", "auto_start", "relay"), CASES)
def test_direct_results_write_and_announce_what_the_full_path_does(
    app: Any, cup: Any, api: Any, organizer: Any, recorder: Recorder,
    monkeypatch: pytest.MonkeyPatch, format_: str, size: int, options: dict[str, Any],
    auto_start: bool, relay: str,
) -> None:  # fmt: skip
    """`relay`: where the effects go, run after the commit ("request") or stored in the
    outbox ("worker", server mode), which the direct path writes in its own statement."""
    monkeypatch.setitem(app.config, "OUTBOX_RELAY", relay)
    direct_hits: list[bool] = []
    taken = direct.try_enter

    def counted(*args: Any, **kwargs: Any) -> bool:
        done = taken(*args, **kwargs)
        direct_hits.append(done)
        return done

    monkeypatch.setattr(direct, "try_enter", counted)
    snapshots = []
    for direct_results in (True, False):
        monkeypatch.setitem(app.config, "DIRECT_RESULTS", direct_results)
        recorder.effects.clear()
        tournament = cup(size, format=format_, auto_start_matches=auto_start)
        api.generated(tournament.id, options={"best_of": 3, **options})
        assert api.start(tournament.id).status_code == 200
        recorder.effects.clear()
        results: list[bool] = []
        with app.app_context():
            since = _last_ids()
            _play(tournament.id, organizer.id, results)
            snapshot = _snapshot(tournament.id, organizer.id, recorder, since)
            snapshots.append((len(results), snapshot))
    (direct_count, direct_run), (full_count, full_run) = snapshots
    assert direct_count == full_count
    assert bool(direct_run["stored"]) is (relay == "worker")
    for part in ("matches", "stages", "history", "audit", "effects", "stored"):
        assert direct_run[part] == full_run[part], part
    # The direct path took every result but those that could finish the stage.
    assert direct_hits.count(True) >= direct_count - 4
    assert direct_hits.count(True) > 0
