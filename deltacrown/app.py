"""The application factory: `create_app(config=None, **overrides)`. How the domains connect
to each other (receivers, ports, state listeners) is `deltacrown.wiring`."""

from __future__ import annotations

import importlib
import os
import uuid
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade

from deltacrown.accounts import tokens
from deltacrown.celery_app import celery_init_app
from deltacrown.config import load_config
from deltacrown.config_checks import validate
from deltacrown.core import (
    auth,
    compression,
    docs,
    etags,
    http,
    i18n,
    mail,
    metrics,
    outbox,
    ratelimit,
    realtime,
    response_cache,
    transaction,
    ws,
)
from deltacrown.core.admin import create_admin
from deltacrown.core.api import Api
from deltacrown.core.api_document import api_of
from deltacrown.core.errors import register_error_handlers as register_core_error_handlers
from deltacrown.core.inputs import IdConverter
from deltacrown.core.logging import configure_logging, init_access_log
from deltacrown.core.scheduler import start_embedded_scheduler
from deltacrown.extensions import cache, db, jwt, limiter, migrate, sock
from deltacrown.wiring import wire

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = str(ROOT / "migrations")

# The API blueprints, in the order they appear in the OpenAPI document.
API_MODULES = (
    "deltacrown.core.ops",
    "deltacrown.accounts.api",
    "deltacrown.accounts.twofactor_api",
    "deltacrown.accounts.pats_api",
    "deltacrown.accounts.recovery_api",
    "deltacrown.accounts.oauth_api",
    "deltacrown.games.api",
    "deltacrown.core.audit_api",
    "deltacrown.tournaments.api",
    "deltacrown.tournaments.templates_api",
    "deltacrown.tournaments.staff_api",
    "deltacrown.economy.api",
    "deltacrown.economy.admin_api",
    "deltacrown.teams.api",
    "deltacrown.registrations.api",
    "deltacrown.registrations.payments_api",
    "deltacrown.registrations.checkin_api",
    "deltacrown.registrations.offline_api",
    "deltacrown.brackets.api",
    "deltacrown.brackets.exports_api",
    "deltacrown.matches.api",
    "deltacrown.matches.organizer_api",
    "deltacrown.matches.matchday_api",
    "deltacrown.matches.calendar_api",
    "deltacrown.certificates.api",
    "deltacrown.leaderboards.api",
    "deltacrown.leaderboards.admin_api",
    "deltacrown.organizer.api",
    "deltacrown.organizer.admin_api",
    "deltacrown.sharing.api",
    "deltacrown.webhooks.api",
    "deltacrown.notifications.api",
    "deltacrown.home.api",
    "deltacrown.matches.chat_api",
    "deltacrown.matches.veto_api",
    "deltacrown.moderation.api",
    "deltacrown.moderation.admin_api",
    "deltacrown.payouts.api",
    "deltacrown.payouts.admin_api",
    "deltacrown.analytics.api",
    "deltacrown.analytics.admin_api",
)
# Websocket routes (flask-sock, on each module's `bp`).
WS_MODULES = (
    "deltacrown.matches.ws",
    "deltacrown.tournaments.ws",
    "deltacrown.leaderboards.ws",
    "deltacrown.notifications.ws",
)
# Plain (non-API) routes at the site's root, on each module's `bp`.
WEB_MODULES = ("deltacrown.sharing.web",)
ADMIN_MODULES = (
    "deltacrown.accounts.admin",
    "deltacrown.games.admin",
    "deltacrown.core.audit_admin",
    "deltacrown.tournaments.admin",
    "deltacrown.economy.admin",
    "deltacrown.teams.admin",
    "deltacrown.registrations.admin",
    "deltacrown.brackets.admin",
    "deltacrown.matches.admin",
    "deltacrown.certificates.admin",
    "deltacrown.organizer.admin",
    "deltacrown.webhooks.admin",
    "deltacrown.notifications.admin",
    "deltacrown.moderation.admin",
    "deltacrown.payouts.admin",
    "deltacrown.registrations.payment_desk",
    "deltacrown.matches.dispute_desk",
    "deltacrown.organizer.control_room",
    "deltacrown.analytics.admin",  # after tournaments.admin: adds a chart to its details
)
CLI_MODULES = (
    "deltacrown.core.cli",
    "deltacrown.core.outbox_relay",
    "deltacrown.accounts.cli",
    "deltacrown.demo",
    "deltacrown.economy.cli",
    "deltacrown.registrations.cli",
    "deltacrown.certificates.cli",
    "deltacrown.leaderboards.cli",
    "deltacrown.webhooks.cli",
    "deltacrown.analytics.cli",
)
TASK_MODULES = (
    "deltacrown.accounts.tasks",
    "deltacrown.accounts.recovery_tasks",
    "deltacrown.core.tasks",
    "deltacrown.core.outbox_relay",
    "deltacrown.tournaments.tasks",
    "deltacrown.economy.tasks",
    "deltacrown.teams.tasks",
    "deltacrown.registrations.tasks",
    "deltacrown.matches.tasks",
    "deltacrown.certificates.tasks",
    "deltacrown.leaderboards.tasks",
    "deltacrown.webhooks.tasks",
    "deltacrown.notifications.tasks",
    "deltacrown.payouts.tasks",
    "deltacrown.analytics.tasks",
)
# Models outside the domains' api modules, imported so metadata (and Alembic) sees them.
MODEL_MODULES = (
    "deltacrown.core.audit",
    "deltacrown.core.idempotency",
    "deltacrown.core.outbox",
    "deltacrown.accounts.models",
    "deltacrown.accounts.security_models",
    "deltacrown.accounts.credential_models",
    "deltacrown.moderation.models",
    "deltacrown.games.models",
    "deltacrown.games.config",
    "deltacrown.tournaments.models",
    "deltacrown.economy.models",
    "deltacrown.teams.models",
    "deltacrown.registrations.models",
    "deltacrown.brackets.models",
    "deltacrown.matches.models",
    "deltacrown.matches.game_models",
    "deltacrown.matches.matchday_models",
    "deltacrown.certificates.models",
    "deltacrown.leaderboards.models",
    "deltacrown.webhooks.models",
    "deltacrown.notifications.models",
    "deltacrown.payouts.models",
)


