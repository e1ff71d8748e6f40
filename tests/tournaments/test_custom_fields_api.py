"""Custom fields through the API and services: create, list, change, delete (soft), key
uniqueness, definitions, the registrations locks, and who may do what."""

from __future__ import annotations

import pytest

from deltacrown.extensions import db
from deltacrown.tournaments import queries, services
from deltacrown.tournaments.customfields import validate_answers
from deltacrown.tournaments.errors import FieldKeyTakenError
from deltacrown.tournaments.models import CustomField
from tests.factories import build_tournament, make_tournament
from tests.helpers import assert_problem


def fields_url(tournament_id, field_id=None):
    base = f"/api/tournaments/{tournament_id}/custom-fields/"
    return base if field_id is None else f"{base}{field_id}/"


def add(client, user, tournament_id, **body):
    return client.post(fields_url(tournament_id), json=body, headers=user.headers)


DISCORD = {
    "key": "discord",
    "label": "Discord handle",
    "type": "text",
    "required": True,
    "min": 2,
    "max": 32,
    "regex": r"[^#]+#?\d*",
}


def test_create_answers_201_with_the_field(app, client, owner):
    tournament_id = make_tournament(app, owner.id)
    response = add(client, owner, tournament_id, **DISCORD)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert {k: body[k] for k in DISCORD} == DISCORD
    assert body["choices"] is None and body["order"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"key": "rank", "label": "Rank", "type": "dropdown", "choices": ["Iron", "Gold"]},
        {"key": "age", "label": "Age", "type": "number", "min": 13, "max": 99.5},
        {"key": "born", "label": "Born", "type": "date", "min": "1990-01-01", "max": "2012-12-31"},
        {"key": "rules_ok", "label": "I accept", "type": "checkbox", "required": True},
        {"key": "vod", "label": "Highlight video", "type": "url"},
    ],
)
def test_every_type_can_be_created_and_reads_back(app, client, owner, body):
    tournament_id = make_tournament(app, owner.id)
    created = add(client, owner, tournament_id, **body)
    assert created.status_code == 201, created.get_json()
    listed = client.get(fields_url(tournament_id), headers=owner.headers).get_json()
    assert [{k: f[k] for k in body} for f in listed] == [body]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"key": "rank", "label": "Rank", "type": "dropdown"}, "choices"),
        ({"key": "rank", "label": "Rank", "type": "dropdown", "choices": []}, "choices"),
        ({"key": "nick", "label": "Nick", "type": "text", "choices": ["a"]}, "choices"),
        ({"key": "nick", "label": "Nick", "type": "text", "min": 5, "max": 2}, "max"),
        ({"key": "ok", "label": "Ok", "type": "checkbox", "max": 1}, "max"),
        ({"key": "born", "label": "Born", "type": "date", "min": "01/01/2000"}, "min"),
    ],
)
def test_invalid_definitions_are_422_invalid_custom_field(app, client, owner, body, field):
    tournament_id = make_tournament(app, owner.id)
    problem = assert_problem(add(client, owner, tournament_id, **body), 422, "invalid_custom_field")
    assert field in problem["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"key": "Discord Handle", "label": "D", "type": "text"}, "key"),
        ({"key": "d", "label": "D", "type": "colour"}, "type"),
        ({"label": "D", "type": "text"}, "key"),
        ({"key": "d", "type": "text"}, "label"),
    ],
)
def test_malformed_bodies_are_422_validation_error(app, client, owner, body, field):
    tournament_id = make_tournament(app, owner.id)
    problem = assert_problem(add(client, owner, tournament_id, **body), 422, "validation_error")
    assert field in problem["errors"]


def test_keys_are_unique_among_live_fields_only(app, client, owner):
    tournament_id = make_tournament(app, owner.id)
    first = add(client, owner, tournament_id, **DISCORD).get_json()
    assert_problem(add(client, owner, tournament_id, **DISCORD), 409, "field_key_taken")
    other = make_tournament(app, owner.id)
    assert add(client, owner, other, **DISCORD).status_code == 201  # per tournament
    deleted = client.delete(fields_url(tournament_id, first["id"]), headers=owner.headers)
    assert deleted.status_code == 204
    assert add(client, owner, tournament_id, **DISCORD).status_code == 201  # the key is free again


