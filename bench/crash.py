"""Crash test: kill -9 gunicorn (master and workers) in the middle of the load, restart, count.

    .venv/bin/python bench/crash.py [--submissions 10000] [--concurrency 100] [--kills 2]

A supervisor loop plays systemd's Restart=always: when the server dies it is
started again with the same command. Respondents whose Send failed press it again
(same form). At the end every acknowledged submission must be stored, no
response may be half written, and the server must be serving.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadlib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--kills", type=int, default=2)
    args = parser.parse_args()

    url, pick = loadlib.prepare_run()
    env = loadlib.server_env(url)
    server = [loadlib.start_gunicorn("wsgi:app", env)]
    stats = loadlib.RetryStats()
    done = threading.Event()
    restarts = []

    def supervise() -> None:
        while not done.is_set():
            if server[0].poll() is not None:
                down_at = time.monotonic()
                server[0] = loadlib.start_gunicorn("wsgi:app", env)
                restarts.append(time.monotonic() - down_at)
            time.sleep(0.2)

    def killer() -> None:
        for _ in range(args.kills):
            time.sleep(5)
            print(f"kill -9 gunicorn master and workers (pgid {server[0].pid})", flush=True)
            loadlib.os.killpg(server[0].pid, signal.SIGKILL)

    threading.Thread(target=supervise, daemon=True).start()
    threading.Thread(target=killer, daemon=True).start()
    tally, elapsed = loadlib.run_clients(
        args.submissions, args.concurrency,
        lambda c, t: loadlib.submit_until_acknowledged(c, pick(), t, stats))
    done.set()
    loadlib.wait_until_up("/api/v1/health")
    loadlib.stop(server[0])
    report = loadlib.integrity_report(url)
    print(f"acknowledged {tally.acked} in {elapsed:.1f}s, stored {report['responses']}, nonces {report['nonces']}, "
          f"half-written {report['incomplete_answers']}, restarts {len(restarts)} "
          f"(back in {', '.join(f'{s:.1f}s' for s in restarts)}), retries {stats.retries}, errors {tally.errors}")
    ok = (tally.acked == report["responses"] == report["nonces"] == args.submissions
          and report["incomplete_answers"] == 0 and len(restarts) >= args.kills)
    print("RESULT:", "every acknowledged submission stored, none half written" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
