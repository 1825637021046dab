"""Evaluator workbench benchmark: prints figures, asserts nothing (``make bench``).

Update latency: the time from an answer changing in a widget to every display updated (the unit rescored with the
vectorised engine from its in-memory answers, the predikat re-evaluated, header, area bars, criteria, item card and
navigation re-rendered and sent). Every answer of a bundled sample unit is changed once through its widget (options
through the ToggleButtons, Jumlah inputs and survey indices through their text fields), on the kernel side without a
browser. Also: opening a unit (reading the ledger, scoring every tier) and a save through the ledger (fsync'd
commit). Target (issue 3): < 100 ms per change.

Usage: ``python benchmarks/bench_widgets.py [--unit kanim-sukawangi] [--rounds 2]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from zi_nb.app.session import Session, load_data
from zi_nb.app.workbench import Workbench


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unit", default="kanim-sukawangi")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    data = load_data()
    with tempfile.TemporaryDirectory() as tmp:
        ledger = str(Path(tmp) / "ledger.sqlite")
        start = time.perf_counter()
        bench = Workbench(Session(data, args.unit, "tpi", "bench", ledger))
        opened = (time.perf_counter() - start) * 1000
        rubric = bench.s.rubric
        for _ in range(args.rounds):
            for item in rubric.items:
                bench.goto(item.code)
                at = rubric.answer_types[item.answer_type]
                if at.kind == "option":
                    toggle = bench.control.children[0]
                    others = [o for o in at.options if o != toggle.value]
                    toggle.value = others[0]
                else:
                    for row in bench.control.children:
                        box = row.children[1]
                        current = float((box.value or "0").replace(",", "."))
                        box.value = str(int(current) + 1) if at.kind == "ratio" else f"{min(4.0, current + 0.01):.2f}"
        changes = bench.latencies
        bench.goto("PPA1B")
        bench.control.children[0].value = "C"
        bench.note.value = "bench"
        start = time.perf_counter()
        bench._on_save()
        saved = (time.perf_counter() - start) * 1000
    ordered = sorted(changes)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(f"Workbench penilai, unit {args.unit} (data contoh), {len(changes)} perubahan jawaban lewat widget:")
    print(f"  pembaruan setelah satu perubahan: median {statistics.median(changes):.1f} ms, p95 {p95:.1f} ms, "
          f"maks {max(changes):.1f} ms (target < 100 ms)")
    print(f"  membuka unit: {opened:.0f} ms; simpan ke ledger (commit): {saved:.1f} ms")


if __name__ == "__main__":
    main()
