"""The long format: one row per (unit, tier, code), as CSV or as an XLSX sheet.

Columns (header names are matched case-insensitively, ignoring stray spaces and punctuation, with the Indonesian
aliases of :data:`HEADER_ALIASES`):

    unit_id, code, answer          required
    tier                           optional: unit (default), tpi, tpi2, tpi3, tpn (kept raw; normalised centrally)
    reviewer, note, evidence       optional (``evidence_link`` is appended to ``evidence``)
    unit_name, instansi, year, current_predicate, data_date    optional unit metadata on the same rows

A file (or sheet) with ``unit_id`` and metadata columns but no ``code``/``answer`` carries metadata only, so the
metadata may come in a second file or sheet. Everything is read as text: answers are not interpreted here (see
:func:`zi_nb.engine.answers.build_answers`). CSV decoding and line numbers live in :mod:`zi_nb.lke.long_csv`. Unit ids
and names lose hidden characters (controls, bidi overrides, zero-width), with a warning; answers in merged cells are
reported.

The header helpers (:func:`header_key`, :func:`find_header`, :func:`cell_text`, :func:`join_evidence`,
:func:`parse_year`, :func:`units_frame`) are shared with :mod:`zi_nb.lke.template`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from zi_nb.common.findings import Finding, cell_name
from zi_nb.common.text import strip_hidden
from zi_nb.engine.answers import RAW_COLUMNS, empty_raw, parse_number
from zi_nb.engine.dataset import UNIT_COLUMNS, empty_units
from zi_nb.engine.rubric import Rubric
from zi_nb.errors import InputError, InputLimitError
from zi_nb.lke.extract import Extract
from zi_nb.lke.xlsx import Book, merged_answers

REQUIRED = ("unit_id", "code", "answer")
METADATA = ("unit_name", "instansi", "year", "current_predicate", "data_date")
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "unit_id": ("unit_id", "id_unit", "kode_unit", "unit"),
    "code": ("code", "kode", "kode_butir", "item_code", "butir"),
    "answer": ("answer", "jawaban", "jawaban_unit", "nilai_jawaban"),
    "tier": ("tier", "tingkat", "tingkat_penilai"),
    "reviewer": ("reviewer", "penilai", "nama_penilai"),
    "note": ("note", "notes", "catatan", "keterangan", "penjelasan"),
    "evidence": ("evidence", "bukti", "bukti_dukung", "data_dukung"),
    "evidence_link": ("evidence_link", "link", "tautan", "tautan_bukti", "tautan_bukti_dukung", "link_bukti_dukung"),
    "unit_name": ("unit_name", "nama_unit", "nama_unit_kerja", "unit_kerja"),
    "instansi": ("instansi", "nama_instansi", "agency"),
    "year": ("year", "tahun", "tahun_penilaian"),
    "current_predicate": ("current_predicate", "predikat", "predikat_saat_ini", "predikat_sekarang"),
    "data_date": ("data_date", "tanggal", "tanggal_data"),
}
_ALIAS_TO_KEY = {alias: key for key, aliases in HEADER_ALIASES.items() for alias in aliases}
HEADER_SCAN_ROWS = 20  # a header row is looked for in the first rows of a sheet
_NON_WORD = re.compile(r"[^0-9a-z]+")


# -- shared helpers -------------------------------------------------------------------------------------------------
def header_key(name: Any) -> str | None:
    """The canonical field of a header cell (``" Bukti Dukung "`` -> ``evidence``), or None when unknown."""
    if not isinstance(name, str):
        return None
    words = _NON_WORD.sub("_", name.replace("\ufeff", "").strip().lower()).strip("_")
    return _ALIAS_TO_KEY.get(words)


def map_header(names: list[Any]) -> dict[str, int]:
    """Canonical field -> 0-based column of its first occurrence in a header row."""
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        key = header_key(name)
        if key is not None and key not in columns:
            columns[key] = index
    return columns


def find_header(rows: list[list[Any]], required: tuple[str, ...],
                forbidden: tuple[str, ...] = ()) -> tuple[int, dict[str, int]] | None:
    """The first row (0-based, among the first :data:`HEADER_SCAN_ROWS`) holding every ``required`` field and none of
    ``forbidden``, with its column map."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns = map_header(row)
        if all(k in columns for k in required) and not any(k in columns for k in forbidden):
            return index, columns
    return None


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # below 32, except tab, newline, form feed, CR


