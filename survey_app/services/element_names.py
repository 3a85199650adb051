"""Names of the elements and criteria that questionnaire items feed (ACC -> "Tiếp cận dịch vụ").

The names live where the codes are defined, in the scheme files (``questionnaires/schemes/``,
read with the analysis package's own loader), so the console shows what the report shows.
Read once per change of the files.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from analysis.indices.scheme import ParScheme, SchemeError
from analysis.indices.scheme_files import load_scheme

log = logging.getLogger(__name__)


def element_titles(scheme_dir: str | Path) -> Mapping[str, Mapping[str, str]]:
    """Code -> ``{vi, en}`` title of every node, element and criterion of every scheme file."""
    folder = Path(scheme_dir)
    files = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in folder.glob("*.yaml"))) if folder.is_dir() else ()
    return _titles(files)


@lru_cache(maxsize=4)
def _titles(files: tuple[tuple[str, int], ...]) -> Mapping[str, Mapping[str, str]]:
    titles: dict[str, Mapping[str, str]] = {}
    for path, _mtime in files:
        try:
            scheme = load_scheme(path)
        except (SchemeError, OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("scheme %s not read for element names: %s", Path(path).name, exc)
            continue
        if isinstance(scheme, ParScheme):
            for criterion in scheme.criteria:
                titles.setdefault(criterion.code, criterion.title)
        else:
            for node in scheme.index.walk():
                titles.setdefault(node.code, node.title)
            for indicator in scheme.indicators:
                titles.setdefault(indicator.code, indicator.title)
    return titles


def element_name(titles: Mapping[str, Mapping[str, str]], code: str, lang: str) -> str:
    """The element's name in ``lang`` (Vietnamese, else the code itself when no scheme names it)."""
    title = titles.get(code) or {}
    return title.get(lang) or title.get("vi") or code
