"""My summary: everything a phone's home screen shows, in one call."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from deltacrown.core.api import Blueprint
from deltacrown.core.auth import login_required, require_user
from deltacrown.home import services
from deltacrown.home.schemas import SummarySchema

blp = Blueprint(
    "home",
    __name__,
    url_prefix="/api",
    description="My summary for a phone's home screen.",
)


@blp.route("/me/summary/")
class MySummary(MethodView):
    @login_required
    @blp.etag
    @blp.response(200, SummarySchema)
    def get(self) -> Any:
        """My home screen in one call: my next match, how many notifications I have not
        read, my open team invites, my active registrations and my wallet balance.

        Lists are capped at 20 items (the full ones: `/api/me/team-invites/`,
        `/api/me/registrations/`); the ETag lets a client poll cheaply (304)."""
        return services.summary(require_user().id)
