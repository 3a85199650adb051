"""Console views: sign-in, overview of rounds, password change, exports."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from survey_app.admin import bp, current_user, roles
from survey_app.admin.forms import LoginForm, PasswordForm
from survey_app.admin.helpers import STATUS_LABELS
from survey_app.extensions import db, limiter
from survey_app.models import ROLES, Response, Round, StaffUser
from survey_app.services import audit
from survey_app.services.auth import LoginFailed, LoginPolicy, authenticate, change_password
from survey_app.services.errors import Invalid


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]

# Where a role that does one job starts after signing in (everything else: the rounds).
LANDING = {"data_entry": "admin.entry_start", "interviewer": "admin.interview"}


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        policy = LoginPolicy(current_app.config["LOGIN_LOCK_AFTER"], current_app.config["LOGIN_LOCK_MINUTES"])
        try:
            user = authenticate(db.session, form.email.data, form.password.data, policy)
        except LoginFailed as exc:
            _record_failure(form.email.data, exc.locked)
            form.password.errors.append(
                _("Too many failed attempts: this account is locked for a while.") if exc.locked
                else _("Wrong email or password.")
            )
            return render_template("admin/login.html", form=form), 401
        audit.record(db.session, user, "login", user.email)
        db.session.commit()
        session.clear()
        session.permanent = True
        session["staff_id"], session["staff_epoch"] = user.id, user.session_epoch
        return redirect(_safe_next(request.args.get("next")))
    return render_template("admin/login.html", form=form)


def _record_failure(email: str, locked: bool) -> None:
    """Audit a failed sign-in against the account it targeted.

    What was typed is kept only when it is an existing account's email: people
    sometimes type their password into the email field.
    """
    user = db.session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower()))
    audit.record(db.session, user, "login.locked" if locked else "login.failed",
                 user.email if user else "?")
    db.session.commit()


@bp.post("/logout")
@roles(*ROLES)
def logout():
    session.clear()
    return redirect(url_for("admin.login"))


@bp.get("/")
@roles(*ROLES)
def index():
    if current_user().role in LANDING:  # roles with one job start on its page
        return redirect(url_for(LANDING[current_user().role]))
    stmt = select(Response.round_id, func.count()).group_by(Response.round_id)
    user = current_user()
    if user.role == "unit_officer":  # their own unit's figures only
        stmt = stmt.where(Response.unit_id == user.unit_id)
    counts = dict(db.session.execute(stmt).all())
    rounds = db.session.scalars(select(Round).order_by(Round.opens_on.desc())).all()
    return render_template("admin/index.html", rounds=rounds, counts=counts, status_labels=STATUS_LABELS)


@bp.route("/password", methods=["GET", "POST"])
@roles(*ROLES)
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user()
        try:
            change_password(db.session, user, form.current.data, form.new.data)
        except Invalid as exc:
            form.current.errors.append(_("The current password is wrong.") if "current" in str(exc)
                                       else _("The new password must have at least 10 characters."))
            return render_template("admin/password.html", form=form), 422
        audit.record(db.session, user, "password.change", user.email)
        db.session.commit()
        session["staff_epoch"] = user.session_epoch
        flash(_("Your password has been changed."))
        return redirect(url_for("admin.index"))
    return render_template("admin/password.html", form=form)
