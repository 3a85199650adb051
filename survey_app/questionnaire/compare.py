"""What changed between two versions of a questionnaire, for staff about to publish one.

Results are compared year on year by item code: an item whose code stays
but whose meaning changes (another type, or an answer code that now means
something else) silently breaks that comparison, so it is flagged apart from
harmless rewording.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey_app.questionnaire.model import Item, Questionnaire


@dataclass(frozen=True)
class Change:
    """One changed item: ``code`` and the old and new item (None when added or removed)."""

    code: str
    old: Item | None
    new: Item | None


@dataclass(frozen=True)
class Comparison:
    added: tuple[Item, ...]
    removed: tuple[Item, ...]
    reworded: tuple[Change, ...]
    options_changed: tuple[Change, ...]
    feeds_changed: tuple[Change, ...]
    other_changed: tuple[Change, ...]
    meaning_changed: tuple[Change, ...]

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.removed or self.reworded or self.options_changed
                    or self.feeds_changed or self.other_changed)


def compare(old: Questionnaire, new: Questionnaire) -> Comparison:
    """Items added, removed and changed from ``old`` to ``new``, matched by item code."""
    old_items = {item.code: item for item in old.items}
    new_items = {item.code: item for item in new.items}
    reworded: list[Change] = []
    options: list[Change] = []
    feeds: list[Change] = []
    other: list[Change] = []
    meaning: list[Change] = []
    for code, after in new_items.items():
        before = old_items.get(code)
        if before is None:
            continue
        change = Change(code, before, after)
        if (before.text, before.help) != (after.text, after.help):
            reworded.append(change)
        if before.options != after.options:
            options.append(change)
        if before.feeds != after.feeds:
            feeds.append(change)
        if (before.required, before.relevant, before.min, before.max, before.max_length, before.min_choices,
                before.max_choices, before.profile, before.type) != (
                after.required, after.relevant, after.min, after.max, after.max_length, after.min_choices,
                after.max_choices, after.profile, after.type):
            other.append(change)
        if _meaning_changed(before, after):
            meaning.append(change)
    return Comparison(
        added=tuple(item for code, item in new_items.items() if code not in old_items),
        removed=tuple(item for code, item in old_items.items() if code not in new_items),
        reworded=tuple(reworded), options_changed=tuple(options), feeds_changed=tuple(feeds),
        other_changed=tuple(other), meaning_changed=tuple(meaning),
    )


def _meaning_changed(before: Item, after: Item) -> bool:
    """Whether answers under this code can no longer be compared: another type or answer codes reused."""
    if before.type != after.type:
        return True
    old_labels = {option.code: option.label.vi for option in before.options}
    for option in after.options:
        if option.code in old_labels and old_labels[option.code] != option.label.vi:
            return True
    return False
