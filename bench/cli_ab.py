"""Before and after: ``weight`` then ``estimate`` from several checkouts, alternating.

Each variant runs from its own directory, because ``python -m analysis`` puts the current
directory first on ``sys.path`` (a checkout given with ``PYTHONPATH`` would not be the one run).
Uses the 300,000-response files ``bench_analysis.py --cli`` writes::

    git worktree add /tmp/start <commit>
    .venv/bin/python bench/cli_ab.py --rounds 8 start=/tmp/start now=.
    .venv/bin/python bench/cli_ab.py now-pyenv=.:/path/to/other/python now=.

A variant is ``label=directory`` or ``label=directory:python`` (default: this interpreter).
Prints wall and CPU seconds (min and median) per variant, and whether every variant wrote the
same weights and estimates files as the first.
"""

from __future__ import annotations

import argparse
import filecmp
import statistics
import sys
import tempfile
from pathlib import Path

from bench_analysis import OUT, run_cli_ours  # this script's directory is first on sys.path

DATA = OUT / "cli-300000"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("variants", nargs="+", metavar="LABEL=DIR[:PYTHON]")
    args = parser.parse_args()
    if not (DATA / "responses.csv").exists():
        sys.exit(f"no {DATA}/responses.csv: run bench/bench_analysis.py --cli once first")
    variants = []
    for text in args.variants:
        label, _, rest = text.partition("=")
        directory, _, python = rest.partition(":")
        variants.append((label, Path(directory).resolve(), python or sys.executable))
    times: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label, _, _ in variants}
    with tempfile.TemporaryDirectory() as scratch:
        outs = {label: Path(scratch) / label for label, _, _ in variants}
        for out in outs.values():
            out.mkdir()
        for _ in range(args.rounds):
            for label, directory, python in variants:
                wall, cpu = run_cli_ours(DATA / "responses.csv", DATA / "margins.csv", outs[label], directory, python)
                times[label][0].append(wall)
                times[label][1].append(cpu)
        first = outs[variants[0][0]]
        for label, _, _ in variants:
            wall, cpu = times[label]
            same = all(filecmp.cmp(first / name, outs[label] / name, shallow=False)
                       for name in ("weights.csv", "estimates.csv"))
            print(f"{label:20s} wall min {min(wall):.3f} s, median {statistics.median(wall):.3f} s; "
                  f"CPU min {min(cpu):.3f} s, median {statistics.median(cpu):.3f} s; "
                  f"files {'the same as' if same else 'DIFFERENT from'} {variants[0][0]}'s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