def create_app(config: Any = None, **overrides: Any) -> Flask:
    """Build an app. `config`: None (from DELTACROWN_ENV), a name, a config class or a dict."""
    values = load_config(config)
    values.update(overrides)
    validate(values)

    app = Flask("deltacrown", instance_relative_config=True)
    app.config.from_mapping(values)
    app.url_map.converters["int"] = IdConverter  # every <int:id> is bounded (404 beyond)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the schemas' field order in responses
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = Path(app.instance_path) / "deltacrown.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    _derive_settings(app)

    configure_logging(app)
    _init_sentry(app)
    register_extensions(app)
    register_blueprints(app)
    register_admin(app)
    register_error_handlers(app)
    register_cli(app)
    wire(app)
    if app.config.get("AUTO_MIGRATE"):
        _upgrade_schema(app)
    _schedule_embedded_jobs(app)
    return app


def _derive_settings(app: Flask) -> None:
    """Settings that follow from the run mode (memory vs Redis)."""
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", 300)
    app.config.setdefault("CACHE_THRESHOLD", 5000)  # memory cache: cached reads included
    if redis_url:
        app.config.setdefault("CACHE_TYPE", "RedisCache")
        app.config.setdefault("CACHE_REDIS_URL", redis_url)
        app.config.setdefault("RATELIMIT_STORAGE_URI", ratelimit.storage_uri(redis_url))
        # A Redis that is down must not hang requests: fail fast, then limit in memory.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
        )
    else:
        app.config.setdefault("CACHE_TYPE", "SimpleCache")
        app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    if app.testing:
        # Several test apps may share one Redis: keep their counters apart.
        app.config.setdefault("RATELIMIT_KEY_PREFIX", f"test-{uuid.uuid4().hex[:8]}")
        app.config.setdefault("CACHE_KEY_PREFIX", f"test-{uuid.uuid4().hex[:8]}:")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # An unreachable database answers 503 within seconds instead of hanging a thread.
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", 5)
        options["connect_args"] = connect_args
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
        options.setdefault("connect_args", {}).setdefault("check_same_thread", False)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


