"""The quicker ways of issue 17 give the very numbers and bytes of the slower ones they replace."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from analysis.cli import main
from analysis.estimation import SurveyDesign
from analysis.io import ResponsesError, ResponseTable, load_responses, write_csv, write_weights
from analysis.io.codes import all_distinct
from analysis.io.responses import _single_digits, float_strings
from analysis.weighting import Auxiliary, Factor
from analysis.weighting.auxiliary import sum_by

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CITIZEN = FIXTURES / "responses_citizen.csv"


def text_table(body: str) -> ResponseTable:
    header = body.splitlines()[0].split(",")
    table = pv.read_csv(
        io.BytesIO(body.encode()),
        convert_options=pv.ConvertOptions(column_types={name: pa.string() for name in header}, strings_can_be_null=False),
    )
    return ResponseTable(table, "test.csv")


def test_float_strings_are_repr():
    rng = np.random.default_rng(17)
    values = np.concatenate([
        rng.lognormal(0, 3, 20_000), 10.0 ** rng.uniform(-4, 10, 20_000), np.round(rng.uniform(1, 1e6, 2_000)),
        np.nextafter(10.0 ** rng.integers(-3, 10, 500), np.inf), -rng.lognormal(0, 2, 500), [1e-4, 0.1, 1 / 3, 2.0],
    ])
    values = values[(np.abs(values) >= 1e-4) & (np.abs(values) < 1e10)]
    assert float_strings(values).to_pylist() == [repr(v) for v in values.tolist()]


@pytest.mark.parametrize("value", [1e-5, 1e16, 3e11, 0.0, float("nan"), float("inf")])
def test_float_strings_leave_other_notations_to_python(value):
    assert float_strings(np.array([1.5, value])) is None


@pytest.mark.parametrize("weights", [
    [1.1624058637939174, 0.3043002345025632, 2.0],  # Arrow's text (and "2" made "2.0")
    [1.5, 1e-05, 2.5e17],  # repr's exponents: Python writes them
    [1.5, float("nan"), 3.0],  # NaN: written empty by write_csv
])
def test_weights_file_bytes_do_not_depend_on_the_path(tmp_path, weights):
    table = text_table("response_id,unit\na1,x\nb2,y\nc3,x\n")
    arrow, python, reference = tmp_path / "arrow.csv", tmp_path / "python.csv", tmp_path / "csv.csv"
    write_weights(arrow, table.id_column, np.array(weights))
    write_weights(python, table.ids, np.array(weights))
    write_csv(reference, ("response_id", "weight"), zip(table.ids.tolist(), weights))
    assert arrow.read_bytes() == python.read_bytes() == reference.read_bytes()


def test_weights_file_quotes_ids_as_csv_does(tmp_path):
    table = text_table('response_id,unit\n"a,1",x\n"b""2",y\n')
    out = tmp_path / "w.csv"
    write_weights(out, table.id_column, np.array([1.25, 2.5]))
    with out.open(newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [["response_id", "weight"], ["a,1", "1.25"], ['b"2', "2.5"]]


def test_load_responses_reads_only_the_columns_asked_for():
    table = load_responses(CITIZEN, columns=["unit", "group", "no_such_column"])
    assert table.columns == ["response_id", "group", "unit"]
    assert not table.has("s_acc_1") and not table.has("no_such_column")
    assert table.text("unit").tolist() == load_responses(CITIZEN).text("unit").tolist()


def test_load_responses_leaves_out_the_columns_skipped_but_never_the_ids():
    table = load_responses(CITIZEN, skip={"desk", "channel", "response_id"})
    assert not table.has("desk") and not table.has("channel")
    assert table.has("unit") and table.ids.tolist() == load_responses(CITIZEN).ids.tolist()


def test_rating_columns_read_from_bytes_equal_the_cast():
    table = text_table("response_id,a,b,c,d,e\n1,4,,x, 4,\n2,,5,3,2,\n3,9,0,1,1,\n")
    assert np.array_equal(table.numeric("a"), [4.0, np.nan, 9.0], equal_nan=True)
    assert np.array_equal(table.numeric("b"), [np.nan, 5.0, 0.0], equal_nan=True)
    assert np.array_equal(table.numeric("d"), [4.0, 2.0, 1.0])  # " 4": trimmed by the cast path
    assert np.isnan(table.numeric("e")).all()
    assert not table.is_numeric("c")
    with pytest.raises(ResponsesError, match="column 'c' holds a non-numeric value 'x'"):
        table.numeric("c")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["", "0", "4", "9", "12", "x", " ", "/", ":", "4.5"]), min_size=1, max_size=30),
       st.integers(0, 3))
def test_rating_columns_read_from_bytes_are_the_cast_or_left_to_it(values, cut):
    """Empty or one digit everywhere: the cast's numbers; anything else: None (the cast decides)."""
    array = pa.array(values, type=pa.string()).slice(min(cut, len(values) - 1))
    kept = values[min(cut, len(values) - 1):]
    read = _single_digits(array)
    if all(v == "" or v.isdigit() and len(v) == 1 for v in kept):
        assert np.array_equal(read, [float(v) if v else np.nan for v in kept], equal_nan=True)
    else:
        assert read is None


