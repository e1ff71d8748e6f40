"""Celery wiring: `celery_init_app(app)` with a Flask-aware Task, and `celery` for the CLI.

Every task runs inside the Flask app context and the unit-of-work boundary: it commits on
success, rolls back on error, and runs its after-commit effects only after the commit.
`celery -A deltacrown.celery_app worker` / `beat` build the app lazily via `__getattr__`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from celery import Celery, Task
from flask import Flask

from deltacrown.core import task_batch, task_metrics
from deltacrown.core.transaction import unit_of_work


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context(), unit_of_work():
                return self.run(*args, **kwargs)

        def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
            # Started by a commit's effects with a broker: joins that commit's one message.
            if not self.app.conf.task_always_eager:
                collected = task_batch.offer(self, args, kwargs, options)
                if collected is not None:
                    return collected
            return super().apply_async(args, kwargs, **options)

    celery_app = Celery(app.import_name, task_cls=FlaskTask)
    celery_app.config_from_object("celeryconfig")
    broker = app.config.get("CELERY_BROKER_URL")
    celery_app.conf.update(
        broker_url=broker or "memory://",
        result_backend=app.config.get("CELERY_RESULT_BACKEND"),
        task_always_eager=not broker,
    )
    celery_app.set_default()
    task_metrics.init_celery(celery_app, broker)
    app.extensions["celery"] = celery_app
    return celery_app


def __getattr__(name: str) -> Any:
    if name in ("celery", "app"):
        # `celery -A deltacrown.celery_app:celery` puts the working directory on sys.path only
        # while it imports this module, not while it reads this attribute; the project root
        # (celeryconfig.py) must stay importable for the app factory.
        root = str(Path(__file__).resolve().parent.parent)
        if root not in sys.path:
            sys.path.append(root)
        # Here, not at the top: the app factory imports this module (celery_init_app).
        from deltacrown.app import create_app

        return create_app().extensions["celery"]
    raise AttributeError(name)
