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

    ``more`` holds further conditions on other earlier items, combined with
    this one by ``join``: ``"all"`` (every one must hold, XLSForm ``and``) or
    ``"any"`` (one is enough, XLSForm ``or``).  Mixing both in one rule is not
    offered: a questionnaire that needs it is clearer split into two questions.
    """

    item: str
    values: tuple[int, ...]
    join: str = "all"
    more: tuple[Condition, ...] = ()

    @property
    def parts(self) -> tuple[Condition, ...]:
        """Every single-item condition of the rule, this one first."""
        return (Condition(self.item, self.values), *self.more)

    def is_met(self, answers: Mapping[str, object]) -> bool:
        """Whether the condition holds for the answers given so far.

        A missing answer never meets a condition, so an item hanging on a
        skipped item is skipped too.  For a multiple-choice item the condition
        holds when any chosen code is among ``values``.
        """
        if self.more:
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
    scales included) and is empty for ``number`` and ``text``.  ``feeds`` is the
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
    min: int | None = None
    max: int | None = None
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