def test_a_column_with_a_number_first_and_text_later_is_not_numeric():
    table = text_table("response_id,a\n1,4\n2,12\n3,many\n")
    assert not table.is_numeric("a")
    with pytest.raises(ResponsesError, match="'many'"):
        table.numeric("a")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab0\u00e1\u1ec7,\"", max_size=20), max_size=40), st.integers(0, 3),
       st.sampled_from([pa.string(), pa.large_string()]))
def test_all_distinct_is_a_set_comparison(values, cut, kind):
    """Short and long values (words of eight bytes and the bytes after them), empty ones, accents,
    large strings, chunks and slices that start inside a buffer."""
    array = pa.array(values, type=kind)
    assert all_distinct(array) == (len(set(values)) == len(values))
    assert all_distinct(array.slice(cut)) == (len(set(values[cut:])) == len(values[cut:]))
    chunked = pa.chunked_array([array.slice(0, cut), array.slice(cut)], type=kind)
    assert all_distinct(chunked) == (len(set(values)) == len(values))


def test_all_distinct_on_ids_that_differ_only_after_a_long_common_part():
    ids = [f"{'x' * 37}{i:05d}{'y' * 11}" for i in range(3000)]
    assert all_distinct(pa.array(ids))
    assert not all_distinct(pa.array([*ids, ids[1234]]))
    assert not all_distinct(pa.array(["", "a", ""]))


