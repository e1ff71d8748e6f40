"""API documentation pages: Swagger UI and ReDoc, served with their assets from this app.

The assets come from the `openapi-ui-bundles` package, so the pages work on offline
deployments (a CDN-hosted page is blank there).
"""

from __future__ import annotations

from pathlib import Path

import openapi_ui_bundles
from flask import Blueprint, Response, abort, send_from_directory, url_for

from deltacrown.core.http import csp_nonce

bp = Blueprint("api_docs", __name__, url_prefix="/api/docs")

_ASSET_DIRS: dict[str, Path] = {
    "swagger-ui": Path(openapi_ui_bundles.swagger_ui.static_path),
    "redoc": Path(openapi_ui_bundles.redoc.static_path),
}

SWAGGER_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <title>DeltaCrown API · Swagger UI</title>
  <link rel="stylesheet" type="text/css" href="{assets}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{assets}/favicon-32x32.png" sizes="32x32">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{assets}/swagger-ui-bundle.js" charset="UTF-8"></script>
  <script src="{assets}/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
  <script nonce="{nonce}">
    window.onload = function () {{
      window.ui = SwaggerUIBundle({{
        url: "{spec_url}",
        dom_id: "#swagger-ui",
        deepLinking: true,
        persistAuthorization: true,
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        layout: "BaseLayout"
      }});
    }};
  </script>
</body>
</html>
"""

REDOC_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>DeltaCrown API · ReDoc</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <style>body {{ margin: 0; padding: 0; }}</style>
</head>
<body>
  <redoc spec-url="{spec_url}"></redoc>
  <script src="{assets}/redoc.standalone.js"></script>
</body>
</html>
"""


def _page(template: str, bundle: str) -> Response:
    html = template.format(
        assets=url_for("api_docs.asset", bundle=bundle, filename="").rstrip("/"),
        spec_url=url_for("api-docs.openapi_json"),
        nonce=csp_nonce(),
    )
    return Response(html, mimetype="text/html")


@bp.get("/swagger")
def swagger_ui() -> Response:
    return _page(SWAGGER_PAGE, "swagger-ui")


@bp.get("/redoc")
def redoc() -> Response:
    return _page(REDOC_PAGE, "redoc")


@bp.get("/assets/<bundle>/<path:filename>")
def asset(bundle: str, filename: str) -> Response:
    directory = _ASSET_DIRS.get(bundle)
    if directory is None or filename.endswith(".html"):
        abort(404)
    response = send_from_directory(directory, filename, max_age=86400)
    return response
