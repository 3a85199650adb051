"""Console forms (Flask-WTF: CSRF on every one)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional, Regexp

# Every console form translates WTForms' own messages through our catalogue (formbase.py):
# the name FlaskForm is kept so that each form here, and any added later, gets it.
from survey_app.admin.formbase import ConsoleForm as FlaskForm


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10, max=200)])
    repeat = PasswordField(
        _l("Repeat the new password"), validators=[DataRequired(), EqualTo("new", message=_l("The passwords differ."))]
    )


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class RoundForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    period = StringField(_l("Period"), validators=[Optional(), Length(max=40)])
    opens_on = DateField(_l("Opens on"), validators=[DataRequired()])
    closes_on = DateField(_l("Closes on"), validators=[DataRequired()])
    reminder_limit = IntegerField(_l("Reminders per invitation"), default=2,
                                  validators=[InputRequired(), NumberRange(min=0, max=10)])


def round_form(versions: dict[str, list[SelectChoice]], programmes: list[SelectChoice] | None = None,
               **kwargs: object) -> RoundForm:
    """The round form: the programmes it runs, and a questionnaire choice per group
    (``versions``: group -> choices of version ids; blank = the programme's questionnaire)."""
    from survey_app.admin.helpers import group_labels

    labels = group_labels()

    class Form(RoundForm):
        pass

    Form.programmes = SelectMultipleField(_l("Programmes the round runs"), choices=programmes or [],
                                          validators=[Optional()], validate_choice=False)
    for group, choices in versions.items():
        setattr(Form, f"version_{group}", SelectField(
            labels.get(group, group),
            choices=[SelectChoice("", _l("(the programme's questionnaire, or not in this round)")), *choices],
            validators=[Optional()]))
    return Form(**kwargs)


class UnitForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)])
    name_vi = StringField(_l("Name in Vietnamese"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"))
    parent_code = SelectField(_l("Part of"), validators=[Optional()])
    valid_from = StringField(_l("Exists from (dd/mm/yyyy, blank: always)"), validators=[Optional(), Length(max=20)])
    valid_to = StringField(_l("Exists until (dd/mm/yyyy, blank: still exists)"),
                           validators=[Optional(), Length(max=20)])
    replaced_by = SelectMultipleField(_l("Replaced by (merged into)"), validators=[Optional()])


class DeskForm(FlaskForm):
    unit_code = SelectField(_l("Unit"))
    name_vi = StringField(_l("Name in Vietnamese"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    code = StringField(_l("Code in the QR address (blank: a new random code)"),
                       validators=[Optional(), Length(max=40)])
    fields = StringField(_l("Procedure fields served (codes separated by ';')"),
                         validators=[Optional(), Length(max=200)])
    active = BooleanField(_l("Active"), default=True)
    kiosk_enabled = BooleanField(_l("Tablet kiosk allowed"))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired()])


class VersionForm(FlaskForm):
    source = TextAreaField(_l("Questionnaire text (YAML)"), validators=[DataRequired(), Length(max=200_000)])


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(), Length(max=254),
        Regexp(r"[^@\s]+@[^@\s]+\.[^@\s]+\Z", message=_l("Not an email address.")),
    ])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"))
    unit_code = SelectField(_l("Unit (for a unit officer)"), validators=[Optional()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=10, max=200)])


class UserEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"))
    unit_code = SelectField(_l("Unit (for a unit officer)"), validators=[Optional()])
    active = BooleanField(_l("Active"))
    password = PasswordField(_l("New password (blank: keep the current one)"),
                             validators=[Optional(), Length(min=10, max=200)])
    unlock = BooleanField(_l("Lift a lock-out after failed sign-ins"))


class PaperFormsForm(FlaskForm):
    """Printing numbered paper questionnaires (group and unit choices are filled in by the view)."""

    group = SelectField(_l("Questionnaire"))
    unit_code = SelectField(_l("Unit printed on the forms"))
    count = IntegerField(_l("Number of forms"), default=20, validators=[InputRequired(), NumberRange(min=1, max=500)])
    lang = SelectField(_l("Language"), choices=[SelectChoice("vi", "Tiếng Việt"), SelectChoice("en", "English")])


class SubmissionImportForm(FlaskForm):
    """A KoboToolbox or ODK Central export (group and unit choices are filled in by the view)."""

    group = SelectField(_l("Questionnaire"))
    unit_code = SelectField(_l("Unit the submissions are about"))
    file = FileField(_l("Export file (CSV or XLSX)"), validators=[FileRequired()])
