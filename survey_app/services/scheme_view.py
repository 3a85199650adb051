"""The scoring trees a questionnaire's answers feed, for the console.

Staff changing a question need to see what it counts towards: each index
scheme in ``questionnaires/schemes/`` that reads items of the questionnaire's
group is shown as its tree (SIPAS nodes with their weights, PAR criteria with
their maximum points) with the questions under each node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.indices.scheme import Node, ParScheme, SatisfactionScheme, SchemeError, parse_scheme
from analysis.indices.scheme_files import load_scheme
from analysis.indices.scheme_workbook import read_scheme_workbook, scheme_to_yaml
from survey_app.models import Programme, ProgrammeGroup, ProgrammeScheme
from survey_app.questionnaire.loader import QuestionnaireError, load_questionnaire, questionnaire_files
from survey_app.questionnaire.model import Questionnaire
from survey_app.services.programmes import add_scheme
from survey_app.services.questionnaires import questionnaire_of


@dataclass(frozen=True)
class TreeRow:
    """One node or criterion: its depth in the tree, points (PAR) or weight (SIPAS), and the questions under it."""

    depth: int
    code: str
    title: dict[str, str]
    points: float | None
    weight: float | None
    items: tuple[str, ...]


@dataclass(frozen=True)
class ScoringTree:
    code: str
    title: dict[str, str]
    total: float | None
    rows: tuple[TreeRow, ...]


def scheme_files(directory: str | Path) -> list[Path]:
    folder = Path(directory) / "schemes"
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.xlsx")]) if folder.is_dir() else []


def questionnaire_items(directory: str | Path) -> dict[str, set[str]]:
    """Group -> item codes of every questionnaire file under ``directory`` (to check a scheme's assignments).

    A group may have several files (``citizen.yaml``, ``sipas/citizen.yaml``): its items are their union.
    """
    root = Path(directory)
    folders = [root, *(p for p in sorted(root.iterdir()) if p.is_dir() and p.name not in ("schemes", "programmes"))]
    items: dict[str, set[str]] = {}
    for path in (file for folder in folders for file in questionnaire_files(folder)):
        try:
            questionnaire = load_questionnaire(path)
        except QuestionnaireError:
            continue  # `flask questionnaires validate` reports broken files
        items.setdefault(questionnaire.group, set()).update(item.code for item in questionnaire.items)
    return items


def scoring_trees(schemes: Sequence[SatisfactionScheme | ParScheme], questionnaire: Questionnaire) -> list[ScoringTree]:
    """The trees of the schemes that read at least one of the questionnaire's items."""
    trees: list[ScoringTree] = []
    seen: set[str] = set()
    for scheme in schemes:
        tree = scheme_tree(scheme, questionnaire)
        key = repr(tree)
        if key not in seen and any(row.items for row in tree.rows):
            seen.add(key)
            trees.append(tree)
    return trees


def group_schemes(session: Session, group: str, directory: str | Path) -> list[SatisfactionScheme | ParScheme]:
    """The schemes of the programmes the group belongs to; the scheme files when no programme has it."""
    schemes = []
    for programme in session.scalars(select(Programme).join(ProgrammeGroup).where(ProgrammeGroup.group_code == group)):
        for row in programme.schemes:
            try:
                schemes.append(parse_scheme(row.source, row.filename or row.code))
            except SchemeError:
                continue  # reported on the programme's page
    if schemes:
        return schemes
    for path in scheme_files(directory):
        try:
            schemes.append(load_scheme(path))
        except SchemeError:
            continue  # a broken scheme file is reported by the analysis, not by this page
    return schemes


def scheme_tree(scheme: SatisfactionScheme | ParScheme, questionnaire: Questionnaire | None = None) -> ScoringTree:
    """The rows of one scheme; with a questionnaire, only its group's items (and only those it has)."""
    codes = {item.code for item in questionnaire.items} if questionnaire is not None else None
    if isinstance(scheme, ParScheme):
        rows: list[TreeRow] = []
        for area in sorted({c.area for c in scheme.criteria}):
            title = dict(scheme.area_titles.get(area, {"vi": str(area), "en": str(area)}))
            criteria = [c for c in scheme.criteria if c.area == area]
            rows.append(TreeRow(0, str(area), title, sum(c.max_points for c in criteria), None, ()))
            for criterion in criteria:
                items = [f"{group}: {item}" for group, group_items in criterion.items.items() for item in group_items
                         if questionnaire is None or (group == questionnaire.group and item in (codes or ()))]
                if questionnaire is not None:
                    items = [entry.split(": ", 1)[1] for entry in items]
                rows.append(TreeRow(1, criterion.code, dict(criterion.title), criterion.max_points, None, tuple(items)))
        return ScoringTree(scheme.code, dict(scheme.title), scheme.total, tuple(rows))
    rows = []
    if questionnaire is None or questionnaire.group in scheme.groups or not scheme.groups:
        _walk(scheme.index, 0, None, codes, rows)
    return ScoringTree(scheme.code, dict(scheme.title), None, tuple(rows))


def _walk(node: Node, depth: int, weight: float | None, codes: set[str] | None, rows: list[TreeRow]) -> None:
    items = tuple(item for item in node.items if codes is None or item in codes)
    rows.append(TreeRow(depth, node.code, dict(node.title), None, weight, items))
    for child, child_weight in zip(node.children, node.weights or (1.0,) * len(node.children), strict=False):
        _walk(child, depth + 1, child_weight, codes, rows)


def programme_items(programme: Programme) -> dict[str, set[str]]:
    """Group -> item codes of the questionnaire version each group of the programme answers."""
    return {link.group_code: {item.code for item in questionnaire_of(link.version).items}
            for link in programme.groups if link.version is not None}


def programme_scheme(programme: Programme, code: str) -> SatisfactionScheme | ParScheme | None:
    row = next((s for s in programme.schemes if s.code == code), None)
    return None if row is None else parse_scheme(row.source, row.filename or row.code)


def store_scheme_workbook(session: Session, programme: Programme, data: bytes, filename: str) -> ProgrammeScheme:
    """Check a scheme workbook against the programme's questionnaires and store it with the programme.

    Stored as the YAML text every scheme of a programme is kept in (replacing
    the scheme with the same code). Raises :class:`SchemeWorkbookError` (sheet,
    row and column of every problem) or :class:`StructureError`.
    """
    scheme = read_scheme_workbook(data, name=filename, questionnaire_items=programme_items(programme))
    header = f"# Từ tệp Excel / from the workbook {filename}\n"
    return add_scheme(session, programme, scheme_to_yaml(scheme, header), filename.rsplit(".", 1)[0] + ".yaml")