def cell_text(value: Any) -> str | None:
    """A cell or field as stripped text; None when blank. Whole floats lose their ``.0`` (ids typed as numbers)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        value = value.isoformat()
    text = str(value).strip()
    return text or None


def join_evidence(*parts: Any) -> str | None:
    """Evidence from several cells (list, links), one per line; None when all are blank."""
    texts = [t for t in (cell_text(p) for p in parts) if t is not None]
    return "\n".join(texts) if texts else None


def parse_year(value: Any) -> int | None:
    """A year from text or a number (``"2024"``, ``2024.0``); None when it is not a whole number."""
    number = parse_number(value) if isinstance(value, str) else value
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return None
    return int(number) if float(number).is_integer() else None


def units_frame(meta: dict[str, dict[str, Any]], file: str) -> pd.DataFrame:
    """The units frame (:data:`zi_nb.engine.dataset.UNIT_COLUMNS`) from unit id -> metadata; units without metadata are
    left out so that metadata from another file is not shadowed."""
    rows = [{"unit_id": unit, **values, "file": file} for unit, values in meta.items() if values]
    return pd.DataFrame(rows).reindex(columns=UNIT_COLUMNS) if rows else empty_units()


def hidden_characters(key: str, text: str, cleaned: str | None, unit: str | None, where: dict[str, Any]) -> Finding:
    """The warning that an id or name lost hidden characters (controls, bidi overrides) when it was read."""
    return Finding("metadata_invalid", "warning", unit_id=unit, **where, params={
        "field": key, "found": text, "expected": "teks tanpa karakter kendali atau pengarah arah teks tersembunyi; "
                                                 f"dibaca sebagai '{cleaned or ''}'"})


def clean_hidden(values: dict[str, Any], keys: tuple[str, ...], where: dict[str, Any]) -> list[Finding]:
    """Drop hidden characters from the text fields ``keys`` of ``values`` (in place; a field with nothing left
    becomes None), with a :func:`hidden_characters` warning for each field that changed and kept some text."""
    findings = []
    for key in keys:
        text = values.get(key)
        if isinstance(text, str) and strip_hidden(text).strip() != text:
            values[key] = strip_hidden(text).strip() or None
            if values[key] is not None:
                findings.append(hidden_characters(key, text, values[key], None, where))
    return findings


# -- table extraction (CSV and XLSX alike) -----------------------------------------------------------------------------
@dataclass
class Table:
    """Data rows of one header: ``position`` is the CSV line (1-based) or the sheet row (0-based)."""

    file: str
    sheet: str | None
    columns: dict[str, int]
    rows: list[tuple[int, list[Any]]]


@dataclass
class Collected:
    raw: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    cleaned: set[tuple[str, str]] = field(default_factory=set)  # (field, text) already reported as cleaned

    def extract(self, file: str, header: dict[str, Any] | None = None) -> Extract:
        """The extract of a file; ``header``: where its header is (``line``, or ``sheet`` and ``cell``)."""
        raw = pd.DataFrame(self.raw, columns=RAW_COLUMNS, dtype=object) if self.raw else empty_raw()
        units = units_frame(self.meta, file)
        if not self.raw and units.empty:  # unusable: the errors say why (warnings about its rows do not matter)
            errors = [f for f in self.findings if f.severity == "error"]
            return Extract(findings=[*errors, Finding("no_units", file=file, **(header or {}), params={
                "found": "; yang diharapkan: baris data di bawah baris kepala ini, masing-masing dengan unit_id, "
                         "code dan answer (atau unit_id dan metadata unit)"} if header else {})], fatal=True)
        return Extract(raw=raw, units=units, findings=self.findings)


def collect_rows(table: Table, out: Collected) -> None:
    cols = table.columns
    answers = "code" in cols and "answer" in cols

    def get(values: list[Any], key: str) -> Any:
        index = cols.get(key)
        return values[index] if index is not None and index < len(values) else None

    def where(position: int, key: str) -> dict[str, Any]:
        if table.sheet is None:
            return {"file": table.file, "sheet": None, "cell": None, "line": position}
        return {"file": table.file, "sheet": table.sheet, "cell": cell_name(position + 1, cols[key] + 1), "line": None}

    def clean(text: str | None, key: str, position: int, unit: str | None) -> str | None:
        if text is None:
            return None
        cleaned = strip_hidden(text).strip() or None
        if cleaned is not None and cleaned != text and (key, text) not in out.cleaned:  # nothing left: blank
            out.cleaned.add((key, text))
            out.findings.append(hidden_characters(key, text, cleaned, unit or cleaned, where(position, key)))
        return cleaned

    for position, values in table.rows:
        if all(cell_text(v) is None for v in values):
            continue
        unit = clean(cell_text(get(values, "unit_id")), "unit_id", position, None)
        if unit is None:
            out.findings.append(Finding("unit_missing", **where(position, "unit_id")))
            continue
        meta = out.meta.setdefault(unit, {})
        for key in METADATA:
            text = clean(cell_text(get(values, key)), key, position, unit) if key not in meta else None
            if text is None:
                continue
            value: Any = text
            if key == "year":
                value = parse_year(get(values, key))
                if value is None:
                    out.findings.append(Finding("metadata_invalid", "warning", unit_id=unit, **where(position, key),
                                                params={"field": "tahun", "found": text,
                                                        "expected": "bilangan bulat, mis. 2024"}))
                    continue
            meta[key] = value
        if not answers:
            continue
        code = cell_text(get(values, "code"))
        note = cell_text(get(values, "note"))
        evidence = join_evidence(get(values, "evidence"), get(values, "evidence_link"))
        answer = get(values, "answer")
        if code is None:
            if cell_text(answer) is not None or note is not None or evidence is not None:
                out.findings.append(Finding("unmapped_row", unit_id=unit, **where(position, "answer"),
                                            params={"found": cell_text(answer) or note or evidence}))
            continue
        out.raw.append({
            "unit_id": unit, "tier": get(values, "tier") if "tier" in cols else "unit",
            "reviewer": cell_text(get(values, "reviewer")), "code": code, "raw": answer, "note": note,
            "evidence": evidence, **where(position, "answer"),
        })


# -- XLSX -------------------------------------------------------------------------------------------------------------
def _sheet_tables(book: Book) -> tuple[list[tuple[str, int, dict[str, int]]], list[tuple[str, int, dict[str, int]]]]:
    """(answer sheets, metadata sheets) of a long-format workbook, each as (sheet, header row, columns)."""
    answer_sheets, meta_sheets = [], []
    for sheet in book.sheet_names:
        rows = book.values(sheet)
        hit = find_header(rows, REQUIRED)
        if hit is not None:
            answer_sheets.append((sheet, *hit))
            continue
        hit = find_header(rows, ("unit_id",), forbidden=("code",))
        if hit is not None and any(k in hit[1] for k in METADATA):
            meta_sheets.append((sheet, *hit))
    return answer_sheets, meta_sheets


def sniff_workbook(book: Book) -> bool:
    """True when a sheet has a long-format header (``unit_id``, ``code``, ``answer`` or their aliases)."""
    for sheet in book.sheet_names:
        try:
            if find_header(book.values(sheet), REQUIRED) is not None:
                return True
        except InputLimitError:
            raise
        except InputError:  # an unreadable sheet is the reader's problem, not the sniffer's
            continue
    return False


def near_miss(book: Book) -> tuple[str, str | None, str] | None:
    """(sheet, cell, what) of a header row that has some of the long format's required columns but not all, for
    the message of a workbook no reader recognised."""
    for sheet in book.sheet_names:
        try:
            rows = book.values(sheet)
        except InputLimitError:
            raise
        except InputError:
            continue
        for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
            columns = map_header(row)
            present = [k for k in REQUIRED if k in columns]
            if len(present) >= 2:
                missing = ", ".join(k for k in REQUIRED if k not in columns)
                return sheet, cell_name(index + 1, min(columns[k] for k in present) + 1), (
                    f"lembar '{sheet}' baris {index + 1} memuat kolom {', '.join(present)} tetapi tidak memuat "
                    f"kolom {missing} (atau nama lainnya, mis. jawaban)")
    return None


def read_workbook(book: Book, path: Path, rubric: Rubric) -> Extract:
    """Read every long-format sheet of a workbook, plus metadata sheets (``unit_id`` + ``unit_name``/``year``...)."""
    name = str(path)
    answer_sheets, meta_sheets = _sheet_tables(book)
    if not answer_sheets:
        return Extract(findings=[Finding("column_missing", file=name, params={
            "expected": "unit_id, code, answer", "found": ", ".join(book.sheet_names)})], fatal=True)
    out = Collected()
    for sheet, header_row, columns in [*answer_sheets, *meta_sheets]:
        rows = book.values(sheet)
        body = [(index, row) for index, row in enumerate(rows) if index > header_row]
        before = len(out.raw)
        collect_rows(Table(name, sheet, columns, body), out)
        out.findings += merged_answers(book, sheet, [(r["cell"], r["unit_id"], r["code"]) for r in out.raw[before:]])
    sheet, header_row, columns = answer_sheets[0]
    return out.extract(name, {"sheet": sheet, "cell": cell_name(header_row + 1, min(columns.values()) + 1)})
