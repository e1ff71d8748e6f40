"""Background tasks: never inside the request that caused them."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from deltacrown.core import background

SEEN: list[tuple[str, int]] = []
DONE = threading.Event()


@pytest.fixture
def recording_task(app: Any) -> Any:
    """A task recording the thread it ran on (registered once: Celery keeps it by name)."""
    celery = app.extensions["celery"]
    if "tests.background.record" not in celery.tasks:

        @celery.task(name="tests.background.record")
        def record(n: int) -> None:
            SEEN.append((threading.current_thread().name, n))
            DONE.set()

    SEEN.clear()
    DONE.clear()
    return SEEN, DONE


def test_embedded_default_runs_the_task_on_a_background_thread(
    app: Any, recording_task: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen, done = recording_task
    monkeypatch.setitem(app.config, "BACKGROUND_INLINE", False)
    with app.app_context():
        background.start("tests.background.record", n=7)
    assert done.wait(10)
    assert seen == [(seen[0][0], 7)] and seen[0][0].startswith("deltacrown-background")


def test_tests_run_it_inline_and_a_failure_is_logged_not_raised(
    app: Any, recording_task: Any, caplog: pytest.LogCaptureFixture
) -> None:
    seen, _ = recording_task
    with app.app_context():
        background.start("tests.background.record", n=1)
        assert seen == [(threading.current_thread().name, 1)]
        background.start("tests.background.record", wrong=1)
    assert "background task tests.background.record failed" in caplog.text
