"""Write one unit's answers as a circulated LKE workbook in the common export layout.

Title rows carry the unit metadata (``Unit Kerja``, ``ID Unit``, ``Instansi``, ``Tahun``); the table header reads
``ID | Penilaian | Bobot | Kriteria Nilai | Pilihan Jawaban | Jawaban Unit | Catatan/Keterangan/Penjelasan (Unit) |
Daftar Bukti Dukung (Unit) | Tautan Bukti Dukung | Jawaban TPI <name> | Nilai | % | Catatan (TPI <name>) | ...``
with one answer and one note column per reviewer tier. Rows follow the rubric like the circulated template:
``A.`` component, ``I.`` part, ``1.`` area, ``i.`` indicator, ``a.`` item and ``-`` Jumlah input rows.
:mod:`zi_nb.lke.workbook` reads it back; the ``ID`` column is the rubric's template row (``lke_row``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import pandas as pd

from zi_nb.common.domain import TIERS
from zi_nb.common.files import atomic_path
from zi_nb.engine.rubric import Indicator, Rubric
from zi_nb.lke.xlsx import safe_text

_URL = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$", re.IGNORECASE)  # only http(s) lines become hyperlinks
_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii", "xiii", "xiv", "xv"]
UNIT_HEADERS = ["ID", "Penilaian", "Bobot", "Kriteria Nilai", "Pilihan Jawaban", "Jawaban Unit",
                "Catatan/Keterangan/Penjelasan (Unit)", "Daftar Bukti Dukung (Unit)", "Tautan Bukti Dukung"]
WIDTHS = {"ID": 6, "Penilaian": 70, "Bobot": 8, "Kriteria Nilai": 50, "Pilihan Jawaban": 12,
          "Daftar Bukti Dukung (Unit)": 40, "Tautan Bukti Dukung": 40}


def tier_label(tier: str, reviewer: str | None) -> str:
    """``TPI Itjen`` for a reviewer tier (``TPI`` when unnamed), ``TPN`` for the national team."""
    base = "TPN" if tier == "tpn" else "TPI"
    name = (reviewer or "").strip()
    if name.upper().startswith(base):
        name = name[len(base):].strip()
    return f"{base} {name}" if name else base


def _plain(value: Any) -> Any:
    """A cell value from a frame value: None for missing, Python scalars for numpy ones."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


