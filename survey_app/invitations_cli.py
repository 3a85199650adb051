"""``flask --app wsgi invitations ...`` and ``flask --app wsgi apikeys ...``.

invitations: import a contact list, send, remind, show status, reveal a
round's slip-code secret for desk software, mint slip codes, scrub.
apikeys: create or revoke the API key of a service point (shown once).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.extensions import db
from survey_app.models import Round, today_utc
from survey_app.services import apikeys, invitations, slipcodes
from survey_app.services.contacts import blocking, describe, import_contact_file
from survey_app.services.desks import find_desk
from survey_app.services.errors import Invalid, NotFound, RoundNotOpen
from survey_app.services.mailer import Mailer, MailSettings

invitations_cli = AppGroup("invitations", help="Personal invitations by email, and result-slip codes.")
apikeys_cli = AppGroup("apikeys", help="API keys of service points (one-stop desks).")

round_option = click.option("--round", "round_ref", required=True, help="Round id or name.")


def find_round(session: Session, ref: str) -> Round:
    """A round by id (digits) or by exact name."""
    round_ = session.get(Round, int(ref)) if ref.isdigit() else None
    round_ = round_ or session.scalar(select(Round).where(Round.name == ref))
    if round_ is None:
        raise click.ClickException(f"no round with id or name {ref!r}")
    return round_


def _mailer() -> Mailer:
    return Mailer(MailSettings.from_config(current_app.config))


def _composer() -> invitations.Composer:
    config = current_app.config
    return invitations.make_composer(config["BASE_URL"], config["MAIL_FROM"],
                                     agency=config.get("MAIL_AGENCY") or "", contact=config.get("MAIL_CONTACT"),
                                     organisation_groups=config.get("ORGANISATION_GROUPS") or ())


@invitations_cli.command("import")
@round_option
@click.option("--group", required=True, help="A group of the round reached by personal link (e.g. business).")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
              help="CSV (UTF-8) or XLSX with columns name, email, unit [, sector, size].")
def import_command(round_ref: str, group: str, path: Path) -> None:
    """Import a contact list: every row, or none if any row has a problem."""
    from survey_app.services import audit

    with db.new_session() as session:
        round_ = find_round(session, round_ref)
        try:
            report = import_contact_file(session, round_, group, path.name, path.read_bytes())
        except Invalid as exc:
            raise click.ClickException(str(exc)) from exc
        for problem in report.problems:
            click.echo(describe(problem), err=True)
        if not report.ok:
            raise click.ClickException(f"nothing imported: {sum(blocking(p) for p in report.problems)} problem(s)")
        audit.record(session, None, "contacts.import", round_.name, group=group, count=report.imported, via="cli")
        session.commit()
    click.echo(f"Imported {report.imported} contacts into {round_.name} ({group}).")


def _check_group(session, round_, group: str | None) -> None:  # type: ignore[no-untyped-def]
    """Refuse a group the round does not invite by link, naming the ones it does (groups are data)."""
    from survey_app.services.programmes import link_groups

    if group is None:
        return
    invited = [g.code for g in link_groups(session, round_)]
    if group not in invited:
        raise click.ClickException(f"group {group!r} is not invited by link in {round_.name!r} "
                                   f"(choose one of: {', '.join(invited) or 'none'})")


def _echo_report(report: invitations.SendReport, what: str) -> None:
    click.echo(f"{what}: {report.sent} sent, {report.failed} failed.")
    for invitation_id, reason in report.failures:
        click.echo(f"  invitation {invitation_id}: {reason}", err=True)
    if report.skipped_unconfirmed:
        click.echo(f"{report.skipped_unconfirmed} invitation(s) are unconfirmed: an earlier run was interrupted "
                   "while handing them to the mail server. Check its log; to send them again, use "
                   "--resend-unconfirmed.", err=True)
    if report.stopped:
        raise click.ClickException(f"stopped, the mail server is not usable: {report.stopped}. "
                                   "Run the same command again later to continue.")


@invitations_cli.command("send")
@round_option
@click.option("--group", default=None, help="Only this respondent group (its code).")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Send at most this many now.")
@click.option("--max-attempts", type=click.IntRange(min=1), default=5, show_default=True,
              help="Give up on an address after this many failed attempts.")
@click.option("--resend-unconfirmed", is_flag=True,
              help="Also send invitations an interrupted run may or may not have sent.")
def send_command(round_ref: str, group: str | None, limit: int | None, max_attempts: int,
                 resend_unconfirmed: bool) -> None:
    """Send the invitations not sent yet (resumable: run it again after an interruption)."""
    with db.new_session() as session, _mailer() as mailer:
        round_ = find_round(session, round_ref)
        _check_group(session, round_, group)
        try:
            report = invitations.send_invitations(
                session, round_, mailer, _composer(), group=group, resend_unconfirmed=resend_unconfirmed,
                max_attempts=max_attempts, limit=limit)
        except RoundNotOpen as exc:
            raise click.ClickException(f"round {round_.name!r} is not open ({exc.reason})") from exc
    current_app.logger.info("invitations sent=%d failed=%d", report.sent, report.failed)
    _echo_report(report, "Invitations")


@invitations_cli.command("remind")
@round_option
@click.option("--group", default=None, help="Only this respondent group (its code).")
@click.option("--min-interval-hours", type=click.FloatRange(min=0), default=48.0, show_default=True,
              help="Not within this time of the last email or of the respondent's last visit.")
def remind_command(round_ref: str, group: str | None, min_interval_hours: float) -> None:
    """Remind those who have not answered (at most the round's reminder limit)."""
    with db.new_session() as session, _mailer() as mailer:
        round_ = find_round(session, round_ref)
        _check_group(session, round_, group)
        try:
            report = invitations.send_reminders(session, round_, mailer, _composer(), group=group,
                                                min_interval=timedelta(hours=min_interval_hours))
        except RoundNotOpen as exc:
            raise click.ClickException(f"round {round_.name!r} is not open ({exc.reason})") from exc
    current_app.logger.info("reminders sent=%d failed=%d", report.sent, report.failed)
    _echo_report(report, "Reminders")


@invitations_cli.command("status")
@round_option
@click.option("--contacts", "status_filter", default=None, metavar="STATUS",
              type=click.Choice(invitations.CONTACT_STATUSES),
              help="Also list the contacts with this status (with the reason of failures).")
def status_command(round_ref: str, status_filter: str | None) -> None:
    """Invitation counts per group and unit."""
    with db.new_session() as session:
        round_ = find_round(session, round_ref)
        rows, summed = invitations.suppress(invitations.status_table(session, round_.id),
                                            int(current_app.config["COMPLETION_MIN_COUNT"]))
        header = ["group", "unit", *invitations.DISPLAY_STATUSES, "total"]
        click.echo("\t".join(header))

        def shown(count: int | None) -> str:
            return "-" if count is None else str(count)

        for row in rows:
            click.echo("\t".join([row.group_code, row.unit_code, *(shown(row.counts[s]) for s in
                                                                   invitations.DISPLAY_STATUSES), str(row.total)]))
        click.echo("\t".join(["all", "", *(shown(summed[s]) for s in invitations.DISPLAY_STATUSES),
                              str(sum(n for n in summed.values() if n is not None))]))
        if status_filter:
            for contact in invitations.contact_statuses(session, round_.id, status=status_filter, limit=100_000):
                click.echo(f"{contact.id}\t{contact.group_code}\t{contact.unit_code}\t{contact.email}\t"
                           f"{contact.status}\t{contact.last_error or ''}")


@invitations_cli.command("slip-secret")
@round_option
def slip_secret_command(round_ref: str) -> None:
    """Show the round's result-slip secret (hex) for the desk software. Audit-logged."""
    with db.new_session() as session:
        round_ = find_round(session, round_ref)
        secret = slipcodes.reveal_secret(session, round_, None, via="cli")
        session.commit()  # the audit entry is stored before the secret is shown
        click.echo(f"round id: {round_.id}\nround: {round_.name}\nsecret (hex): {secret}")


@invitations_cli.command("slip-codes")
@click.option("--desk", "desk_code", required=True)
@click.option("--field", type=click.IntRange(1, 255), required=True, help="Procedure field code.")
@click.option("--count", type=click.IntRange(1, 10_000), default=1, show_default=True)
def slip_codes_command(desk_code: str, field: int, count: int) -> None:
    """Mint result-slip survey addresses for the round open today (for trials and printing by hand)."""
    with db.new_session() as session:
        try:
            batch = slipcodes.mint_batch(session, find_desk(session, desk_code), field, count, today_utc())
        except (NotFound, RoundNotOpen, Invalid) as exc:
            raise click.ClickException(str(exc)) from exc
        base = current_app.config["BASE_URL"].rstrip("/")
        for code in batch.codes:
            click.echo(f"{base}/r/{code}")


@invitations_cli.command("scrub")
def scrub_command() -> None:
    """Erase traces that could join responses to invitations or slip codes (run daily)."""
    with db.new_session() as session:
        try:
            report = invitations.scrub(session)
        except invitations.ScrubBusy as exc:
            raise click.ClickException(f"{exc}; nothing was changed, run it again later") from exc
    click.echo(f"Drafts erased: {report.drafts_erased}; completed invitations rewritten: "
               f"{report.invitations_restamped}; used slip codes rewritten: {report.slip_codes_rewritten}.")


@apikeys_cli.command("create")
@click.option("--desk", "desk_code", required=True, help="The desk's public code.")
def apikeys_create(desk_code: str) -> None:
    """Create (or replace) a desk's API key. The key is shown once: store it in the desk software."""
    with db.new_session() as session:
        try:
            desk, key = apikeys.create_key(session, desk_code)
        except NotFound as exc:
            raise click.ClickException(f"no active desk with code {desk_code!r}") from exc
        session.commit()
        click.echo(f"API key for desk {desk.code} (shown only now; any earlier key no longer works):\n{key}")


@apikeys_cli.command("revoke")
@click.option("--desk", "desk_code", required=True)
def apikeys_revoke(desk_code: str) -> None:
    """Remove a desk's API key."""
    with db.new_session() as session:
        try:
            desk = apikeys.revoke_key(session, desk_code)
        except NotFound as exc:
            raise click.ClickException(f"no active desk with code {desk_code!r}") from exc
        session.commit()
        click.echo(f"Desk {desk.code} has no API key any more.")
