"""Tournament templates: saving a config or a tournament, listing own + public, changing and
deleting (owner or staff), and creating a draft from one (with Idempotency-Key)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from deltacrown.core.time import isoformat, utcnow
from deltacrown.extensions import db
from deltacrown.tournaments import services
from deltacrown.tournaments.errors import InvalidTemplateError
from deltacrown.tournaments.models import CustomField, Tournament, TournamentTemplate
from deltacrown.tournaments.schemas import TemplateConfigArgs
from tests.factories import make_tournament
from tests.helpers import assert_problem

TEMPLATES = "/api/tournament-templates/"
FROM_TEMPLATE = "/api/tournaments/from-template/"

CONFIG = {
    "game": "valorant",
    "format": "double_elimination",
    "max_participants": 8,
    "rules": "No smurfs.",
    "entry_fee": {"coins": 20},
    "prize_pool": {"amount": "1000.00", "currency": "BDT"},
    "prize_distribution": [{"placement": 1, "percent": "75"}, {"placement": 2, "percent": "25"}],
    "settings": {"best_of": 3, "server_region": "eu"},
    "custom_fields": [
        {"key": "discord", "label": "Discord", "type": "text", "required": True, "max": 32},
        {"key": "rank", "label": "Rank", "type": "dropdown", "choices": ["Gold", "Radiant"]},
    ],
}


def template_url(template_id):
    return f"{TEMPLATES}{template_id}/"


def save(client, user, name="Weekly cup", is_public=False, **body):
    body = {"name": name, "is_public": is_public, **({"config": CONFIG} if not body else body)}
    return client.post(TEMPLATES, json=body, headers=user.headers)


def start_at(days=10):
    return isoformat(utcnow().replace(microsecond=0) + timedelta(days=days))


def apply(client, user, template_id, key=None, **overrides):
    headers = dict(user.headers)
    if key:
        headers["Idempotency-Key"] = key
    body = {"template": template_id, "name": "From template", "start_at": start_at(), **overrides}
    return client.post(FROM_TEMPLATE, json=body, headers=headers)


# ----- create --------------------------------------------------------------------------------
def test_saving_a_config_stores_it_normalized(client, owner):
    response = save(client, owner)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["owner"] == {"id": owner.id, "username": "owner"} and body["is_public"] is False
    config = body["config"]
    assert config["game"] == "valorant" and config["format"] == "double_elimination"
    assert config["prize_distribution"] == [
        {"placement": 1, "percent": "75.00"},
        {"placement": 2, "percent": "25.00"},
    ]
    assert config["entry_fee"] == {"coins": 20}
    assert [f["key"] for f in config["custom_fields"]] == ["discord", "rank"]


@pytest.mark.parametrize(
    ("config", "status", "code"),
    [
        ({**CONFIG, "game": "chess"}, 404, "game_not_found"),
        ({**CONFIG, "settings": {"best_of": 4}}, 422, "invalid_settings"),
        (
            {**CONFIG, "entry_fee": {"amount": "5.00", "currency": "BDT"}},
            422,
            "invalid_payment_methods",
        ),
        (
            {**CONFIG, "prize_distribution": [{"placement": 1, "percent": "50"}]},
            422,
            "invalid_prize_distribution",
        ),
        ({**CONFIG, "format": "battle_royale"}, 422, "validation_error"),
        (
            {**CONFIG, "custom_fields": [{"key": "a", "label": "A", "type": "dropdown"}]},
            422,
            "invalid_custom_field",
        ),
        (
            {**CONFIG, "custom_fields": [{"key": "a", "label": "A", "type": "text"}] * 2},
            422,
            "invalid_custom_field",
        ),
        ({**CONFIG, "start_at": start_at()}, 422, "validation_error"),  # no dates in templates
    ],
)
def test_invalid_configs_are_refused(client, owner, config, status, code):
    assert_problem(save(client, owner, config=config), status, code)


def test_a_template_without_a_game_is_allowed(client, owner):
    response = save(client, owner, config={"format": "swiss", "max_participants": 32})
    assert response.status_code == 201
    assert "game" not in response.get_json()["config"]


def test_name_and_exactly_one_source_are_required(client, owner):
    assert_problem(client.post(TEMPLATES, json={"config": CONFIG}, headers=owner.headers), 422)
    both = {"name": "x", "config": CONFIG, "from_tournament": 1}
    assert_problem(client.post(TEMPLATES, json=both, headers=owner.headers), 422)
    assert_problem(client.post(TEMPLATES, json={"name": "x"}, headers=owner.headers), 422)
    assert_problem(client.post(TEMPLATES, json={"name": "x", "config": CONFIG}), 401)


def test_saving_a_tournament_copies_its_configuration_and_fields(app, client, owner):
    tournament_id = make_tournament(
        app,
        owner.id,
        status="published",
        max_participants=12,
        entry_fee={"coins": 5},
        settings={"best_of": 5},
    )
    client.post(
        f"/api/tournaments/{tournament_id}/custom-fields/",
        headers=owner.headers,
        json={"key": "age", "label": "Age", "type": "number", "min": 16},
    )
    response = save(client, owner, from_tournament=tournament_id, name="Copy")
    assert response.status_code == 201, response.get_json()
    config = response.get_json()["config"]
    assert (config["game"], config["max_participants"], config["entry_fee"]) == (
        "valorant",
        12,
        {"coins": 5},
    )
    assert config["payment_methods"] == ["deltacoin"] and config["settings"] == {"best_of": 5}
    assert config["custom_fields"] == [
        {
            "key": "age",
            "label": "Age",
            "type": "number",
            "required": False,
            "min": 16,
            "max": None,
            "regex": None,
            "choices": None,
            "order": 0,
        }
    ]
    assert "name" not in config and "start_at" not in config


def test_only_its_organizers_save_a_tournament_as_a_template(app, client, owner, stranger, staff):
    draft = make_tournament(app, owner.id)
    published = make_tournament(app, owner.id, status="published")
    assert_problem(save(client, stranger, from_tournament=draft), 404, "tournament_not_found")
    assert_problem(save(client, stranger, from_tournament=published), 403, "forbidden")
    assert save(client, staff, from_tournament=draft).status_code == 201


# ----- list and read -------------------------------------------------------------------------
def test_the_list_holds_my_templates_and_public_ones(client, owner, stranger):
    save(client, owner, name="Mine private")
    save(client, owner, name="Mine public", is_public=True)
    save(client, stranger, name="Their private")
    save(
        client,
        stranger,
        name="Their public",
        is_public=True,
        config={"game": "cs2", "format": "swiss"},
    )

    def names(response):
        return [t["name"] for t in response.get_json()]

    assert names(client.get(TEMPLATES, headers=owner.headers)) == [
        "Mine private",
        "Mine public",
        "Their public",
    ]
    assert names(client.get(TEMPLATES)) == ["Mine public", "Their public"]
    assert names(client.get(TEMPLATES + "?mine=true", headers=owner.headers)) == [
        "Mine private",
        "Mine public",
    ]
    assert names(client.get(TEMPLATES + "?game=cs2", headers=owner.headers)) == ["Their public"]


def test_someone_elses_private_template_is_404(client, owner, stranger, staff):
    template_id = save(client, owner).get_json()["id"]
    assert_problem(
        client.get(template_url(template_id), headers=stranger.headers), 404, "template_not_found"
    )
    assert_problem(client.get(template_url(template_id)), 404)
    mine = client.get(template_url(template_id), headers=owner.headers)
    assert mine.status_code == 200 and mine.headers["ETag"] == 'W/"1"'
    assert client.get(template_url(template_id), headers=staff.headers).status_code == 200


# ----- change and delete ---------------------------------------------------------------------
def test_the_owner_renames_publishes_and_replaces_the_config(client, owner, stranger):
    template_id = save(client, owner).get_json()["id"]
    response = client.patch(
        template_url(template_id),
        headers=owner.headers,
        json={
            "name": "Renamed",
            "is_public": True,
            "config": {"game": "cs2", "format": "swiss"},
        },
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["name"], body["is_public"], body["config"]) == (
        "Renamed",
        True,
        {"game": "cs2", "format": "swiss"},
    )
    assert response.headers["ETag"] == 'W/"2"'
    assert client.get(template_url(template_id), headers=stranger.headers).status_code == 200


def test_others_cannot_change_or_delete_a_template(client, owner, stranger):
    public_id = save(client, owner, is_public=True).get_json()["id"]
    private_id = save(client, owner).get_json()["id"]
    assert_problem(
        client.patch(template_url(public_id), json={"name": "x"}, headers=stranger.headers), 403
    )
    assert_problem(client.delete(template_url(public_id), headers=stranger.headers), 403)
    assert_problem(
        client.patch(template_url(private_id), json={"name": "x"}, headers=stranger.headers), 404
    )


def test_staff_may_change_anyones_template_and_it_is_audited(app, client, owner, staff):
    template_id = save(client, owner).get_json()["id"]
    assert (
        client.patch(
            template_url(template_id), json={"name": "Tidied"}, headers=staff.headers
        ).status_code
        == 200
    )
    with app.app_context():
        actions = db.session.scalars(
            sa.text("SELECT action FROM audit_entries WHERE actor_id = :id"), {"id": staff.id}
        ).all()
    assert actions == ["tournament_template.updated"]


def test_a_stale_if_match_is_412(client, owner):
    template_id = save(client, owner).get_json()["id"]
    client.patch(template_url(template_id), json={"name": "v2"}, headers=owner.headers)
    stale = client.patch(
        template_url(template_id),
        json={"name": "v3"},
        headers={**owner.headers, "If-Match": 'W/"1"'},
    )
    assert_problem(stale, 412, "precondition_failed")


def test_patch_revalidates_the_config(client, owner):
    template_id = save(client, owner).get_json()["id"]
    bad = client.patch(
        template_url(template_id),
        headers=owner.headers,
        json={"config": {"game": "valorant", "settings": {"best_of": 9}}},
    )
    assert_problem(bad, 422, "invalid_settings")


def test_delete_is_soft_and_hides_the_template(app, client, owner):
    template_id = save(client, owner, is_public=True).get_json()["id"]
    assert client.delete(template_url(template_id), headers=owner.headers).status_code == 204
    assert_problem(client.get(template_url(template_id), headers=owner.headers), 404)
    assert client.get(TEMPLATES, headers=owner.headers).get_json() == []
    with app.app_context():
        assert db.session.get(TournamentTemplate, template_id).deleted_at is not None


# ----- from template -------------------------------------------------------------------------
def test_applying_a_template_creates_a_draft_with_its_fields(app, client, owner, stranger):
    template_id = save(client, owner, is_public=True).get_json()["id"]
    response = apply(
        client,
        stranger,
        template_id,
        max_participants=16,
        registration_opens_at=start_at(1),
        registration_closes_at=start_at(2),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "draft" and body["organizer"]["id"] == stranger.id
    assert (body["name"], body["format"], body["max_participants"]) == (
        "From template",
        "double_elimination",
        16,
    )
    assert body["entry_fee"] == {"coins": 20} and body["rules"] == "No smurfs."
    assert body["settings"] == {"best_of": 3, "server_region": "eu"}
    assert body["template_id"] == template_id
    fields = client.get(
        f"/api/tournaments/{body['id']}/custom-fields/", headers=stranger.headers
    ).get_json()
    assert [(f["key"], f["required"]) for f in fields] == [("discord", True), ("rank", False)]


def test_overrides_are_checked_like_any_tournament(client, owner):
    template_id = save(client, owner).get_json()["id"]
    too_small = apply(client, owner, template_id, max_participants=1)
    assert_problem(too_small, 422, "validation_error")
    one_slot = apply(
        client,
        owner,
        template_id,
        max_participants=3,
        prize_distribution=[
            {"placement": 1, "percent": "40"},
            {"placement": 2, "percent": "30"},
            {"placement": 3, "percent": "20"},
            {"placement": 4, "percent": "10"},
        ],
    )
    assert_problem(one_slot, 422, "invalid_prize_distribution")
    assert_problem(
        apply(client, owner, template_id, start_at=isoformat(utcnow())), 422, "invalid_schedule"
    )


def test_name_and_start_are_required(client, owner):
    template_id = save(client, owner).get_json()["id"]
    response = client.post(FROM_TEMPLATE, json={"template": template_id}, headers=owner.headers)
    assert {"name", "start_at"} <= set(assert_problem(response, 422)["errors"])


def test_a_template_without_a_game_needs_one_in_the_overrides(client, owner):
    template_id = save(client, owner, config={"format": "swiss", "max_participants": 8}).get_json()[
        "id"
    ]
    assert_problem(apply(client, owner, template_id), 422, "invalid_template")
    assert apply(client, owner, template_id, game="cs2").status_code == 201


def test_private_templates_of_others_cannot_be_applied(client, owner, stranger):
    template_id = save(client, owner).get_json()["id"]
    assert_problem(apply(client, stranger, template_id), 404, "template_not_found")
    assert_problem(
        client.post(
            FROM_TEMPLATE, json={"template": template_id, "name": "x", "start_at": start_at()}
        ),
        401,
    )


def test_the_same_idempotency_key_never_creates_two_drafts(app, client, owner):
    template_id = save(client, owner).get_json()["id"]
    when = start_at()  # one body: start_at() read twice may straddle a second
    first = apply(client, owner, template_id, key="cup-42", start_at=when)
    second = apply(client, owner, template_id, key="cup-42", start_at=when)
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.get_json() == first.get_json()
    reused = apply(client, owner, template_id, key="cup-42", name="Another name", start_at=when)
    assert_problem(reused, 422, "idempotency_key_reused")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Tournament)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CustomField)) == 2


def test_a_stored_config_that_no_longer_loads_is_reported(app_ctx, owner, load):
    actor = load(owner)
    template = services.create_template(
        actor=actor, name="Broken", config=TemplateConfigArgs().load({"format": "swiss"})
    )
    template.config = {"format": "tic-tac-toe"}  # e.g. a format that was retired
    db.session.flush()
    with pytest.raises(InvalidTemplateError) as info:
        services.apply_template(
            template.id,
            actor=actor,
            overrides={"name": "x", "start_at": utcnow() + timedelta(days=3)},
        )
    assert "format" in info.value.errors["config"]
