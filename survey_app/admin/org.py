"""Console: units and desks (one at a time or from a CSV file), QR codes and posters."""

from __future__ import annotations

import tempfile
from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from survey_app.admin import bp, current_user, roles
from survey_app.admin.forms import DeskForm, ImportForm, UnitForm
from survey_app.admin.helpers import (
    SVG_CSP,
    all_units,
    get_or_404,
    kind_labels,
    problem_text,
    show_problems,
    unit_choice,
)
from survey_app.extensions import db
from survey_app.models import Round, ServicePoint, Unit
from survey_app.services import audit, kiosks
from survey_app.services.posters import FontMissing, desk_poster, poster_pdf, round_posters, write_posters_zip
from survey_app.services.problems import ProblemsFound
from survey_app.services.qr import desk_url, qr_png, qr_svg
from survey_app.services.units import (
    DESK_COLUMNS,
    UNIT_COLUMNS,
    DeskData,
    UnitData,
    desks_csv,
    import_desks,
    import_units,
    save_desk,
    save_unit,
    units_csv,
)



def _text(value: object) -> str:
    """A date field's text; a date when the form was posted without the field (the unit's own value)."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value or "")


@bp.get("/units")
@roles("admin")
def units():
    return render_template("admin/units.html", units=all_units(), kind_labels=kind_labels())


@bp.route("/units/new", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@roles("admin")
def unit_edit(unit_id: int | None):
    unit = get_or_404(Unit, unit_id) if unit_id is not None else None
    initial: dict[str, object] = {}
    if unit is not None:
        initial = {"parent_code": unit.parent.code if unit.parent else "",
                   "valid_from": unit.valid_from.strftime("%d/%m/%Y") if unit.valid_from else "",
                   "valid_to": unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else "",
                   "replaced_by": [u.code for u in unit.replaced_by]}
    form = UnitForm(obj=unit, data=initial or None)
    if unit is not None and not form.is_submitted():
        # The unit's own attributes (dates, Unit objects) would otherwise win over the form's texts and codes.
        for name in ("valid_from", "valid_to", "replaced_by"):
            getattr(form, name).data = initial[name]
    form.kind.choices = [SelectChoice(code, label) for code, label in kind_labels().items()]
    others = [unit_choice(u) for u in all_units() if u is not unit]
    form.parent_code.choices = [SelectChoice("", "—"), *others]
    form.replaced_by.choices = others
    if form.validate_on_submit():
        data = UnitData(form.code.data, form.name_vi.data, form.kind.data, form.name_en.data or "",
                        form.parent_code.data or "", _text(form.valid_from.data), _text(form.valid_to.data),
                        ";".join(form.replaced_by.data or []))
        try:
            saved = save_unit(db.session, data, unit)
        except ProblemsFound as exc:
            db.session.rollback()
            show_problems(form, exc)
            return render_template("admin/unit_form.html", form=form, unit=unit), 422
        audit.record(db.session, current_user(), "unit.update" if unit else "unit.create", saved.code)
        db.session.commit()
        flash(_("Unit %(code)s saved.", code=saved.code))
        return redirect(url_for("admin.units"))
    return render_template("admin/unit_form.html", form=form, unit=unit)


@bp.get("/desks")
@roles("admin")
def desks():
    found = db.session.scalars(select(ServicePoint).options(selectinload(ServicePoint.unit))
                               .order_by(ServicePoint.unit_id, ServicePoint.code)).all()
    base = current_app.config["BASE_URL"]
    return render_template("admin/desks.html", desks=found, urls={d.id: desk_url(base, d.code) for d in found})


@bp.route("/desks/new", methods=["GET", "POST"], defaults={"desk_id": None})
@bp.route("/desks/<int:desk_id>/edit", methods=["GET", "POST"])
@roles("admin")
def desk_edit(desk_id: int | None):
    desk = get_or_404(ServicePoint, desk_id) if desk_id is not None else None
    initial = {"unit_code": desk.unit.code, "fields": ";".join(map(str, desk.fields or []))} if desk else {}
    form = DeskForm(obj=desk, **initial)
    form.unit_code.choices = [unit_choice(u) for u in all_units()]
    if form.validate_on_submit():
        data = DeskData(form.unit_code.data, form.name_vi.data, form.name_en.data or "", form.code.data or "",
                        form.fields.data or "", "1" if form.active.data else "0",
                        "1" if form.kiosk_enabled.data else "0")
        try:
            saved = save_desk(db.session, data, desk)
        except ProblemsFound as exc:
            db.session.rollback()
            show_problems(form, exc)
            return render_template("admin/desk_form.html", form=form, desk=desk), 422
        if not saved.kiosk_enabled:  # kiosk mode off: its tablets stop serving the kiosk
            kiosks.forget(db.session, saved)
        audit.record(db.session, current_user(), "desk.update" if desk else "desk.create", saved.code)
        db.session.commit()
        flash(_("Desk %(code)s saved.", code=saved.code))
        return redirect(url_for("admin.desks"))
    return render_template("admin/desk_form.html", form=form, desk=desk)


@bp.post("/desks/<int:desk_id>/kiosk")
@roles("admin", "unit_officer")
def desk_kiosk(desk_id: int):
    """Open kiosk mode on this device: enrol it as a tablet of the desk and go to its kiosk page.

    A unit officer may do it for the desks of their own unit (staff at the counter
    set up the tablet); the cookie is the tablet's only credential.
    """
    desk = get_or_404(ServicePoint, desk_id)
    user = current_user()
    if user.role == "unit_officer" and desk.unit_id != user.unit_id:
        abort(403)
    secret = kiosks.enrol(db.session, desk)
    audit.record(db.session, user, "kiosk.enrol", desk.code)
    db.session.commit()
    response = redirect(url_for("respondent.kiosk", code=desk.code), 303)
    response.set_cookie(kiosks.COOKIE, secret, max_age=kiosks.COOKIE_MAX_AGE, path="/k/", httponly=True,
                        samesite="Lax", secure=bool(current_app.config["SESSION_COOKIE_SECURE"]))
    return response


IMPORTS = {
    "units": (import_units, UNIT_COLUMNS, "code,name_vi,name_en,kind,parent_code,valid_from,valid_to,replaced_by\r\n"
              "PHUONG_AN_PHU,Phường An Phú,An Phu Ward,phường,TINH_DEMO,01/07/2025,,\r\n"
              "XA_AN_PHU_CU,Xã An Phú (cũ),An Phu Commune (former),xã,,,30/06/2025,PHUONG_AN_PHU"),
    "desks": (import_desks, DESK_COLUMNS, "code,unit_code,name_vi,name_en,fields,active,kiosk_enabled\r\n"
              ",XA_AN_PHU,Bộ phận một cửa Xã An Phú,An Phu one-stop desk,1;2;3,1,0"),
}


@bp.route("/<any(units, desks):kind>/import", methods=["GET", "POST"])
@roles("admin")
def import_file(kind: str):
    importer, columns, example = IMPORTS[kind]
    form, problems = ImportForm(), []
    if form.validate_on_submit():
        try:
            result = importer(db.session, form.file.data.read(), form.file.data.filename or "import.csv")
        except ProblemsFound as exc:
            db.session.rollback()
            problems = [problem_text(p) for p in exc.problems]
        else:
            audit.record(db.session, current_user(), f"{kind}.import", form.file.data.filename or "",
                         created=result.created, updated=result.updated)
            db.session.commit()
            flash(_("Imported: %(created)s created, %(updated)s updated.", created=result.created,
                    updated=result.updated))
            return redirect(url_for(f"admin.{kind}"))
    return render_template("admin/import.html", form=form, kind=kind, columns=columns, example=example,
                           problems=problems), 422 if problems else 200


@bp.get("/<any(units, desks):kind>.csv")
@roles("admin")
def org_csv(kind: str):
    text = units_csv(db.session) if kind == "units" else desks_csv(db.session)
    return Response(text.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{kind}.csv"'})


@bp.get("/desks/<int:desk_id>/qr.<any(png, svg):fmt>")
@roles("admin")
def desk_qr(desk_id: int, fmt: str):
    desk = get_or_404(ServicePoint, desk_id)
    url = desk_url(current_app.config["BASE_URL"], desk.code)
    if fmt == "png":
        return Response(qr_png(url), mimetype="image/png")
    return Response(qr_svg(url), mimetype="image/svg+xml", headers={"Content-Security-Policy": SVG_CSP})


@bp.get("/desks/<int:desk_id>/poster.pdf")
@roles("admin")
def desk_poster_pdf(desk_id: int):
    desk = get_or_404(ServicePoint, desk_id)
    try:
        pdf = poster_pdf(desk_poster(desk, current_app.config["BASE_URL"]))
    except FontMissing as exc:
        return _font_missing(exc)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="poster-{desk.code}.pdf"'})


@bp.get("/rounds/<int:round_id>/posters.zip")
@roles("admin")
def round_posters_zip(round_id: int):
    round_ = get_or_404(Round, round_id)
    posters = round_posters(db.session, round_, current_app.config["BASE_URL"])
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (send_file closes it after sending)
    try:
        count = write_posters_zip(spool, posters)
    except FontMissing as exc:
        spool.close()
        return _font_missing(exc)
    spool.seek(0)
    audit.record(db.session, current_user(), "posters.zip", round_.name, posters=count)
    db.session.commit()
    return send_file(spool, mimetype="application/zip", as_attachment=True,
                     download_name=f"posters-round-{round_.id}.zip")


def _font_missing(exc: FontMissing):  # type: ignore[no-untyped-def]
    current_app.logger.error("poster font missing: %s", exc)
    return render_template("admin/problem.html", title=_("Posters cannot be made"), text=str(exc)), 503
