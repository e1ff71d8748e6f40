"""The documented operations, read once per test process from the OpenAPI document.

Probes parametrize over these at collection time, so every operation is its own test (and
xdist spreads them). The document comes from an app built here on an in-memory database: the
spec depends on the code only, never on the data.
"""

from __future__ import annotations

from functools import cache
from typing import Any

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@cache
def openapi_document() -> dict[str, Any]:
    from deltacrown.app import create_app

    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    return document


def operations() -> list[tuple[str, str]]:
    """(METHOD, path template) of every documented operation."""
    return [
        (method.upper(), path)
        for path, item in openapi_document()["paths"].items()
        for method in HTTP_METHODS
        if method in item
    ]


def operation(method: str, path: str) -> dict[str, Any]:
    document: dict[str, Any] = openapi_document()["paths"][path][method.lower()]
    return document


def json_body_schema(method: str, path: str) -> dict[str, Any] | None:
    """The (resolved one level) JSON request-body schema of an operation, if it takes one."""
    body = operation(method, path).get("requestBody")
    if not body:
        return None
    media = body.get("content", {}).get("application/json")
    if media is None:
        return None
    schema: dict[str, Any] = media.get("schema", {})
    ref = schema.get("$ref")
    if ref:
        schema = openapi_document()["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema
