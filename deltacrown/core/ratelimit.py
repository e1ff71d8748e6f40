"""Rate-limit keys and presets (flask-limiter): per user when a token is sent, else per IP.

Storage follows the run mode: memory in the embedded default, Redis in server mode (set by
the factory from REDIS_URL). Exceeding a limit raises flask-limiter's 429, rendered as a
problem with `Retry-After` by core.errors.
"""

from __future__ import annotations

from flask import request


def client_ip() -> str:
    return request.remote_addr or "unknown"


def rate_limit_key() -> str:
    from deltacrown.core.auth import token_identity_unverified_db

    identity = token_identity_unverified_db()
    return f"user:{identity}" if identity else f"ip:{client_ip()}"


def ip_key() -> str:
    return f"ip:{client_ip()}"


def login_name_key() -> str:
    """The login name being tried, so one account cannot be brute-forced from many IPs."""
    payload = request.get_json(silent=True) or {}
    name = payload.get("login") or payload.get("username") or payload.get("email") or ""
    return f"login:{str(name).strip().lower()[:120]}"
