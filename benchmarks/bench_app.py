"""The evaluator web app in a real browser: prints figures, asserts nothing (``make bench-app``).

``zi-nb serve``'s server (:func:`zi_nb.app.serve.start`, preheated pool, the default kernel policy except a short
release delay so that 50 page loads fit in a few minutes) driven by Playwright in the Debian Chromium at 1366x768,
as the end-to-end test does. Each round, on a warm server (the pool refilled before each page load):

- first page: address typed -> the unit list usable (a unit's "Nilai unit ini" button visible);
- unit from the list: click -> the workbench shown;
- item select: click an item in the navigation -> its card shown;
- answer -> totals: click another option -> the total changed;
- save: note written, "Simpan" -> "Tersimpan di ledger";
- LHE: "Buat LHE" -> the download links (when the app has the button; else "belum ada");
- ``?unit=`` link: address with ``?unit=`` -> that unit's workbench shown.

Memory, measured first on the fresh server: the resident memory of voila and all its kernels after 5 and after 50
page loads (each page closed, the server settled), and the kernels left running once every page is closed (besides
the preheated pool).

Usage: ``python benchmarks/bench_app.py [--input LKE.xlsx] [--rounds 10] [--loads 50] [--pool 2]``; by default the
real workbook ``../shared/real-lke/tangsel-opd-lke-zi-2021.xlsx`` when present, else the bundled sample.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from zi_nb.app.serve import FILL_DELAY, IDLE_TIMEOUT, POOL_SIZE, Server, free_port, start

ROOT = Path(__file__).resolve().parents[1]
REAL_LKE = ROOT.parent / "shared" / "real-lke" / "tangsel-opd-lke-zi-2021.xlsx"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}
TIMEOUT = 120_000  # ms
LHE_TIMEOUT = 180_000  # ms: HTML, PDF and DOCX through the report runner
ITEM = "PPA1B"  # an A/B/C item in area A
RELEASE_AFTER = 3.0  # s: a closed page's kernel is stopped after this (default 15 s)
STEPS = ["halaman pertama", "tautan ?unit=", "unit dari daftar", "pilih butir", "jawaban -> total", "simpan",
         "Buat LHE"]


def css_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def settle(srv: Server, pages_open: int, pool: int, timeout: float = 90.0) -> int:
    """Wait until the server runs only the pool plus one kernel per open page, steadily for 2 s (closed pages
    released, the pool refilled: a kernel a page took is replaced after FILL_DELAY, a closed page's kernel goes
    after RELEASE_AFTER), then a little more for the new kernels' warm-up; returns the kernel count reached."""
    time.sleep(max(RELEASE_AFTER, FILL_DELAY) + 0.5)
    deadline, steady = time.monotonic() + timeout, 0
    count = len(srv.kernels())
    while time.monotonic() < deadline and steady < 8:
        count = len(srv.kernels())
        steady = steady + 1 if count == pool + pages_open else 0
        time.sleep(0.25)
    time.sleep(2.0)  # a refilled kernel imports the workbench and reads the input before it waits for a page
    return count


def timed(action: Callable[[], Any]) -> float:
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def lhe(page: Any, notes: list[str]) -> float | None:
    """Time of "Buat LHE" up to its download links; None when the app has no such button or the LHE failed (the
    reason goes to ``notes``)."""
    mode = page.locator(".zi-mode")
    if mode.count():
        mode.first.click()
    button = page.locator("button", has_text="Buat LHE")
    try:
        button.first.wait_for(timeout=3000)
    except Exception:  # no button: the step is not built yet
        notes.append("belum ada")
        return None
    done = page.locator(".zi-lhe a[download], .zi-lhe .err").first
    try:
        took = timed(lambda: (button.first.click(), done.wait_for(timeout=LHE_TIMEOUT)))
    except Exception:  # Playwright's timeout
        notes.append(f"tidak selesai dalam {LHE_TIMEOUT // 1000} s")
        return None
    failed = page.locator(".zi-lhe .err")
    if failed.count():
        notes.append("gagal: " + failed.first.inner_text().strip()[:160])
        return None
    return took


