"""Check-in API: the window, idempotent self check-in (player or captain), undo within 15
minutes, organizers' force/undo at any time, the status endpoint, the websocket event, and
closing check-in (no-shows, then the waitlist)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.registrations import services
from tests.helpers import assert_problem
from tests.registrations.conftest import audit_actions, registration_row

DAY = timedelta(days=1)


@pytest.fixture
def at(headers_now):
    """`at(offset)`: travel to now + offset (check-in opens at +6 days, closes 1 hour later)."""
    start = utcnow()

    def travel(offset):
        return time_machine.travel(start + offset, tick=False)

    return travel


CHECKIN_OPEN = 6 * DAY + timedelta(minutes=10)
AFTER_CLOSE = 6 * DAY + timedelta(hours=1, minutes=1)


def check_in(client, tid, headers):
    return client.post(f"/api/tournaments/{tid}/check-in/", headers=headers)


def test_a_player_checks_in_while_the_window_is_open(
    app, client, tournament, make_player, registered, headers_now, at, received
):
    tid = tournament()
    player = make_player()
    reg = registered(tid, player)
    with at(6 * DAY - timedelta(minutes=1)):
        early = assert_problem(check_in(client, tid, headers_now(player)), 409, "check_in_not_open")
    # Times read to the second with Z in the detail; the exact ones are extension members.
    window = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert re.search(f"open from {window} to {window}\\.$", early["detail"]), early["detail"]
    assert early["opens_at"].endswith("Z") and early["closes_at"].endswith("Z")
    from deltacrown.core import realtime

    with app.app_context():
        sub = realtime.subscribe(f"tournament:{tid}")
    try:
        with at(CHECKIN_OPEN):
            first = check_in(client, tid, headers_now(player))
            assert first.status_code == 200
            stamped = first.get_json()["checked_in_at"]
            assert stamped is not None
            again = check_in(client, tid, headers_now(player))
            assert again.get_json()["checked_in_at"] == stamped  # idempotent
        event = sub.get(timeout=1)
        assert event["type"] == "registration.checked_in"
        assert event["data"] == {"registration_id": reg["id"], "checked_in_at": stamped}
        assert sub.get(timeout=0.05) is None  # the repeat published nothing
    finally:
        sub.close()
    assert [n for n, _ in received].count("registration_checked_in") == 1
    with at(AFTER_CLOSE):
        late = make_player()
        assert_problem(check_in(client, tid, headers_now(late)), 404, "registration_not_found")
        assert_problem(check_in(client, tid, headers_now(player)), 409, "check_in_not_open")


def test_team_check_in_is_by_the_captain(
    client, tournament, team_of, registered, headers_now, at, stranger
):
    team, captain, (mate,) = team_of(2)
    tid = tournament(participant_type="team", team_size=2)
    registered(tid, captain, team=team["id"], roster=[captain.id, mate.id])
    with at(CHECKIN_OPEN):
        assert_problem(check_in(client, tid, headers_now(mate)), 403, "not_team_captain")
        assert_problem(check_in(client, tid, headers_now(stranger)), 404, "registration_not_found")
        assert_problem(client.post(f"/api/tournaments/{tid}/check-in/"), 401)
        assert check_in(client, tid, headers_now(captain)).status_code == 200


def test_only_confirmed_registrations_check_in(
    client, tournament, make_player, registered, headers_now, at
):
    tid = tournament(requires_approval=True)
    player = make_player()
    registered(tid, player)
    with at(CHECKIN_OPEN):
        assert_problem(
            check_in(client, tid, headers_now(player)), 409, "registration_not_confirmed"
        )


def test_undo_within_15_minutes(client, tournament, make_player, registered, headers_now, at):
    tid = tournament()
    player = make_player()
    registered(tid, player)
    path = f"/api/tournaments/{tid}/check-in/"
    with at(CHECKIN_OPEN):
        check_in(client, tid, headers_now(player))
    with at(CHECKIN_OPEN + timedelta(minutes=14)):
        undone = client.delete(path, headers=headers_now(player))
        assert undone.status_code == 200 and undone.get_json()["checked_in_at"] is None
        check_in(client, tid, headers_now(player))
    with at(CHECKIN_OPEN + timedelta(minutes=30)):
        assert_problem(
            client.delete(path, headers=headers_now(player)), 409, "check_in_undo_expired"
        )


def test_undoing_a_check_in_that_was_never_made_is_a_conflict(
    client, tournament, make_player, registered, headers_now, at
):
    tid = tournament()
    player = make_player()
    reg = registered(tid, player)
    with at(CHECKIN_OPEN):
        path = f"/api/tournaments/{tid}/check-in/"
        assert_problem(client.delete(path, headers=headers_now(player)), 409, "not_checked_in")
        undo = f"/api/registrations/{reg['id']}/undo-check-in/"
        assert_problem(client.post(undo, headers=headers_now(player)), 409, "not_checked_in")
        check_in(client, tid, headers_now(player))
        assert client.delete(path, headers=headers_now(player)).status_code == 200
        assert_problem(client.delete(path, headers=headers_now(player)), 409, "not_checked_in")


def test_organizers_force_and_undo_at_any_time(
    app, client, tournament, make_player, registered, organizer, stranger, headers_now, at
):
    tid = tournament()
    player = make_player()
    reg = registered(tid, player)
    force = f"/api/registrations/{reg['id']}/force-check-in/"
    undo = f"/api/registrations/{reg['id']}/undo-check-in/"
    assert_problem(client.post(force, headers=player.headers), 403, "forbidden")
    assert_problem(client.post(force, headers=stranger.headers), 404, "registration_not_found")
    forced = client.post(force, headers=organizer.headers)  # before the window opens
    assert forced.status_code == 200 and forced.get_json()["checked_in_at"] is not None
    with at(AFTER_CLOSE):
        # The player's own undo is over; the organizer's is not.
        assert_problem(client.post(undo, headers=headers_now(player)), 409, "check_in_not_open")
        assert_problem(client.post(undo, headers=headers_now(stranger)), 404)
        cleared = client.post(undo, headers=headers_now(organizer))
        assert cleared.get_json()["checked_in_at"] is None
    assert audit_actions(app, reg["id"]) == [
        ("registration.checked_in", organizer.id),
        ("registration.checkin_undone", organizer.id),
    ]


def test_the_registrant_may_undo_through_the_registration_too(
    client, tournament, make_player, registered, headers_now, at
):
    tid = tournament()
    player = make_player()
    reg = registered(tid, player)
    with at(CHECKIN_OPEN):
        check_in(client, tid, headers_now(player))
        undone = client.post(
            f"/api/registrations/{reg['id']}/undo-check-in/", headers=headers_now(player)
        )
        assert undone.get_json()["checked_in_at"] is None


def test_force_check_in_needs_a_confirmed_registration_in_a_live_tournament(
    app, client, tournament, make_player, registered, organizer
):
    from deltacrown.extensions import db
    from deltacrown.tournaments.models import Tournament, TournamentStatus

    pending = registered(tournament(requires_approval=True), make_player())
    assert_problem(
        client.post(
            f"/api/registrations/{pending['id']}/force-check-in/", headers=organizer.headers
        ),
        409,
        "registration_not_confirmed",
    )
    tid = tournament()
    done = registered(tid, make_player())
    with app.app_context():
        db.session.get(Tournament, tid).status = TournamentStatus.COMPLETED
        db.session.commit()
        db.session.remove()
    for action in ("force-check-in", "undo-check-in"):
        assert_problem(
            client.post(f"/api/registrations/{done['id']}/{action}/", headers=organizer.headers),
            409,
            "invalid_transition",
        )


def test_check_in_status(client, tournament, make_player, registered, headers_now, at, stranger):
    tid = tournament()
    a, b = make_player(), make_player()
    reg = registered(tid, a)
    registered(tid, b)
    status = f"/api/tournaments/{tid}/check-in/status/"
    anonymous = client.get(status).get_json()
    assert anonymous["is_open"] is False and anonymous["me"] is None
    assert anonymous["opens_at"].endswith("Z") and anonymous["closes_at"].endswith("Z")
    assert (anonymous["confirmed"], anonymous["checked_in"]) == (2, 0)
    with at(CHECKIN_OPEN):
        check_in(client, tid, headers_now(a))
        mine = client.get(status, headers=headers_now(a)).get_json()
        assert mine["is_open"] is True
        assert (mine["confirmed"], mine["checked_in"]) == (2, 1)
        assert mine["me"]["registration_id"] == reg["id"]
        assert mine["me"]["checked_in_at"] is not None
        assert mine["me"]["can_undo"] is True and mine["me"]["can_check_in"] is True
        assert client.get(status, headers=headers_now(stranger)).get_json()["me"] is None
    assert_problem(client.get("/api/tournaments/9999/check-in/status/"), 404)


def test_a_tournament_without_check_in_is_never_open(
    client, tournament, make_player, registered, headers_now
):
    from tests.factories import DROP

    tid = tournament(checkin_opens_at=DROP, checkin_closes_at=DROP)
    player = make_player()
    registered(tid, player)
    assert_problem(check_in(client, tid, player.headers), 409, "check_in_not_open")
    status = client.get(f"/api/tournaments/{tid}/check-in/status/").get_json()
    assert status["opens_at"] is None and status["is_open"] is False


# ----- closing --------------------------------------------------------------------------------
def test_closing_check_in_marks_no_shows_and_promotes_the_waitlist(
    app, client, tournament, make_player, registered, headers_now, at, received
):
    from deltacrown.registrations import tasks

    tid = tournament(max_participants=2)
    present, absent = make_player(), make_player()
    here = registered(tid, present)
    gone = registered(tid, absent)
    waiting = registered(tid, make_player())
    with at(CHECKIN_OPEN):
        check_in(client, tid, headers_now(present))
    with at(AFTER_CLOSE):
        with app.app_context():
            result = tasks.close_due_checkins()
        assert result == {"tournaments": 1, "no_show": 1, "promoted": 1}
        with app.app_context():
            assert tasks.close_due_checkins() == {"tournaments": 0, "no_show": 0, "promoted": 0}
    assert registration_row(app, here["id"]).status.value == "confirmed"
    assert registration_row(app, gone["id"]).status.value == "no_show"
    promoted = registration_row(app, waiting["id"])
    # Promoted after check-in closed: checked in by the system, there is no window left.
    assert promoted.status.value == "confirmed" and promoted.checked_in_at is not None
    assert promoted.checked_in_by_id is None and promoted.waitlist_position is None
    names = [n for n, _ in received]
    assert "registration_no_show" in names and "waitlist_promoted" in names


def test_an_anonymous_caller_cannot_close_checkin(app, tournament, make_player, registered):
    """None is an anonymous caller, never the system: only SYSTEM skips the manager check."""
    tid = tournament()
    reg = registered(tid, make_player())
    with app.app_context():
        with pytest.raises(PermissionDeniedError):
            services.close_checkin(tid, actor=None)
        db.session.rollback()
    assert registration_row(app, reg["id"]).status.value == "confirmed"


def test_close_checkin_by_hand_from_the_cli(app, tournament, make_player, registered):
    tid = tournament()
    reg = registered(tid, make_player())
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tournaments", "close-checkin", str(tid)])
    assert result.exit_code == 0, result.output
    assert "1 no-show(s), 0 promoted" in result.output
    assert registration_row(app, reg["id"]).status.value == "no_show"
    again = runner.invoke(args=["tournaments", "close-checkin", str(tid)])
    assert "0 no-show(s)" in again.output
    missing = runner.invoke(args=["tournaments", "close-checkin", "9999"])
    assert missing.exit_code != 0 and "No tournament 9999" in missing.output
    from tests.factories import DROP

    no_window = tournament(checkin_opens_at=DROP, checkin_closes_at=DROP)
    refused = runner.invoke(args=["tournaments", "close-checkin", str(no_window)])
    assert refused.exit_code != 0 and "has no check-in" in refused.output
    closed = runner.invoke(args=["tournaments", "close-checkin", str(tournament(status="draft"))])
    assert closed.exit_code != 0 and "cannot close" in closed.output


def test_organizers_close_check_in_through_the_api(
    app, client, tournament, make_player, registered, headers_now, at, organizer, stranger
):
    tid = tournament(max_participants=2)
    present, absent = make_player(), make_player()
    registered(tid, present)
    gone = registered(tid, absent)
    waiting_player = make_player()
    waiting = registered(tid, waiting_player)
    path = f"/api/tournaments/{tid}/close-checkin/"
    with at(CHECKIN_OPEN):
        check_in(client, tid, headers_now(present))
        assert_problem(client.post(path, headers=headers_now(stranger)), 403)
        assert_problem(client.post(path), 401)
        closed = client.post(path, headers=headers_now(organizer))
        assert closed.status_code == 200, closed.get_json()
        assert closed.get_json() == {"tournament_id": tid, "no_show": 1, "promoted": 1}
        check_in(client, tid, headers_now(waiting_player))
        again = client.post(path, headers=headers_now(organizer))
        assert again.get_json() == {"tournament_id": tid, "no_show": 0, "promoted": 0}
    assert registration_row(app, gone["id"]).status.value == "no_show"
    assert registration_row(app, waiting["id"]).status.value == "confirmed"
    from deltacrown.core.audit import AuditEntry
    from deltacrown.extensions import db

    with app.app_context():
        entries = db.session.execute(
            sa.select(AuditEntry.target_id, AuditEntry.actor_id).where(
                AuditEntry.action == "tournament.checkin_closed"
            )
        ).all()
        assert entries == [(tid, organizer.id), (tid, organizer.id)]
        db.session.remove()
    assert_problem(
        client.post("/api/tournaments/9999/close-checkin/", headers=organizer.headers), 404
    )
    from tests.factories import DROP

    no_window = tournament(checkin_opens_at=DROP, checkin_closes_at=DROP)
    assert_problem(
        client.post(f"/api/tournaments/{no_window}/close-checkin/", headers=organizer.headers),
        409,
        "check_in_not_open",
    )
