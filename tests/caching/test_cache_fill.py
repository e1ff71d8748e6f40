"""One request refreshes a cached read that a write made stale; the others get the answer as
it was (a stale hit) or wait for the refreshed one, instead of each rebuilding it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from deltacrown.core import cache_fill, cache_versions
from deltacrown.core.cache import cache


@pytest.fixture
def cached(app: Any) -> Iterator[list[str]]:
    """The response cache on, emptied before and after; yields the requests Flask handled."""
    app.config["RESPONSE_CACHE"] = True
    with app.app_context():
        cache.clear()
    handled: list[str] = []

    def note() -> None:
        handled.append("flask")

    app.before_request_funcs.setdefault(None, []).append(note)
    try:
        yield handled
    finally:
        app.before_request_funcs[None].remove(note)
        app.config["RESPONSE_CACHE"] = False
        cache_fill._local_claims.clear()
        with app.app_context():
            cache.clear()


@pytest.fixture
def claimed_keys(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys whose refresh a request claimed, in order."""
    keys: list[str] = []
    original = cache_fill.claim

    def recording(key: str, *args: Any) -> str | None:
        keys.append(key)
        return original(key, *args)

    monkeypatch.setattr(cache_fill, "claim", recording)
    return keys


def _claim(app: Any, key: str) -> str:
    with app.app_context():
        token = cache_fill.claim(key)
    assert token is not None
    return token


def _release(app: Any, key: str, token: str) -> None:
    with app.app_context():
        cache_fill.release(key, token)


def _bump(app: Any, tournament_id: int) -> None:
    with app.app_context():
        cache_versions.bump([cache_versions.tournament_scope(tournament_id)])


def _cached_detail(client: Any, cup: Any, claimed_keys: list[str]) -> tuple[int, str, Any, str]:
    """A cup's detail read once (so cached): its id, URL, first answer and cache key."""
    c = cup(4)
    url = f"/api/tournaments/{c.id}/"
    first = client.get(url)
    (key,) = set(claimed_keys)
    return c.id, url, first, key


def test_a_reader_gets_the_previous_answer_while_another_request_refreshes_it(
    app: Any, client: Any, cup: Any, cached: list[str], claimed_keys: list[str]
) -> None:
    cup_id, url, first, key = _cached_detail(client, cup, claimed_keys)
    _bump(app, cup_id)  # a write: the entry is now stale
    token = _claim(app, key)  # another request is rebuilding it
    handled_before = len(cached)
    stale = client.get(url)
    assert stale.status_code == 200 and stale.data == first.data
    assert stale.headers["ETag"] == first.headers["ETag"]
    assert len(cached) == handled_before  # served before Flask
    _release(app, key, token)
    fresh = client.get(url)  # nobody refreshes it now: this request does
    assert fresh.status_code == 200
    assert len(cached) == handled_before + 1
    _release(app, key, _claim(app, key))  # it gave its claim back


def test_a_cold_reader_waits_for_the_answer_another_request_is_storing(
    app: Any, client: Any, cup: Any, cached: list[str], claimed_keys: list[str]
) -> None:
    _, url, first, key = _cached_detail(client, cup, claimed_keys)
    with app.app_context():
        entry = cache.get(key)
        cache.delete(key)  # nothing stored: a cold miss
    token = _claim(app, key)
    handled_before = len(cached)
    answers: list[Any] = []
    reader = threading.Thread(target=lambda: answers.append(app.test_client().get(url)))
    reader.start()
    reader.join(0.2)
    assert reader.is_alive()  # waiting for the claimant, not building its own answer
    with app.app_context():
        cache.set(key, entry)
    _release(app, key, token)
    reader.join(5)
    (answer,) = answers
    assert answer.status_code == 200 and answer.data == first.data
    assert len(cached) == handled_before


def test_waiting_readers_go_on_when_the_claimant_stores_nothing(
    app: Any, client: Any, cup: Any, cached: list[str], claimed_keys: list[str]
) -> None:
    _, url, _, key = _cached_detail(client, cup, claimed_keys)
    with app.app_context():
        cache.delete(key)
    token = _claim(app, key)
    answers: list[Any] = []
    reader = threading.Thread(target=lambda: answers.append(app.test_client().get(url)))
    reader.start()
    reader.join(0.1)
    handled_before = len(cached)
    _release(app, key, token)  # the claimant failed: nothing was stored
    reader.join(5)
    (answer,) = answers
    assert answer.status_code == 200
    assert len(cached) == handled_before + 1  # the reader built its own answer


def test_a_miss_that_fails_gives_its_claim_back(
    app: Any, client: Any, cached: list[str], claimed_keys: list[str]
) -> None:
    missing = client.get("/api/tournaments/987654321/")
    assert missing.status_code == 404
    (key,) = claimed_keys
    _release(app, key, _claim(app, key))  # released although no entry was stored
    with app.app_context():
        assert cache.get(key) is None
