"""The tournament control room: only the steps the state machine allows are offered, each
runs its service (a refusal is reported, nothing changes), the page shows registrations,
check-ins and the bracket picture (matches needing attention: tests/desks/test_dispute_desk.py);
organizers run their own."""

from __future__ import annotations

import re

from tests.brackets_api.conftest import register_players
from tests.desks.conftest import csrf, flashes
from tests.factories import make_tournament
from tests.helpers import sign_in_admin

ROOM = "/admin/controlroom/"


def steps(page: str) -> list[str]:
    return re.findall(r'id="step-([a-z_]+)"', page)


def test_an_organizer_runs_a_tournament_from_draft_to_start(app, client, organizer, make_player):
    tid = make_tournament(app, organizer.id, participant_type="solo", max_participants=4)
    sign_in_admin(client, organizer.id)
    assert "Spring Cup" in client.get(ROOM).get_data(as_text=True)
    url = f"{ROOM}{tid}/"
    page = client.get(url).get_data(as_text=True)
    assert steps(page) == ["publish", "cancel"]
    token = csrf(page)

    # A step the state does not allow is refused by the service and reported.
    client.post(f"{url}step/start/", data={"csrf_token": token})
    assert flashes(client)
    assert "State: <strong>Draft</strong>" in client.get(url).get_data(as_text=True)

    client.post(f"{url}step/publish/", data={"csrf_token": token})
    assert steps(client.get(url).get_data(as_text=True)) == ["open", "cancel"]
    client.post(f"{url}step/open/", data={"csrf_token": token})
    register_players(app, tid, [make_player() for _ in range(4)])
    page = client.get(url).get_data(as_text=True)
    assert steps(page) == ["close", "cancel"]
    assert page.count("Confirmed") == 4 and "4 confirmed, 0 checked in" in page
    client.post(f"{url}step/close/", data={"csrf_token": token})
    assert steps(client.get(url).get_data(as_text=True)) == ["open", "generate", "cancel"]
    client.post(f"{url}step/generate/", data={"csrf_token": token})
    page = client.get(url).get_data(as_text=True)
    assert steps(page) == ["regenerate", "start", "cancel"]
    svg = client.get(f"{url}bracket.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert b"<svg" in svg.data
    client.post(f"{url}step/start/", data={"csrf_token": token})
    page = client.get(url).get_data(as_text=True)
    assert "State: <strong>Ongoing</strong>" in page and steps(page) == ["cancel"]
    assert client.post(f"{url}step/nonsense/", data={"csrf_token": token}).status_code == 404


def test_another_organizers_tournament_is_not_found(app, client, organizer, make_user):
    tid = make_tournament(app, organizer.id)
    other = make_user(username="otherorg")
    make_tournament(app, other.id, name="Their Cup")
    sign_in_admin(client, other.id)
    listing = client.get(ROOM).get_data(as_text=True)
    assert "Their Cup" in listing and "Spring Cup" not in listing
    assert client.get(f"{ROOM}{tid}/").status_code == 404
    assert client.post(f"{ROOM}{tid}/step/publish/").status_code == 404
    assert client.get(f"{ROOM}{tid}/bracket.svg").status_code == 404


def test_the_steps_offered_follow_the_state_machine():
    from datetime import timedelta

    from deltacrown.core.time import utcnow
    from deltacrown.organizer.control_room import next_steps
    from deltacrown.tournaments.models import Tournament, TournamentStatus

    def offered(status: str, bracket: bool = False, checkin: int | None = None) -> list[str]:
        closes = None if checkin is None else utcnow() + timedelta(hours=checkin)
        tournament = Tournament(status=TournamentStatus(status), checkin_closes_at=closes)
        return next_steps(tournament, has_bracket=bracket)

    assert offered("draft") == ["publish", "cancel"]
    assert offered("published") == ["open", "cancel"]
    assert offered("registration_open", checkin=2) == ["close", "close_checkin", "cancel"]
    assert offered("registration_open", checkin=-2) == ["close", "cancel"]
    assert offered("registration_closed") == ["open", "generate", "cancel"]
    assert offered("registration_closed", bracket=True, checkin=1) == [
        "close_checkin", "regenerate", "start", "cancel"
    ]  # fmt: skip
    assert offered("ongoing") == ["cancel"]
    assert offered("completed") == offered("cancelled") == []
