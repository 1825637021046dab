"""The figures of the README's "Keandalan" section, produced by the robustness suite.

Every figure in that section is measured by a test, which calls :func:`report`: the value is written to
``outputs/keandalan.json`` (for ``tools/keandalan.py``, which rewrites the README table from it) and the test fails
when the README states another value. A figure the README shows but no test measures fails
``test_keandalan.py`` (every row must name a key of :data:`FIGURES`).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
FIGURES_JSON = ROOT / "outputs" / "keandalan.json"
START, END = "<!-- keandalan:start -->", "<!-- keandalan:end -->"

#: key -> the README row's label (Bahasa Indonesia). The value column is the measured figure.
FIGURES: dict[str, str] = {
    "bad_inputs_tried": "Masukan buruk dicoba (korpus `tests/robustness/`)",
    "bad_inputs_clear": "... ditolak dengan pesan jelas (berkas + lembar/sel atau baris), tanpa traceback",
    "bad_inputs_accepted": "... diterima karena pengguna memang mengharapkannya",
    "fuzz_examples": "Contoh acak (hypothesis) pada pembaca format panjang dan aturan skor",
    "bulk_kills": "`zi-nb bulk` dihentikan paksa (SIGKILL) lalu dilanjutkan dengan `--resume`",
    "bulk_reports_lost": "Laporan hilang, rusak atau ganda setelah semua SIGKILL",
    "adjust_kills": "Proses dihentikan paksa di tengah penyimpanan penyesuaian",
    "adjust_half_records": "Catatan ledger setengah jadi / rantai rusak setelahnya",
    "concurrent_writers": "Penilai menulis bersamaan pada unit yang sama (proses x penyesuaian)",
    "concurrent_records_lost": "Penyesuaian hilang dari penulisan bersamaan",
    "security_checks": "Pemeriksaan keamanan (injeksi rumus/HTML/parameter, path traversal, token, batas ukuran)",
    "forbidden_writes_tried": ("Penulisan terlarang dicoba lewat layanan ledger "
                               "(peran x aksi x status, identitas palsu)"),
    "forbidden_writes_refused": "... ditolak dan dicatat sebagai penolakan",
    "wrong_identity_records": "Rekaman atas nama selain pemilik token",
    "forbidden_ui_writes_tried": ("Penulisan terlarang dicoba lewat kontrol aplikasi penilai "
                                  "(pengguna x kontrol x status)"),
    "forbidden_ui_writes_refused": "... ditolak dengan pesan di aplikasi dan dicatat sebagai penolakan",
}


def _lock_file() -> Path:
    FIGURES_JSON.parent.mkdir(parents=True, exist_ok=True)
    return FIGURES_JSON.with_suffix(".lock")


def _record(key: str, value: object) -> None:
    with open(_lock_file(), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        doc = json.loads(FIGURES_JSON.read_text()) if FIGURES_JSON.is_file() else {}
        doc[key] = value
        tmp = FIGURES_JSON.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False))
        os.replace(tmp, FIGURES_JSON)


def readme_rows(text: str | None = None) -> dict[str, str]:
    """Label -> value of the rows of the README's Keandalan table."""
    text = README.read_text(encoding="utf-8") if text is None else text
    if START not in text or END not in text:
        return {}
    block = text.split(START, 1)[1].split(END, 1)[0]
    rows = {}
    for line in block.splitlines():
        m = re.match(r"^\|\s*(.+?)\s*\|\s*(.+?)\s*\|\s*$", line)
        if m and not set(m.group(2)) <= set("-: "):
            rows[m.group(1)] = m.group(2)
    rows.pop("Ukuran", None)  # header row
    return rows


def fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


def report(key: str, value: object) -> None:
    """Record a measured figure and fail when the README states another value for it."""
    assert key in FIGURES, f"unknown Keandalan figure {key!r}"
    _record(key, value)
    label = FIGURES[key]
    stated = readme_rows().get(label)
    assert stated == fmt(value), (
        f"README Keandalan row {label!r} says {stated!r}, the suite measured {fmt(value)!r}: "
        f"run `python tools/keandalan.py` after the suite to rewrite the table from {FIGURES_JSON}")


def report_figures(**figures: object):
    """Record every figure (each :func:`report` call records before it compares with the README), and return a
    check to call after the test's own assertions: it fails when the README states other values."""
    failures = []
    for key, value in figures.items():
        try:
            report(key, value)
        except AssertionError as exc:
            failures.append(str(exc))

    def check() -> None:
        assert not failures, "\n".join(failures)

    return check
