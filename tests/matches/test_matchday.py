"""Match day through the API: referees and casters named per tournament, match times the
sides agree on (inside the round's window; the organizer's time wins), iCalendar feeds,
lobby codes that never leak, streams, and exports."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import timedelta
from typing import Any

import icalendar
import time_machine

from deltacrown.core.time import utcnow
from tests.helpers import assert_problem

CODE, PASSWORD = "ROOM-7Q4ZK", "pw-91XJ"


def name_staff(client: Any, tournament_id: int, owner: Any, user: Any, role: str) -> Any:
    return client.post(
        f"/api/tournaments/{tournament_id}/staff/",
        json={"user": user.id, "role": role},
        headers=owner.headers,
    )


def matchday(client: Any, tournament_id: int, owner: Any, **settings: Any) -> Any:
    response = client.patch(
        f"/api/tournaments/{tournament_id}/matchday/", json=settings, headers=owner.headers
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def propose(client: Any, match_id: int, player: Any, at: Any) -> Any:
    return client.post(
        f"/api/matches/{match_id}/schedule-proposals/",
        json={"starts_at": at.isoformat()},
        headers=player.headers,
    )


def answer(client: Any, match_id: int, proposal_id: int, player: Any, verb: str) -> Any:
    return client.post(
        f"/api/matches/{match_id}/schedule-proposals/{proposal_id}/{verb}/",
        headers=player.headers,
    )


# ----- staff -------------------------------------------------------------------------------------
def test_organizers_name_referees_who_run_matches_but_not_the_bracket(
    client, started, m, api, organizer, make_user
):
    play = started()
    referee, caster = make_user(username="ref"), make_user(username="caster")
    assert name_staff(client, play.cup.id, organizer, referee, "referee").status_code == 201
    assert name_staff(client, play.cup.id, organizer, caster, "caster").status_code == 201
    assert_problem(name_staff(client, play.cup.id, organizer, caster, "referee"), 409,
                   "already_staff")  # fmt: skip
    assert_problem(name_staff(client, play.cup.id, organizer, organizer, "caster"), 409,
                   "already_staff")  # fmt: skip
    assert_problem(name_staff(client, play.cup.id, referee, make_user(), "caster"), 403)
    listed = client.get(f"/api/tournaments/{play.cup.id}/staff/").get_json()
    assert [(s["user"]["id"], s["role"]) for s in listed] == [
        (referee.id, "referee"),
        (caster.id, "caster"),
    ]

    semi = play.matches["W1.1"]["id"]
    assert_problem(m.start(semi, caster.headers), 403)
    assert m.start(semi, referee.headers).get_json()["status"] == "live"
    winner = play.ids("W1.1")[0]
    assert m.forfeit(semi, play.ids("W1.1")[1], referee.headers).status_code == 200
    assert m.get(semi).get_json()["winner_registration_id"] == winner
    # ... but neither settings, nor scheduling, nor the bracket are theirs.
    other = play.matches["W1.2"]["id"]
    assert_problem(m.patch(other, referee.headers, best_of=5), 403)
    response = client.patch(
        f"/api/tournaments/{play.cup.id}/", json={"name": "Renamed"}, headers=referee.headers
    )
    assert response.status_code == 403
    assert_problem(api.generate(play.cup.id, referee.headers), 403)

    # A dispute on the other semi-final is in the referee's queue, and theirs to review.
    m.live(other)
    first, second = play.sides("W1.2")
    m.submit(other, [(13, 9), (13, 4)], first.headers)
    dispute_id = m.submit(other, [(9, 13), (4, 13)], second.headers).get_json()["open_dispute_id"]
    assert [d["id"] for d in m.disputes(referee.headers).get_json()] == [dispute_id]
    review = m.dispute_post(dispute_id, "review", referee.headers)
    assert review.get_json()["status"] == "under_review"

    response = client.delete(
        f"/api/tournaments/{play.cup.id}/staff/{referee.id}/", headers=referee.headers
    )
    assert response.status_code == 204  # stepping down
    assert m.disputes(referee.headers).get_json() == []
    assert_problem(m.dispute_get(dispute_id, referee.headers), 404)


def test_a_referee_forces_a_check_in_and_sees_a_private_tournament(
    app, client, cup, organizer, make_user
):
    c = cup(4, visibility="private", checkin_opens_at=None)
    referee = make_user()
    assert client.get(f"/api/tournaments/{c.id}/", headers=referee.headers).status_code == 404
    assert name_staff(client, c.id, organizer, referee, "referee").status_code == 201
    assert client.get(f"/api/tournaments/{c.id}/", headers=referee.headers).status_code == 200
    response = client.post(
        f"/api/registrations/{c.registrations[0]}/force-check-in/", headers=referee.headers
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checked_in_at"] is not None


# ----- agreed schedules --------------------------------------------------------------------------
def test_sides_agree_on_a_time_inside_the_rounds_window(app, client, started, m, organizer):
    from deltacrown.notifications.models import Notification

    play = started()
    semi = play.matches["W1.1"]["id"]
    home, away = play.sides("W1.1")
    opens = utcnow() + timedelta(hours=1)
    assert_problem(propose(client, semi, home, opens), 409, "schedule_proposals_off")
    matchday(client, play.cup.id, organizer, schedule_proposals=True, round_deadlines=[
        {"round": 1, "opens_at": opens.isoformat(),
         "closes_at": (opens + timedelta(days=1)).isoformat()}])  # fmt: skip

    body = assert_problem(propose(client, semi, home, opens + timedelta(days=2)), 422,
                          "outside_round_window")  # fmt: skip
    assert body["opens_at"] and body["closes_at"]
    assert_problem(propose(client, semi, play.sides("W1.2")[0], opens), 403)  # not a side

    first = propose(client, semi, home, opens + timedelta(hours=2)).get_json()
    assert first["status"] == "pending"
    assert_problem(answer(client, semi, first["id"], home, "accept"), 403)  # own proposal
    assert answer(client, semi, first["id"], away, "decline").get_json()["status"] == "declined"
    assert_problem(answer(client, semi, first["id"], away, "accept"), 409, "proposal_not_pending")

    second = propose(client, semi, away, opens + timedelta(hours=3)).get_json()
    accepted = answer(client, semi, second["id"], home, "accept").get_json()
    assert accepted["status"] == "accepted"
    detail = m.get(semi).get_json()
    assert detail["scheduled_at"] == second["starts_at"]
    with app.app_context():
        kinds = {n.type.value for n in Notification.query.all()}
    assert {"schedule_proposed", "schedule_accepted", "schedule_declined"} <= kinds
    listed = client.get(f"/api/matches/{semi}/schedule-proposals/", headers=away.headers)
    assert [p["status"] for p in listed.get_json()] == ["accepted", "declined"]


def test_the_organizers_time_wins_over_the_sides_proposals(client, started, m, organizer):
    play = started()
    semi = play.matches["W1.1"]["id"]
    home, _ = play.sides("W1.1")
    matchday(client, play.cup.id, organizer, schedule_proposals=True)
    pending = propose(client, semi, home, utcnow() + timedelta(hours=5)).get_json()
    m.schedule(semi, utcnow() + timedelta(hours=1))
    listed = client.get(f"/api/matches/{semi}/schedule-proposals/", headers=home.headers)
    assert [(p["id"], p["status"]) for p in listed.get_json()] == [(pending["id"], "cancelled")]
    assert_problem(propose(client, semi, home, utcnow() + timedelta(hours=6)), 409,
                   "schedule_set_by_organizer")  # fmt: skip


# ----- calendars ---------------------------------------------------------------------------------
def _events(body: bytes) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_calendars_list_scheduled_matches_and_keep_uids_across_reschedules(
    client, started, m, organizer
):
    play = started()
    semi = play.matches["W1.1"]["id"]
    m.schedule(semi, utcnow() + timedelta(hours=1))
    response = client.get(f"/api/tournaments/{play.cup.id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    (uid, event), = _events(response.data).items()  # fmt: skip
    assert uid == f"match-{semi}@deltacrown"
    first_sequence = int(event["sequence"])
    later = utcnow() + timedelta(hours=3)
    m.schedule(semi, later)
    event = _events(client.get(f"/api/tournaments/{play.cup.id}/calendar.ics").data)[uid]
    assert int(event["sequence"]) > first_sequence
    assert (
        event.decoded("dtstart") == later.replace(microsecond=0)
        or abs((event.decoded("dtstart") - later).total_seconds()) < 1
    )

    home, _ = play.sides("W1.1")
    token = client.post("/api/me/calendar-token/", headers=home.headers).get_json()
    mine = client.get(token["url"])
    assert mine.status_code == 200 and list(_events(mine.data)) == [uid]
    other, _ = play.sides("W1.2")
    theirs = client.post("/api/me/calendar-token/", headers=other.headers).get_json()
    assert list(_events(client.get(theirs["url"]).data)) == []  # W1.2 has no time
    rotated = client.post("/api/me/calendar-token/", headers=home.headers).get_json()
    assert_problem(client.get(token["url"]), 401, "invalid_calendar_token")
    assert client.get(rotated["url"]).status_code == 200
    assert client.delete("/api/me/calendar-token/", headers=home.headers).status_code == 204
    assert_problem(client.get(rotated["url"]), 401, "invalid_calendar_token")
    assert_problem(client.get("/api/me/calendar.ics?token=forged"), 401, "invalid_calendar_token")


# ----- lobby codes -------------------------------------------------------------------------------
def test_lobby_codes_reach_only_sides_from_the_reveal_time_and_staff_always(
    app, client, started, m, organizer, make_user
):
    from deltacrown.accounts.models import User
    from deltacrown.core import realtime
    from deltacrown.extensions import db
    from deltacrown.matches import rooms, tasks

    play = started()
    semi = play.matches["W1.1"]["id"]
    home, _ = play.sides("W1.1")
    caster, stranger = make_user(), make_user()
    name_staff(client, play.cup.id, organizer, caster, "caster")
    matchday(client, play.cup.id, organizer, reveal_room_minutes=15)
    kickoff = utcnow() + timedelta(hours=1)
    m.schedule(semi, kickoff)
    with app.app_context():
        room_feed = realtime.subscribe(f"match:{semi}:chat")
        public_feed = realtime.subscribe(f"match:{semi}")
        caster_feed = realtime.subscribe(f"user:{caster.id}")
    try:
        response = client.patch(f"/api/matches/{semi}/room/", headers=organizer.headers,
                                json={"room_id": CODE, "password": PASSWORD})  # fmt: skip
        assert response.status_code == 200
        assert_problem(client.patch(f"/api/matches/{semi}/room/", headers=caster.headers,
                                    json={"room_id": "X", "password": None}), 403)  # fmt: skip
        early = room_feed.get(timeout=1)
        assert early["type"] == "room.updated" and CODE not in json.dumps(early)
        assert caster_feed.get(timeout=1)["data"]["room_id"] == CODE
        spectators = []
        while (message := public_feed.get(timeout=0.1)) is not None:
            spectators.append(message)
        assert CODE not in json.dumps(spectators)
        assert "room.updated" not in [message["type"] for message in spectators]
    finally:
        room_feed.close()
        public_feed.close()
        caster_feed.close()

    assert (
        client.get(f"/api/matches/{semi}/room/", headers=caster.headers).get_json()["room_id"]
        == CODE
    )
    assert_problem(client.get(f"/api/matches/{semi}/room/", headers=home.headers), 409,
                   "room_not_revealed")  # fmt: skip
    assert_problem(client.get(f"/api/matches/{semi}/room/", headers=stranger.headers), 403)
    with app.app_context():
        player = db.session.get(User, home.id)
        shown = rooms.get_room(semi, actor=player, now=kickoff - timedelta(minutes=10))
        assert (shown["room_id"], shown["password"]) == (CODE, PASSWORD)
        db.session.rollback()

    # The sweep sends the code to the room once its reveal time has come, and only once.
    with app.app_context():
        room_feed = realtime.subscribe(f"match:{semi}:chat")
    try:
        with time_machine.travel(kickoff - timedelta(minutes=20), tick=False), app.app_context():
            assert tasks.reveal_room_codes() == 0
        with time_machine.travel(kickoff - timedelta(minutes=14), tick=False), app.app_context():
            assert tasks.reveal_room_codes() == 1
            assert tasks.reveal_room_codes() == 0
        revealed = room_feed.get(timeout=1)
        assert (revealed["type"], revealed["data"]["password"]) == ("room.updated", PASSWORD)
    finally:
        room_feed.close()


def test_a_lobby_code_never_appears_in_public_responses_logs_or_webhooks(
    app, client, started, m, api, organizer, caplog
):
    from deltacrown.webhooks import events

    play = started()
    semi = play.matches["W1.1"]["id"]
    caplog.set_level(logging.DEBUG)
    client.patch(f"/api/matches/{semi}/room/", headers=organizer.headers,
                 json={"room_id": CODE, "password": PASSWORD})  # fmt: skip
    m.live(semi)
    m.forfeit(semi, play.ids("W1.1")[1])
    tid = play.cup.id
    public = [
        m.get(semi, headers={}),
        m.events(semi, headers={}),
        m.get(semi),  # an organizer's detail is no place for it either
        client.get(f"/api/tournaments/{tid}/"),
        api.bracket(tid, headers={}),
        api.matches(tid, headers={}),
        client.get(f"/api/tournaments/{tid}/streams/"),
        client.get(f"/api/tournaments/{tid}/matches/export/"),
        client.get(f"/api/tournaments/{tid}/calendar.ics"),
    ]
    for response in public:
        assert response.status_code == 200, response.request.path
        text = response.get_data(as_text=True)
        assert CODE not in text and PASSWORD not in text, response.request.path
    logged = "\n".join(r.getMessage() + repr(r.__dict__) for r in caplog.records)
    assert CODE not in logged and PASSWORD not in logged
    with app.app_context():
        for event_type in ("match.ready", "match.completed"):
            payload = json.dumps(events.build_data(event_type, tid, {"match_id": semi}))
            assert CODE not in payload and PASSWORD not in payload


def test_a_battle_royale_lobby_takes_a_room_code_its_members_read(client, cup, api, organizer):
    c = cup(6, format="battle_royale", game="pubg-mobile")
    document = api.generated(c.id, options={"lobby_size": 3, "games": 1})
    assert api.start(c.id).status_code == 200
    lobby = document["stages"][0]["lobbies"][0]
    match_id = lobby["match_id"]
    member = c.player_of(lobby["participants"][0]["registration_id"])
    outsider = c.player_of(
        document["stages"][0]["lobbies"][1]["participants"][0]["registration_id"]
    )
    client.patch(f"/api/matches/{match_id}/room/", headers=organizer.headers,
                 json={"room_id": CODE, "password": PASSWORD})  # fmt: skip
    room = client.get(f"/api/matches/{match_id}/room/", headers=member.headers).get_json()
    assert (room["room_id"], room["password"], room["reveals_at"]) == (CODE, PASSWORD, None)
    assert_problem(client.get(f"/api/matches/{match_id}/room/", headers=outsider.headers), 403)


# ----- streams and exports -----------------------------------------------------------------------
def test_casters_attach_streams_from_known_sites_listed_while_the_match_is_live(
    client, started, m, organizer, make_user
):
    play = started()
    semi, other = play.matches["W1.1"]["id"], play.matches["W1.2"]["id"]
    caster = make_user()
    name_staff(client, play.cup.id, organizer, caster, "caster")

    def streams(match_id: int, headers: Any, **body: Any) -> Any:
        return client.patch(f"/api/matches/{match_id}/streams/", json=body, headers=headers)

    for bad in ("https://evil.example/twitch.tv", "javascript:alert(1)",
                "https://facebook.com/someone", "https://twitch.tv.evil.example/x"):  # fmt: skip
        assert_problem(streams(semi, caster.headers, stream_url=bad), 422, "invalid_stream_url")
    assert_problem(streams(semi, play.sides("W1.1")[0].headers,
                           stream_url="https://twitch.tv/me"), 403)  # fmt: skip
    body = streams(semi, caster.headers, stream_url="https://www.twitch.tv/deltacrown",
                   vod_url="https://youtu.be/abc123").get_json()  # fmt: skip
    assert (body["stream_url"], body["vod_url"]) == (
        "https://www.twitch.tv/deltacrown",
        "https://youtu.be/abc123",
    )
    streams(other, organizer.headers, stream_url="https://fb.gg/deltacrown")
    listed = client.get(f"/api/tournaments/{play.cup.id}/streams/").get_json()
    assert listed == []  # nothing is being played yet
    m.live(semi)
    listed = client.get(f"/api/tournaments/{play.cup.id}/streams/").get_json()
    assert [(s["id"], s["stream_url"]) for s in listed] == [
        (semi, "https://www.twitch.tv/deltacrown")
    ]


def test_standings_and_matches_export_as_csv_and_json(client, started, m, api):
    play = started()
    semi = play.matches["W1.1"]["id"]
    m.live(semi)
    m.forfeit(semi, play.ids("W1.1")[1])
    response = client.get(f"/api/tournaments/{play.cup.id}/matches/export/")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == len(play.matches)
    row = next(r for r in rows if r["match_id"] == str(semi))
    assert (row["status"], row["winner_id"], row["round"]) == (
        "forfeit", str(play.ids("W1.1")[0]), "1",
    )  # fmt: skip

    exported = client.get(f"/api/tournaments/{play.cup.id}/standings/export/?format=json")
    assert exported.status_code == 200 and isinstance(exported.get_json(), list)
    as_csv = client.get(f"/api/tournaments/{play.cup.id}/standings/export/")
    header = as_csv.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert header.startswith("placement,registration_id,name")
    assert_problem(client.get(f"/api/tournaments/{play.cup.id}/matches/export/?format=xlsx"), 422)
