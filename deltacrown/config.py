"""Configuration classes and environment parsing; `load_config()` picks one and
`config_checks.validate()` guards it.

Two run modes come from one code base:

* **Embedded default** (no environment variables): SQLite under the instance folder, Celery
  tasks run in-process, the beat schedule runs on an in-process thread, cache, rate limits and
  websocket fan-out live in memory.
* **Server mode**: `DATABASE_URL`, `REDIS_URL`, `CELERY_BROKER_URL`, ... switch each part to
  its real service. `DELTACROWN_ENV=production` refuses to start on defaults that are unsafe.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from deltacrown.core.scopes import SCOPES

DEFAULT_SECRET = "dev-only-insecure-secret-change-me-in-production"  # noqa: S105 - refused in production by config_checks
# Signing keys shorter than this are refused in production: HS256 wants a key at least as long
# as its 256-bit output, and 32 random characters carry well over that much entropy.
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration cannot run; the message is the one-line reason."""


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


class BaseConfig:
    """Every key the application reads, with its default and meaning."""

    ENV_NAME = "development"
    # Secrets: the defaults are refused when DELTACROWN_ENV=production.
    SECRET_KEY = DEFAULT_SECRET
    JWT_SECRET_KEY = DEFAULT_SECRET
    # None → SQLite file under the instance folder (embedded default), resolved by the factory.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    # A pooled connection idle this long is pinged before use (instead of SQLAlchemy's
    # pool_pre_ping, a round trip on every checkout): see core.readonly.
    DB_PING_IDLE_SECONDS = 10.0
    SQLITE_BUSY_TIMEOUT_MS = 15000
    # Bring the schema up to date when the app starts (embedded default only).
    AUTO_MIGRATE = False
    # None → in-memory cache, rate-limit store and websocket fan-out.
    REDIS_URL: str | None = None
    # None → Celery tasks run in-process (eager) and beat runs on an in-process thread.
    CELERY_BROKER_URL: str | None = None
    CELERY_RESULT_BACKEND: str | None = None
    EMBEDDED_SCHEDULER = False
    SENTRY_DSN: str | None = None

    # Tokens
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=15)
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=30)
    # REST takes tokens from the Authorization header only; websockets also read `?token=`
    # themselves (browsers cannot set headers on a websocket), and logs redact it.
    JWT_TOKEN_LOCATION = ["headers"]
    PASSWORD_MIN_LENGTH = 10
    # argon2 cost: (time_cost, memory_cost KiB, parallelism)
    PASSWORD_HASH_PARAMS = (3, 65536, 4)
    # Account recovery (accounts.recovery / verification): link lifetimes; the front end's
    # pages the links open (`{token}` is replaced; None: /reset-password?token=... and
    # /verify-email?token=... on PUBLIC_WEB_URL or PUBLIC_BASE_URL).
    PASSWORD_RESET_TTL_MINUTES = 30
    EMAIL_VERIFICATION_TTL_HOURS = 48
    PASSWORD_RESET_URL: str | None = None
    EMAIL_VERIFICATION_URL: str | None = None
    # Unverified addresses may not pay: paid registration, shop purchases, new tournaments
    # answer 403 `email_not_verified` (on in production; off here so a demo works at once).
    REQUIRE_EMAIL_VERIFICATION = False
    # Reset and verification e-mails per e-mail address / per account.
    RATELIMIT_ACCOUNT_MAIL = "5/hour"
    # Sign-in with OAuth 2.0 providers (accounts.oauth). Discord is configured when its client
    # id is set; OAUTH_PROVIDERS may add others by name (same keys as `oauth.discord_provider`).
    DISCORD_CLIENT_ID: str | None = None
    DISCORD_CLIENT_SECRET: str | None = None
    DISCORD_AUTHORIZE_URL = "https://discord.com/oauth2/authorize"
    DISCORD_TOKEN_URL = "https://discord.com/api/oauth2/token"  # noqa: S105 (a URL)
    DISCORD_USERINFO_URL = "https://discord.com/api/users/@me"
    OAUTH_PROVIDERS: dict[str, dict[str, Any]] = {}
    # None: the callback answers with the token pair as JSON; a URL: the browser is sent
    # there with `?code=...`, a one-time code for POST /api/auth/oauth/exchange/.
    OAUTH_FRONTEND_REDIRECT_URL: str | None = None
    OAUTH_HTTP_TIMEOUT = 10

    # Bodies: JSON 1 MiB; multipart uploads 5 MiB per file (the hard cap leaves room for the form).
    MAX_JSON_BODY_BYTES = 1024 * 1024
    MAX_UPLOAD_BYTES = 5 * 1024 * 1024
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    # Arrays and objects in a JSON body (or websocket frame) nest at most this deep (400).
    MAX_JSON_DEPTH = 32
    # Uploaded files (core.storage): `local` (STORAGE_ROOT; None → <instance folder>/uploads)
    # or `s3` (a bucket on AWS or an S3-compatible server; credentials from boto3's chain).
    STORAGE_BACKEND = "local"
    STORAGE_ROOT: str | None = None
    STORAGE_S3_BUCKET: str | None = None
    STORAGE_S3_PREFIX = ""
    STORAGE_S3_REGION: str | None = None
    STORAGE_S3_ENDPOINT_URL: str | None = None
    # Public files (avatars) on S3: served from here (a CDN or public bucket) when set.
    STORAGE_PUBLIC_BASE_URL: str | None = None
    # A web front end's address: shared links, the sitemap and share metadata point at its
    # /tournaments/<slug> and /players/<username> pages (None: at this API's resources).
    PUBLIC_WEB_URL: str | None = None

    # Outgoing e-mail (core.mail): "console" logs each message (embedded default), "smtp"
    # sends through MAIL_SERVER, "memory" keeps them for tests.
    MAIL_BACKEND = "console"
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_TIMEOUT = 10
    MAIL_DEFAULT_SENDER = "DeltaCrown <noreply@localhost>"
    # The site's public address: links in e-mails and certificates' QR codes start with it.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # Notifications: how long a repeat of the same notice (same type and subject) to the same
    # person is suppressed, and how long read notifications are kept.
    NOTIFICATION_DEDUP_SECONDS = 600
    NOTIFICATION_RETENTION_DAYS = 90
    NOTIFICATION_EMAIL_MAX_ATTEMPTS = 6

    # Hot public reads (tournament detail, lists, bracket, standings, leaderboards) served from
    # the cache (core.response_cache) until a write changes them; the timeout is a safety net.
    RESPONSE_CACHE = True
    RESPONSE_CACHE_SECONDS = 300
    # While one request rebuilds a stale entry (core.cache_fill), the others get the previous
    # answer, or wait this long for the first one's; the claim lapses after the refresh bound.
    RESPONSE_CACHE_REFRESH_SECONDS = 5
    RESPONSE_CACHE_FILL_WAIT_SECONDS = 3

    # Rate limits (flask-limiter); storage follows REDIS_URL.
    RATELIMIT_ENABLED = True
    RATELIMIT_DEFAULT = "300/minute"
    # Sign-ins and sign-ups per client address, sized for a LAN venue sharing one address;
    # failed passwords per account lock it (for all but known devices) past LOGIN_FAILURE_LIMIT.
    RATELIMIT_AUTH = "60/minute"
    LOGIN_FAILURE_LIMIT = "10/15 minutes"
    LOGIN_LOCKOUT_ENABLED = True
    # Requests per personal access token (a bot's own budget, beside the per-address default).
    RATELIMIT_TOKEN = "120/minute"  # noqa: S105 (a rate, not a secret)
    # Staff must sign in with a second factor (TOTP) to use staff APIs and the admin; on in
    # production, off in the embedded default so a newcomer's demo keeps working.
    STAFF_REQUIRE_2FA = False
    # How long the `mfa_token` of a password sign-in waits for its code, and the issuer name
    # authenticator apps show.
    MFA_TOKEN_SECONDS = 300
    TOTP_ISSUER = "DeltaCrown"
    # Flask-Admin sessions: at most this long, ended by sign-out or a password change.
    ADMIN_SESSION_HOURS = 12
    # The house's share (whole percent, 0-100) of a tournament's coin entry fees, taken when
    # its escrow is settled at completion (docs/payouts.md).
    PLATFORM_FEE_PERCENT = 0
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: keep limiting, per process, in memory until it answers again.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Proxies in front of the app (load balancer, nginx): 0 = clients connect directly. With
    # N, the client address is taken from the Nth X-Forwarded-For entry from the right.
    TRUSTED_PROXIES = 0

    # Idempotency-Key: how long a stored response can be replayed.
    IDEMPOTENCY_TTL_HOURS = 24

    # Shop: how long a `hold: true` purchase keeps coins and stock reserved.
    ECONOMY_HOLD_MINUTES = 15

    # Moderation: reports one user may file per hour (429 `reports_rate_limited` beyond).
    MODERATION_REPORTS_PER_HOUR = 10

    # Websocket fan-out: "auto" = Redis when REDIS_URL is set, else memory; or "memory"/"redis".
    REALTIME_BACKEND = "auto"

    # Where a commit's live events and signals go (docs/operations.md "The outbox relay"):
    # "request" runs them after the commit in the committing process; "worker" (PostgreSQL
    # and Redis) stores them with the commit for `flask outbox relay` to deliver.
    OUTBOX_RELAY = "request"

    # An organizer's result in the common case is written in two statements instead of the
    # unit of work's eight (PostgreSQL; `matches.services.direct`). False: always the full path.
    DIRECT_RESULTS = True

    # Websockets (API_CONVENTIONS "Websockets"; docs/realtime.md). The server pings every
    # `ping_interval` seconds and closes a connection whose pong has not come back by the next
    # ping (silent for 2 × 25 s); frames above `max_message_size` close with 1009.
    WS_ALLOWED_ORIGINS: list[str] = ["http://127.0.0.1:5000", "http://localhost:5000"]
    SOCK_SERVER_OPTIONS = {"ping_interval": 25, "max_message_size": 16 * 1024}
    WS_RATE_LIMIT = 10  # client messages per second per connection (a burst of as many)
    WS_RATE_LIMIT_STRIKES = 20  # refused messages within 10 s before closing with 4429
    WS_MAX_CONNECTIONS_PER_USER = 5  # across every process in server mode (Redis)
    # Per process: followers from one client address (a LAN venue shares one), and in all.
    # Followers hold no server thread (the process's hub serves them): the per-process cap
    # is bounded by memory and the open-file limit (one descriptor each), not --threads.
    WS_MAX_CONNECTIONS_PER_ADDRESS = 200
    WS_MAX_CONNECTIONS_PER_PROCESS = 10000
    WS_AUTH_TIMEOUT = 10  # seconds a private channel waits for the `auth` message
    WS_WORKER_THREADS = 4  # per process: followers' messages that need the database or Redis
    WS_OUTBOX_BYTES = 256 * 1024  # per socket: unsent frames before events wait for a catch-up
    # The hub thread's and its pool's niceness (Linux): while a large fan-out or a crowd
    # connecting keeps them busy, the process's request threads get the CPU first. 0 runs them
    # at the process's own priority.
    WS_HUB_NICE = 10

    # Certificates: their QR codes point at PUBLIC_BASE_URL (above); where the Bengali font is
    # looked for (Debian's fonts-noto-core by default), and how many verifications one client
    # address may make.
    CERTIFICATE_FONT_DIRS: list[str] = [
        "/usr/share/fonts/truetype/noto",
        "/usr/share/fonts/opentype/noto",
    ]
    CERTIFICATE_VERIFY_LIMIT = "60/minute"
    CERTIFICATES_ON_COMPLETION = True  # make them when a tournament completes (a Celery task)
    # Outgoing webhooks (docs/webhooks.md). Private and http:// URLs: None follows ENV_NAME
    # (allowed in development and testing only). Deliveries go to Celery with a broker, else
    # to a thread pool of WEBHOOKS_THREADS (core.background; tests: inline).
    WEBHOOKS_ALLOW_PRIVATE_URLS: bool | None = None
    WEBHOOKS_TIMEOUT_SECONDS = 10
    WEBHOOKS_MAX_ATTEMPTS = 8
    WEBHOOKS_THREADS = 4
    WEBHOOKS_BREAKER_FAILURES = 5  # failures within WEBHOOKS_BREAKER_WINDOW seconds open it
    WEBHOOKS_BREAKER_WINDOW = 120
    WEBHOOKS_BREAKER_OPEN_SECONDS = 60  # then one probe goes out (half-open)

    # GET /metrics: when set, scrapers must send it as a Bearer token.
    METRICS_TOKEN: str | None = None

    # Analytics (docs/analytics.md): answers come from the summary while it is younger than
    # ANALYTICS_FRESHNESS_MINUTES, else live; the periodic refresh waits a random 0 to
    # ANALYTICS_REFRESH_JITTER_SECONDS first (workers only) so hosts do not refresh at once;
    # a figure that takes longer than ANALYTICS_SLOW_MS is logged as a warning.
    ANALYTICS_FRESHNESS_MINUTES = 15
    ANALYTICS_REFRESH_JITTER_SECONDS = 600
    ANALYTICS_SLOW_MS = 500

    # OpenAPI (flask-smorest)
    API_TITLE = "DeltaCrown API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS: dict[str, Any] = {
        "info": {"description": "Esports tournament backend. Errors are RFC 9457 problems."},
        # Relative: "the server that served this document", so Swagger UI's "Try it out"
        # calls the same host and port however the API is deployed.
        "servers": [{"url": "/", "description": "This DeltaCrown server"}],
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "tokenAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "dc_pat_…",
                    "description": "A personal access token (POST /api/me/tokens/), sent as "
                    "`Authorization: Bearer dc_pat_…`. Each operation lists the one scope it "
                    "needs; a token without it gets 403 `insufficient_scope`, and operations "
                    "that list none (staff operations among them) never take a token. Scopes: "
                    + "; ".join(f"`{name}`: {text}" for name, text in SCOPES.items()),
                    "x-scopes": dict(SCOPES),
                },
            }
        },
    }

    LOG_LEVEL = "INFO"
    LOG_JSON = True
    PROPAGATE_EXCEPTIONS: bool | None = None
    JSON_SORT_KEYS = False

    @classmethod
    def from_env(cls) -> dict[str, Any]:
        """Values read from the environment (server mode); absent ones keep the defaults."""
        values: dict[str, Any] = {}
        mapping = {
            "SECRET_KEY": env_str("SECRET_KEY"),
            "JWT_SECRET_KEY": env_str("JWT_SECRET_KEY"),
            "SQLALCHEMY_DATABASE_URI": env_str("DATABASE_URL"),
            "REDIS_URL": env_str("REDIS_URL"),
            "OUTBOX_RELAY": env_str("OUTBOX_RELAY"),
            "CELERY_BROKER_URL": env_str("CELERY_BROKER_URL"),
            "CELERY_RESULT_BACKEND": env_str("CELERY_RESULT_BACKEND"),
            "SENTRY_DSN": env_str("SENTRY_DSN"),
            "LOG_LEVEL": env_str("LOG_LEVEL"),
            "RATELIMIT_DEFAULT": env_str("RATELIMIT_DEFAULT"),
            "RATELIMIT_AUTH": env_str("RATELIMIT_AUTH"),
            "RATELIMIT_TOKEN": env_str("RATELIMIT_TOKEN"),
            "LOGIN_FAILURE_LIMIT": env_str("LOGIN_FAILURE_LIMIT"),
            "STORAGE_ROOT": env_str("STORAGE_ROOT"),
            "STORAGE_BACKEND": env_str("STORAGE_BACKEND"),
            "STORAGE_S3_BUCKET": env_str("STORAGE_S3_BUCKET"),
            "STORAGE_S3_PREFIX": env_str("STORAGE_S3_PREFIX"),
            "STORAGE_S3_REGION": env_str("STORAGE_S3_REGION"),
            "STORAGE_S3_ENDPOINT_URL": env_str("STORAGE_S3_ENDPOINT_URL"),
            "STORAGE_PUBLIC_BASE_URL": env_str("STORAGE_PUBLIC_BASE_URL"),
            "PUBLIC_WEB_URL": env_str("PUBLIC_WEB_URL"),
            "METRICS_TOKEN": env_str("METRICS_TOKEN"),
            "MAIL_SERVER": env_str("MAIL_SERVER"),
            "MAIL_USERNAME": env_str("MAIL_USERNAME"),
            "MAIL_PASSWORD": env_str("MAIL_PASSWORD"),
            "MAIL_DEFAULT_SENDER": env_str("MAIL_DEFAULT_SENDER"),
            "PUBLIC_BASE_URL": env_str("PUBLIC_BASE_URL"),
            "PASSWORD_RESET_URL": env_str("PASSWORD_RESET_URL"),
            "EMAIL_VERIFICATION_URL": env_str("EMAIL_VERIFICATION_URL"),
            "DISCORD_CLIENT_ID": env_str("DISCORD_CLIENT_ID"),
            "DISCORD_CLIENT_SECRET": env_str("DISCORD_CLIENT_SECRET"),
            "DISCORD_AUTHORIZE_URL": env_str("DISCORD_AUTHORIZE_URL"),
            "DISCORD_TOKEN_URL": env_str("DISCORD_TOKEN_URL"),
            "DISCORD_USERINFO_URL": env_str("DISCORD_USERINFO_URL"),
            "OAUTH_FRONTEND_REDIRECT_URL": env_str("OAUTH_FRONTEND_REDIRECT_URL"),
        }
        values.update({k: v for k, v in mapping.items() if v is not None})
        if os.environ.get("WS_ALLOWED_ORIGINS"):
            values["WS_ALLOWED_ORIGINS"] = env_list("WS_ALLOWED_ORIGINS")
        if os.environ.get("CERTIFICATE_FONT_DIRS"):
            values["CERTIFICATE_FONT_DIRS"] = env_list("CERTIFICATE_FONT_DIRS")
        if os.environ.get("TRUSTED_PROXIES"):
            values["TRUSTED_PROXIES"] = env_int("TRUSTED_PROXIES", 0)
        for name in (
            "WS_MAX_CONNECTIONS_PER_ADDRESS",
            "WS_MAX_CONNECTIONS_PER_PROCESS",
            "WS_WORKER_THREADS",
            "WS_OUTBOX_BYTES",
            "WS_HUB_NICE",
            "MODERATION_REPORTS_PER_HOUR",
            "PLATFORM_FEE_PERCENT",
            "ANALYTICS_FRESHNESS_MINUTES",
            "ANALYTICS_REFRESH_JITTER_SECONDS",
            "RESPONSE_CACHE_SECONDS",
            "RESPONSE_CACHE_REFRESH_SECONDS",
            "RESPONSE_CACHE_FILL_WAIT_SECONDS",
        ):
            if os.environ.get(name):
                values[name] = env_int(name, 0)
        if os.environ.get("STAFF_REQUIRE_2FA"):
            values["STAFF_REQUIRE_2FA"] = env_bool("STAFF_REQUIRE_2FA")
        if os.environ.get("WEBHOOKS_ALLOW_PRIVATE_URLS"):
            values["WEBHOOKS_ALLOW_PRIVATE_URLS"] = env_bool("WEBHOOKS_ALLOW_PRIVATE_URLS")
        if os.environ.get("RESPONSE_CACHE"):
            values["RESPONSE_CACHE"] = env_bool("RESPONSE_CACHE", True)
        if os.environ.get("WEBHOOKS_THREADS"):
            values["WEBHOOKS_THREADS"] = env_int("WEBHOOKS_THREADS", 4)
        if os.environ.get("MAIL_PORT"):
            values["MAIL_PORT"] = env_int("MAIL_PORT", 25)
        for name in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
            if os.environ.get(name):
                values[name] = env_bool(name)
        # A configured mail server means SMTP unless MAIL_BACKEND says otherwise.
        backend = env_str("MAIL_BACKEND") or ("smtp" if values.get("MAIL_SERVER") else None)
        if backend:
            values["MAIL_BACKEND"] = backend
        if os.environ.get("REQUIRE_EMAIL_VERIFICATION"):
            values["REQUIRE_EMAIL_VERIFICATION"] = env_bool("REQUIRE_EMAIL_VERIFICATION")
        if os.environ.get("LOG_JSON"):
            values["LOG_JSON"] = env_bool("LOG_JSON", True)
        return values


