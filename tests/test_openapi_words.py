"""The OpenAPI document speaks to API users: no planning words ("issue", "later", "TODO",
"XXX"), no names of internal modules; it names the server and describes every tag."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

PLANNING = re.compile(r"\b(issues?|later|todo|xxx|fixme|planned)\b", re.IGNORECASE)
# Python modules and packages of this code base, as they would leak into prose.
MODULES = re.compile(
    r"\bdeltacrown\.(?!dev\b)\w+"  # deltacrown.brackets... (the problem-type domain is fine)
    r"|\b\w+\.py\b"
    r"|\b[a-z_]+\.(services|queries|models|policies|presenters|receivers|rules|engine|store"
    r"|tasks|signals|errors|schemas|api)\b"
    r"|\b(engine|services|queries|policies|presenters|receivers)\b",
    re.IGNORECASE,
)
TEXT_KEYS = ("summary", "description", "title")


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/openapi.json").get_json()


def prose(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every summary, description and title in the document, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and isinstance(value, str):
                yield f"{where}/{key}", value
            else:
                yield from prose(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from prose(value, f"{where}/{index}")


def offenders(spec: dict[str, Any], pattern: re.Pattern[str]) -> list[str]:
    return [
        f"{where}: {match.group(0)!r} in {text!r}"
        for where, text in prose(spec)
        for match in [pattern.search(text)]
        if match
    ]


def test_the_word_checks_catch_what_they_are_meant_for():
    assert PLANNING.search("which the match-lifecycle issue completes")
    assert PLANNING.search("TODO: paginate") and PLANNING.search("filled in later")
    assert MODULES.search("see brackets.services for details")
    assert MODULES.search("the engine's preview") and MODULES.search("deltacrown.core.api")
    assert not MODULES.search("https://deltacrown.dev/problems/not-found")
    assert not PLANNING.search("Registration opens at the scheduled time")


def test_the_document_has_no_planning_words(spec):
    assert offenders(spec, PLANNING) == []


def test_the_document_names_no_internal_modules(spec):
    assert offenders(spec, MODULES) == []


def test_the_document_names_its_server(spec):
    assert spec["servers"] and all(server.get("description") for server in spec["servers"])
    assert spec["servers"][0]["url"] == "/"


def test_every_tag_in_use_is_described(spec):
    described = {tag["name"]: tag.get("description") for tag in spec.get("tags", [])}
    used = {
        tag
        for item in spec["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }
    assert used and all(described.get(tag) for tag in used), sorted(
        tag for tag in used if not described.get(tag)
    )
