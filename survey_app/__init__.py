"""The survey web application: respondents, staff console, machine API."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from survey_app.config import load_config


class SurveyFlask(Flask):
    """Flask, remembering which of its functions are synchronous.

    Flask asks ``inspect.iscoroutinefunction`` about every view, hook and
    teardown function on every request, a few per cent of a survey page view;
    the answer never changes for a function, so it is kept (weakly, since
    ``after_this_request`` functions live for one request only).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Maps a function to whether it is plain ``def``; a value never refers to its key,
        # so a dropped function's entry goes with it.
        self._is_sync: weakref.WeakKeyDictionary[Callable[..., Any], bool] = weakref.WeakKeyDictionary()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            if self._is_sync[func]:
                return func
        except KeyError:
            pass
        except TypeError:  # not weakly referable: ask every time, as Flask does
            return super().ensure_sync(func)
        sync = super().ensure_sync(func)
        self._is_sync[func] = sync is func
        return sync


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` in every route, never beyond a 64-bit signed integer.

    A larger number cannot name a row, and SQLite's driver raises OverflowError
    (a 500) on it; out of range, the route simply does not match (404).
    """

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config: dict[str, object] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers, CLI.

    No database work happens here; migrations run from ``flask db-upgrade``
    (``make run`` does it) so that starting a worker never changes the schema.
    """
    app = SurveyFlask(__name__, instance_relative_config=True)
    app.url_map.converters["int"] = BoundedIntegerConverter
    load_config(app, config)

    from survey_app import cli, errors, formats, i18n, logs, security
    from survey_app.extensions import csrf, db, init_limiter

    logs.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    init_limiter(app)
    i18n.init_app(app)
    formats.init_app(app)  # dd/mm/yyyy, Vietnam time, decimal comma (formats need i18n, not the reverse)
    security.init_app(app)

    from survey_app.admin import bp as admin_bp
    from survey_app.api import bp as api_bp
    from survey_app.respondent import bp as respondent_bp

    app.register_blueprint(respondent_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api/v1")

    errors.init_app(app)
    cli.init_app(app)
    return app
