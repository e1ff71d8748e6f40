"""Service-level rules: the database backs every uniqueness rule, races that slip past the
checks end in the specific 409, the hooks other domains ask, the safety-net sweep, and the
receivers' wiring."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from tests.factories import build_tournament
from tests.helpers import assert_problem


def user(info):
    from deltacrown.accounts.models import User

    return db.session.get(User, info.id)


def solo(owner, **overrides):
    return build_tournament(
        owner.id, status="registration_open", participant_type="solo", **overrides
    )


# ----- the database backs the rules ---------------------------------------------------------------
def test_the_database_refuses_a_second_active_registration(app_ctx, organizer, make_player):
    from deltacrown.registrations import services
    from deltacrown.registrations.models import (
        PaymentStatus,
        Registration,
        RegistrationMember,
        RegistrationStatus,
    )

    player = make_player()
    tournament = solo(organizer)
    services.register(tournament.id, actor=user(player))
    duplicate = Registration(
        tournament_id=tournament.id,
        user_id=player.id,
        registered_by_id=player.id,
        status=RegistrationStatus.PENDING,
        payment_status=PaymentStatus.NOT_REQUIRED,
        answers={},
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(duplicate)
        db.session.flush()
    member = RegistrationMember(
        registration_id=services.register(solo(organizer).id, actor=user(player)).id,
        tournament_id=tournament.id,
        user_id=player.id,
        role="player",
    )
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(member)
        db.session.flush()


def test_a_race_past_the_checks_still_ends_in_already_registered(
    app_ctx, monkeypatch, organizer, make_player
):
    from deltacrown.registrations import queries, services
    from deltacrown.registrations.errors import AlreadyRegisteredError

    player = make_player()
    tournament = solo(organizer)
    services.register(tournament.id, actor=user(player))
    # Pretend the other request's row was not visible yet when the checks ran.
    calls = []
    original = queries.find_active_solo

    def blind_once(tournament_id, user_id):
        calls.append(user_id)
        return None if len(calls) == 1 else original(tournament_id, user_id)

    monkeypatch.setattr(queries, "find_active_solo", blind_once)
    monkeypatch.setattr(queries, "active_members_in", lambda *a: [])
    with pytest.raises(AlreadyRegisteredError):
        services.register(tournament.id, actor=user(player))
    assert len(calls) == 2


def test_a_race_on_a_roster_ends_in_player_in_other_roster(
    app_ctx, monkeypatch, organizer, make_player
):
    from deltacrown.registrations import queries, services
    from deltacrown.registrations.errors import PlayerInOtherRosterError

    player = make_player()
    tournament = solo(organizer)
    services.register(tournament.id, actor=user(player))
    original = queries.active_members_in
    seen = []

    def blind_once(tournament_id, user_ids):
        seen.append(1)
        return [] if len(seen) == 1 else original(tournament_id, user_ids)

    monkeypatch.setattr(queries, "find_active_solo", lambda *a: None)
    monkeypatch.setattr(queries, "active_members_in", blind_once)
    with pytest.raises(PlayerInOtherRosterError):
        services.register(tournament.id, actor=user(player))


def test_transaction_ids_are_unique_per_method_in_the_database(app_ctx, organizer, make_player):
    from deltacrown.registrations import services
    from deltacrown.registrations.models import Payment, SubmissionStatus

    player = make_player()
    tournament = solo(
        organizer, entry_fee={"amount": "10.00", "currency": "BDT"}, payment_methods=["bkash"]
    )
    reg = services.register(tournament.id, actor=user(player))

    def payment(status):
        return Payment(
            registration_id=reg.id,
            tournament_id=tournament.id,
            method="bkash",
            sender_number="0170",
            transaction_id="SAME1",
            amount=10,
            currency="BDT",
            status=status,
            submitted_at=utcnow(),
        )

    db.session.add_all([payment(SubmissionStatus.REJECTED), payment(SubmissionStatus.REJECTED)])
    db.session.flush()  # rejected ones do not count
    db.session.add(payment(SubmissionStatus.SUBMITTED))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(payment(SubmissionStatus.VERIFIED))
        db.session.flush()


def test_a_concurrent_duplicate_transaction_id_is_409(app_ctx, monkeypatch, organizer, make_player):
    from deltacrown.registrations import queries, services
    from deltacrown.registrations.errors import DuplicateTransactionIdError

    a, b = make_player(), make_player()
    tournament = solo(
        organizer, entry_fee={"amount": "10.00", "currency": "BDT"}, payment_methods=["bkash"]
    )
    ra = services.register(tournament.id, actor=user(a))
    rb = services.register(tournament.id, actor=user(b))
    details = {"method": "bkash", "sender_number": "0170", "transaction_id": "RACE1", "amount": 10}
    services.submit_payment(ra.id, actor=user(a), **details)
    monkeypatch.setattr(queries, "transaction_id_taken", lambda *args: False)
    with pytest.raises(DuplicateTransactionIdError):
        services.submit_payment(rb.id, actor=user(b), **details)


# ----- waitlist positions --------------------------------------------------------------------------
def test_positions_stay_1_to_n_through_joins_leaves_and_promotions(app_ctx, organizer, make_player):
    from deltacrown.registrations import queries, services
    from deltacrown.registrations.models import RegistrationStatus

    holders = [make_player() for _ in range(2)]
    waiting_players = [make_player() for _ in range(6)]
    tournament = solo(organizer, max_participants=2)
    held = [services.register(tournament.id, actor=user(p)) for p in holders]
    for p in waiting_players:
        services.register(tournament.id, actor=user(p))

    def line():
        return [r.waitlist_position for r in queries.waitlisted(tournament.id)]

    assert line() == [1, 2, 3, 4, 5, 6]
    services.leave_waitlist(tournament.id, actor=user(waiting_players[2]))
    assert line() == [1, 2, 3, 4, 5]
    services.cancel_registration(held[0].id, actor=user(holders[0]))
    assert line() == [1, 2, 3, 4]
    services.leave_waitlist(tournament.id, actor=user(waiting_players[5]))
    assert line() == [1, 2, 3]
    assert queries.count_holding(tournament.id) == 2
    statuses = [r.status for r in db.session.scalars(queries.list_for_tournament(tournament.id))]
    assert statuses.count(RegistrationStatus.WAITLISTED) == 3


# ----- hooks other domains ask ---------------------------------------------------------------------
def test_custom_fields_lock_once_players_registered(
    client, tournament, make_player, registered, organizer
):
    tid = tournament()
    registered(tid, make_player())
    response = client.post(
        f"/api/tournaments/{tid}/custom-fields/",
        json={"key": "late", "label": "Late", "type": "text", "required": True},
        headers=organizer.headers,
    )
    assert_problem(response, 409, "registrations_exist")


def test_a_registered_team_cannot_disband_until_it_withdraws(
    app, client, tournament, team_of, registered
):
    team, captain, (mate,) = team_of(2)
    tid = tournament(participant_type="team", team_size=2)
    reg = registered(tid, captain, team=team["id"], roster=[captain.id, mate.id])
    disband = f"/api/teams/{team['id']}/disband/"
    assert_problem(client.post(disband, headers=captain.headers), 409, "team_registered")
    client.post(f"/api/registrations/{reg['id']}/cancel/", headers=captain.headers)
    assert client.post(disband, headers=captain.headers).status_code == 200


def test_a_finished_tournament_no_longer_holds_the_team(
    app, client, tournament, team_of, registered
):
    from deltacrown.tournaments.models import Tournament, TournamentStatus

    team, captain, (mate,) = team_of(2)
    tid = tournament(participant_type="team", team_size=2)
    registered(tid, captain, team=team["id"], roster=[captain.id, mate.id])
    with app.app_context():
        db.session.get(Tournament, tid).status = TournamentStatus.COMPLETED
        db.session.commit()
        db.session.remove()
    assert (
        client.post(f"/api/teams/{team['id']}/disband/", headers=captain.headers).status_code == 200
    )


def test_the_roster_locks_while_the_tournament_is_ongoing(
    app, client, tournament, team_of, registered
):
    from deltacrown.tournaments.models import Tournament, TournamentStatus

    team, captain, (mate, spare) = team_of(3)
    tid = tournament(participant_type="team", team_size=2, name="Locked Cup")
    registered(tid, captain, team=team["id"], roster=[captain.id, mate.id])
    leave = f"/api/teams/{team['id']}/members/{spare.id}/"
    with app.app_context():
        from deltacrown.registrations import queries

        assert queries.roster_lock_reason(team["id"]) is None
        db.session.get(Tournament, tid).status = TournamentStatus.ONGOING
        db.session.commit()
        assert "Locked Cup" in queries.roster_lock_reason(team["id"])
        db.session.remove()
    body = assert_problem(client.delete(leave, headers=spare.headers), 409, "roster_locked")
    assert "Locked Cup" in body["detail"]


# ----- cancellation wind-up ------------------------------------------------------------------------
def test_the_sweep_winds_up_a_cancelled_tournament_whose_signal_was_lost(
    app_ctx, organizer, make_player
):
    from deltacrown.registrations import services
    from deltacrown.registrations.models import Registration, RegistrationStatus
    from deltacrown.tournaments import services as tournament_services

    players = [make_player() for _ in range(2)]
    tournament = solo(organizer)
    regs = [services.register(tournament.id, actor=user(p)) for p in players]
    tournament_services.cancel_tournament(
        tournament.id, actor=user(organizer), reason="Lost signal"
    )
    db.session.flush()  # the after-commit signal never runs in this unit of work
    assert {r.status for r in regs} == {RegistrationStatus.CONFIRMED}
    assert services.sweep()["wound_up"] == 2
    statuses = db.session.scalars(
        sa.select(Registration.status).where(Registration.tournament_id == tournament.id)
    ).all()
    assert set(statuses) == {RegistrationStatus.CANCELLED}
    assert services.sweep()["wound_up"] == 0


def test_winding_up_ignores_a_tournament_that_is_not_cancelled(app_ctx, organizer, make_player):
    from deltacrown.registrations import services
    from deltacrown.registrations.models import RegistrationStatus

    player = make_player()
    tournament = solo(organizer)
    reg = services.register(tournament.id, actor=user(player))
    assert services.wind_up_cancelled_tournament(tournament.id) == 0
    assert services.wind_up_cancelled_tournament(9999) == 0
    assert reg.status == RegistrationStatus.CONFIRMED


def test_wiring_connects_the_receiver_once_and_provides_the_ports(app_ctx):
    from deltacrown import wiring
    from deltacrown.core.signals import tournament_cancelled
    from deltacrown.registrations import providers, receivers
    from deltacrown.teams import ports as team_ports
    from deltacrown.tournaments import ports as tournament_ports

    wiring.connect_receivers()
    wiring.wire(app_ctx)
    connected = [
        r
        for r in tournament_cancelled.receivers_for("tournaments")
        if r is receivers.on_tournament_cancelled
    ]
    assert len(connected) == 1
    assert isinstance(tournament_ports.registrations.get(), providers.TournamentRegistrationFacts)
    assert isinstance(team_ports.registrations.get(), providers.TeamRegistrationFacts)


def test_the_beat_schedule_runs_both_sweeps_every_minute():
    from datetime import timedelta

    import celeryconfig

    tasks = {e["task"]: e["schedule"] for e in celeryconfig.beat_schedule.values()}
    assert tasks["registrations.sweep"] == timedelta(minutes=1)
    assert tasks["registrations.close_due_checkins"] == timedelta(minutes=1)


def test_the_jobs_cli_runs_the_sweeps(app):
    runner = app.test_cli_runner()
    for name in ("registrations-sweep", "close-due-checkins"):
        result = runner.invoke(args=["jobs", "run", name])
        assert result.exit_code == 0, result.output


def test_a_failing_wind_up_never_breaks_the_signal_for_other_receivers(app, monkeypatch, caplog):
    from deltacrown.core.signals import tournament_cancelled
    from deltacrown.registrations import receivers

    task = app.extensions["celery"].tasks[receivers.WIND_UP_TASK]

    def broken(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(task, "delay", broken)
    later = []

    def after(sender, **payload):
        later.append(payload["tournament_id"])

    tournament_cancelled.connect(after)
    try:
        with app.app_context():
            tournament_cancelled.send("tournaments", tournament_id=7, reason="x", actor_id=None)
    finally:
        tournament_cancelled.disconnect(after)
    assert later == [7]
    assert "winding up cancelled tournament 7 failed" in caplog.text
