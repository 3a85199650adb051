"""A scheme from a file: YAML (:mod:`analysis.indices.scheme`) or an Excel workbook
(:mod:`analysis.indices.scheme_workbook`).

The dispatch lives here, above both readers, so that the workbook reader can
build on the scheme module without the scheme module importing it back.
"""

from __future__ import annotations

from pathlib import Path

from analysis.indices.scheme import ParScheme, SatisfactionScheme, SchemeError, parse_scheme

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def load_scheme(path: str | Path) -> SatisfactionScheme | ParScheme:
    """Read and validate a scheme file: YAML, or an Excel workbook (``.xlsx``, see ``scheme_workbook``).

    Raises
    ------
    SchemeError
        The file cannot be read, or its scheme is refused (see
        :func:`analysis.indices.scheme.parse_scheme`); a workbook's
        :class:`~analysis.indices.scheme_workbook.SchemeWorkbookError` lists
        every problem with sheet, row and column.
    """
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        # openpyxl takes 0.05 s to import: only the commands given a workbook pay for it
        from analysis.indices.scheme_workbook import read_scheme_workbook

        return read_scheme_workbook(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SchemeError(f"{path}: cannot read scheme ({exc})") from None
    return parse_scheme(text, str(path))
