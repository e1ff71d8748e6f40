"""Strict inputs: out-of-range ids, non-integers, control characters, deep JSON, non-object
bodies and chunked bodies are clear 4xx problems on every endpoint, never a 500."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from deltacrown.core.inputs import INT32_MAX, json_too_deep
from tests.helpers import assert_problem

HUGE = 2**63  # overflows SQLite's INTEGER
BIG = 2**31  # overflows PostgreSQL's INTEGER


def _spec(client: Any) -> dict[str, Any]:
    return client.get("/api/openapi.json").get_json()


@pytest.mark.parametrize("value", [BIG, HUGE, 10**30])
def test_path_id_out_of_range_is_404(client, value):
    assert_problem(client.get(f"/api/tournaments/{value}/"), 404, "not_found")
    assert_problem(client.get(f"/api/users/{value}/"), 404, "not_found")


def test_path_id_at_the_top_of_the_range_is_an_ordinary_404(client):
    assert_problem(client.get(f"/api/tournaments/{INT32_MAX}/"), 404)


def test_path_ids_document_their_maximum(client):
    params = _spec(client)["paths"]["/api/tournaments/{tournament_id}/"]["parameters"]
    schema = next(p["schema"] for p in params if p["name"] == "tournament_id")
    assert schema["maximum"] == INT32_MAX


def test_websocket_on_an_out_of_range_id_is_refused_at_the_handshake(client):
    upgrade = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
    }
    assert_problem(client.get(f"/ws/matches/{HUGE}", headers=upgrade), 404)
    assert_problem(client.get(f"/ws/tournaments/{BIG}", headers=upgrade), 404)


@pytest.mark.parametrize("page", [str(HUGE), str(BIG), "1.5", "x"])
def test_page_out_of_range_is_422_on_every_paginated_list(client, user, page):
    lists = [
        path
        for path, item in _spec(client)["paths"].items()
        if "{" not in path
        and any(p.get("name") == "page" for p in item.get("get", {}).get("parameters", []))
    ]
    assert len(lists) >= 10
    for path in lists:
        response = client.get(f"{path}?page={page}", headers=user.headers)
        assert response.status_code in (422, 403), (path, response.status_code)
        assert response.mimetype == "application/problem+json"


def test_page_parameter_documents_its_maximum(client):
    params = _spec(client)["paths"]["/api/tournaments/"]["get"]["parameters"]
    page = next(p for p in params if p["name"] == "page")
    assert page["schema"]["maximum"] == INT32_MAX


def test_integer_query_arguments_are_still_read_from_text(client, user):
    response = client.get("/api/tournaments/?page=1&page_size=5")
    assert response.status_code == 200
    assert json.loads(response.headers["X-Pagination"])["total"] >= 0


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/shop/purchases/", {"item": HUGE}),
        ("/api/shop/purchases/", {"item": str(HUGE)}),
        ("/api/tournaments/from-template/", {"template": BIG, "name": "Cup", "start_at": "x"}),
        ("/api/tournament-templates/", {"name": "T", "from_tournament": HUGE}),
        ("/api/tournaments/", {"name": "Cup", "game": HUGE}),
    ],
)
def test_body_id_out_of_range_is_422(client, user, path, body):
    body = assert_problem(client.post(path, json=body, headers=user.headers), 422)
    assert body["errors"]


def test_fractional_and_string_integers_are_refused(client, staff, user):
    url = f"/api/admin/wallets/{user.id}/adjust/"
    for amount in (1.5, "5", 5.0, True):
        response = client.post(url, json={"amount": amount, "reason": "x"}, headers=staff.headers)
        body = assert_problem(response, 422, "validation_error")
        assert "amount" in body["errors"], amount
    response = client.post("/api/shop/purchases/", json={"item": 1, "quantity": "5"},
                           headers=user.headers)  # fmt: skip
    assert "quantity" in assert_problem(response, 422)["errors"]


def test_integers_inside_lists_are_strict_too(client, user):
    response = client.post(
        "/api/admin/promo-codes/",
        json={"code": "X1", "kind": "percent", "value": 5, "items": ["1"]},
        headers=user.headers,
    )
    assert response.status_code in (403, 422)  # not staff; the body is refused either way


@pytest.mark.parametrize("bad", ["\x00", "a\x00b", "\x1b[31m", "\x7f", "\ud800"])
def test_control_characters_in_strings_are_422(client, bad):
    response = client.post("/api/auth/login/", json={"login": bad, "password": "x"})
    assert "login" in assert_problem(response, 422, "validation_error")["errors"]
    response = client.post(
        "/api/auth/register/",
        json={"username": "someone", "email": f"a{bad}@example.test", "password": "p" * 12},
    )
    assert "email" in assert_problem(response, 422)["errors"]


def test_control_characters_in_nested_values_and_keys_are_422(client, user):
    response = client.patch(
        "/api/auth/me/", json={"display_name": "ok", "country": "BD\x00"}, headers=user.headers
    )
    assert "country" in assert_problem(response, 422)["errors"]


def test_tabs_and_line_breaks_are_allowed(client, user):
    response = client.patch("/api/auth/me/", json={"display_name": "a\tb"}, headers=user.headers)
    assert response.status_code == 200, response.get_json()


def test_control_characters_in_query_arguments_are_422(client, user):
    assert_problem(client.get("/api/users/?search=%00", headers=user.headers), 422)
    assert_problem(client.get("/api/tournaments/?search=a%00b"), 422)


@pytest.mark.parametrize(
    "start",
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1899-12-31T23:59:59Z"],
)
def test_datetimes_beyond_the_supported_years_are_422_not_an_overflow(client, start):
    body = assert_problem(client.get("/api/tournaments/", query_string={"start_from": start}), 422)
    assert body["errors"]["start_from"] == ["Must be in the years 1900 to 9998."]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_dates_beyond_the_supported_years_are_422_where_a_day_is_added(client, staff, day):
    response = client.get("/api/admin/analytics/platform/", query_string={"to": day},
                          headers=staff.headers)  # fmt: skip
    assert_problem(response, 422)


def test_datetimes_in_a_body_beyond_the_supported_years_are_422(client, staff):
    response = client.post("/api/admin/promo-codes/", headers=staff.headers,
                           json={"code": "EDGE", "valid_from": "0001-01-01T00:00:00+14:00"})  # fmt: skip
    body = assert_problem(response, 422)
    assert body["errors"]["valid_from"] == ["Must be in the years 1900 to 9998."]


def test_the_first_and_last_supported_years_are_accepted(client, staff):
    for start in ("1900-01-01T00:00:00+14:00", "9998-12-31T23:59:59-14:00"):
        response = client.get("/api/tournaments/", query_string={"start_from": start})
        assert response.status_code == 200, response.get_json()
    response = client.get("/api/admin/analytics/platform/", query_string={"to": "9998-12-31"},
                          headers=staff.headers)  # fmt: skip
    assert response.status_code == 200, response.get_json()


def _nested(depth: int) -> bytes:
    return b'{"login": ' + b"[" * (depth - 1) + b"1" + b"]" * (depth - 1) + b"}"


def test_deeply_nested_json_is_400_before_parsing(client):
    for depth in (33, 1000, 100_000):
        response = client.post("/api/auth/login/", data=_nested(depth),
                               content_type="application/json")  # fmt: skip
        assert_problem(response, 400, "json_too_deep")
    unclosed = b"[" * 100_000
    response = client.post("/api/auth/login/", data=unclosed, content_type="application/json")
    assert_problem(response, 400)


def test_json_nested_32_deep_reaches_validation(client):
    response = client.post("/api/auth/login/", data=_nested(32), content_type="application/json")
    assert_problem(response, 422, "validation_error")


def test_depth_scan_ignores_brackets_inside_strings():
    assert not json_too_deep(json.dumps({"a": "[" * 500, "b": ["{" * 50]}).encode())
    assert not json_too_deep(json.dumps({"a": '\\"[[[' * 100}).encode())
    assert json_too_deep(json.dumps([[[["x"]]]] * 3), limit=3)


@pytest.mark.parametrize("body", [[1], [], "text", 5, None])
def test_a_json_body_that_is_no_object_is_422(make_limited_app, body):
    app = make_limited_app()
    response = app.test_client().post("/api/auth/login/", data=json.dumps(body),
                                      content_type="application/json")  # fmt: skip
    assert_problem(response, 422)


def _chunked(client: Any, path: str, payload: bytes) -> Any:
    return client.post(
        path,
        input_stream=io.BytesIO(payload),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_chunked_json_body_over_the_limit_is_413(client):
    payload = b'{"login": "' + b"x" * (2 * 1024 * 1024) + b'", "password": "x"}'
    assert_problem(_chunked(client, "/api/auth/login/", payload), 413, "payload_too_large")


def test_chunked_json_body_within_the_limit_is_read(client):
    payload = json.dumps({"login": "nobody", "password": "wrong-password"}).encode()
    assert_problem(_chunked(client, "/api/auth/login/", payload), 401, "invalid_credentials")


def test_making_a_schema_again_and_again_adds_no_validators_to_its_fields():
    """webargs makes the argument schema afresh for every request; marshmallow's field copies
    share their validator lists with the class's fields, so hardening must not append to
    them (it did: a list endpoint gained one validator per field per request)."""
    import marshmallow as ma
    from webargs.fields import DelimitedList

    from deltacrown.core.api import BaseSchema

    class Args(BaseSchema):
        count = ma.fields.Integer(validate=ma.validate.Range(min=0))
        ids = DelimitedList(ma.fields.Integer())
        pairs = ma.fields.List(ma.fields.Tuple((ma.fields.Integer(), ma.fields.String())))
        scores = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())

    def validator_counts() -> list[int]:
        schema = Args()
        fields = schema.fields
        return [
            len(fields["count"].validators),
            len(fields["ids"].inner.validators),
            len(fields["pairs"].inner.tuple_fields[0].validators),
            len(fields["scores"].value_field.validators),
        ]

    first = validator_counts()
    for _ in range(20):
        assert validator_counts() == first
    assert Args().load({"count": 3}) == {"count": 3}
    with pytest.raises(ma.ValidationError):
        Args().load({"count": 2**40})  # still bounded
