"""The OpenAPI document of `core.api.Api`, built when first read.

Building the document takes more than half of an app's start-up, and most processes never
read it (Celery workers, CLI commands): a blueprint's views are registered at once and enter
the document on the first use of `spec` (serving /api/openapi.json, `flask openapi`, the
contract checks; gunicorn's workers build it before their first request, gunicorn.conf.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:  # core.api mixes DocumentedOnRead into its Api: no import at run time
    from deltacrown.core.api import Api


def api_of(app: Flask | None = None) -> Api:
    """The `core.api.Api` of `app` (default: the current app). There is one per app, made by
    `create_app` (`Api().init_app(app)`), so that an app's document stays its own when another
    app is built in the same process (tests, tools), or fails to start half way."""
    target = app if app is not None else current_app
    found: Api = target.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return found


class DocumentedOnRead:
    """Mixed into flask-smorest's Api: `register_blueprint` leaves the blueprint's
    documentation for the first read of `spec`."""

    _pending_docs: list[tuple[Any, Flask, str, Any]]
    _app: Flask

    def init_app(self, app: Flask, *, spec_kwargs: Any = None) -> None:
        self._pending_docs = []
        super().init_app(app, spec_kwargs=spec_kwargs)  # type: ignore[misc]

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """As flask-smorest's, with the documentation of `blp` left for the first read."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._pending_docs.append((blp, self._app, name, parameters))

    @property
    def spec(self) -> Any:
        """The OpenAPI document, with every registered blueprint in it."""
        pending = self.__dict__.get("_pending_docs")
        if pending:
            self._pending_docs = []
            document = self.__dict__["_spec"]
            for blp, app, name, parameters in pending:
                with app.app_context():
                    blp.register_views_in_doc(self, app, document, name=name, parameters=parameters)
                document.tag({"name": name, "description": blp.description})
        return self.__dict__.get("_spec")

    @spec.setter
    def spec(self, value: Any) -> None:
        self.__dict__["_spec"] = value
