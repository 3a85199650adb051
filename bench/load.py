"""Load test: citizen submissions against gunicorn + PostgreSQL, compared with a bare Flask app.

    .venv/bin/python bench/load.py [--submissions 20000] [--concurrency 100]

Loopback only; bounded in count and time. Prints throughput and latency for
each scenario, our throughput as a ratio of the bare app's, and the count of
acknowledged submissions against the count stored (they must be equal).
"""

from __future__ import annotations

import argparse
import http.client
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadlib  # noqa: E402


def survey_get(pick):  # type: ignore[no-untyped-def]
    def work(client: loadlib.Client, tally: loadlib.Tally) -> bool:
        import time

        started = time.perf_counter()
        try:
            status, _, _ = client.request("GET", f"/q/{pick()}")
        except (OSError, http.client.HTTPException):
            tally.error()
            return False
        if status == 200:
            tally.ok(time.perf_counter() - started)
            return True
        tally.refuse(status)
        return False
    return work


def bare(method: str):  # type: ignore[no-untyped-def]
    body = urllib.parse.urlencode({**loadlib.ANSWERS, "csrf_token": "x" * 90, "form_token": "y" * 90})

    def work(client: loadlib.Client, tally: loadlib.Tally) -> bool:
        import time

        started = time.perf_counter()
        try:
            if method == "GET":
                status, _, _ = client.request("GET", "/page")
                ok = status == 200
            else:
                client.request("GET", "/page")  # same round trips as the real flow
                started = time.perf_counter()
                status, _, _ = client.request("POST", "/submit", body)
                ok = status == 303
        except (OSError, http.client.HTTPException):
            tally.error()
            return False
        if ok:
            tally.ok(time.perf_counter() - started)
        else:
            tally.refuse(status)
        return ok
    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--gets", type=int, default=10000)
    args = parser.parse_args()

    url, pick = loadlib.prepare_run()
    rows = []

    server = loadlib.start_gunicorn("wsgi:app", loadlib.server_env(url))
    try:
        get_tally, get_time = loadlib.run_clients(args.gets, args.concurrency, survey_get(pick))
        rows.append(("survey GET /q/<desk>", get_tally.summary(get_time)))
        post_tally, post_time = loadlib.run_clients(
            args.submissions, args.concurrency, lambda c, t: loadlib.submit_once(c, pick(), t))
        rows.append(("survey GET+POST (POST timed)", post_tally.summary(post_time)))
    finally:
        loadlib.stop(server)
    stored = loadlib.stored_responses(url)

    server = loadlib.start_gunicorn("bench.bare_app:app", loadlib.server_env(url))
    try:
        bare_get, bare_get_time = loadlib.run_clients(args.gets, args.concurrency, bare("GET"))
        rows.append(("bare GET /page", bare_get.summary(bare_get_time)))
        bare_post, bare_post_time = loadlib.run_clients(args.submissions, args.concurrency, bare("POST"))
        rows.append(("bare GET+POST (POST timed)", bare_post.summary(bare_post_time)))
    finally:
        loadlib.stop(server)

    loadlib.print_table(rows)
    survey_rate = post_tally.acked / post_time
    bare_rate = bare_post.acked / bare_post_time
    print(f"\nsubmissions: acknowledged {post_tally.acked}, stored {stored} -> "
          f"{'EQUAL' if stored == post_tally.acked else 'MISMATCH'}")
    print(f"submission throughput vs bare insert app: {survey_rate:.1f} / {bare_rate:.1f} = {survey_rate / bare_rate:.0%}"
          " (target >= 60%)")
    get_ratio = (get_tally.acked / get_time) / (bare_get.acked / bare_get_time)
    print(f"survey page GET vs bare page: {get_ratio:.0%} (target >= 70%)")
    if stored != post_tally.acked:
        sys.exit(1)


if __name__ == "__main__":
    main()
