"""The base of every console form: WTForms' own messages in the console's language.

Flask-WTF looks WTForms' messages ("This field is required.", "Field must be between 10
and 200 characters long.") up in WTForms' bundled catalogues, which have no Vietnamese.
A console form instead looks them up in our catalogue (``translations/``), where they have
Vietnamese text like every other console string (a test checks that every message of every
validator the console uses is translated).
"""

from __future__ import annotations

from flask_babel import get_translations, gettext, ngettext
from flask_wtf import FlaskForm


class _CatalogueTranslations:
    """WTForms' translations interface (gettext, ngettext) over the app's catalogue."""

    def gettext(self, string: str) -> str:
        return str(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(get_translations().ungettext(singular, plural, n))


CATALOGUE = _CatalogueTranslations()


class ConsoleForm(FlaskForm):
    class Meta:
        def get_translations(self, form: object) -> _CatalogueTranslations:
            return CATALOGUE


def _wtforms_messages() -> None:  # pragma: no cover - never called
    """WTForms' validator messages (WTForms 3.x), written out for ``make translations``.

    ``pybabel extract`` reads only our sources: without this list, updating the
    catalogue would retire these messages and the console's validation messages
    would fall back to English (tests/survey_app/admin/test_console_language.py).
    """
    gettext("Field must be equal to %(other_name)s.")
    ngettext("Field must be at least %(min)d character long.",
             "Field must be at least %(min)d characters long.", 2)
    ngettext("Field cannot be longer than %(max)d character.",
             "Field cannot be longer than %(max)d characters.", 2)
    ngettext("Field must be exactly %(max)d character long.",
             "Field must be exactly %(max)d characters long.", 2)
    gettext("Field must be between %(min)d and %(max)d characters long.")
    gettext("Number must be at least %(min)s.")
    gettext("Number must be at most %(max)s.")
    gettext("Number must be between %(min)s and %(max)s.")
    gettext("Date must be at least %(min)s.")
    gettext("Date must be at most %(max)s.")
    gettext("Date must be between %(min)s and %(max)s.")
    gettext("This field is required.")
    gettext("Invalid input.")
    gettext("Invalid email address.")
    gettext("Invalid URL.")
    gettext("Invalid value, must be one of: %(values)s.")
    gettext("This field cannot be edited.")
    gettext("This field is disabled and cannot have a value.")
    gettext("Invalid Choice: could not coerce.")
    gettext("Not a valid choice.")
    gettext("Invalid choice(s): one or more data inputs could not be coerced.")
    ngettext("'%(value)s' is not a valid choice for this field.",
             "'%(value)s' are not valid choices for this field.", 2)
    gettext("Not a valid datetime value.")
    gettext("Not a valid date value.")
    gettext("Not a valid time value.")
    gettext("Not a valid integer value.")
    gettext("Not a valid decimal value.")
    gettext("Not a valid float value.")
    gettext("File does not have an approved extension.")