def round_(ctx: Any, srv: Server, unit: str, pool: int, n: int, with_lhe: bool,
           notes: list[str]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    settle(srv, 0, pool)
    page = ctx.new_page()
    try:
        out["halaman pertama"] = timed(lambda: (page.goto(srv.local_url, timeout=TIMEOUT, wait_until="commit"),
                                                page.locator(f".zi-open-{css_name(unit)}").wait_for(timeout=TIMEOUT)))
        out["unit dari daftar"] = timed(lambda: (page.locator(f".zi-open-{css_name(unit)}").click(),
                                                 page.locator(".zi-app").wait_for(timeout=TIMEOUT)))
        area = page.locator(".zi-area-A")
        if area.count():
            area.first.click()
        out["pilih butir"] = timed(lambda: (page.locator(f".zi-item-{ITEM}").first.click(),
                                            page.locator(".zi-code", has_text=ITEM).first.wait_for(timeout=TIMEOUT)))
        total = page.locator(".zi-total").first.inner_text().strip()
        current = page.locator(".zi-answer .widget-toggle-button.mod-active")
        now = current.first.inner_text().strip() if current.count() else ""
        other = "A" if now != "A" else "C"  # (on the real workbook C of an unanswered item scores 0, as nothing)
        out["jawaban -> total"] = timed(lambda: (
            page.locator(".zi-answer .widget-toggle-button", has_text=re.compile(rf"^\s*{other}\s*$")).first.click(),
            page.wait_for_function("t => document.querySelector('.zi-total').innerText.trim() !== t", arg=total,
                                   timeout=TIMEOUT)))
        page.locator(".zi-note textarea").first.fill(f"Patokan ronde {n}: jawaban diubah menjadi {other}.")
        saved = page.locator(".zi-message .ok", has_text="Tersimpan")
        out["simpan"] = timed(lambda: (page.locator(".zi-save").first.click(), saved.first.wait_for(timeout=TIMEOUT)))
        out["Buat LHE"] = lhe(page, notes) if with_lhe else None
    finally:
        page.close()
    settle(srv, 0, pool)
    page = ctx.new_page()
    try:
        out["tautan ?unit="] = timed(lambda: (page.goto(f"{srv.local_url}?unit={unit}", timeout=TIMEOUT,
                                                        wait_until="commit"),
                                              page.locator(".zi-app").wait_for(timeout=TIMEOUT)))
    finally:
        page.close()
    return out


def memory(ctx: Any, srv: Server, unit: str, pool: int, loads: int) -> tuple[dict[int, int], int]:
    """Open and close ``loads`` pages (the ``?unit=`` link); the server's memory after 5 and after ``loads``."""
    figures: dict[int, int] = {}
    for n in range(1, loads + 1):
        page = ctx.new_page()
        try:
            page.goto(f"{srv.local_url}?unit={unit}", timeout=TIMEOUT, wait_until="commit")
            page.locator(".zi-app").wait_for(timeout=TIMEOUT)
        finally:
            page.close()
        if n in (5, loads):
            settle(srv, 0, pool)
            figures[n] = srv.memory()
    left = len(srv.kernels()) - pool
    return figures, left


def stats(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]  # nearest rank
    return f"median {statistics.median(ordered):7.0f} ms   p95 {p95:7.0f} ms   (n={len(ordered)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=str(REAL_LKE) if REAL_LKE.is_file() else "",
                        help="berkas LKE (bawaan: workbook nyata bila ada, selain itu data contoh)")
    parser.add_argument("--unit", default="", help="unit yang dibuka (bawaan: unit pertama)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--loads", type=int, default=50)
    parser.add_argument("--pool", type=int, default=POOL_SIZE)
    parser.add_argument("--lhe-rounds", type=int, default=1, help="ronde yang juga membuat LHE (lambat)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from zi_nb.app.session import load_data

    unit = args.unit or load_data(args.input).unit_ids[0]
    with tempfile.TemporaryDirectory() as tmp:
        srv = start(input_path=args.input, ledger_path=str(Path(tmp) / "ledger.sqlite"), port=free_port(),
                    evaluator="Patokan", log=Path(tmp) / "voila.log", pool=args.pool, release_after=RELEASE_AFTER)
        try:
            srv.wait_ready(timeout=120)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                ctx = browser.new_context(viewport=VIEWPORT)
                settle(srv, 0, args.pool)
                idle = srv.memory()
                figures, left = memory(ctx, srv, unit, args.pool, args.loads)
                notes: list[str] = []
                rounds = [round_(ctx, srv, unit, args.pool, n, n < args.lhe_rounds, notes) for n in range(args.rounds)]
                browser.close()
        finally:
            srv.stop()
    print(f"Aplikasi penilai di Chromium {VIEWPORT['width']}x{VIEWPORT['height']}, unit {unit} "
          f"({Path(args.input).name if args.input else 'data contoh'}), kernel siap pakai {args.pool}, "
          f"server hangat, {args.rounds} ronde:")
    for step in STEPS:
        values = [r[step] for r in rounds if r.get(step) is not None]
        shown = stats([v for v in values if v is not None]) if values else "-"
        if step == "Buat LHE" and notes:
            shown += "   " + "; ".join(sorted(set(notes)))
        print(f"  {step:<18} {shown}")
    mb = 2 ** 20
    first, last = figures[min(figures)], figures[max(figures)]
    print(f"  memori voila + kernel: diam {idle / mb:.0f} MB; setelah {min(figures)} halaman {first / mb:.0f} MB; "
          f"setelah {max(figures)} halaman {last / mb:.0f} MB ({(last / first - 1) * 100:+.1f}%, batas +20%)")
    print(f"  kernel tersisa setelah semua halaman ditutup: {left} (di luar {args.pool} kernel siap pakai); "
          f"kernel halaman dilepas {RELEASE_AFTER:.0f} s setelah ditutup di patokan ini (bawaan 15 s), halaman "
          f"yang ditinggalkan tanpa koneksi setelah {IDLE_TIMEOUT} s")


if __name__ == "__main__":
    main()
