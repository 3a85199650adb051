"""SPSS and Stata files: Vietnamese variable labels (questions) and value labels (answers), read back."""

from __future__ import annotations

import pyreadstat
import pytest

from tests.factories import make_response
from tests.survey_app.admin.conftest import signed_in


def _responses(session, demo):
    make_response(session, demo, "XA_AN_PHU", answers={"sex": 2, "s_acc_1": 4, "field": 1, "comment": "=Tốt lắm"})
    make_response(session, demo, "XA_AN_LAC", answers={"sex": 1, "s_acc_1": 5, "field": 2})


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_cli_writes_labelled_files(app, session, demo, tmp_path, fmt):
    _responses(session, demo)
    out = tmp_path / f"responses.{fmt}"
    result = app.test_cli_runner().invoke(args=["export", "responses", "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    data, meta = read(str(out))
    assert len(data) == 2
    labels = dict(zip(meta.column_names, meta.column_labels))
    assert labels["sex"] == "Giới tính"
    assert labels["unit"] == "Mã đơn vị được đánh giá"
    assert meta.variable_value_labels["sex"] == {1: "Nam", 2: "Nữ"}
    assert meta.variable_value_labels["s_acc_1"][5] == "Rất hài lòng"
    assert sorted(data["sex"].tolist()) == [1.0, 2.0]
    assert "=Tốt lắm" in data["comment"].tolist()  # no spreadsheet apostrophe in a statistics file


def test_console_download(app, session, demo):
    _responses(session, demo)
    analyst = signed_in(app, session, "analyst")
    response = analyst.get(f"/admin/rounds/{demo.id}/export.sav?group=citizen", buffered=True)
    assert response.status_code == 200 and response.data[:4] == b"$FL2"
    assert signed_in(app, session, "unit_officer", "XA_AN_PHU").get(f"/admin/rounds/{demo.id}/export.dta").status_code == 403
