"""Benchmark of the response exports: 1,000,000 responses to CSV and XLSX, time and peak memory.

One run fills a database with the demo district and N responses (bulk inserts,
90% citizens and 10% businesses, answers drawn per item type), then exports
them, each export in a fresh Python process so its peak resident memory
(``VmHWM``) is its own:

* ``csv``: the export service to a file (``plan_export`` + ``iter_rows`` +
  ``write_csv``, what ``flask export responses`` does);
* ``xlsx``: the same to XLSX (XlsxWriter, constant memory, formatted sheets), with the codebook sheet;
* ``http-csv``: the console route ``/admin/rounds/<id>/export.csv`` through
  Flask's test client, consuming the streamed body chunk by chunk (what a
  browser download does), so the streaming itself is measured;
* ``http-dashboard``: the round's progress dashboard right after the bulk load
  (the responses stored as the app's bulk loads store them,
  ``services.dashboard.store_responses``, which keeps the answer tallies: the
  first view of a round filled at once), then the same page again; after 2,000 more responses on the last day and the
  next (``fieldwork``), ``http-dashboard-warm``: the view during fieldwork, which
  recomputes only those two days; then ``http-dashboard-cold``: every tally
  deleted first, so every day is tallied from the answers by SQL (a round
  loaded by other means; ``--skip-cold`` leaves it out). Dashboard times are the request alone, in an
  app warmed up as gunicorn's preloaded master does (``survey_app/warmup.py``).

It prints the ratios the issue asks for: XLSX / CSV and CSV / dashboard.

Usage (from the repository root)::

    .venv/bin/python bench/bench_export.py                       # SQLite, 1,000,000 responses
    .venv/bin/python bench/bench_export.py --responses 100000
    .venv/bin/python bench/bench_export.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/bench_export
    .venv/bin/python bench/bench_export.py --skip-http-csv --prepared 1   # reuse the filled SQLite file

The PostgreSQL database is emptied first, so its name must contain ``bench``.
Files go to ``bench/out/export/`` (git-ignored). Add ``--http-xlsx`` to time
the console's XLSX route too (it writes the same file as ``xlsx``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "export"
sys.path.insert(0, str(ROOT))

ADMIN_EMAIL = "bench@example.org"
ADMIN_PASSWORD = "bench password, long enough"
COMMENTS = ["Cán bộ nhiệt tình, hướng dẫn rõ ràng.", "Thời gian chờ hơi lâu.", "=1+1 (thử công thức)",
            "Cần thêm ghế ngồi ở khu vực chờ.", "Rất hài lòng với Bộ phận một cửa."]
POOL = 20_000  # distinct answer sets; rows pick among them (the export work per row is the same)
BATCH = 10_000


# ---------------------------------------------------------------- data

def prepare(url: str, n: int, seed: int) -> int:
    """Empty the database, migrate it, load the demo district and insert ``n`` responses; return the round id."""
    from alembic import command
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from survey_app.cli import alembic_config
    from survey_app.db import make_engine
    from survey_app.models import Round, ServicePoint, new_response_id
    from survey_app.services.dashboard import store_responses
    from survey_app.services.demo import load_demo
    from survey_app.services.questionnaires import questionnaire_of

    _empty(url)
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url)
    rng = random.Random(seed)
    with Session(engine) as session:
        load_demo(session, ROOT / "questionnaires", ADMIN_EMAIL, ADMIN_PASSWORD, district=True)
        session.commit()
        round_ = session.scalars(select(Round)).one()
        desks = [(d.id, d.unit_id) for d in session.scalars(select(ServicePoint))]
        groups = {g: (round_.version_for(g).id, questionnaire_of(round_.version_for(g)))
                  for g in ("citizen", "business")}
        pools = {g: [_answers(q, rng) for _ in range(POOL)] for g, (_v, q) in groups.items()}
        round_id, start = round_.id, round_.opens_on
    started = time.perf_counter()
    with Session(engine) as session:  # as the app's bulk loads store them: the dashboard's tallies kept
        for first in range(0, n, BATCH):
            rows = []
            for _ in range(min(BATCH, n - first)):
                group = "citizen" if rng.random() < 0.9 else "business"
                desk_id, unit_id = rng.choice(desks)
                rows.append({
                    "id": new_response_id(), "round_id": round_id, "group_code": group, "unit_id": unit_id,
                    "service_point_id": desk_id if group == "citizen" else None,
                    "channel": "qr" if group == "citizen" else "link",
                    "questionnaire_version_id": groups[group][0],
                    "submitted_on": start + timedelta(days=rng.randrange(60)),
                    "duration_seconds": rng.randrange(40, 1200), "answers": rng.choice(pools[group]),
                })
            store_responses(session, rows)
            session.commit()
            print(f"\r  inserted {first + len(rows):,} / {n:,}", end="", flush=True)
    print(f"\n  {n:,} responses inserted in {time.perf_counter() - started:.0f} s")
    engine.dispose()
    return round_id


def _empty(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        Path(parsed.database or "").parent.mkdir(parents=True, exist_ok=True)
        return
    if "bench" not in (parsed.database or ""):
        raise SystemExit(f"refusing to empty {parsed.database!r}: use a database whose name contains 'bench'")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _answers(q, rng: random.Random) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Plausible answers to every item of ``q`` (about 5% skipped, a comment one time in ten)."""
    answers: dict[str, object] = {}
    for item in q.items:
        if item.relevant is not None and not item.relevant.is_met(answers):
            continue
        if item.type == "text":
            if rng.random() < 0.1:
                answers[item.code] = rng.choice(COMMENTS)
        elif rng.random() < 0.05:
            continue
        elif item.type == "number":
            answers[item.code] = rng.randint(item.min, min(item.max, item.min + 10))
        elif item.type == "multiple":
            answers[item.code] = sorted(rng.sample(item.option_codes, rng.randint(1, 2)))
        else:
            answers[item.code] = rng.choice(item.option_codes)
    return answers


