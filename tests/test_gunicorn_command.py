"""The gunicorn lines the README and docs/operations.md document start without warnings:
gunicorn's own configuration check for the gthread worker stays silent on them."""

from __future__ import annotations

import logging
import re
import shlex
from pathlib import Path

import pytest
from gunicorn.config import Config
from gunicorn.workers.gthread import ThreadWorker

ROOT = Path(__file__).resolve().parent.parent
COMMAND = re.compile(r"(?:\.venv/bin/)?gunicorn [^`\n]*wsgi:app")


def documented_commands() -> list[str]:
    commands = []
    for name in ("README.md", "docs/operations.md"):
        commands += COMMAND.findall((ROOT / name).read_text())
    return commands


def parsed(argv: list[str]) -> Config:
    """gunicorn's configuration from a command line, read as `gunicorn` itself reads it."""
    cfg = Config()
    for key, value in vars(cfg.parser().parse_args(argv)).items():
        if value is not None and key in cfg.settings:
            cfg.set(key.lower(), value)
    return cfg


def arguments(command: str) -> list[str]:
    """The command's arguments; a `-b HOST:PORT` placeholder is left out."""
    words = shlex.split(command)[1:]
    if "HOST:PORT" in words:
        at = words.index("HOST:PORT")
        del words[at - 1 : at + 1]
    return words


def warnings_for(command: str) -> list[str]:
    cfg = parsed(arguments(command))
    assert cfg.worker_class_str == "gthread", command
    logger = logging.getLogger("test.gunicorn")
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        ThreadWorker.check_config(cfg, logger)
    finally:
        logger.removeHandler(handler)
    return records


def test_the_documentation_has_gunicorn_commands():
    assert len(documented_commands()) >= 3


@pytest.mark.parametrize("command", documented_commands())
def test_a_documented_gunicorn_command_starts_without_warnings(command):
    assert warnings_for(command) == []


@pytest.mark.parametrize("command", documented_commands())
def test_a_documented_command_caps_connections_at_its_threads(command):
    """The fairness the sizing relies on: a process whose threads are all held stops
    accepting, so the other processes take new connections."""
    cfg = parsed(arguments(command))
    assert cfg.worker_connections == cfg.threads, command


def test_the_check_does_warn_on_a_cap_at_the_threads_with_keep_alive():
    command = "gunicorn -k gthread --threads 8 --worker-connections 8 wsgi:app"
    assert warnings_for(command) and "keepalived" in warnings_for(command)[0]


def test_a_worker_moves_what_it_built_out_of_the_garbage_collectors_generations():
    import gc
    import runpy

    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    try:
        hooks["post_worker_init"](None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_a_worker_builds_its_apps_openapi_document_before_its_first_request():
    import gc
    import runpy
    from types import SimpleNamespace

    from deltacrown.app import create_app
    from deltacrown.core.api_document import api_of

    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert api_of(app)._pending_docs, "an app documents its blueprints when first read"
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    try:
        hooks["post_worker_init"](SimpleNamespace(wsgi=app))
    finally:
        gc.unfreeze()
    assert not api_of(app)._pending_docs
