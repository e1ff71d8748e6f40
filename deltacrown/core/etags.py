"""ETag and 304 on every successful JSON GET under /api/.

Views that know their resource's version set a weak version ETag themselves (`@blp.etag`,
`core.api.Blueprint.set_etag`); every other JSON answer (lists, summaries, reports) gets a weak
ETag from a hash of its body, and a request whose `If-None-Match` holds it is answered
`304 Not Modified` without the body. Runs before compression, so the ETag names the
uncompressed representation whatever the encoding.
"""

from __future__ import annotations

from flask import Flask, Response, request

JSON_TYPES = frozenset({"application/json"})


def _etag_and_304(response: Response) -> Response:
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if not request.path.startswith("/api/") or response.mimetype not in JSON_TYPES:
        return response
    if response.direct_passthrough or response.is_streamed:
        return response
    if "ETag" not in response.headers:
        response.add_etag(weak=True)
    response.make_conditional(request)  # changes the response in place (304, no body)
    return response


def init_app(app: Flask) -> None:
    """Register the hook; call it after the hooks that must see the full answer."""
    app.after_request(_etag_and_304)
