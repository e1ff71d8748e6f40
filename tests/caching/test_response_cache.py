"""The shared cache of hot public reads: hits are byte-identical to misses, writes invalidate
them after commit, credentials bypass it, ETag/304 and compression still work."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from deltacrown.core import cache_versions
from deltacrown.core.cache import cache
from deltacrown.core.response_cache import PUBLIC
from deltacrown.extensions import db
from tests.brackets_api.conftest import better_seed, won_by

VOLATILE = {"X-Request-ID", "Date"}  # per response, cached or not


@pytest.fixture
def cached(app: Any) -> Iterator[None]:
    """The response cache turned on (tests run with it off), emptied before and after."""
    app.config["RESPONSE_CACHE"] = True
    with app.app_context():
        cache.clear()
    try:
        yield
    finally:
        app.config["RESPONSE_CACHE"] = False
        with app.app_context():
            cache.clear()


@contextmanager
def counted_queries(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    target = engine if isinstance(engine, sa.Engine) else engine.engine
    event.listen(target, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", record)


def stable_headers(response: Any) -> list[tuple[str, str]]:
    return [(k, v) for k, v in response.headers if k not in VOLATILE]


def test_a_cached_detail_is_byte_identical_and_costs_no_query(
    app: Any, client: Any, cup: Any, cached: None
) -> None:
    c = cup(4)
    url = f"/api/tournaments/{c.id}/"
    first = client.get(url)
    with counted_queries(app) as statements:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert statements == []  # served from the cache
    assert second.data == first.data
    assert stable_headers(second) == stable_headers(first)
    assert second.headers["Cache-Control"] == PUBLIC


def test_a_cached_list_page_compresses_like_an_uncached_one(
    app: Any, client: Any, cup: Any, cached: None
) -> None:
    for _ in range(3):
        cup(4, status="registration_open", visibility="public")
    url = "/api/tournaments/?page_size=50"
    headers = {"Accept-Encoding": "gzip"}
    first = client.get(url, headers=headers)
    second = client.get(url, headers=headers)
    assert first.headers["Content-Encoding"] == second.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(second.data) == gzip.decompress(first.data)
    assert stable_headers(second) == stable_headers(first)
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers
    assert plain.data == gzip.decompress(first.data)


def test_a_write_invalidates_the_cached_reads_after_its_commit(
    app: Any, client: Any, cup: Any, organizer: Any, cached: None
) -> None:
    c = cup(4)
    url = f"/api/tournaments/{c.id}/"
    assert client.get(url).get_json()["name"] != "Renamed cup"
    listed = client.get("/api/tournaments/?page_size=100").get_json()
    renamed = client.patch(url, json={"name": "Renamed cup"}, headers=organizer.headers)
    assert renamed.status_code == 200, renamed.get_json()
    assert client.get(url).get_json()["name"] == "Renamed cup"
    names = {t["name"] for t in client.get("/api/tournaments/?page_size=100").get_json()}
    assert "Renamed cup" in names or c.id not in {t["id"] for t in listed}


def test_a_match_result_invalidates_the_bracket_document(
    app: Any, client: Any, cup: Any, api: Any, cached: None
) -> None:
    c = cup(4)
    api.generated(c.id)
    assert api.start(c.id).status_code == 200
    before = client.get(f"/api/tournaments/{c.id}/bracket/").get_json()
    api.play(c.id)
    after = client.get(f"/api/tournaments/{c.id}/bracket/").get_json()
    assert after != before
    assert after == api.bracket(c.id).get_json()  # the same as an uncached, signed-in read


def test_a_rolled_back_write_keeps_the_cached_entry(
    app: Any, client: Any, cup: Any, cached: None
) -> None:
    c = cup(4)
    scope = cache_versions.tournament_scope(c.id)
    with app.app_context():
        before = cache_versions.current([scope])
    with app.test_request_context():
        from deltacrown.tournaments.models import Tournament

        db.session.get(Tournament, c.id).name = "Never committed"
        db.session.flush()
        db.session.rollback()
        assert cache_versions.current([scope]) == before
        db.session.get(Tournament, c.id).name = "Committed"
        db.session.commit()
        assert cache_versions.current([scope]) != before


def test_a_bulk_update_of_a_watched_table_starts_a_new_epoch(app: Any, cached: None) -> None:
    from deltacrown.tournaments.models import Tournament

    with app.test_request_context():
        before = cache_versions.current([cache_versions.EPOCH])
        db.session.execute(sa.update(Tournament).where(Tournament.id < 0).values(name="x"))
        db.session.commit()
        assert cache_versions.current([cache_versions.EPOCH]) != before


def test_a_bulk_write_of_a_table_no_tournament_shows_refreshes_only_its_pages(
    app: Any, cached: None
) -> None:
    """A player's first rating is a bulk INSERT .. ON CONFLICT into player_ratings: it
    refreshes the leaderboards, not every cached read (each first-time player's result used
    to start a new epoch)."""
    from deltacrown.leaderboards.models import PlayerRating

    scopes = [cache_versions.EPOCH, cache_versions.LISTS, cache_versions.LEADERBOARDS]
    with app.test_request_context():
        epoch, lists, boards = cache_versions.current(scopes)
        db.session.execute(sa.delete(PlayerRating).where(PlayerRating.id < 0))
        db.session.commit()
        assert cache_versions.current(scopes)[:2] == [epoch, lists]
        assert cache_versions.current(scopes)[2] != boards


def test_a_hit_answers_304_to_the_etag_the_client_has(
    app: Any, client: Any, cup: Any, cached: None
) -> None:
    c = cup(4)
    url = f"/api/tournaments/{c.id}/"
    uncached_304 = client.get(url, headers={"If-None-Match": client.get(url).headers["ETag"]})
    etag = client.get(url).headers["ETag"]
    with counted_queries(app) as statements:
        cached_304 = client.get(url, headers={"If-None-Match": etag})
    assert statements == []
    assert cached_304.status_code == uncached_304.status_code == 304
    assert cached_304.data == uncached_304.data


def test_the_svg_is_cached_and_answers_304(
    app: Any, client: Any, cup: Any, api: Any, cached: None
) -> None:
    c = cup(4)
    api.generated(c.id)
    url = f"/api/tournaments/{c.id}/bracket.svg"
    first = client.get(url)
    with counted_queries(app) as statements:
        second = client.get(url)
        not_modified = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert statements == []
    assert second.data == first.data and second.mimetype == "image/svg+xml"
    assert not_modified.status_code == 304


def test_requests_with_credentials_or_an_invite_code_bypass_the_cache(
    app: Any, client: Any, cup: Any, organizer: Any, cached: None
) -> None:
    c = cup(4)
    url = f"/api/tournaments/{c.id}/"
    client.get(url)
    with counted_queries(app) as statements:
        own = client.get(url, headers=organizer.headers)
    assert statements  # read afresh, never the anonymous answer
    assert own.headers["Cache-Control"] == "private, no-cache"
    with_code = client.get(url, query_string={"invite_code": "whatever"})
    assert with_code.headers["Cache-Control"] == "private, no-store"


def test_each_language_is_cached_apart(app: Any, client: Any, cup: Any, cached: None) -> None:
    c = cup(4)
    url = f"/api/tournaments/{c.id}/"
    english = client.get(url).get_json()["status_label"]
    bengali = client.get(url, headers={"Accept-Language": "bn"}).get_json()["status_label"]
    with counted_queries(app) as statements:
        again = client.get(url, headers={"Accept-Language": "bn-BD, bn;q=0.9"}).get_json()
        english_again = client.get(url, headers={"Accept-Language": "en-GB"}).get_json()
    assert statements == []  # both languages come from the cache, whatever the header's form
    assert (again["status_label"], english_again["status_label"]) == (bengali, english)
    assert bengali != english


def test_renaming_the_organizer_refreshes_the_cached_detail_and_a_sign_in_does_not(
    app: Any, client: Any, cup: Any, cached: None
) -> None:
    from deltacrown.accounts.models import User
    from deltacrown.core.time import utcnow
    from deltacrown.tournaments.models import Tournament

    c = cup(4)
    url = f"/api/tournaments/{c.id}/"
    client.get(url)
    with app.test_request_context():
        organizer = db.session.get(User, db.session.get(Tournament, c.id).organizer_id)
        epoch = cache_versions.current([cache_versions.EPOCH])
        organizer.last_login_at = utcnow()  # not shown by any cached read
        db.session.commit()
        assert cache_versions.current([cache_versions.EPOCH]) == epoch
        organizer.username = "renamed_host"
        db.session.commit()
        assert cache_versions.current([cache_versions.EPOCH]) != epoch
    assert "renamed_host" in client.get(url).get_data(as_text=True)


def test_a_match_result_refreshes_its_tournament_and_the_leaderboards_not_the_lists(
    app: Any, client: Any, cup: Any, api: Any, cached: None
) -> None:
    c = cup(4)
    api.generated(c.id)
    assert api.start(c.id).status_code == 200
    scopes = [
        cache_versions.tournament_scope(c.id),
        cache_versions.LISTS,
        cache_versions.LEADERBOARDS,
    ]
    with app.app_context():
        tournament_before, lists_before, boards_before = cache_versions.current(scopes)
    match = api.playable(c.id)[0]  # one semi-final: the tournament goes on
    winner = better_seed(match)
    assert api.result(match["id"], winner, won_by(match, winner)).status_code == 200
    with app.app_context():
        tournament_after, lists_after, boards_after = cache_versions.current(scopes)
    assert tournament_after != tournament_before  # the bracket, matches and standings
    assert lists_after == lists_before  # no tournament list shows a match
    assert boards_after != boards_before  # the players' ratings moved
    api.play(c.id)  # the final completes the tournament: its row changes, so do the lists
    with app.app_context():
        assert cache_versions.current([cache_versions.LISTS]) != [lists_after]


def test_a_registration_refreshes_its_tournament_and_the_pages_counting_places_only(
    app: Any, client: Any, cup: Any, make_player: Any, cached: None
) -> None:
    from tests.brackets_api.conftest import register_players

    c = cup(2, status="registration_open", visibility="public", max_participants=4)
    plain = "/api/tournaments/?page_size=100"
    places = "/api/tournaments/?page_size=100&has_slots=false"
    detail = f"/api/tournaments/{c.id}/"
    handled: list[str] = []
    app.before_request_funcs.setdefault(None, []).append(lambda: handled.append("flask") and None)
    try:
        full_before = {t["id"] for t in client.get(places).get_json()}
        for url in (plain, detail):
            client.get(url)
        handled.clear()
        assert c.id not in full_before
        register_players(app, c.id, [make_player(), make_player()])  # now full: 4 of 4
        assert client.get(plain).status_code == 200
        assert handled == []  # the plain list shows no registration: still served cached
        assert c.id in {t["id"] for t in client.get(places).get_json()}  # refreshed
        client.get(detail)
        assert handled == ["flask", "flask"]
    finally:
        app.before_request_funcs[None].pop()
