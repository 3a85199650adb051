"""One definition of the data-quality flags, shared by the console and the analysis.

The console's progress dashboard (``survey_app.services.dashboard``, counted
by the database) and the analysis (:func:`analysis.indices.quality_flags`, on
arrays) flag the same responses with the same thresholds, so the counts staff
watch during fieldwork are the counts the report prints. Plain Python with no
imports beyond the standard library: the web app imports it without loading
numpy or SciPy.

- *too fast*: ``duration_seconds`` known and below :attr:`QualityRules.fast_seconds`;
- *straight-lining*: at least :attr:`QualityRules.straightline_min_items`
  rating items answered (items on a fixed answer scale: satisfaction and
  scale questions), all with one code.

The thresholds are settings (``FAST_COMPLETION_SECONDS`` and
``STRAIGHT_LINE_MIN_ITEMS`` in the app, ``--fast-seconds`` and
``--straightline-min-items`` on the command line); the shipped values are not
from a decision: 60 seconds is about three seconds a question for the
20-question citizen form, and five identical answers in a row is where
straight-lining starts to be told apart from a genuinely uniform opinion.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class QualityRules:
    """Thresholds of the flags.

    Attributes
    ----------
    fast_seconds:
        A response is *too fast* when its ``duration_seconds`` is known and
        below this number of seconds.
    straightline_min_items:
        A response *straight-lines* when it answered at least this many of
        the rating items, all with the same code.
    max_missing:
        A response has *item non-response* when it left more than this share
        of the rating items unanswered (counting only items its group was
        asked, i.e. items someone of the group answered). Analysis only.
    """

    fast_seconds: float = 60
    straightline_min_items: int = 5
    max_missing: float = 0.5

    def __post_init__(self) -> None:
        if self.fast_seconds < 0:
            raise ValueError(f"fast_seconds must not be negative, got {self.fast_seconds}")
        if self.straightline_min_items < 2:
            raise ValueError(f"straightline_min_items must be at least 2, got {self.straightline_min_items}")

    def too_fast(self, duration_seconds: float | None) -> bool:
        """Whether one response is too fast (unknown duration: no)."""
        return duration_seconds is not None and duration_seconds == duration_seconds and duration_seconds < self.fast_seconds

    def straight_lined(self, rating_answers: Iterable[object]) -> bool:
        """Whether one response's rating answers (``None`` = not answered) straight-line."""
        answered = [a for a in rating_answers if a is not None]
        return len(answered) >= self.straightline_min_items and len(set(answered)) == 1


DEFAULT_RULES = QualityRules()
