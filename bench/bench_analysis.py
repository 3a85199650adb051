"""Benchmark of analysis/ against R's survey and Python peers, on the same data.

One run generates a synthetic survey (1,000,000 responses, 16 satisfaction
items, four margin variables with 12 + 2 + 4 + 5 categories, a skewed sample
of a known population), then times in separate processes, one tool at a time:

* raking to the four margins (equal base weights), and
* estimating the means of the 16 items with standard errors (calibration-aware
  where the tool can: this package, R and svy; samplics and balance treat the
  weights as fixed; weightipy only weights),

and prints seconds, peak memory, the speed ratios and the largest difference
of each tool's weights (and standard errors) from R's.

Usage (from the repository root)::

    .venv/bin/python bench/bench_analysis.py            # everything available
    .venv/bin/python bench/bench_analysis.py --n 200000 --skip-r
    .venv/bin/python bench/bench_analysis.py --cli      # the commands end to end against R (300,000)

``--cli`` times what a user runs instead of the functions: ``python -m
analysis weight`` then ``estimate`` (calibration-aware, strata = unit) on an
export-format CSV of 300,000 responses (16 items, four margin variables:
unit 12, sex 2, age 4, education 5, a mostly empty comment column), against
``Rscript bench/r/bench_cli.R`` doing the same work (read, ``rake``, write the
weights, ``svymean``, write the estimates), alternating the two for
``--rounds`` rounds, and prints the min and median of each and their ratio.

R runs when ``Rscript`` and the survey package are installed
(``apt-get install -y r-cran-survey``). The Python peers run from their own
virtual environments (they pin numpy/scipy/pandas versions the project's
.venv must not be downgraded to); create them with the commands in
bench/README.md. A missing peer is reported and skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SIZES = (12, 2, 4, 5)
ITEMS = 16
POPULATION = 2_000_000
PEERS = {
    "svy": OUT / "peers-venv" / "bin" / "python",
    "samplics": OUT / "peers-venv" / "bin" / "python",
    "weightipy": OUT / "peers-venv" / "bin" / "python",
    "balance": OUT / "balance-venv" / "bin" / "python",
}


# ---------------------------------------------------------------- data


def generate(n: int, seed: int, directory: Path) -> None:
    """Write the synthetic sample (npz for Python, raw binaries for R)."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    codes, targets = [], []
    for k in SIZES:
        population_share = rng.dirichlet(np.full(k, 8.0))
        sample_share = population_share * rng.uniform(0.5, 1.6, k)  # a skewed convenience sample
        sample_share /= sample_share.sum()
        codes.append(rng.choice(k, size=n, p=sample_share).astype(np.int32))
        targets.append(population_share * POPULATION)
    effect = sum(rng.normal(0, 0.3, k)[c] for k, c in zip(SIZES, codes))
    items = np.empty((n, ITEMS))
    for j in range(ITEMS):
        latent = 3.6 + effect + rng.normal(0, 0.9, n)
        items[:, j] = np.clip(np.rint(latent), 1, 5)
    np.savez(directory / "sample.npz", *codes, items=items, targets=np.concatenate(targets))
    for i, c in enumerate(codes, start=1):
        c.tofile(directory / f"v{i}.bin")
    items.tofile(directory / "items.bin")
    np.concatenate(targets).tofile(directory / "targets.bin")
    (directory / "meta.txt").write_text(f"{n}\n{','.join(map(str, SIZES))}\n{ITEMS}\n")


def load(directory: Path) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    data = np.load(directory / "sample.npz")
    codes = [data[f"arr_{i}"] for i in range(len(SIZES))]
    return codes, data["items"], data["targets"]


