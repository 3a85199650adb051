"""Counts the generated hostile-input cases and prints the total at the end of the run."""

from __future__ import annotations

from collections import Counter

import pytest

CASES: Counter[str] = Counter()


@pytest.fixture
def count_case(request):
    """Call once per generated case; the total is printed in the terminal summary."""
    name = request.node.name
    return lambda: CASES.update([name])


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if CASES:
        terminalreporter.write_line(
            f"hostile input: {sum(CASES.values())} generated cases "
            f"({', '.join(f'{name} {n}' for name, n in sorted(CASES.items()))})")
