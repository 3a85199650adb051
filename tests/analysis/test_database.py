"""Loading a round from the app's database (SQLite file with the app's tables)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine, text

from analysis.cli import main
from analysis.io import META_COLUMNS, ResponsesError, load_responses, load_round

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SCHEMES = Path(__file__).resolve().parents[2] / "questionnaires" / "schemes"

# The tables the analysis reads, as the web app's migration creates them.
SCHEMA = [
    "CREATE TABLE units (id INTEGER PRIMARY KEY, code VARCHAR(40) UNIQUE NOT NULL, name_vi VARCHAR(200) NOT NULL,"
    " name_en VARCHAR(200), kind VARCHAR(20), parent_id INTEGER REFERENCES units(id))",
    "CREATE TABLE service_points (id INTEGER PRIMARY KEY, code VARCHAR(40) UNIQUE NOT NULL,"
    " unit_id INTEGER NOT NULL REFERENCES units(id), name_vi VARCHAR(200) NOT NULL, name_en VARCHAR(200))",
    "CREATE TABLE rounds (id INTEGER PRIMARY KEY, name VARCHAR(120) UNIQUE NOT NULL, period VARCHAR(40),"
    " opens_on DATE NOT NULL, closes_on DATE NOT NULL, status VARCHAR(10) NOT NULL)",
    "CREATE TABLE questionnaire_versions (id INTEGER PRIMARY KEY, group_code VARCHAR(20) NOT NULL,"
    " content_hash VARCHAR(64) NOT NULL, source TEXT NOT NULL, loaded_at DATETIME NOT NULL)",
    "CREATE TABLE responses (id VARCHAR(32) PRIMARY KEY, round_id INTEGER NOT NULL REFERENCES rounds(id),"
    " group_code VARCHAR(20) NOT NULL, unit_id INTEGER NOT NULL REFERENCES units(id),"
    " service_point_id INTEGER REFERENCES service_points(id), channel VARCHAR(10) NOT NULL,"
    " questionnaire_version_id INTEGER NOT NULL REFERENCES questionnaire_versions(id),"
    " submitted_on DATE NOT NULL, duration_seconds INTEGER, answers JSON NOT NULL)",
]

UNIT_NAMES = {"XA_AN_BINH": "Xã An Bình", "XA_BINH_MINH": "Xã Bình Minh", "TT_PHU_XUYEN": "Thị trấn Phú Xuyên"}


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> str:
    """A SQLite database holding the fixture round, answers as JSON."""
    path = tmp_path_factory.mktemp("db") / "survey.sqlite"
    url = f"sqlite:///{path}"
    table = load_responses(FIXTURES / "responses_round.csv")
    frame = table.frame
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in SCHEMA:
            conn.execute(text(statement))
        for i, (code, name) in enumerate(UNIT_NAMES.items(), start=1):
            conn.execute(text("INSERT INTO units (id, code, name_vi, kind) VALUES (:i, :c, :n, 'commune')"), {"i": i, "c": code, "n": name})
            conn.execute(
                text("INSERT INTO service_points (id, code, unit_id, name_vi) VALUES (:i, :c, :i, :n)"),
                {"i": i, "c": f"{code}_D1", "n": f"Bộ phận một cửa {name}"},
            )
        conn.execute(text("INSERT INTO rounds VALUES (1, '2024-Q2', 'Q2', '2024-05-01', '2024-05-31', 'closed')"))
        conn.execute(text("INSERT INTO rounds VALUES (2, '2024-Q3', 'Q3', '2024-08-01', '2024-08-31', 'open')"))
        versions = {}
        for group, digest in frame.groupby("group")["questionnaire_version"].first().items():
            versions[group] = len(versions) + 1
            conn.execute(
                text("INSERT INTO questionnaire_versions VALUES (:i, :g, :h, '', '2024-05-01 00:00:00')"),
                {"i": versions[group], "g": group, "h": digest + "0" * 52},
            )
        unit_ids = {code: i for i, code in enumerate(UNIT_NAMES, start=1)}
        items = table.item_columns()
        for record in frame.to_dict("records"):
            answers = {}
            for item in items:
                value = record[item]
                if value != "":
                    answers[item] = int(value) if value.lstrip("-").isdigit() else value
            conn.execute(
                text(
                    "INSERT INTO responses VALUES (:id, 1, :g, :u, :sp, :ch, :qv, :d, :dur, :a)"
                ),
                {
                    "id": record["response_id"],
                    "g": record["group"],
                    "u": unit_ids[record["unit"]],
                    "sp": unit_ids[record["unit"]] if record["desk"] else None,
                    "ch": record["channel"],
                    "qv": versions[record["group"]],
                    "d": record["submitted_on"],
                    "dur": int(record["duration_seconds"]) if record["duration_seconds"] else None,
                    "a": json.dumps(answers, ensure_ascii=False),
                },
            )
    engine.dispose()
    return url


def test_round_loads_in_the_export_layout(database):
    loaded = load_round(database, "2024-Q2")
    expected = load_responses(FIXTURES / "responses_round.csv")
    assert loaded.columns[: len(META_COLUMNS)] == list(META_COLUMNS)
    assert len(loaded) == len(expected)
    assert loaded.unit_names["XA_AN_BINH"] == "Xã An Bình"
    mine = loaded.frame.set_index("response_id")
    theirs = expected.frame.set_index("response_id").loc[mine.index]
    for column in expected.item_columns() + ["group", "unit", "desk", "channel", "submitted_on", "duration_seconds", "questionnaire_version"]:
        left = mine.get(column, "")
        np.testing.assert_array_equal(np.asarray(left, dtype=str), theirs[column].to_numpy(dtype=str), err_msg=column)


def test_unknown_round_is_a_clear_error(database):
    with pytest.raises(ResponsesError, match="no round named '2025'"):
        load_round(database, "2025")


def test_empty_round_loads(database):
    assert len(load_round(database, "2024-Q3")) == 0


def test_report_from_the_database(database, tmp_path, capsys):
    out = tmp_path / "report"
    status = main(
        [
            "report",
            "--database",
            database,
            "--round",
            "2024-Q2",
            "--margins",
            str(FIXTURES / "margins_round.csv"),
            "--scheme",
            str(SCHEMES / "sipas.yaml"),
            "--no-progress",
            "--out",
            str(out),
        ]
    )
    assert status == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Xã An Bình" in html and "<svg" in html
    assert (out / "report.xlsx").stat().st_size > 0
