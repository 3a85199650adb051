"""Configuration: production refuses weak secrets; environment overrides work."""

from __future__ import annotations

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
