"""Problems with data staff typed or uploaded, as codes rather than sentences.

Console services (rounds, units, desks, imports) report what is wrong as a
:class:`Problem` (the one problem type, :mod:`analysis.problems`, shared with
the workbook readers): the field, a reason code and the offending value, plus
the row number (and sheet) for file imports. The console turns the reason code into a sentence
in the reader's language; services stay free of request state and of wording.
"""

from __future__ import annotations

from analysis.problems import Problem
from survey_app.services.errors import Invalid

__all__ = ["Problem", "ProblemsFound", "require_text"]


class ProblemsFound(Invalid):
    """The input was refused as a whole; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.field}: {p.reason}" for p in self.problems))


def require_text(problems: list[Problem], field: str, value: str, max_length: int, *,
                 required: bool = True, row: int | None = None) -> str:
    """Strip ``value``; note a problem when it is missing or too long. Returns the stripped text."""
    value = (value or "").strip()
    if required and not value:
        problems.append(Problem(field, "required", "", row))
    elif len(value) > max_length:
        problems.append(Problem(field, "too_long", value[:40], row))
    return value
