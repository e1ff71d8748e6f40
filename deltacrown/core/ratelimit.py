"""Rate-limit keys and presets (flask-limiter): per user when a token is sent, else per IP.

Storage follows the run mode: memory in the embedded default, Redis in server mode (set by
the factory from REDIS_URL). Exceeding a limit raises flask-limiter's 429, rendered as a
problem with `Retry-After` by core.errors.

Every route gets `RATELIMIT_DEFAULT` unless it declares its own limits, except the probes and
the API documentation (`is_exempt`). The limiter is one process-wide object whose settings
are fixed by the first app that enables it, so the default is read from the current app's
config on each request and `RATELIMIT_ENABLED` is checked per app as well (several test apps
live in one process; production has one).
"""

from __future__ import annotations

from flask import current_app, request
from flask_limiter import Limiter

from deltacrown.core.auth import token_identity_unverified_db

# Blueprints no limit applies to: /healthz and /readiness (ops), /api/docs/* (api_docs) and
# /api/openapi.json (flask-smorest's api-docs). Flask-Admin's static files (`admin.static`)
# are exempt in flask-limiter itself, like every `*.static` endpoint.
EXEMPT_BLUEPRINTS = frozenset({"ops", "api_docs", "api-docs", "media"})


def client_ip() -> str:
    return request.remote_addr or "unknown"


def rate_limit_key() -> str:
    identity = token_identity_unverified_db()
    return f"user:{identity}" if identity else f"ip:{client_ip()}"


def ip_key() -> str:
    return f"ip:{client_ip()}"


def auth_limit() -> str:
    """Sign-ins and sign-ups per client address (config `RATELIMIT_AUTH`), sized for a LAN venue
    where a hundred players share one public address; brute force on one account is stopped by
    the per-account lockout of failed passwords (accounts `lockout`)."""
    return str(current_app.config.get("RATELIMIT_AUTH") or "60/minute")


def default_limit() -> str:
    """The limit of routes that declare none (config `RATELIMIT_DEFAULT`)."""
    return str(current_app.config.get("RATELIMIT_DEFAULT") or "300/minute")


def is_exempt() -> bool:
    """No limit at all for this request: limits are off for this app, or an exempt route."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    return request.blueprint in EXEMPT_BLUEPRINTS


# The process-wide limiter, unbound; `create_app` binds it (see the module docstring).
limiter = Limiter(key_func=rate_limit_key, default_limits=[default_limit])
limiter.request_filter(is_exempt)
