"""Shared pieces of the load, crash and outage benchmarks (loopback only).

A small HTTP load generator of our own: N client threads, each with its own
keep-alive connection and cookie, looping GET survey page -> POST answers, for
a bounded number of submissions. It counts acknowledged submissions (303 to the
thank-you page) so that the count stored in the database can be compared with it.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8765"))
# Several people benchmarking on one machine: each their own database, counters and ports.
DATABASE = os.environ.get("BENCH_DB", "survey_bench")
REDIS_DB = os.environ.get("BENCH_REDIS_DB", "15")
SERVER_LOG = ROOT / "bench" / "out" / "server.log"

ANSWERS = {
    "field": "2", "submission_mode": "1", "j_trips": "1", "j_harassment": "0", "j_informal_payment": "0",
    "j_feedback_given": "0", "j_channel_pref": "1",
    "s_acc_1": "4", "s_acc_2": "5", "s_acc_3": "4", "s_proc_1": "4", "s_proc_2": "4", "s_proc_3": "5",
    "s_proc_4": "3", "s_staff_1": "5", "s_staff_2": "4", "s_staff_3": "4", "s_res_1": "4", "s_res_2": "5",
    "s_res_3": "4", "p_make_1": "3", "p_make_2": "4", "p_impl_1": "4", "p_impl_2": "4",
    "e_time": "4", "e_procedure": "3", "e_attitude": "2", "e_online": "4", "e_facilities": "1",
    "sex": "2", "age_group": "3",
}
HIDDEN = re.compile(rb'name="form_token" value="([^"]+)"')
ANSWERS_BODY = urllib.parse.urlencode(ANSWERS)


def form_body(page: bytes) -> str:
    """The answers plus the page's form token, as a browser would post them.

    The answers are encoded once and the token found with one regex search (it
    sits near the top of the page): the client shares the two cores with the
    server, so its own work is kept to what a browser must do.
    """
    match = HIDDEN.search(page)
    token = match.group(1).decode() if match else ""
    return f"{ANSWERS_BODY}&form_token={urllib.parse.quote(token)}"


@dataclass
class Tally:
    """Counts and latencies shared by the client threads (guarded by a lock)."""

    acked: int = 0
    refused: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ok(self, seconds: float) -> None:
        with self.lock:
            self.acked += 1
            self.latencies.append(seconds)

    def refuse(self, status: int) -> None:
        with self.lock:
            self.refused[status] = self.refused.get(status, 0) + 1

    def error(self) -> None:
        with self.lock:
            self.errors += 1

    def summary(self, elapsed: float) -> dict[str, float]:
        lat = sorted(self.latencies) or [0.0]

        def pct(p: float) -> float:
            return 1000 * lat[min(len(lat) - 1, int(p * len(lat)))]

        return {"acked": self.acked, "per_second": self.acked / elapsed, "p50_ms": pct(0.50),
                "p95_ms": pct(0.95), "p99_ms": pct(0.99), "mean_ms": 1000 * statistics.fmean(lat),
                "errors": self.errors, "refused": dict(self.refused)}


class Client:
    """One simulated phone: a keep-alive connection and its session cookie."""

    def __init__(self, port: int = PORT) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict[str, str], bytes]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            raise
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        return response.status, dict(response.getheaders()), data


def submit_once(client: Client, desk: str, tally: Tally) -> bool:
    """GET the form, POST valid answers; True when acknowledged (303)."""
    try:
        status, _, page = client.request("GET", f"/q/{desk}")
        if status != 200:
            tally.refuse(status)
            return False
        body = form_body(page)
        started = time.perf_counter()
        status, _, _ = client.request("POST", f"/q/{desk}", body)
    except (OSError, http.client.HTTPException):
        tally.error()
        return False
    if status == 303:
        tally.ok(time.perf_counter() - started)
        return True
    tally.refuse(status)
    return False


def run_clients(total: int, concurrency: int, work: Callable[[Client, Tally], bool],
                deadline_seconds: float = 900, port: int = PORT) -> tuple[Tally, float]:
    """Run ``work`` until ``total`` successes (or the deadline); bounded in count and time."""
    tally = Tally()
    remaining = [total]
    lock = threading.Lock()
    stop_at = time.monotonic() + deadline_seconds

    def loop() -> None:
        client = Client(port)
        while time.monotonic() < stop_at:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            if not work(client, tally):
                with lock:
                    remaining[0] += 1  # retry: a refused submission is tried again, as a person would
                time.sleep(0.05)

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally, time.perf_counter() - started


def fresh_database(name: str) -> str:
    """Drop and create a PostgreSQL database for the run; return its SQLAlchemy URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {**os.environ, "SURVEY_ENV": "production", "SURVEY_DATABASE_URL": database_url,
           "SURVEY_SECRET_KEY": "bench-secret-" + "x" * 40, "SURVEY_SESSION_COOKIE_SECURE": "false",
           # Load runs come from one address and one browser per thread: every public limit out of the way.
           "SURVEY_RATELIMIT_SUBMIT": "1000000 per hour", "SURVEY_RATELIMIT_ADDRESS": "1000000 per hour",
           "SURVEY_RATELIMIT_DESK": "1000000 per hour", "SURVEY_RATELIMIT_SUSPECT": "1000000 per hour",
           "SURVEY_RATELIMIT_STORAGE_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
           "PORT": str(PORT)}
    env.update(extra)
    return env


