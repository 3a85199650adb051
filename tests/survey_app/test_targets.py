from __future__ import annotations

import pytest

from survey_app.services.targets import sample_size


@pytest.mark.parametrize(("transactions", "expected"), [(0, 0), (1, 1), (100, 80), (1000, 286), (10000, 385)])
def test_slovin_rule(transactions, expected):
    # n = N / (1 + N e^2), rounded up: 1000 / 3.5 = 285.7 -> 286.
    assert sample_size(transactions) == expected


def test_bad_input():
    with pytest.raises(ValueError):
        sample_size(-1)
    with pytest.raises(ValueError):
        sample_size(10, margin=0)