# ---------------------------------------------------------------- one export, in its own process

def child(mode: str, url: str, round_id: int, out: Path) -> dict[str, object]:
    """Run one export and measure it; called in a fresh interpreter (``--child``)."""
    import survey_app.services.codebook
    import survey_app.services.export_xlsx  # noqa: F401
    from survey_app import create_app  # noqa: F401

    baseline = _peak_rss_mb()
    cpu_started = time.process_time()
    started = time.perf_counter()
    if mode.startswith("http-"):
        rows = _http_export(mode.removeprefix("http-").removesuffix("-warm").removesuffix("-cold"), url, round_id, out)
    else:
        rows = _service_export(mode, url, round_id, out)
    return {"mode": mode, "rows": rows, "seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(time.process_time() - cpu_started, 2),
            "request_cpu_seconds": round(REQUEST_CPU[0], 3) if REQUEST_CPU else None,
            "request_seconds": round(REQUEST_SECONDS[0], 3) if REQUEST_SECONDS else None,
            "again_seconds": round(REQUEST_SECONDS[1], 3) if len(REQUEST_SECONDS) > 1 else None,
            "peak_rss_mb": round(_peak_rss_mb(), 1), "rss_before_mb": round(baseline, 1),
            "bytes": out.stat().st_size}


def _service_export(fmt: str, url: str, round_id: int, out: Path) -> int:
    from sqlalchemy.orm import Session

    from survey_app.db import make_engine
    from survey_app.services.codebook import codebook_questionnaires, codebook_rows
    from survey_app.services.export import ExportFilter, iter_rows, plan_export, write_csv
    from survey_app.services.export_xlsx import write_xlsx

    with Session(make_engine(url)) as session:
        flt = ExportFilter(round_id=round_id)
        plan = plan_export(session, flt)
        if fmt == "xlsx":
            return write_xlsx(str(out), plan.header, iter_rows(session, plan),
                              codebook=codebook_rows(codebook_questionnaires(session, flt)),
                              numeric_columns=plan.numeric_columns)
        with out.open("w", encoding="utf-8", newline="") as handle:
            return write_csv(handle, plan.header, iter_rows(session, plan))


