"""Configuration: production refuses weak secrets; environment overrides work."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app import create_app
from survey_app.config import ConfigError


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SURVEY_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SURVEY_SECRET_KEY"):
        create_app({"ENV_NAME": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    monkeypatch.setenv("SURVEY_SECRET_KEY", "dev")
    with pytest.raises(ConfigError):
        create_app({"ENV_NAME": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_production_refuses_per_process_rate_limit_counters(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.delenv("SURVEY_RATELIMIT_STORAGE_URL", raising=False)
    with pytest.raises(ConfigError, match="SURVEY_RATELIMIT_STORAGE_URL"):
        create_app({"ENV_NAME": "production"})
    assert create_app({"ENV_NAME": "production", "RATELIMIT_SINGLE_PROCESS": True})
    monkeypatch.setenv("SURVEY_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379/8")
    assert create_app({"ENV_NAME": "production"}).config["RATELIMIT_STORAGE_URI"].startswith("redis://")


def test_production_with_a_secret_key_has_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_SECRET_KEY", "k" * 48)
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("SURVEY_RATELIMIT_SINGLE_PROCESS", "true")
    app = create_app({"ENV_NAME": "production"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["DATABASE_URL"].endswith("x.db")


def test_development_generates_a_secret_into_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SURVEY_SECRET_KEY", raising=False)
    monkeypatch.setenv("SURVEY_ENV", "development")
    from flask import Flask

    from survey_app.config import load_config

    app = Flask("x", instance_path=str(tmp_path / "instance"))
    load_config(app, None)
    key = app.config["SECRET_KEY"]
    assert len(key) >= 32 and (tmp_path / "instance" / "secret_key").read_text() == key
    again = Flask("x", instance_path=str(tmp_path / "instance"))
    load_config(again, None)
    assert again.config["SECRET_KEY"] == key


def test_environment_overrides_are_typed(monkeypatch, app):
    monkeypatch.setenv("SURVEY_SMTP_PORT", "2525")
    from flask import Flask

    from survey_app.config import load_config

    other = Flask("y", instance_path=app.instance_path)
    load_config(other, {"ENV_NAME": "testing"})
    assert other.config["SMTP_PORT"] == 2525


def test_the_checkout_settings_file_makes_commands_development_and_the_port_public(monkeypatch, tmp_path):
    """`make run` writes instance/settings.env; a later command in a fresh shell uses it."""
    from flask import Flask

    from survey_app.config import load_config

    for name in ("SURVEY_ENV", "SURVEY_SECRET_KEY", "SURVEY_BASE_URL", "SURVEY_PORT"):
        monkeypatch.delenv(name, raising=False)
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "settings.env").write_text("# by make run\nSURVEY_ENV=development\nSURVEY_PORT=5301\n")
    app = Flask("x", instance_path=str(instance))
    load_config(app, None)
    assert app.config["ENV_NAME"] == "development" and len(app.config["SECRET_KEY"]) >= 32
    assert app.config["BASE_URL"] == "http://127.0.0.1:5301"  # QR codes and emails follow the port
    # The environment wins over the file, and an explicit public address wins over the port.
    monkeypatch.setenv("SURVEY_BASE_URL", "https://khaosat.example.gov.vn")
    again = Flask("x", instance_path=str(instance))
    load_config(again, None)
    assert again.config["BASE_URL"] == "https://khaosat.example.gov.vn"
    monkeypatch.setenv("SURVEY_ENV", "production")
    with pytest.raises(ConfigError, match="SURVEY_SECRET_KEY"):
        load_config(Flask("x", instance_path=str(instance)), None)


def test_a_malformed_settings_line_is_named(monkeypatch, tmp_path):
    from flask import Flask

    from survey_app.config import load_config

    monkeypatch.delenv("SURVEY_ENV", raising=False)
    (tmp_path / "settings.env").write_text("SURVEY_ENV=development\nPATH=/tmp\n")
    with pytest.raises(ConfigError, match="line 2"):
        load_config(Flask("x", instance_path=str(tmp_path)), None)


def test_gunicorn_is_production_unless_told(monkeypatch):
    import runpy

    monkeypatch.setenv("SURVEY_ENV", "recorded")  # so that monkeypatch restores it afterwards
    monkeypatch.delenv("SURVEY_ENV")
    runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    import os

    assert os.environ["SURVEY_ENV"] == "production"
