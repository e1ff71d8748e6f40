"""The webhook API: an organizer's own endpoints, the secret shown once, the tournament
filter limited to their tournaments, the delivery log, test pings and replays."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_tournament
from tests.helpers import assert_problem

BASE = "/api/webhooks/endpoints/"


@pytest.fixture
def people(make_user: Any) -> tuple[Any, Any]:
    return make_user(), make_user()


def create(client: Any, user: Any, **body: Any) -> Any:
    body.setdefault("url", "http://127.0.0.1:9/hook")
    body.setdefault("events", ["match.completed", "tournament.published"])
    return client.post(BASE, json=body, headers=user.headers)


def test_an_organizer_registers_an_endpoint_and_sees_the_secret_only_once(
    client: Any, people: Any
) -> None:
    owner, _ = people
    response = create(client, owner, description="Discord bot")
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["secret"].startswith("whsec_")
    assert created["events"] == ["match.completed", "tournament.published"]
    assert (created["is_active"], created["breaker"]) == (True, "closed")

    shown = client.get(f"{BASE}{created['id']}/", headers=owner.headers).get_json()
    assert "secret" not in shown
    listed = client.get(BASE, headers=owner.headers).get_json()
    assert [e["id"] for e in listed] == [created["id"]]
    assert all("secret" not in e for e in listed)

    rotated = client.post(f"{BASE}{created['id']}/rotate-secret/", headers=owner.headers)
    assert rotated.status_code == 200
    assert rotated.get_json()["secret"] not in (None, created["secret"])
    assert rotated.get_json()["previous_secret_expires_at"].endswith("Z")


def test_a_stale_if_match_is_refused_and_changes_nothing(client: Any, people: Any) -> None:
    owner, _ = people
    endpoint_id = create(client, owner).get_json()["id"]
    shown = client.get(f"{BASE}{endpoint_id}/", headers=owner.headers)
    etag = shown.headers["ETag"]
    changed = client.patch(
        f"{BASE}{endpoint_id}/",
        json={"description": "v2"},
        headers={**owner.headers, "If-Match": etag},
    )
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    stale = client.patch(
        f"{BASE}{endpoint_id}/",
        json={"description": "v3"},
        headers={**owner.headers, "If-Match": etag},
    )
    assert_problem(stale, 412, "precondition_failed")
    again = client.get(f"{BASE}{endpoint_id}/", headers=owner.headers).get_json()
    assert again["description"] == "v2"


def test_someone_elses_endpoint_is_not_found(client: Any, people: Any) -> None:
    owner, stranger = people
    endpoint_id = create(client, owner).get_json()["id"]
    for method in ("get", "patch", "delete"):
        kwargs = {"json": {}} if method == "patch" else {}
        response = getattr(client, method)(
            f"{BASE}{endpoint_id}/", headers=stranger.headers, **kwargs
        )
        assert_problem(response, 404, "webhook_endpoint_not_found")
    assert client.get(BASE, headers=stranger.headers).get_json() == []


def test_the_tournament_filter_takes_only_the_organizers_tournaments(
    app: Any, client: Any, people: Any
) -> None:
    owner, stranger = people
    mine = make_tournament(app, owner.id)
    theirs = make_tournament(app, stranger.id)

    refused = create(client, owner, tournament_ids=[mine, theirs])
    body = assert_problem(refused, 422, "webhook_tournament_not_organized")
    assert str(theirs) in body["errors"]["tournament_ids"][0]
    assert client.get(BASE, headers=owner.headers).get_json() == []

    created = create(client, owner, tournament_ids=[mine]).get_json()
    assert created["tournament_ids"] == [mine]


@pytest.mark.parametrize(
    "body",
    [
        {"events": ["tournament.exploded"]},
        {"events": []},
        {"url": ""},
        {"url": "ftp://example.com/"},
    ],
)
def test_bad_endpoint_bodies_are_refused_and_change_nothing(
    client: Any, people: Any, body: dict[str, Any]
) -> None:
    owner, _ = people
    response = create(client, owner, **body)
    assert response.status_code == 422
    assert client.get(BASE, headers=owner.headers).get_json() == []


def test_production_refuses_a_loopback_url(client: Any, people: Any, app: Any, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", False)
    owner, _ = people
    assert_problem(create(client, owner, url="https://127.0.0.1/hook"), 422, "webhook_url_refused")
    assert_problem(create(client, owner, url="http://example.com/"), 422, "webhook_url_refused")


def test_a_test_ping_is_logged_and_can_be_replayed(client: Any, people: Any) -> None:
    owner, _ = people
    endpoint_id = create(client, owner).get_json()["id"]

    ping = client.post(f"{BASE}{endpoint_id}/test/", headers=owner.headers)
    assert ping.status_code == 202
    ping_id = ping.get_json()["id"]
    replay = client.post(
        f"{BASE}{endpoint_id}/deliveries/{ping_id}/replay/", headers=owner.headers
    ).get_json()
    assert (replay["replay_of_id"], replay["event_type"]) == (ping_id, "ping")

    page = client.get(f"{BASE}{endpoint_id}/deliveries/?limit=1", headers=owner.headers)
    [newest] = page.get_json()
    assert newest["id"] == replay["id"]
    assert newest["message_id"] == ping.get_json()["message_id"]
    assert newest["attempts"] == 1 and newest["status"] == "retrying"  # nothing listens on :9
    assert newest["error"].startswith("connection error")
    cursor = page.headers["X-Next-Cursor"]
    older = client.get(
        f"{BASE}{endpoint_id}/deliveries/?limit=1&cursor={cursor}", headers=owner.headers
    )
    assert [d["id"] for d in older.get_json()] == [ping_id]
    assert "X-Next-Cursor" not in older.headers


def test_a_switched_off_endpoint_refuses_tests_and_replays_until_switched_on(
    client: Any, people: Any
) -> None:
    owner, _ = people
    endpoint_id = create(client, owner).get_json()["id"]
    off = client.patch(f"{BASE}{endpoint_id}/", json={"is_active": False}, headers=owner.headers)
    assert off.get_json()["is_active"] is False
    assert_problem(
        client.post(f"{BASE}{endpoint_id}/test/", headers=owner.headers),
        409,
        "webhook_endpoint_disabled",
    )
    client.patch(f"{BASE}{endpoint_id}/", json={"is_active": True}, headers=owner.headers)
    assert client.post(f"{BASE}{endpoint_id}/test/", headers=owner.headers).status_code == 202


def test_deleting_an_endpoint_removes_its_log(client: Any, people: Any) -> None:
    owner, _ = people
    endpoint_id = create(client, owner).get_json()["id"]
    client.post(f"{BASE}{endpoint_id}/test/", headers=owner.headers)
    assert client.delete(f"{BASE}{endpoint_id}/", headers=owner.headers).status_code == 204
    assert_problem(
        client.get(f"{BASE}{endpoint_id}/deliveries/", headers=owner.headers),
        404,
        "webhook_endpoint_not_found",
    )