def peak_mb() -> float:
    """Peak resident memory of this process (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def split_targets(targets: np.ndarray) -> list[np.ndarray]:
    return np.split(targets, np.cumsum(SIZES)[:-1])


# ---------------------------------------------------------------- workers


def worker_ours(directory: Path, repeat: int) -> dict:
    from analysis.estimation import SurveyDesign, means, summarise
    from analysis.weighting import Auxiliary, Factor, rake

    codes, items, targets = load(directory)
    n = len(items)
    rake_times, estimate_times = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        auxiliary = Auxiliary(
            tuple(Factor(f"v{i + 1}", c.astype(np.int64), tuple(map(str, range(k)))) for i, (c, k) in enumerate(zip(codes, SIZES)))
        )
        result = rake(auxiliary, np.ones(n), targets)
        rake_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        design = SurveyDesign.build(result.weights, calibration=result.calibration)
        estimates = summarise(design, means(result.weights, items, ~np.isnan(items)))
        estimate_times.append(time.perf_counter() - start)
    np.save(directory / "ours_weights.npy", np.asarray(result.weights))
    return {
        "tool": "analysis (this package)",
        "rake_s": min(rake_times),
        "estimate_s": min(estimate_times),
        "peak_mb": peak_mb(),
        "iterations": result.iterations,
        "converged": result.converged,
        "means": [e.value for e in estimates],
        "ses": [e.se for e in estimates],
        "calibration_aware": True,
    }


def worker_samplics(directory: Path, repeat: int) -> dict:
    import warnings

    warnings.simplefilter("ignore")
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam
    from samplics.weighting import SampleWeight

    codes, items, targets = load(directory)
    n = len(items)
    control = {f"v{i + 1}": dict(enumerate(t)) for i, t in enumerate(split_targets(targets))}
    margins = {f"v{i + 1}": c for i, c in enumerate(codes)}
    start = time.perf_counter()
    weights = SampleWeight().rake(samp_weight=np.ones(n), margins=margins, control=control, tol=1e-7, ctrl_tol=1e-7, max_iter=100)
    rake_s = time.perf_counter() - start
    start = time.perf_counter()
    ses, values = [], []
    for j in range(ITEMS):
        estimator = TaylorEstimator(PopParam.mean)
        estimator.estimate(y=items[:, j], samp_weight=weights)
        values.append(float(np.ravel(list(_values(estimator.point_est)))[0]))
        ses.append(float(np.ravel(list(_values(estimator.stderror)))[0]))
    estimate_s = time.perf_counter() - start
    np.save(directory / "samplics_weights.npy", weights)
    return {"tool": "samplics", "rake_s": rake_s, "estimate_s": estimate_s, "peak_mb": peak_mb(), "means": values, "ses": ses, "calibration_aware": False}


def _values(obj):
    return obj.values() if isinstance(obj, dict) else [obj]


def worker_weightipy(directory: Path, repeat: int) -> dict:
    import pandas as pd
    import weightipy as wp

    codes, items, targets = load(directory)
    n = len(items)
    frame = pd.DataFrame({f"v{i + 1}": c for i, c in enumerate(codes)})
    scheme = wp.scheme_from_dict(
        {f"v{i + 1}": {k: 100 * v / t.sum() for k, v in enumerate(t)} for i, t in enumerate(split_targets(targets))}
    )
    start = time.perf_counter()
    weighted = wp.weight_dataframe(frame, scheme, weight_column="w")
    rake_s = time.perf_counter() - start
    weights = weighted["w"].to_numpy() * POPULATION / n
    np.save(directory / "weightipy_weights.npy", weights)
    return {"tool": "weightipy", "rake_s": rake_s, "estimate_s": None, "peak_mb": peak_mb(), "calibration_aware": False}


def worker_balance(directory: Path, repeat: int) -> dict:
    import logging

    import pandas as pd

    logging.disable(logging.INFO)
    from balance.stats_and_plots import weighted_stats
    from balance.weighting_methods.rake import rake

    codes, items, targets = load(directory)
    n = len(items)
    frame = pd.DataFrame({f"v{i + 1}": c.astype(str) for i, c in enumerate(codes)})
    margins = {f"v{i + 1}": {str(k): float(v) for k, v in enumerate(t)} for i, t in enumerate(split_targets(targets))}
    start = time.perf_counter()
    result = rake(
        frame, pd.Series(np.ones(n)), None, None, variables=list(frame.columns), transformations=None,
        target_margins=margins, convergence_rate=1e-7, rate_tolerance=0.0,
    )
    rake_s = time.perf_counter() - start
    weights = result["weight"].to_numpy()
    weights = weights * POPULATION / weights.sum()
    start = time.perf_counter()
    values_frame = pd.DataFrame(items, columns=[f"y{j + 1}" for j in range(ITEMS)])
    variances = weighted_stats.var_of_weighted_mean(values_frame, pd.Series(weights))
    values = weighted_stats.weighted_mean(values_frame, pd.Series(weights))
    estimate_s = time.perf_counter() - start
    np.save(directory / "balance_weights.npy", weights)
    return {
        "tool": "balance",
        "rake_s": rake_s,
        "estimate_s": estimate_s,
        "peak_mb": peak_mb(),
        "means": [float(v) for v in np.ravel(values)],
        "ses": [float(np.sqrt(v)) for v in np.ravel(variances)],
        "calibration_aware": False,
    }


def worker_svy(directory: Path, repeat: int) -> dict:
    """svy 0.35 (samplics' successor): ``Sample.weighting.rake`` then ``estimation.mean`` (Taylor).

    svy records the raking on the design (``WgtAdjustment(kind="raking")``)
    and documents calibration-aware Taylor variance, but on this design (no
    strata, no clusters) its standard errors come out equal, to the last
    digit, to those with the raked weights taken as fixed (checked: the same
    data with ``Design(wgt="rk_wgt")`` gives the same SEs), so it is reported
    as not accounting for the raking here.
    """
    import warnings

    warnings.simplefilter("ignore")
    import polars as pl
    import svy

    codes, items, targets = load(directory)
    n = len(items)
    frame = pl.DataFrame({**{f"v{i + 1}": c for i, c in enumerate(codes)},
                          **{f"y{j + 1}": items[:, j] for j in range(ITEMS)}, "w": np.ones(n)})
    sample = svy.Sample(data=frame, design=svy.Design(wgt="w"))
    controls = {f"v{i + 1}": {k: float(v) for k, v in enumerate(t)} for i, t in enumerate(split_targets(targets))}
    start = time.perf_counter()
    raked = sample.weighting.rake(controls=controls, tol=1e-7, max_iter=100)
    rake_s = time.perf_counter() - start
    start = time.perf_counter()
    estimates = raked.estimation.mean(y=[f"y{j + 1}" for j in range(ITEMS)])
    estimate_s = time.perf_counter() - start
    rows = [e.to_polars().row(0, named=True) for e in estimates]
    np.save(directory / "svy_weights.npy", raked.data["rk_wgt"].to_numpy())
    return {"tool": f"svy {svy.__version__}" if hasattr(svy, "__version__") else "svy", "rake_s": rake_s,
            "estimate_s": estimate_s, "peak_mb": peak_mb(), "means": [r["est"] for r in rows],
            "ses": [r["se"] for r in rows], "calibration_aware": False}


WORKERS = {"ours": worker_ours, "samplics": worker_samplics, "weightipy": worker_weightipy, "balance": worker_balance,
           "svy": worker_svy}


# ---------------------------------------------------------------- driver


def run_python(name: str, python: Path, directory: Path, repeat: int) -> dict | None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    cmd = [str(python), str(Path(__file__).resolve()), "--worker", name, "--data", str(directory), "--repeat", str(repeat)]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        print(f"  {name}: failed ({result.stderr.strip().splitlines()[-1] if result.stderr.strip() else 'no output'})")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_r(directory: Path) -> dict | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        print("  R: Rscript not found, skipped (apt-get install -y r-cran-survey)")
        return None
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    result = subprocess.run([rscript, str(ROOT / "bench" / "r" / "bench_survey.R"), str(directory)], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        print(f"  R: failed ({result.stderr.strip()[-300:]})")
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:8.3f}"


def report(results: dict[str, dict], directory: Path, n: int) -> None:
    ours = results["ours"]
    r_weights = np.fromfile(directory / "r_weights.bin") if "R" in results else None
    print()
    print(f"n = {n:,} responses, {ITEMS} items, margins {'+'.join(map(str, SIZES))} categories, {os.cpu_count()} cores")
    header = (
        f"{'tool':28} {'rake s':>8} {'est. s':>8} {'peak MB':>8} {'rake x':>7} {'est. x':>7} "
        f"{'max |dw| vs R (rel)':>20} {'max rel dSE vs R':>16}"
    )
    print(header)
    print("-" * len(header))
    for key, res in results.items():
        rake_ratio = res["rake_s"] / ours["rake_s"] if res.get("rake_s") else None
        est_ratio = res["estimate_s"] / ours["estimate_s"] if res.get("estimate_s") else None
        dw = dse = "n/a"
        if r_weights is not None:
            path = directory / ("r_weights.bin" if key == "R" else f"{key}_weights.npy")
            if key != "R" and path.exists():
                gap = np.abs(np.load(path) - r_weights)
                dw = f"{gap.max():.1e} ({np.max(gap / r_weights):.1e})"
            if key != "R" and res.get("ses"):
                dse = f"{np.max(np.abs(np.array(res['ses']) / np.array(results['R']['ses']) - 1)):.2e}"
        print(
            f"{res['tool'][:28]:28} {_seconds(res.get('rake_s'))} {_seconds(res.get('estimate_s'))} {res['peak_mb']:8.0f} "
            f"{'' if rake_ratio is None else f'{rake_ratio:6.1f}x':>7} {'' if est_ratio is None else f'{est_ratio:6.1f}x':>7} {dw:>20} {dse:>16}"
        )
    print("\nratios are each tool's time over this package's (higher = this package faster);")
    aware = [res["tool"] for res in results.values() if res.get("calibration_aware")]
    fixed = [res["tool"] for res in results.values() if res.get("estimate_s") and not res.get("calibration_aware")]
    print(f"SEs accounting for the raking (calibration residuals): {', '.join(aware)} and R; "
          f"with the raked weights as fixed: {', '.join(fixed) or 'none'}; weightipy only weights.")
    (OUT / "results.json").write_text(json.dumps({"n": n, "results": results}, indent=2))


# ---------------------------------------------------------------- the commands end to end (--cli)

CLI_SIZES = {"unit": 12, "sex": 2, "age": 4, "edu": 5}


def generate_cli(n: int, seed: int, directory: Path) -> tuple[Path, Path]:
    """An export-format responses CSV and its margins CSV (written once per size and seed)."""
    import csv

    directory.mkdir(parents=True, exist_ok=True)
    responses, margins = directory / "responses.csv", directory / "margins.csv"
    if responses.exists() and margins.exists():
        return responses, margins
    rng = np.random.default_rng(seed)
    codes, rows = {}, []
    for name, k in CLI_SIZES.items():
        population = rng.dirichlet(np.full(k, 8.0))
        sample = population * rng.uniform(0.5, 1.6, k)
        codes[name] = rng.choice(k, size=n, p=sample / sample.sum())
        labels = [f"XA_{i + 1:02d}" for i in range(k)] if name == "unit" else [str(i + 1) for i in range(k)]
        rows += [(name, labels[i], round(float(population[i] * 250_000), 3)) for i in range(k)]
        codes[name] = np.array(labels)[codes[name]]
    effect = rng.normal(0, 0.3, n)
    items = np.clip(np.rint(3.6 + effect[:, None] + rng.normal(0, 0.9, (n, ITEMS))), 1, 5).astype(int)
    comments = np.where(rng.random(n) < 0.1, "Cán bộ nhiệt tình, hướng dẫn rõ ràng", "")
    with margins.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["variable", "category", "total"])
        writer.writerows(rows)
    with responses.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["response_id", "round", "group", "unit", "desk", "channel", "submitted_on",
                         "duration_seconds", "questionnaire_version", "sex", "age", "edu",
                         *(f"s{j + 1}" for j in range(ITEMS)), "comment"])
        durations = rng.integers(40, 1200, n)
        for i in range(n):
            writer.writerow([f"r{i:07d}x{rng.integers(1 << 30):x}", "Khảo sát 2026", "citizen", codes["unit"][i], "",
                             "qr", "2026-03-01", durations[i], "abc123def456", codes["sex"][i], codes["age"][i],
                             codes["edu"][i], *items[i], comments[i]])
    return responses, margins


def _children_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's finished children."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_cli_ours(responses: Path, margins: Path, out: Path, checkout: Path = ROOT,
                 python: str = sys.executable) -> tuple[float, float]:
    """``python -m analysis weight`` then ``estimate``, each a fresh process, as a user types them.

    Run from ``checkout`` (``python -m`` puts the current directory first on ``sys.path``, so
    that is the code that runs; ``bench/cli_ab.py`` compares checkouts). Returns wall seconds
    and CPU seconds (on a shared machine the CPU time is the steadier figure).
    """
    env = dict(os.environ, PYTHONPATH=str(checkout))
    cpu = _children_cpu()
    start = time.perf_counter()
    for args in (["weight", "--responses", responses, "--margins", margins, "--out", out / "weights.csv"],
                 ["estimate", "--responses", responses, "--margins", margins, "--strata", "unit",
                  "--out", out / "estimates.csv"]):
        subprocess.run([python, "-m", "analysis", *map(str, args)], check=True, env=env, cwd=checkout,
                       stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, _children_cpu() - cpu


def run_cli_r(responses: Path, margins: Path, out: Path) -> tuple[float, float] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    cpu = _children_cpu()
    start = time.perf_counter()
    subprocess.run([rscript, str(ROOT / "bench" / "r" / "bench_cli.R"), str(responses), str(margins),
                    str(out / "r_weights.csv"), str(out / "r_estimates.csv")], check=True)
    return time.perf_counter() - start, _children_cpu() - cpu


def compare_cli(out: Path) -> str:
    """Largest differences of our weights and estimates from R's."""
    import csv

    def column(path: Path, key: str, value: str) -> dict[str, float]:
        with path.open(encoding="utf-8") as handle:
            return {row[key]: float(row[value]) for row in csv.DictReader(handle)}

    ours_w, r_w = column(out / "weights.csv", "response_id", "weight"), column(out / "r_weights.csv", "response_id", "weight")
    ours = {k: v for k, v in column(out / "estimates.csv", "indicator", "estimate").items() if k.startswith("mean:")}
    ours_se = column(out / "estimates.csv", "indicator", "se")
    r_est, r_se = column(out / "r_estimates.csv", "indicator", "estimate"), column(out / "r_estimates.csv", "indicator", "se")
    dw = max(abs(ours_w[k] / r_w[k] - 1) for k in r_w)
    de = max(abs(ours[k] - r_est[k]) for k in r_est)
    ds = max(abs(ours_se[k] / r_se[k] - 1) for k in r_se)
    return f"max rel weight difference {dw:.1e}, max abs mean difference {de:.1e}, max rel SE difference {ds:.1e}"


def main_cli(n: int, seed: int, rounds: int, skip_r: bool) -> int:
    directory = OUT / f"cli-{n}"
    print(f"responses CSV of {n:,} in {directory} ...")
    responses, margins = generate_cli(n, seed, directory)
    times: dict[str, list[float]] = {"ours": [], "R": [], "ours_cpu": [], "R_cpu": []}
    load_before = os.getloadavg()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in load_before)} ({os.cpu_count()} cores)")
    for k in range(rounds):  # alternating, so the machine's drift falls on both alike
        wall, cpu = run_cli_ours(responses, margins, directory)
        times["ours"].append(wall)
        times["ours_cpu"].append(cpu)
        r = None if skip_r else run_cli_r(responses, margins, directory)
        line = f"  round {k + 1}: analysis weight+estimate {wall:.2f} s (CPU {cpu:.2f} s)"
        if r is not None:
            times["R"].append(r[0])
            times["R_cpu"].append(r[1])
            line += f", R rake+svymean {r[0]:.2f} s (CPU {r[1]:.2f} s), ratio {r[0] / wall:.1f}x (CPU {r[1] / cpu:.1f}x)"
        print(line, flush=True)
    load_after = os.getloadavg()
    print(f"load average after: {' '.join(f'{v:.2f}' for v in load_after)} (the CPU ratio is the steadier "
          "figure on a shared machine)")
    result: dict[str, object] = {"n": n, "rounds": rounds, "load_before": load_before, "load_after": load_after, **times}
    for key, label in (("ours", "analysis (python -m analysis weight + estimate)"), ("R", "R survey (rake + svymean, Rscript)")):
        if times[key]:
            print(f"{label}: wall min {min(times[key]):.2f} s, median {np.median(times[key]):.2f} s; "
                  f"CPU min {min(times[key + '_cpu']):.2f} s, median {np.median(times[key + '_cpu']):.2f} s")
    if times["R"]:
        for key, label in (("", "wall"), ("_cpu", "CPU")):
            ours, theirs = times["ours" + key], times["R" + key]
            print(f"ratio R / analysis ({label}): {min(theirs) / min(ours):.1f}x (min over min), "
                  f"{np.median(theirs) / np.median(ours):.1f}x (median over median)")
        print(compare_cli(directory))
    (OUT / "results-cli.json").write_text(json.dumps(result, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, help="responses (default 1,000,000; 300,000 with --cli)")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--repeat", type=int, default=3, help="timing repeats for this package (best is kept)")
    parser.add_argument("--skip-r", action="store_true")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--cli", action="store_true", help="time the commands end to end against R (default n 300,000)")
    parser.add_argument("--rounds", type=int, default=3, help="--cli: alternating rounds (default 3)")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.data, args.repeat)))
        return 0
    if args.cli:
        OUT.mkdir(parents=True, exist_ok=True)
        return main_cli(args.n or 300_000, args.seed, args.rounds, args.skip_r)
    args.n = args.n or 1_000_000
    directory = OUT / f"data-{args.n}"
    print(f"generating {args.n:,} responses in {directory} ...")
    generate(args.n, args.seed, directory)
    results: dict[str, dict] = {}
    print("running analysis (this package) ...")
    results["ours"] = run_python("ours", Path(sys.executable), directory, args.repeat)
    if not args.skip_r:
        print("running R survey ...")
        r = run_r(directory)
        if r is not None:
            results["R"] = r
    if not args.skip_peers:
        for name, python in PEERS.items():
            if not python.exists():
                print(f"  {name}: no interpreter at {python}, skipped (see bench/README.md)")
                continue
            print(f"running {name} ...")
            res = run_python(name, python, directory, 1)
            if res is not None:
                results[name] = res
    report(results, directory, args.n)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