def prepare_app_database(database_url: str) -> list[str]:
    """Migrate and load the demo district; return the desk codes."""
    env = server_env(database_url)
    for args in (["db", "upgrade"], ["demo", "load", "--district"]):
        subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                       check=True, capture_output=True)
    import psycopg

    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        return [row[0] for row in conn.execute("SELECT code FROM service_points")]


def port_is_free(port: int = PORT) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex((HOST, port)) != 0


def start_gunicorn(app: str, env: dict[str, str], port: int = PORT) -> subprocess.Popen[bytes]:
    """Start gunicorn in its own process group (so it can be killed whole) and wait until it answers."""
    SERVER_LOG.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + 30
    while not port_is_free(port):  # a server left over would answer in our place
        if time.monotonic() > deadline:
            raise RuntimeError(f"port {port} is busy: another server is running (set BENCH_PORT)")
        time.sleep(0.2)
    process = subprocess.Popen([GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), "--bind", f"{HOST}:{port}", app],
                               cwd=ROOT, env=env, start_new_session=True,
                               # A file, not a pipe: nobody reads a pipe here, and a full one blocks the workers.
                               stdout=subprocess.DEVNULL, stderr=SERVER_LOG.open("ab"))
    wait_until_up("/api/v1/health" if app == "wsgi:app" else "/page", port=port)
    return process


def wait_until_up(path: str, timeout: float = 30, port: int = PORT) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"server did not come up on {HOST}:{port}")


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Signal the whole process group (master and workers)."""
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds (user + system) used so far by a process group: its live processes and
    the children they reaped (gunicorn's master reaps the workers it recycles)."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == pgid:  # pgrp; utime, stime, cutime, cstime follow
            ticks += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def stored_responses(database_url: str) -> int:
    import psycopg

    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        return conn.execute("SELECT count(*) FROM responses").fetchone()[0]


def flush_rate_limits() -> None:
    if shutil.which("redis-cli"):
        subprocess.run(["redis-cli", "-n", REDIS_DB, "FLUSHDB"], capture_output=True)


def desk_picker(desks: list[str]) -> Callable[[], str]:
    rng = random.Random(7)
    return lambda: rng.choice(desks)


def prepare_run() -> tuple[str, Callable[[], str]]:
    """A fresh, migrated database with the demo district, empty rate-limit counters, and a desk picker."""
    url = fresh_database(DATABASE)
    pick = desk_picker(prepare_app_database(url))
    flush_rate_limits()
    return url, pick


def print_table(rows: list[tuple[str, dict[str, float]]]) -> None:
    print(f"{'scenario':<28}{'ok':>8}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, s in rows:
        print(f"{name:<28}{s['acked']:>8}{s['per_second']:>10.1f}{s['p50_ms']:>9.1f}{s['p95_ms']:>9.1f}"
              f"{s['p99_ms']:>9.1f}{s['errors']:>8}")
    sys.stdout.flush()


@dataclass
class RetryStats:
    """What the respondents saw while the server was in trouble."""

    retries: int = 0
    unavailable_pages: int = 0  # 503 answers
    unavailable_clear: int = 0  # ... that carried the "please try again" page
    other_statuses: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def submit_until_acknowledged(client: Client, desk: str, tally: Tally, stats: RetryStats,
                              give_up_after: float = 120) -> bool:
    """Submit one form and, like a patient respondent, press Send again until it is acknowledged.

    The retried POST carries the same form (same nonce), so a submission that was
    stored but whose answer was lost in a crash is recognised, not stored twice.
    """
    end = time.monotonic() + give_up_after
    page = None
    while page is None and time.monotonic() < end:
        try:
            status, _, body = client.request("GET", f"/q/{desk}")
            page = body if status == 200 else None
        except (OSError, http.client.HTTPException):
            page = None
        if page is None:
            time.sleep(0.3)
    if page is None:
        tally.error()
        return False
    form = form_body(page)
    started = time.perf_counter()
    while time.monotonic() < end:
        try:
            status, _, body = client.request("POST", f"/q/{desk}", form)
        except (OSError, http.client.HTTPException):
            status, body = -1, b""
        if status == 303:
            tally.ok(time.perf_counter() - started)
            return True
        with stats.lock:
            stats.retries += 1
            if status == 503:
                stats.unavailable_pages += 1
                stats.unavailable_clear += "Vui lòng thử lại".encode() in body
            elif status != -1:
                stats.other_statuses[status] = stats.other_statuses.get(status, 0) + 1
        time.sleep(0.3)
    tally.error()
    return False


def integrity_report(database_url: str) -> dict[str, int]:
    """Rows that would betray a half-written submission: every response has its nonce and vice versa."""
    import psycopg

    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        responses = conn.execute("SELECT count(*) FROM responses").fetchone()[0]
        nonces = conn.execute("SELECT count(*) FROM submission_nonces").fetchone()[0]
        incomplete = conn.execute(
            "SELECT count(*) FROM responses WHERE NOT (answers ? 's_acc_1' AND answers ? 'sex')").fetchone()[0]
    return {"responses": responses, "nonces": nonces, "incomplete_answers": incomplete}
