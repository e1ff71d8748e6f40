"""Tournament templates API: save, list, change and delete templates, and create a draft from
one (`POST /api/tournaments/from-template/`, which honours Idempotency-Key)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.accounts.recovery_errors import EmailNotVerifiedError
from deltacrown.core.api import Blueprint
from deltacrown.core.auth import get_current_user, login_required, require_user
from deltacrown.core.errors import PermissionDeniedError
from deltacrown.core.pagination import paginate_select
from deltacrown.core.scopes import TokenScopes
from deltacrown.tournaments import policies, queries, services
from deltacrown.tournaments.api import CONFIG_ERRORS, present
from deltacrown.tournaments.errors import (
    InvalidCustomFieldError,
    InvalidRegexError,
    InvalidTemplateError,
    TemplateNotFoundError,
    TournamentNotFoundError,
)
from deltacrown.tournaments.schemas import (
    FromTemplateArgs,
    TemplateCreateArgs,
    TemplateQueryArgs,
    TemplateSchema,
    TemplateUpdateArgs,
    TournamentSchema,
)

blp = Blueprint(
    "tournament-templates",
    __name__,
    url_prefix="/api",
    description="Reusable tournament configurations.",
    token_scopes=TokenScopes("tournaments:read", "tournaments:write"),
)

TEMPLATE_CONFIG_ERRORS = (*CONFIG_ERRORS, InvalidCustomFieldError, InvalidRegexError)


def _editable(template_id: int, actor: Any) -> Any:
    """Pre-check (404, then 403) so a stranger's stale If-Match never earns a 412."""
    template = queries.get_template(template_id, actor)
    if not policies.can_edit_template(actor, template):
        raise PermissionDeniedError("Only the template's owner and staff may change it.")
    return template


@blp.route("/tournament-templates/")
class TemplateCollection(MethodView):
    @login_required(optional=True)
    @blp.arguments(TemplateQueryArgs, location="query")
    @blp.response(200, TemplateSchema(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Your templates and every public one (anonymous: public ones)."""
        query = queries.list_templates(get_current_user(), game=args.get("game"), mine=args["mine"])
        return paginate_select(query, pagination_parameters)

    @login_required
    @blp.arguments(TemplateCreateArgs)
    @blp.response(201, TemplateSchema)
    @blp.errors(*TEMPLATE_CONFIG_ERRORS, TournamentNotFoundError, PermissionDeniedError)
    def post(self, args: dict[str, Any]) -> Any:
        """Save a template from a config, or from one of your tournaments (`from_tournament`)."""
        return services.create_template(actor=require_user(), **args)


@blp.route("/tournament-templates/<int:template_id>/")
class TemplateItem(MethodView):
    @login_required(optional=True)
    @blp.etag
    @blp.response(200, TemplateSchema)
    @blp.errors(TemplateNotFoundError)
    def get(self, template_id: int) -> Any:
        """Get a template (public, or your own)."""
        template = queries.get_template(template_id, get_current_user())
        blp.set_etag(template)
        return template

    @login_required
    @blp.etag
    @blp.arguments(TemplateUpdateArgs)
    @blp.response(200, TemplateSchema)
    @blp.errors(TemplateNotFoundError, PermissionDeniedError, *TEMPLATE_CONFIG_ERRORS)
    def patch(self, args: dict[str, Any], template_id: int) -> Any:
        """Rename a template, make it public or private, or replace its config (owner, staff)."""
        actor = require_user()
        blp.check_etag(_editable(template_id, actor))
        template = services.update_template(template_id, actor=actor, changes=args)
        blp.set_etag(template)
        return template

    @login_required
    @blp.etag
    @blp.response(204)
    @blp.errors(TemplateNotFoundError, PermissionDeniedError)
    def delete(self, template_id: int) -> None:
        """Delete a template (owner, staff)."""
        actor = require_user()
        blp.check_etag(_editable(template_id, actor))
        services.delete_template(template_id, actor=actor)


@blp.route("/tournaments/from-template/")
class TournamentFromTemplate(MethodView):
    @blp.idempotent
    @login_required
    @blp.etag
    @blp.arguments(FromTemplateArgs)
    @blp.response(201, TournamentSchema)
    @blp.errors(
        TemplateNotFoundError,
        InvalidTemplateError,
        PermissionDeniedError,
        EmailNotVerifiedError,
        *TEMPLATE_CONFIG_ERRORS,
    )
    def post(self, args: dict[str, Any]) -> Any:
        """Create a draft from a template; other fields override the template's values."""
        actor = require_user()
        template_id = args.pop("template")
        tournament = services.apply_template(template_id, actor=actor, overrides=args)
        return present(tournament, actor)
