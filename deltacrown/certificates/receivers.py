"""This domain's reactions to other domains' signals, connected by `deltacrown.wiring`:

* `tournament_completed` → enqueue `certificates.generate_for_tournament` (every participant's
  certificate in every language). The signal is sent after the completing commit, so the
  task sees the completed tournament; `flask certificates generate` makes any certificate a
  lost task left behind.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from deltacrown.certificates import services
from deltacrown.core import background

log = logging.getLogger(__name__)


def on_tournament_completed(sender: Any, *, tournament_id: int, **payload: Any) -> None:
    """Start the batch outside the request that completed the tournament (Celery workers, or
    this process's background threads in the embedded default). It never raises: a receiver
    that raised would keep the signal from the receivers after it."""
    if not current_app.config.get("CERTIFICATES_ON_COMPLETION", True):
        return
    try:
        background.start(services.GENERATE_TASK, tournament_id=tournament_id)
    except Exception:
        log.exception("certificates of tournament %s were not made", tournament_id)
