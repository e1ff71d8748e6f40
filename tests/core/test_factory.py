"""The factory in both run modes, and production's refusal of unsafe defaults."""

import pytest

from deltacrown.app import create_app
from deltacrown.config import DEFAULT_SECRET, ConfigError, load_config
from deltacrown.config_checks import validate
from deltacrown.core.ratelimit import storage_uri

SERVER_ENV = {
    "DATABASE_URL": "postgresql+psycopg://app@db.internal:5432/deltacrown",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/1",
    "CELERY_RESULT_BACKEND": "redis://cache.internal:6379/2",
    "SECRET_KEY": "s" * 40,
    "JWT_SECRET_KEY": "j" * 40,
}
ENV_NAMES = list(SERVER_ENV) + ["DELTACROWN_ENV", "SENTRY_DSN"]


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_embedded_default_needs_no_environment(clean_env, tmp_path):
    app = create_app(None, AUTO_MIGRATE=False, EMBEDDED_SCHEDULER=False)
    assert app.config["ENV_NAME"] == "development"
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("/instance/deltacrown.sqlite3")
    assert app.config["CACHE_TYPE"] == "SimpleCache"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    celery = app.extensions["celery"]
    assert celery.conf.task_always_eager is True
    assert app.config["REDIS_URL"] is None
    from deltacrown.core.realtime import MemoryBroker

    assert isinstance(app.extensions["deltacrown_realtime"], MemoryBroker)


def test_embedded_default_upgrades_the_schema_and_enables_wal(clean_env, tmp_path):
    import sqlalchemy as sa

    from deltacrown.extensions import db

    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    app = create_app(None, SQLALCHEMY_DATABASE_URI=url, EMBEDDED_SCHEDULER=False)
    with app.app_context():
        assert db.session.scalar(sa.text("SELECT count(*) FROM games")) == 9
        assert db.session.scalar(sa.text("PRAGMA journal_mode")) == "wal"
        assert db.session.scalar(sa.text("PRAGMA busy_timeout")) == 15000
        db.session.remove()
        db.engine.dispose()


def test_server_mode_reads_the_environment(clean_env):
    for key, value in SERVER_ENV.items():
        clean_env.setenv(key, value)
    values = load_config(None)
    assert values["SQLALCHEMY_DATABASE_URI"] == SERVER_ENV["DATABASE_URL"]
    assert values["REDIS_URL"] == SERVER_ENV["REDIS_URL"]
    assert values["CELERY_BROKER_URL"] == SERVER_ENV["CELERY_BROKER_URL"]
    assert values["SECRET_KEY"] == "s" * 40


def test_server_mode_app_uses_redis_and_a_real_broker(clean_env):
    for key, value in SERVER_ENV.items():
        clean_env.setenv(key, value)
    app = create_app(None, AUTO_MIGRATE=False, EMBEDDED_SCHEDULER=False)
    assert app.config["CACHE_TYPE"] == "RedisCache"
    assert app.config["RATELIMIT_STORAGE_URI"] == storage_uri(SERVER_ENV["REDIS_URL"])
    from deltacrown.core.realtime import RedisBroker

    assert isinstance(app.extensions["deltacrown_realtime"], RedisBroker)
    celery = app.extensions["celery"]
    assert celery.conf.task_always_eager is False
    assert celery.conf.broker_url == SERVER_ENV["CELERY_BROKER_URL"]


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY"),
        ("JWT_SECRET_KEY", "JWT_SECRET_KEY"),
        ("DATABASE_URL", "DATABASE_URL"),
        ("REDIS_URL", "REDIS_URL"),
        ("CELERY_BROKER_URL", "CELERY_BROKER_URL"),
    ],
)
def test_production_refuses_unsafe_defaults_with_one_line(clean_env, missing, message):
    for key, value in SERVER_ENV.items():
        if key != missing:
            clean_env.setenv(key, value)
    clean_env.setenv("DELTACROWN_ENV", "production")
    with pytest.raises(ConfigError) as info:
        create_app()
    text = str(info.value)
    assert message in text and "\n" not in text


