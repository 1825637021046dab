"""Bulk reports benchmark: prints figures, asserts nothing (``make bench-bulk``).

On N synthetic units (``write_synthetic(dir, N, fmt="csv")``: one answers CSV and one unit metadata CSV), in the
same run:

1. the naive loop a user would write, on a few units: per unit ``papermill`` (a new kernel, the input read again)
   then ``jupyter nbconvert --to html --no-input``, each a new process;
2. ``zi-nb bulk`` on all N units (warm kernels, one exporter per worker, the input read once per kernel).

Prints the naive per-unit times, the bulk wall time, time per unit and per-unit times inside the workers, the
throughput ratio, CPU time per unit (whole process tree) and the peak memory of the process tree (RSS sampled every
0.2 s with psutil when installed; else the largest single process from getrusage).

Targets (issue 5): >= 10x the naive per-unit throughput; 1,000 units < 5 minutes with every report; peak < 2 GB.
Usage: ``python benchmarks/bench_bulk.py [--units 100] [--naive 3] [--workers 2] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Self

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from zi_nb.lke.sample import write_synthetic
from zi_nb.report.runner import NOTEBOOK

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


class PeakMemory:
    """Peak total RSS of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        try:
            import psutil
        except ImportError:
            return
        root = psutil.Process(self.pid)
        while not self.stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                return
            time.sleep(0.2)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def naive(inputs: list[Path], units: list[str], work: Path) -> list[tuple[float, float, float]]:
    """papermill + nbconvert per unit, each a new process: (papermill s, nbconvert s, total s) per unit."""
    times = []
    for unit in units:
        out = work / f"{unit}.ipynb"
        t0 = time.perf_counter()
        subprocess.run([str(BIN / "papermill"), str(NOTEBOOK), str(out), "-p", "input_path", str(inputs[0]),
                        "-p", "units_path", str(inputs[1]), "-p", "unit_id", unit, "-p", "run_id", "bench",
                        "-k", "python3", "--cwd", str(NOTEBOOK.parent), "--no-progress-bar"],
                       check=True, capture_output=True)
        t1 = time.perf_counter()
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)], check=True,
                       capture_output=True)
        t2 = time.perf_counter()
        times.append((t1 - t0, t2 - t1, t2 - t0))
        print(f"  naive {unit}: papermill {t1 - t0:.2f} s + nbconvert {t2 - t1:.2f} s = {t2 - t0:.2f} s", flush=True)
    return times


def bulk(inputs: list[Path], out: Path, workers: int) -> tuple[float, int, float]:
    """zi-nb bulk on every unit: (wall s, peak RSS of the process tree in bytes, CPU s of the tree)."""
    cpu0 = children_cpu()
    t0 = time.perf_counter()
    # `zi-nb bulk`, with the command module imported explicitly
    command = [sys.executable, "-c", "import zi_nb.cli; zi_nb.cli.main()", "bulk"]
    proc = subprocess.Popen([*command, *map(str, inputs), "-o", str(out), "--workers", str(workers),
                             "--run-id", "bench"], stderr=subprocess.PIPE, text=True)
    with PeakMemory(proc.pid) as memory:
        _, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(err[-3000:], file=sys.stderr)
        raise SystemExit(f"zi-nb bulk failed with status {proc.returncode}")
    peak = memory.peak or resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return wall, peak, children_cpu() - cpu0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--naive", type=int, default=3, help="units rendered by the naive loop")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", default="", help="folder to keep inputs and outputs in (default: temporary)")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="zi-bench-bulk-"))
    try:
        inputs = write_synthetic(work / "in", args.units)
        size = inputs[0].stat().st_size / 1e6
        print(f"{args.units} synthetic units: {inputs[0].name} ({size:.1f} MB) + {inputs[1].name}; "
              f"{args.workers} workers", flush=True)
        picks = [f"unit-{i:05d}" for i in range(1, args.units + 1)][:: max(1, args.units // args.naive)][:args.naive]
        (work / "naive").mkdir(parents=True, exist_ok=True)
        times = naive(inputs, picks, work / "naive")
        per_naive = statistics.mean(t[2] for t in times)
        wall, peak, cpu = bulk(inputs, work / "bulk", args.workers)
        doc = json.loads((work / "bulk" / "summary.json").read_text(encoding="utf-8"))
        inside = sorted(u["seconds"] for u in doc["units"] if u.get("seconds"))
        per_bulk = wall / args.units
        print(f"naive loop: {per_naive:.2f} s per unit (mean of {len(times)}: papermill "
              f"{statistics.mean(t[0] for t in times):.2f} s + nbconvert {statistics.mean(t[1] for t in times):.2f} s)")
        print(f"zi-nb bulk: {args.units} units in {wall:.1f} s wall = {per_bulk:.3f} s per unit "
              f"({doc['counts']['ok']} ok, {doc['counts']['failed']} failed); per unit inside a worker: median "
              f"{statistics.median(inside):.2f} s, p95 {inside[int(0.95 * (len(inside) - 1))]:.2f} s")
        print(f"ratio (naive s per unit / bulk s per unit): {per_naive / per_bulk:.1f}x (target >= 10x)")
        print(f"CPU of the process tree: {cpu:.0f} s = {cpu / args.units:.2f} s per unit")
        print(f"1,000 units at this rate: {1000 * per_bulk / 60:.1f} min (target < 5 min)"
              + ("" if args.units < 1000 else f"; measured {wall / 60:.1f} min"))
        print(f"peak memory (RSS, process tree): {peak / 2**30:.2f} GB (target < 2 GB)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
