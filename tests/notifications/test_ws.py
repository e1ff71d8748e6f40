"""`/ws/me`: my notifications live, with the match channels' envelope, seq and resume."""

from __future__ import annotations

from typing import Any

from tests.live.conftest import token_of


def tell(app: Any, user_id: int, *match_ids: int) -> None:
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.notifications import services
    from deltacrown.notifications.kinds import NotificationType as T

    with app.app_context(), unit_of_work():
        for match_id in match_ids:
            services.notify([user_id], services.Notice(T.MATCH_READY, {"match_id": match_id}))


def test_my_notifications_arrive_live_in_order_and_resume(
    app,
    client,
    follow,
    user,
    make_user,
):
    other = make_user()
    me = follow("/ws/me", token=token_of(user))
    hello = me.hello["data"]
    assert hello["channel"] == f"user:{user.id}" and hello["unread_count"] == 0
    start = hello["last_seq"]

    tell(app, other.id, 1)  # someone else's: never on my channel
    tell(app, user.id, 1)
    created = me.next()
    assert created["type"] == "notification.created" and created["seq"] == start + 1
    assert created["data"]["data"] == {"match_id": 1} and created["data"]["unread_count"] == 1
    assert created["ts"].endswith("Z")

    read = client.post(f"/api/notifications/{created['data']['id']}/read/", headers=user.headers)
    assert read.status_code == 200
    assert me.next()["data"] == {"ids": [created["data"]["id"]], "unread_count": 0}
    me.close()

    tell(app, user.id, 2, 3)  # missed while away
    back = follow("/ws/me", token=token_of(user))
    assert back.hello["data"]["unread_count"] == 2
    back.send(type="resume", after_seq=start + 2)
    replayed = [back.next(), back.next()]
    assert [f["seq"] for f in replayed] == [start + 3, start + 4]
    assert [f["data"]["data"]["match_id"] for f in replayed] == [2, 3]
    assert back.next()["type"] == "resumed"


def test_a_token_is_required_and_cannot_switch_to_someone_else(follow, user, make_user):
    bad = follow("/ws/me", token="not-a-token", established=False)
    assert bad.close_code() == 4401
    me = follow("/ws/me", token=token_of(user))
    me.send(type="auth", token=token_of(make_user()))
    assert me.close_code() == 4403
