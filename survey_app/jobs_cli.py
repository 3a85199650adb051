"""``flask --app wsgi jobs worker|run|list``: the background job worker."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from survey_app.extensions import db

jobs_cli = AppGroup("jobs", help="Background jobs (analysis, invitations, reminders).")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run jobs as they are queued (JOBS_BACKEND: database, the default, or rq)."""
    from survey_app.services import jobs

    config = dict(current_app.config)
    backend = config.get("JOBS_BACKEND", "database")
    if backend == "rq":
        from rq import SimpleWorker

        queue = jobs.rq_queue(config)
        # SimpleWorker runs each job in this process (no fork): the app, its database engine and its
        # settings are the ones this command built; a crash is caught by the job's heartbeat.
        click.echo(f"RQ worker on queue {queue.name!r}")
        SimpleWorker([queue], connection=queue.connection).work(burst=burst)
        return
    click.echo("Job worker (database queue); stop with Ctrl-C.")
    try:
        ran = jobs.work(db.new_session, config, burst=burst)
    except KeyboardInterrupt:
        return
    click.echo(f"Ran {ran} job(s).")


@jobs_cli.command("list")
@click.option("--limit", default=20, show_default=True)
def list_command(limit: int) -> None:
    """The newest jobs with their status, progress and, for failures, the reason."""
    from survey_app.models import Job

    with db.new_session() as session:
        for job in session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)):
            click.echo(f"{job.id}\t{job.kind}\t{job.status}\t{job.done}/{job.total}\t{job.step}\t{job.error}")


def start_embedded_worker(app) -> None:  # type: ignore[no-untyped-def]
    """One worker thread in the web process (development: `make run` needs no other service).

    Started on the first request, so that CLI commands never start it.
    """
    import threading

    from survey_app.services import jobs

    if app.extensions.get("job_worker") is not None:
        return
    stop = threading.Event()

    def loop() -> None:
        with app.app_context():
            jobs.work(db.new_session, dict(app.config), stop=stop)

    thread = threading.Thread(target=loop, name="job-worker", daemon=True)
    app.extensions["job_worker"] = (thread, stop)
    thread.start()


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from survey_app.services import job_handlers  # noqa: F401  (the handlers register with services/jobs.py)

    app.cli.add_command(jobs_cli)
    embedded = app.config.get("JOBS_EMBEDDED_WORKER")
    if embedded is None:
        embedded = app.config.get("ENV_NAME") == "development"
    if embedded and app.config.get("JOBS_BACKEND", "database") == "database":

        @app.before_request
        def _start_worker() -> None:
            start_embedded_worker(app)
