"""Disputes through the API: the organizers' and staff's queue, who sees a dispute, review,
resolve (upheld, overturned, rematch) and dismiss with their state rules, an override or an
organizer's direct result settling an open dispute, and a dispute holding back the final and
the tournament's completion."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine

from deltacrown.core.time import utcnow
from tests.helpers import assert_problem
from tests.matches.conftest import REASON, submitted


def disputed(play: Any, m: Any, code: str = "W1.1") -> int:
    match_id = submitted(play, m, code=code)
    response = m.dispute(match_id, REASON, play.sides(code)[1].headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_the_dispute_queue_is_for_organizers_and_staff(started, m, stranger, staff):
    play = started()
    first = disputed(play, m, "W1.1")
    second = disputed(play, m, "W1.2")
    assert_problem(m.disputes(headers={}), 401, "authentication_required")
    assert m.disputes(headers=stranger.headers).get_json() == []
    assert [d["id"] for d in m.disputes().get_json()] == [second, first]
    assert [d["id"] for d in m.disputes(headers=staff.headers).get_json()][:2] == [second, first]
    m.dispute_post(first, "review")
    assert [d["id"] for d in m.disputes(status="under_review").get_json()] == [first]
    assert [d["id"] for d in m.disputes(match=play.matches["W1.2"]["id"]).get_json()] == [second]
    assert [d["id"] for d in m.disputes(tournament=play.cup.id, limit=1).get_json()] == [second]


def test_a_dispute_is_visible_to_its_organizers_staff_and_sides(started, m, stranger, staff):
    play = started()
    dispute = disputed(play, m)
    assert_problem(m.dispute_get(dispute, stranger.headers), 404, "dispute_not_found")
    assert_problem(m.dispute_get(dispute + 1000), 404, "dispute_not_found")
    assert m.dispute_get(dispute, play.sides("W1.1")[0].headers).status_code == 200
    assert m.dispute_get(dispute, staff.headers).status_code == 200
    response = m.dispute_get(dispute)
    assert response.get_json()["reason"] == REASON and response.headers["ETag"].startswith("W/")


def test_review_resolve_and_dismiss_follow_the_dispute_states(started, m):
    play = started()
    dispute = disputed(play, m)
    side = play.sides("W1.1")[1]
    assert_problem(m.dispute_post(dispute, "review", side.headers), 403, "forbidden")
    assert m.dispute_post(dispute, "review").get_json()["status"] == "under_review"
    assert_problem(m.dispute_post(dispute, "review"), 409, "invalid_transition")
    assert_problem(
        m.dispute_post(dispute, "resolve", outcome="overturned", resolution="wrong"),
        422,
        "validation_error",
    )
    assert_problem(
        m.dispute_post(
            dispute,
            "resolve",
            outcome="overturned",
            resolution="wrong",
            corrected_games=[{"p1": 1, "p2": 13}],
        ),
        422,
        "invalid_scores",
    )
    assert_problem(
        m.dispute_post(dispute, "dismiss", side.headers, resolution="no"), 403, "forbidden"
    )
    body = m.dispute_post(dispute, "resolve", outcome="upheld", resolution="The result stands.")
    assert body.get_json()["status"] == "resolved"
    assert m.get(play.matches["W1.1"]["id"]).get_json()["status"] == "completed"
    assert_problem(m.dispute_post(dispute, "dismiss", resolution="late"), 409, "invalid_transition")


def test_resolving_an_open_dispute_takes_it_under_review_in_the_same_call(started, m, organizer):
    play = started()
    dispute = disputed(play, m)
    body = m.dispute_post(dispute, "resolve", outcome="upheld", resolution="The result stands.")
    assert body.status_code == 200, body.get_json()
    resolved = body.get_json()
    assert resolved["status"] == "resolved" and resolved["outcome"] == "upheld"
    assert resolved["reviewed_by_id"] == organizer.id and resolved["reviewed_at"] is not None
    assert m.get(play.matches["W1.1"]["id"]).get_json()["status"] == "completed"
    history = [e["type"] for e in m.events(play.matches["W1.1"]["id"]).get_json()]
    assert history.index("dispute_resolved") < history.index("dispute_under_review")


def test_a_refused_resolution_leaves_an_open_dispute_open(started, m):
    play = started()
    dispute = disputed(play, m)
    assert_problem(
        m.dispute_post(dispute, "resolve", outcome="overturned", resolution="wrong"),
        422,
        "validation_error",
    )
    assert m.dispute_get(dispute).get_json()["status"] == "open"


def test_a_dismissed_dispute_lets_the_submission_stand(started, m):
    play = started()
    dispute = disputed(play, m)
    body = m.dispute_post(dispute, "dismiss", resolution="No evidence was given.").get_json()
    assert body["status"] == "dismissed" and body["resolved_by_id"] is not None
    match = m.get(play.matches["W1.1"]["id"]).get_json()
    assert match["status"] == "completed"
    assert match["winner_registration_id"] == play.ids("W1.1")[0]


def test_a_rematch_puts_the_match_back_to_ready(started, m):
    play = started()
    dispute = disputed(play, m)
    m.dispute_post(dispute, "review")
    body = m.dispute_post(dispute, "resolve", outcome="rematch", resolution="Replay it.")
    assert body.get_json()["outcome"] == "rematch"
    match = m.get(play.matches["W1.1"]["id"]).get_json()
    assert match["status"] == "ready" and match["submissions"] == []
    # The sides play again and may submit again.
    m.live(match["id"])
    assert (
        m.submit(match["id"], [(13, 1), (13, 2)], play.sides("W1.1")[0].headers).status_code == 200
    )


def test_overturning_a_completed_match_reroutes_or_is_refused_once_the_next_started(started, m):
    play = started()
    semi1 = submitted(play, m, code="W1.1")
    a, b = play.ids("W1.1")
    m.confirm(semi1, play.sides("W1.1")[1].headers)
    final = play.matches["W2.1"]["id"]
    dispute = m.dispute(semi1, REASON, play.sides("W1.1")[1].headers).get_json()["id"]
    m.dispute_post(dispute, "review")
    body = m.dispute_post(
        dispute,
        "resolve",
        outcome="overturned",
        resolution="b won both.",
        corrected_games=[{"p1": 1, "p2": 13}, {"p1": 2, "p2": 13}],
    )
    assert body.status_code == 200, body.get_json()
    assert b in [p["registration_id"] for p in m.get(final).get_json()["participants"]]
    # A second dispute after the final started: overturning is refused, the dispute stays.
    semi2 = submitted(play, m, code="W1.2")
    m.confirm(semi2, play.sides("W1.2")[1].headers)
    m.live(final)
    dispute = m.dispute(semi1, REASON, play.sides("W1.1")[0].headers).get_json()["id"]
    m.dispute_post(dispute, "review")
    body = assert_problem(
        m.dispute_post(
            dispute,
            "resolve",
            outcome="overturned",
            resolution="a won after all",
            corrected_games=[{"p1": 13, "p2": 1}, {"p1": 13, "p2": 2}],
        ),
        409,
        "dependent_match_started",
    )
    assert body["blocking"] == [final]
    assert m.dispute_get(dispute).get_json()["status"] == "under_review"
    assert_problem(
        m.dispute_post(dispute, "resolve", outcome="rematch", resolution="replay"),
        409,
        "invalid_transition",
    )


def test_overriding_a_completed_match_resolves_its_open_dispute(app, started, m):
    import sqlalchemy as sa

    from deltacrown.core.audit import AuditEntry
    from tests.brackets_api.conftest import db_scalar

    play = started()
    semi = submitted(play, m)
    m.confirm(semi, play.sides("W1.1")[1].headers)
    dispute = m.dispute(semi, REASON, play.sides("W1.1")[1].headers).get_json()["id"]
    m.dispute_post(dispute, "review")
    preview = m.override(semi, [(2, 13), (3, 13)], dry_run=True, reason="Video review")
    assert preview.status_code == 200, preview.get_json()
    assert m.dispute_get(dispute).get_json()["status"] == "under_review"  # a preview: untouched
    applied = m.override(semi, [(2, 13), (3, 13)], reason="Video review")
    assert applied.status_code == 200, applied.get_json()
    body = m.dispute_get(dispute).get_json()
    assert (body["status"], body["outcome"], body["resolution"]) == (
        "resolved",
        "overturned",
        "Video review",
    )
    assert body["corrected_games"] == [{"p1": 2, "p2": 13}, {"p1": 3, "p2": 13}]
    assert m.get(semi).get_json()["open_dispute_id"] is None
    audited = db_scalar(
        app,
        sa.select(sa.func.count(AuditEntry.id)).where(
            AuditEntry.action == "dispute.resolved", AuditEntry.target_id == dispute
        ),
    )
    assert audited == 1


def test_a_disputed_final_blocks_the_tournaments_completion(started, m, client):
    play = started(n=2, best_of=1)
    final = play.matches["W1.1"]["id"]
    m.live(final)
    pa, pb = play.sides("W1.1")
    m.submit(final, [(13, 2)], pa.headers)
    m.dispute(final, REASON, pb.headers)
    tournament = client.get(f"/api/tournaments/{play.cup.id}/", headers=m.headers).get_json()
    assert tournament["status"] == "ongoing"
    # Once the tournament completes, nothing can be disputed or submitted any more.
    dispute = m.disputes().get_json()[0]["id"]
    m.dispute_post(dispute, "dismiss", resolution="The score was right.")
    tournament = client.get(f"/api/tournaments/{play.cup.id}/", headers=m.headers).get_json()
    assert tournament["status"] == "completed"
    assert_problem(m.dispute(final, REASON, pb.headers), 409, "tournament_not_ongoing")


def test_an_open_dispute_on_an_earlier_match_holds_the_final_back(app, started, m, client):
    play = started(best_of=1)
    semi1, semi2 = play.matches["W1.1"]["id"], play.matches["W1.2"]["id"]
    final = play.matches["W2.1"]["id"]
    for semi, code in ((semi1, "W1.1"), (semi2, "W1.2")):
        m.live(semi)
        m.submit(semi, [(13, 2)], play.sides(code)[0].headers)
        m.confirm(semi, play.sides(code)[1].headers)
    dispute = m.dispute(semi1, REASON, play.sides("W1.1")[1].headers).get_json()["id"]
    first = m.get(final).get_json()["participants"][0]["registration_id"]
    player = play.player(first)
    m.live(final)
    m.submit(final, [(13, 5)], player.headers)
    body = assert_problem(m.override(final, [(13, 5)]), 409, "disputes_open")
    assert body["dispute_ids"] == [dispute]
    # The sweep leaves it waiting too, announcing nothing; the tournament stays ongoing.
    from deltacrown.core import signals
    from deltacrown.matches import tasks

    announced: list[Any] = []

    def listener(sender: Any, **payload: Any) -> None:
        announced.append(payload)

    with (
        time_machine.travel(utcnow() + timedelta(hours=2), tick=False),
        app.app_context(),
        signals.match_completed.connected_to(listener),
        signals.tournament_completed.connected_to(listener),
    ):
        assert tasks.auto_confirm_results() == 0
    assert announced == []
    assert m.get(final).get_json()["status"] == "awaiting_confirmation"
    m.dispute_post(dispute, "dismiss", resolution="The result was right.")
    other = next(
        p
        for p in play.cup.registrations
        if p in play.ids("W1.1") + play.ids("W1.2")
        and p != first
        and m.get(final).get_json()["participants"][1]["registration_id"] == p
    )
    assert m.confirm(final, play.player(other).headers).get_json()["status"] == "completed"
    tournament = client.get(f"/api/tournaments/{play.cup.id}/", headers=m.headers).get_json()
    assert tournament["status"] == "completed"


def test_an_organizers_direct_result_settles_the_submissions_and_the_dispute(started, m, api):
    from tests.matches.conftest import REASON

    play = started()
    semi = play.matches["W1.1"]["id"]
    first, second = play.sides("W1.1")
    m.live(semi)
    m.submit(semi, [(13, 9), (13, 4)], first.headers)
    dispute_id = m.dispute(semi, REASON, second.headers).get_json()["id"]
    winner = play.ids("W1.1")[1]
    recorded = api.result(semi, winner, [[9, 13], [4, 13]])
    assert recorded.status_code == 200, recorded.get_json()
    body = m.get(semi).get_json()
    assert body["status"] == "completed" and body["open_dispute_id"] is None
    assert body["submissions"] == []  # superseded
    settled = m.dispute_get(dispute_id).get_json()
    assert (settled["status"], settled["outcome"]) == ("resolved", "overturned")
