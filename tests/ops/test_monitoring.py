"""The alert rules and the Grafana dashboard use only metrics the app exposes, every alert
points at a runbook section that exists and has a unit test. `promtool check rules` and
`promtool test rules` run in .ci/run (step 3)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from deltacrown.core import metrics, outbox_relay, task_metrics

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "docs" / "monitoring"
METRIC = re.compile(r"\bdeltacrown_[a-z0-9_]+")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}


def exposed_names() -> set[str]:
    names = {task_metrics.BROKER_UP, task_metrics.QUEUE_DEPTH, task_metrics.QUEUE_OLDEST_AGE}
    names |= {outbox_relay.WAITING_METRIC, outbox_relay.OLDEST_METRIC}  # read at scrape too
    for collector in list(metrics.REGISTRY._collector_to_names):  # every registered metric
        for family in collector.describe():
            names |= {family.name + suffix for suffix in SUFFIXES[family.type]}
    return names


def alert_rules() -> list[dict]:
    document = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((MONITORING / "grafana.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def test_alerts_and_dashboard_use_only_exposed_metrics():
    exposed = exposed_names()
    used = {
        name
        for text in [rule["expr"] for rule in alert_rules()] + dashboard_expressions()
        for name in METRIC.findall(text)
    }
    assert used and used <= exposed, sorted(used - exposed)


def test_the_rule_unit_tests_feed_only_exposed_metrics():
    tests = yaml.safe_load((MONITORING / "alerts_test.yml").read_text())["tests"]
    fed = {METRIC.match(s["series"]).group(0) for t in tests for s in t["input_series"]}
    assert fed <= exposed_names(), sorted(fed - exposed_names())


def slug(heading: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", heading.lower()).strip().replace(" ", "-")


def test_every_alert_names_a_runbook_section_that_exists():
    for rule in alert_rules():
        path, _, anchor = rule["annotations"]["runbook"].partition("#")
        runbook = ROOT / path
        assert runbook.is_file(), (rule["alert"], path)
        if anchor:
            headings = re.findall(r"^#+ (.+)$", runbook.read_text(), flags=re.MULTILINE)
            assert anchor in {slug(h) for h in headings}, (rule["alert"], anchor)


def test_every_alert_has_a_unit_test():
    tests = yaml.safe_load((MONITORING / "alerts_test.yml").read_text())["tests"]
    tested = {
        case["alertname"] for t in tests for case in t["alert_rule_test"] if case["exp_alerts"]
    }
    assert {rule["alert"] for rule in alert_rules()} == tested
