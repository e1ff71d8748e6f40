"""Every match-lifecycle endpoint and error code through the API, with its permissions:
anonymous 401, invisible 404, wrong person 403, wrong state 409 `invalid_transition`.
Reading, scheduling, check-in and start, submitting and confirming results (and opening a
dispute), and the organizer's override, forfeit and cancel; the dispute desk (queue, review,
resolution, and what an open dispute holds back) is in test_disputes_api.py."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import time_machine

from deltacrown.core.time import utcnow
from tests.helpers import assert_problem
from tests.matches.conftest import REASON, live_semi, submitted

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# ----- reading -----------------------------------------------------------------------------------
def test_a_match_shows_participants_state_and_deadlines(started, m, client):
    play = started()
    semi = play.matches["W1.1"]["id"]
    kickoff = utcnow() + timedelta(minutes=40)
    m.schedule(semi, kickoff)
    body = client.get(f"/api/matches/{semi}/").get_json()  # anonymous, public tournament
    assert body["status"] == "ready" and body["best_of"] == 3
    assert [p["registration_id"] for p in body["participants"]] == list(play.ids("W1.1"))
    assert body["check_in_opens_at"].startswith((kickoff - timedelta(minutes=30)).isoformat()[:16])
    assert body["check_in_closes_at"].startswith((kickoff + timedelta(minutes=10)).isoformat()[:16])
    assert body["checked_in"] == [] and body["submissions"] == [] and body["confirm_by"] is None
    assert_problem(m.get(999_999), 404, "match_not_found")


def test_a_private_tournaments_matches_are_invisible_to_strangers(started, m, stranger):
    play = started(visibility="private")
    semi = play.matches["W1.1"]["id"]
    assert_problem(m.get(semi, headers=stranger.headers), 404, "match_not_found")
    assert_problem(m.get(semi, headers={}), 404, "match_not_found")
    assert_problem(m.start(semi, headers=stranger.headers), 404, "match_not_found")
    assert m.get(semi, headers=play.sides("W1.1")[0].headers).status_code == 200
    assert m.get(semi, headers=play.sides("W1.2")[0].headers).status_code == 200


def test_the_history_is_cursor_paginated_newest_first(started, m):
    play = started()
    match_id = submitted(play, m)
    first = m.events(match_id, limit=1)
    assert [e["type"] for e in first.get_json()] == ["result_submitted"]
    cursor = first.headers["X-Next-Cursor"]
    second = m.events(match_id, limit=1, cursor=cursor)
    assert [e["type"] for e in second.get_json()] == ["started"]
    assert "X-Next-Cursor" not in second.headers
    assert_problem(m.events(match_id, cursor="nonsense"), 422, "invalid_cursor")


# ----- scheduling ----------------------------------------------------------------------------------
def test_organizers_schedule_and_set_the_best_of(
    started, m, stranger, staff, co_organizer, app, organizer
):
    from tests.brackets_api.conftest import add_co_organizer

    play = started()
    semi = play.matches["W1.1"]["id"]
    later = (utcnow() + timedelta(hours=2)).isoformat()
    assert_problem(m.patch(semi, headers={}, scheduled_at=later), 401, "authentication_required")
    assert_problem(m.patch(semi, headers=stranger.headers, scheduled_at=later), 403, "forbidden")
    player = play.sides("W1.1")[0]
    assert_problem(m.patch(semi, headers=player.headers, scheduled_at=later), 403, "forbidden")
    body = m.patch(semi, scheduled_at=later, best_of=5).get_json()
    assert body["best_of"] == 5 and body["scheduled_at"] is not None
    assert m.patch(semi, headers=staff.headers, best_of=1).get_json()["best_of"] == 1
    add_co_organizer(app, play.cup.id, organizer, co_organizer)
    assert m.patch(semi, headers=co_organizer.headers, best_of=3).status_code == 200
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    assert_problem(m.patch(semi, scheduled_at=past), 422, "validation_error")
    assert_problem(m.patch(semi, best_of=4), 422, "validation_error")
    m.live(semi)
    body = assert_problem(m.patch(semi, best_of=5), 409, "invalid_transition")
    assert body["current_status"] == "live" and "ready" in body["allowed_from"]


# ----- check-in and start -----------------------------------------------------------------------
def test_check_in_opens_thirty_minutes_before_and_closes_after_the_grace(app, started, m, stranger):
    play = started(no_show_grace_minutes=1)
    semi = play.matches["W1.1"]["id"]
    pa, pb = play.sides("W1.1")
    m.schedule(semi, utcnow() + timedelta(minutes=45))
    assert_problem(m.check_in(semi, pa.headers), 409, "check_in_not_open")
    m.schedule(semi, utcnow() + timedelta(minutes=1))
    assert_problem(m.check_in(semi, headers={}), 401, "authentication_required")
    assert_problem(m.check_in(semi, stranger.headers), 403, "forbidden")
    assert_problem(m.check_in(semi), 403, "forbidden")  # organizers do not check in
    assert m.check_in(semi, pa.headers).get_json()["checked_in"] == [play.ids("W1.1")[0]]
    assert_problem(m.check_in(semi, pa.headers), 409, "already_checked_in")
    with time_machine.travel(utcnow() + timedelta(minutes=3), tick=False):
        assert_problem(m.check_in(semi, pb.headers), 409, "check_in_closed")


def test_check_in_replays_with_the_same_idempotency_key(started, m):
    play = started()
    semi = play.matches["W1.1"]["id"]
    m.schedule(semi, utcnow() + timedelta(minutes=10))
    headers = {**play.sides("W1.1")[0].headers, "Idempotency-Key": "check-in-once"}
    first = m.check_in(semi, headers)
    again = m.check_in(semi, headers)
    assert first.status_code == again.status_code == 200
    assert again.get_json()["checked_in"] == first.get_json()["checked_in"]


def test_both_check_ins_start_the_match_and_checking_in_later_is_a_409(started, m):
    play = started()
    semi = play.matches["W1.1"]["id"]
    m.schedule(semi, utcnow() + timedelta(minutes=10))
    pa, pb = play.sides("W1.1")
    m.check_in(semi, pa.headers)
    assert m.check_in(semi, pb.headers).get_json()["status"] == "live"
    assert_problem(m.check_in(semi, pa.headers), 409, "invalid_transition")


def test_only_organizers_start_and_only_ready_matches(started, m, staff):
    play = started()
    semi, final = play.matches["W1.1"]["id"], play.matches["W2.1"]["id"]
    assert_problem(m.start(semi, play.sides("W1.1")[0].headers), 403, "forbidden")
    assert_problem(m.start(final), 409, "invalid_transition")  # sides not known yet
    assert m.start(semi, staff.headers).get_json()["status"] == "live"
    assert_problem(m.start(semi), 409, "invalid_transition")


# ----- results ---------------------------------------------------------------------------------
def test_submissions_must_end_the_best_of(started, m):
    play = started()
    semi = live_semi(play, m)
    pa = play.sides("W1.1")[0]
    for games in (
        [(13, 9)],
        [(13, 9), (9, 13)],
        [(13, 9), (13, 4), (13, 1)],
        [(13, 9), (13, 13)],
        [(13, 9), (2, 13), (13, 5), (13, 0)],
    ):
        assert_problem(m.submit(semi, games, pa.headers), 422, "invalid_scores")
    assert_problem(m.submit(semi, [(-1, 13)], pa.headers), 422, "validation_error")
    assert_problem(m.submit(semi, [], pa.headers), 422, "validation_error")
    assert_problem(
        m.submit(semi, [(13, 9), (13, 4)], pa.headers, evidence=["../etc/passwd"]),
        422,
        "validation_error",
    )
    assert m.submit(semi, [(13, 9), (7, 13), (13, 4)], pa.headers).status_code == 200


def test_one_submission_per_side_and_only_participants_while_live(started, m, stranger):
    play = started()
    semi = play.matches["W1.1"]["id"]
    pa, pb = play.sides("W1.1")
    assert_problem(m.submit(semi, [(13, 9), (13, 4)], pa.headers), 409, "invalid_transition")
    m.live(semi)
    assert_problem(m.submit(semi, [(13, 9), (13, 4)], headers={}), 401, "authentication_required")
    assert_problem(m.submit(semi, [(13, 9), (13, 4)], stranger.headers), 403, "forbidden")
    assert_problem(m.submit(semi, [(13, 9), (13, 4)]), 403, "forbidden")
    body = m.submit(semi, [(13, 9), (13, 4)], pa.headers).get_json()
    assert body["status"] == "awaiting_confirmation" and body["confirm_by"] is not None
    assert body["submissions"][0]["registration_id"] == play.ids("W1.1")[0]
    assert_problem(m.submit(semi, [(13, 9), (13, 4)], pa.headers), 409, "already_submitted")


def test_the_other_sides_matching_submission_confirms_and_a_different_one_disputes(started, m):
    play = started()
    semi1 = submitted(play, m, code="W1.1")
    body = m.submit(semi1, [(13, 9), (13, 4)], play.sides("W1.1")[1].headers).get_json()
    assert body["status"] == "completed" and body["winner_registration_id"] == play.ids("W1.1")[0]
    semi2 = submitted(play, m, code="W1.2")
    body = m.submit(semi2, [(9, 13), (4, 13)], play.sides("W1.2")[1].headers).get_json()
    assert body["status"] == "disputed" and body["open_dispute_id"] is not None
    assert {s["status"] for s in body["submissions"]} == {"disputed"}


def test_the_other_side_or_an_organizer_confirms(started, m, stranger, staff):
    play = started()
    semi = submitted(play, m)
    pa, pb = play.sides("W1.1")
    assert_problem(m.confirm(semi, pa.headers), 403, "forbidden")  # its own submission
    assert_problem(m.confirm(semi, stranger.headers), 403, "forbidden")
    assert m.confirm(semi, staff.headers).get_json()["status"] == "completed"
    assert_problem(m.confirm(semi, pb.headers), 409, "invalid_transition")


def test_disputes_need_a_reason_the_other_side_and_one_at_a_time(started, m, stranger):
    play = started()
    semi = submitted(play, m)
    pa, pb = play.sides("W1.1")
    assert_problem(m.dispute(semi, "too short", pb.headers), 422, "validation_error")
    assert_problem(m.dispute(semi, REASON, pa.headers), 403, "forbidden")
    assert_problem(m.dispute(semi, REASON, stranger.headers), 403, "forbidden")
    assert m.dispute(semi, REASON, pb.headers).status_code == 201
    assert_problem(m.dispute(semi, REASON, pb.headers), 409, "invalid_transition")
    # A completed match may be disputed once while the tournament is ongoing.
    other = submitted(play, m, code="W1.2")
    pc, pd = play.sides("W1.2")
    m.confirm(other, pd.headers)
    first = m.dispute(other, REASON, pd.headers)
    assert first.status_code == 201
    assert m.get(other).get_json()["status"] == "completed"
    body = assert_problem(m.dispute(other, REASON, pc.headers), 409, "dispute_exists")
    assert body["dispute_id"] == first.get_json()["id"]


def test_evidence_uploads_go_with_submissions(started, m, stranger, client):
    play = started()
    semi = live_semi(play, m)
    pa = play.sides("W1.1")[0]

    def upload(headers: Any) -> Any:
        return client.post(
            f"/api/matches/{semi}/evidence/",
            data={"file": (io.BytesIO(PNG), "proof.png")},
            headers=headers,
            content_type="multipart/form-data",
        )

    assert_problem(upload(stranger.headers), 403, "forbidden")
    response = upload(pa.headers)
    assert response.status_code == 201, response.get_json()
    key = response.get_json()["key"]
    assert key.startswith("evidence/")
    body = m.submit(semi, [(13, 9), (13, 4)], pa.headers, evidence=[key]).get_json()
    assert body["submissions"][0]["evidence"][0].startswith(f"/media/{key}")


def test_a_draw_is_refused_where_the_league_does_not_allow_draws(cup, api, m):
    """Swiss to a number of wins has no draws (the engine's rule); fixed rounds allow them."""
    from tests.brackets_api.conftest import all_matches

    for options, expected in (({"swiss_wins_to_advance": 2}, 422), ({"swiss_rounds": 2}, 200)):
        c = cup(4, format="swiss")
        document = api.generated(c.id, options={"best_of": 1, **options})
        assert api.start(c.id).status_code == 200
        match = next(x for x in all_matches(document).values() if all(
            p["registration_id"] for p in x["participants"]))  # fmt: skip
        first = c.player_of(match["participants"][0]["registration_id"])
        assert m.live(match["id"])["status"] == "live"
        drawn = m.submit(match["id"], [(5, 5)], first.headers)
        assert drawn.status_code == expected, drawn.get_json()


# ----- organizer actions -------------------------------------------------------------------------
def test_override_previews_then_applies_and_refuses_when_a_dependent_match_started(started, m):
    play = started()
    semi1 = submitted(play, m, code="W1.1")
    a, b = play.ids("W1.1")
    assert_problem(
        m.override(semi1, [(2, 13), (3, 13)], play.sides("W1.1")[0].headers), 403, "forbidden"
    )
    m.confirm(semi1, play.sides("W1.1")[1].headers)
    final = play.matches["W2.1"]["id"]
    preview = m.override(semi1, [(2, 13), (3, 13)], dry_run=True).get_json()
    assert preview["applied"] is False and preview["allowed"] is True
    assert (
        preview["changes"]["moves"][0]["registration_id"],
        preview["changes"]["moves"][0]["to_match_id"],
    ) == (b, final)
    assert m.get(semi1).get_json()["winner_registration_id"] == a  # nothing changed
    applied = m.override(semi1, [(2, 13), (3, 13)]).get_json()
    assert applied["applied"] is True
    assert m.get(semi1).get_json()["winner_registration_id"] == b
    assert b in [p["registration_id"] for p in m.get(final).get_json()["participants"]]
    # Once the final is playing, re-routing is refused and names the blocking match.
    semi2 = submitted(play, m, code="W1.2")
    m.confirm(semi2, play.sides("W1.2")[1].headers)
    m.live(final)
    body = assert_problem(m.override(semi1, [(13, 2), (13, 3)]), 409, "dependent_match_started")
    assert body["blocking"] == [final]
    preview = m.override(semi1, [(13, 2), (13, 3)], dry_run=True).get_json()
    assert preview["allowed"] is False and preview["blocking"] == [final]
    assert_problem(m.override(play.matches["W2.1"]["id"] + 1000, [(13, 2)]), 404, "match_not_found")


def test_override_needs_known_sides_and_valid_games(started, m):
    play = started()
    final = play.matches["W2.1"]["id"]
    assert_problem(m.override(final, [(13, 2), (13, 3)]), 409, "invalid_transition")
    semi = play.matches["W1.1"]["id"]
    assert_problem(m.override(semi, [(13, 2)]), 422, "invalid_scores")
    body = m.override(semi, [(13, 2), (13, 3)]).get_json()
    assert body["applied"] is True
    assert m.get(semi).get_json()["status"] == "completed"


def test_organizers_record_forfeits(started, m, stranger):
    play = started()
    semi = play.matches["W1.1"]["id"]
    a, b = play.ids("W1.1")
    c, _d = play.ids("W1.2")
    assert_problem(m.forfeit(semi, b, play.sides("W1.1")[0].headers), 403, "forbidden")
    assert_problem(m.forfeit(semi, b, stranger.headers), 403, "forbidden")
    assert_problem(m.forfeit(semi, c), 422, "validation_error")
    body = m.forfeit(semi, b).get_json()
    assert (body["status"], body["winner_registration_id"], body["scores"]) == ("forfeit", a, [])
    assert_problem(m.forfeit(semi, b), 409, "invalid_transition")


def test_organizers_cancel_unfinished_matches_and_reschedule_them(started, m):
    play = started()
    semi = live_semi(play, m)
    assert_problem(m.cancel(semi, play.sides("W1.1")[0].headers), 403, "forbidden")
    assert m.cancel(semi).get_json()["status"] == "cancelled"
    assert_problem(m.cancel(semi), 409, "invalid_transition")
    body = m.schedule(semi, utcnow() + timedelta(hours=1))
    assert body["status"] == "ready"
