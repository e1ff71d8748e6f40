"""Response compression (flask-compress): brotli or gzip, as the client's Accept-Encoding asks.

JSON, problem details, CSV, SVG and HTML bodies of 1 KiB or more are compressed; smaller ones
are not worth the CPU. Streamed bodies (CSV exports, files) and websockets are left alone.
`Vary: Accept-Encoding` is set on every response so shared caches keep the variants apart, and a
compressed response's strong ETag gets the algorithm as a suffix (`"abc:gzip"`), so a client's
If-None-Match still answers 304.
"""

from __future__ import annotations

from flask import Flask
from flask_compress import Compress

compress = Compress()

DEFAULTS = {
    "COMPRESS_MIMETYPES": [
        "application/json",
        "application/problem+json",
        "application/xml",
        "image/svg+xml",
        "text/csv",
        "text/css",
        "text/html",
        "text/javascript",
        "text/plain",
    ],
    "COMPRESS_MIN_SIZE": 1024,
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_STREAMS": False,
}


def init_app(app: Flask) -> None:
    """Register compression; call it before any other `after_request` hook so it runs last
    and compresses the final body."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    compress.init_app(app)
