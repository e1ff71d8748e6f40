"""The issue's "Done when", through the API: a best-of-3 scheduled, checked into, started,
submitted by one side and confirmed by the other advances the bracket; another is disputed,
reviewed and overturned after a preview; an unanswered submission auto-confirms and a no-show
forfeits (time travel); the final completes the tournament with placements."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import time_machine

from deltacrown.core.time import utcnow
from tests.brackets_api.conftest import db_scalar
from tests.matches.conftest import REASON


def at(moment: Any) -> Any:
    return time_machine.travel(moment, tick=False)


def run_sweeps(app: Any) -> None:
    from deltacrown.matches import tasks

    with app.app_context():
        tasks.auto_confirm_results()
        tasks.forfeit_no_shows()


def test_a_cup_played_through_the_lifecycle_completes_with_placements(app, client, started, m):
    play = started(4, best_of=3)
    semi1, semi2 = play.matches["W1.1"]["id"], play.matches["W1.2"]["id"]
    final = play.matches["W2.1"]["id"]
    a, b = play.ids("W1.1")
    pa, pb = play.sides("W1.1")
    c, d = play.ids("W1.2")
    pc, pd = play.sides("W1.2")
    kickoff = utcnow() + timedelta(minutes=20)  # check-in is open (30 minutes before)

    # Semi-final 1: scheduled, both sides check in (it goes live), one submits, the other
    # confirms; the winner reaches the final.
    detail = m.schedule(semi1, kickoff)
    assert detail["check_in_opens_at"] is not None and detail["status"] == "ready"
    response = m.check_in(semi1, pa.headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checked_in"] == [a]
    assert m.check_in(semi1, pb.headers).get_json()["status"] == "live"
    response = m.submit(semi1, [(13, 9), (7, 13), (13, 4)], pa.headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "awaiting_confirmation"
    response = m.confirm(semi1, pb.headers)
    assert response.status_code == 200, response.get_json()
    done = response.get_json()
    assert done["status"] == "completed" and done["winner_registration_id"] == a
    assert done["games"] == [{"p1": 13, "p2": 9}, {"p1": 7, "p2": 13}, {"p1": 13, "p2": 4}]
    final_detail = m.get(final).get_json()
    assert a in [p["registration_id"] for p in final_detail["participants"]]

    # Semi-final 2: disputed, reviewed, previewed, then overturned (d wins instead of c).
    m.live(semi2)
    assert m.submit(semi2, [(13, 2), (13, 5)], pc.headers).status_code == 200
    response = m.dispute(semi2, REASON, pd.headers)
    assert response.status_code == 201, response.get_json()
    dispute = response.get_json()
    assert dispute["status"] == "open"
    assert m.get(semi2).get_json()["status"] == "disputed"
    assert m.dispute_post(dispute["id"], "review").get_json()["status"] == "under_review"
    preview = m.override(semi2, [(2, 13), (5, 13)], dry_run=True)
    assert preview.status_code == 200, preview.get_json()
    body = preview.get_json()
    assert body["applied"] is False and body["allowed"] is True
    moves = [(mv["registration_id"], mv["to_match_id"]) for mv in body["changes"]["moves"]]
    assert moves == [(d, final)]
    assert m.get(semi2).get_json()["status"] == "disputed"  # the preview changed nothing
    response = m.dispute_post(
        dispute["id"],
        "resolve",
        outcome="overturned",
        resolution="The screenshots show the other side won both maps.",
        corrected_games=[{"p1": 2, "p2": 13}, {"p1": 5, "p2": 13}],
    )
    assert response.status_code == 200, response.get_json()
    resolved = response.get_json()
    assert resolved["status"] == "resolved" and resolved["outcome"] == "overturned"
    assert m.get(semi2).get_json()["winner_registration_id"] == d
    assert {p["registration_id"] for p in m.get(final).get_json()["participants"]} == {a, d}

    # The final: a's submission goes unanswered and auto-confirms; the tournament completes.
    m.live(final)
    assert (
        m.submit(
            final,
            [(13, 1), (13, 2)]
            if m.get(final).get_json()["participants"][0]["registration_id"] == a
            else [(1, 13), (2, 13)],
            pa.headers,
        ).status_code
        == 200
    )
    with at(utcnow() + timedelta(minutes=31)):
        run_sweeps(app)
    final_detail = m.get(final).get_json()
    assert final_detail["status"] == "completed" and final_detail["winner_registration_id"] == a
    tournament = client.get(f"/api/tournaments/{play.cup.id}/", headers=m.headers).get_json()
    assert tournament["status"] == "completed"
    from deltacrown.brackets.models import TournamentResult

    placements = db_scalar(
        app,
        sa.select(sa.func.count(TournamentResult.id)).where(
            TournamentResult.tournament_id == play.cup.id
        ),
    )
    assert placements == 4
    champion = db_scalar(
        app,
        sa.select(TournamentResult.registration_id).where(
            TournamentResult.tournament_id == play.cup.id, TournamentResult.placement == 1
        ),
    )
    runner_up = db_scalar(
        app,
        sa.select(TournamentResult.registration_id).where(
            TournamentResult.tournament_id == play.cup.id, TournamentResult.placement == 2
        ),
    )
    assert (champion, runner_up) == (a, d)
    events = [e["type"] for e in m.events(final).get_json()]
    assert events[:3] == ["completed", "result_confirmed", "result_submitted"]


def test_a_side_that_does_not_check_in_forfeits(app, started, m):
    play = started(4, best_of=3)
    semi = play.matches["W1.1"]["id"]
    a, b = play.ids("W1.1")
    pa, _pb = play.sides("W1.1")
    kickoff = utcnow() + timedelta(minutes=20)
    m.schedule(semi, kickoff)
    assert m.check_in(semi, pa.headers).status_code == 200
    with at(kickoff + timedelta(minutes=9)):  # within the 10-minute grace: nothing yet
        run_sweeps(app)
    assert m.get(semi).get_json()["status"] == "ready"
    with at(kickoff + timedelta(minutes=11)):
        run_sweeps(app)
    detail = m.get(semi).get_json()
    assert detail["status"] == "forfeit" and detail["winner_registration_id"] == a
    assert detail["scores"] == []
    assert "forfeited" in [e["type"] for e in m.events(semi).get_json()]


def test_both_sides_absent_cancel_the_match_for_the_organizer(app, started, m):
    play = started(4, best_of=3)
    semi = play.matches["W1.1"]["id"]
    a, b = play.ids("W1.1")
    kickoff = utcnow() + timedelta(minutes=20)
    m.schedule(semi, kickoff)
    with at(kickoff + timedelta(minutes=11)):
        run_sweeps(app)
    assert m.get(semi).get_json()["status"] == "cancelled"
    # The organizer decides: a forfeit of one side moves the other on.
    response = m.forfeit(semi, b)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["winner_registration_id"] == a
    assert response.get_json()["status"] == "forfeit"
