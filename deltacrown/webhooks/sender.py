"""Signing and sending one message (no database): Standard Webhooks headers over the exact
body bytes, one HTTP POST, and what came back.

The body is `{type, timestamp, data}` serialised compactly; `webhook-id` is the delivery's
message id, `webhook-timestamp` the moment of this attempt, and `webhook-signature` holds one
`v1,<base64 HMAC-SHA256>` per valid secret (two during a rotation), as the `standardwebhooks`
package computes it. Redirects are not followed (a redirect could lead inside the network).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
from standardwebhooks import Webhook

USER_AGENT = "DeltaCrown-Webhooks/1.0"
RESPONSE_KEEP_BYTES = 1024
# One HTTP session per thread (requests' sessions are not thread-safe): connections to a
# receiver are kept alive between deliveries.
_local = threading.local()


def _session() -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: a status code, or an error (timeout, connection)."""

    status: int | None
    body: str | None
    latency_ms: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """5xx, 408, 429, timeouts and connection errors are tried again; other answers stop."""
        if self.status is None:
            return True
        return self.status >= 500 or self.status in (408, 429)


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def sign(secrets: list[str], message_id: str, at: datetime, body: bytes) -> str:
    return " ".join(Webhook(secret).sign(message_id, at, body) for secret in secrets)


def headers_for(secrets: list[str], message_id: str, at: datetime, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": sign(secrets, message_id, at, body),
    }


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float,
    session: requests.Session | None = None,
) -> Outcome:
    """POST once; never raises for network trouble (it becomes the outcome's `error`)."""
    started = time.perf_counter()
    sender = session or _session()
    try:
        response = sender.post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True
        )
    except requests.Timeout:
        return Outcome(None, None, _since(started), "timeout")
    except requests.RequestException as exc:
        return Outcome(None, None, _since(started), f"connection error: {type(exc).__name__}")
    try:
        raw = response.raw.read(RESPONSE_KEEP_BYTES, decode_content=True) or b""
    except Exception:  # a body cut short is still an answer; keep the status
        raw = b""
    finally:
        response.close()
    return Outcome(response.status_code, raw.decode("utf-8", "replace"), _since(started))


def _since(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
