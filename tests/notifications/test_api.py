"""The REST side: my list (cursor, unread filter), unread count, marking read, preferences."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import assert_problem


@pytest.fixture
def inbox(app: Any, make_user: Any) -> Any:
    """`inbox(n)`: a user with n notices (match_ready for matches 1..n), and another user."""
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.notifications import services
    from deltacrown.notifications.kinds import NotificationType as T

    def build(n: int) -> tuple[Any, Any]:
        me, other = make_user(), make_user()
        with app.app_context(), unit_of_work():
            for match_id in range(1, n + 1):
                services.notify(
                    [me.id, other.id], services.Notice(T.MATCH_READY, {"match_id": match_id})
                )
        return me, other

    return build


def test_my_notifications_page_newest_first_and_filter_unread(client, inbox):
    me, _ = inbox(3)
    first = client.get("/api/notifications/?limit=2", headers=me.headers)
    assert first.status_code == 200
    assert [n["data"]["match_id"] for n in first.get_json()] == [3, 2]
    assert first.get_json()[0]["read"] is False and first.get_json()[0]["type"] == "match_ready"
    cursor = first.headers["X-Next-Cursor"]
    rest = client.get(f"/api/notifications/?limit=2&cursor={cursor}", headers=me.headers)
    assert [n["data"]["match_id"] for n in rest.get_json()] == [1]
    assert "X-Next-Cursor" not in rest.headers

    oldest = rest.get_json()[0]["id"]
    read = client.post(f"/api/notifications/{oldest}/read/", headers=me.headers)
    assert read.status_code == 200 and read.get_json()["read"] is True
    unread = client.get("/api/notifications/?unread=true", headers=me.headers).get_json()
    assert [n["data"]["match_id"] for n in unread] == [3, 2]
    count = client.get("/api/notifications/unread-count/", headers=me.headers)
    assert count.get_json() == {"unread_count": 2}

    assert client.post("/api/notifications/read-all/", headers=me.headers).get_json() == {
        "marked": 2,
        "unread_count": 0,
    }


def test_someone_elses_notification_is_not_found(client, inbox):
    me, other = inbox(1)
    [theirs] = client.get("/api/notifications/", headers=other.headers).get_json()
    assert_problem(
        client.post(f"/api/notifications/{theirs['id']}/read/", headers=me.headers),
        404,
        "notification_not_found",
    )
    assert client.get("/api/notifications/unread-count/", headers=other.headers).get_json() == {
        "unread_count": 1
    }
    assert_problem(client.get("/api/notifications/"), 401, "authentication_required")
    assert_problem(
        client.get("/api/notifications/?cursor=nonsense", headers=me.headers), 422, "invalid_cursor"
    )


def test_preferences_change_only_what_is_given(client, user):
    url = "/api/me/notification-preferences/"
    before = client.get(url, headers=user.headers).get_json()
    assert before["language"] == "en" and before["email_digest"] is False
    ready = next(t for t in before["types"] if t["type"] == "match_ready")
    assert ready == {"type": "match_ready", "in_app": True, "email": True}

    after = client.patch(
        url,
        json={"language": "bn", "types": [{"type": "match_ready", "email": False}]},
        headers=user.headers,
    )
    assert after.status_code == 200, after.get_json()
    body = after.get_json()
    assert body["language"] == "bn" and body["email_digest"] is False
    assert next(t for t in body["types"] if t["type"] == "match_ready") == {
        "type": "match_ready",
        "in_app": True,
        "email": False,
    }


@pytest.mark.parametrize(
    "body",
    [
        {"language": "fr"},
        {"types": [{"type": "no_such_kind", "email": True}]},
        {"types": [{"type": "match_ready"}, {"type": "match_ready", "email": False}]},
        {"email_digest": "yes please"},
    ],
)
def test_bad_preferences_are_refused_and_change_nothing(client, user, body):
    url = "/api/me/notification-preferences/"
    assert_problem(client.patch(url, json=body, headers=user.headers), 422, "validation_error")
    assert client.get(url, headers=user.headers).get_json()["language"] == "en"


def test_staff_see_notifications_in_the_admin_read_only(app, client, staff, inbox):
    from tests.helpers import sign_in_admin

    inbox(1)
    sign_in_admin(client, staff.id)
    page = client.get("/admin/admin_notifications/")
    assert page.status_code == 200 and "Your match is ready" in page.get_data(as_text=True)
    assert client.get("/admin/admin_notifications/new/").status_code in (302, 403, 404)
