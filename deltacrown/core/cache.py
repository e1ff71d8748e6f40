"""The app's cache (flask-caching), unbound: memory in the embedded default, Redis in server
mode (`create_app` derives the settings from REDIS_URL and binds it)."""

from __future__ import annotations

from flask_caching import Cache

cache = Cache()
