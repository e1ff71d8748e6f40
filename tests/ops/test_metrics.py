"""Metrics appear after real requests, tasks and domain events, with their names and labels."""

from __future__ import annotations

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from deltacrown.core import metrics, signals
from deltacrown.core.task_metrics import PUBLISHED_AT_HEADER, on_before_publish


def value(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def scraped(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_requests_are_counted_by_route_template_method_and_status_class(client):
    ok = {"method": "GET", "route": "/healthz", "status": "2xx"}
    missing = {"method": "GET", "route": "/api/tournaments/<int:tournament_id>/", "status": "4xx"}
    before_ok = value("deltacrown_http_requests_total", **ok)
    before_missing = value("deltacrown_http_requests_total", **missing)
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/tournaments/999999/").status_code == 404
    assert value("deltacrown_http_requests_total", **ok) == before_ok + 2
    assert value("deltacrown_http_requests_total", **missing) == before_missing + 1


def test_a_url_matching_no_route_is_one_series_whatever_the_path(client):
    labels = {"method": "GET", "route": metrics.UNMATCHED_ROUTE, "status": "4xx"}
    before = value("deltacrown_http_requests_total", **labels)
    client.get("/no/such/page-1")
    client.get("/no/such/page-2")
    assert value("deltacrown_http_requests_total", **labels) == before + 2


def test_latency_is_a_histogram_per_route_in_the_scrape(client):
    client.get("/healthz")
    samples = scraped(client)
    key = (("method", "GET"), ("route", "/healthz"))
    count = samples[("deltacrown_http_request_duration_seconds_count", key)]
    bucket = tuple(sorted((*key, ("le", "+Inf"))))
    infinite = samples[("deltacrown_http_request_duration_seconds_bucket", bucket)]
    assert count >= 1 and infinite == count


def test_task_runs_failures_and_duration_are_counted_by_task(app: Flask):
    celery_app = app.extensions["celery"]

    @celery_app.task(name="tests.ops.failing")
    def failing() -> None:
        raise ValueError("boom")

    heartbeat = celery_app.tasks["core.beat_heartbeat"]
    runs = "deltacrown_celery_task_runs_total"
    before_ok = value(runs, task="core.beat_heartbeat", state="SUCCESS")
    before_failed = value(runs, task="tests.ops.failing", state="FAILURE")
    before_count = value(
        "deltacrown_celery_task_duration_seconds_count", task="core.beat_heartbeat"
    )

    result = heartbeat.apply()
    assert failing.apply(throw=False).state == "FAILURE"

    assert value(runs, task="core.beat_heartbeat", state="SUCCESS") == before_ok + 1
    assert value(runs, task="tests.ops.failing", state="FAILURE") == before_failed + 1
    assert (
        value("deltacrown_celery_task_duration_seconds_count", task="core.beat_heartbeat")
        == before_count + 1
    )
    assert value("deltacrown_beat_heartbeat_timestamp_seconds") == result.result
    assert (
        value("deltacrown_celery_task_last_success_timestamp_seconds", task="core.beat_heartbeat")
        >= result.result
    )


def test_published_messages_carry_their_publication_time():
    headers: dict[str, object] = {"task": "x"}
    on_before_publish(headers=headers)
    assert isinstance(headers[PUBLISHED_AT_HEADER], float)


@pytest.mark.parametrize(
    ("signal", "payload", "sample", "labels"),
    [
        (signals.registration_created, {"status": "confirmed"}, "deltacrown_registrations_total",
         {"status": "confirmed"}),
        (signals.match_completed, {}, "deltacrown_matches_completed_total", {}),
        (signals.dispute_opened, {}, "deltacrown_disputes_opened_total", {}),
        (signals.payout_paid, {}, "deltacrown_payouts_total", {"outcome": "paid"}),
        (signals.payout_failed, {}, "deltacrown_payouts_total", {"outcome": "failed"}),
    ],
)  # fmt: skip
def test_domain_signals_are_counted(app, signal, payload, sample, labels):
    from deltacrown.core import domain_metrics

    # Other domains react to these signals too (with real ids); only the counter is sent
    # this test's payload, after checking that the wiring connected it.
    counters = [
        r
        for r in signal.receivers_for("tests")
        if getattr(r, "__module__", "") == domain_metrics.__name__
    ]
    assert len(counters) == 1
    before = value(sample, **labels)
    counters[0]("tests", **payload)
    assert value(sample, **labels) == before + 1


def test_the_ledger_check_reports_its_mismatches(app_ctx):
    from deltacrown.economy.tasks import verify_ledger

    assert verify_ledger() == 0
    assert value("deltacrown_ledger_mismatches") == 0
    assert value("deltacrown_ledger_verified_timestamp_seconds") > 0


def test_readiness_reports_each_checks_latency_and_records_it(client):
    body = client.get("/readiness").get_json()
    assert set(body["latency_ms"]) == set(body["checks"]) >= {"database"}
    assert all(ms >= 0 for ms in body["latency_ms"].values())
    assert value("deltacrown_readiness_check_ok", check="database") == 1


@pytest.mark.parametrize(
    ("broker", "status", "outcome"),
    [("memory://", "ok", "ok"), ("redis://127.0.0.1:1/0", "degraded", "failed: OperationalError")],
)
def test_readiness_checks_the_broker_and_a_failing_one_degrades(
    app, client, monkeypatch, broker, status, outcome
):
    from celery import Celery

    monkeypatch.setitem(app.config, "CELERY_BROKER_URL", broker)
    monkeypatch.setitem(app.extensions, "celery", Celery("readiness-test", broker=broker))
    response = client.get("/readiness")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == status
    assert body["checks"]["broker"] == outcome
    assert "broker" in body["latency_ms"]
    assert value("deltacrown_readiness_check_ok", check="broker") == (status == "ok")
