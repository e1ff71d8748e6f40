"""Match lifecycle Celery tasks (thin wrappers around services): the minute sweeps."""

from __future__ import annotations

from celery import shared_task

from deltacrown.matches import rooms, services, veto


@shared_task(name="matches.auto_confirm_results")
def auto_confirm_results() -> int:
    """Confirm result submissions left unanswered past `result_confirmation_minutes`."""
    return services.auto_confirm_due()


@shared_task(name="matches.forfeit_no_shows")
def forfeit_no_shows() -> dict[str, int]:
    """Forfeit the side not checked in by `scheduled_at + no_show_grace_minutes` (both absent:
    the match is cancelled for the organizer to decide)."""
    return services.forfeit_no_shows()


@shared_task(name="matches.veto_timeouts")
def veto_timeouts() -> dict[str, int]:
    """Open the timed map vetoes of ready matches and take a random ban, pick or side for
    each side whose veto turn ran out."""
    return veto.sweep()


@shared_task(name="matches.reveal_room_codes")
def reveal_room_codes() -> int:
    """Send lobby codes to their matches' sides once `reveal_room_minutes` before the match
    has come."""
    return rooms.reveal_due()
