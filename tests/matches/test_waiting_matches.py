"""Matches that need no organizer's click: a ready match without a scheduled time takes
check-ins at once, and with the tournament's `auto_start_matches` (the default) it goes live
as soon as both sides are known. A scheduled match still waits for its check-in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from deltacrown.core.time import isoformat, utcnow
from deltacrown.extensions import db
from deltacrown.tournaments.models import Tournament
from tests.helpers import assert_problem
from tests.matches.conftest import IN_AN_HOUR, REASON


def status(m: Any, match_id: int) -> str:
    return m.get(match_id).get_json()["status"]


def test_a_ready_match_without_a_time_takes_check_ins_at_once(started, m):
    play = started(auto_start_matches=False)
    match_id = play.matches["W1.1"]["id"]
    first, second = play.sides("W1.1")
    detail = m.check_in(match_id, first.headers)
    assert detail.status_code == 200, detail.get_json()
    assert detail.get_json()["status"] == "ready"
    assert detail.get_json()["check_in_opens_at"] is None
    assert m.check_in(match_id, second.headers).get_json()["status"] == "live"


def test_without_auto_start_a_ready_match_waits_for_its_sides(started, m):
    play = started(auto_start_matches=False)
    assert {status(m, match["id"]) for match in play.matches.values()} == {"ready", "scheduled"}


def test_matches_go_live_when_the_tournament_starts(started, m):
    play = started(auto_start_matches=True)
    assert status(m, play.matches["W1.1"]["id"]) == "live"
    assert status(m, play.matches["W1.2"]["id"]) == "live"
    assert status(m, play.matches["W2.1"]["id"]) == "scheduled"
    events = m.events(play.matches["W1.1"]["id"]).get_json()
    assert [(e["type"], e["actor_id"], e["data"]) for e in events] == [
        ("started", None, {"automatic": True})
    ]


def test_a_match_goes_live_as_soon_as_both_sides_are_known(started, m):
    play = started(auto_start_matches=True)
    for code in ("W1.1", "W1.2"):
        win(play, m, code)
    assert status(m, play.matches["W2.1"]["id"]) == "live"


def test_a_scheduled_match_waits_for_its_check_in(started, m):
    play = started(auto_start_matches=True)
    final = play.matches["W2.1"]["id"]
    at = (utcnow() + IN_AN_HOUR).replace(second=0, microsecond=0)
    m.schedule(final, at)
    for code in ("W1.1", "W1.2"):
        win(play, m, code)
    detail = m.get(final).get_json()
    assert detail["status"] == "ready"
    side = play.player(detail["participants"][0]["registration_id"])
    body = assert_problem(m.check_in(final, side.headers), 409, "check_in_not_open")
    opens = isoformat(at - timedelta(minutes=30))
    assert body["opens_at"] == opens and opens.endswith(":00Z")
    assert opens in body["detail"]


def win(play: Any, m: Any, code: str) -> None:
    first, second = play.sides(code)
    match_id = play.matches[code]["id"]
    assert m.submit(match_id, [(13, 5), (13, 7)], first.headers).status_code == 200
    assert m.confirm(match_id, second.headers).get_json()["status"] == "completed"


def test_a_rematch_without_a_time_goes_live_again(started, m):
    play = started(auto_start_matches=True)
    match_id = play.matches["W1.1"]["id"]
    first, second = play.sides("W1.1")
    assert m.submit(match_id, [(13, 5), (13, 7)], first.headers).status_code == 200
    dispute = m.dispute(match_id, REASON, second.headers).get_json()["id"]
    ruling = m.dispute_post(dispute, "resolve", outcome="rematch", resolution="Play it again.")
    assert ruling.status_code == 200, ruling.get_json()
    assert status(m, match_id) == "live"


def test_a_rematch_without_auto_start_is_open_for_check_in(started, m):
    play = started(auto_start_matches=False)
    match_id = play.matches["W1.1"]["id"]
    first, second = play.sides("W1.1")
    m.live(match_id)
    assert m.submit(match_id, [(13, 5), (13, 7)], first.headers).status_code == 200
    dispute = m.dispute(match_id, REASON, second.headers).get_json()["id"]
    m.dispute_post(dispute, "resolve", outcome="rematch", resolution="Play it again.")
    assert status(m, match_id) == "ready"
    assert m.check_in(match_id, first.headers).status_code == 200
    assert m.check_in(match_id, second.headers).get_json()["status"] == "live"


def test_a_result_starts_every_match_left_waiting_when_auto_start_was_turned_on(app, started, m):
    play = started(n=8, auto_start_matches=False)
    with app.app_context():  # the organizer turns it on while the cup is under way
        tournament = db.session.get(Tournament, play.cup.id)
        tournament.auto_start_matches = True
        db.session.commit()
    entered = m.override(play.matches["W1.1"]["id"], [(13, 5), (13, 7)])
    assert entered.status_code == 200, entered.get_json()
    # The result fed only W2.1 (still waiting for its other side), yet the matches that were
    # ready before it go live with it.
    assert [status(m, play.matches[code]["id"]) for code in ("W1.2", "W1.3", "W1.4")] == [
        "live"
    ] * 3
    assert status(m, play.matches["W2.1"]["id"]) == "scheduled"