def test_the_database_also_refuses_a_duplicate_live_key(app_ctx, owner, load):
    """Two concurrent requests both pass the pre-check; the partial unique index decides."""
    tournament = build_tournament(owner.id)
    services.create_custom_field(tournament.id, actor=load(owner), data=dict(DISCORD))
    twin = CustomField(
        tournament_id=tournament.id,
        key="discord",
        label="Twin",
        type="text",
        required=False,
        order=1,
    )
    from deltacrown.tournaments.services.custom_fields import _flush_or_key_taken

    with pytest.raises(FieldKeyTakenError):
        _flush_or_key_taken(twin)
    assert [f.label for f in queries.live_custom_fields(tournament.id)] == ["Discord handle"]


def test_list_is_ordered_and_hides_deleted_fields(app, client, owner):
    tournament_id = make_tournament(app, owner.id)
    add(client, owner, tournament_id, key="b", label="B", type="text", order=5)
    a = add(client, owner, tournament_id, key="a", label="A", type="text", order=1).get_json()
    add(client, owner, tournament_id, key="c", label="C", type="text")  # appended: order 6
    client.delete(fields_url(tournament_id, a["id"]), headers=owner.headers)
    listed = client.get(fields_url(tournament_id), headers=owner.headers)
    assert [(f["key"], f["order"]) for f in listed.get_json()] == [("b", 5), ("c", 6)]
    assert listed.headers["X-Pagination"]


def test_players_read_the_fields_of_visible_tournaments_only(app, client, owner, stranger):
    draft = make_tournament(app, owner.id)
    published = make_tournament(app, owner.id, status="published")
    add(client, owner, published, **DISCORD)
    assert len(client.get(fields_url(published)).get_json()) == 1
    assert_problem(
        client.get(fields_url(draft), headers=stranger.headers), 404, "tournament_not_found"
    )


def test_patch_changes_label_constraints_and_order(app, client, owner):
    tournament_id = make_tournament(app, owner.id)
    field = add(client, owner, tournament_id, **DISCORD).get_json()
    response = client.patch(
        fields_url(tournament_id, field["id"]),
        headers=owner.headers,
        json={"label": "Discord", "max": 40, "order": 3, "required": False},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["label"], body["min"], body["max"], body["order"], body["required"]) == (
        "Discord",
        2,
        40,
        3,
        False,
    )
    assert body["regex"] == DISCORD["regex"]


def test_changing_the_type_drops_constraints_not_restated(app, client, owner):
    tournament_id = make_tournament(app, owner.id)
    field = add(client, owner, tournament_id, **DISCORD).get_json()
    response = client.patch(
        fields_url(tournament_id, field["id"]),
        headers=owner.headers,
        json={"type": "dropdown", "choices": ["EU", "NA"]},
    )
    body = response.get_json()
    assert (body["type"], body["choices"], body["min"], body["max"], body["regex"]) == (
        "dropdown",
        ["EU", "NA"],
        None,
        None,
        None,
    )
    bad = client.patch(
        fields_url(tournament_id, field["id"]),
        headers=owner.headers,
        json={"type": "number", "choices": ["x"]},
    )
    assert_problem(bad, 422, "invalid_custom_field")


def test_the_key_cannot_be_changed(app, client, owner):
    tournament_id = make_tournament(app, owner.id)
    field = add(client, owner, tournament_id, **DISCORD).get_json()
    response = client.patch(
        fields_url(tournament_id, field["id"]), headers=owner.headers, json={"key": "other"}
    )
    assert "key" in assert_problem(response, 422, "validation_error")["errors"]


