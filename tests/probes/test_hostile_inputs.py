"""Hostile inputs against every JSON endpoint of the OpenAPI document: no answer is a 5xx.

Each operation that takes a JSON body gets, as a staff user (who passes most authorization, so
the input reaches the deepest code): bodies of the wrong shape (`[1]`, a string, null, deep
nesting), and its own fields filled with SQL-looking strings, unicode, NUL and control
characters, huge and negative numbers, floats and strings where integers belong. Path ids are
those of a real tournament world where the operation names one, and an out-of-range id too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.probes.matrix_support import url_for_rule
from tests.probes.openapi_ops import json_body_schema, operation, operations

DEEP = 2000
JSON = "application/json"
SCALARS: list[Any] = [
    "' OR '1'='1' --",
    '" UNION SELECT password_hash FROM users; DROP TABLE users; --',
    "ﾟ･✿ヾ(｡◕‿◕｡) ‮rtl‬ 𝕯𝖊𝖑𝖙𝖆 👑",
    "a\x00b",
    "\x1b[31m\r\n\t",
    "x" * 20_000,
    2**31,
    2**63,
    -(2**63) - 1,
    1.5,
    1e308,
    "5",
    None,
    [1],
]
SHAPES: list[Any] = [[1], "text", None, 0, [], [{}], {"": None}]
# Valid dates and times at the calendar's ends, where a day or a time zone more overflows.
EXTREMES = {
    "date": ["0001-01-01", "9999-12-31"],
    "date-time": ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"],
}
# Query values by the parameter's declared type (strings for any other type).
QUERY_VALUES = {
    "integer": ["-9223372036854775809", "1e308"],
    "boolean": ["maybe"],
    "string": ["\x00", "%_\\"],
}
QUERY_CHUNKS = 2
# The body probe in as many parts, each with its own world, so the test run's workers share it.
BODY_CHUNKS = 2


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def json_operations() -> list[tuple[str, str]]:
    return [(m, p) for m, p in operations() if json_body_schema(m, p) is not None]


def flask_rule(path: str) -> str:
    return path.replace("{", "<").replace("}", ">")


def _with_converters(path: str) -> str:
    """The URL-map spelling of a documented path (`{id}` → `<int:id>`, `{game_ref}` kept)."""
    out = path
    for piece in path.split("/"):
        if piece.startswith("{"):
            name = piece[1:-1]
            converter = "" if name == "game_ref" else "int:"
            out = out.replace(piece, f"<{converter}{name}>")
    return out


def _status(client: Any, method: str, url: str, headers: dict[str, str], **kwargs: Any) -> Any:
    """The answer's status and the start of its body; an exception escaping the app (the test
    app propagates them) counts as the 500 it would be."""
    try:
        response = client.open(url, method=method, headers=headers, **kwargs)
    except Exception as exc:  # noqa: BLE001 - every escape is a finding
        return 500, f"{type(exc).__name__}: {str(exc)[:160]}"
    return response.status_code, response.get_data()[:160]


def hostile_requests(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(label, request kwargs) for one operation's body schema."""
    requests: list[tuple[str, dict[str, Any]]] = [
        (f"body {shape!r}", {"json": shape}) for shape in SHAPES
    ]
    for opener, closer in (("[", "]"), ('{"a":', "}")):
        raw = opener * DEEP + "1" + closer * DEEP
        requests.append((f"nested {opener}x{DEEP}", {"data": raw, "content_type": JSON}))
    first = next(iter(schema.get("properties", {})), "a")
    deep = json.dumps({first: "X"}).replace('"X"', nested(DEEP))
    requests.append((f"{first}=nested x{DEEP}", {"data": deep, "content_type": JSON}))
    properties = schema.get("properties", {})
    for field, spec in properties.items():
        for value in SCALARS:
            if could_pass(spec, value):  # may reach past validation: one field at a time
                requests.append((f"{field}={value!r:.40}", {"json": {field: value}}))
    for field, spec in properties.items():
        for value in EXTREMES.get(spec.get("format", ""), []):
            requests.append((f"{field}={value!r}", {"json": {field: value}}))
    for value in SCALARS:  # refused by type: every field at once, each one is still checked
        wrong = {f: value for f, spec in properties.items() if not could_pass(spec, value)}
        if wrong:
            requests.append((f"{sorted(wrong)}={value!r:.40}", {"json": wrong}))
    return requests


