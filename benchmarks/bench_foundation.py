"""Foundation benchmark: prints figures, asserts nothing (``make bench``).

1. Scoring: 10,000 synthetic units, every tier (unit, tpi, tpn, final) plus the predikat, with the vectorised engine;
   against the naive per-item Python loop (``naive_scoring.py``) on a subset in the same process, per unit.
2. Reading + validating circulated-layout workbooks (the ``ID | Penilaian | ...`` export): 200 workbooks written by
   ``zi-nb sample --format lke``, each read and validated on its own as a user would; against opening the same
   workbook with openpyxl (formulas and styles, the common naive approach) in the same process.

Targets on a 2-core machine (issue 2): scoring 10,000 units < 2 s; reading + validating < 100 ms per workbook.
Usage: ``python benchmarks/bench_foundation.py [--units 10000] [--workbooks 200] [--naive-units 500]``.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from naive_scoring import naive_scores

from zi_nb.engine.answers import build_answers, select_tier
from zi_nb.engine.predicate import evaluate
from zi_nb.engine.rubric import load_rubric
from zi_nb.engine.scoring import score_tiers
from zi_nb.engine.validate import validate
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.sample import synthetic_raw, synthetic_specs, write_synthetic


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_scoring(n_units: int, n_naive: int) -> None:
    rubric = load_rubric()
    raw = synthetic_raw(synthetic_specs(n_units, seed=1), rubric, seed=1)
    t0 = time.perf_counter()
    answers, _ = build_answers(raw, rubric)
    t_norm = time.perf_counter() - t0
    t0 = time.perf_counter()
    results = score_tiers(answers, rubric, ["unit", "tpi", "tpn", "final"])
    for s in results.values():
        if s.unit_ids:
            evaluate(s)
    t_fast = time.perf_counter() - t0
    subset = answers[answers["unit_id"].isin(set(answers["unit_id"].unique()[:n_naive]))]
    t0 = time.perf_counter()
    for tier in ("unit", "tpi", "final"):
        naive_scores(select_tier(subset, tier), rubric)
    t_naive = time.perf_counter() - t0
    per_fast = t_fast / n_units
    per_naive = t_naive / n_naive
    print(f"scoring: {n_units} units x 4 tiers + predikat: {t_fast:.3f} s "
          f"({per_fast * 1e6:.1f} us/unit); target < 2 s")
    print(f"  normalising {len(raw):,} raw answers (not part of scoring): {t_norm:.2f} s")
    print(f"  naive per-item loop: {n_naive} units x 3 tiers: {t_naive:.3f} s ({per_naive * 1e6:.1f} us/unit)")
    print(f"  ratio naive / vectorised per unit: {per_naive / per_fast:.1f}x")


def bench_workbooks(n_books: int) -> None:
    import openpyxl

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        paths = write_synthetic(Path(tmp), n_books, seed=5, fmt="lke")
        t_write = time.perf_counter() - t0
        load_rubric()
        read_inputs(paths[0])  # warm imports
        t0 = time.perf_counter()
        units = findings = 0
        for p in paths:
            data = read_inputs(p)
            findings += len(validate(data))
            units += len(data.unit_ids)
        per = (time.perf_counter() - t0) / n_books
        sample = paths[: max(1, min(len(paths), 40))]
        t0 = time.perf_counter()
        for p in sample:
            openpyxl.load_workbook(p)
        t_openpyxl = (time.perf_counter() - t0) / len(sample)
        print(f"workbooks: wrote {n_books} circulated-layout LKE in {t_write:.2f} s "
              f"({t_write / n_books * 1e3:.0f} ms each)")
        print(f"  read + validate: {per * 1e3:.1f} ms per workbook ({units} units, {findings} findings); "
              "target < 100 ms")
        print(f"  reference: openpyxl.load_workbook alone (no mapping, no validation): {t_openpyxl * 1e3:.1f} ms")
        office = shutil.which("soffice") or shutil.which("libreoffice")
        if not office:
            print("  baseline LibreOffice recalculation: not installed (apt-get install libreoffice-calc-nogui)")
            return
        with tempfile.TemporaryDirectory() as out:
            books = paths[:3]
            t0 = time.perf_counter()
            for p in books:
                subprocess.run([office, "--headless", "--calc", "--convert-to", "xlsx", "--outdir", out, str(p)],
                               capture_output=True, timeout=300)
            t_office = (time.perf_counter() - t0) / len(books)
        print(f"  baseline LibreOffice headless recalculation: {t_office * 1e3:.0f} ms per workbook; "
              f"ratio {t_office / per:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--naive-units", type=int, default=500)
    parser.add_argument("--workbooks", type=int, default=200)
    args = parser.parse_args()
    bench_scoring(args.units, args.naive_units)
    bench_workbooks(args.workbooks)
    print(f"peak memory (RSS): {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
