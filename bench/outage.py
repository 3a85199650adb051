"""Database outage: stop PostgreSQL for a few seconds during the load, start it again.

    .venv/bin/python bench/outage.py [--submissions 4000] [--concurrency 100] [--down 5]

Needs root (pg_ctlcluster). Respondents who meet the outage must get the
"please try again" page (503), never a stack trace; the app must recover without
a restart; nothing acknowledged may be lost.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadlib


def pg_cluster(action: str) -> None:
    version = subprocess.run(["ls", "/etc/postgresql"], capture_output=True, text=True, check=True).stdout.split()[0]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action, *(
        ["-m", "fast"] if action == "stop" else [])], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--down", type=float, default=5.0, help="seconds PostgreSQL stays stopped")
    args = parser.parse_args()

    url, pick = loadlib.prepare_run()
    server = loadlib.start_gunicorn("wsgi:app", loadlib.server_env(url))
    stats = loadlib.RetryStats()

    def outage() -> None:
        time.sleep(4)
        print(f"stopping PostgreSQL for {args.down:.0f}s", flush=True)
        pg_cluster("stop")
        time.sleep(args.down)
        pg_cluster("start")
        print("PostgreSQL started again", flush=True)

    thread = threading.Thread(target=outage)
    thread.start()
    try:
        tally, elapsed = loadlib.run_clients(
            args.submissions, args.concurrency,
            lambda c, t: loadlib.submit_until_acknowledged(c, pick(), t, stats))
    finally:
        thread.join()
    pid_before = server.pid
    healthy = loadlib.Client().request("GET", "/api/v1/health")[0] == 200
    loadlib.stop(server)
    report = loadlib.integrity_report(url)
    print(f"acknowledged {tally.acked} in {elapsed:.1f}s, stored {report['responses']}, nonces {report['nonces']}, "
          f"half-written {report['incomplete_answers']}")
    print(f"during the outage: {stats.unavailable_pages} '503 please try again' pages "
          f"({stats.unavailable_clear} with the Vietnamese message), other statuses {stats.other_statuses}, "
          f"retries {stats.retries}; same server process {pid_before} healthy afterwards: {healthy}")
    ok = (tally.acked == report["responses"] == report["nonces"] == args.submissions and healthy
          and report["incomplete_answers"] == 0 and stats.unavailable_pages == stats.unavailable_clear
          and 500 not in stats.other_statuses)
    print("RESULT:", "recovered without restart, nothing lost, clear page shown" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