def _http_export(fmt: str, url: str, round_id: int, out: Path) -> int:
    """The console route, as a signed-in administrator's browser would download it (or the dashboard)."""
    import re

    from survey_app import create_app

    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": url})
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]*)"', client.get("/admin/login").get_data(as_text=True))
    signed = client.post("/admin/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD,
                                                "csrf_token": token.group(1) if token else ""})
    assert signed.status_code == 302, "sign-in failed"
    path = f"/admin/rounds/{round_id}/" + ("dashboard" if fmt == "dashboard" else f"export.{fmt}")
    if fmt == "dashboard":
        from survey_app.warmup import warm_up

        warm_up(app)  # what gunicorn's preloaded master does once (templates compiled, catalogues loaded)
        assert client.get("/admin/").status_code == 200
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(path, buffered=False)
    assert response.status_code == 200, response.status_code
    lines = 0
    with out.open("wb") as handle:
        for chunk in response.response:
            handle.write(chunk)
            lines += chunk.count(b"\n")
    response.close()
    REQUEST_SECONDS.append(time.perf_counter() - started)
    REQUEST_CPU.append(time.process_time() - cpu)
    if fmt == "dashboard":  # the same page again at once: nothing changed, every tally reused
        started = time.perf_counter()
        assert client.get(path).status_code == 200
        REQUEST_SECONDS.append(time.perf_counter() - started)
    return lines - 1 if fmt == "csv" else -1  # CSV: data lines (no line breaks inside the generated answers)


REQUEST_SECONDS: list[float] = []  # the request alone, without starting the app and signing in
REQUEST_CPU: list[float] = []  # its CPU seconds in this process (the database server's are not counted)


def _peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM).

    Not ``getrusage().ru_maxrss``: Linux carries that over from the parent
    across fork and exec, so a child would report the driver's peak.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: the best we have


# ---------------------------------------------------------------- driver

def more_fieldwork(url: str, round_id: int, n: int, seed: int) -> None:
    """``n`` more responses on the round's last day and the next (what arrives between two dashboard views)."""
    from sqlalchemy import func, insert, select
    from sqlalchemy.orm import Session

    from survey_app.db import make_engine
    from survey_app.models import Response

    engine = make_engine(url)
    rng = random.Random(seed)
    with Session(engine) as session:
        last = session.scalar(select(func.max(Response.submitted_on)).where(Response.round_id == round_id))
        sample = [dict(r._mapping) for r in session.execute(
            select(*(c for c in Response.__table__.c if c.name != "id")).where(Response.round_id == round_id).limit(500))]
    rows = [{**rng.choice(sample), "id": new_response_id(), "submitted_on": last + timedelta(days=rng.randrange(2))}
            for _ in range(n)]
    with engine.begin() as connection:
        connection.execute(insert(Response.__table__), rows)
    engine.dispose()


def clear_tallies(url: str) -> None:
    """Delete every answer tally: the next dashboard view tallies every day from the answers (SQL aggregates)."""
    from sqlalchemy import delete

    from survey_app.db import make_engine
    from survey_app.models import AnswerTally

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(delete(AnswerTally))
    engine.dispose()


def new_response_id() -> str:
    from survey_app.models import new_response_id as make

    return make()


