"""What a follower's connection costs the database: a crowd connecting at once (after a
deploy, or when a final starts) must not load the same rows again for every check a
connection runs while it starts."""

from __future__ import annotations

import pytest
from websockets.exceptions import ConnectionClosed

from tests.live.conftest import token_of
from tests.performance.conftest import statements_seen


def selects(seen: list[tuple[str, object]]) -> list[str]:
    return [statement for statement, _ in seen if statement.lstrip().upper().startswith("SELECT")]


def test_an_anonymous_follower_of_a_public_match_costs_one_query(started, follow):
    play = started()
    match_id = play.matches["W1.1"]["id"]
    follow(f"/ws/matches/{match_id}")  # the first connection may warm caches
    with statements_seen() as seen:
        watcher = follow(f"/ws/matches/{match_id}")
    assert watcher.hello["data"]["channel"] == f"match:{match_id}"
    queries = selects(seen)
    assert len(queries) == 1, queries  # the match with its tournament
    assert "FROM matches JOIN tournaments" in queries[0]


def test_an_anonymous_follower_of_a_public_tournament_costs_one_query(started, follow):
    play = started()
    follow(f"/ws/tournaments/{play.cup.id}")
    with statements_seen() as seen:
        watcher = follow(f"/ws/tournaments/{play.cup.id}")
    assert watcher.hello["data"]["is_organizer"] is False
    queries = selects(seen)
    assert len(queries) == 1, queries
    assert "FROM tournaments" in queries[0]


def test_an_organizer_following_still_gets_the_checks_of_a_signed_in_user(
    started, follow, organizer
):
    play = started()
    match_id = play.matches["W1.1"]["id"]
    watcher = follow(f"/ws/matches/{match_id}", token=token_of(organizer))
    assert watcher.hello["data"]["is_organizer"] is True
    assert watcher.hello["data"]["user_id"] == organizer.id


def test_messages_sent_before_the_hello_are_answered_after_it_in_order(started, follow):
    """The hub starts a socket (channel, token, subscription, hello) before it reads what the
    client sent: a client that does not wait for the hello still gets it first."""
    play = started()
    match_id = play.matches["W1.1"]["id"]
    watcher = follow(f"/ws/matches/{match_id}", established=False)
    watcher.send(type="ping")
    watcher.send(type="resume", after_seq=0)
    frames = watcher.until("resumed")  # any replayed events come before `resumed`
    assert [f["type"] for f in frames[:2]] == ["connection_established", "pong"]


def test_an_unknown_match_is_closed_with_4404_after_the_upgrade(follow):
    watcher = follow("/ws/matches/999999", established=False)
    with pytest.raises(ConnectionClosed) as closed:
        watcher.next()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404


def test_a_match_of_a_deleted_tournament_is_closed_with_4404(app, started, follow):
    """The match's channel reads its tournament in the same statement; the rule that a deleted
    tournament's channels are gone is still `tournaments.live.find`'s."""
    import sqlalchemy as sa

    from deltacrown.core.time import utcnow
    from deltacrown.extensions import db
    from deltacrown.tournaments.models import Tournament

    play = started()
    match_id = play.matches["W1.1"]["id"]
    with app.app_context():
        db.session.execute(
            sa.update(Tournament).where(Tournament.id == play.cup.id).values(deleted_at=utcnow())
        )
        db.session.commit()
    assert follow(f"/ws/matches/{match_id}", established=False).close_code() == 4404
