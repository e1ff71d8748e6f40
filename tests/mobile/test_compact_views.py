"""`?view=compact` on lists: only ids, names, state, dates and counts; documented; combines
with `?fields=`; an unknown view is a 422."""

from __future__ import annotations

from typing import Any

from deltacrown.brackets.schemas import MATCH_COMPACT
from deltacrown.registrations.schemas import REGISTRATION_COMPACT
from deltacrown.tournaments.schemas import TOURNAMENT_COMPACT
from tests.helpers import assert_problem


def test_compact_lists_keep_only_their_compact_fields(
    client: Any, cup: Any, api: Any, organizer: Any
) -> None:
    c = cup(4, visibility="public")
    api.generated(c.id)
    cases = [
        ("/api/tournaments/", TOURNAMENT_COMPACT, None),
        ("/api/tournaments/upcoming/", TOURNAMENT_COMPACT, None),
        (f"/api/tournaments/{c.id}/matches/", MATCH_COMPACT, None),
        (f"/api/tournaments/{c.id}/registrations/", REGISTRATION_COMPACT, organizer.headers),
    ]
    for url, compact, headers in cases:
        full = client.get(url, headers=headers)
        small = client.get(url, query_string={"view": "compact"}, headers=headers)
        assert full.status_code == small.status_code == 200, (url, small.get_json())
        full_items, small_items = full.get_json(), small.get_json()
        assert small_items, url
        assert [list(item) for item in small_items] == [
            [k for k in item if k in compact] for item in full_items
        ]
        assert set(small_items[0]) == set(compact), url
        assert len(small.data) < len(full.data)


def test_compact_combines_with_fields_and_refuses_unknown_views(client: Any, cup: Any) -> None:
    cup(4, visibility="public")
    both = client.get("/api/tournaments/", query_string={"view": "compact", "fields": "id,rules"})
    assert [set(item) for item in both.get_json()] == [{"id"}]
    assert_problem(client.get("/api/tournaments/?view=tiny"), 422, "validation_error")
    assert client.get("/api/tournaments/?view=full").status_code == 200


def test_compact_views_are_documented_with_their_fields(app: Any) -> None:
    spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    parameters = spec["paths"]["/api/tournaments/"]["get"]["parameters"]
    view = next(p for p in parameters if p["name"] == "view")
    assert view["schema"]["enum"] == ["full", "compact"]
    assert all(f"`{name}`" in view["description"] for name in TOURNAMENT_COMPACT)


def test_every_compact_field_is_a_field_of_its_list(app: Any) -> None:
    spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    schemas = spec["components"]["schemas"]
    documented = 0
    for path, operations in spec["paths"].items():
        get = operations.get("get", {})
        view = next((p for p in get.get("parameters", []) if p.get("name") == "view"), None)
        if view is None:
            continue
        documented += 1
        items = get["responses"]["200"]["content"]["application/json"]["schema"]["items"]
        properties = schemas[items["$ref"].rsplit("/", 1)[1]]["properties"]
        names = [
            n.strip("`")
            for n in view["description"].split(": only ")[1].split(" of ")[0].split(", ")
        ]
        assert set(names) <= set(properties), path
    assert documented >= 8


def test_list_pages_and_summaries_answer_304_to_their_etag(client: Any, cup: Any) -> None:
    cup(4, visibility="public")
    for url in (
        "/api/tournaments/?view=compact",
        "/api/games/",
        "/api/leaderboards/?game=valorant",
    ):
        first = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert first.status_code == 200, (url, first.get_json())
        etag = first.headers["ETag"]
        assert etag.startswith('W/"')
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == etag
