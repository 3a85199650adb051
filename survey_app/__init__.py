"""The survey web application: respondents, staff console, machine API."""

from __future__ import annotations

from flask import Flask

from survey_app.config import load_config


def create_app(config: dict[str, object] | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers, CLI.

    No database work happens here; migrations run from ``flask db-upgrade``
    (``make run`` does it) so that starting a worker never changes the schema.
    """
    app = Flask(__name__, instance_relative_config=True)
    load_config(app, config)

    from survey_app import cli, errors, i18n, logs, security
    from survey_app.extensions import csrf, db, init_limiter

    logs.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    init_limiter(app)
    i18n.init_app(app)
    security.init_app(app)

    from survey_app.admin import bp as admin_bp
    from survey_app.api import bp as api_bp
    from survey_app.respondent import bp as respondent_bp

    # Survey forms check CSRF themselves so that a failed check keeps the answers.
    csrf.exempt(respondent_bp)
    csrf.exempt(api_bp)  # authenticated by API key, never by cookie
    app.register_blueprint(respondent_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api/v1")

    errors.init_app(app)
    cli.init_app(app)
    return app
