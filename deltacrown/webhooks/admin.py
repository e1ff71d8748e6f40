"""Flask-Admin views for webhooks: endpoints (with their breaker state; secrets never shown)
and deliveries, with a replay action that calls the service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask_admin.actions import action

from deltacrown.core import admin_pages
from deltacrown.core.admin import ReadOnlyModelView, run_for_each
from deltacrown.core.time import utcnow
from deltacrown.extensions import db
from deltacrown.webhooks import breaker, services
from deltacrown.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

SECRETS = ("secret", "previous_secret")


class WebhookEndpointAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "owner_id",
        "url",
        "events",
        "is_active",
        "disabled_reason",
        "breaker",
        "created_at",
    )
    column_exclude_list = SECRETS
    column_details_exclude_list = SECRETS
    column_filters = ("owner_id", "is_active")
    column_searchable_list = ("url",)
    column_default_sort = ("id", True)
    column_formatters = {"breaker": lambda view, context, model, name: breaker.state_of(model.id)}
    column_formatters_detail = column_formatters
    column_details_list = (
        "id",
        "owner_id",
        "url",
        "description",
        "events",
        "tournament_ids",
        "is_active",
        "disabled_reason",
        "previous_secret_expires_at",
        "breaker",
        "created_at",
        "updated_at",
    )


class WebhookDeliveryAdmin(ReadOnlyModelView):
    column_list = (
        "id",
        "endpoint_id",
        "event_type",
        "status",
        "attempts",
        "response_status",
        "next_attempt_at",
        "created_at",
    )
    column_searchable_list = ("event_type", "message_id", "error")
    column_filters = ("endpoint_id", "event_type", "status", "message_id")
    column_default_sort = ("id", True)

    @action("replay", "Replay", "Send the selected deliveries' messages again?")
    def action_replay(self, ids: list[str]) -> None:
        run_for_each(
            ids,
            lambda delivery_id, actor: services.replay_by_id(delivery_id, actor),
            "Queued {count} replay(s).",
        )


def _failed_deliveries() -> int:
    since = utcnow() - timedelta(days=1)
    return int(
        db.session.scalar(
            sa.select(sa.func.count(WebhookDelivery.id)).where(
                WebhookDelivery.status == DeliveryStatus.FAILED,
                WebhookDelivery.created_at >= since,
            )
        )
        or 0
    )


def register_admin(admin: Any) -> None:
    admin.add_view(
        WebhookEndpointAdmin(
            WebhookEndpoint, db, category="Webhooks", name="Endpoints", endpoint="admin_webhooks"
        )
    )
    admin.add_view(
        WebhookDeliveryAdmin(
            WebhookDelivery,
            db,
            category="Webhooks",
            name="Deliveries",
            endpoint="admin_webhook_deliveries",
        )
    )
    admin_pages.add_home_tile(
        admin,
        "Failed webhook deliveries (24 h)",
        _failed_deliveries,
        (
            "admin_webhook_deliveries.index_view",
            admin_pages.filter_args(
                admin, "admin_webhook_deliveries", "status", DeliveryStatus.FAILED.value
            ),
        ),
        hint="Deliveries that gave up: check the endpoint, then replay.",
    )