def test_type_is_locked_once_registrations_exist(app, client, owner, registrations_exist):
    tournament_id = make_tournament(app, owner.id, status="registration_open")
    field = add(client, owner, tournament_id, key="nick", label="Nick", type="text").get_json()
    registrations_exist.add(tournament_id)
    path = fields_url(tournament_id, field["id"])
    assert_problem(
        client.patch(path, headers=owner.headers, json={"type": "number"}), 409, "field_type_locked"
    )
    assert_problem(
        client.patch(path, headers=owner.headers, json={"required": True}),
        409,
        "registrations_exist",
    )
    assert_problem(
        add(client, owner, tournament_id, key="new", label="N", type="text", required=True),
        409,
        "registrations_exist",
    )
    # still allowed: labels, optional fields, the same type
    assert (
        client.patch(
            path, headers=owner.headers, json={"label": "Nickname", "type": "text"}
        ).status_code
        == 200
    )
    assert add(client, owner, tournament_id, key="opt", label="O", type="url").status_code == 201


def test_without_registrations_the_type_may_change(app, client, owner, registrations_exist):
    tournament_id = make_tournament(app, owner.id, status="registration_open")
    field = add(client, owner, tournament_id, key="nick", label="Nick", type="text").get_json()
    registrations_exist.add(tournament_id + 1000)  # some other tournament
    response = client.patch(
        fields_url(tournament_id, field["id"]), headers=owner.headers, json={"type": "number"}
    )
    assert response.status_code == 200


def test_the_registrations_hook_defaults_to_none(app_ctx):
    assert queries.has_registrations(1) is False


def test_field_permissions(app, client, owner, helper, stranger, staff):
    draft = make_tournament(app, owner.id)
    published = make_tournament(app, owner.id, status="published")
    assert_problem(client.post(fields_url(draft), json=DISCORD), 401)
    assert_problem(add(client, stranger, draft, **DISCORD), 404)
    assert_problem(add(client, stranger, published, **DISCORD), 403, "forbidden")
    assert add(client, staff, published, **DISCORD).status_code == 201
    client.post(
        f"/api/tournaments/{draft}/organizers/", json={"user": helper.id}, headers=owner.headers
    )
    created = add(client, helper, draft, **DISCORD).get_json()
    assert_problem(client.delete(fields_url(draft, created["id"]), headers=stranger.headers), 404)


def test_unknown_fields_are_404(app, client, owner):
    tournament_id = make_tournament(app, owner.id)
    other = make_tournament(app, owner.id)
    field = add(client, owner, other, **DISCORD).get_json()
    for path in (fields_url(tournament_id, 999_999), fields_url(tournament_id, field["id"])):
        assert_problem(
            client.patch(path, json={"label": "x"}, headers=owner.headers),
            404,
            "custom_field_not_found",
        )
        assert_problem(client.delete(path, headers=owner.headers), 404, "custom_field_not_found")


def test_fields_of_a_cancelled_tournament_do_not_change(app, client, owner):
    tournament_id = make_tournament(app, owner.id, status="cancelled")
    assert_problem(add(client, owner, tournament_id, **DISCORD), 409, "tournament_locked")


def test_stored_fields_validate_answers(app_ctx, owner, load):
    tournament = build_tournament(owner.id)
    actor = load(owner)
    for data in (
        dict(DISCORD),
        {"key": "age", "label": "Age", "type": "number", "min": 13},
        {"key": "born", "label": "Born", "type": "date", "max": "2012-12-31"},
    ):
        services.create_custom_field(tournament.id, actor=actor, data=data)
    db.session.expire_all()
    fields = queries.live_custom_fields(tournament.id)
    assert validate_answers(fields, {"discord": "neo#12", "age": "13", "born": "2001-01-01"}) == {
        "discord": "neo#12",
        "age": 13,
        "born": "2001-01-01",
    }


@pytest.mark.parametrize("regex", [r"(a)\1", r"(?=a)b", "(", "x" * 201])
def test_patterns_the_linear_engine_cannot_run_are_422_invalid_regex(app, client, owner, regex):
    tournament_id = make_tournament(app, owner.id)
    body = {"key": "nick", "label": "Nick", "type": "text", "regex": regex}
    problem = assert_problem(add(client, owner, tournament_id, **body), 422, "invalid_regex")
    assert "regex" in problem["errors"]


def test_invalid_regex_is_documented_on_custom_field_writes(client):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/tournaments/{tournament_id}/custom-fields/"]["post"]
    assert "invalid_regex" in str(operation["responses"]["422"])
