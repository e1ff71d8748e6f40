"""GET /api/organizer/tournaments/{id}/health/: the figures and issues on the seeded scenario,
and the tournaments domain's visibility rules (invisible → 404, visible but not yours → 403)."""

from __future__ import annotations

from datetime import timedelta

from tests.helpers import assert_problem


def health(client, user, tournament_id):
    headers = user.headers if user else {}
    return client.get(f"/api/organizer/tournaments/{tournament_id}/health/", headers=headers)


def test_alpha_health_counts_payments_check_in_and_flags_the_late_payment(client, scenario):
    response = health(client, scenario.org, scenario.ids["alpha"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["tournament"]["name"] == "Alpha"
    assert body["registrations"] == {
        "by_status": {
            "pending": 2,
            "confirmed": 2,
            "rejected": 0,
            "cancelled": 1,
            "waitlisted": 0,
            "no_show": 0,
        },
        "held": 4,
        "capacity": 8,
        "fill_rate": 0.5,
    }
    # Only p3's submission awaits verification (p4's was rejected): 30 hours old.
    oldest = (scenario.now - timedelta(hours=30)).isoformat().replace("+00:00", "Z")
    assert body["pending_payments"] == {
        "count": 1,
        "oldest_submitted_at": oldest,
        "oldest_age_seconds": 30 * 3600,
    }
    assert body["awaiting_payment"] == 1
    assert body["check_in"] == {"checked_in": 1, "expected": 2, "rate": 0.5}
    assert body["no_shows"] == 0
    # Matches do not exist yet: no disputes, nothing overdue, no completion rate.
    assert (body["open_disputes"], body["matches_overdue"], body["completion_rate"]) == (0, 0, None)
    assert body["issues"] == [
        {
            "code": "payments_awaiting_verification",
            "severity": "critical",
            "message": "1 manual payment(s) await verification; the oldest for 30 hours.",
        }
    ]


def test_foxtrot_health_flags_too_few_participants_and_no_shows(client, scenario):
    body = health(client, scenario.org, scenario.ids["foxtrot"]).get_json()
    assert body["registrations"]["held"] == 1
    assert body["registrations"]["by_status"]["waitlisted"] == 1
    assert body["check_in"] == {"checked_in": 0, "expected": 2, "rate": 0.0}
    assert body["no_shows"] == 1
    assert [(i["code"], i["severity"]) for i in body["issues"]] == [
        ("below_minimum_participants", "critical"),
        ("no_shows", "info"),
    ]


def test_a_tournament_without_registrations_has_no_rates(client, scenario):
    body = health(client, scenario.org, scenario.ids["charlie"]).get_json()
    assert body["registrations"]["held"] == 0
    assert body["check_in"] == {"checked_in": 0, "expected": 0, "rate": None}
    assert body["pending_payments"]["oldest_age_seconds"] is None
    # A draft starting in 5 days should be published.
    assert [i["code"] for i in body["issues"]] == ["draft_starts_soon"]


def test_the_payment_issue_is_a_warning_while_young(client, scenario, frozen, headers_now):
    frozen.shift(timedelta(hours=-10))  # back when p3's payment was 20 hours old
    response = client.get(
        f"/api/organizer/tournaments/{scenario.ids['alpha']}/health/",
        headers=headers_now(scenario.org),
    )
    issues = response.get_json()["issues"]
    assert [(i["code"], i["severity"]) for i in issues] == [
        ("payments_awaiting_verification", "warning")
    ]


def test_co_organizers_and_staff_see_health(client, scenario, staff):
    assert health(client, scenario.org, scenario.ids["bravo"]).status_code == 200
    assert health(client, scenario.rival, scenario.ids["bravo"]).status_code == 200
    assert health(client, staff, scenario.ids["alpha"]).status_code == 200


def test_strangers_get_404_for_what_they_cannot_see_and_403_for_the_rest(client, scenario):
    # Charlie is a draft: invisible to the rival.
    assert_problem(
        health(client, scenario.rival, scenario.ids["charlie"]), 404, "tournament_not_found"
    )
    assert_problem(health(client, scenario.rival, 999_999), 404, "tournament_not_found")
    # Alpha is public: visible, but not theirs.
    assert_problem(health(client, scenario.rival, scenario.ids["alpha"]), 403, "forbidden")
    assert_problem(health(client, None, scenario.ids["alpha"]), 401, "authentication_required")
