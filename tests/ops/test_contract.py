"""The committed API contract (docs/api/openapi.json, docs/api/catalog.md) is what the app
serves; a change to it is deliberate: refreshed by one command, breaking changes listed."""

from __future__ import annotations

import copy

import pytest

from deltacrown.core import contract


def refresh_hint(changes: list[str]) -> str:
    hint = f"the committed API contract is stale: run `{contract.REFRESH_COMMAND}`"
    if changes:
        hint += " and note these breaking changes in CHANGELOG.md:\n  " + "\n  ".join(changes)
    return hint


def test_the_committed_openapi_document_is_the_apps(app):
    committed = contract.committed_document()
    with app.app_context():
        current = contract.current_document()
    assert committed is not None, refresh_hint([])
    assert committed == current, refresh_hint(contract.breaking_changes(committed, current))


def test_the_committed_catalogue_is_the_apps(app):
    with app.app_context():
        current = contract.current_catalog(app)
    assert contract.CATALOG_PATH.read_text() == current, refresh_hint([])


def test_the_catalogue_lists_every_operation_and_websocket_message(app):
    text = contract.CATALOG_PATH.read_text()
    document = contract.committed_document() or {}
    for path, item in document["paths"].items():
        for method in set(item) & set(contract.HTTP_METHODS):
            assert f"| {method.upper()} | `{path}` |" in text, (method, path)
    for message in ("match.score_updated", "tournament.state_changed", "resume", "score.update"):
        assert f"| `{message}` |" in text
    assert "| `/ws/matches/<int:match_id>` |" in text


BASE = {
    "paths": {
        "/api/things/": {
            "get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Thing"}}}}}},
            "post": {"requestBody": {"content": {"application/json": {
                "schema": {"type": "object", "required": ["name"],
                           "properties": {"name": {}, "size": {}}}}}},
                     "responses": {"201": {}}},
        },
        "/api/other/": {"delete": {"responses": {"204": {}}}},
    },
    "components": {"schemas": {"Thing": {"type": "object", "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "owner": {"type": "object", "properties": {"name": {"type": "string"}}},
    }}}},
}  # fmt: skip


def test_an_unchanged_or_extended_document_breaks_nothing():
    extended = copy.deepcopy(BASE)
    extended["paths"]["/api/new/"] = {"get": {"responses": {"200": {}}}}
    thing = extended["components"]["schemas"]["Thing"]
    thing["properties"]["extra"] = {"type": "string"}
    thing["properties"]["status"]["enum"].append("archived")
    assert contract.breaking_changes(BASE, copy.deepcopy(BASE)) == []
    assert contract.breaking_changes(BASE, extended) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["paths"].pop("/api/other/"), "DELETE /api/other/: operation removed"),
        (lambda d: d["components"]["schemas"]["Thing"]["properties"].pop("id"),
         "GET /api/things/ 200: field 'id' removed"),
        (lambda d: d["components"]["schemas"]["Thing"]["properties"]["owner"]["properties"]
         .pop("name"), "GET /api/things/ 200.owner: field 'name' removed"),
        (lambda d: d["components"]["schemas"]["Thing"]["properties"]["status"]["enum"]
         .remove("closed"), "GET /api/things/ 200.status: enum value 'closed' removed"),
        (lambda d: d["paths"]["/api/things/"]["post"]["requestBody"]["content"][
            "application/json"]["schema"]["required"].append("size"),
         "POST /api/things/: request field 'size' now required"),
    ],
)  # fmt: skip
def test_a_breaking_change_is_named(change, expected):
    changed = copy.deepcopy(BASE)
    change(changed)
    assert contract.breaking_changes(BASE, changed) == [expected]


def test_the_breaking_command_compares_against_the_committed_document(app):
    result = app.test_cli_runner().invoke(args=["openapi", "breaking"])
    assert result.exit_code == 0, result.output
    assert "no breaking change" in result.output
