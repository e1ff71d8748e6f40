"""Webhook endpoints (an organizer's URL, its events and its signing secret) and deliveries
(one message to one endpoint, with the outcome of its latest attempt)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deltacrown.core.db import (
    TimestampMixin,
    UTCDateTime,
    VersionMixin,
    enum_type,
    json_dict_column,
    json_list_column,
)
from deltacrown.core.time import utcnow
from deltacrown.extensions import Model


class WebhookEndpoint(TimestampMixin, VersionMixin, Model):
    """An organizer's receiver. `events` lists the event types it wants; `tournament_ids`
    narrows them to some of the owner's tournaments (empty: all of them).

    The secret is kept as issued (`whsec_...`) because every delivery is signed with it; the
    API shows it once. After a rotation the previous secret also signs until
    `previous_secret_expires_at` (24 h), so a receiver can switch without losing messages."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    url: Mapped[str] = mapped_column(sa.String(2048), nullable=False)
    description: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    events: Mapped[list[str]] = json_list_column(nullable=False)
    tournament_ids: Mapped[list[int]] = json_list_column(nullable=False)
    secret: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    previous_secret: Mapped[str | None] = mapped_column(sa.String(64))
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(200))

    deliveries: Mapped[list[WebhookDelivery]] = relationship(
        back_populates="endpoint", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return self.url

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} owner={self.owner_id} {self.url!r}>"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # not tried yet
    RETRYING = "retrying"  # failed, tried again at next_attempt_at
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # gave up: a 4xx, the last attempt, or the endpoint disabled


OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


class WebhookDelivery(Model):
    """One message to one endpoint. A replay is a new row with the same `message_id` (the
    `webhook-id` header), so receivers that deduplicate on it see the same message again."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.Index("ix_webhook_deliveries_status_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False, index=True
    )
    message_id: Mapped[str] = mapped_column(sa.String(40), nullable=False, index=True)
    event_type: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    # The body sent: {"type", "timestamp", "data"}.
    payload: Mapped[dict[str, Any]] = json_dict_column(nullable=False)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus, 16), nullable=False, default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_status: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[str | None] = mapped_column(sa.Text)  # the first 1 KiB
    latency_ms: Mapped[int | None] = mapped_column(sa.Integer)
    error: Mapped[str | None] = mapped_column(sa.String(255))
    replay_of_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("webhook_deliveries.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship(back_populates="deliveries")

    def __str__(self) -> str:
        return f"Delivery #{self.id}"

    def __repr__(self) -> str:
        return f"<WebhookDelivery {self.id} {self.event_type} {self.status}>"
