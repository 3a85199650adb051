"""The console speaks Vietnamese to a Vietnamese user, WTForms' own messages included."""

from __future__ import annotations

import importlib
import pkgutil

from flask_wtf import FlaskForm

import survey_app.admin
from survey_app.admin.formbase import ConsoleForm
from tests.factories import form_field


def test_wtforms_messages_are_vietnamese(staff_client):
    page = staff_client.get("/admin/password").get_data(as_text=True)
    response = staff_client.post("/admin/password", data={
        "csrf_token": form_field(page, "csrf_token"), "current": "", "new": "short", "repeat": "other"})
    text = response.get_data(as_text=True)
    assert "Ô này không được để trống." in text  # DataRequired
    assert "Cần nhập từ 10 đến 200 ký tự." in text  # Length(min=10, max=200)
    for english in ("This field is required", "Field must be between", "characters long"):
        assert english not in text


def test_wtforms_messages_stay_english_in_english(staff_client):
    page = staff_client.get("/admin/password?lang=en").get_data(as_text=True)
    response = staff_client.post("/admin/password", data={
        "csrf_token": form_field(page, "csrf_token"), "current": "", "new": "short", "repeat": "short"})
    assert "This field is required." in response.get_data(as_text=True)


def test_every_console_form_translates_wtforms_messages():
    """A form built on Flask-WTF's FlaskForm directly would show WTForms' English messages."""
    for module in pkgutil.iter_modules(survey_app.admin.__path__):
        importlib.import_module(f"survey_app.admin.{module.name}")

    def subclasses(cls: type) -> list[type]:
        return [cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))]

    ours = [c for c in subclasses(FlaskForm) if c.__module__.startswith("survey_app.")]
    assert len(ours) >= 10
    assert [c for c in ours if not issubclass(c, ConsoleForm)] == []


def test_make_translations_keeps_wtforms_messages(tmp_path):
    """``pybabel extract`` (``make translations``) finds WTForms' messages in formbase, so an
    update of the catalogue does not retire their Vietnamese."""
    import subprocess
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[3]
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).with_name("pybabel")), "extract", "-F", "babel.cfg", "-k", "_l",
                    "-o", str(pot), "--no-location", "--omit-header", "."],
                   cwd=root, check=True, capture_output=True)
    with pot.open("rb") as handle:
        extracted = read_po(handle)
    for message in ("This field is required.", "Field must be between %(min)d and %(max)d characters long.",
                    ("Field cannot be longer than %(max)d character.",
                     "Field cannot be longer than %(max)d characters.")):
        assert extracted.get(message if isinstance(message, str) else message[0]) is not None
    with (root / "survey_app/translations/vi/LC_MESSAGES/messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    assert catalogue.get("This field is required.").string == "Ô này không được để trống."
