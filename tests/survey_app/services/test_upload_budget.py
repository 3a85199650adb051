"""The time and memory an accepted upload may cost: the worst file each import accepts, measured (issue 13).

For every kind of upload, a workbook at its caps (as many cells of as much
text as its limits let through) is read by the import's own reader. Peak
memory is measured with tracemalloc and must stay under the kind's budget;
the time is the reader's deadline (``Limits.max_seconds``, checked every 16,384
cells), which refuses rather than runs on. The figures are in README.md,
"Uploads, limits and checks".
"""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace

import pytest

from analysis.problems import Refused
from analysis.uploads import MB, Limits, check_file
from survey_app.services import uploads
from survey_app.services.problems import ProblemsFound
from tests.survey_app.hostile.files import full_table

Reader = Callable[[bytes], object]

# Files only, no database: measured once, in the SQLite run of the suite.
pytestmark = pytest.mark.skipif(bool(os.environ.get("SURVEY_TEST_DATABASE_URL")),
                                reason="reads files only; measured in the SQLite run")


def _table_reader(limits: Limits) -> Reader:
    return lambda data: uploads.read_table("upload.xlsx", data, limits)


def _kinds() -> dict[str, tuple[Limits, int, int]]:
    """Kind -> (its limits, the columns of its worst file, the peak-memory budget in MB)."""
    from survey_app.services import contacts, margins, par_points, submission_import, units

    return {
        "units_and_desks": (units.LIMITS, units.LIMITS.max_columns, 20),
        "contacts": (contacts.LIMITS, 10, 56),
        "margins": (margins.LIMITS, margins.LIMITS.max_columns, 20),
        "par_points": (par_points.LIMITS, par_points.LIMITS.max_columns, 32),
        "kobo_odk_submissions": (submission_import.LIMITS, 100, 56),
    }


def worst_file(limits: Limits, columns: int, title: str = "Sheet") -> bytes:
    """As many rows and cells as ``limits`` accept, each cell as long as the archive's caps allow."""
    rows = min(limits.max_rows, limits.max_cells // columns - 1)
    width = 200
    while True:
        data = full_table(rows, columns, width, title=title)
        try:
            check_file(data, f"{title}.xlsx", limits)
        except Refused:
            width = int(width * 0.8)
            continue
        return data


@pytest.mark.parametrize("kind", sorted(_kinds()))
def test_the_worst_accepted_table_stays_within_its_memory_and_time_budget(kind: str) -> None:
    limits, columns, budget_mb = _kinds()[kind]
    data = worst_file(limits, columns)
    # Memory first, with tracemalloc (which slows parsing several times): the deadline is lifted for this run.
    tracemalloc.start()
    try:
        table = uploads.read_table("upload.xlsx", data, replace(limits, max_seconds=600))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    cells = sum(len(row.cells) for row in table.rows)
    assert cells >= 0.9 * min(limits.max_cells, limits.max_rows * columns) - columns
    assert peak < budget_mb * MB, f"{kind}: peak {peak / MB:.1f} MB over the budget of {budget_mb} MB"
    # Then the time, as the import runs it: within the reader's own deadline, else refused as too slow
    # right after it (a loaded machine may get there; the deadline is then what bounds it).
    started = time.monotonic()
    try:
        uploads.read_table("upload.xlsx", data, limits)
    except ProblemsFound as exc:
        assert [p.reason for p in exc.problems] == ["too_slow"]
    elapsed = time.monotonic() - started
    assert elapsed < limits.max_seconds + 2
    print(f"{kind}: {len(data) / MB:.1f} MB, {cells:,} cells, peak {peak / MB:.1f} MB, {elapsed:.1f} s")


def test_the_deadline_is_looked_at_between_rows_of_any_width() -> None:
    """A wide export (1,000 columns) is stopped as soon as the deadline passes, not 256 rows later."""
    wide = ",".join(f"c{i}" for i in range(1000)).encode() + b"\r\n"
    data = wide * 300
    with pytest.raises(ProblemsFound) as caught:
        uploads.read_table("x.csv", data, replace(Limits(max_columns=1000), max_seconds=0))
    (problem,) = caught.value.problems
    assert problem.reason == "too_slow" and problem.row is not None and problem.row < 20


def _workbook_readers() -> dict[str, tuple[Limits, str, int, int, Callable[[bytes], object], type[Exception], int]]:
    """Kind -> (limits, sheet, rows, columns, reader, its refusal, peak-memory budget in MB)."""
    from analysis.indices.scheme_workbook import LIMITS as SCHEME_LIMITS
    from analysis.indices.scheme_workbook import MAX_COLUMNS, MAX_ROWS, SchemeWorkbookError, read_scheme_workbook
    from survey_app.questionnaire.xlsform import LIMITS as XLSFORM_LIMITS
    from survey_app.questionnaire.xlsform import WorkbookError, read_workbook

    return {
        # pyxform reads every row of the survey sheet: 200,000 cells in 10,000 rows of 20.
        "questionnaire_workbook": (XLSFORM_LIMITS, "survey", XLSFORM_LIMITS.max_cells // 20 - 1, 20,
                                   lambda data: read_workbook(data, "form.xlsx", "citizen"), WorkbookError, 48),
        # The scheme reader reads a window of each known sheet: 5,000 rows of 30 columns.
        "scheme_workbook": (SCHEME_LIMITS, "items", MAX_ROWS - 1, MAX_COLUMNS, read_scheme_workbook,
                            SchemeWorkbookError, 16),
    }


@pytest.mark.parametrize("kind", sorted(_workbook_readers()))
def test_the_worst_accepted_questionnaire_and_scheme_workbooks_stay_within_budget(kind: str) -> None:
    """Both read whole workbooks with their own parsers (pyxform, the scheme builder): the caps bound them."""
    limits, sheet, rows, columns, read, refused, budget_mb = _workbook_readers()[kind]
    data = worst_file(replace(limits, max_rows=rows, max_cells=(rows + 1) * columns), columns, sheet)
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(refused) as caught:  # cells of random text are no questionnaire or scheme ...
            read(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - started
    # ... but they were read: the refusal is about the content, after the bounds let the file through.
    assert not {p.reason for p in caught.value.problems} & {"too_many_cells", "too_much_data", "file_too_large",
                                                             "sheet_too_large", "not_xlsx"}
    assert peak < budget_mb * MB, f"{kind}: peak {peak / MB:.1f} MB over the budget of {budget_mb} MB"
    assert elapsed < 600  # traced, which slows parsing several times; the figure is printed for README.md
    print(f"{kind}: {len(data) / MB:.1f} MB, {rows * columns:,} cells, peak {peak / MB:.1f} MB, {elapsed:.1f} s traced")
