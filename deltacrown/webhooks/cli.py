"""`flask webhooks canary --endpoint URL --count N`: send synthetic signed `canary` events to a
receiver and print the success rate and latency percentiles. Nothing is stored; the URL
passes the same safety check as an endpoint's."""

from __future__ import annotations

import statistics
import uuid

import click
from flask import Flask
from flask.cli import AppGroup

from deltacrown.core.time import isoformat, utcnow
from deltacrown.webhooks import safety, sender, services
from deltacrown.webhooks.errors import UnsafeUrlError

webhooks_cli = AppGroup("webhooks", help="Outgoing webhooks.")


def percentile(values: list[int], share: float) -> float:
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


@webhooks_cli.command("canary")
@click.option("--endpoint", "url", required=True, help="The receiver's URL.")
@click.option("--count", default=10, show_default=True, type=click.IntRange(1, 10000))
@click.option("--secret", default=None, help="Sign with this whsec_ secret (default: a new one).")
@click.option("--timeout", default=None, type=float, help="Seconds per request (default 10).")
def canary(url: str, count: int, secret: str | None, timeout: float | None) -> None:
    """Send COUNT signed `canary` events to the endpoint and report how they went."""
    try:
        safety.check_url(url)
    except UnsafeUrlError as exc:
        raise click.ClickException(exc.detail or exc.title) from exc
    key = secret or services.new_secret()
    if secret is None:
        click.echo(f"signing secret: {key}")
    wait = timeout if timeout is not None else services.timeout_seconds()
    latencies: list[int] = []
    statuses: dict[str, int] = {}
    ok = 0
    for number in range(1, count + 1):
        now = utcnow()
        body = sender.encode(
            {"type": "canary", "timestamp": isoformat(now), "data": {"sequence": number}}
        )
        message_id = f"msg_canary_{uuid.uuid4().hex}"
        outcome = sender.post(
            url, body, sender.headers_for([key], message_id, now, body), timeout=wait
        )
        latencies.append(outcome.latency_ms)
        label = str(outcome.status) if outcome.status is not None else str(outcome.error)
        statuses[label] = statuses.get(label, 0) + 1
        ok += outcome.ok
    click.echo(f"sent {count}, succeeded {ok} ({100 * ok / count:.1f}%)")
    click.echo(
        "latency ms: "
        f"p50 {percentile(latencies, 0.5):.0f}, p90 {percentile(latencies, 0.9):.0f}, "
        f"p99 {percentile(latencies, 0.99):.0f}, max {max(latencies)}"
    )
    click.echo("answers: " + ", ".join(f"{k} ×{v}" for k, v in sorted(statuses.items())))
    if ok < count:
        raise SystemExit(1)


def register(app: Flask) -> None:
    app.cli.add_command(webhooks_cli)
