"""notify(): preferences, language, repeats, live events after commit; reading; retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from deltacrown.core import realtime
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from deltacrown.notifications import services
from deltacrown.notifications.kinds import NotificationType as T
from deltacrown.notifications.models import EmailStatus, Notification
from deltacrown.notifications.services import Notice

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
READY = Notice(T.MATCH_READY, {"match_id": 5}, {"tournament": "Spring Cup"}, "/api/matches/5/")


@pytest.fixture
def people(app_ctx: Any, make_user: Any) -> list[Any]:
    return [make_user() for _ in range(3)]


def rows() -> list[Notification]:
    return list(db.session.scalars(db.select(Notification).order_by(Notification.id)))


def test_each_person_is_told_as_their_preferences_say(app_ctx, people, outbox):
    quiet, mail_only, default = people
    services.update_preferences(
        quiet.id, types=[{"type": "match_ready", "in_app": False, "email": False}]
    )
    services.update_preferences(mail_only.id, types=[{"type": "match_ready", "in_app": False}])
    with unit_of_work():
        services.notify([p.id for p in people], READY)
    by_person = {row.recipient_id: row for row in rows()}
    assert set(by_person) == {mail_only.id, default.id}
    assert by_person[mail_only.id].in_app is False
    assert by_person[default.id].in_app is True
    assert services.unread_count(mail_only.id) == 0 and services.unread_count(default.id) == 1
    assert sorted(message.to for message in outbox) == sorted([mail_only.email, default.email])
    assert all(row.email_status == EmailStatus.SENT for row in rows())


def test_words_follow_the_persons_language(app_ctx, people):
    services.update_preferences(people[0].id, language="bn")
    with unit_of_work():
        services.notify([people[0].id, people[1].id], READY)
    bengali, english = rows()
    assert bengali.title == "আপনার ম্যাচ প্রস্তুত" and "Spring Cup" in bengali.body
    assert english.title == "Your match is ready" and "Spring Cup" in english.body


def test_a_repeat_within_the_window_is_dropped_and_told_again_after_it(app_ctx, people):
    person = [people[0].id]
    with time_machine.travel(NOW, tick=False):
        assert len(services.notify(person, READY)) == 1
        assert services.notify(person, READY) == []
        other = Notice(T.MATCH_READY, {"match_id": 6})
        assert len(services.notify(person, other)) == 1
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        assert len(services.notify(person, READY)) == 1


def test_inactive_people_are_not_told(app_ctx, make_user):
    gone = make_user(is_active=False)
    assert services.notify([gone.id], READY) == []


def test_the_live_event_goes_out_after_commit_and_never_for_a_rolled_back_one(app_ctx, people):
    person = people[0].id
    sub = realtime.subscribe(services.channel_of(person))
    try:
        with pytest.raises(RuntimeError), unit_of_work():
            services.notify([person], READY)
            raise RuntimeError("the change fails")
        assert sub.get(timeout=0) is None and rows() == []
        with unit_of_work():
            services.notify([person], READY)
        event = sub.get(timeout=0)
        assert event["type"] == "notification.created"
        assert event["data"]["type"] == "match_ready" and event["data"]["unread_count"] == 1
    finally:
        sub.close()


def test_reading_one_and_all_counts_only_mine(app_ctx, people):
    me, other = people[0].id, people[1].id
    first = services.notify([me, other], READY)
    services.notify([me], Notice(T.MATCH_READY, {"match_id": 6}))
    mine = next(row for row in first if row.recipient_id == me)
    theirs = next(row for row in first if row.recipient_id == other)
    with pytest.raises(services.NotificationNotFoundError):
        services.mark_read(me, theirs.id)
    assert services.mark_read(me, mine.id).read_at is not None
    assert services.unread_count(me) == 1
    assert services.mark_all_read(me) == 1
    assert services.unread_count(me) == 0 and services.unread_count(other) == 1


def test_read_notices_are_kept_90_days(app_ctx, people):
    person = people[0].id
    with time_machine.travel(NOW, tick=False):
        old, recent = (
            services.notify([person], READY)[0],
            services.notify([person], Notice(T.MATCH_READY, {"match_id": 6}))[0],
        )
        services.mark_read(person, old.id)
        unread = services.notify([person], Notice(T.MATCH_READY, {"match_id": 7}))[0]
    with time_machine.travel(NOW + timedelta(days=60), tick=False):
        services.mark_read(person, recent.id)
    with time_machine.travel(NOW + timedelta(days=91), tick=False):
        assert services.purge_old() == 1
    assert [row.id for row in rows()] == [recent.id, unread.id]


def test_preferences_list_every_kind_with_defaults_and_changes(app_ctx, people):
    person = people[0].id
    before = services.preferences(person)
    assert before["language"] == "en" and before["email_digest"] is False
    assert len(before["types"]) == len(T)
    after = services.update_preferences(
        person, email_digest=True, types=[{"type": "team_invite", "email": False}]
    )
    invite = next(t for t in after["types"] if t["type"] == T.TEAM_INVITE)
    assert invite == {"type": T.TEAM_INVITE, "in_app": True, "email": False}
    assert after["email_digest"] is True
