"""An export of every group weighted with margins for some groups only (README's pipeline)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import numpy as np

from analysis.cli import main
from analysis.indices.pipeline import WeightingOptions, weigh
from analysis.io import load_margins, load_responses

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_each_group_weighted_to_its_own_margins_others_left_at_base(caplog):
    table = load_responses(FIXTURES / "responses_round.csv")
    margins = load_margins(FIXTURES / "margins_round.csv")
    with caplog.at_level(logging.WARNING, logger="analysis.weighting"):
        result = weigh(table, margins, WeightingOptions())
    groups = table.text("group")
    citizen = groups == "citizen"
    assert abs(float(np.sum(result.weights[citizen])) - 11000) < 1e-4
    # businesses have no sex and no margins: untouched, and the result says so
    assert np.all(result.weights[groups == "business"] == 1.0)
    assert any("'business'" in note for note in result.notes)
    assert any("business" in r.getMessage() for r in caplog.records)


def test_command_line_prints_the_note(tmp_path):
    out = io.StringIO()
    status = main(["estimate", "--responses", str(FIXTURES / "responses_round.csv"), "--margins",
                   str(FIXTURES / "margins_round.csv"), "--by", "group", "--out", str(tmp_path / "e.csv")], stdout=out)
    assert status == 0
    assert "note: nhóm 'business'" in out.getvalue()
