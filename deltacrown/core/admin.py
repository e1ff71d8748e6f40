"""Flask-Admin bases for staff: a sign-in page, staff-only access, read-only and service-backed views.

Anonymous visitors are redirected (302) to `/admin/login/`; a signed-in user who is not staff
gets an HTML 403 page with a link back to the site. With `STAFF_REQUIRE_2FA` on, staff without
two-factor sign-in are sent to a page that tells them how to turn it on; the sign-in form asks
for the authenticator's code of accounts that have it. Admin sign-in uses the Flask session (a
browser), separate from the API's tokens.
How a login becomes a user is answered by the accounts domain through the `admin_auth` port
(provided by `deltacrown.wiring`), since core knows no domain.

Every change staff make through an action or form runs in `admin_action()`: its own unit of
work, committed on success; a broken rule (`DomainError`) rolls it back and is shown to staff
as a flashed message. Admin views never commit themselves.

The sign-in page has the API login's limits: `RATELIMIT_AUTH` per client address and the
per-account lockout of failed passwords (a browser that signed in before keeps a device
cookie that exempts it). A session is bound to the user's credentials version (a password
change ends it), lives at most `ADMIN_SESSION_HOURS`, and carries an id that signing out
revokes on the server, so a copied cookie does not outlive the sign-out.
"""

from __future__ import annotations

import csv
import io
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

