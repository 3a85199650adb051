"""Upgrading a database of the six fixed groups to structure-as-data loses no response.

A database at revision 0001 (groups and unit kinds were Python constants) is
filled with a district round answered by the six seed groups, exported and
estimated; it is then upgraded to head, exported with today's code and
estimated again: the same rows and the same estimates come out, and the
round now runs the district programme ``par_district_2023``.

SQLite always; PostgreSQL too when SURVEY_TEST_DATABASE_URL is set (in a
database of its own, created and dropped here, so the suite's is untouched).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from analysis.cli import main as analysis_main
from analysis.io import load_responses, load_round
from analysis.io.responses import write_csv as write_table_csv
from survey_app.cli import alembic_config
from survey_app.questionnaire import load_questionnaire
from survey_app.services.simulate import simulate_responses

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"
SIX = ("hdnd_deputy", "dept_director", "office_head", "commune_chair", "business", "citizen")
ROUND = "Khảo sát CCHC 2024"
UNITS = [("HUYEN_AN_BINH", "Huyện An Bình", "district"), ("XA_AN_PHU", "Xã An Phú", "commune"),
         ("XA_AN_LAC", "Xã An Lạc", "commune"), ("TT_AN_BINH", "Thị trấn An Bình", "town"),
         ("P_NOI_VU", "Phòng Nội vụ", "office")]


def _postgres_url() -> str | None:
    base = os.environ.get("SURVEY_TEST_DATABASE_URL")
    if not base:
        return None
    url = make_url(base)
    name = f"{url.database}_structure_migration"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(make_url(os.environ["SURVEY_TEST_DATABASE_URL"]), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def old_database(request, tmp_path):
    """A database at revision 0001 with a district round answered by the six groups."""
    from alembic import command

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = _postgres_url()
        if url is None:
            pytest.skip("SURVEY_TEST_DATABASE_URL is not set")
    command.upgrade(alembic_config(url), "0001")
    _fill(url)
    yield url
    if request.param == "postgresql":
        _drop_postgres(url)


def _fill(url: str) -> None:
    engine = create_engine(url)
    opens = date(2024, 3, 1)
    with engine.begin() as db:
        ids = {}
        for code, name, kind in UNITS:
            parent = ids.get("HUYEN_AN_BINH")
            ids[code] = db.execute(text(
                "INSERT INTO units (code, name_vi, name_en, kind, parent_id) VALUES (:c, :n, '', :k, :p) "
                "RETURNING id"), {"c": code, "n": name, "k": kind, "p": parent}).scalar_one()
        desk = db.execute(text(
            "INSERT INTO service_points (code, unit_id, name_vi, name_en, fields, active, kiosk_enabled) "
            "VALUES ('ban-an-phu', :u, 'Bộ phận một cửa', '', '[1,2,3]', true, false) RETURNING id"),
            {"u": ids["XA_AN_PHU"]}).scalar_one()
        round_id = db.execute(text(
            "INSERT INTO rounds (name, period, opens_on, closes_on, status, slip_secret, reminder_limit) "
            "VALUES (:n, '2024', :o, :c, 'closed', :s, 2) RETURNING id"),
            {"n": ROUND, "o": opens, "c": opens + timedelta(days=60), "s": os.urandom(32)}).scalar_one()
        for group in SIX:
            path = QUESTIONNAIRES / f"{group}.yaml"
            source = path.read_text(encoding="utf-8")
            version = db.execute(text(
                "INSERT INTO questionnaire_versions (group_code, content_hash, source, loaded_at) "
                "VALUES (:g, :h, :s, :t) RETURNING id"),
                {"g": group, "h": hashlib.sha256(path.read_bytes()).hexdigest(), "s": source,
                 "t": "2024-02-01 00:00:00+00"}).scalar_one()
            db.execute(text("INSERT INTO round_questionnaires (round_id, group_code, version_id) "
                            "VALUES (:r, :g, :v)"), {"r": round_id, "g": group, "v": version})
            plan = [("HUYEN_AN_BINH", 400), ("XA_AN_PHU", 900), ("XA_AN_LAC", 700), ("TT_AN_BINH", 500)]
            n = 240 if group == "citizen" else 60 if group == "business" else 24
            for simulated in simulate_responses(load_questionnaire(path), plan, n, seed=4190):
                db.execute(text(
                    "INSERT INTO responses (id, round_id, group_code, unit_id, service_point_id, channel, "
                    "questionnaire_version_id, submitted_on, duration_seconds, answers) "
                    "VALUES (:id, :r, :g, :u, :d, :ch, :v, :day, :dur, :a)"),
                    {"id": uuid.uuid4().hex[:22], "r": round_id, "g": group, "u": ids[simulated.unit],
                     "d": desk if group == "citizen" and simulated.unit == "XA_AN_PHU" else None,
                     "ch": "qr" if group == "citizen" else "link", "v": version,
                     "day": opens + timedelta(days=int(simulated.moment * 60)),
                     "dur": simulated.duration_seconds, "a": json.dumps(simulated.answers)})
    engine.dispose()


def _estimate(responses: Path, out: Path) -> list[str]:
    schemes = ["--scheme", str(QUESTIONNAIRES / "schemes" / "par_district.yaml"),
               "--scheme", str(QUESTIONNAIRES / "schemes" / "sipas.yaml")]
    assert analysis_main(["estimate", "--responses", str(responses), *schemes, "--by", "group",
                          "--out", str(out)]) == 0
    # One line an estimate; their order follows the file's column order, which the two exports need not share.
    return sorted(out.read_text(encoding="utf-8").splitlines())


def _rows(path: Path) -> dict[str, dict[str, str]]:
    """Every response's non-blank cells by column (column order and the version's hash length aside)."""
    frame = load_responses(path).frame.drop(columns=["questionnaire_version"]).fillna("").astype(str)
    return {row["response_id"]: {k: v for k, v in row.items() if v not in ("", "nan")}
            for row in frame.to_dict("records")}


def test_six_group_database_upgrades_without_losing_a_response(old_database, tmp_path):
    from alembic import command

    from survey_app.models import Programme, Response, Round
    from survey_app.services.export import ExportFilter, iter_rows, plan_export, write_csv
    from survey_app.services.programmes import round_groups, round_schemes

    # Before: the round as the analysis reads it from the old schema, and its estimates.
    before = load_round(old_database, ROUND)
    before_csv = tmp_path / "before.csv"
    frame = before.frame
    write_table_csv(before_csv, list(frame.columns), frame.itertuples(index=False))
    estimates_before = _estimate(before_csv, tmp_path / "estimates_before.csv")

    command.upgrade(alembic_config(old_database), "head")

    engine = create_engine(old_database)
    with Session(engine) as session:
        round_ = session.query(Round).filter_by(name=ROUND).one()
        assert session.query(Response).count() == len(frame)
        # The round now runs the district programme, with the six groups as rows.
        assert [link.programme.code for link in round_.programmes] == ["par_district_2023"]
        assert [g.code for g in round_groups(session, round_)] == list(SIX)
        assert {code for _p, code, _s in round_schemes(round_)} == {"par", "sipas"}
        programme = session.query(Programme).filter_by(code="par_district_2023").one()
        assert {link.group_code: link.version_id for link in programme.groups} == {
            link.group_code: link.version_id for link in round_.questionnaires}
        # After: the application's own export of the upgraded database.
        plan = plan_export(session, ExportFilter(round_id=round_.id))
        after_csv = tmp_path / "after.csv"
        with open(after_csv, "w", encoding="utf-8", newline="") as out:
            assert write_csv(out, plan.header, iter_rows(session, plan)) == len(frame)
    engine.dispose()

    assert _rows(after_csv) == _rows(before_csv)
    assert _estimate(after_csv, tmp_path / "estimates_after.csv") == estimates_before
    # The upgraded database is the models' schema.
    from tests.survey_app.test_migrations import _differences

    assert _differences(old_database) == []
