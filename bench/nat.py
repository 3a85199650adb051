"""No one turned away: 200 browsers behind one address at one desk, and scripts held back (issue 15).

Loopback only and bounded (about 1,000 requests). gunicorn with production
settings and the *shipped* limits (RATELIMIT_SUBMIT per browser,
RATELIMIT_ADDRESS per address at a desk, RATELIMIT_DESK, RATELIMIT_SUSPECT),
PostgreSQL, Redis. Every client comes from 127.0.0.1, as phones behind a
carrier's NAT or an office Wi-Fi come from one address.

1. 200 browsers (each its own cookie) open the desk's form and send it once,
   well within an hour: all must be stored.
2. A script without cookies posts 100 times: refused every time (its form
   token is bound to a browser cookie it does not keep), nothing stored.
3. A script that throws its cookie away and fetches a new form for each post
   tries 300 times: it is held back by the per-address ceiling, and what it got
   in beyond the suspicion level is counted on the dashboard's quality flags.

    .venv/bin/python bench/nat.py          # needs PostgreSQL on 127.0.0.1:5432 and Redis

Environment: BENCH_PORT (8765), BENCH_DB (survey_bench_nat), BENCH_REDIS_DB (8).
"""

from __future__ import annotations

import os
import sys
import time
import uuid

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))

from bench.loadlib import (  # noqa: E402
    Client,
    Tally,
    form_body,
    fresh_database,
    prepare_app_database,
    server_env,
    start_gunicorn,
    stop,
    stored_responses,
    submit_once,
)

BROWSERS = 200
COOKIELESS_TRIES = 100
DISCARDING_TRIES = 300
DESK = "demo"


def main() -> int:
    url = fresh_database(os.environ.get("BENCH_DB", "survey_bench_nat"))
    prepare_app_database(url)
    redis_db = os.environ.get("BENCH_REDIS_DB", "8")
    env = server_env(url)
    for name in ("SURVEY_RATELIMIT_SUBMIT", "SURVEY_RATELIMIT_ADDRESS", "SURVEY_RATELIMIT_DESK",
                 "SURVEY_RATELIMIT_SUSPECT"):
        env.pop(name)  # the shipped limits, not the load tests' lifted ones
    env["SURVEY_RATELIMIT_STORAGE_URL"] = f"redis://127.0.0.1:6379/{redis_db}"
    env["SURVEY_RATELIMIT_KEY_PREFIX"] = f"nat-{uuid.uuid4().hex}"  # a fresh key space per run
    server = start_gunicorn("wsgi:app", env)
    try:
        started = time.perf_counter()
        browsers = Tally()
        for _ in range(BROWSERS):
            submit_once(Client(), DESK, browsers)
        browsers_seconds = time.perf_counter() - started
        after_browsers = stored_responses(url)

        cookieless = Tally()
        for _ in range(COOKIELESS_TRIES):
            client = Client()
            status, _, page = client.request("GET", f"/q/{DESK}")
            client.cookie = ""  # never sends the cookie it was given
            status, _, _ = client.request("POST", f"/q/{DESK}", form_body(page))
            (cookieless.ok(0) if status == 303 else cookieless.refuse(status))
        after_cookieless = stored_responses(url)

        discarding = Tally()
        for _ in range(DISCARDING_TRIES):
            submit_once(Client(), DESK, discarding)  # a new cookie, a new form, every time
        after_script = stored_responses(url)
    finally:
        stop(server)
    import psycopg

    with psycopg.connect(url.replace("+psycopg", "")) as conn:
        flagged = conn.execute("SELECT coalesce(sum(submissions), 0) FROM stuffing_signals").fetchone()[0]
    print(f"browsers behind one address: {browsers.acked}/{BROWSERS} acknowledged, {after_browsers} stored, "
          f"refused {browsers.refused}, {browsers_seconds:.1f} s")
    print(f"script without cookies: {cookieless.acked}/{COOKIELESS_TRIES} acknowledged, "
          f"{after_cookieless - after_browsers} stored, refused {cookieless.refused}")
    print(f"script discarding its cookie: {discarding.acked}/{DISCARDING_TRIES} acknowledged, "
          f"{after_script - after_cookieless} stored, refused {discarding.refused}; "
          f"flagged as suspected stuffing: {flagged}")
    ok = (after_browsers == BROWSERS and after_cookieless == after_browsers
          and discarding.acked < DISCARDING_TRIES and flagged > 0)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
