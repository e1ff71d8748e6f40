"""The Celery app a real worker runs in tests/webhooks/test_worker.py:
`celery -A tests.webhooks.celery_worker:celery worker`, with WEBHOOK_TEST_DATABASE_URL and
CELERY_BROKER_URL in the environment."""

from __future__ import annotations

import os

from deltacrown.app import create_app

app = create_app(
    "testing",
    SQLALCHEMY_DATABASE_URI=os.environ["WEBHOOK_TEST_DATABASE_URL"],
    CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
)
celery = app.extensions["celery"]