def test_production_refuses_sqlite(clean_env):
    for key, value in SERVER_ENV.items():
        clean_env.setenv(key, value)
    clean_env.setenv("DATABASE_URL", "sqlite:////tmp/prod.sqlite3")
    clean_env.setenv("DELTACROWN_ENV", "production")
    with pytest.raises(ConfigError, match="not SQLite"):
        create_app()


def test_production_refuses_the_default_secret():
    values = {
        "ENV_NAME": "production",
        "SECRET_KEY": DEFAULT_SECRET,
        "JWT_SECRET_KEY": "x" * 40,
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://x/y",
        "REDIS_URL": "redis://x",
        "CELERY_BROKER_URL": "redis://x",
    }
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        validate(values)


def test_production_app_starts_with_everything_set(clean_env):
    for key, value in SERVER_ENV.items():
        clean_env.setenv(key, value)
    clean_env.setenv("DELTACROWN_ENV", "production")
    app = create_app()
    assert app.config["ENV_NAME"] == "production"
    assert app.config["AUTO_MIGRATE"] is False


def test_unknown_environment_name_is_refused(clean_env):
    clean_env.setenv("DELTACROWN_ENV", "staging")
    with pytest.raises(ConfigError, match="DELTACROWN_ENV"):
        create_app()


def test_sentry_is_initialised_only_with_a_dsn(clean_env, monkeypatch):
    import sentry_sdk

    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kw: calls.append(kw))
    create_app("testing")
    assert calls == []
    create_app("testing", SENTRY_DSN="https://key@sentry.example/1")
    assert calls and calls[0]["dsn"] == "https://key@sentry.example/1"
    assert calls[0]["data_collection"]["user_info"] is False


@pytest.mark.parametrize("key", ["SECRET_KEY", "JWT_SECRET_KEY"])
def test_production_refuses_a_short_secret(clean_env, key):
    for name, value in SERVER_ENV.items():
        clean_env.setenv(name, value)
    clean_env.setenv(key, "short")
    clean_env.setenv("DELTACROWN_ENV", "production")
    with pytest.raises(ConfigError, match=f"{key} of at least 32 characters") as info:
        create_app()
    assert "\n" not in str(info.value)


def test_production_accepts_a_secret_of_exactly_32_characters(clean_env):
    for name, value in SERVER_ENV.items():
        clean_env.setenv(name, value)
    clean_env.setenv("SECRET_KEY", "k" * 32)
    clean_env.setenv("JWT_SECRET_KEY", "j" * 32)
    clean_env.setenv("DELTACROWN_ENV", "production")
    assert create_app().config["SECRET_KEY"] == "k" * 32


def test_the_openapi_document_is_built_when_first_read_with_every_blueprint(database_url):
    from deltacrown.core.api_document import api_of

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    api = api_of(app)
    assert api._pending_docs, "starting an app documents no blueprint yet"
    with app.app_context():
        document = api.spec.to_dict()
        assert not api._pending_docs
        assert "/api/tournaments/" in document["paths"]
        assert {"tournaments", "matches"} <= {tag["name"] for tag in document["tags"]}
        response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["paths"].keys() == document["paths"].keys()


def test_an_app_keeps_its_own_document_when_another_app_is_built_or_fails_to_start(
    app, database_url
):
    """The OpenAPI document belongs to its app: building a second app in the same process,
    or failing to (a bad setting refused after the extensions began), changes nothing in the
    first one's."""
    before = app.test_client().get("/api/openapi.json").get_json()["paths"].keys()
    assert "/api/tournaments/" in before
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url)
    with pytest.raises(ValueError, match="MAIL_BACKEND"):
        create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://", MAIL_BACKEND="pigeon")
    for served in (app, other):
        response = served.test_client().get("/api/openapi.json")
        assert response.status_code == 200
        assert response.get_json()["paths"].keys() == before
