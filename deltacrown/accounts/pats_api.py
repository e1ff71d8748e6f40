"""Personal access tokens API: make, list and revoke scoped tokens for bots and integrations."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.accounts import pats
from deltacrown.accounts.pats import TokenLimitError, TokenNotFoundError
from deltacrown.accounts.security_schemas import (
    PersonalTokenCreateArgs,
    PersonalTokenCreatedSchema,
    PersonalTokenSchema,
)
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.core.pagination import paginate_select

blp = Blueprint(
    "personal_tokens",
    __name__,
    url_prefix="/api/me/tokens",
    description="Personal access tokens: scoped `dc_pat_…` bearer tokens for bots, overlays and "
    "other integrations, which act as their owner within their scopes and never with staff "
    "rights. A token cannot manage tokens.",
)


@blp.route("/")
class PersonalTokenCollection(MethodView):
    @login_required
    @blp.response(200, PersonalTokenSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Any:
        """My tokens that are not revoked (never the token text), newest first."""
        return paginate_select(pats.list_tokens(require_user().id), pagination_parameters)

    @login_required
    @blp.arguments(PersonalTokenCreateArgs)
    @blp.response(201, PersonalTokenCreatedSchema)
    @blp.errors(TokenLimitError, 422)
    def post(self, args: dict[str, Any]) -> Any:
        """Make a token with the scopes given (see the `tokenAuth` security scheme); the answer
        holds the token itself, shown only now. Send it as `Authorization: Bearer dc_pat_…`."""
        token, secret = pats.create_token(
            require_user(),
            name=args["name"],
            scopes=args["scopes"],
            expires_at=args.get("expires_at"),
        )
        token.token = secret  # type: ignore[attr-defined]  # dumped once, never stored
        return token


@blp.route("/<int:token_id>/")
class PersonalTokenItem(MethodView):
    @login_required
    @blp.response(204)
    @blp.errors(TokenNotFoundError)
    def delete(self, token_id: int) -> None:
        """Revoke one of my tokens: it answers 401 `token_revoked` from now on."""
        pats.revoke(require_user(), token_id)
