"""Requests for the authorization matrix: a URL for an operation of the URL map in the probes'
world, and a body the operation's schema accepts (so authorization, not validation, answers)."""

from __future__ import annotations

import re
import warnings
from typing import Any

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample

from tests.probes.openapi_ops import openapi_document

# Which world id fills a path parameter, by (rule, parameter) first, then by parameter.
PARAMETER_OVERRIDES = {
    ("/api/teams/<int:team_id>/members/<int:user_id>/", "user_id"): "member_id",
    ("/api/tournaments/<int:tournament_id>/organizers/<int:user_id>/", "user_id"): "co_organizer",
}
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# Query strings for operations whose required query parameters name what they read.
QUERIES = {
    "/api/leaderboards/": "?game=valorant",
    "/api/leaderboards/rank/": "?game=valorant&user=<int:user_id>",
    "/api/admin/leaderboards/breakdown/": "?game=valorant&user=<int:user_id>",
}


def url_for_rule(rule: str, world: Any) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(2)
        key = PARAMETER_OVERRIDES.get((rule, name), name)
        if key in world.users:
            return str(world.users[key].id)
        if key in world.strings:
            return world.strings[key]
        return str(world.ids[key])

    return _PARAM.sub(fill, rule) + _PARAM.sub(fill, QUERIES.get(rule, ""))


def openapi_path(rule: str) -> str:
    return _PARAM.sub(lambda match: "{" + match.group(2) + "}", rule)


_bodies: dict[tuple[str, str], Any] = {}


def minimal_body(method: str, rule: str) -> Any:
    """The simplest JSON body the documented schema accepts (derandomized), or None."""
    key = (method, rule)
    if key not in _bodies:
        _bodies[key] = _find_body(method, openapi_path(rule))
    return _bodies[key]


def _find_body(method: str, path: str) -> Any:
    import schemathesis

    item = openapi_document()["paths"].get(path, {}).get(method.lower())
    if not item or "application/json" not in item.get("requestBody", {}).get("content", {}):
        return None
    schema = _schema()
    operation = schema[path][method]
    strategy = operation.as_strategy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            case = find(
                strategy,
                lambda case: True,
                settings=settings(
                    database=None,
                    derandomize=True,
                    phases=[Phase.generate, Phase.shrink],
                    suppress_health_check=list(HealthCheck),
                    max_examples=20,
                ),
            )
        except NoSuchExample:  # pragma: no cover - every documented body has an example
            return None
    del schemathesis
    return case.body if isinstance(case.body, dict | list) else None


_schema_cache: list[Any] = []


def _schema() -> Any:
    import schemathesis

    if not _schema_cache:
        _schema_cache.append(schemathesis.openapi.from_dict(openapi_document()))
    return _schema_cache[0]