def test_all_distinct_asks_arrow_when_two_different_ids_fold_alike(monkeypatch):
    """Two 16-byte values whose words (w0, w1) and (w0 + 1, w1 - odd) fold to the same number."""
    from analysis.io import codes

    w0, w1 = 0x3030303030303030, 0x4141414141414141
    other = ((w0 + 1) % 2**64, (w1 - int(codes._ODD)) % 2**64)
    data = b"".join(w.to_bytes(8, "little") for w in (w0, w1, *other))
    offsets = np.array([0, 16, 32], dtype=np.int32)
    array = pa.Array.from_buffers(pa.string(), 2, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    asked, arrow_call = [], codes.arrow_call
    monkeypatch.setattr(codes, "arrow_call", lambda *args, **kw: asked.append(args[0]) or arrow_call(*args, **kw))
    assert all_distinct(array)
    assert asked == ["unique"]


def test_sum_by_adds_as_a_sparse_summing_matrix_does():
    rng = np.random.default_rng(3)
    n, k, groups = 50_000, 7, 40
    index = rng.integers(0, groups, n)
    z = rng.normal(size=(n, k)) * rng.lognormal(0, 3, size=(n, 1))
    matrix = sparse.csr_matrix((np.ones(n), (index, np.arange(n))), shape=(groups, n))
    assert np.array_equal(sum_by(index, z, groups), np.asarray(matrix @ z))
    assert np.array_equal(sum_by(index, z[:, 0], groups), matrix @ z[:, 0])


def test_cells_counted_equal_cells_sorted():
    rng = np.random.default_rng(5)
    n = 20_000
    factors = tuple(Factor(f"f{i}", rng.integers(-1 if i == 0 else 0, k, n), tuple(map(str, range(k))))
                    for i, k in enumerate((12, 2, 4, 5)))
    cells = Auxiliary(factors).cells
    key = np.column_stack([f.codes for f in factors])
    _, first, index = np.unique(key, return_index=True, return_inverse=True, axis=0)
    assert np.array_equal(cells.first, first) and np.array_equal(cells.index, index.ravel())


def test_degrees_of_freedom_per_mask_count_psus_and_strata():
    rng = np.random.default_rng(11)
    n = 3_000
    strata = rng.integers(0, 6, n)
    psu = strata * 100 + rng.integers(0, 8, n)
    masks = rng.random((n, 5)) < np.array([0.9, 0.2, 0.01, 0.0, 1.0])
    masks[:, 3] = strata == 2  # one stratum only
    for design in (SurveyDesign.build(np.ones(n), strata=strata, ids=[psu]), SurveyDesign.build(np.ones(n), strata=strata)):
        unit = psu if design.stages[0].identity is False else np.arange(n)
        expected = [len(np.unique(unit[m])) - len(np.unique(strata[m])) for m in masks.T]
        assert design.degrees_of_freedom(masks).tolist() == expected
        assert design.degrees_of_freedom(masks[:, 0]) == expected[0]


def test_weight_and_estimate_files_match_the_python_paths(tmp_path):
    """The commands' files equal what the plain csv writer makes from the same numbers."""
    out = tmp_path / "w.csv"
    assert main(["weight", "--responses", str(CITIZEN), "--margins", str(FIXTURES / "margins_citizen.csv"),
                 "--out", str(out)], stdout=io.StringIO()) == 0
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    again = tmp_path / "again.csv"
    write_csv(again, ("response_id", "weight"), [(i, float(w)) for i, w in rows])
    assert out.read_bytes() == again.read_bytes()
    assert [i for i, _ in rows] == load_responses(CITIZEN).ids.tolist()


# python -m analysis as far as its settings and imports (a --help, which exits), then a test's own lines
AFTER_ENTRY_POINT = ("import runpy, sys; sys.argv = ['analysis', 'weight', '--help']\n"
                     "try:\n    runpy.run_module('analysis', run_name='__main__')\nexcept SystemExit:\n    pass\n")


def _printed(script: str, **env: str) -> str:
    """The last line a fresh interpreter prints running ``script`` from the project root, with only ``env``."""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), **env}, cwd=FIXTURES.parents[1])
    return result.stdout.strip().splitlines()[-1]


def test_entry_point_keeps_the_users_allocator_choice():
    script = AFTER_ENTRY_POINT + "import os; print(os.environ['NUMPY_MADVISE_HUGEPAGE'], os.environ['ARROW_DEFAULT_MEMORY_POOL'])"
    assert _printed(script) == "0 system"
    assert _printed(script, NUMPY_MADVISE_HUGEPAGE="1", ARROW_DEFAULT_MEMORY_POOL="jemalloc") == "1 jemalloc"


@pytest.mark.skipif("CS_GNU_LIBC_VERSION" not in getattr(os, "confstr_names", {}), reason="glibc's mallopt")
def test_entry_point_keeps_freed_memory_for_the_next_array_unless_told():
    """Ten (300,000 x 16) arrays one after another: fresh pages for each (94,000 page faults)
    unless freed memory is kept (one array's worth, 9,400)."""
    script = AFTER_ENTRY_POINT + ("import numpy as np, resource\nbefore = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
                                  "for _ in range(10):\n    np.ones((300_000, 16))\n"
                                  "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)")
    assert int(_printed(script)) < 20_000
    assert int(_printed(script, MALLOC_TRIM_THRESHOLD_="131072")) > 50_000  # the environment's choice is kept


@pytest.mark.parametrize("entry", [AFTER_ENTRY_POINT + "import numpy", "import wsgi, numpy"],
                         ids=["python -m analysis", "wsgi.py"])
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="OpenBLAS starts no second thread on one core")
def test_entry_points_load_numpy_with_one_blas_thread_unless_told(entry):
    """:mod:`analysis.native`: OpenBLAS starts its threads when NumPy is loaded, so the thread
    count shows whether the setting came first; a count the environment gives is kept."""
    script = f"{entry}\nimport os; print(len(os.listdir('/proc/self/task')))"
    threads = [int(_printed(script, SURVEY_ENV="development", **extra)) for extra in ({"OPENBLAS_NUM_THREADS": "2"}, {})]
    assert threads[0] - threads[1] == 1
