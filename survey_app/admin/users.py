"""Console: staff accounts and the audit log (administrators only)."""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from survey_app.admin import bp, current_user, roles
from survey_app.admin.audit_words import action_sentence, detail_text
from survey_app.admin.forms import UserEditForm, UserForm
from survey_app.admin.helpers import ROLE_LABELS, all_units, get_or_404, unit_choice
from survey_app.extensions import db
from survey_app.models import ROLES, Role, StaffUser, Unit
from survey_app.services import audit
from survey_app.services.auth import (
    OwnAccess,
    UnitRequired,
    UserExists,
    all_accounts,
    create_user,
    reset_password,
    unlock,
    update_user,
)

AUDIT_PAGE = 100


def _choices(form: UserForm | UserEditForm) -> None:
    form.role.choices = [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]
    form.unit_code.choices = [SelectChoice("", "—"), *(unit_choice(u) for u in all_units())]


@bp.get("/users")
@roles(Role.ADMIN)
def users():
    return render_template("admin/users.html", users=all_accounts(db.session), role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def user_new():
    form = UserForm()
    _choices(form)
    if form.validate_on_submit():
        try:
            user = create_user(db.session, form.email.data, form.password.data, form.role.data,
                               form.name.data or "", form.unit_code.data or None)
        except UserExists:
            form.email.errors.append(_("An account with this email already exists."))
        except UnitRequired:
            form.unit_code.errors.append(_("A unit officer needs a unit."))
        else:
            audit.record(db.session, current_user(), "user.create", user.email, role=user.role)
            db.session.commit()
            flash(_("Account %(email)s created.", email=user.email))
            return redirect(url_for("admin.users"))
        return render_template("admin/user_form.html", form=form, user=None), 422
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def user_edit(user_id: int):
    user = get_or_404(StaffUser, user_id)
    form = UserEditForm(obj=user, unit_code=user.unit.code if user.unit else "")
    _choices(form)
    if form.validate_on_submit():
        unit = db.session.scalar(select(Unit).where(Unit.code == form.unit_code.data)) if form.unit_code.data else None
        try:
            update_user(db.session, user, name=form.name.data or "", role=form.role.data, unit=unit,
                        active=form.active.data, by=current_user())
        except OwnAccess:
            db.session.rollback()
            form.role.errors.append(_("You cannot remove your own administrator access."))
            return render_template("admin/user_form.html", form=form, user=user), 422
        except UnitRequired:
            db.session.rollback()
            form.unit_code.errors.append(_("A unit officer needs a unit."))
            return render_template("admin/user_form.html", form=form, user=user), 422
        if form.password.data:
            reset_password(db.session, user, form.password.data)
        elif form.unlock.data:
            unlock(user)
        audit.record(db.session, current_user(), "user.update", user.email, role=user.role, active=user.active,
                     password_reset=bool(form.password.data), unlocked=bool(form.unlock.data))
        db.session.commit()
        flash(_("Account %(email)s saved.", email=user.email))
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.get("/audit")
@roles(Role.ADMIN)
def audit_log():
    """The latest entries, newest first; ``before`` pages back, ``action`` keeps one kind (prefix)."""
    before = request.args.get("before", "")
    action = request.args.get("action", "")[:60]
    page = audit.page(db.session, before=int(before) if re.fullmatch(r"[0-9]{1,12}", before) else None,
                      action=action, size=AUDIT_PAGE)
    entries, older = page.entries, page.older
    return render_template("admin/audit.html", entries=entries, action=action, older=older,
                           action_sentence=action_sentence, audit_details=detail_text)