def run(url: str, label: str, round_id: int, modes: list[str], seed: int = 0) -> list[dict[str, object]]:
    results = []
    for mode in modes:
        if mode == "fieldwork":
            more_fieldwork(url, round_id, 2000, seed)
            print(f"  {label:10} +2,000 responses on the last day and the next")
            continue
        if mode == "clear-tallies":
            clear_tallies(url)
            print(f"  {label:10} every tally deleted (as before the load kept them)")
            continue
        suffix = {"http-dashboard": "html", "http-dashboard-warm": "html", "http-dashboard-cold": "html", "xlsx": "xlsx",
                  "http-xlsx": "xlsx"}.get(mode, "csv")
        out = OUT / f"{label}-{mode}.{suffix}"
        command = [sys.executable, __file__, "--child", mode, "--url", url, "--round-id", str(round_id),
                   "--out", str(out)]
        done = subprocess.run(command, capture_output=True, text=True, check=False,
                              env={**os.environ, "SURVEY_ENV": "development"})
        if done.returncode != 0:
            raise SystemExit(f"{label} {mode} failed:\n{done.stderr[-3000:]}")
        result = {"database": label, **json.loads(done.stdout.strip().splitlines()[-1])}
        request = (f" (request {result['request_seconds']:.2f} s, CPU {result['request_cpu_seconds']:.2f} s)"
                   if result.get("request_seconds") is not None else "")
        if result.get("again_seconds") is not None:
            request = request[:-1] + f", again {result['again_seconds']:.2f} s)"
        print(f"  {label:10} {mode:19} {result['rows']:>10,} rows {result['seconds']:>7.2f} s "
              f"(CPU {result['cpu_seconds']:.2f} s){request} "
              f"peak RSS {result['peak_rss_mb']:>6.0f} MB (after imports {result['rss_before_mb']:.0f} MB) "
              f"{result['bytes'] / 1e6:>7.0f} MB file")
        results.append(result)
    times = {r["mode"]: r for r in results}
    csv_seconds = times["csv"]["seconds"]
    csv_cpu = times["csv"]["cpu_seconds"]
    if "xlsx" in times:
        print(f"  {label:10} XLSX / CSV = {times['xlsx']['seconds'] / csv_seconds:.2f} "
              f"(CPU {times['xlsx']['cpu_seconds'] / csv_cpu:.2f}; target <= 2)")
    for mode in ("http-dashboard", "http-dashboard-warm", "http-dashboard-cold"):
        if mode in times:
            shown = times[mode]
            print(f"  {label:10} CSV / {mode} request = {csv_seconds / shown['request_seconds']:.1f}x "
                  f"(CPU {csv_cpu / max(shown['request_cpu_seconds'], 1e-3):.1f}x; target >= 20x); "
                  f"same page again {csv_seconds / max(shown['again_seconds'], 1e-3):.1f}x")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--postgres", help="URL of a PostgreSQL database to fill and export too (name with 'bench')")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--http-xlsx", action="store_true", help="also time the console's XLSX route")
    parser.add_argument("--skip-http-csv", action="store_true", help="skip the console's CSV route")
    parser.add_argument("--skip-cold", action="store_true",
                        help="skip the last dashboard view, with every tally deleted first (all days tallied by SQL)")
    parser.add_argument("--prepared", type=int, metavar="ROUND_ID",
                        help="reuse the database filled by an earlier run (its round id) instead of filling it")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--round-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.url, args.round_id, args.out)))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    modes = ["csv", "xlsx", *(["http-csv"] if not args.skip_http_csv else []),
             *(["http-xlsx"] if args.http_xlsx else []), "http-dashboard", "fieldwork", "http-dashboard-warm",
             *([] if args.skip_cold else ["clear-tallies", "http-dashboard-cold"])]
    targets = [] if args.skip_sqlite else [("sqlite", f"sqlite:///{OUT / 'bench.db'}")]
    if args.postgres:
        targets.append(("postgresql", args.postgres))
    results = []
    for label, url in targets:
        print(f"{label}: generating {args.responses:,} responses")
        round_id = args.prepared or prepare(url, args.responses, args.seed)
        results += run(url, label, round_id, modes, args.seed)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
