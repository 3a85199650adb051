"""Configuration: defaults in classes, overrides from ``SURVEY_*`` environment variables.

``SURVEY_ENV`` picks the class (``production`` unless told otherwise, so a server
started without settings refuses to run rather than running insecurely).
Every other setting is read by ``app.config.from_prefixed_env("SURVEY")``:
``SURVEY_DATABASE_URL`` becomes ``DATABASE_URL``, ``SURVEY_SMTP_PORT=2525``
becomes the integer 2525, and so on.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "development"}


class Config:
    DATABASE_URL: str | None = None  # default: SQLite file in the instance folder
    SECRET_KEY: str | None = None
    QUESTIONNAIRE_DIR = str(PROJECT_ROOT / "questionnaires")
    BASE_URL = "http://127.0.0.1:5000"
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    MAX_CONTENT_LENGTH = 256 * 1024  # a questionnaire answer never needs more
    MAX_FORM_MEMORY_SIZE = 256 * 1024
    MAX_FORM_PARTS = 400
    WTF_CSRF_TIME_LIMIT = 24 * 3600  # a long day at the console
    # Flask-WTF checks the console's forms from the console blueprint's guard
    # (survey_app/admin/__init__.py), not from a hook on every request of the app.
    WTF_CSRF_CHECK_DEFAULT = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = 8 * 3600
    RATELIMIT_STORAGE_URI = "memory://"
    # Storage failures surface as limits.errors.StorageError (respondent/ratelimit.py lets
    # a submission through on one; a login fails closed).
    RATELIMIT_STORAGE_OPTIONS = {"wrap_exceptions": True}
    RATELIMIT_ENABLED = True
    # X-RateLimit-* headers cost a second Redis round trip on every limited request;
    # a refusal still says when to come back (Retry-After, see errors.py).
    RATELIMIT_HEADERS_ENABLED = False
    # Public submissions, keyed on the resolved desk (respondent/ratelimit.py). Shipped
    # values, not from a decision: a phone (browser) sends its answer and maybe a few
    # more for family members; 300 phones behind one carrier NAT or office Wi-Fi in an
    # hour is more than a desk serves; a kiosk serves at most one person a minute.
    RATELIMIT_SUBMIT = "20 per hour"  # per browser (survey_browser cookie) at one desk
    RATELIMIT_ADDRESS = "300 per hour"  # per address at one desk: the ceiling against scripts
    RATELIMIT_DESK = "1200 per hour"  # per desk, all browsers together
    RATELIMIT_KIOSK = "120 per hour"  # per enrolled kiosk tablet
    RATELIMIT_SUSPECT = "40 per hour"  # per address at one desk: beyond it, stored but flagged
    # Counters in process memory (memory://) are per gunicorn worker: production refuses
    # them unless it is told it runs a single process.
    RATELIMIT_SINGLE_PROCESS = False
    RATELIMIT_LOGIN = "10 per minute"
    LOGIN_LOCK_AFTER = 5
    LOGIN_LOCK_MINUTES = 15
    SMTP_HOST = "127.0.0.1"
    SMTP_PORT = 25
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = False
    SMTP_TIMEOUT = 20
    MAIL_FROM = "khao-sat@localhost"
    MAIL_RATE_PER_SECOND = 5.0
    ACCESS_LOG = False  # see survey_app/logs.py: access logs would break anonymity
    TRUSTED_PROXIES = 0  # number of reverse proxies in front (nginx: 1)
    # Data-quality flags, shared with the analysis (analysis/quality.py; not from a decision).
    FAST_COMPLETION_SECONDS = 60  # too fast: completed in under this many seconds
    STRAIGHT_LINE_MIN_ITEMS = 5  # straight-lining: at least this many rating items, all answered alike
    # Invitations opened/completed are counted apart per group and unit only where at
    # least this many completed and this many did not (services/invitations/status.py).
    # Shipped value, not from a decision.
    COMPLETION_MIN_COUNT = 5
    KIOSK_IDLE_SECONDS = 90
    RESOLVE_CACHE_SECONDS = 5.0  # desk -> round -> questionnaire, per process


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production-0123456789"
    RATELIMIT_ENABLED = False
    MAIL_RATE_PER_SECOND = 0.0
    RESOLVE_CACHE_SECONDS = 0.0  # tests change rounds and expect to see it at once


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


class ConfigError(RuntimeError):
    """The configuration cannot be used safely."""


def load_config(app: Flask, overrides: dict[str, object] | None) -> None:
    """Fill ``app.config``: class defaults, then environment, then explicit overrides."""
    env = (overrides or {}).get("ENV_NAME") or os.environ.get("SURVEY_ENV", "production")
    if env not in CONFIGS:
        raise ConfigError(f"SURVEY_ENV must be one of {', '.join(CONFIGS)}, not {env!r}")
    app.config.from_object(CONFIGS[str(env)])
    app.config.from_prefixed_env("SURVEY")
    app.config.update(overrides or {})
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'survey.db'}"
    app.config["SECRET_KEY"] = _secret_key(app)
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("RATELIMIT_STORAGE_URL") or app.config[
        "RATELIMIT_STORAGE_URI"
    ]
    _check_ratelimit_storage(app)


def _check_ratelimit_storage(app: Flask) -> None:
    """Refuse per-process counters in production: with five gunicorn workers every limit is five times
    looser (120 tries gave 100 accepted), unless an operator says it runs one process only."""
    config = app.config
    if (config["ENV_NAME"] == "production" and config.get("RATELIMIT_ENABLED", True)
            and str(config["RATELIMIT_STORAGE_URI"]).startswith("memory://")
            and not config.get("RATELIMIT_SINGLE_PROCESS")):
        raise ConfigError(
            "rate-limit counters in memory are per process: set SURVEY_RATELIMIT_STORAGE_URL=redis://host:6379/0 "
            "(shared by every worker and server), or SURVEY_RATELIMIT_SINGLE_PROCESS=true if exactly one "
            "process serves the app"
        )


def _secret_key(app: Flask) -> str:
    key = app.config.get("SECRET_KEY")
    if key and str(key) not in WEAK_SECRETS and len(str(key)) >= 32:
        return str(key)
    if app.config["ENV_NAME"] == "production":
        raise ConfigError(
            "SURVEY_SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    # Development: a random key kept in the instance folder, outside the repository.
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
