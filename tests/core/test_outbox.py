"""The outbox (core.outbox, core.outbox_relay): with OUTBOX_RELAY=worker a commit's live events
and signals are stored with it and delivered by the relay, in order, exactly when it commits."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from deltacrown.config import ConfigError
from deltacrown.config_checks import validate
from deltacrown.core import outbox, outbox_relay, realtime, signals
from deltacrown.core.outbox import OutboxMessage
from deltacrown.core.transaction import EffectBatch, _effect_batches, unit_of_work
from deltacrown.extensions import db
from deltacrown.tournaments.models import TournamentStatus


def test_stored_values_come_back_as_the_types_the_sender_passed() -> None:
    at = dt.datetime(2026, 12, 7, 10, 30, tzinfo=dt.UTC)
    value = {
        "at": at,
        "day": dt.date(2026, 12, 7),
        "amount": decimal.Decimal("12.50"),
        "status": TournamentStatus.ONGOING,
        "ids": (1, 2),
        "nested": [{"none": None, "flag": True, "ratio": 0.5}],
    }
    back = outbox.untag(outbox.tag(value))
    assert back == {**value, "ids": [1, 2]}
    assert type(back["status"]) is TournamentStatus
    assert back["at"].tzinfo is not None


@pytest.mark.parametrize(
    "stored",
    [
        {"$dc": "enum", "type": "os:system", "v": "true"},
        {"$dc": "enum", "type": "deltacrown.core.outbox:untag", "v": 1},
    ],
)
def test_a_stored_value_naming_anything_but_one_of_our_enums_is_refused(
    stored: dict[str, Any],
) -> None:
    with pytest.raises(ValueError, match="an outbox value names"):
        outbox.untag(stored)


@pytest.mark.parametrize("value", [object(), {1: "a"}, b"bytes"])
def test_a_value_json_cannot_hold_is_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        outbox.tag({"value": value})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"OUTBOX_RELAY": "sometimes"}, "OUTBOX_RELAY must be request or worker"),
        (
            {"OUTBOX_RELAY": "worker", "SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"},
            "needs DATABASE_URL pointing at PostgreSQL",
        ),
        (
            {"OUTBOX_RELAY": "worker", "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://h/d"},
            "needs REDIS_URL",
        ),
    ],
)
def test_a_relay_mode_that_cannot_work_is_refused_at_start(
    values: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        validate(values)


def test_a_strict_batch_raises_a_failed_send_and_sends_nothing_after_an_error() -> None:
    sent: list[list[int]] = []

    def send(items: list[int]) -> None:
        if 0 in items:
            raise ConnectionError("broker down")
        sent.append(items)

    batch: EffectBatch[int] = EffectBatch("tests", send)
    try:
        with pytest.raises(ConnectionError):
            with batch.collecting(strict=True):
                batch.held().append(0)  # type: ignore[union-attr]
        with pytest.raises(KeyError):
            with batch.collecting(strict=True):
                batch.held().append(1)  # type: ignore[union-attr]
                raise KeyError("a receiver's bug")
        with batch.collecting():  # the request's way: logged, not raised
            batch.held().append(0)  # type: ignore[union-attr]
        assert sent == []
    finally:
        _effect_batches.remove(batch)


# ----- PostgreSQL ----------------------------------------------------------------------------
@pytest.fixture
def heard() -> Iterator[list[dict[str, Any]]]:
    """The keyword arguments of every `sanction_created` sent (a signal nobody else hears)."""
    seen: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        seen.append({"sender": sender, **kwargs})

    signals.sanction_created.connect(receiver, weak=False)
    yield seen
    signals.sanction_created.disconnect(receiver)


def _stored() -> list[list[Any]]:
    rows = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    return [outbox.untag(row.messages) for row in rows]


def _events(channel: str) -> list[dict[str, Any]]:
    return realtime.history(channel, 0) or []


AT = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
IDS = {"match_id": 0, "tournament_id": 0}  # no such match: the other receivers find nothing


@pytest.mark.postgres
def test_a_commit_stores_its_events_and_signals_and_the_relay_delivers_them_in_order(
    app: Flask, worker_mode: None, heard: list[dict[str, Any]]
) -> None:
    with app.app_context():
        with unit_of_work():
            realtime.publish("tests:outbox", "first.event", {"n": 1, "at": AT})
            signals.send_after_commit(
                signals.sanction_created, "tests", sanction_id=7, user_id=8, team_id=None,
                type="warning", scope="global", at=AT,
            )  # fmt: skip
            realtime.publish("tests:outbox", "second.event", {"n": 2})
        # Nothing ran in the committing process: it is all stored, in order.
        assert heard == [] and _events("tests:outbox") == []
        (stored,) = _stored()
        assert [message[:3] for message in stored] == [
            ["event", "tests:outbox", "first.event"],
            ["signal", "sanction_created", "tests"],
            ["event", "tests:outbox", "second.event"],
        ]

        assert outbox_relay.relay_once() == 1
        assert heard == [
            {"sender": "tests", "sanction_id": 7, "user_id": 8, "team_id": None,
             "type": "warning", "scope": "global", "at": AT}
        ]  # fmt: skip
        events = _events("tests:outbox")
        assert [(e["type"], e["data"]["n"]) for e in events] == [
            ("first.event", 1),
            ("second.event", 2),
        ]
        assert events[0]["data"]["at"] == str(AT)  # as the request would have published it
        assert _stored() == []
        assert outbox_relay.relay_once() == 0


@pytest.mark.postgres
def test_a_rolled_back_unit_stores_nothing_and_other_effects_still_run_in_place(
    app: Flask, worker_mode: None, heard: list[dict[str, Any]]
) -> None:
    ran: list[str] = []
    with app.app_context():
        with pytest.raises(RuntimeError), unit_of_work():
            realtime.publish("tests:outbox", "never.event", {})
            raise RuntimeError("the request failed")
        assert _stored() == []
        with unit_of_work():
            from deltacrown.core.transaction import after_commit

            after_commit(ran.append, "mail")
            realtime.publish("tests:outbox", "kept.event", {})
        assert ran == ["mail"]  # not an event or a signal: it ran after the commit, as before
        assert [message[2] for message in _stored()[0]] == ["kept.event"]


@pytest.mark.postgres
def test_a_state_that_moved_twice_is_stored_once_from_first_to_last(
    app: Flask, worker_mode: None
) -> None:
    heard: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs)

    signals.match_state_changed.connect(receiver, weak=False)
    try:
        with app.app_context():
            with unit_of_work():
                for old, new in (("ready", "live"), ("live", "completed")):
                    realtime.publish_transition(
                        "match.status_changed:1", old, new, realtime._emit_state,
                        "match.status_changed", ["tests:state"], IDS, signals.match_state_changed,
                    )  # fmt: skip
                realtime.publish_transition(
                    "match.status_changed:2", "ready", "ready", realtime._emit_state,
                    "match.status_changed", ["tests:state"], {"match_id": 2}, None,
                )  # fmt: skip
            (stored,) = _stored()
            assert stored == [
                ["state", "ready", "completed", "match.status_changed", ["tests:state"],
                 IDS, "match_state_changed"]
            ]  # fmt: skip
            outbox_relay.relay_once()
            (event,) = _events("tests:state")
            assert event["data"] == {**IDS, "from": "ready", "to": "completed",
                                     "status": "completed"}  # fmt: skip
            assert heard == [{**IDS, "before": "ready", "after": "completed"}]
    finally:
        signals.match_state_changed.disconnect(receiver)


@pytest.mark.postgres
def test_a_failed_delivery_keeps_the_rows_for_the_next_attempt(
    app: Flask, worker_mode: None, heard: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        with unit_of_work():
            signals.send_after_commit(
                signals.sanction_created, "tests", sanction_id=1, user_id=1, team_id=None,
                type="warning", scope="global",
            )  # fmt: skip

        def broker_down(messages: list[Any]) -> None:
            raise ConnectionError("broker down")

        monkeypatch.setattr(outbox_relay, "deliver", broker_down)
        with pytest.raises(ConnectionError):
            outbox_relay.relay_once()
        assert len(_stored()) == 1 and heard == []
        monkeypatch.undo()
        monkeypatch.setitem(app.config, "OUTBOX_RELAY", "worker")
        assert outbox_relay.relay_once() == 1
        assert [h["sanction_id"] for h in heard] == [1]


@pytest.mark.postgres
def test_a_receiver_that_raises_is_logged_and_the_rest_are_delivered(
    app: Flask, worker_mode: None, heard: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    def broken(sender: Any, **kwargs: Any) -> None:
        raise ValueError("a receiver's bug")

    signals.sanction_revoked.connect(broken, weak=False)
    try:
        with app.app_context():
            with unit_of_work():
                signals.send_after_commit(
                    signals.sanction_revoked, "tests", sanction_id=1, user_id=1, team_id=None
                )
                signals.send_after_commit(
                    signals.sanction_created, "tests", sanction_id=2, user_id=1, team_id=None,
                    type="warning", scope="global",
                )  # fmt: skip
            assert outbox_relay.relay_once() == 1
    finally:
        signals.sanction_revoked.disconnect(broken)
    assert [h["sanction_id"] for h in heard] == [2]
    assert "outbox message ['signal', 'sanction_revoked'] failed" in caplog.text


def _scraped() -> dict[str, float]:
    return {
        family.name: family.samples[0].value
        for family in outbox_relay.OutboxCollector().collect()  # type: ignore[no-untyped-call]
    }


@pytest.mark.postgres
def test_the_backlog_is_exported_at_scrape_and_shown_by_the_status_command(
    app: Flask, worker_mode: None
) -> None:
    with app.app_context():
        assert _scraped() == {
            outbox_relay.WAITING_METRIC: 0.0,
            outbox_relay.OLDEST_METRIC: 0.0,
        }
        with unit_of_work():
            realtime.publish("tests:outbox", "waiting.event", {})
        scraped = _scraped()
        assert scraped[outbox_relay.WAITING_METRIC] == 1.0
        assert 0.0 <= scraped[outbox_relay.OLDEST_METRIC] < 3600
        shown = app.test_cli_runner().invoke(args=["outbox", "status"])
        assert shown.exit_code == 0, shown.output
        assert shown.output.startswith("1 stored commits waiting; the oldest ")
        outbox_relay.relay_once()
        assert _scraped()[outbox_relay.WAITING_METRIC] == 0.0


def test_request_mode_exports_no_backlog_and_has_nothing_to_relay(app: Flask) -> None:
    with app.app_context():
        assert _scraped() == {}
        refused = app.test_cli_runner().invoke(args=["outbox", "relay", "--once"])
    assert refused.exit_code != 0
    assert "OUTBOX_RELAY is not 'worker'" in refused.output


@pytest.mark.postgres
def test_a_row_that_cannot_be_read_is_dropped_and_does_not_hold_back_the_next(
    app: Flask, worker_mode: None, heard: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    with app.app_context():
        with unit_of_work():
            db.session.add(
                OutboxMessage(messages=[["event", {"$dc": "enum", "type": "os:system", "v": 1}]])
            )
        with unit_of_work():
            signals.send_after_commit(
                signals.sanction_created, "tests", sanction_id=3, user_id=1, team_id=None,
                type="warning", scope="global",
            )  # fmt: skip
        assert outbox_relay.relay_once() == 2
        assert _stored() == []
    assert [h["sanction_id"] for h in heard] == [3]
    assert "could not be read; dropped" in caplog.text
