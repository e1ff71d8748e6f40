"""Certificates' Celery task: make every certificate of a completed tournament (idempotent:
a second run, or a run after a lost worker, makes only what is missing)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from deltacrown.certificates import batch
from deltacrown.certificates.services import GENERATE_TASK


@shared_task(name=GENERATE_TASK, acks_late=True, reject_on_worker_lost=True)
def generate_for_tournament(
    tournament_id: int, language: str | None = None, force_regenerate: bool = False
) -> dict[str, Any]:
    """Every participant's certificate, in `language` or in every language."""
    summary = batch.generate(tournament_id, language, force=force_regenerate)
    return {"tournament_id": tournament_id, "made": summary.made, "failed": len(summary.failed)}
