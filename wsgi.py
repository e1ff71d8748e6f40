"""WSGI entry point for gunicorn and `flask --app wsgi`."""

from deltacrown import create_app
from deltacrown.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:  # refuse to start with a one-line reason, not a traceback
    raise SystemExit(f"deltacrown: refusing to start: {exc}") from None
