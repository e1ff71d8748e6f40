"""Concurrent reports on PostgreSQL: one open report per reporter and subject holds under
simultaneous requests (the partial unique index decides; the losers get 409
`already_reported`, never a 500)."""

from __future__ import annotations

import pytest

from tests.teams.test_races import race  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres


def test_simultaneous_reports_of_one_subject_file_one(race):  # noqa: F811
    reporter, subject = race.player(), race.player()
    body = {"subject_type": "user", "subject_id": subject.id, "category": "spam"}
    results = race.fire([("POST", "/api/reports/", body, reporter)] * 4)
    assert sorted(status for status, _ in results) == [201, 409, 409, 409]
    assert {b["code"] for status, b in results if status == 409} == {"already_reported"}
    filed = race.scalar(
        "SELECT count(*) FROM moderation_reports WHERE reporter_id = :r", r=reporter.id
    )
    assert filed == 1
