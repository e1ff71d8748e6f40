"""Flask-Admin for matches: staff only; the dispute queue's actions, the override and reset
forms go through the services (rules and audit entries are the API's)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.brackets_api.conftest import db_scalar
from tests.matches.conftest import REASON
from tests.teams.test_admin import flashes, run_action, sign_in

VIEWS = (
    "/admin/admin_disputes/",
    "/admin/admin_result_submissions/",
    "/admin/admin_match_events/",
    "/admin/admin_match_override/",
    "/admin/admin_match_reset/",
)


def open_dispute(play, m):
    semi = play.matches["W1.1"]["id"]
    m.live(semi)
    m.submit(semi, [(13, 9), (13, 4)], play.sides("W1.1")[0].headers)
    return m.dispute(semi, REASON, play.sides("W1.1")[1].headers).get_json()["id"]


def test_match_views_are_for_staff_only(client, user):
    for view in VIEWS:
        response = client.get(view)
        assert response.status_code == 302 and "/admin/login/" in response.headers["Location"]
    sign_in(client, user.id)
    for view in VIEWS:
        assert client.get(view).status_code == 403


def test_staff_review_and_dismiss_disputes_from_the_queue(app, client, staff, started, m):
    from deltacrown.core.audit import AuditEntry
    from deltacrown.matches.models import Dispute

    play = started()
    dispute = open_dispute(play, m)
    sign_in(client, staff.id)
    page = client.get(VIEWS[0]).get_data(as_text=True)
    assert REASON[:20] in page
    run_action(client, VIEWS[0], "review", [dispute])
    assert db_scalar(app, sa.select(Dispute.status).where(Dispute.id == dispute)).value == (
        "under_review"
    )
    run_action(client, VIEWS[0], "review", [dispute])  # refused by the service, flashed
    assert any("cannot review" in message for message in flashes(client))
    run_action(client, VIEWS[0], "dismiss", [dispute])
    assert db_scalar(app, sa.select(Dispute.status).where(Dispute.id == dispute)).value == (
        "dismissed"
    )
    actor = db_scalar(
        app,
        sa.select(AuditEntry.actor_id).where(
            AuditEntry.action == "dispute.dismissed", AuditEntry.target_id == dispute
        ),
    )
    assert actor == staff.id
    assert m.get(play.matches["W1.1"]["id"]).get_json()["status"] == "completed"
    for view in VIEWS[1:3]:
        assert client.get(view).status_code == 200


def test_staff_override_a_result_with_the_form(client, staff, started, m):
    play = started()
    semi = play.matches["W1.1"]["id"]
    sign_in(client, staff.id)
    page = client.get(VIEWS[3]).get_data(as_text=True)
    token = re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page
    ).group(1)
    response = client.post(
        VIEWS[3], data={"csrf_token": token, "match_id": semi, "games": "2-13, 3-13"}
    )
    assert response.status_code == 302
    detail = m.get(semi).get_json()
    assert detail["status"] == "completed"
    assert detail["winner_registration_id"] == play.ids("W1.1")[1]
    client.post(VIEWS[3], data={"csrf_token": token, "match_id": semi, "games": "13 to 2"})
    assert any("13-9" in message for message in flashes(client))
    client.post(
        VIEWS[3],
        data={"csrf_token": token, "match_id": play.matches["W2.1"]["id"], "games": "13-2, 13-3"},
    )
    assert any("cannot override" in message for message in flashes(client))
    # Without the form's token nothing happens.
    client.post(VIEWS[3], data={"match_id": play.matches["W1.2"]["id"], "games": "13-2, 13-3"})
    assert m.get(play.matches["W1.2"]["id"]).get_json()["status"] == "ready"


def test_staff_reset_a_match_with_the_form(app, client, staff, started, m):
    from deltacrown.matches.models import Dispute, ResultSubmission

    play = started()
    semi = play.matches["W1.1"]["id"]
    dispute = open_dispute(play, m)
    sign_in(client, staff.id)
    page = client.get(VIEWS[4]).get_data(as_text=True)
    token = re.search(
        r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page
    ).group(1)
    form = {"csrf_token": token, "match_id": semi, "reason": "Server crashed"}
    assert client.post(VIEWS[4], data=form).status_code == 302
    assert m.get(semi).get_json()["status"] == "ready"
    # The dispute is dismissed with the reason, the disputed claims set aside.
    status = db_scalar(app, sa.select(Dispute.status).where(Dispute.id == dispute))
    assert status.value == "dismissed"
    claims = sa.select(sa.func.count()).where(
        ResultSubmission.match_id == semi, ResultSubmission.status != "superseded"
    )
    assert db_scalar(app, claims) == 0
    client.post(VIEWS[4], data={**form, "match_id": play.matches["W2.1"]["id"]})
    assert any("cannot reset" in message for message in flashes(client))
