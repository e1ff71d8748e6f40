"""Tournaments REST API: every endpoint, its status codes and problem codes, visibility,
ETags, and the Swagger walk-through (draft → custom field → publish → open → cancel)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from deltacrown.core.time import isoformat, utcnow
from deltacrown.extensions import db
from deltacrown.tournaments.models import Tournament
from tests.factories import make_tournament, tournament_body
from tests.helpers import assert_problem

BASE = "/api/tournaments/"


def url(tournament_id, suffix=""):
    return f"{BASE}{tournament_id}/{suffix}"


def post(client, path, user=None, **kwargs):
    return client.post(path, headers=user.headers if user else {}, **kwargs)


# ----- create --------------------------------------------------------------------------------
def test_create_answers_201_with_the_tournament_and_an_etag(client, owner):
    response = post(
        client,
        BASE,
        owner,
        json=tournament_body(
            entry_fee={"amount": "100.00", "currency": "BDT"},
            payment_methods=["bkash"],
            prize_pool={"coins": 500},
            prize_distribution=[
                {"placement": 1, "percent": "70"},
                {"placement": 2, "percent": "30"},
            ],
        ),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["ETag"] == 'W/"1"'
    assert body["status"] == "draft" and body["slug"] == "spring-cup"
    assert body["game"] == {"id": body["game"]["id"], "slug": "valorant", "name": "Valorant"}
    assert body["organizer"] == {"id": owner.id, "username": "owner"}
    assert body["entry_fee"] == {"amount": "100.00", "currency": "BDT"}
    assert body["prize_pool"] == {"coins": 500}
    assert body["prize_distribution"] == [
        {"placement": 1, "percent": "70.00"},
        {"placement": 2, "percent": "30.00"},
    ]
    assert body["registration_opens_at"].endswith("Z")


def test_matches_start_by_themselves_unless_the_organizer_turns_it_off(client, owner):
    created = post(client, BASE, owner, json=tournament_body())
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["auto_start_matches"] is True
    tournament_id = created.get_json()["id"]
    changed = client.patch(
        url(tournament_id), json={"auto_start_matches": False}, headers=owner.headers
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["auto_start_matches"] is False
    off = post(
        client, BASE, owner, json=tournament_body(name="Manual Cup", auto_start_matches=False)
    )
    assert off.get_json()["auto_start_matches"] is False


def test_create_needs_a_token(client):
    assert_problem(post(client, BASE, json=tournament_body()), 401, "authentication_required")


def test_create_reports_missing_and_malformed_fields(client, owner):
    response = post(
        client, BASE, owner, json={"name": "x", "entry_fee": {"amount": 5.5, "currency": "BDT"}}
    )
    body = assert_problem(response, 422, "validation_error")
    assert {"name", "game", "format", "max_participants", "start_at", "entry_fee"} <= set(
        body["errors"]
    )


def test_create_refuses_naive_datetimes_and_unknown_fields(client, owner):
    naive = tournament_body(start_at="2030-01-01T10:00:00", color="red")
    body = assert_problem(post(client, BASE, owner, json=naive), 422, "validation_error")
    assert {"start_at", "color"} <= set(body["errors"])


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        (
            {"registration_closes_at": isoformat(utcnow())},
            "invalid_schedule",
            "registration_closes_at",
        ),
        (
            {
                "prize_pool": {"coins": 10},
                "prize_distribution": [{"placement": 1, "percent": "90"}],
            },
            "invalid_prize_distribution",
            "prize_distribution",
        ),
        (
            {"entry_fee": {"coins": 10}, "payment_methods": ["bkash"]},
            "invalid_payment_methods",
            "payment_methods",
        ),
        ({"settings": {"best_of": 4}}, "invalid_settings", "settings.best_of"),
        ({"timezone": "Mars/Olympus"}, "validation_error", "timezone"),
        ({"timezone": "Asia/" + "x" * 300}, "validation_error", "timezone"),  # not a file name
        ({"timezone": "../../etc/passwd"}, "validation_error", "timezone"),
        ({"banner_url": "ftp://x.test/a.png"}, "validation_error", "banner_url"),
        ({"prize_distribution": [{"placement": 1}]}, "validation_error", "prize_distribution"),
    ],
)
def test_create_rule_violations_answer_422_with_the_field(client, owner, overrides, code, field):
    body = assert_problem(post(client, BASE, owner, json=tournament_body(**overrides)), 422, code)
    assert field in body["errors"], body


def test_create_with_an_unknown_game_is_404(client, owner):
    assert_problem(
        post(client, BASE, owner, json=tournament_body(game="chess")), 404, "game_not_found"
    )


def test_a_trailing_slash_is_added_by_redirect(client, owner):
    assert client.post("/api/tournaments", json={}, headers=owner.headers).status_code == 308


# ----- read ----------------------------------------------------------------------------------
def test_anyone_reads_a_published_public_tournament(app, client, owner):
    tournament_id = make_tournament(app, owner.id, status="published")
    response = client.get(url(tournament_id))
    assert response.status_code == 200
    assert response.get_json()["status"] == "published"
    assert response.headers["ETag"] == 'W/"2"'
    again = client.get(url(tournament_id), headers={"If-None-Match": 'W/"2"'})
    assert again.status_code == 304 and again.data == b""


def test_a_draft_is_404_to_all_but_organizers_and_staff(app, client, owner, stranger, staff):
    tournament_id = make_tournament(app, owner.id)
    assert_problem(client.get(url(tournament_id)), 404, "tournament_not_found")
    assert_problem(client.get(url(tournament_id), headers=stranger.headers), 404)
    assert client.get(url(tournament_id), headers=owner.headers).status_code == 200
    assert client.get(url(tournament_id), headers=staff.headers).status_code == 200


def test_a_private_tournament_opens_with_its_invite_code(app, client, owner, stranger):
    tournament_id = make_tournament(app, owner.id, status="published", visibility="private")
    code = client.get(url(tournament_id), headers=owner.headers).get_json()["invite_code"]
    assert code
    assert_problem(client.get(url(tournament_id), headers=stranger.headers), 404)
    assert_problem(client.get(url(tournament_id) + "?invite_code=wrong"), 404)
    seen = client.get(url(tournament_id) + f"?invite_code={code}", headers=stranger.headers)
    assert seen.status_code == 200
    assert seen.get_json()["invite_code"] is None  # only organizers see the code


def test_unlisted_tournaments_are_readable_by_link(app, client, owner):
    tournament_id = make_tournament(app, owner.id, status="published", visibility="unlisted")
    assert client.get(url(tournament_id)).status_code == 200


def test_sparse_fieldsets_trim_the_tournament(app, client, owner):
    tournament_id = make_tournament(app, owner.id, status="published")
    body = client.get(url(tournament_id) + "?fields=id,status,entry_fee").get_json()
    assert body == {"id": tournament_id, "status": "published", "entry_fee": None}


# ----- update --------------------------------------------------------------------------------
def test_patch_changes_the_tournament_and_bumps_the_etag(app, client, owner):
    tournament_id = make_tournament(app, owner.id)
    response = client.patch(
        url(tournament_id),
        json={"description": "Bring snacks"},
        headers={**owner.headers, "If-Match": 'W/"1"'},
    )
    assert response.status_code == 200
    assert response.get_json()["description"] == "Bring snacks"
    assert response.headers["ETag"] == 'W/"2"'


def test_patch_with_a_stale_if_match_is_412(app, client, owner):
    tournament_id = make_tournament(app, owner.id)
    client.patch(url(tournament_id), json={"description": "one"}, headers=owner.headers)
    stale = client.patch(
        url(tournament_id),
        json={"description": "two"},
        headers={**owner.headers, "If-Match": 'W/"1"'},
    )
    assert_problem(stale, 412, "precondition_failed")
    assert client.get(url(tournament_id), headers=owner.headers).get_json()["description"] == "one"


def test_patch_of_frozen_fields_is_409_naming_them(app, client, owner):
    tournament_id = make_tournament(app, owner.id, status="published")
    response = client.patch(
        url(tournament_id),
        json={"format": "swiss", "game": "cs2", "description": "ok"},
        headers=owner.headers,
    )
    body = assert_problem(response, 409, "field_frozen")
    assert set(body["errors"]) == {"format", "game"}


def test_patch_permissions(app, client, owner, stranger, staff):
    draft = make_tournament(app, owner.id)
    published = make_tournament(app, owner.id, status="published")
    change = {"description": "x"}
    assert_problem(client.patch(url(draft), json=change), 401)
    assert_problem(client.patch(url(draft), json=change, headers=stranger.headers), 404)
    assert_problem(
        client.patch(url(published), json=change, headers=stranger.headers), 403, "forbidden"
    )
    # a stranger's stale If-Match is still a 403, never a 412
    assert_problem(
        client.patch(
            url(published), json=change, headers={**stranger.headers, "If-Match": 'W/"1"'}
        ),
        403,
    )
    assert client.patch(url(published), json=change, headers=staff.headers).status_code == 200


def test_patch_of_a_cancelled_tournament_is_409(app, client, owner):
    tournament_id = make_tournament(app, owner.id, status="cancelled")
    assert_problem(
        client.patch(url(tournament_id), json={"description": "x"}, headers=owner.headers),
        409,
        "tournament_locked",
    )


# ----- delete --------------------------------------------------------------------------------
def test_delete_removes_a_draft(app, client, owner):
    tournament_id = make_tournament(app, owner.id)
    assert client.delete(url(tournament_id), headers=owner.headers).status_code == 204
    assert_problem(client.get(url(tournament_id), headers=owner.headers), 404)
    with app.app_context():
        assert db.session.get(Tournament, tournament_id).deleted_at is not None


def test_delete_of_a_published_tournament_is_409_not_draft(app, client, owner):
    tournament_id = make_tournament(app, owner.id, status="published")
    assert_problem(client.delete(url(tournament_id), headers=owner.headers), 409, "not_draft")


def test_delete_with_a_stale_if_match_is_412(app, client, owner):
    tournament_id = make_tournament(app, owner.id)
    client.patch(url(tournament_id), json={"description": "one"}, headers=owner.headers)
    stale = client.delete(url(tournament_id), headers={**owner.headers, "If-Match": 'W/"1"'})
    assert_problem(stale, 412, "precondition_failed")


# ----- actions -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        ("draft", "publish", 200),
        ("published", "publish", 409),
        ("published", "open-registration", 200),
        ("draft", "open-registration", 409),
        ("registration_open", "close-registration", 200),
        ("published", "close-registration", 409),
        ("completed", "close-registration", 409),
    ],
)
@pytest.mark.usefixtures("places_taken")
def test_action_endpoints(app, client, owner, status, action, expected):
    tournament_id = make_tournament(app, owner.id, status=status)
    response = post(client, url(tournament_id, f"{action}/"), owner)
    if expected == 200:
        assert response.status_code == 200
        assert response.headers["ETag"]
    else:
        assert_problem(response, 409, "invalid_transition")


def test_actions_need_an_organizer(app, client, owner, stranger):
    draft = make_tournament(app, owner.id)
    published = make_tournament(app, owner.id, status="published")
    assert_problem(post(client, url(draft, "publish/")), 401)
    assert_problem(post(client, url(draft, "publish/"), stranger), 404)
    assert_problem(post(client, url(published, "open-registration/"), stranger), 403)
    assert_problem(post(client, url(999_999, "publish/"), owner), 404, "tournament_not_found")


def test_publish_with_past_dates_is_422(app, client, owner):
    soon = utcnow() + timedelta(minutes=5)
    tournament_id = make_tournament(
        app,
        owner.id,
        registration_opens_at=isoformat(soon - timedelta(minutes=4)),
        registration_closes_at=isoformat(soon),
    )
    with time_machine.travel(soon + timedelta(minutes=1), tick=False):
        body = assert_problem(
            post(client, url(tournament_id, "publish/"), owner), 422, "invalid_schedule"
        )
    assert list(body["errors"]) == ["registration_closes_at"]


def test_open_registration_after_its_closing_time_is_409(app, client, owner):
    soon = utcnow() + timedelta(minutes=5)
    tournament_id = make_tournament(
        app,
        owner.id,
        status="published",
        registration_opens_at=isoformat(soon - timedelta(minutes=1)),
        registration_closes_at=isoformat(soon),
    )
    with time_machine.travel(soon + timedelta(minutes=1), tick=False):
        assert_problem(
            post(client, url(tournament_id, "open-registration/"), owner),
            409,
            "registration_window_passed",
        )


def test_cancel_needs_a_reason(app, client, owner):
    tournament_id = make_tournament(app, owner.id, status="published")
    body = assert_problem(post(client, url(tournament_id, "cancel/"), owner, json={}), 422)
    assert "reason" in body["errors"]
    assert_problem(post(client, url(tournament_id, "cancel/"), owner, json={"reason": ""}), 422)


def test_cancel_answers_the_tournament_and_signals_once(app, client, owner, cancellations):
    tournament_id = make_tournament(app, owner.id, status="registration_open")
    first = post(client, url(tournament_id, "cancel/"), owner, json={"reason": "Storm"})
    assert first.status_code == 200
    assert first.get_json()["status"] == "cancelled"
    assert first.get_json()["cancel_reason"] == "Storm"
    assert cancellations == [
        {
            "sender": "tournaments",
            "tournament_id": tournament_id,
            "reason": "Storm",
            "actor_id": owner.id,
        }
    ]
    again = post(client, url(tournament_id, "cancel/"), owner, json={"reason": "Other"})
    assert again.status_code == 200
    assert again.get_json() == first.get_json()
    assert len(cancellations) == 1


def test_cancelling_a_completed_tournament_is_409(app, client, owner, cancellations):
    tournament_id = make_tournament(app, owner.id, status="completed")
    assert_problem(
        post(client, url(tournament_id, "cancel/"), owner, json={"reason": "x"}),
        409,
        "invalid_transition",
    )
    assert cancellations == []


# ----- co-organizers -------------------------------------------------------------------------
def test_organizers_can_be_named_and_removed(app, client, owner, helper):
    tournament_id = make_tournament(app, owner.id)
    added = post(client, url(tournament_id, "organizers/"), owner, json={"user": helper.id})
    assert added.status_code == 201
    assert added.get_json() == [{"id": helper.id, "username": "helper"}]
    # the co-organizer now sees and edits the draft
    assert (
        client.patch(url(tournament_id), json={"rules": "r"}, headers=helper.headers).status_code
        == 200
    )
    assert_problem(
        post(client, url(tournament_id, "organizers/"), owner, json={"user": helper.id}),
        409,
        "already_organizer",
    )
    removed = client.delete(url(tournament_id, f"organizers/{helper.id}/"), headers=owner.headers)
    assert removed.status_code == 204
    assert_problem(client.get(url(tournament_id), headers=helper.headers), 404)


def test_organizer_errors(app, client, owner, helper, stranger):
    tournament_id = make_tournament(app, owner.id, status="published")
    assert_problem(
        post(client, url(tournament_id, "organizers/"), owner, json={"user": 999_999}),
        404,
        "user_not_found",
    )
    assert_problem(
        post(client, url(tournament_id, "organizers/"), stranger, json={"user": stranger.id}), 403
    )
    assert_problem(
        client.delete(url(tournament_id, f"organizers/{owner.id}/"), headers=owner.headers),
        409,
        "cannot_remove_owner",
    )
    assert_problem(
        client.delete(url(tournament_id, f"organizers/{helper.id}/"), headers=owner.headers),
        404,
        "organizer_not_found",
    )


# ----- the walk-through ----------------------------------------------------------------------
def test_draft_field_publish_open_cancel_walkthrough(app, client, owner):
    created = post(client, BASE, owner, json=tournament_body(name="Walkthrough Cup"))
    tournament_id = created.get_json()["id"]
    field = post(
        client,
        url(tournament_id, "custom-fields/"),
        owner,
        json={"key": "discord", "label": "Discord", "type": "text", "required": True},
    )
    assert field.status_code == 201
    assert post(client, url(tournament_id, "publish/"), owner).get_json()["status"] == "published"
    opened = post(client, url(tournament_id, "open-registration/"), owner)
    assert opened.get_json()["status"] == "registration_open"
    cancelled = post(client, url(tournament_id, "cancel/"), owner, json={"reason": "Demo over"})
    assert cancelled.get_json()["status"] == "cancelled"
    with app.app_context():
        statuses = db.session.scalars(
            sa.text(
                "SELECT action FROM audit_entries WHERE target_type = 'tournaments' "
                "AND target_id = :id ORDER BY id"
            ),
            {"id": tournament_id},
        ).all()
    assert statuses == [
        "tournament.published",
        "tournament.registration_open",
        "tournament.cancelled",
    ]


def test_the_openapi_document_lists_the_problem_codes(client):
    spec = client.get("/api/openapi.json").get_json()
    patch = spec["paths"]["/api/tournaments/{tournament_id}/"]["patch"]["responses"]
    assert "field_frozen" in patch["409"]["description"]
    assert "invalid_schedule" in patch["422"]["description"]
    assert "412" in patch
    cancel = spec["paths"]["/api/tournaments/{tournament_id}/cancel/"]["post"]["responses"]
    assert "invalid_transition" in cancel["409"]["description"]
    delete = spec["paths"]["/api/tournaments/{tournament_id}/"]["delete"]["responses"]
    assert "not_draft" in delete["409"]["description"]
