"""The webhook domain's errors (problem+json codes)."""

from __future__ import annotations

from deltacrown.core.errors import ConflictError, NotFoundError, ValidationError


class EndpointNotFoundError(NotFoundError):
    code, title = "webhook_endpoint_not_found", "Webhook endpoint not found"


class DeliveryNotFoundError(NotFoundError):
    code, title = "webhook_delivery_not_found", "Webhook delivery not found"


class UnsafeUrlError(ValidationError):
    """The URL is not https where https is required, or resolves to an address that must not
    be called from the server (loopback, private, link-local, metadata, ...)."""

    code, title = "webhook_url_refused", "Webhook URL refused"


class UnknownTournamentError(ValidationError):
    code, title = "webhook_tournament_not_organized", "Not one of your tournaments"


class EndpointDisabledError(ConflictError):
    code, title = "webhook_endpoint_disabled", "Webhook endpoint disabled"