# Nothing that identifies a person: no user identity, cookies, bodies, local variables, SQL
# parameters or message payloads; headers and query parameters without the SDK's sensitive
# names nor the client-address ones (as `send_default_pii=False` filtered them).
_ADDRESS_TERMS = ["forwarded", "-ip", "remote-", "via", "-user"]
SENTRY_DATA_COLLECTION: dict[str, Any] = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "denylist", "terms": _ADDRESS_TERMS}},
    "http_bodies": [],
    "url_query_params": {"mode": "denylist", "terms": _ADDRESS_TERMS},
    "graphql": {"document": False, "variables": False},
    "gen_ai": {"inputs": False, "outputs": False},
    "database_query_data": False,
    "queues": False,
    "stack_frame_variables": False,
}


def _init_sentry(app: Flask) -> None:
    options = sentry_options(app)
    if options is None:
        return
    import sentry_sdk

    sentry_sdk.init(**options)


def sentry_options(app: Flask) -> dict[str, Any] | None:
    """`sentry_sdk.init` arguments when SENTRY_DSN is set: Flask, Celery and (by the SDK's
    default integrations) uncaught CLI errors are reported, scrubbed by `scrub_sentry_event`."""
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return None
    # Sentry only when a DSN is configured: the SDK and its integrations are not loaded otherwise.
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.flask import FlaskIntegration

    from deltacrown.core.sentry import scrub_sentry_event

    rate = os.environ.get("SENTRY_TRACES_RATE") or os.environ.get("SENTRY_TRACES_SAMPLE_RATE")
    return {
        "dsn": dsn,
        "environment": app.config.get("ENV_NAME"),
        "release": os.environ.get("SENTRY_RELEASE") or None,
        "integrations": [FlaskIntegration(), CeleryIntegration()],
        # What the integrations collect (the SDK's `data_collection`, which replaces
        # `send_default_pii`); `scrub_sentry_event` then keeps only an allowlist of it.
        "data_collection": SENTRY_DATA_COLLECTION,
        "max_request_body_size": "never",
        "before_send": scrub_sentry_event,
        "before_send_transaction": scrub_sentry_event,
        "traces_sample_rate": float(rate or "0"),
    }


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    Api().init_app(app)  # one per app: its document stays its own (core.api_document)
    compression.init_app(app)  # first: its after_request hook runs last, on the final body
    jwt.init_app(app)
    cache.init_app(app)
    i18n.init_app(app)
    # Before the limiter: bodies are checked before it reads the login; the access line and
    # the response headers (after_request runs in reverse) then see the final response.
    init_access_log(app)
    metrics.init_app(app)
    http.init_app(app)
    limiter.init_app(app)
    sock.init_app(app)
    transaction.init_app(app)
    outbox.install_listeners()
    auth.init_jwt_errors(app)
    realtime.init_app(app)
    mail.init_app(app)
    celery_init_app(app)
    for module in MODEL_MODULES + TASK_MODULES:
        __import__(module)
    tokens.init_app(app)
    etags.init_app(app)
    response_cache.init_app(app)  # last: its hooks see the final hook order


def register_blueprints(app: Flask) -> None:
    api = api_of(app)
    for module_name in API_MODULES:
        module = importlib.import_module(module_name)
        api.register_blueprint(module.blp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(ws.bp)
    for module_name in WS_MODULES + WEB_MODULES:
        app.register_blueprint(importlib.import_module(module_name).bp)
    app.register_blueprint(importlib.import_module("deltacrown.core.storage").bp)


def register_admin(app: Flask) -> None:
    admin = create_admin(app)
    for module_name in ADMIN_MODULES:
        importlib.import_module(module_name).register_admin(admin)
    app.extensions["deltacrown_admin"] = admin


def register_error_handlers(app: Flask) -> None:
    register_core_error_handlers(app)


def register_cli(app: Flask) -> None:
    for module_name in CLI_MODULES:
        importlib.import_module(module_name).register(app)


def _upgrade_schema(app: Flask) -> None:
    with app.app_context():
        upgrade(directory=MIGRATIONS_DIR, revision="heads")


def _schedule_embedded_jobs(app: Flask) -> None:
    """Start the in-process beat thread with the first request (never for CLI commands)."""
    if app.testing or not app.config.get("EMBEDDED_SCHEDULER"):
        return
    started = False

    @app.before_request
    def _start_scheduler() -> None:
        nonlocal started
        if not started:
            started = True
            start_embedded_scheduler(app)
