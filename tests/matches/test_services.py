"""Match lifecycle rules below the API: the sweeps (time travel, run twice),
completion announcements and signals, placements written once, audit entries, the dashboard's
match figures and the beat schedule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from deltacrown.core.time import utcnow
from tests.matches.conftest import REASON


# ----- the sweeps ----------------------------------------------------------------------------------
def sweep(app: Any, moment: Any) -> tuple[int, dict[str, int]]:
    from deltacrown.matches import tasks

    with time_machine.travel(moment, tick=False), app.app_context():
        confirmed = tasks.auto_confirm_results()
        no_shows = tasks.forfeit_no_shows()
    return confirmed, no_shows


def test_auto_confirm_waits_for_the_window_and_runs_once(app, started, m):
    play = started(result_confirmation_minutes=15)
    semi = play.matches["W1.1"]["id"]
    m.live(semi)
    m.submit(semi, [(13, 9), (13, 4)], play.sides("W1.1")[0].headers)
    submitted_at = utcnow()
    assert sweep(app, submitted_at + timedelta(minutes=14))[0] == 0
    assert m.get(semi).get_json()["status"] == "awaiting_confirmation"
    assert sweep(app, submitted_at + timedelta(minutes=16))[0] == 1
    assert sweep(app, submitted_at + timedelta(minutes=17))[0] == 0
    body = m.get(semi).get_json()
    assert body["status"] == "completed"
    assert body["winner_registration_id"] == play.ids("W1.1")[0]
    events = [e["type"] for e in m.events(semi).get_json()]
    assert events.count("result_confirmed") == 1


def test_a_disputed_submission_never_auto_confirms(app, started, m):
    play = started()
    semi = play.matches["W1.1"]["id"]
    m.live(semi)
    m.submit(semi, [(13, 9), (13, 4)], play.sides("W1.1")[0].headers)
    m.dispute(semi, REASON, play.sides("W1.1")[1].headers)
    assert sweep(app, utcnow() + timedelta(hours=3))[0] == 0
    assert m.get(semi).get_json()["status"] == "disputed"


def test_the_no_show_sweep_leaves_checked_in_and_unscheduled_matches_alone(app, started, m):
    play = started()
    semi1, semi2 = play.matches["W1.1"]["id"], play.matches["W1.2"]["id"]
    kickoff = utcnow() + timedelta(minutes=5)
    m.schedule(semi1, kickoff)
    for player in play.sides("W1.1"):
        m.check_in(semi1, player.headers)  # both in: it is live, nobody forfeits
    counts = sweep(app, kickoff + timedelta(hours=1))[1]
    assert counts == {"forfeited": 0, "cancelled": 0, "absent": 0}
    assert m.get(semi1).get_json()["status"] == "live"
    assert m.get(semi2).get_json()["status"] == "ready"  # never scheduled


# ----- completion ----------------------------------------------------------------------------------
def test_confirming_announces_the_result_and_the_bracket_after_commit(app, started, m):
    from deltacrown.core import realtime, signals

    play = started()
    semi = play.matches["W1.1"]["id"]
    m.live(semi)
    m.submit(semi, [(13, 9), (13, 4)], play.sides("W1.1")[0].headers)
    received: list[dict[str, Any]] = []

    def listener(sender: Any, **payload: Any) -> None:
        received.append(payload)

    with app.app_context():
        feed = realtime.subscribe(f"tournament:{play.cup.id}")
    try:
        with signals.match_completed.connected_to(listener):
            m.confirm(semi, play.sides("W1.1")[1].headers)
        # With the Redis broker, messages published just before subscribing may still
        # arrive; read up to the bracket update.
        types: list[str] = []
        while "bracket.updated" not in types:
            message = feed.get(timeout=1)
            assert message is not None, types
            types.append(message["type"])
    finally:
        feed.close()
    assert types[-2:] == ["match.completed", "bracket.updated"]
    assert set(types[:-2]) <= {"match.started", "match.result_submitted", "match.state_changed"}
    assert received[0]["match_id"] == semi
    assert received[0]["winner_registration_id"] == play.ids("W1.1")[0]


def test_the_tournament_completes_once_with_placements(app, started, m):
    from deltacrown.brackets import queries
    from deltacrown.brackets.models import TournamentResult
    from deltacrown.core import signals
    from deltacrown.extensions import db

    play = started(n=2, best_of=1)
    final = play.matches["W1.1"]["id"]
    m.live(final)
    completed: list[int] = []

    def listener(sender: Any, **payload: Any) -> None:
        completed.append(payload["tournament_id"])

    with signals.tournament_completed.connected_to(listener):
        m.submit(final, [(2, 13)], play.sides("W1.1")[0].headers)
        m.confirm(final, play.sides("W1.1")[1].headers)
    assert completed == [play.cup.id]
    with app.app_context():
        rows = queries.tournament_results(play.cup.id)
        assert [(r.placement, r.registration_id) for r in rows] == [
            (1, play.ids("W1.1")[1]),
            (2, play.ids("W1.1")[0]),
        ]
        assert db.session.scalar(sa.select(sa.func.count(TournamentResult.id))) == 2
        db.session.remove()


def test_every_organizer_step_is_audited(app, started, m, organizer):
    from deltacrown.core.audit import AuditEntry

    play = started()
    semi = play.matches["W1.1"]["id"]
    m.schedule(semi, utcnow() + timedelta(hours=1))
    m.live(semi)
    m.submit(semi, [(13, 9), (13, 4)], play.sides("W1.1")[0].headers)
    dispute = m.dispute(semi, REASON, play.sides("W1.1")[1].headers).get_json()["id"]
    m.dispute_post(dispute, "review")
    m.dispute_post(
        dispute,
        "resolve",
        outcome="overturned",
        resolution="Other side won.",
        corrected_games=[{"p1": 1, "p2": 13}, {"p1": 2, "p2": 13}],
    )
    other = play.matches["W1.2"]["id"]
    m.forfeit(other, play.ids("W1.2")[0])
    with app.app_context():
        from deltacrown.extensions import db

        rows = db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.actor_id).order_by(AuditEntry.id)
        ).all()
        db.session.remove()
    actions = [a for a, actor in rows if actor == organizer.id]
    for expected in (
        "match.scheduled",
        "match.started",
        "dispute.under_review",
        "dispute.resolved",
        "match.forfeited",
    ):
        assert expected in actions
    assert ("dispute.opened", play.sides("W1.1")[1].id) in rows


# ----- dashboard and schedule ----------------------------------------------------------------------
def test_the_dashboard_counts_real_matches(app, started, m):
    from deltacrown.organizer import match_figures

    play = started()
    ids = [play.cup.id]
    semi1, semi2 = play.matches["W1.1"]["id"], play.matches["W1.2"]["id"]
    m.schedule(semi1, utcnow() + timedelta(minutes=5))
    m.check_in(semi1, play.sides("W1.1")[0].headers)
    m.live(semi2)
    m.submit(semi2, [(13, 9), (13, 4)], play.sides("W1.2")[0].headers)
    m.dispute(semi2, REASON, play.sides("W1.2")[1].headers)
    later = utcnow() + timedelta(minutes=8)
    with app.app_context():
        assert match_figures.open_disputes(ids) == 1
        assert match_figures.overdue_matches(ids, now=later) == 1
        assert match_figures.completion_rate(ids) == 0.0
        assert match_figures.match_no_shows(ids) == 0
    sweep(app, utcnow() + timedelta(minutes=20))  # semi 1: the absent side forfeits
    with app.app_context():
        assert match_figures.match_no_shows(ids) == 1
        assert match_figures.overdue_matches(ids, now=later) == 0
        assert match_figures.completion_rate(ids) == round(1 / 3, 4)
        assert match_figures.completion_rate([]) is None
        assert match_figures.open_disputes([]) == 0


def test_the_beat_schedule_runs_both_match_sweeps_every_minute(app):
    import celeryconfig
    from deltacrown.matches import tasks as match_tasks

    tasks = {e["task"]: e["schedule"] for e in celeryconfig.beat_schedule.values()}
    assert tasks["matches.auto_confirm_results"] == timedelta(minutes=1)
    assert tasks["matches.forfeit_no_shows"] == timedelta(minutes=1)
    registered = app.extensions["celery"].tasks  # each entry names a task the worker knows
    assert registered["matches.auto_confirm_results"].run is match_tasks.auto_confirm_results.run
    assert registered["matches.forfeit_no_shows"].run is match_tasks.forfeit_no_shows.run


def test_flask_jobs_run_runs_the_sweeps(app, started, m):
    play = started(result_confirmation_minutes=15)
    semi1, semi2 = play.matches["W1.1"]["id"], play.matches["W1.2"]["id"]
    m.live(semi1)
    m.submit(semi1, [(13, 9), (13, 4)], play.sides("W1.1")[0].headers)
    kickoff = utcnow() + timedelta(minutes=5)
    m.schedule(semi2, kickoff)  # nobody checks in
    runner = app.test_cli_runner()
    with time_machine.travel(kickoff + timedelta(hours=1), tick=False):
        confirmed = runner.invoke(args=["jobs", "run", "auto-confirm-results"])
        no_shows = runner.invoke(args=["jobs", "run", "forfeit-no-shows"])
    assert confirmed.exit_code == 0, confirmed.output
    assert confirmed.output.strip() == "ran auto-confirm-results: 1"
    assert no_shows.exit_code == 0, no_shows.output
    assert "'cancelled': 1" in no_shows.output
    assert m.get(semi1).get_json()["status"] == "completed"
    assert m.get(semi2).get_json()["status"] == "cancelled"


def test_no_placements_before_the_last_match(app, started):
    from deltacrown.brackets import queries

    play = started()
    with app.app_context():
        assert queries.tournament_results(play.cup.id) == []


def test_the_service_refuses_evidence_that_is_not_an_evidence_upload(app, started, m):
    """Whoever calls it (API, admin, a script), not only the API's schema."""
    from deltacrown.accounts.models import User
    from deltacrown.core.errors import ValidationError
    from deltacrown.core.transaction import unit_of_work
    from deltacrown.extensions import db
    from deltacrown.matches import services

    play = started()
    semi = play.matches["W1.1"]["id"]
    m.live(semi)
    first = play.sides("W1.1")[0]
    with app.app_context():
        actor = db.session.get(User, first.id)
        for evidence in (["avatar/abc.png"], ["not-a-key"], ["x"] * 6):
            with pytest.raises(ValidationError) as info, unit_of_work():
                services.submit_result(semi, games=[[13, 9], [13, 4]], actor=actor,
                                       evidence=evidence)  # fmt: skip
            assert "evidence" in info.value.errors
    assert m.get(semi).get_json()["status"] == "live"


def test_committed_status_changes_are_sent_as_signals_once_per_change(app, started, m):
    from deltacrown.core import signals

    play = started(n=2, best_of=1)
    final = play.matches["W1.1"]["id"]
    matches: list[tuple[int, str, str]] = []
    tournaments: list[tuple[int, str, str]] = []

    def on_match(sender: Any, **payload: Any) -> None:
        matches.append((payload["match_id"], payload["before"], payload["after"]))

    def on_tournament(sender: Any, **payload: Any) -> None:
        tournaments.append((payload["tournament_id"], payload["before"], payload["after"]))

    with (
        signals.match_state_changed.connected_to(on_match),
        signals.tournament_state_changed.connected_to(on_tournament),
    ):
        m.live(final)
        m.submit(final, [(2, 13)], play.sides("W1.1")[0].headers)
        m.confirm(final, play.sides("W1.1")[1].headers)
    assert [after for match_id, _, after in matches if match_id == final] == [
        "live",
        "awaiting_confirmation",
        "completed",
    ]
    assert tournaments == [(play.cup.id, "ongoing", "completed")]
