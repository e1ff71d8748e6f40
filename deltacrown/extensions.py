"""Unbound extension singletons; `create_app` binds them. Nothing here touches an app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_caching import Cache
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sock import Sock
from flask_sqlalchemy import SQLAlchemy

from deltacrown.core.api import Api
from deltacrown.core.db import Base
from deltacrown.core.ratelimit import default_limit, is_exempt, rate_limit_key

db = SQLAlchemy(model_class=Base)
if TYPE_CHECKING:
    Model = Base  # what type checkers see: the typed declarative base db.Model is built from
else:
    Model = db.Model
migrate = Migrate()
api = Api()
sock = Sock()
jwt = JWTManager()
cache = Cache()
limiter = Limiter(key_func=rate_limit_key, default_limits=[default_limit])
limiter.request_filter(is_exempt)
