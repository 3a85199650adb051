"""Language selection: Vietnamese by default, English on request.

The choice is taken from ``?lang=`` (the visible switch), remembered in the
session, and otherwise Vietnamese; we do not guess from Accept-Language because
a phone set to English in Viet Nam still belongs to a Vietnamese respondent.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import Flask, current_app, request, session

from survey_app.extensions import babel


@lru_cache(maxsize=16)
def _locale(code: str) -> Locale:
    """Parsed once: Flask-Babel passes a Locale through, but would parse a string on every request."""
    return Locale.parse(code)


def select_locale() -> Locale:
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang") if request.query_string else None
    if asked in languages:
        session["lang"] = asked
        return _locale(asked)
    if request.path.startswith("/api/"):  # machines keep no session: their Accept-Language decides
        best = request.accept_languages.best_match(languages)
        return _locale(best or current_app.config["BABEL_DEFAULT_LOCALE"])
    remembered = session.get("lang")
    return _locale(remembered if remembered in languages else current_app.config["BABEL_DEFAULT_LOCALE"])


def current_lang() -> str:
    """The request's language code. Asked of select_locale directly: going through
    Flask-Babel's get_locale costs more than the choice itself, and on a kept survey
    page nothing else needs Babel at all."""
    return select_locale().language


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["current_lang"] = current_lang
    app.jinja_env.policies["ext.i18n.trimmed"] = True
