"""Console views: sign-in, overview of rounds, password change, exports."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from survey_app.admin import bp, current_user, roles, throttle
from survey_app.admin.forms import LoginForm, PasswordForm
from survey_app.admin.helpers import STATUS_LABELS
from survey_app.extensions import db, limiter
from survey_app.models import Role
from survey_app.services import audit
from survey_app.services.auth import LoginFailed, WrongPassword, account, authenticate, change_password, sign_out
from survey_app.services.errors import Invalid
from survey_app.services.scope import overview, scope_of


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]

# Where a role that does one job starts after signing in (everything else: the rounds).
LANDING: dict[str, str] = {Role.DATA_ENTRY: "admin.entry_start", Role.INTERVIEWER: "admin.interview"}


def _safe_next(target: str | None) -> str:
    """A path on this site to go to after signing in; anything else (another site, a backslash or
    control character that a browser or the Location header would reinterpret) goes to the overview."""
    if (target and target.startswith("/") and not target.startswith("//") and len(target) <= 2000
            and target.isprintable() and "\\" not in target and not urlsplit(target).netloc):
        return target
    return url_for("admin.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email, address = form.email.data, request.remote_addr
        wait = throttle.wait_seconds(email, address)
        try:
            if wait is not None:
                raise LoginFailed()
            user = authenticate(db.session, email, form.password.data)
        except LoginFailed:
            db.session.rollback()
            if wait is None:
                throttle.failed(email, address)
            _record_failure(email, locked=wait is not None)
            form.password.errors.append(
                _("Too many failed attempts from this device: please wait %(minutes)s minutes and try again.",
                  minutes=-(-wait // 60)) if wait is not None else _("Wrong email or password."))
            return render_template("admin/login.html", form=form), 401
        throttle.succeeded(email, address)
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
    user = account(db.session, email)
    audit.record(db.session, user, "login.locked" if locked else "login.failed",
                 user.email if user else "?")
    db.session.commit()


@bp.post("/logout")
@roles(*Role)
def logout():
    """Sign out: the account's session epoch moves on, so no copy of the cookie works any more."""
    user = current_user()
    sign_out(db.session, user)
    audit.record(db.session, user, "logout", user.email)
    db.session.commit()
    session.clear()
    return redirect(url_for("admin.login"))


@bp.get("/")
@roles(*Role)
def index():
    if current_user().role in LANDING:  # roles with one job start on its page
        return redirect(url_for(LANDING[current_user().role]))
    rounds, counts = overview(db.session, scope_of(current_user()))
    return render_template("admin/index.html", rounds=rounds, counts=counts, status_labels=STATUS_LABELS)


@bp.route("/password", methods=["GET", "POST"])
@roles(*Role)
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user()
        try:
            change_password(db.session, user, form.current.data, form.new.data)
        except WrongPassword:
            db.session.rollback()
            form.current.errors.append(_("The current password is wrong."))
            return render_template("admin/password.html", form=form), 422
        except Invalid:
            db.session.rollback()
            form.new.errors.append(_("The new password must have at least 10 characters."))
            return render_template("admin/password.html", form=form), 422
        audit.record(db.session, user, "password.change", user.email)
        db.session.commit()
        session["staff_epoch"] = user.session_epoch
        flash(_("Your password has been changed."))
        return redirect(url_for("admin.index"))
    return render_template("admin/password.html", form=form)