class DevelopmentConfig(BaseConfig):
    """The embedded default: everything in one process, nothing to install but Python."""

    ENV_NAME = "development"
    AUTO_MIGRATE = True
    EMBEDDED_SCHEDULER = True


class ProductionConfig(BaseConfig):
    """Server mode with the safety checks of `config_checks.validate()`."""

    ENV_NAME = "production"
    AUTO_MIGRATE = False
    EMBEDDED_SCHEDULER = False
    PROPAGATE_EXCEPTIONS = False
    SESSION_COOKIE_SECURE = True  # the admin session and device cookies travel over HTTPS only
    STAFF_REQUIRE_2FA = True
    REQUIRE_EMAIL_VERIFICATION = True


class TestingConfig(BaseConfig):
    """Tests: reads only TEST_DATABASE_URL / TEST_REDIS_URL from the environment."""

    ENV_NAME = "testing"
    TESTING = True
    AUTO_MIGRATE = False
    EMBEDDED_SCHEDULER = False
    RATELIMIT_ENABLED = False
    # Tests reuse ids after each rollback, and a test's flushed rows are never committed:
    # the response cache's own tests turn it on.
    RESPONSE_CACHE = False
    LOGIN_LOCKOUT_ENABLED = False  # tests reuse user ids after each rollback
    PASSWORD_HASH_PARAMS = (1, 1024, 1)
    LOG_JSON = False
    LOG_LEVEL = "WARNING"
    MAIL_BACKEND = "memory"
    WS_ALLOWED_ORIGINS = ["http://allowed.test"]
    # Tests reuse ids after each rollback: a shared Redis channel would leak events between
    # tests. Fan-out tests build their Redis brokers explicitly.
    REALTIME_BACKEND = "memory"
    # Every completed tournament would draw its certificates in the test that completed it;
    # the certificates' own tests turn this on.
    CERTIFICATES_ON_COMPLETION = False
    BACKGROUND_INLINE = True  # core.background: tasks run at once, in the test's thread
    # Test processes keep both cores busy: a hub below them would wait behind the other
    # process's tests. Its own test turns it on.
    WS_HUB_NICE = 0
    ANALYTICS_REFRESH_JITTER_SECONDS = 0

    @classmethod
    def from_env(cls) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if env_str("TEST_DATABASE_URL"):
            values["SQLALCHEMY_DATABASE_URI"] = env_str("TEST_DATABASE_URL")
        if env_str("TEST_REDIS_URL"):
            values["REDIS_URL"] = env_str("TEST_REDIS_URL")
        return values


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def load_config(config: str | type[BaseConfig] | dict[str, Any] | None) -> dict[str, Any]:
    """Resolve `create_app`'s `config` argument into a flat dict of settings.

    `None` reads `DELTACROWN_ENV` (default `development`); a name picks a class; a class is used
    as is; a dict overrides the environment's class.
    """
    overrides: dict[str, Any] = {}
    if isinstance(config, dict):
        overrides = dict(config)
        config = overrides.pop("ENV_NAME", None)
    if config is None:
        config = env_str("DELTACROWN_ENV", "development")
    if isinstance(config, str):
        try:
            config_cls = CONFIGS[config]
        except KeyError as exc:
            raise ConfigError(
                f"DELTACROWN_ENV must be one of {', '.join(CONFIGS)}, got {config!r}"
            ) from exc
    else:
        config_cls = config  # type: ignore[assignment]  # a BaseConfig subclass
    values = {key: getattr(config_cls, key) for key in dir(config_cls) if key.isupper()}
    values.update(config_cls.from_env())
    values.update(overrides)
    return values
