"""Bracket pictures: SVG (and PNG) of every format, named, scored, versioned and cached."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from PIL import Image

from deltacrown.brackets import picture
from tests.brackets_api.conftest import all_matches, won_by
from tests.helpers import assert_problem

SVG = "{http://www.w3.org/2000/svg}"


def svg_of(client: Any, tournament_id: int, **query: Any) -> Any:
    return client.get(f"/api/tournaments/{tournament_id}/bracket.svg", query_string=query)


def texts(body: bytes) -> list[str]:
    root = ET.fromstring(body)  # noqa: S314 - our own output
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def names_of(app: Any, registrations: list[int]) -> set[str]:
    from deltacrown.brackets import queries

    with app.app_context():
        return set(queries.registration_names(set(registrations)).values())


@pytest.mark.parametrize(
    ("n", "fmt", "boxes"),
    [
        (4, "single_elimination", 3),
        (8, "double_elimination", 7 + 6 + 2),  # winners, losers, the final and its reset
        (13, "single_elimination", 12),  # 3 byes: no box for them
        (13, "double_elimination", 12 + 11 + 2),
    ],
)
def test_an_elimination_tree_shows_every_match_and_every_name_without_byes(
    app: Any, client: Any, cup: Any, api: Any, n: int, fmt: str, boxes: int
) -> None:
    c = cup(n, format=fmt)
    document = api.generated(c.id)
    response = svg_of(client, c.id)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)  # noqa: S314 - our own output
    drawn = {int(g.get("data-match-id")) for g in root.iter(f"{SVG}g") if g.get("class") == "match"}
    expected = set()
    for stage in document["stages"]:
        for rnd in stage["rounds"]:
            expected |= {m["id"] for m in rnd["matches"]}
    assert drawn == expected and len(drawn) == boxes
    assert names_of(app, c.registrations) <= set(texts(response.data))


def test_winners_are_bold_scores_shown_and_the_etag_moves_with_each_result(
    client: Any, cup: Any, api: Any
) -> None:
    c = cup(4, format="single_elimination")
    api.generated(c.id)
    assert api.start(c.id).status_code == 200
    before = svg_of(client, c.id)
    assert svg_of(client, c.id, theme="light").headers["ETag"] == before.headers["ETag"]
    assert svg_of(client, c.id, headers=None).status_code == 200
    not_modified = client.get(
        f"/api/tournaments/{c.id}/bracket.svg", headers={"If-None-Match": before.headers["ETag"]}
    )
    assert not_modified.status_code == 304

    semi = next(
        m for m in all_matches(api.bracket(c.id).get_json()).values() if m["round"]["number"] == 1
    )
    winner = semi["participants"][0]
    response = api.result(
        semi["id"], winner["registration_id"], won_by(semi, winner["registration_id"])
    )
    assert response.status_code == 200, response.get_json()

    after = svg_of(client, c.id)
    assert after.headers["ETag"] != before.headers["ETag"]
    root = ET.fromstring(after.data)  # noqa: S314 - our own output
    bold = [t.text for t in root.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert winner["name"] in bold and "13" in texts(after.data)


def test_league_swiss_and_lobby_stages_are_drawn_as_their_tables(
    app: Any, client: Any, cup: Any, api: Any
) -> None:
    c = cup(8, format="round_robin")
    api.generated(c.id, options={"group_size": 4})
    body = svg_of(client, c.id, theme="dark").data
    assert {"Group A", "Group B", "Pts"} <= set(texts(body))
    assert names_of(app, c.registrations) <= set(texts(body))
    assert picture.THEMES["dark"].background.encode() in body

    lobbies = cup(6, format="battle_royale", game="pubg-mobile")
    api.generated(lobbies.id)
    body = svg_of(client, lobbies.id).data
    assert "Kills" in texts(body)
    assert names_of(app, lobbies.registrations) <= set(texts(body))


def test_png_is_the_same_picture_rasterised_at_the_asked_width(
    client: Any, cup: Any, api: Any
) -> None:
    c = cup(8, format="double_elimination")
    api.generated(c.id)
    response = client.get(f"/api/tournaments/{c.id}/bracket.png", query_string={"width": 800})
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = Image.open(io.BytesIO(response.data))
    assert image.width == 800 and image.height > 400
    colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is not None and len(colours) > 4  # text and lines, not a blank canvas


def test_pictures_answer_like_the_bracket_for_missing_private_and_bad_requests(
    client: Any, cup: Any, api: Any, stranger: Any
) -> None:
    c = cup(4, format="single_elimination")
    assert_problem(svg_of(client, c.id), 409, "bracket_missing")
    api.generated(c.id)
    assert_problem(svg_of(client, c.id, stage=999999), 404, "stage_not_found")
    assert_problem(svg_of(client, c.id, theme="neon"), 422, "validation_error")
    assert_problem(svg_of(client, c.id, width=10_000), 422, "validation_error")
    hidden = cup(4, format="single_elimination", visibility="private")
    api.generated(hidden.id)
    response = client.get(f"/api/tournaments/{hidden.id}/bracket.svg", headers=stranger.headers)
    assert_problem(response, 404, "tournament_not_found")
    own = client.get(f"/api/tournaments/{hidden.id}/bracket.svg", headers=api.headers)
    assert own.status_code == 200 and "private" in own.headers["Cache-Control"]


def test_long_names_are_shortened_with_an_ellipsis_and_markup_is_escaped() -> None:
    assert picture.shorten("x" * 60, 20) == "x" * 19 + "…"
    assert picture.shorten("  short  name ", 20) == "short name"
    stage = {
        "number": 1,
        "type": "single_elimination",
        "rounds": [
            {
                "number": 1,
                "name": "Final",
                "side": "winners",
                "matches": [
                    {
                        "id": 1,
                        "number": 1,
                        "status": "ready",
                        "next_match_winner_id": None,
                        "participants": [
                            {
                                "name": "<script>alert(1)</script>" * 3,
                                "seed": 1,
                                "score": None,
                                "result": None,
                            },
                            {"name": "W" * 60, "seed": 2, "score": None, "result": None},
                        ],
                    }
                ],
            }
        ],
    }
    body = picture.draw("Cup & <Co>", stage).encode()
    labels = texts(body)
    assert "<script>" not in body.decode()
    longest = max(len(t) for t in labels if t.startswith("W"))
    assert (
        longest * picture.CHAR_W <= picture.BOX_W - 40
        and labels.count("W" * (longest - 1) + "…") == 1
    )