def write_circulated(path: str | Path, rubric: Rubric, unit: dict[str, Any], answers: pd.DataFrame,
                     tiers: list[str] | None = None, reviewers: dict[str, str] | None = None) -> None:
    """Write ``answers`` (the answers frame of ONE unit: ``raw``, ``note``, ``evidence`` per tier and code) as an
    LKE workbook in the export layout, atomically (temporary file in the same folder, then ``os.replace``).

    ``tiers``: reviewer columns to include (default: the tiers present in ``answers``); the unit's columns are always
    written. ``reviewers``: tier -> reviewer name shown in the headers (default: the ``reviewer`` column, else TPI).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    ids = set(answers["unit_id"].dropna()) if "unit_id" in answers else set()
    if len(ids) > 1:
        if unit.get("unit_id") not in ids:
            raise ValueError(f"answers holds several units ({', '.join(sorted(map(str, ids)))}); "
                             f"none is {unit.get('unit_id')!r}")
        answers = answers[answers["unit_id"] == unit["unit_id"]]
    present = list(dict.fromkeys(answers["tier"])) if len(answers) else []
    chosen = [t for t in TIERS if t != "unit" and t in (tiers if tiers is not None else present)]
    names = dict(reviewers or {})
    for t in chosen:
        if not names.get(t) and "reviewer" in answers:
            given = answers.loc[(answers["tier"] == t) & answers["reviewer"].notna(), "reviewer"]
            names[t] = str(given.iloc[0]) if len(given) else ""
    headers = list(UNIT_HEADERS)
    tier_cols: dict[str, tuple[int, int]] = {"unit": (6, 7)}  # tier -> (answer column, note column), 1-based
    for k, t in enumerate(chosen):
        label = tier_label(t, names.get(t))
        headers.append(f"Jawaban {label}")
        tier_cols[t] = (len(headers), len(headers) + (3 if k == 0 else 1))
        headers += (["Nilai", "%"] if k == 0 else []) + [f"Catatan ({label})"]
    if not chosen:
        headers += ["Nilai", "%"]
    values: dict[tuple[str, str], dict[Hashable, Any]] = {}
    for rec in answers.to_dict("records"):
        values[(rec["tier"], rec["code"])] = rec

    wb = Workbook()
    ws = wb.active
    ws.title = "LKE ZI"
    bold = Font(bold=True)
    ws.cell(1, 1, "LEMBAR KERJA EVALUASI ZONA INTEGRITAS MENUJU WBK/WBBM").font = bold
    safe_text(f"{rubric.title} ({rubric.id})", ws.cell(2, 1))
    meta = [("Unit Kerja:", _plain(unit.get("unit_name")) or unit.get("unit_id")), ("ID Unit:", unit.get("unit_id")),
            ("Instansi:", unit.get("instansi")), ("Tahun:", unit.get("year"))]
    for r, (label, value) in enumerate(meta, start=3):
        ws.cell(r, 1, label).font = bold
        if _plain(value) is not None:
            safe_text(_plain(value) if isinstance(_plain(value), (int, float)) else str(value), ws.cell(r, 2))
    header_row = 8
    fill = PatternFill("solid", fgColor="D9E1F2")
    wrap = Alignment(wrap_text=True, vertical="top")
    for c, h in enumerate(headers, start=1):
        cell = safe_text(h, ws.cell(header_row, c))  # reviewer names are user text
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        ws.column_dimensions[cell.column_letter].width = WIDTHS.get(h, 18)
    ws.freeze_panes = ws.cell(header_row + 1, 3)

    r = header_row

    def put(row: int, col: int, value: Any) -> Any:
        value = _plain(value)
        if value is None:
            return None
        return safe_text(value, ws.cell(row, col)) if isinstance(value, str) else ws.cell(row, col, value)

    def heading(text: str, weight: float | None) -> None:
        nonlocal r
        r += 1
        put(r, 2, text).font = bold
        put(r, 3, weight)

    def line(text: str, code: str, lke_row: int | None, weight: float | None, criteria: str, kind: str) -> None:
        nonlocal r
        r += 1
        for col, value in ((1, lke_row), (2, text), (3, weight), (4, criteria or None), (5, kind)):
            put(r, col, value)
        for t, (ac, nc) in tier_cols.items():
            rec = values.get((t, code))
            if rec is None:
                continue
            put(r, ac, rec.get("raw"))
            put(r, nc, rec.get("note"))
            if t == "unit" and _plain(rec.get("evidence")) is not None:
                evidence = str(rec["evidence"])
                put(r, 8, evidence)
                urls = [ln.strip() for ln in evidence.splitlines() if _URL.match(ln.strip())]
                if urls:
                    put(r, 9, "\n".join(urls)).hyperlink = urls[0]

    def indicator_rows(indicators: list[Indicator]) -> None:
        for j, ind in enumerate(indicators):
            items = [it for it in rubric.items if it.indicator == ind.code]
            single = len(items) == 1 and items[0].code == ind.code
            if not single:
                heading(f"{_ROMAN[j] if j < len(_ROMAN) else j + 1}. {ind.name}", ind.weight)
            for k, it in enumerate(items):
                letter = chr(97 + (j if single else k) % 26)
                line(f"{letter}. {it.question}", it.code, it.lke_row, ind.weight if single else None, it.criteria,
                     it.answer_type)
                for inp in it.inputs:
                    label = inp.label if inp.label.lstrip().startswith("-") else f"- {inp.label}"
                    line(label, f"{it.code}.{inp.name}", inp.lke_row, None, "", "Jumlah")

    for i, top in enumerate(rubric.top_components()):
        heading(f"{chr(65 + i)}. {top.name.upper()}", top.weight)
        parts = [c for c in rubric.components if c.parent == top.code] or [top]
        for k, part in enumerate(parts):
            if part is not top:
                heading(f"{_ROMAN[k].upper()}. {part.name.upper()}", part.weight)
            areas = [a for a in rubric.areas if part.code in a.weights]
            for n, area in enumerate(areas, start=1):
                heading(f"{n}. {area.name.upper()}", area.weights[part.code])
                indicator_rows([x for x in rubric.indicators if x.component == part.code and x.area == area.code])
            indicator_rows([x for x in rubric.indicators if x.component == part.code and x.area is None])
    with atomic_path(path) as tmp:
        wb.save(tmp)
