"""Every problem code in the OpenAPI document is spelled one way: no two codes differ only by
underscores (`checkin` / `check_in`) or by a plural `s` (`registration` / `registrations`)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

CODE = re.compile(r"`([a-z][a-z0-9_]*)`")


@pytest.fixture(scope="module")
def codes(app):
    spec = app.test_client().get("/api/openapi.json").get_json()
    found: set[str] = set()
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                description = response.get("description", "") if isinstance(response, dict) else ""
                if "Codes:" in description:
                    found.update(CODE.findall(description.split("Codes:", 1)[1]))
    return found


def spelling_key(code: str) -> str:
    """What is left of a code once underscores and plural endings no longer count."""
    return "".join(re.sub(r"(?<=[a-z]{3})e?s$", "", word) for word in code.split("_"))


def test_the_document_lists_the_problem_codes(codes):
    assert {"validation_error", "tournament_not_found", "check_in_not_open"} <= codes


def test_the_spelling_key_catches_the_near_duplicates_it_is_meant_for():
    assert spelling_key("checkin_not_open") == spelling_key("check_in_not_open")
    assert spelling_key("registrations_exist") == spelling_key("registration_exists")
    assert spelling_key("match_not_found") == spelling_key("matches_not_found")
    assert spelling_key("match_not_found") != spelling_key("team_not_found")


def test_no_two_problem_codes_are_near_duplicates(codes):
    families: dict[str, set[str]] = defaultdict(set)
    for code in codes:
        families[spelling_key(code)].add(code)
    collisions = sorted(sorted(group) for group in families.values() if len(group) > 1)
    assert collisions == []
