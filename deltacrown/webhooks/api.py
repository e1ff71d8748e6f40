"""The organizer's webhook endpoints: register, list, change, rotate the secret, remove,
send a test, and read and replay the delivery log. Each user sees only their own endpoints
(staff see all)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.pagination import (
    CURSOR_RESPONSE_HEADERS,
    CursorArgs,
    InvalidCursorError,
    cursor_page,
    paginate_select,
    with_next_cursor,
)
from deltacrown.core.scopes import TokenScopes
from deltacrown.webhooks import queries, services
from deltacrown.webhooks.errors import (
    DeliveryNotFoundError,
    EndpointDisabledError,
    EndpointNotFoundError,
    UnknownTournamentError,
    UnsafeUrlError,
)
from deltacrown.webhooks.models import WebhookDelivery, WebhookEndpoint
from deltacrown.webhooks.schemas import (
    DeliverySchema,
    EndpointCreateArgs,
    EndpointSchema,
    EndpointUpdateArgs,
    EndpointWithSecretSchema,
)

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/webhooks",
    description="Signed webhooks (Standard Webhooks) to an organizer's own systems for their "
    "tournaments' events, with a delivery log that can be replayed.",
    token_scopes=TokenScopes("webhooks:manage", "webhooks:manage"),
)


def present(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Set the ETag (the endpoint's version) on the answer."""
    blp.set_etag(endpoint)
    return endpoint


@blp.route("/endpoints/")
class EndpointCollection(MethodView):
    @login_required
    @blp.response(200, EndpointSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """My webhook endpoints (staff: everyone's)."""
        return paginate_select(queries.list_endpoints(require_user()), pagination_parameters)

    @login_required
    @blp.arguments(EndpointCreateArgs)
    @blp.response(201, EndpointWithSecretSchema)
    @blp.errors(UnsafeUrlError, UnknownTournamentError)
    def post(self, args: dict[str, Any]) -> Any:
        """Register an endpoint for events of the tournaments I organize. The answer holds
        the signing secret, shown only here: verify each delivery's `webhook-signature` with
        it (any Standard Webhooks library does)."""
        return services.create_endpoint(
            require_user(),
            url=args["url"],
            events=args["events"],
            tournament_ids=args.get("tournament_ids", []),
            description=args.get("description", ""),
        )


@blp.route("/endpoints/<int:endpoint_id>/")
class EndpointItem(MethodView):
    @login_required
    @blp.etag
    @blp.response(200, EndpointSchema)
    @blp.errors(EndpointNotFoundError)
    def get(self, endpoint_id: int) -> Any:
        """One of my endpoints, with its breaker state."""
        return present(queries.get_endpoint(endpoint_id, require_user()))

    @login_required
    @blp.etag
    @blp.arguments(EndpointUpdateArgs)
    @blp.response(200, EndpointSchema)
    @blp.errors(EndpointNotFoundError, UnsafeUrlError, UnknownTournamentError)
    def patch(self, args: dict[str, Any], endpoint_id: int) -> Any:
        """Change an endpoint's URL, events, tournaments or description, or switch it off
        and on."""
        actor = require_user()
        endpoint = queries.get_endpoint(endpoint_id, actor)
        blp.check_etag(endpoint)
        return present(services.update_endpoint(endpoint, actor, args))

    @login_required
    @blp.etag
    @blp.response(204)
    @blp.errors(EndpointNotFoundError)
    def delete(self, endpoint_id: int) -> None:
        """Remove an endpoint and its delivery log."""
        actor = require_user()
        endpoint = queries.get_endpoint(endpoint_id, actor)
        blp.check_etag(endpoint)
        services.delete_endpoint(endpoint, actor)


@blp.route("/endpoints/<int:endpoint_id>/rotate-secret/")
class EndpointRotateSecret(MethodView):
    @login_required
    @blp.response(200, EndpointWithSecretSchema)
    @blp.errors(EndpointNotFoundError)
    def post(self, endpoint_id: int) -> Any:
        """Replace the signing secret with a new one (shown only here). For 24 hours deliveries carry a
        signature with the old secret too, so the receiver can switch without a gap."""
        actor = require_user()
        return services.rotate_secret(queries.get_endpoint(endpoint_id, actor), actor)


@blp.route("/endpoints/<int:endpoint_id>/test/")
class EndpointTest(MethodView):
    @login_required
    @blp.response(202, DeliverySchema)
    @blp.errors(EndpointNotFoundError, EndpointDisabledError)
    def post(self, endpoint_id: int) -> Any:
        """Send a `ping` event to the endpoint; the delivery shows how it went."""
        return services.send_test(queries.get_endpoint(endpoint_id, require_user()))


@blp.route("/endpoints/<int:endpoint_id>/deliveries/")
class EndpointDeliveries(MethodView):
    @login_required
    @blp.arguments(CursorArgs, location="query")
    @blp.response(200, DeliverySchema(many=True), headers=CURSOR_RESPONSE_HEADERS)
    @blp.errors(EndpointNotFoundError, InvalidCursorError)
    def get(self, args: dict[str, Any], endpoint_id: int) -> Any:
        """The endpoint's deliveries, newest first: status, attempts, the response code,
        the first 1 KiB of the response and the latency. Follow `X-Next-Cursor`."""
        endpoint = queries.get_endpoint(endpoint_id, require_user())
        return with_next_cursor(
            *cursor_page(queries.list_deliveries(endpoint.id), WebhookDelivery.id, args)
        )


@blp.route("/endpoints/<int:endpoint_id>/deliveries/<int:delivery_id>/replay/")
class DeliveryReplay(MethodView):
    @login_required
    @blp.response(202, DeliverySchema)
    @blp.errors(EndpointNotFoundError, DeliveryNotFoundError, EndpointDisabledError)
    def post(self, endpoint_id: int, delivery_id: int) -> Any:
        """Send a delivery's message again (same `webhook-id`, a fresh signature) as a new
        delivery."""
        actor = require_user()
        delivery = queries.get_delivery(queries.get_endpoint(endpoint_id, actor), delivery_id)
        return services.replay(delivery, actor)
