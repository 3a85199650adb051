"""A questionnaire as immutable data.

Everything the web app, the export and the analysis need to know about a
question lives here, resolved once by the loader: the built-in and named
scales are already expanded into each item's ``options``, so no caller has to
know where a code list came from.  The classes are frozen because a
questionnaire version is a published fact: responses point at it, and nothing
may change it after it was loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

# A group code as files and the database write it; which codes exist is data (respondent_groups).
GROUP_CODE_PATTERN = r"[a-z][a-z0-9_]{0,19}"
LANGUAGES: tuple[str, ...] = ("vi", "en")
DEFAULT_TEXT_LENGTH = 500
# Digits after the decimal separator a ``decimal`` item accepts when its file does not say
# (hundredths: hectares, hours, kilograms); at most MAX_DECIMAL_PLACES.
DEFAULT_DECIMAL_PLACES = 2
MAX_DECIMAL_PLACES = 6


@dataclass(frozen=True)
class Text:
    """A text in Vietnamese and English; Vietnamese is the authoritative wording."""

    vi: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang``; Vietnamese for any other language or a blank translation."""
        if lang == "en" and self.en:
            return self.en
        return self.vi


@dataclass(frozen=True)
class Option:
    """One answer of a choice item: the integer code stored and its label."""

    code: int
    label: Text


class ItemType(StrEnum):
    """Item types of docs/contracts.md; a StrEnum so ``item.type == "single"`` reads naturally."""

    SATISFACTION5 = "satisfaction5"
    EXPECTATION4 = "expectation4"
    SCALE = "scale"
    SINGLE = "single"
    MULTIPLE = "multiple"
    YES_NO = "yes_no"
    NUMBER = "number"
    DECIMAL = "decimal"
    TEXT = "text"


def _options(*rows: tuple[int, str, str]) -> tuple[Option, ...]:
    return tuple(Option(code, Text(vi, en)) for code, vi, en in rows)


SATISFACTION5_OPTIONS = _options(
    (1, "Rất không hài lòng", "Very dissatisfied"),
    (2, "Không hài lòng", "Dissatisfied"),
    (3, "Bình thường", "Neutral"),
    (4, "Hài lòng", "Satisfied"),
    (5, "Rất hài lòng", "Very satisfied"),
)
# Words a respondent would use for "should the authorities improve this?". Only the labels
# changed (from "Không / Khá / Mong muốn / Rất mong muốn"): codes, and so stored answers and
# questionnaire versions (hashed from the file's text), are unchanged.
EXPECTATION4_OPTIONS = _options(
    (1, "Không cần", "Not needed"),
    (2, "Cần một phần", "Somewhat needed"),
    (3, "Cần", "Needed"),
    (4, "Rất cần", "Much needed"),
)
YES_NO_OPTIONS = _options((1, "Có", "Yes"), (0, "Không", "No"))

# Scales every file may use without defining them (docs/contracts.md).
BUILTIN_OPTIONS: Mapping[ItemType, tuple[Option, ...]] = {
    ItemType.SATISFACTION5: SATISFACTION5_OPTIONS,
    ItemType.EXPECTATION4: EXPECTATION4_OPTIONS,
    ItemType.YES_NO: YES_NO_OPTIONS,
}


