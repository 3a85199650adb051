"""The analysis package stands alone: no Flask, and its modules import one another in one direction."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=True)
    return set(result.stdout.split())


def test_the_upload_bounds_problems_and_scheme_workbooks_import_no_flask() -> None:
    loaded = _modules_after("import analysis.uploads, analysis.problems, analysis.indices.scheme_workbook, analysis.cli")
    assert "analysis.indices.scheme_workbook" in loaded
    assert not {name for name in loaded if name == "flask" or name.startswith(("flask.", "survey_app"))}


def test_the_commands_import_neither_openpyxl_nor_scipy_until_they_need_them() -> None:
    """``weight`` and ``estimate`` without a workbook scheme are timed against R
    (``bench/bench_analysis.py --cli``): 0.05 s for openpyxl and 0.1 s for SciPy are a
    tenth of that run. A scheme workbook imports openpyxl, small degrees of freedom SciPy."""
    loaded = _modules_after("import analysis.cli")
    assert not {name for name in loaded if name.split(".")[0] in ("openpyxl", "scipy")}


def test_the_commands_call_arrow_without_importing_pyarrow_compute(tmp_path) -> None:
    """Importing ``pyarrow.compute`` costs 0.04-0.05 s per command (it wraps all 300 of Arrow's
    functions); the commands call the functions by name (``analysis.io.codes.arrow_call``)."""
    fixtures = ROOT / "tests" / "fixtures"
    weights, out = tmp_path / "w.csv", tmp_path / "e.csv"
    commands = [
        ["weight", "--responses", fixtures / "responses_citizen.csv", "--margins", fixtures / "margins_citizen.csv",
         "--out", weights],
        ["estimate", "--responses", fixtures / "responses_citizen.csv", "--weights", weights, "--exclude-flagged",
         "--strata", "unit", "--out", out],
    ]
    runs = "; ".join(f"main({[str(a) for a in command]!r}, io.StringIO())" for command in commands)
    loaded = _modules_after(f"import io; from analysis.cli import main; {runs}")
    assert "pyarrow._compute" in loaded and out.exists()
    assert "pyarrow.compute" not in loaded


def test_the_scheme_module_does_not_import_the_workbook_reader_back() -> None:
    """scheme_workbook builds on scheme; the file loader above both (scheme_files) chooses between them."""

    def imported(module: str) -> set[str]:
        tree = ast.parse((ROOT / "analysis" / "indices" / f"{module}.py").read_text(encoding="utf-8"))
        return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module} | {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}

    assert "analysis.indices.scheme" in imported("scheme_workbook")
    assert not {"analysis.indices.scheme_workbook", "analysis.indices.scheme_files"} & imported("scheme")
    assert "analysis.indices.scheme_files" not in imported("scheme_workbook")
