"""Fixtures for the notifications tests: the match-lifecycle cast (a started solo cup played
through the REST API), the mail outbox, and readers of who was told what."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from tests.live.conftest import follow, server  # noqa: F401  (fixtures)
from tests.matches.conftest import (  # noqa: F401  (fixtures)
    _session_celery,
    all_matches,
    any_cup,
    api,
    co_organizer,
    cup,
    m,
    make_player,
    organizer,
    started,
    stranger,
)


@pytest.fixture
def outbox(app: Any) -> Iterator[list[Any]]:
    """The memory mail backend's messages, emptied before and after the test."""
    from deltacrown.core import mail

    backend = app.extensions[mail.EXTENSION]
    backend.outbox.clear()
    backend.fail_next = 0
    yield backend.outbox
    backend.outbox.clear()
    backend.fail_next = 0


def told(app: Any, *kinds: str) -> dict[int, list[str]]:
    """Who got which notices (recipient id → kinds, oldest first), of `kinds` if given."""
    from deltacrown.extensions import db
    from deltacrown.notifications.models import Notification

    with app.app_context():
        query = sa.select(Notification.recipient_id, Notification.type).order_by(Notification.id)
        result: dict[int, list[str]] = {}
        for recipient_id, kind in db.session.execute(query):
            if not kinds or kind.value in kinds:
                result.setdefault(recipient_id, []).append(kind.value)
        db.session.remove()
    return result
