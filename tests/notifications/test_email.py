"""Notification e-mails: rendered in the person's language (text and HTML), sent after the
commit, retried with growing waits, given up after the last attempt; the daily digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from deltacrown.core import mail
from deltacrown.core.transaction import unit_of_work
from deltacrown.extensions import db
from deltacrown.notifications import mailing, services
from deltacrown.notifications.kinds import NotificationType as T
from deltacrown.notifications.models import EmailStatus, Notification
from deltacrown.notifications.services import Notice

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
INVITE = Notice(
    T.TEAM_INVITE, {"invite_id": 3, "team_id": 2}, {"team": "Night <Owls>"}, "/api/me/team-invites/"
)


@pytest.fixture
def person(app_ctx: Any, make_user: Any) -> Any:
    return make_user()


def test_the_email_is_rendered_in_english_and_bengali(app_ctx, make_user, outbox):
    english, bengali = make_user(), make_user()
    services.update_preferences(bengali.id, language="bn")
    with unit_of_work():
        services.notify([english.id, bengali.id], INVITE)
    by_to = {message.to: message for message in outbox}
    en, bn = by_to[english.email], by_to[bengali.email]
    assert en.subject == "Team invite" and en.language == "en"
    assert "You are invited to join Night <Owls>." in en.text
    assert "http://127.0.0.1:5000/api/me/team-invites/" in en.text
    assert "Night &lt;Owls&gt;" in en.html and "<Owls>" not in en.html
    assert bn.subject == "দলে আমন্ত্রণ" and bn.language == "bn"
    assert "আপনাকে Night <Owls> দলে যোগ দিতে" in bn.text and 'lang="bn"' in bn.html
    email = mail.build_email(bn, "DeltaCrown <noreply@example.test>")
    assert email.get_body(("html",)) is not None and email["Content-Language"] == "bn"


def test_nothing_is_mailed_for_a_rolled_back_notice(app_ctx, person, outbox):
    with pytest.raises(RuntimeError), unit_of_work():
        services.notify([person.id], INVITE)
        raise RuntimeError("the change fails")
    assert outbox == []


def test_a_failed_send_is_retried_later_by_the_sweep(app, app_ctx, person, outbox):
    backend = app.extensions[mail.EXTENSION]
    backend.fail_next = 2
    with time_machine.travel(NOW, tick=False), unit_of_work():
        services.notify([person.id], INVITE)
    row = db.session.scalars(db.select(Notification)).one()
    assert (row.email_status, row.email_attempts) == (EmailStatus.PENDING, 1)
    assert row.email_next_at == NOW + timedelta(minutes=1)
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False), unit_of_work():
        assert mailing.retry_due() == 0  # not due yet
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False), unit_of_work():
        assert mailing.retry_due() == 1  # queued; it fails again: the wait doubles
    db.session.refresh(row)
    assert row.email_attempts == 2 and row.email_next_at == NOW + timedelta(minutes=3)
    with time_machine.travel(NOW + timedelta(minutes=3), tick=False), unit_of_work():
        assert mailing.retry_due() == 1  # queued, and sent after the sweep's commit
    db.session.refresh(row)
    assert row.email_status == EmailStatus.SENT and len(outbox) == 1
    with unit_of_work():
        assert mailing.retry_due(now=NOW + timedelta(days=1)) == 0  # sent once only


def test_the_email_is_given_up_after_the_last_attempt(app, app_ctx, person, outbox):
    app.extensions[mail.EXTENSION].fail_next = 100
    with unit_of_work():
        services.notify([person.id], INVITE)
    later = datetime.now(UTC)
    for _ in range(10):
        later += timedelta(hours=2)
        with unit_of_work():
            mailing.retry_due(now=later)
    row = db.session.scalars(db.select(Notification)).one()
    assert row.email_status == EmailStatus.FAILED
    assert row.email_attempts == app.config["NOTIFICATION_EMAIL_MAX_ATTEMPTS"]
    assert outbox == []


def test_the_daily_digest_lists_unread_notices_once_a_day(app_ctx, make_user, outbox):
    reader, digest_on, nothing_unread = make_user(), make_user(), make_user()
    for person in (digest_on, nothing_unread):
        services.update_preferences(person.id, email_digest=True, language="bn")
    services.update_preferences(reader.id, email_digest=False)
    services.update_preferences(digest_on.id, types=[{"type": "match_ready", "email": False}])
    with time_machine.travel(NOW, tick=False), unit_of_work():
        for match_id in range(1, 4):
            services.notify(
                [reader.id, digest_on.id], Notice(T.MATCH_READY, {"match_id": match_id})
            )
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        with unit_of_work():
            assert mailing.send_digests() == 1
        with unit_of_work():
            assert mailing.send_digests() == 0  # once a day
    [digest] = [m for m in outbox if m.to == digest_on.email]
    assert digest.subject == "DeltaCrown: 3টি না-পড়া বিজ্ঞপ্তি"
    assert digest.text.count("আপনার ম্যাচ প্রস্তুত") == 3
    with time_machine.travel(NOW + timedelta(days=1), tick=False), unit_of_work():
        assert mailing.send_digests() == 1
