"""Bare extension objects, initialised by :func:`survey_app.create_app`.

Keeping them here (and not in the factory) lets blueprints and services import
them without importing the app, and lets tests build as many apps as they like.
"""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from survey_app.db import Database

db = Database()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
