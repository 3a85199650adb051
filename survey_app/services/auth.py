"""Staff authentication: scrypt password hashes; guessing is slowed per account and address (admin.throttle)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from survey_app.models import ROLES, Role, StaffUser, Unit, utcnow
from survey_app.services.errors import Invalid

# Checked against when the email is unknown, so timing does not reveal which emails exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")
MIN_PASSWORD_LENGTH = 10


class UserExists(Invalid):
    """Another account already has this email."""


class UnitRequired(Invalid):
    """A unit officer must belong to a unit: it is what limits what they see."""


class LoginFailed(Exception):
    """Wrong email or password (never says which: unknown accounts answer the same)."""


class WrongPassword(Invalid):
    """The current password given to change it is wrong."""


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(f"password must have at least {MIN_PASSWORD_LENGTH} characters")


def account(session: Session, email: str) -> StaffUser | None:
    """The account with this email (any case, spaces around ignored), active or not."""
    return session.scalar(select(StaffUser).where(func.lower(StaffUser.email) == email.strip().lower()))


def all_accounts(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.email)))


def authenticate(session: Session, email: str, password: str) -> StaffUser:
    """The active account with this email and password; raise LoginFailed otherwise.

    Flushes the sign-in time; the caller commits it with its audit record. Failed
    attempts are counted by the caller per account and address (admin.throttle),
    not on the account: a stranger's guesses must not lock its owner out.
    """
    user = account(session, email)
    if user is None or not user.active:
        check_password_hash(_DUMMY_HASH, password)
        raise LoginFailed()
    if not check_password_hash(user.password_hash, password):
        raise LoginFailed()
    user.last_login_at = utcnow()
    session.flush()
    return user


def create_user(session: Session, email: str, password: str, role: str, name: str = "",
                unit_code: str | None = None) -> StaffUser:
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}")
    check_password_rules(password)
    email = email.strip().lower()
    if "@" not in email:
        raise Invalid(f"not an email address: {email!r}")
    if session.scalar(select(StaffUser).where(StaffUser.email == email)) is not None:
        raise UserExists(f"a user with email {email} already exists")
    unit = None
    if unit_code:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise Invalid(f"unknown unit code {unit_code!r}")
    if role == Role.UNIT_OFFICER and unit is None:
        raise UnitRequired("a unit officer needs --unit")
    user = StaffUser(email=email, password_hash=hash_password(password), role=role, name=name, unit=unit)
    session.add(user)
    session.flush()  # the caller commits, together with its audit record: never an account without one
    return user


def change_password(session: Session, user: StaffUser, current: str, new: str) -> None:
    """Raise WrongPassword or Invalid (too short); flush, the caller commits with its audit record."""
    if not check_password_hash(user.password_hash, current):
        raise WrongPassword("current password is wrong")
    check_password_rules(new)
    user.password_hash = hash_password(new)
    user.session_epoch += 1
    session.flush()


def sign_out(session: Session, user: StaffUser) -> None:
    """End every session of the account on the server side: a copied cookie stops working too."""
    user.session_epoch += 1
    session.flush()


class OwnAccess(Invalid):
    """An administrator may not take away their own administrator access (nobody could give it back)."""


def update_user(session: Session, user: StaffUser, *, name: str, role: str, unit: Unit | None,
                active: bool, by: StaffUser | None = None) -> None:
    """Change an account's name, role, unit or active flag; ``by`` is who asks.

    Deactivating takes effect on the user's next request (the console guard
    checks the flag every time), so no session needs to be hunted down.
    """
    if by is not None and by.id == user.id and (role != Role.ADMIN or not active):
        raise OwnAccess("you cannot remove your own administrator access")
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}")
    if role == Role.UNIT_OFFICER and unit is None:
        raise UnitRequired("a unit officer needs a unit")
    user.name, user.role, user.active = name, role, active
    user.unit = unit if role == Role.UNIT_OFFICER else None
    session.flush()


def reset_password(session: Session, user: StaffUser, new: str) -> None:
    """Set a password chosen by an administrator, sign the user out everywhere and lift any lock."""
    check_password_rules(new)
    user.password_hash = hash_password(new)
    user.session_epoch += 1
    unlock(user)
    session.flush()


def unlock(user: StaffUser) -> None:
    user.failed_logins = 0
    user.locked_until = None
