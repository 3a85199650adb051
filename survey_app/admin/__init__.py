"""Staff console under /admin.

Every route is guarded here, in ``before_request``: every POST must carry the
CSRF token, and a view is reachable only by a signed-in user whose role is
listed by ``@roles(...)`` on the view; a view that forgets to declare roles is
admin-only. A new route therefore cannot be left open by accident (tests walk
the URL map to check both).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar, cast
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for
from werkzeug.datastructures import MultiDict

from survey_app.extensions import csrf, db
from survey_app.models import QuestionnaireVersion, Role, StaffUser

bp = Blueprint("admin", __name__)

F = TypeVar("F", bound=Callable[..., object])
PUBLIC_ENDPOINTS = {"admin.login"}


def roles(*allowed: Role) -> Callable[[F], F]:
    """Declare which roles may use a console view: members of :class:`Role`, never their spelling as text
    (a typo in a string would silently lock a role out; mypy and this check refuse it)."""
    wrong = [role for role in allowed if not isinstance(role, Role)]
    if wrong or not allowed:
        raise TypeError(f"roles() takes members of models.Role, not {wrong or 'nothing'!r}")

    def mark(view: F) -> F:
        view.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return view

    return mark


def public(view: F) -> F:
    PUBLIC_ENDPOINTS.add(f"admin.{view.__name__}")
    return view


def current_user() -> StaffUser:
    """The signed-in user. Every console view but sign-in runs after the guard has checked
    there is one; the sign-in page and templates see None through ``g.get("staff_user")``."""
    return cast(StaffUser, g.get("staff_user"))


@bp.before_request
def guard():  # type: ignore[no-untyped-def]
    # The console is the only part signed in by cookie, so its forms are the ones
    # Flask-WTF's CSRF check guards (WTF_CSRF_CHECK_DEFAULT is off: survey forms
    # check their own token and the API its key).
    csrf.protect()
    if _has_nul(request.args) or _has_nul(request.form):
        abort(400)  # no field of the console can hold one, and PostgreSQL text refuses it
    g.staff_user = _signed_in_user()
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if g.staff_user is None:
        return redirect(url_for("admin.login", next=request.full_path if request.method == "GET" else None))
    view = current_app.view_functions.get(request.endpoint or "")
    allowed = getattr(view, "allowed_roles", frozenset({Role.ADMIN}))
    if g.staff_user.role not in allowed:
        abort(403)
    return None


def _has_nul(values: MultiDict[str, str]) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values.getlist(key)) for key in values)


def _signed_in_user() -> StaffUser | None:
    user_id, epoch = session.get("staff_id"), session.get("staff_epoch")
    if user_id is None:
        return None
    user = db.session.get(StaffUser, user_id)
    if user is None or not user.active or user.session_epoch != epoch:
        session.pop("staff_id", None)
        return None
    return user


@bp.after_request
def no_store(response):  # type: ignore[no-untyped-def]
    """Console pages hold personal data (contacts, comments, accounts): never kept by a browser or proxy.

    A page that sets its own Cache-Control (the dashboard's charts) keeps it.
    """
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.app_context_processor
def inject_user() -> dict[str, object]:
    return {"staff_user": g.get("staff_user"), "Role": Role, "public_address_mismatch": public_address_mismatch,
            "element_name": element_name, "version_label": version_label}


def version_label(version: QuestionnaireVersion) -> str:
    """A questionnaire version as staff can tell it apart: title, day loaded, short hash."""
    from survey_app.formats import day
    from survey_app.i18n import current_lang
    from survey_app.services.questionnaires import questionnaire_of

    title = questionnaire_of(version).title.get(current_lang())  # parsed once per version and process
    return f"{title} · {day(version.loaded_at)} · {version.short_version}"


def element_name(code: str) -> str:
    """An element's or criterion's name for the console (ACC -> "Tiếp cận dịch vụ"), from the schemes."""
    from survey_app.i18n import current_lang
    from survey_app.services import element_names

    titles = element_names.element_titles(Path(current_app.config["QUESTIONNAIRE_DIR"]) / "schemes")
    return element_names.element_name(titles, code, current_lang())


def _origin(url: str) -> tuple[str, str]:
    """(scheme, host:port) of an address, with the scheme's default port written out."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return parts.scheme, f"{(parts.hostname or '').lower()}:{port}"


def public_address_mismatch() -> str | None:
    """The configured public address when it is not the one this staff member is using.

    QR codes, posters, desk pages and emailed links all carry ``BASE_URL``; a console reached
    at another address (another port in development, a new domain in production) would hand
    out links that lead nowhere, so every console page says so.
    """
    if not request or request.blueprint != "admin":
        return None
    base = str(current_app.config["BASE_URL"])
    return None if _origin(base) == _origin(request.host_url) else base


from survey_app.admin import (  # noqa: E402,F401  (routes register on import)
    exports,
    formats,
    interview,
    invitations,
    jobs,
    margins,
    org,
    paper,
    progress,
    questionnaires,
    results,
    rounds,
    structure,
    users,
    views,
    workbooks,
)
