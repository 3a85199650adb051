"""The base of every console form: WTForms' own messages in the console's language.

Flask-WTF looks WTForms' messages ("This field is required.", "Field must be between 10
and 200 characters long.") up in WTForms' bundled catalogues, which have no Vietnamese.
A console form instead looks them up in our catalogue (``translations/``), where they have
Vietnamese text like every other console string (a test checks that every message of every
validator the console uses is translated).
"""

from __future__ import annotations

from flask_babel import get_translations
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
