"""Bare extension objects, initialised by :func:`survey_app.create_app`.

Keeping them here (and not in the factory) lets blueprints and services import
them without importing the app, and lets tests build as many apps as they like.
"""

from functools import partial

from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from survey_app.db import Database

db = Database()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def init_limiter(app: Flask) -> None:
    """Flask-Limiter, checking limits only where a view declares one.

    Every limit we set is a decorator on the view it guards (desk and kiosk
    submissions, login, minting slip codes), and a decorated view checks its own
    limits when it runs. The extension's before-request hook looks for default,
    application and blueprint limits on every request; we have none, and the look
    cost a quarter of a survey page view, so the hook is taken out. Declaring such
    limits would need it back: refuse to start rather than ignore them.
    """
    if app.config.setdefault("RATELIMIT_STRATEGY", "fixed-window") != "fixed-window":
        # respondent/ratelimit.py counts a submission's fixed windows itself, in one round trip.
        raise RuntimeError("RATELIMIT_STRATEGY must be fixed-window (respondent/ratelimit.py counts fixed windows)")
    limiter.init_app(app)
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits:
        raise RuntimeError("default or application rate limits need Flask-Limiter's before-request hook")
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when RATELIMIT_ENABLED is false
        hooks.remove(limiter._check_request_limit)
    if not limiter._headers_enabled:
        # Its after-request hook adds the X-RateLimit-* headers (off, see config) and
        # applies ``deduct_when`` costs (no limit of ours has one); its teardown clears
        # state kept on the request context, which is dropped with it. Neither is
        # needed, and both ran on every request, limited or not.
        for funcs in (app.after_request_funcs.get(None, []), app.teardown_request_funcs.get(None, [])):
            funcs[:] = [func for func in funcs if not _belongs_to_limiter(func)]


def _belongs_to_limiter(func: object) -> bool:
    if isinstance(func, partial):
        return limiter in func.args
    return getattr(func, "__self__", None) is limiter