def json_types(spec: dict[str, Any]) -> set[str] | None:
    """The JSON types a property's schema declares (None: not declared, anything may pass)."""
    declared = spec.get("type")
    if declared is None:
        return None
    return {declared} if isinstance(declared, str) else set(declared)


def could_pass(spec: dict[str, Any], value: Any) -> bool:
    """Whether `value` has a JSON type the property accepts, so it may get past validation."""
    types = json_types(spec)
    if types is None:
        return True
    if value is None:
        return "null" in types
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return bool(types & {"integer", "number"})
    if isinstance(value, float):
        return "number" in types
    if isinstance(value, str):
        return "string" in types
    return "array" in types


@pytest.mark.parametrize("chunk", range(BODY_CHUNKS))
def test_hostile_json_bodies_never_answer_5xx(client: Any, world: Any, chunk: int) -> None:
    staff = world.headers("staff")
    failures = []
    for method, path in json_operations()[chunk::BODY_CHUNKS]:
        url = url_for_rule(_with_converters(path), world)
        for label, kwargs in hostile_requests(json_body_schema(method, path) or {}):
            status, body = _status(client, method, url, staff, **kwargs)
            if status >= 500:
                failures.append(f"{method} {path} {label}: {status} {body!r}")
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


def query_values(spec: dict[str, Any]) -> list[str]:
    """Hostile values for one query parameter, by its documented type and format."""
    if spec.get("format") in EXTREMES:
        return EXTREMES[spec["format"]]
    return QUERY_VALUES.get(spec.get("type") or "string", QUERY_VALUES["string"])


@pytest.mark.parametrize("chunk", range(QUERY_CHUNKS))
def test_hostile_query_parameters_never_answer_5xx(client: Any, world: Any, chunk: int) -> None:
    staff = world.headers("staff")
    failures = []
    for method, path in operations()[chunk::QUERY_CHUNKS]:
        url = url_for_rule(_with_converters(path), world).partition("?")[0]
        for parameter in operation(method, path).get("parameters", []):
            if parameter.get("in") != "query":
                continue
            for value in query_values(parameter.get("schema", {})):
                query = {parameter["name"]: value}
                status, body = _status(client, method, url, staff, query_string=query)
                if status >= 500:
                    failures.append(
                        f"{method} {path}?{parameter['name']}={value!r:.40}: {status} {body!r}"
                    )
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


@pytest.mark.parametrize(
    ("value", "spec", "passes"),
    [
        ("x", {"type": "string"}, True),
        (5, {"type": "string"}, False),
        (5, {"type": ["integer", "null"]}, True),
        (None, {"type": ["integer", "null"]}, True),
        (None, {"type": "integer"}, False),
        (1.5, {"type": "integer"}, False),
        ([1], {"type": "array"}, True),
        ("x", {"$ref": "#/components/schemas/Anything"}, True),
    ],
)
def test_a_value_is_sent_alone_only_where_its_type_could_pass(
    value: Any, spec: dict[str, Any], passes: bool
) -> None:
    assert could_pass(spec, value) is passes


@pytest.mark.parametrize("value", ["9223372036854775808", "99999999999999999999", "-1", "0"])
def test_out_of_range_path_ids_and_pages_never_answer_5xx(
    client: Any, staff: Any, value: str
) -> None:
    failures = []
    for method, path in operations():
        if method != "GET":
            continue
        url = path
        for piece in path.split("/"):
            if piece.startswith("{"):
                url = url.replace(piece, value)
        status, body = _status(client, "GET", url, staff.headers, query_string={"page": value})
        if status >= 500:
            failures.append(f"GET {url}?page={value}: {status} {body!r}")
    assert not failures, "\n".join(failures)
