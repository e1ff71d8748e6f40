"""Link previews, share cards, the sitemap and robots.txt."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from PIL import Image

from deltacrown.sharing import card, services
from tests.factories import make_tournament
from tests.helpers import assert_problem

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def owner(make_user: Any) -> Any:
    return make_user(username="sharer")


def test_a_public_tournament_shares_its_title_card_and_canonical_link(
    app: Any, client: Any, owner: Any
) -> None:
    tid = make_tournament(
        app, owner.id, status="registration_open", name="Dhaka Winter Cup",
        prize_pool={"amount": "5000.00", "currency": "BDT"}, description="Sixteen teams, one crown.",
    )  # fmt: skip
    body = client.get(f"/api/tournaments/{tid}/share/").get_json()
    assert body["title"] == "Dhaka Winter Cup" and body["indexable"] is True
    assert "BDT 5,000" in body["description"]
    assert body["description"].endswith("Sixteen teams, one crown.")
    assert body["image_url"] == f"http://localhost/api/tournaments/{tid}/og.png"
    assert body["canonical_url"] == f"http://localhost/api/tournaments/{tid}/"
    assert body["open_graph"]["og:image"] == body["image_url"]
    assert body["twitter"]["twitter:card"] == "summary_large_image"


def test_a_web_front_end_gets_slug_links_and_private_tournaments_stay_hidden(
    app: Any, client: Any, owner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PUBLIC_WEB_URL", "https://deltacrown.example/")
    tid = make_tournament(app, owner.id, status="registration_open", name="Slug Cup")
    body = client.get(f"/api/tournaments/{tid}/share/").get_json()
    assert body["canonical_url"] == "https://deltacrown.example/tournaments/slug-cup"
    hidden = make_tournament(app, owner.id, status="registration_open", visibility="private")
    assert_problem(client.get(f"/api/tournaments/{hidden}/share/"), 404, "tournament_not_found")
    assert_problem(client.get(f"/api/tournaments/{hidden}/og.png"), 404, "tournament_not_found")
    own = client.get(f"/api/tournaments/{hidden}/share/", headers=owner.headers).get_json()
    assert own["indexable"] is False


def test_the_share_card_is_1200_by_630_and_versioned(app: Any, client: Any, owner: Any) -> None:
    tid = make_tournament(app, owner.id, status="registration_open", name="Card Cup")
    first = client.get(f"/api/tournaments/{tid}/og.png")
    assert first.status_code == 200 and first.mimetype == "image/png"
    image = Image.open(io.BytesIO(first.data))
    assert image.size == (card.WIDTH, card.HEIGHT)
    again = client.get(
        f"/api/tournaments/{tid}/og.png", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304


def test_the_card_wraps_long_names_escapes_markup_and_embeds_the_bracket() -> None:
    facts = {"name": "The <Extremely> Long " + "Championship " * 12, "game": "Valorant",
             "dates": "01 Jan 2027", "prize": None, "participants": "3 / 16"}  # fmt: skip
    bracket = '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="400" viewBox="0 0 900 400"><rect width="10" height="10"/></svg>'
    svg = card.draw(facts, bracket)
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    names = [
        t.text or ""
        for t in root.iter("{http://www.w3.org/2000/svg}text")
        if t.get("font-size") == "54"
    ]
    assert len(names) == 3 and names[-1].endswith("…") and names[0].startswith("The <Extremely>")
    assert all(len(n) * 0.6 * 54 <= 540 for n in names)
    nested = [e for e in root.iter("{http://www.w3.org/2000/svg}svg") if e.get("x") == "632"]
    assert nested and nested[0].get("viewBox") == "0 0 900 400"
    assert "Prize" not in svg  # nothing to say, no line


def _sitemap(client: Any, path: str) -> ET.Element:
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return ET.fromstring(response.data)  # noqa: S314 - our own output


def test_the_sitemap_lists_public_tournaments_and_profiles_split_into_pages(
    app: Any, client: Any, owner: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = [make_tournament(app, owner.id, status="registration_open") for _ in range(3)]
    draft = make_tournament(app, owner.id, status="draft")
    private = make_tournament(app, owner.id, status="registration_open", visibility="private")
    make_user(username="quiet", is_active=False)
    monkeypatch.setattr(services, "SITEMAP_PAGE", 2)

    index = _sitemap(client, "/sitemap.xml")
    files = [loc.text for loc in index.iter(f"{NS}loc")]
    assert "http://localhost/sitemaps/tournaments-1.xml" in files
    assert "http://localhost/sitemaps/tournaments-2.xml" in files
    urls = []
    for name in files:
        page = _sitemap(client, name.replace("http://localhost", ""))
        urls += [loc.text for loc in page.iter(f"{NS}loc")]
        assert all(m.text and len(m.text) == 10 for m in page.iter(f"{NS}lastmod"))
    for tid in listed:
        assert f"http://localhost/api/tournaments/{tid}/" in urls
    assert not {f"http://localhost/api/tournaments/{t}/" for t in (draft, private)} & set(urls)
    assert f"http://localhost/api/users/{owner.id}/" in urls
    assert len(urls) == len(set(urls))
    assert client.get("/sitemaps/tournaments-99.xml").status_code == 404
    assert client.get("/sitemaps/secrets-1.xml").status_code == 404


def test_robots_points_crawlers_at_the_sitemap_and_away_from_private_areas(client: Any) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    assert {"Disallow: /admin/", "Disallow: /api/me/"} <= set(lines)
