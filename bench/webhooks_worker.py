"""The Celery app `bench/webhooks.py` starts workers with (`-A webhooks_worker:celery`, run from
bench/ with the repository on PYTHONPATH); BENCH_DATABASE_URL and CELERY_BROKER_URL come from
the environment."""

from __future__ import annotations

import os

from deltacrown.app import create_app

app = create_app(
    "testing",
    SQLALCHEMY_DATABASE_URI=os.environ["BENCH_DATABASE_URL"],
    CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
)
celery = app.extensions["celery"]