from flask import (
    Response,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_admin import Admin, AdminIndexView, expose
from flask_admin.contrib.sqla import ModelView
from flask_admin.theme import Bootstrap4Theme
from flask_limiter.errors import RateLimitExceeded
from werkzeug.utils import secure_filename
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from deltacrown.core import admin_format, admin_pages
from deltacrown.core.admin_filters import ListArguments, ValueEnumFilterConverter
from deltacrown.core.admin_forms import StaffForm
from deltacrown.core.csv import format_cell
from deltacrown.core.errors import DomainError
from deltacrown.core.inputs import id_from_text
from deltacrown.core.ports import Port
from deltacrown.core.ratelimit import auth_limit, ip_key, limiter
from deltacrown.core.transaction import unit_of_work

SESSION_KEY = "admin_user_id"
SESSION_CREDENTIALS = "admin_cv"
SESSION_ID = "admin_sid"
SESSION_SINCE = "admin_since"
DEVICE_COOKIE = "deltacrown_device"


class AdminAuth(Protocol):
    """How a login becomes a user: the accounts domain answers (`deltacrown.wiring` provides
    it on each app as `admin_auth`), since core knows no domain."""

    def authenticate(self, login: str, password: str, device_token: str | None) -> Any:
        """The user, or None for wrong credentials; raises a DomainError to refuse with its
        message (a locked account)."""
        ...

    def load_user(self, user_id: int) -> Any:
        """The user with this id, or None."""
        ...

    def device_token(self, user: Any) -> str:
        """A token that marks this browser as one the user signed in from."""
        ...

    def revoke_session(self, sid: str, user_id: int, expires_at: datetime) -> None:
        """End the admin session `sid` on the server (kept until `expires_at`)."""
        ...

    def is_session_revoked(self, sid: str) -> bool:
        """Whether the admin session `sid` was ended by signing out."""
        ...

    def second_factor_enabled(self, user: Any) -> bool:
        """Whether the user signs in with a second factor."""
        ...

    def check_second_factor(self, user: Any, code: str) -> None:
        """Accept the authenticator's code or a recovery code; raises a DomainError to refuse
        with its message (wrong or reused code, locked account)."""
        ...

    def second_factor_missing(self, user: Any) -> bool:
        """Whether the user is staff who must turn on two-factor sign-in first."""
        ...


admin_auth: Port[AdminAuth] = Port("core.admin_auth")


def _session_seconds() -> int:
    return int(float(current_app.config.get("ADMIN_SESSION_HOURS", 12)) * 3600)


def start_admin_session(user: Any) -> None:
    """Sign `user` in to the admin: a fresh session bound to their credentials version."""
    session.clear()
    session[SESSION_KEY] = user.id
    session[SESSION_CREDENTIALS] = user.credentials_version
    session[SESSION_ID] = secrets.token_hex(16)
    session[SESSION_SINCE] = int(time.time())


def _session_user() -> Any:
    user_id, sid = session.get(SESSION_KEY), session.get(SESSION_ID)
    since = session.get(SESSION_SINCE)
    if user_id is None:
        return None
    if not isinstance(sid, str) or not isinstance(since, int):
        return None
    if time.time() - since > _session_seconds():
        return None
    auth = admin_auth.get()
    if auth.is_session_revoked(sid):
        return None
    try:
        user = auth.load_user(int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None or not user.is_active:
        return None
    if session.get(SESSION_CREDENTIALS) != user.credentials_version:
        return None  # the password changed since this session began
    return user


def current_admin_user() -> Any:
    """The signed-in admin user (any active user), or None; an ended session is cleared."""
    if "admin_user" in g:
        return g.admin_user
    user = _session_user()
    if user is None and SESSION_KEY in session:
        session.clear()
    g.admin_user = user
    return user


class StaffAccessMixin:
    """Staff only: anonymous → 302 to the sign-in page, non-staff → 403."""

    def is_accessible(self) -> bool:
        return has_staff_rights(current_admin_user())

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        return refuse_access()


def has_staff_rights(user: Any) -> bool:
    """Staff whose rights are in force: with `STAFF_REQUIRE_2FA`, a second factor is on."""
    if user is None or not user.is_staff:
        return False
    return not admin_auth.get().second_factor_missing(user)


def refuse_access() -> Any:
    """What a view answers to a visitor it does not admit: the sign-in page (anonymous), the
    page about turning on two-factor sign-in (staff without it), else the 403 page."""
    user = current_admin_user()
    if user is None:
        return redirect(url_for("admin.login", next=request.full_path))
    if user.is_staff:  # staff without the required second factor
        return redirect(url_for("admin.two_factor_required"))
    return forbidden_page()


def forbidden_page() -> Any:
    """The HTML 403 page for a signed-in user who is not staff, with a way back."""
    body = render_template("admin/forbidden.html", user=current_admin_user())
    return make_response(body, 403)


class LoginForm(StaffForm):
    login = StringField("Username or e-mail", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    code = StringField("Authentication code", validators=[Optional(), Length(max=40)])


class StaffIndexView(StaffAccessMixin, AdminIndexView):
    """The admin home page, plus sign-in and sign-out (the only pages open to everyone)."""

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        if name in ("login", "logout", "two_factor_required"):
            return None
        return super()._handle_view(name, **kwargs)

    @expose("/")
    def index(self) -> Any:
        tiles = [
            (tile, tile.count(), admin_pages.first_url(tile.links))
            for tile in admin_pages.home_tiles(self.admin)
        ]
        return self.render("admin/index.html", user=current_admin_user(), tiles=tiles)

    @expose("/login/", methods=("GET", "POST"))
    def login(self) -> Any:
        form = LoginForm(request.form)
        if request.method == "POST":
            try:
                with limiter.limit(auth_limit, key_func=ip_key):
                    return self._sign_in(form)
            except RateLimitExceeded:
                flash("Too many sign-in attempts from this address; wait a minute.", "error")
                return self.render("admin/login.html", form=form), 429, {"Retry-After": "60"}
        return self.render("admin/login.html", form=form)

    def _sign_in(self, form: LoginForm) -> Any:
        if not form.validate():
            return self.render("admin/login.html", form=form)
        auth = admin_auth.get()
        try:
            user = auth.authenticate(
                form.login.data or "", form.password.data or "", request.cookies.get(DEVICE_COOKIE)
            )
        except DomainError as exc:
            flash(exc.detail or exc.title, "error")
            return self.render("admin/login.html", form=form), exc.status, exc.headers
        if user is None:
            flash("Wrong username/e-mail or password.", "error")
            return self.render("admin/login.html", form=form)
        if auth.second_factor_enabled(user):
            code = (form.code.data or "").strip()
            if not code:
                flash("Enter your authenticator app's code (or a recovery code).", "error")
                return self.render("admin/login.html", form=form), 401
            try:
                auth.check_second_factor(user, code)
            except DomainError as exc:
                flash(exc.detail or exc.title, "error")
                return self.render("admin/login.html", form=form), exc.status, exc.headers
        start_admin_session(user)
        target = request.args.get("next") or ""
        # Only local admin paths: never an open redirect.
        if not target.startswith("/admin") or target.startswith("//"):
            target = url_for("admin.index")
        response = redirect(target)
        response.set_cookie(
            DEVICE_COOKIE,
            auth.device_token(user),
            max_age=180 * 24 * 3600,
            path="/admin/",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=True,
            samesite="Lax",
        )
        return response

    @expose("/two-factor-required/")
    def two_factor_required(self) -> Any:
        if current_admin_user() is None:
            return redirect(url_for("admin.login"))
        return self.render("admin/two_factor_required.html"), 403

    @expose("/logout/", methods=("POST", "GET"))
    def logout(self) -> Any:
        user_id, sid = session.get(SESSION_KEY), session.get(SESSION_ID)
        since = session.get(SESSION_SINCE)
        if isinstance(user_id, int) and isinstance(sid, str) and isinstance(since, int):
            expires = datetime.fromtimestamp(since + _session_seconds(), tz=UTC)
            admin_auth.get().revoke_session(sid, user_id, expires)
        session.clear()
        return redirect(url_for("admin.login"))


def error_message(error: DomainError) -> str:
    """A broken rule as one line for staff: its detail (or title), then any per-field messages."""
    fields = "; ".join(
        f"{field}: {' '.join(map(str, messages if isinstance(messages, list) else [messages]))}"
        for field, messages in (error.errors or {}).items()
    )
    return " ".join(filter(None, [error.detail or error.title, fields]))


class ActionOutcome:
    """How an `admin_action` ended: `ok` once committed, else the `error` that refused it."""

    def __init__(self) -> None:
        self.ok = False
        self.error: DomainError | None = None


@contextmanager
def admin_action(label: str = "", *, flash_error: bool = True) -> Iterator[ActionOutcome]:
    """Run one staff change as its own unit of work (`core.transaction.unit_of_work`).

    The block's changes commit when it ends (then its after-commit effects run). A
    `DomainError` rolls everything back and is not raised: its message is flashed as an
    error, after `label` (such as ``"#12: "``), unless `flash_error` is false, and is kept on
    the outcome. Any other exception rolls back and propagates (a bug, not a refusal)::

        with admin_action(f"#{raw_id}: ") as outcome:
            services.publish_tournament(int(raw_id), actor=current_admin_user())
        if outcome.ok:
            flash("Published.", "success")
    """
    outcome = ActionOutcome()
    try:
        with unit_of_work():
            yield outcome
    except DomainError as exc:
        outcome.error = exc
        if flash_error:
            flash(label + error_message(exc), "error")
    else:
        outcome.ok = True


def run_for_each(ids: list[str], call: Callable[[int, Any], Any], done: str) -> int:
    """Run an admin bulk action: `call(id, actor)` per selected row, each in its own
    `admin_action` (one refusal does not undo the others), refusals flashed; returns how many
    succeeded. `done` is formatted with `count`."""
    actor = current_admin_user()
    succeeded = 0
    for raw_id in ids:
        row_id = id_from_text(raw_id)
        if row_id is None:
            flash(f"#{raw_id[:20]}: no such row.", "error")
            continue
        with admin_action(f"#{raw_id}: ") as outcome:
            call(row_id, actor)
        succeeded += outcome.ok
    if succeeded:
        flash(done.format(count=succeeded), "success")
    return succeeded


class StaffModelView(StaffAccessMixin, ListArguments, ModelView):
    """Base for staff CRUD on reference data (games, shop items, ...)."""

    filter_converter = ValueEnumFilterConverter()
    page_size = 50
    can_set_page_size = True
    page_size_options = (20, 50, 100, 200)
    can_view_details = True
    can_export = True
    export_max_rows = 10_000
    form_base_class = StaffForm
    # Names instead of reprs, enums as labels, times in the viewer's zone (core.admin_format).
    column_type_formatters = admin_format.TYPE_FORMATTERS
    column_type_formatters_detail = admin_format.DETAIL_FORMATTERS
    column_type_formatters_export = admin_format.EXPORT_FORMATTERS

    def search_placeholder(self) -> str | None:
        """`Search username, e-mail` rather than the columns' code names."""
        if not self.column_searchable_list:
            return None
        labels = self.column_labels or {}
        names = []
        for field in self.column_searchable_list:
            key = field if isinstance(field, str) else str(getattr(field, "key", field))
            name = labels.get(key) or key.split(".")[-1].removesuffix("_key").replace("_", " ")
            names.append(str(name).lower())
        return "Search " + ", ".join(dict.fromkeys(names))

    def _export_csv(self, return_url: Any) -> Any:
        """The list as CSV (at most `export_max_rows` rows), written while the rows are still
        in the session (Flask-Admin streams after the request's session is gone), with
        formula-safe cells."""
        _, rows = self._export_data()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([str(title) for _, title in self._export_columns])
        for row in rows:
            writer.writerow(
                [format_cell(self.get_export_value(row, name)) for name, _ in self._export_columns]
            )
        filename = secure_filename(self.get_export_name(export_type="csv"))
        return Response(
            buffer.getvalue(),
            headers={"Content-Disposition": f"attachment;filename={filename}"},
            mimetype="text/csv",
        )


class ReadOnlyModelView(StaffModelView):
    """Stateful entities: staff may look, services change them."""

    can_create = False
    can_edit = False
    can_delete = False
    action_disallowed_list = ["delete"]


def create_admin(app: Any) -> Admin:
    """A fresh Admin per app (Flask-Admin binds views to one app)."""
    admin = Admin(
        name="DeltaCrown staff",
        index_view=StaffIndexView(url="/admin", endpoint="admin", name="Home"),
        theme=Bootstrap4Theme(fluid=True),  # lists use the whole screen width
    )
    admin.init_app(app)
    return admin
