"""Celery-only settings (lowercase names), read from the environment, and the beat schedule.

Without CELERY_BROKER_URL (the embedded default) tasks run in-process and this schedule is
run by deltacrown.core.scheduler's thread; with a broker, `celery -A deltacrown.celery_app
worker` and `celery -A deltacrown.celery_app beat` run them.
"""

import os
from datetime import timedelta

broker_url = os.environ.get("CELERY_BROKER_URL") or "memory://"
result_backend = os.environ.get("CELERY_RESULT_BACKEND") or None
task_always_eager = not os.environ.get("CELERY_BROKER_URL")
task_eager_propagates = True
task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
task_ignore_result = True
timezone = "UTC"
enable_utc = True
worker_hijack_root_logger = False
broker_connection_retry_on_startup = True
# A task is acknowledged after it finishes, and a worker process killed mid-task (OOM, a
# deploy's SIGKILL) gives its message back to the queue, so the task runs again instead of
# being lost. Every task is written to run twice safely: periodic jobs sweep rows that are due,
# and the others check their row's state first.
task_acks_late = True
task_reject_on_worker_lost = True
# One message at a time per worker process, so a killed process holds back no other task.
worker_prefetch_multiplier = 1

# One entry per periodic job; `flask jobs run NAME` runs any of them once.
beat_schedule = {
    "purge-revoked-tokens": {
        "task": "accounts.purge_expired_revoked_tokens",
        "schedule": timedelta(hours=6),
    },
    "purge-account-tokens": {
        "task": "accounts.purge_expired_account_tokens",
        "schedule": timedelta(hours=6),
    },
    "purge-idempotency-keys": {
        "task": "core.purge_idempotency_keys",
        "schedule": timedelta(hours=1),
    },
    "apply-tournament-schedules": {
        "task": "tournaments.apply_scheduled_transitions",
        "schedule": timedelta(minutes=1),
    },
    "release-expired-holds": {
        "task": "economy.release_expired_holds",
        "schedule": timedelta(minutes=1),
    },
    "expire-team-invites": {
        "task": "teams.expire_invites",
        "schedule": timedelta(minutes=10),
    },
    "registrations-sweep": {
        "task": "registrations.sweep",
        "schedule": timedelta(minutes=1),
    },
    "close-due-checkins": {
        "task": "registrations.close_due_checkins",
        "schedule": timedelta(minutes=1),
    },
    "auto-confirm-results": {
        "task": "matches.auto_confirm_results",
        "schedule": timedelta(minutes=1),
    },
    # Beat's heartbeat (deltacrown_beat_heartbeat_timestamp_seconds): an alert fires when it stops.
    "beat-heartbeat": {
        "task": "core.beat_heartbeat",
        "schedule": timedelta(minutes=1),
    },
    "verify-ledger": {
        "task": "economy.verify_ledger",
        "schedule": timedelta(days=1),
    },
    "webhooks-retry-due": {
        "task": "webhooks.retry_due_deliveries",
        "schedule": timedelta(seconds=30),
    },
    "veto-timeouts": {
        "task": "matches.veto_timeouts",
        "schedule": timedelta(seconds=15),
    },
    "forfeit-no-shows": {
        "task": "matches.forfeit_no_shows",
        "schedule": timedelta(minutes=1),
    },
    "reveal-room-codes": {
        "task": "matches.reveal_room_codes",
        "schedule": timedelta(minutes=1),
    },
    "score-missed-tournaments": {
        "task": "leaderboards.score_missed_tournaments",
        "schedule": timedelta(minutes=10),
    },
    "notification-reminders": {
        "task": "notifications.send_reminders",
        "schedule": timedelta(minutes=1),
    },
    "retry-notification-emails": {
        "task": "notifications.retry_emails",
        "schedule": timedelta(minutes=1),
    },
    "notification-digests": {
        "task": "notifications.send_digests",
        "schedule": timedelta(hours=1),
    },
    "purge-notifications": {
        "task": "notifications.purge",
        "schedule": timedelta(hours=6),
    },
    # Analytics: the tournament summary (the task waits a random 0-10 min on a worker first)
    # and the system-health snapshots its hourly figures are computed from.
    "refresh-analytics": {
        "task": "analytics.refresh_summary",
        "schedule": timedelta(minutes=15),
    },
    "analytics-health-snapshot": {
        "task": "analytics.snapshot_health",
        "schedule": timedelta(minutes=5),
    },
    # With OUTBOX_RELAY=worker: what commits stored, when no `flask outbox relay` is running
    # (beside a running relay it does nothing).
    "relay-outbox": {
        "task": "core.relay_outbox",
        "schedule": timedelta(seconds=30),
    },
}
