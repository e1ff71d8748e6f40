"""With a broker, the tasks a commit's effects start leave in one message (core.task_batch)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from celery import signals
from flask import Flask

from deltacrown.app import create_app
from deltacrown.core import task_batch
from deltacrown.core.transaction import after_commit, unit_of_work
from deltacrown.extensions import db


def _recorded(n: int) -> int:
    return n


@pytest.fixture(scope="module")
def broker_app(database_url: str) -> Iterator[Flask]:
    """An app with a broker nobody consumes (`memory://`): tasks are published, not run."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, CELERY_BROKER_URL="memory://")
    celery = app.extensions["celery"]
    for name in ("tests.batch.first", "tests.batch.second"):
        celery.task(name=name, shared=False)(_recorded)

    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


shown: list[str | None] = []  # the `kwargsrepr` header of each message `published` saw


@pytest.fixture
def published() -> Iterator[list[tuple[str, Any, dict[str, Any]]]]:
    """(task name, task id, body kwargs) of every message handed to the broker."""
    seen: list[tuple[str, Any, dict[str, Any]]] = []
    shown.clear()

    def record(sender: Any = None, body: Any = None, headers: Any = None, **_: Any) -> None:
        seen.append((str(sender), (headers or {}).get("id"), body[1]))
        shown.append((headers or {}).get("kwargsrepr"))

    signals.before_task_publish.connect(record, weak=False)
    yield seen
    signals.before_task_publish.disconnect(record)


def _start(app: Flask, name: str, **options: Any) -> Any:
    return app.extensions["celery"].tasks[name].apply_async(kwargs={"n": 1}, **options)


def test_the_tasks_a_commit_starts_leave_in_one_message_and_keep_their_ids(
    broker_app: Flask, published: list[Any]
) -> None:
    started: list[Any] = []
    with broker_app.app_context():
        with unit_of_work():
            after_commit(lambda: started.append(_start(broker_app, "tests.batch.first")))
            after_commit(
                lambda: started.append(_start(broker_app, "tests.batch.second", countdown=5))
            )
        assert [name for name, _, _ in published] == [task_batch.BATCH_TASK]
        messages = published[0][2]["messages"]
        assert shown == ["[tests.batch.first, tests.batch.second]"]  # what logs show of it
        assert [m["task"] for m in messages] == ["tests.batch.first", "tests.batch.second"]
        assert messages[1]["options"]["countdown"] == 5
        assert [m["options"]["task_id"] for m in messages] == [r.id for r in started]

        published.clear()
        sent = broker_app.extensions["celery"].tasks[task_batch.BATCH_TASK].run(messages)
    assert sent == 2
    assert [(name, task_id) for name, task_id, _ in published] == [
        ("tests.batch.first", started[0].id),
        ("tests.batch.second", started[1].id),
    ]
    assert all(body == {"n": 1} for _, _, body in published)


def test_a_single_task_is_sent_as_it_was_started(broker_app: Flask, published: list[Any]) -> None:
    with broker_app.app_context():
        with unit_of_work():
            after_commit(_start, broker_app, "tests.batch.first")
    assert [name for name, _, _ in published] == ["tests.batch.first"]


def test_a_task_with_an_option_the_batch_cannot_carry_is_sent_at_once(
    broker_app: Flask, published: list[Any]
) -> None:
    eta = datetime.now(UTC) + timedelta(minutes=5)
    with broker_app.app_context():
        with unit_of_work():
            after_commit(_start, broker_app, "tests.batch.first", eta=eta)
            after_commit(_start, broker_app, "tests.batch.second")
    assert [name for name, _, _ in published] == ["tests.batch.first", "tests.batch.second"]


def test_outside_a_commits_effects_a_task_is_sent_at_once(
    broker_app: Flask, published: list[Any]
) -> None:
    with broker_app.app_context():
        _start(broker_app, "tests.batch.first")
        assert [name for name, _, _ in published] == ["tests.batch.first"]


def test_a_batched_task_that_cannot_be_sent_is_logged_and_the_others_go(
    broker_app: Flask, published: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    messages = [
        {"task": "tests.batch.missing", "args": [], "kwargs": {}, "options": {}},
        {"task": "tests.batch.second", "args": [], "kwargs": {"n": 2}, "options": {}},
    ]
    with broker_app.app_context():
        sent = task_batch.send_each(broker_app.extensions["celery"], messages)
    assert sent == 1
    assert [name for name, _, _ in published] == ["tests.batch.second"]
    assert "batched task tests.batch.missing could not be sent" in caplog.text
