"""Console: printing numbered paper questionnaires, keying them twice, settling disagreements.

Views are thin: the work is in services.paper (PDF, numbers) and
services.paper_entry (double entry, storing).
"""

from __future__ import annotations

from flask import Response, abort, current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from survey_app.admin import bp, current_user, roles
from survey_app.admin.forms import PaperFormsForm
from survey_app.admin.helpers import all_units, get_or_404, unit_choice
from survey_app.extensions import db
from survey_app.i18n import current_lang
from survey_app.models import Round, Unit
from survey_app.services import audit
from survey_app.services.errors import Invalid
from survey_app.services.paper import forms_pdf, issue_forms
from survey_app.services.posters import FontMissing
from survey_app.services.questionnaires import questionnaire_of


def group_choices(round_: Round) -> list[SelectChoice]:
    """The round's questionnaires by their titles (the group code in brackets)."""
    lang = current_lang()
    return [SelectChoice(link.group_code, f"{questionnaire_of(link.version).title.get(lang)} ({link.group_code})")
            for link in sorted(round_.questionnaires, key=lambda link: link.group_code)]


@bp.route("/rounds/<int:round_id>/paper", methods=["GET", "POST"])
@roles("admin")
def paper_forms(round_id: int):
    round_ = get_or_404(Round, round_id)
    form = PaperFormsForm()
    form.group.choices = group_choices(round_)
    form.unit_code.choices = [unit_choice(u) for u in all_units()]
    if form.validate_on_submit():
        unit = db.session.scalar(select(Unit).where(Unit.code == form.unit_code.data))
        if unit is None:
            abort(400)
        try:
            batch = issue_forms(db.session, round_, form.group.data, unit, form.count.data, form.lang.data)
            pdf = forms_pdf(batch)
        except Invalid:
            db.session.rollback()
            form.group.errors.append(_("The round has no questionnaire for this group."))
        except FontMissing as exc:
            db.session.rollback()
            current_app.logger.error("paper form font missing: %s", exc)
            return render_template("admin/problem.html", title=_("Forms cannot be made"), text=str(exc)), 503
        else:
            audit.record(db.session, current_user(), "paper.forms", round_.name, group=form.group.data,
                         unit=unit.code, count=form.count.data)
            db.session.commit()
            name = f"phieu-{form.group.data}-{unit.code}-{batch.numbers[0]}.pdf"
            return Response(pdf, mimetype="application/pdf", headers={
                "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
    return render_template("admin/paper_forms.html", form=form, round=round_), 422 if form.errors else 200
