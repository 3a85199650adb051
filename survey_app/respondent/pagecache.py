"""Rendered empty-form pages of the respondent surveys, kept per process.

Rendering the questionnaire is most of the cost of a survey page, and a
desk's empty form is the same for everyone, so it is rendered once and kept
here. Each request only fills in its own form token (see ``flow.show``).

An entry is a frozen :class:`PageShell`: its bytes and their deflated pieces
are made when it is built, and nothing changes it afterwards, so a view can
never leak one respondent's state into the page the next one gets. A page with
answers, errors or a notice is never stored.

Keys say everything the page shows (``resolve.DeskSurvey.shown``: the desk and
unit names, the round, the questionnaire version and its content) and how it is
shown (template, form address, language, hidden items). A renamed desk or a
new round therefore gets a new key on its own; old entries are never served
again and go when the store is full (it is emptied, like the desk lookup cache).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from survey_app.respondent import compression

MAX_ENTRIES = 4096


@dataclass(frozen=True)
class PageShell:
    """A rendered survey page, encoded once, with a hole for the per-request form token.

    Kept as UTF-8 bytes: encoding 26 KB of Vietnamese text took longer than
    filling in the token and everything else the view does. ``deflated`` are
    the two parts compressed once, for the phones that ask for gzip.
    """

    head: bytes
    tail: bytes
    deflated: tuple[bytes, ...]

    @classmethod
    def build(cls, html: str, hole: str) -> PageShell:
        head, tail = html.split(hole)
        parts = (head.encode(), tail.encode())
        return cls(parts[0], parts[1], compression.deflate_pieces(parts))

    def fill(self, form_token: str) -> bytes:
        return b"".join((self.head, form_token.encode("ascii"), self.tail))

    def fill_gzip(self, form_token: str) -> bytes:
        """The same page gzipped, from parts compressed once."""
        return compression.gzip_join((self.head, self.tail), self.deflated, (form_token.encode("ascii"),))


class PageCache:
    """A bounded, thread-safe map from a page's key to its frozen shell."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max = max_entries
        self._entries: dict[Hashable, PageShell] = {}
        self._lock = threading.Lock()

    def get_or_render(self, key: Hashable, render: Callable[[], PageShell]) -> PageShell:
        shell = self._entries.get(key)
        if shell is not None:
            return shell
        shell = render()
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()
            return self._entries.setdefault(key, shell)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> PageShell | None:
        return self._entries.get(key)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


pages = PageCache()
