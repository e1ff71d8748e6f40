"""Analytics' reactions to other domains' signals, connected by `deltacrown.wiring`:

* `tournament_state_changed` to `completed` → `analytics.refresh_tournament` in the
  background (`core.background.start`), so the final figures are in the summary at once.

A receiver never raises; the periodic refresh catches anything missed.
"""

from __future__ import annotations

import logging
from typing import Any

from deltacrown.core import background

log = logging.getLogger(__name__)


def on_tournament_state_changed(
    sender: Any, *, tournament_id: int, after: str, **payload: Any
) -> None:
    if after != "completed":
        return
    try:
        background.start("analytics.refresh_tournament", tournament_id=tournament_id)
    except Exception:
        log.exception("analytics: refresh of tournament %s failed to start", tournament_id)
