"""Configuration: defaults in classes, overrides from ``SURVEY_*`` environment variables.

``SURVEY_ENV`` picks the class (``production`` unless told otherwise, so a server
started without settings refuses to run rather than running insecurely).
Every other setting is read by ``app.config.from_prefixed_env("SURVEY")``:
``SURVEY_DATABASE_URL`` becomes ``DATABASE_URL``, ``SURVEY_SMTP_PORT=2525``
becomes the integer 2525, and so on.

A checkout remembers its own choices in ``instance/settings.env`` (``SURVEY_*=value``
lines, written by ``make`` when it sets the checkout up): so a command pasted into a fresh shell after
``make run`` or ``make test`` (``.venv/bin/flask --app wsgi users create ...``) runs in development like
the server it was printed by, instead of failing as an unconfigured production. The real
environment always wins over the file, and gunicorn (``gunicorn.conf.py``) sets
``SURVEY_ENV=production`` unless told otherwise, so a production server never picks up a
checkout's development choice.
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
    # The sending office, shown as the sender's name and under every invitation, and the
    # line saying whom to ask. Shipped placeholders, not a decision: set SURVEY_MAIL_AGENCY
    # and SURVEY_MAIL_CONTACT to the district's own office, phone and address.
    MAIL_AGENCY = "Phòng Nội vụ"
    MAIL_CONTACT: str | None = None
    # Groups that answer for an organisation: their emails say "Quý Công ty/Quý cơ quan".
    ORGANISATION_GROUPS = ["business"]
    ACCESS_LOG = False  # see survey_app/logs.py: access logs would break anonymity
    TRUSTED_PROXIES = 0  # number of reverse proxies in front (nginx: 1)
    PORT = 5000  # development: the public address is http://127.0.0.1:PORT unless BASE_URL is set
    # Data-quality flags, shared with the analysis (analysis/quality.py; not from a decision).
    FAST_COMPLETION_SECONDS = 60  # too fast: completed in under this many seconds
    STRAIGHT_LINE_MIN_ITEMS = 5  # straight-lining: at least this many rating items, all answered alike
    # Invitations opened/completed are counted apart per group and unit only where at
    # least this many completed and this many did not (services/invitations/status.py).
    # Shipped value, not from a decision.
    COMPLETION_MIN_COUNT = 5
    KIOSK_IDLE_SECONDS = 90
    # desk -> round -> questionnaire, per process: a desk, unit or round changed in the console
    # reaches respondents' pages within this many seconds. Each refresh reloads them (about 2 ms
    # of CPU per desk and worker); at 5 s that was a tenth of a page view's server CPU under a QR
    # rush (bench/README.md, session 6). Not from a decision.
    RESOLVE_CACHE_SECONDS = 30.0


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


SETTINGS_FILE = "settings.env"


def checkout_settings(instance_path: str | Path) -> dict[str, str]:
    """``SURVEY_*`` values remembered by this checkout (``instance/settings.env``), if any.

    One ``NAME=value`` a line; blank lines and ``#`` comments are skipped. Only
    ``SURVEY_*`` names are taken, so the file cannot change anything else.
    """
    path = Path(instance_path) / SETTINGS_FILE
    if not path.is_file():
        return {}
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not name.startswith("SURVEY_"):
            raise ConfigError(f"{path}, line {number}: expected SURVEY_NAME=value, not {line!r}")
        values[name] = value.strip()
    return values


def load_config(app: Flask, overrides: dict[str, object] | None) -> None:
    """Fill ``app.config``: class defaults, the checkout's settings file, environment, overrides."""
    remembered = checkout_settings(app.instance_path)
    environ = {**remembered, **{k: v for k, v in os.environ.items() if k.startswith("SURVEY_")}}
    env = (overrides or {}).get("ENV_NAME") or environ.get("SURVEY_ENV", "production")
    if env not in CONFIGS:
        raise ConfigError(f"SURVEY_ENV must be one of {', '.join(CONFIGS)}, not {env!r}")
    app.config.from_object(CONFIGS[str(env)])
    if env != "testing":  # tests set what they need and nothing more
        for name, value in remembered.items():
            if name not in os.environ:
                _set_prefixed(app, name, value)
    app.config.from_prefixed_env("SURVEY")
    app.config.update(overrides or {})
    base_url_given = "BASE_URL" in (overrides or {}) or "SURVEY_BASE_URL" in environ
    if env == "development" and not base_url_given:
        # The development server's own address: `PORT=5301 make run` puts 5301 on every
        # QR code, poster and emailed link (make writes SURVEY_PORT to the settings file).
        app.config["BASE_URL"] = f"http://127.0.0.1:{app.config.get('PORT') or 5000}"
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


def _set_prefixed(app: Flask, name: str, value: str) -> None:
    """Set one ``SURVEY_*`` value the way ``from_prefixed_env`` would (JSON where it parses)."""
    import json

    try:
        parsed: object = json.loads(value)
    except ValueError:
        parsed = value
    app.config[name.removeprefix("SURVEY_")] = parsed


def _secret_key(app: Flask) -> str:
    key = app.config.get("SECRET_KEY")
    if key and str(key) not in WEAK_SECRETS and len(str(key)) >= 32:
        return str(key)
    if app.config["ENV_NAME"] == "production":
        raise ConfigError(
            "SURVEY_SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'); "
            "for development, run `make run` once or set SURVEY_ENV=development"
        )
    # Development: a random key kept in the instance folder, outside the repository.
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
