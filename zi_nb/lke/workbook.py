"""Circulated LKE workbooks: detect them and read answers, notes, evidence, unit metadata and cached results.

Two layouts of the same rubric are read alike (the writer of the second lives in :mod:`zi_nb.lke.export`):

* the official circulated sheet (``LKE ZI``: header ``Penilaian | Bobot | Penjelasan | Pilihan Jawaban | Jawaban |
  Nilai | % | Catatan...``, hierarchy markers spread over several columns, live formulas), whose cached results and
  subtotal formula ranges are checked too (formulas come from openpyxl, loaded only for this layout);
* the common export (``ID | Penilaian | Bobot | Kriteria Nilai | Pilihan Jawaban | Jawaban Unit | ... | Jawaban TPI
  ...``), read with calamine values and hyperlinks only.

This module holds the detection (:func:`sniff_workbook`: the sheet whose header :func:`~zi_nb.lke.columns.find_columns`
finds and that has the most answer-type cells) and the reading (:func:`read_workbook`: raw answers of every tier with
their notes and evidence, :func:`read_metadata`). The parts it builds on:

* :mod:`zi_nb.lke.columns`: the header row and its columns, found from their labels, never fixed letters;
* :mod:`zi_nb.lke.mapping`: rows to rubric codes through the hierarchy and the similarity of texts, never row
  numbers (rows may be inserted, reordered or carry sub-headers);
* :mod:`zi_nb.lke.formulas`: the workbook's cached results and its subtotal formula ranges.

Their public names are re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from zi_nb.common.domain import TPI_TIERS
from zi_nb.common.findings import Finding, cell_name
from zi_nb.common.text import slug, squash
from zi_nb.engine.answers import RAW_COLUMNS
from zi_nb.engine.dataset import CACHED_COLUMNS, UNIT_COLUMNS
from zi_nb.engine.rubric import Rubric
from zi_nb.errors import InputError, InputLimitError
from zi_nb.lke.columns import ANSWER_TYPE_KEYS, Columns, as_text, cell, find_columns, type_key
from zi_nb.lke.extract import Extract
from zi_nb.lke.formulas import computed_answer, formula_answer, formula_refs, summary_totals
from zi_nb.lke.instrument import recognise
from zi_nb.lke.long_format import clean_hidden
from zi_nb.lke.mapping import MATCH, MATCH_ANYWHERE, Mapped, map_sheet, norm, similarity
from zi_nb.lke.unit_sheets import read_sheets
from zi_nb.lke.xlsx import Book, merged_answers

__all__ = ["ANSWER_TYPE_KEYS", "MATCH", "MATCH_ANYWHERE", "TPI_TIERS", "Columns", "Mapped", "find_columns",
           "formula_refs", "map_sheet", "near_miss", "norm", "read_metadata", "read_workbook", "similarity",
           "slug", "sniff_workbook"]

_META = re.compile(r"^\s*(id unit|kode unit|nama unit kerja|unit kerja|nama unit|satuan kerja|nama instansi|instansi|"
                   r"tahun penilaian|tahun evaluasi|tahun)\s*(:)?\s*(.*)$", re.IGNORECASE | re.DOTALL)
_META_FIELD = {"id unit": "unit_id", "kode unit": "unit_id", "instansi": "instansi", "nama instansi": "instansi",
               "tahun": "year", "tahun penilaian": "year", "tahun evaluasi": "year"}
# labels of LKE table columns: never a unit's identity (a label cell beside them is a table header too)
HEADER_LABELS = {"no", "nomor", "penilaian", "bobot", "penjelasan", "pilihan jawaban", "jawaban", "nilai", "%",
                 "catatan", "keterangan", "bukti dukung", "kriteria nilai", "komponen", "id", "unit", "pusat", "tpi"}
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.IGNORECASE)


# -- detection -------------------------------------------------------------------------------------------------------
def _type_rows(rows: list[list[Any]], cols: Columns) -> int:
    return sum(type_key(cell(rows, r, cols.type)) in ANSWER_TYPE_KEYS for r in range(cols.header + 1, len(rows)))


def _readable(book: Book, first: str | None = None) -> Iterator[tuple[str, list[list[Any]]]]:
    """(sheet, rows) of every sheet that can be read, ``first`` first; a sheet beyond the size limits stops
    everything."""
    for sheet in ([first, *(s for s in book.sheet_names if s != first)] if first else book.sheet_names):
        try:
            yield sheet, book.values(sheet)
        except InputLimitError:
            raise
        except InputError:  # a damaged sheet is not an LKE (and holds no metadata we can use)
            pass


def _lke_sheets(book: Book) -> list[tuple[str, Columns]]:
    """(sheet, columns) of every sheet holding an LKE table (a header and at least 3 answer-type cells), the one
    with the most answer-type cells first, then in workbook order."""
    found = []
    for i, (sheet, rows) in enumerate(_readable(book)):
        cols = find_columns(rows)
        if cols is not None and (n := _type_rows(rows, cols)) >= 3:
            found.append((-n, i, sheet, cols))
    return [(sheet, cols) for _, _, sheet, cols in sorted(found, key=lambda x: x[:2])]


def _lke_sheet(book: Book) -> tuple[str, Columns] | None:
    found = _lke_sheets(book)
    return found[0] if found else None


def sniff_workbook(book: Book) -> bool:
    """True when some sheet holds a circulated LKE table (found from its header and answer-type cells)."""
    return _lke_sheet(book) is not None


_KEY_LABELS = {"penilaian": "Penilaian", "pilihan jawaban": "Pilihan Jawaban", "jawaban": "Jawaban (Jawaban Unit)"}


def near_miss(book: Book) -> tuple[str, str | None, str] | None:
    """(sheet, cell, what) of a sheet that looks like an LKE table but cannot be read as one: a header row with two
    of the key columns (Penilaian, Pilihan Jawaban, Jawaban) but not the third, or a full header without item rows;
    for the message of a workbook no reader recognised."""
    for sheet, rows in _readable(book):
        cols = find_columns(rows)
        if cols is not None:
            n = _type_rows(rows, cols)
            return sheet, cell_name(cols.header + 1, cols.type + 1), (
                f"lembar '{sheet}' memiliki kepala tabel LKE di baris {cols.header + 1}, tetapi hanya {n} baris di "
                "bawahnya yang kolom 'Pilihan Jawaban'-nya berisi tipe jawaban (Ya/Tidak, A/B/C, A/B/C/D, A/B/C/D/E, "
                "%, Jumlah, Nilai (0-4)); paling sedikit 3 yang diharapkan")
        for h in range(min(40, len(rows))):
            keys = {c: squash(v) for c, v in enumerate(rows[h]) if isinstance(v, str) and v.strip()}
            found = {key: min((c for c, k in keys.items() if k.startswith(key)), default=None) for key in _KEY_LABELS}
            present = {key: c for key, c in found.items() if c is not None}  # label -> its column
            if len(present) == 2:
                missing = next(_KEY_LABELS[key] for key in _KEY_LABELS if key not in present)
                shown = ", ".join(f"'{_KEY_LABELS[key]}'" for key in present)
                return sheet, cell_name(h + 1, min(present.values()) + 1), (
                    f"lembar '{sheet}' baris {h + 1} tampak seperti kepala tabel LKE (kolom {shown}) tetapi tidak "
                    f"memuat kolom '{missing}'")
    return None


# -- reading ---------------------------------------------------------------------------------------------------------
def read_workbook(book: Book, path: Path, rubric: Rubric) -> Extract:
    """Read the LKE sheets of a circulated workbook: raw answers of every tier, unit metadata, cached results; one
    unit per LKE sheet when it holds several (see :func:`zi_nb.lke.unit_sheets.read_sheets`)."""
    found = _lke_sheets(book)
    if not found:
        return Extract(findings=[Finding("unknown_format", file=str(path))], fatal=True)
    if len(found) == 1:
        return read_sheet(book, path, rubric, *found[0])
    in_order = sorted(found, key=lambda f: book.sheet_names.index(f[0]))
    return read_sheets([(sheet, read_sheet(book, path, rubric, sheet, cols, several=True))
                        for sheet, cols in in_order], path)


def read_sheet(book: Book, path: Path, rubric: Rubric, sheet: str, cols: Columns, several: bool = False) -> Extract:
    """Read one LKE sheet (``several``: one of several unit sheets of the workbook, see :func:`read_metadata`)."""
    file = str(path)
    rows = book.values(sheet)
    unit, findings = read_metadata(book, sheet, cols.header, path, several)
    uid = unit["unit_id"]
    mapped = map_sheet(rows, cols, rubric, None if cols.export else book.formulas[sheet])
    refused = recognise(rows, cols, mapped, rubric, file, sheet)
    if refused is not None:  # another instrument: one clear error, nothing of it is read or scored
        return Extract(findings=[refused], fatal=True)
    loc = {"file": file, "sheet": sheet, "unit_id": uid}
    findings += [Finding(kind, "warning", cell=address, code=code, params=params, **loc)
                 for kind, address, code, params in mapped.findings]
    if not mapped.codes:
        return Extract(findings=[*findings, Finding("no_units", **loc)], fatal=True)
    links = book.hyperlinks(sheet)
    formulas = book.formula_cells(sheet)
    raw = []
    for r, code in sorted(mapped.codes.items()):
        for tier, reviewer, c in cols.answers:
            value = None if tier == "unit" and code in mapped.formula_pct else cell(rows, r, c)
            f = None if tier == "unit" and code in mapped.formula_pct else formulas.get(cell_name(r + 1, c + 1))
            if f is not None:  # a formula is never an answer
                if not computed_answer(rubric, code, f, cell_name(1, c + 1)[:-1]):
                    findings.append(Finding("formula_answer", cell=cell_name(r + 1, c + 1), code=code, tier=tier,
                                            params=formula_answer(f, value), **loc))
                value = None
            value = None if isinstance(value, str) and not value.strip() else value
            note = as_text(cell(rows, r, cols.notes.get(tier))) or None
            evidence = _evidence(rows, r, cols, links) if tier == "unit" else None
            if value is not None or note is not None or evidence is not None:
                raw.append({"unit_id": uid, "tier": tier, "reviewer": reviewer, "code": code, "raw": value,
                            "note": note, "evidence": evidence, "file": file, "sheet": sheet,
                            "cell": cell_name(r + 1, c + 1), "line": None})
    findings += merged_answers(book, sheet, [(cell_name(r + 1, c + 1), uid, code) for r, code in
                                             sorted(mapped.codes.items()) for _, _, c in cols.answers])
    cached = [{"unit_id": uid, "tier": tier, "measure": m, "value": v, "formula": f, "file": file, "sheet": sheet,
               "cell": address} for m, tier, v, f, address in mapped.cached]
    total_tier = next((t for m, t, *_ in mapped.cached if m == "total"), "unit")
    summaries = [] if several else summary_totals(book, sheet, total_tier)  # several units: whose total is it?
    cached += [{"unit_id": uid, "tier": tier, "measure": m, "value": v, "formula": f, "file": file, "sheet": other,
                "cell": address} for other, (m, tier, v, f, address) in summaries]
    return Extract(raw=pd.DataFrame(raw, columns=RAW_COLUMNS), units=pd.DataFrame([unit], columns=UNIT_COLUMNS),
                   cached=pd.DataFrame(cached, columns=CACHED_COLUMNS), findings=findings)


def _evidence(rows: list[list[Any]], r: int, cols: Columns, links: dict[str, str]) -> str | None:
    """Evidence text and links of a row; a hyperlink's target replaces its URL text, links already listed are not
    repeated, and the evidence list is kept exactly as written."""
    pieces: list[str] = []
    for c in [*cols.evidence, *cols.links]:
        text, target = as_text(cell(rows, r, c)), links.get(cell_name(r + 1, c + 1))
        if target:
            lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
            same = [i for i, ln in enumerate(lines) if ln.rstrip("/") == target.rstrip("/")]
            if same:
                lines[same[0]] = target
            elif len(lines) <= 1 and (not lines or _URL.match(lines[0])):
                lines = [target]
            else:
                lines.append(target)
            text = "\n".join(lines)
        if c in cols.links and pieces:
            listed = "\n".join(pieces)
            text = "\n".join(ln.strip() for ln in text.splitlines() if ln.strip() and ln.strip() not in listed)
        if text:
            pieces.append(text)
    return "\n".join(pieces) or None


def read_metadata(book: Book, sheet: str, header: int, path: Path,
                  several: bool = False) -> tuple[dict[str, Any], list[Finding]]:
    """Unit id, name, instansi and year from labelled cells (``Unit Kerja: ...``, or the label with its value in the
    next cell) above the LKE header or near the top of the other sheets; the file stem names the unit otherwise (with
    an ``unit_from_file_name`` warning). With ``several`` (one of several unit sheets) the unit's name and id come
    from above this sheet's table only, else from the sheet's name (id: file stem and sheet name)."""
    found: dict[str, Any] = {}
    for name, rows in _readable(book, first=sheet):
        table = find_columns(rows) if name != sheet else None  # another LKE sheet: only above its table
        for row in rows[: header if name == sheet else table.header if table else 40]:
            if sum(squash(v) in HEADER_LABELS for v in row if isinstance(v, str)) >= 2:
                continue  # a table's header row: its labels name columns, not the unit
            for c, v in enumerate(row):
                m = _META.match(v) if isinstance(v, str) and len(v) < 300 else None
                if m is None or (not m.group(2) and squash(v) != squash(m.group(1))):
                    continue
                value = m.group(3).strip() or next((x for x in row[c + 1:] if as_text(x)), "")
                if squash(as_text(value)) in HEADER_LABELS:
                    continue  # "Unit Kerja | Bobot": a table header beside the label, not its value
                fld = _META_FIELD.get(squash(m.group(1)), "unit_name")
                if several and name != sheet and fld in ("unit_name", "unit_id"):
                    continue  # a cover's unit is not this sheet's unit
                if as_text(value) and fld not in found:
                    found[fld] = value
    found = {k: as_text(v) if k != "year" else v for k, v in found.items()}
    findings = clean_hidden(found, ("unit_name", "unit_id", "instansi"), {"file": str(path), "sheet": sheet})
    name = as_text(found.get("unit_name")) or (sheet if several else path.stem)
    if not as_text(found.get("unit_name")) and not as_text(found.get("unit_id")) and not several:
        findings.append(Finding("unit_from_file_name", "warning", file=str(path), sheet=sheet, unit_id=slug(name),
                                params={"found": path.name}))
    uid = as_text(found.get("unit_id")) or slug(f"{path.stem}-{sheet}" if several and "unit_name" not in found
                                                 else name)
    if "year" in found:
        text = as_text(found["year"])
        m = re.search(r"(?<!\d)(?:19|20)\d{2}(?!\d)", text)
        found["year"] = int(m.group(0)) if m else None
        if m is None:
            findings.append(Finding("metadata_invalid", "warning", file=str(path), sheet=sheet, unit_id=uid,
                                    params={"field": "year", "found": text, "expected": "tahun empat angka"}))
    return {"unit_id": uid, "unit_name": name, "instansi": as_text(found.get("instansi")) or None,
            "year": found.get("year"), "current_predicate": None, "data_date": None, "file": str(path)}, findings
