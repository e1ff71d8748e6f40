"""The process-wide Redis client for server mode (None in the embedded default)."""

from __future__ import annotations

import redis
from flask import current_app


def get_redis() -> redis.Redis:
    """The app's Redis client; created once per app from REDIS_URL."""
    client = current_app.extensions.get("deltacrown_redis")
    if client is None:
        url = current_app.config.get("REDIS_URL")
        if not url:
            raise RuntimeError("REDIS_URL is not configured")
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        current_app.extensions["deltacrown_redis"] = client
    return client
