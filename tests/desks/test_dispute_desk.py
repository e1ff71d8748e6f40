"""The dispute desk: a dispute's page shows the match, both sides, each side's scores and
the reason; overturning shows the engine's preview first and changes nothing until
confirmed; the other rulings go through the services; organizers see their own only."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.brackets_api.conftest import db_scalar
from tests.desks.conftest import REASON, csrf, flashes
from tests.factories import make_tournament
from tests.helpers import sign_in_admin

DESK = "/admin/disputedesk/"


def _dispute(app, dispute_id):
    from deltacrown.matches.models import Dispute

    return db_scalar(app, sa.select(Dispute).where(Dispute.id == dispute_id))


def test_overturning_shows_the_preview_then_corrects_the_result(
    app, client, organizer, disputed, m
):
    play, semi, dispute = disputed()
    first, second = play.ids("W1.1")
    sign_in_admin(client, organizer.id)
    assert f"#{dispute}" in client.get(DESK).get_data(as_text=True)

    page = client.get(f"{DESK}{dispute}/").get_data(as_text=True)
    names = {p["registration_id"]: p["name"] for p in play.matches["W1.1"]["participants"]}
    assert names[first] in page and names[second] in page
    assert REASON in page and "best of 3" in page
    assert 'value="13-9, 13-4"' in page  # the overturn form starts from the disputed games
    assert "Game 3" in page and "Under review" not in page
    evidence = re.search(r'<div class="evidence" id="evidence">.*?<img src="([^"]+)"', page, re.S)
    shown = client.get(evidence.group(1).replace("&amp;", "&"))
    assert shown.status_code == 200 and shown.mimetype == "image/png"

    form = {"csrf_token": csrf(page), "games": "9-13, 4-13", "resolution": "Side 2 won."}
    preview = client.post(f"{DESK}{dispute}/overturn/", data=form).get_data(as_text=True)
    assert 'id="overturn-preview"' in preview and 'id="overturn-confirm"' in preview
    assert f"{names[second]} (winner) goes from match #{semi}" in preview
    assert m.get(semi).get_json()["status"] == "disputed"  # a preview changes nothing

    bad = client.post(f"{DESK}{dispute}/overturn/", data={**form, "games": "13 to 2"})
    assert "13-9" in " ".join(flashes(client)) or "13-9" in bad.get_data(as_text=True)

    response = client.post(f"{DESK}{dispute}/overturn/", data={**form, "confirm": "yes"})
    assert response.status_code == 302
    row = _dispute(app, dispute)
    assert (row.status.value, row.outcome.value) == ("resolved", "overturned")
    assert row.corrected_games == [[9, 13], [4, 13]]
    detail = m.get(semi).get_json()
    assert (detail["status"], detail["winner_registration_id"]) == ("completed", second)


def test_review_then_rematch_and_other_organizers_see_nothing(
    app, client, staff, make_user, disputed, m
):
    play, semi, dispute = disputed()
    sign_in_admin(client, staff.id)
    # The tournament's control room lists the disputed match as needing attention.
    room = client.get(f"/admin/controlroom/{play.cup.id}/").get_data(as_text=True)
    listed = re.search(r'id="attention">(.*?)</table>', room, re.S).group(1)
    assert f"#{semi} " in listed and "Disputed" in listed

    page = client.get(f"{DESK}{dispute}/").get_data(as_text=True)
    token = csrf(page)
    client.post(f"{DESK}{dispute}/review/", data={"csrf_token": token})
    assert _dispute(app, dispute).status.value == "under_review"

    # Another organizer: not listed, not shown, not settled by direct URL.
    other = make_user(username="otherorg")
    make_tournament(app, other.id)
    sign_in_admin(client, other.id)
    assert f"#{dispute}" not in client.get(DESK).get_data(as_text=True)
    assert client.get(f"{DESK}{dispute}/").status_code == 404
    response = client.post(f"{DESK}{dispute}/dismiss/", data={"resolution": "Not yours."})
    assert response.status_code == 404
    assert _dispute(app, dispute).status.value == "under_review"

    sign_in_admin(client, staff.id)  # a new session: the old form's token no longer works
    client.post(f"{DESK}{dispute}/rematch/", data={"csrf_token": token, "resolution": "Replay."})
    assert _dispute(app, dispute).status.value == "under_review"
    token = csrf(client.get(f"{DESK}{dispute}/").get_data(as_text=True))
    client.post(f"{DESK}{dispute}/rematch/", data={"csrf_token": token, "resolution": ""})
    assert _dispute(app, dispute).status.value == "under_review"
    client.post(f"{DESK}{dispute}/rematch/", data={"csrf_token": token, "resolution": "Replay."})
    row = _dispute(app, dispute)
    assert (row.status.value, row.outcome.value) == ("resolved", "rematch")
    assert m.get(semi).get_json()["status"] == "ready"
    # Settled: refused by the service, reported, nothing changes.
    client.post(f"{DESK}{dispute}/dismiss/", data={"csrf_token": token, "resolution": "x"})
    assert any("cannot dismiss" in message for message in flashes(client))
    assert 'id="overturn-form"' not in client.get(f"{DESK}{dispute}/").get_data(as_text=True)
