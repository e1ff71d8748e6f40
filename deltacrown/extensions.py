"""The unbound extension objects, re-exported from the core modules that own them.

`create_app` binds them. Each lives beside the code that uses it (`db` in core/db.py, `jwt` in
core/auth.py, `sock` in core/ws.py, ...) so the kernel never imports this module; domains may
import either place.
"""

from __future__ import annotations

from deltacrown.core.auth import jwt
from deltacrown.core.cache import cache
from deltacrown.core.db import Model, db, migrate
from deltacrown.core.ratelimit import limiter
from deltacrown.core.ws import sock

__all__ = ["Model", "cache", "db", "jwt", "limiter", "migrate", "sock"]
