"""Bulk reports benchmark: prints figures, asserts nothing (``make bench-bulk``).

On N synthetic units (``write_synthetic(dir, N, fmt="csv")``: one answers CSV and one unit metadata CSV), in the
same run:

1. the naive loop a user would write, on a few units: per unit ``papermill`` (a new kernel, the input read again)
   then ``jupyter nbconvert --to html --no-input``, each a new process;
2. ``zi-nb bulk`` on all N units, HTML only (warm kernels, one exporter per worker, the input read once per kernel);
3. PDF: ``zi-nb bulk --pdf`` on all N units (each worker keeps one headless Chromium, :mod:`zi_nb.report.pdf`), and
   on a few of the HTML reports of step 2 the PDF printed the old way, one ``chromium --print-to-pdf`` process per
   PDF (:func:`zi_nb.report.pdf.print_with_cli`), against one :class:`~zi_nb.report.pdf.PdfPrinter` kept open;
4. DOCX: ``zi-nb bulk --docx`` on all N units, and what it adds per unit to step 2 (:func:`docx_run`).

Prints the naive per-unit times, the bulk wall time, time per unit and per-unit times inside the workers, the
throughput ratio, CPU time per unit (whole process tree) and the peak memory of the process tree (RSS sampled every
0.2 s with psutil when installed; else the largest single process from getrusage); for PDF the same for the run with
PDF, the seconds per PDF both ways and their ratio.

Targets (issue 5): >= 10x the naive per-unit throughput; 1,000 units < 5 minutes with every report; peak < 2 GB.
Issue 15: 1,000 units with PDF < 10 minutes; DOCX adds < 0.2 s per unit.
Usage: ``python benchmarks/bench_bulk.py [--units 100] [--naive 3] [--pdf-baseline 3] [--no-pdf] [--no-docx]
[--workers 2] [--keep DIR]``.
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
from zi_nb.report.pdf import PdfPrinter, print_with_cli
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


def bulk(inputs: list[Path], out: Path, workers: int, *extra: str) -> tuple[float, int, float]:
    """zi-nb bulk on every unit (``extra``: more options, e.g. ``--pdf``): (wall s, peak RSS of the process tree in
    bytes, CPU s of the tree)."""
    cpu0 = children_cpu()
    t0 = time.perf_counter()
    # `zi-nb bulk`, with the command module imported explicitly
    command = [sys.executable, "-c", "import zi_nb.cli; zi_nb.cli.main()", "bulk"]
    proc = subprocess.Popen([*command, *map(str, inputs), "-o", str(out), "--workers", str(workers),
                             "--run-id", "bench", *extra], stderr=subprocess.PIPE, text=True)
    with PeakMemory(proc.pid) as memory:
        _, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        print(err[-3000:], file=sys.stderr)
        raise SystemExit(f"zi-nb bulk failed with status {proc.returncode}")
    peak = memory.peak or resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return wall, peak, children_cpu() - cpu0


def pdf_both_ways(htmls: list[Path], work: Path) -> tuple[list[float], float, list[float]]:
    """The same report pages printed the old way (one ``chromium --print-to-pdf`` process each) and by one
    :class:`PdfPrinter` kept open: (s per PDF the old way, s to start the printer's browser, s per PDF kept open)."""
    (work / "cli").mkdir(parents=True, exist_ok=True)
    (work / "kept").mkdir(parents=True, exist_ok=True)
    old = []
    for html in htmls:
        t0 = time.perf_counter()
        print_with_cli(html, work / "cli" / f"{html.stem}.pdf")
        old.append(time.perf_counter() - t0)
    kept = []
    with PdfPrinter() as printer:
        t0 = time.perf_counter()
        printer.start()
        start = time.perf_counter() - t0
        for html in htmls:
            t0 = time.perf_counter()
            printer.print(html, work / "kept" / f"{html.stem}.pdf")
            kept.append(time.perf_counter() - t0)
    return old, start, kept


def docx_run(inputs: list[Path], work: Path, workers: int, units: int, html_wall: float) -> None:
    """-- DOCX (issue 15): ``zi-nb bulk --docx`` on every unit, the same figures as for PDF and what DOCX adds per unit
    to the HTML-only run of the same inputs (target: under 0.2 s per unit)."""
    wall, peak, cpu = bulk(inputs, work / "bulk-docx", workers, "--docx")
    per_unit = wall / units
    print(f"zi-nb bulk --docx: {units} units in {wall:.1f} s wall = {per_unit:.3f} s per unit (DOCX adds "
          f"{(wall - html_wall) / units:.3f} s per unit); CPU {cpu / units:.2f} s per unit; peak "
          f"{peak / 2**30:.2f} GB")


def pdf_figures(inputs: list[Path], work: Path, args: argparse.Namespace, html_wall: float) -> None:
    """Step 3: zi-nb bulk --pdf on every unit, then the per-PDF time both ways on a few of the HTML reports."""
    wall, peak, cpu = bulk(inputs, work / "bulk-pdf", args.workers, "--pdf")
    doc = json.loads((work / "bulk-pdf" / "summary.json").read_text(encoding="utf-8"))
    pdfs = sum(1 for u in doc["units"] if u.get("pdf"))
    per_unit = wall / args.units
    print(f"zi-nb bulk --pdf: {args.units} units in {wall:.1f} s wall = {per_unit:.3f} s per unit "
          f"({doc['counts']['ok']} ok, {doc['counts']['failed']} failed, {pdfs} PDF); PDF adds "
          f"{(wall - html_wall) / args.units:.3f} s wall per unit over HTML only")
    print(f"  CPU of the process tree: {cpu:.0f} s = {cpu / args.units:.2f} s per unit; peak memory (RSS, process "
          f"tree, browsers included): {peak / 2**30:.2f} GB (summed RSS counts the pages Chromium's processes share "
          "once per process)")
    print(f"  1,000 units with PDF at this rate: {1000 * per_unit / 60:.1f} min (target < 10 min)"
          + ("" if args.units < 1000 else f"; measured {wall / 60:.1f} min"))
    htmls = sorted((work / "bulk").glob("unit-*.html"))[: args.pdf_baseline]
    if not htmls:
        return
    old, start, kept = pdf_both_ways(htmls, work / "pdf-both")
    print(f"one Chromium process per PDF (before): {statistics.mean(old):.2f} s per PDF (mean of {len(old)})")
    print(f"one Chromium kept open (after): {statistics.mean(kept):.2f} s per PDF (mean of {len(kept)}; first "
          f"{kept[0]:.2f} s) after {start:.2f} s to start it once")
    print(f"ratio (s per PDF before / after): {statistics.mean(old) / statistics.mean(kept):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--naive", type=int, default=3, help="units rendered by the naive loop")
    parser.add_argument("--pdf-baseline", type=int, default=3,
                        help="reports printed both ways (one Chromium per PDF, one kept open) for the PDF ratio")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF figures")
    parser.add_argument("--no-docx", action="store_true", help="skip the DOCX figures")
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
        print(f"zi-nb bulk (HTML only): {args.units} units in {wall:.1f} s wall = {per_bulk:.3f} s per unit "
              f"({doc['counts']['ok']} ok, {doc['counts']['failed']} failed); per unit inside a worker: median "
              f"{statistics.median(inside):.2f} s, p95 {inside[int(0.95 * (len(inside) - 1))]:.2f} s")
        print(f"ratio (naive s per unit / bulk s per unit): {per_naive / per_bulk:.1f}x (target >= 10x)")
        print(f"CPU of the process tree: {cpu:.0f} s = {cpu / args.units:.2f} s per unit")
        print(f"1,000 units at this rate: {1000 * per_bulk / 60:.1f} min (target < 5 min)"
              + ("" if args.units < 1000 else f"; measured {wall / 60:.1f} min"))
        print(f"peak memory (RSS, process tree): {peak / 2**30:.2f} GB (target < 2 GB)")
        if not args.no_pdf:
            pdf_figures(inputs, work, args, wall)
        if not args.no_docx:
            docx_run(inputs, work, args.workers, args.units, wall)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
