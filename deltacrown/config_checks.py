"""The start-up checks of a loaded configuration: `validate()` refuses, with a one-line
`ConfigError`, settings that cannot work in any mode (storage, the outbox relay) and the
unsafe defaults of production."""

from __future__ import annotations

from typing import Any

from deltacrown.config import DEFAULT_SECRET, MIN_SECRET_LENGTH, ConfigError


def _validate_outbox(values: dict[str, Any]) -> None:
    relay = values.get("OUTBOX_RELAY") or "request"
    if relay not in ("request", "worker"):
        raise ConfigError(f"OUTBOX_RELAY must be request or worker (got {relay!r})")
    if relay == "worker":
        if not str(values.get("SQLALCHEMY_DATABASE_URI") or "").startswith("postgresql"):
            raise ConfigError("OUTBOX_RELAY=worker needs DATABASE_URL pointing at PostgreSQL")
        if not values.get("REDIS_URL"):
            raise ConfigError("OUTBOX_RELAY=worker needs REDIS_URL (the relay publishes there)")


def validate(values: dict[str, Any]) -> None:
    """Refuse to start a production app on unsafe defaults, with a one-line reason (and any
    app on a storage setting that cannot work)."""
    backend = values.get("STORAGE_BACKEND") or "local"
    if backend not in ("local", "s3"):
        raise ConfigError(f"STORAGE_BACKEND must be local or s3 (got {backend!r})")
    if backend == "s3" and not values.get("STORAGE_S3_BUCKET"):
        raise ConfigError("STORAGE_BACKEND=s3 needs STORAGE_S3_BUCKET")
    _validate_outbox(values)
    if values.get("ENV_NAME") != "production":
        return
    for key in ("SECRET_KEY", "JWT_SECRET_KEY"):
        secret = values.get(key)
        if secret in (None, "", DEFAULT_SECRET):
            raise ConfigError(f"production needs {key} set to a secret of your own")
        if len(str(secret)) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"production needs {key} of at least {MIN_SECRET_LENGTH} characters "
                f"(got {len(str(secret))}); generate one with "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
    uri = values.get("SQLALCHEMY_DATABASE_URI") or ""
    if not uri or uri.startswith("sqlite"):
        raise ConfigError("production needs DATABASE_URL pointing at PostgreSQL, not SQLite")
    if not values.get("REDIS_URL"):
        raise ConfigError("production needs REDIS_URL for cache, rate limits and websockets")
    if not values.get("CELERY_BROKER_URL"):
        raise ConfigError("production needs CELERY_BROKER_URL for background jobs")
