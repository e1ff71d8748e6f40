"""Reports (filing, one open per subject, the rate limit, staff transitions, the queue's
one-click decisions) and appeals (once per sanction; accepting lifts the sanction)."""

from __future__ import annotations

import pytest

from deltacrown.extensions import db
from deltacrown.moderation import enforcement
from tests.helpers import assert_problem, sign_in_admin

REPORTS = "/api/reports/"


def report(client, who, subject_id, subject_type="user", **body):
    return client.post(
        REPORTS,
        json={
            "subject_type": subject_type,
            "subject_id": subject_id,
            "category": "cheating",
            **body,
        },
        headers=who.headers,
    )


def act(client, staff, report_id, action):
    return client.post(f"/api/admin/reports/{report_id}/{action}/", json={}, headers=staff.headers)


def test_one_open_report_per_subject_and_the_reporter_follows_it(client, user, stranger, staff):
    first = report(client, user, stranger.id, details="Aimbot in round 3.", priority=4)
    assert first.status_code == 201, first.get_json()
    assert_problem(report(client, user, stranger.id), 409, "already_reported")
    report_id = first.get_json()["id"]
    assert act(client, staff, report_id, "triage").get_json()["status"] == "triaged"
    assert_problem(report(client, user, stranger.id), 409, "already_reported")
    assert act(client, staff, report_id, "dismiss").get_json()["status"] == "dismissed"
    assert report(client, user, stranger.id).status_code == 201  # closed: may report again
    mine = client.get("/api/me/reports/", headers=user.headers).get_json()
    assert [(r["id"], r["status"]) for r in mine][1] == (report_id, "dismissed")


@pytest.mark.parametrize(
    ("path", "code"),
    [
        (["resolve"], "invalid_transition"),  # open cannot be resolved before triage
        (["triage", "resolve", "dismiss"], "invalid_transition"),  # terminal
        (["dismiss", "triage"], "invalid_transition"),  # no way back
    ],
)
def test_reports_move_forward_only(client, user, stranger, staff, path, code):
    report_id = report(client, user, stranger.id).get_json()["id"]
    *fine, refused = path
    for action in fine:
        assert act(client, staff, report_id, action).status_code == 200
    assert_problem(act(client, staff, report_id, refused), 409, code)


def test_reports_about_nothing_are_refused(client, user):
    assert_problem(report(client, user, 999999, "match"), 404, "subject_not_found")
    body = assert_problem(report(client, user, user.id, evidence_keys=["../etc/passwd"]), 422)
    assert "evidence_keys" in body["errors"]


def test_a_reporter_files_a_few_reports_an_hour(app, client, user, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "MODERATION_REPORTS_PER_HOUR", 2)
    for _ in range(2):
        assert report(client, user, make_user().id).status_code == 201
    response = assert_problem(report(client, user, make_user().id), 429, "reports_rate_limited")
    assert response["status"] == 429


def test_the_admin_queue_mutes_a_reported_message_author_in_one_click(client, staff, user, started):
    from tests.teams.test_admin import flashes, run_action

    play = started()
    match_id = play.matches["W1.1"]["id"]
    author = play.sides("W1.1")[0]
    room = f"/api/matches/{match_id}/chat/"
    said = client.post(room, json={"text": "ez noob"}, headers=author.headers)
    assert said.status_code == 201, said.get_json()
    filed = report(client, user, said.get_json()["id"], "message").get_json()
    sign_in_admin(client, staff.id)
    run_action(client, "/admin/admin_reports/", "mute", [filed["id"]])
    assert flashes(client) == ["1 muted for 24 hours."]
    assert (
        client.get("/api/me/reports/", headers=user.headers).get_json()[0]["status"] == "resolved"
    )
    [mute] = client.get(
        "/api/admin/sanctions/", query_string={"user_id": author.id}, headers=staff.headers
    ).get_json()
    assert (mute["type"], mute["report_id"], mute["reason_code"]) == (
        "mute",
        filed["id"],
        "cheating",
    )
    assert_problem(client.post(room, json={"text": "hi"}, headers=author.headers), 403, "muted")


def test_the_admin_pages_list_the_queues(client, staff, user, stranger):
    report(client, user, stranger.id, details="Queue entry")
    sign_in_admin(client, staff.id)
    for endpoint in ("admin_reports", "admin_sanctions", "admin_appeals"):
        page = client.get(f"/admin/{endpoint}/")
        assert page.status_code == 200, endpoint
    assert b"Queue entry" in client.get("/admin/admin_reports/").data


# ----- appeals ----------------------------------------------------------------------------------
def appeal(client, who, sanction_id):
    return client.post(
        f"/api/me/sanctions/{sanction_id}/appeal/",
        json={"statement": "I was not there."},
        headers=who.headers,
    )


def test_an_accepted_appeal_lifts_the_sanction(client, user, staff, sanction):
    sanction_id = sanction(type="shop_ban", scope="shop", user_id=user.id)
    filed = appeal(client, user, sanction_id)
    assert filed.status_code == 201 and filed.get_json()["status"] == "pending"
    assert_problem(appeal(client, user, sanction_id), 409, "already_appealed")
    queue = client.get(
        "/api/admin/appeals/", query_string={"status": "pending"}, headers=staff.headers
    )
    assert [a["id"] for a in queue.get_json()] == [filed.get_json()["id"]]
    accepted = client.post(
        f"/api/admin/appeals/{filed.get_json()['id']}/accept/", json={}, headers=staff.headers
    )
    assert accepted.get_json()["status"] == "accepted"
    mine = client.get("/api/me/sanctions/", headers=user.headers).get_json()
    assert mine[0]["revoked_at"] is not None and mine[0]["appeal_status"] == "accepted"
    assert_problem(
        client.post(
            f"/api/admin/appeals/{filed.get_json()['id']}/reject/", json={}, headers=staff.headers
        ),
        409,
        "invalid_transition",
    )


def test_a_rejected_appeal_leaves_the_sanction(app, client, user, staff, sanction):
    sanction_id = sanction(type="shop_ban", scope="shop", user_id=user.id)
    appeal_id = appeal(client, user, sanction_id).get_json()["id"]
    rejected = client.post(
        f"/api/admin/appeals/{appeal_id}/reject/", json={}, headers=staff.headers
    )
    assert rejected.get_json()["status"] == "rejected"
    with app.app_context():
        assert not enforcement.check(user.id, enforcement.Action.SHOP).allowed
        db.session.remove()


def test_only_the_sanctioned_user_appeals(client, user, stranger, sanction):
    sanction_id = sanction(type="mute", scope="chat", user_id=user.id)
    assert_problem(appeal(client, stranger, sanction_id), 404, "sanction_not_found")


def test_a_ban_signs_staff_out_of_the_admin(client, staff, sanction):
    sign_in_admin(client, staff.id)
    assert client.get("/admin/admin_reports/").status_code == 200
    sanction(type="ban", user_id=staff.id)
    assert client.get("/admin/admin_reports/").status_code == 302