@dataclass(frozen=True)
class Condition:
    """Skip logic: the item is shown only when an earlier item's answer is one of ``values``.

    ``more`` holds further conditions on earlier items, combined with this one
    by ``join``: ``"all"`` (every one must hold, XLSForm ``and``) or ``"any"``
    (one is enough, XLSForm ``or``).  A condition in ``more`` may itself
    combine others with the other join, so ``a and (b or c)`` and
    ``a or (b and c)`` are written as they read.  A rule whose first part is
    itself combined (``(a or b) and (c or d)``) has no item of its own:
    ``item`` is ``""`` and every part is in ``more``.
    """

    item: str
    values: tuple[int, ...]
    join: str = "all"
    more: tuple[Condition, ...] = ()

    @property
    def is_leaf(self) -> bool:
        """Whether this is one condition on one item (no parts)."""
        return not self.more and bool(self.item)

    @property
    def parts(self) -> tuple[Condition, ...]:
        """The parts combined by ``join``: this item's own condition first (when it has one), then ``more``."""
        if not self.item:
            return self.more
        return (Condition(self.item, self.values), *self.more)

    @property
    def nested(self) -> bool:
        """Whether some part combines conditions itself (``a and (b or c)``)."""
        return not self.item or any(not part.is_leaf for part in self.more)

    def leaves(self) -> tuple[Condition, ...]:
        """Every single-item condition of the rule, in reading order."""
        if self.is_leaf:
            return (self,)
        return tuple(leaf for part in self.parts for leaf in part.leaves())

    def encoded(self) -> str:
        """The rule for the pages' scripts (``data-rel``; static/survey.js and static/entry.js read it).

        A flat rule is ``item:1,2;item:3`` (its join given apart, as
        ``data-join``); a nested one is a tree of ``&(...)`` (all) and
        ``|(...)`` (any) around ``;``-separated parts, e.g. ``&(a:1;|(b:2;c:3))``.
        """
        if not self.nested:
            return ";".join(f"{part.item}:{','.join(str(v) for v in part.values)}" for part in self.parts)
        return self._tree()

    def _tree(self) -> str:
        if self.is_leaf:
            return f"{self.item}:{','.join(str(v) for v in self.values)}"
        return ("&(" if self.join == "all" else "|(") + ";".join(part._tree() for part in self.parts) + ")"

    def tree_encoded(self) -> str:
        """The rule always as a tree (``a:1`` for one condition, ``&(a:1;b:2)`` ...): see :meth:`encoded`."""
        return self._tree()

    def is_met(self, answers: Mapping[str, object]) -> bool:
        """Whether the condition holds for the answers given so far.

        A missing answer never meets a condition, so an item hanging on a
        skipped item is skipped too.  For a multiple-choice item the condition
        holds when any chosen code is among ``values``.
        """
        if not self.is_leaf:
            results = (part.is_met(answers) for part in self.parts)
            return all(results) if self.join == "all" else any(results)
        value = answers.get(self.item)
        if isinstance(value, list):
            return any(code in self.values for code in value)
        return isinstance(value, int) and not isinstance(value, bool) and value in self.values


@dataclass(frozen=True)
class Item:
    """One question.

    ``options`` holds the possible answers of every choice type (built-in
    scales included) and is empty for ``number``, ``decimal`` and ``text``.
    A ``decimal`` item has optional ``min``/``max`` and ``places``, the most
    digits accepted after the decimal separator (its answers are stored as
    JSON numbers rounded to that many places).  ``feeds`` is the
    element, criterion or indicator code the answer contributes to, so the
    analysis can be driven from the file.  ``profile`` marks items used for
    weighting (sex, age group, ...).
    """

    code: str
    type: ItemType
    text: Text
    help: Text | None = None
    required: bool = False
    options: tuple[Option, ...] = ()
    min: int | float | None = None
    max: int | float | None = None
    places: int | None = None
    max_length: int | None = None
    min_choices: int | None = None
    max_choices: int | None = None
    relevant: Condition | None = None
    feeds: str | None = None
    profile: bool = False
    section_code: str = ""

    @cached_property
    def option_codes(self) -> tuple[int, ...]:
        """The options' codes, in order (worked out once: every submission checks each answer against them)."""
        return tuple(option.code for option in self.options)

    @cached_property
    def codes_by_text(self) -> dict[str, int]:
        """Each option code by its text as the form sends it (``"4"``: 4), looked up without parsing."""
        return {str(code): code for code in self.option_codes}

    def option(self, code: int) -> Option | None:
        """The option with ``code``, or None when the item has no such answer."""
        return next((option for option in self.options if option.code == code), None)

    def can_take(self, value: int) -> bool:
        """Whether ``value`` is a possible answer (used to check skip logic)."""
        if self.type is ItemType.NUMBER:
            return self.min is not None and self.max is not None and self.min <= value <= self.max
        return value in self.option_codes


@dataclass(frozen=True)
class Section:
    code: str
    title: Text
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Questionnaire:
    """One version of one group's questionnaire.

    ``source`` is the exact text of the file and ``content_hash`` the SHA-256
    of its UTF-8 bytes: storing the source lets a version be shown and
    re-parsed long after the file changed, and the hash identifies it.
    """

    group: str
    title: Text
    intro: Text | None
    sections: tuple[Section, ...]
    content_hash: str
    source: str
    _items: tuple[Item, ...] = field(init=False, repr=False, compare=False)
    _by_code: Mapping[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen: the flat list and the index are derived once, not on every lookup.
        items = tuple(item for section in self.sections for item in section.items)
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_by_code", {item.code: item for item in items})

    @property
    def items(self) -> tuple[Item, ...]:
        """All items in questionnaire order."""
        return self._items

    def item(self, code: str) -> Item:
        """The item with ``code``; KeyError when the questionnaire has none."""
        return self._by_code[code]

    @property
    def short_version(self) -> str:
        """The version as shown to people and in exports: 12 hex characters."""
        return self.content_hash[:12]

    @property
    def profile_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.profile)
