"""Background jobs: long tasks (analysis, invitations, reminders) run by a worker, not in a web request.

Every job is a row of ``jobs`` (models/results.py): its kind, parameters,
status, progress and, when it failed, why. Two queues deliver jobs to workers:

``database`` (default)
    The row itself is the queue. A worker claims the oldest queued row with a
    compare-and-set UPDATE (one winner however many workers poll), runs it and
    records progress in the row. Needs nothing but the database, so ``make
    run`` works out of the box: in development the web process starts one
    worker thread itself (``JOBS_EMBEDDED_WORKER``); in production run
    ``flask --app wsgi jobs worker`` as its own service.
``rq``
    RQ on the Redis production already runs for rate limits
    (``JOBS_BACKEND=rq``, ``JOBS_REDIS_URL``): the Redis job carries the row's
    id; ``flask --app wsgi jobs worker`` starts an RQ worker.

Either way a job survives a restart of the web server (it is in the database
or in Redis, and the worker is another process). A worker that dies mid-job
stops its heartbeat; the next worker to start (or poll) puts the job back in
the queue, at most :data:`MAX_ATTEMPTS` times. Handlers are therefore written
to be resumable: the invitation sender claims each invitation before sending
it, so a resumed job never emails anyone twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from survey_app.models import Job

logger = logging.getLogger("survey_app.jobs")

BACKENDS = ("database", "rq")
MAX_ATTEMPTS = 3
HEARTBEAT_SECONDS = 5.0
STALE_SECONDS = 60.0
PROGRESS_INTERVAL = 0.2
RQ_QUEUE = "survey"

Progress = Callable[[int, int, str], None]
Handler = Callable[[Session, Mapping[str, Any], Progress, Mapping[str, Any]], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


class JobError(Exception):
    """A job that cannot run; the message is shown to staff as the reason."""


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``: ``(session, params, progress, config) -> result``.

    The handlers register themselves (services/job_handlers.py); the app factory imports them
    (jobs_cli.init_app), so this module never names them."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def _now() -> datetime:
    return datetime.now(UTC)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def enqueue(session: Session, kind: str, params: Mapping[str, Any], *, round_id: int | None = None,
            user_id: int | None = None) -> Job:
    """Add a queued job and flush (its id is known). The caller commits it together with its audit
    entry, then calls :func:`dispatch`: a worker must not see the row before it is complete."""
    if kind not in HANDLERS:
        raise JobError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, params=dict(params), round_id=round_id, user_id=user_id, status="queued")
    session.add(job)
    session.flush()
    return job


def dispatch(job: Job, config: Mapping[str, Any]) -> None:
    """After the commit of :func:`enqueue`'s job: with RQ, push its id to Redis (the database queue's
    worker finds the committed row by itself)."""
    if config.get("JOBS_BACKEND", "database") == "rq":
        rq_queue(config).enqueue("survey_app.services.jobs.rq_entry", job.id, job_timeout=6 * 3600,
                                 result_ttl=86400, failure_ttl=7 * 86400)


def rq_queue(config: Mapping[str, Any]):  # type: ignore[no-untyped-def]
    from redis import Redis
    from rq import Queue

    url = str(config.get("JOBS_REDIS_URL") or config.get("RATELIMIT_STORAGE_URI") or "redis://127.0.0.1:6379/0")
    return Queue(str(config.get("JOBS_RQ_QUEUE", RQ_QUEUE)), connection=Redis.from_url(url))


def round_jobs(session: Session, round_id: int, kinds: tuple[str, ...], limit: int = 5) -> list[Job]:
    """The newest jobs of a round (for the console's progress bars)."""
    return list(session.scalars(select(Job).where(Job.round_id == round_id, Job.kind.in_(kinds))
                                .order_by(Job.id.desc()).limit(limit)))


def is_pending(session: Session, round_id: int, kind: str) -> bool:
    """Whether a job of ``kind`` is queued or running for the round: one at a time (a second
    sending would only find nothing left to send, but it would show as work to do)."""
    return session.scalar(select(Job.id).where(Job.round_id == round_id, Job.kind == kind,
                                               Job.status.in_(("queued", "running"))).limit(1)) is not None


def claim_next(session: Session, name: str) -> int | None:
    """Take the oldest queued job for this worker; None when the queue is empty.

    Compare-and-set: the UPDATE only succeeds while the row is still queued,
    so two workers never run the same job.
    """
    for job_id in session.scalars(select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(5)):
        if _claim(session, job_id, name):
            return job_id
    return None


def _claim(session: Session, job_id: int, name: str) -> bool:
    now = _now()
    result = session.execute(update(Job).where(Job.id == job_id, Job.status == "queued").values(
        status="running", worker=name, started_at=now, heartbeat_at=now, attempts=Job.attempts + 1))
    session.commit()  # exception to "the caller commits": the worker's claim is its own short transaction
    return bool(getattr(result, "rowcount", 0))


def requeue_stale(session: Session, stale_seconds: float = STALE_SECONDS) -> int:
    """Running jobs whose worker stopped beating: back to the queue, or failed after MAX_ATTEMPTS."""
    limit = _now() - timedelta(seconds=stale_seconds)
    stale = list(session.scalars(select(Job).where(Job.status == "running", Job.heartbeat_at < limit)))
    for job in stale:
        if job.attempts >= MAX_ATTEMPTS:
            job.status, job.finished_at = "failed", _now()
            job.error = f"the worker stopped {job.attempts} times during this job"
        else:
            job.status = "queued"
            job.step = "resumed after the worker stopped"
        logger.warning("job %s (%s) was running on a stopped worker: %s", job.id, job.kind, job.status)
    session.commit()  # exception: the worker's own bookkeeping transaction
    return len(stale)


def run_job(sessions: Callable[[], Any], job_id: int, config: Mapping[str, Any], *, name: str | None = None) -> str:
    """Run one claimed job to its end; returns its final status.

    ``sessions`` opens a new database session (a context manager): the job's
    own work, its progress and its heartbeat each use their own session, so a
    failure in the work cannot lose the record of the failure.
    """
    with sessions() as session:
        job = session.get(Job, job_id)
        if job is None:
            return "missing"
        if job.status == "queued":  # RQ delivers by id: claim it here
            if not _claim(session, job_id, name or worker_name()):
                return "taken"
            session.refresh(job)
        kind, params = job.kind, dict(job.params or {})
    stop = threading.Event()
    interval = min(HEARTBEAT_SECONDS, float(config.get("JOBS_STALE_SECONDS", STALE_SECONDS)) / 4)
    beat = threading.Thread(target=_heartbeat, args=(sessions, job_id, stop, interval), daemon=True)
    beat.start()
    last = [0.0]

    def progress(done: int, total: int, step: str = "") -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_INTERVAL and done < total:
            return
        last[0] = now
        with sessions() as s:
            s.execute(update(Job).where(Job.id == job_id).values(done=done, total=total, step=step[:200],
                                                                 heartbeat_at=_now()))
            s.commit()  # exception: progress is its own transaction, visible while the job runs

    try:
        function = HANDLERS.get(kind)
        if function is None:
            raise JobError(f"unknown job kind {kind!r}")
        with sessions() as session:
            result = function(session, params, progress, config)
            session.commit()  # the worker owns the handler's transaction (handlers only flush or commit batches)
    except Exception as exc:  # noqa: BLE001  (any failure is recorded with its reason, then logged)
        logger.exception("job %s (%s) failed", job_id, kind)
        reason = str(exc).strip() or exc.__class__.__name__
        _finish(sessions, job_id, status="failed", error=reason[:2000])
        return "failed"
    finally:
        stop.set()
        beat.join(timeout=2)
    _finish(sessions, job_id, status="done", result=result or {})
    return "done"


def _finish(sessions: Callable[[], Any], job_id: int, **values: Any) -> None:
    with sessions() as session:
        job = session.get(Job, job_id)
        if job is None:
            return
        for key, value in values.items():
            setattr(job, key, value)
        if values.get("status") == "done" and job.total:
            job.done = job.total
        job.finished_at = _now()
        session.commit()  # exception: the job's end is recorded in its own transaction, even after a failure


def _heartbeat(sessions: Callable[[], Any], job_id: int, stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        try:
            with sessions() as session:
                session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=_now()))
                session.commit()  # exception: the heartbeat is its own transaction
        except Exception:  # noqa: BLE001  (a missed beat is retried; the job itself goes on)
            logger.warning("job %s: heartbeat not recorded", job_id)


def work(sessions: Callable[[], Any], config: Mapping[str, Any], *, stop: threading.Event | None = None,
         burst: bool = False, poll_seconds: float = 1.0) -> int:
    """The database queue's worker loop: claim, run, repeat; returns the number of jobs run.

    ``burst`` stops when the queue is empty (tests, cron); ``stop`` ends the loop between jobs.
    """
    stop = stop or threading.Event()
    name = worker_name()
    stale = float(config.get("JOBS_STALE_SECONDS", STALE_SECONDS))
    ran = 0
    last_check = 0.0
    while not stop.is_set():
        with sessions() as session:
            if time.monotonic() - last_check > min(stale, 30.0):
                requeue_stale(session, stale)
                last_check = time.monotonic()
            job_id = claim_next(session, name)
        if job_id is None:
            if burst:
                break
            stop.wait(poll_seconds)
            continue
        run_job(sessions, job_id, config, name=name)
        ran += 1
    return ran


def rq_entry(job_id: int) -> str:
    """What an RQ worker runs: the job row ``job_id``, inside the app the worker command built."""
    from flask import current_app

    from survey_app.extensions import db

    return run_job(db.new_session, job_id, dict(current_app.config))
