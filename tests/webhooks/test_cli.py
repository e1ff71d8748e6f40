"""`flask webhooks canary`: signed synthetic events to a receiver, success rate and latency."""

from __future__ import annotations

from typing import Any

from standardwebhooks import Webhook

from deltacrown.webhooks.services import new_secret


def test_the_canary_sends_signed_events_and_reports_the_success_rate(
    app: Any, receiver: Any
) -> None:
    secret = new_secret()
    receiver.answer(200, 200, 503)
    result = app.test_cli_runner().invoke(
        args=["webhooks", "canary", "--endpoint", receiver.url, "--count", "4", "--secret", secret]
    )

    assert result.exit_code == 1, result.output  # one answer was a 503
    assert "sent 4, succeeded 3 (75.0%)" in result.output
    assert "latency ms: p50" in result.output and "503 ×1" in result.output
    sequences = [
        Webhook(secret).verify(r.body, r.headers)["data"]["sequence"] for r in receiver.received
    ]
    assert sequences == [1, 2, 3, 4]


def test_the_canary_refuses_an_unsafe_url(app: Any, monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_URLS", False)
    result = app.test_cli_runner().invoke(
        args=["webhooks", "canary", "--endpoint", "http://127.0.0.1/hook", "--count", "1"]
    )
    assert result.exit_code != 0
    assert "https://" in result.output
