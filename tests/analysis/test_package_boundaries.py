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
    loaded = _modules_after("import analysis.uploads, analysis.problems, analysis.indices.scheme_files, analysis.cli")
    assert "analysis.indices.scheme_workbook" in loaded
    assert not {name for name in loaded if name == "flask" or name.startswith(("flask.", "survey_app"))}


def test_the_scheme_module_does_not_import_the_workbook_reader_back() -> None:
    """scheme_workbook builds on scheme; the file loader above both (scheme_files) chooses between them."""

    def imported(module: str) -> set[str]:
        tree = ast.parse((ROOT / "analysis" / "indices" / f"{module}.py").read_text(encoding="utf-8"))
        return {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module} | {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}

    assert "analysis.indices.scheme" in imported("scheme_workbook")
    assert not {"analysis.indices.scheme_workbook", "analysis.indices.scheme_files"} & imported("scheme")
    assert "analysis.indices.scheme_files" not in imported("scheme_workbook")
