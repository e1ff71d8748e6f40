"""Canonical slugs: a tournament by its slug, and old slugs redirecting after a rename."""

from __future__ import annotations

from typing import Any

from tests.factories import make_tournament
from tests.helpers import assert_problem

BY_SLUG = "/api/tournaments/by-slug/"


def rename(client: Any, owner: Any, tournament_id: int, name: str) -> dict[str, Any]:
    url = f"/api/tournaments/{tournament_id}/"
    etag = client.get(url, headers=owner.headers).headers["ETag"]
    response = client.patch(url, json={"name": name}, headers={**owner.headers, "If-Match": etag})
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def test_a_tournament_answers_at_its_slug_with_an_etag(app: Any, client: Any, owner: Any) -> None:
    tid = make_tournament(app, owner.id, status="registration_open", name="Autumn Brawl")
    response = client.get(f"{BY_SLUG}autumn-brawl/")
    assert response.status_code == 200
    assert response.get_json()["id"] == tid
    again = client.get(
        f"{BY_SLUG}autumn-brawl/", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    assert_problem(client.get(f"{BY_SLUG}no-such-cup/"), 404, "tournament_not_found")


def test_a_rename_moves_the_slug_and_old_links_redirect_to_the_new_one(
    app: Any, client: Any, owner: Any
) -> None:
    tid = make_tournament(app, owner.id, status="registration_open", name="Autumn Brawl")
    body = rename(client, owner, tid, "Winter Brawl")
    assert body["slug"] == "winter-brawl"
    moved = client.get(f"{BY_SLUG}autumn-brawl/", query_string={"invite_code": "x"})
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith(f"{BY_SLUG}winter-brawl/?invite_code=x")
    assert client.get(f"{BY_SLUG}winter-brawl/").get_json()["id"] == tid
    rename(client, owner, tid, "Spring Brawl")
    assert client.get(f"{BY_SLUG}autumn-brawl/").headers["Location"].endswith("spring-brawl/")


def test_a_rename_that_reads_the_same_keeps_the_slug(app: Any, client: Any, owner: Any) -> None:
    tid = make_tournament(app, owner.id, status="registration_open", name="Autumn Brawl")
    assert rename(client, owner, tid, "AUTUMN  brawl!")["slug"] == "autumn-brawl"


def test_an_old_slug_is_never_given_to_another_tournament(
    app: Any, client: Any, owner: Any
) -> None:
    tid = make_tournament(app, owner.id, status="registration_open", name="Autumn Brawl")
    rename(client, owner, tid, "Winter Brawl")
    other = make_tournament(app, owner.id, status="registration_open", name="Autumn Brawl")
    assert client.get(f"/api/tournaments/{other}/").get_json()["slug"] == "autumn-brawl-2"
    assert client.get(f"{BY_SLUG}autumn-brawl/").status_code == 301


def test_a_private_tournaments_slug_is_hidden_from_strangers(
    app: Any, client: Any, owner: Any, make_user: Any
) -> None:
    tid = make_tournament(
        app, owner.id, status="registration_open", name="Secret Brawl", visibility="private"
    )
    rename(client, owner, tid, "Hidden Brawl")
    stranger = make_user(username="nosy")
    for slug in ("secret-brawl", "hidden-brawl"):
        response = client.get(f"{BY_SLUG}{slug}/", headers=stranger.headers)
        assert_problem(response, 404, "tournament_not_found")
    assert client.get(f"{BY_SLUG}hidden-brawl/", headers=owner.headers).status_code == 200
