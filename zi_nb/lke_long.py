"""The long format: one row per (unit, tier, code), as CSV or as an XLSX sheet.

Columns (header names are matched case-insensitively, ignoring stray spaces and punctuation, with the Indonesian
aliases of :data:`HEADER_ALIASES`):

    unit_id, code, answer          required
    tier                           optional: unit (default), tpi, tpi2, tpi3, tpn (kept raw; normalised centrally)
    reviewer, note, evidence       optional (``evidence_link`` is appended to ``evidence``)
    unit_name, instansi, year, current_predicate, data_date    optional unit metadata on the same rows

A file (or sheet) with ``unit_id`` and metadata columns but no ``code``/``answer`` carries metadata only, so the
metadata may come in a second file or sheet. Everything is read as text: answers are not interpreted here (see
:func:`zi_nb.answers.build_answers`). CSV files may be UTF-8 (with or without BOM), UTF-16 ("Unicode text" from Excel)
or cp1252/latin-1, delimited by ``,``, ``;``, tab or ``|``. ``line`` is the 1-based physical line in the file where the
row starts (the header is line 1), so rows with multi-line quoted notes and blank lines are located correctly.

The header helpers (:func:`header_key`, :func:`find_header`, :func:`cell_text`, :func:`join_evidence`,
:func:`parse_year`, :func:`units_frame`) are shared with :mod:`zi_nb.lke_template`.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from .answers import RAW_COLUMNS, empty_raw, parse_number
from .findings import Finding, cell_name
from .inputs import UNIT_COLUMNS, Extract, empty_units
from .rubric import Rubric
from .xlsx import Book

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
DELIMITERS = (";", ",", "\t", "|")
HEADER_SCAN_ROWS = 20  # a header row is looked for in the first rows of a sheet
_NON_WORD = re.compile(r"[^0-9a-z]+")
_CSV_ENCODINGS = ("utf-8", "cp1252", "latin-1")


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


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")  # below 32, except tab, newline, form feed, CR


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
    """The units frame (:data:`zi_nb.inputs.UNIT_COLUMNS`) from unit id -> metadata; units without metadata are left
    out so that metadata from another file is not shadowed."""
    rows = [{"unit_id": unit, **values, "file": file} for unit, values in meta.items() if values]
    return pd.DataFrame(rows).reindex(columns=UNIT_COLUMNS) if rows else empty_units()


# -- table extraction (CSV and XLSX alike) -----------------------------------------------------------------------------
@dataclass
class _Table:
    """Data rows of one header: ``position`` is the CSV line (1-based) or the sheet row (0-based)."""

    file: str
    sheet: str | None
    columns: dict[str, int]
    rows: list[tuple[int, list[Any]]]


@dataclass
class _Collected:
    raw: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def extract(self, file: str) -> Extract:
        raw = pd.DataFrame(self.raw, columns=RAW_COLUMNS, dtype=object) if self.raw else empty_raw()
        units = units_frame(self.meta, file)
        if not self.raw and units.empty:
            return Extract(findings=[*self.findings, Finding("no_units", file=file)], fatal=True)
        return Extract(raw=raw, units=units, findings=self.findings)


def _collect(table: _Table, out: _Collected) -> None:
    cols = table.columns
    answers = "code" in cols and "answer" in cols

    def get(values: list[Any], key: str) -> Any:
        index = cols.get(key)
        return values[index] if index is not None and index < len(values) else None

    def where(position: int, key: str) -> dict[str, Any]:
        if table.sheet is None:
            return {"file": table.file, "sheet": None, "cell": None, "line": position}
        return {"file": table.file, "sheet": table.sheet, "cell": cell_name(position + 1, cols[key] + 1), "line": None}

    for position, values in table.rows:
        if all(cell_text(v) is None for v in values):
            continue
        unit = cell_text(get(values, "unit_id"))
        if unit is None:
            out.findings.append(Finding("unit_missing", **where(position, "unit_id")))
            continue
        meta = out.meta.setdefault(unit, {})
        for key in METADATA:
            text = cell_text(get(values, key))
            if text is None or key in meta:
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


# -- CSV ---------------------------------------------------------------------------------------------------------------
def decode_text(data: bytes) -> str | None:
    """Text of a CSV file: UTF-8 (BOM or not), UTF-16 (BOM, or detected), cp1252, latin-1; None when binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: tuple[str, ...] = ("utf-16",)
    elif data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig", *_CSV_ENCODINGS[1:])
    elif len(data) >= 4 and data[1::2].count(0) > len(data) // 4 and data[0::2].count(0) == 0:
        candidates = ("utf-16-le",)
    elif len(data) >= 4 and data[0::2].count(0) > len(data) // 4 and data[1::2].count(0) == 0:
        candidates = ("utf-16-be",)
    else:
        candidates = _CSV_ENCODINGS
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = len(_CONTROL_CHARS.findall(text))
        if "\x00" in text or controls > max(2, len(text) // 100):
            return None
        return text.lstrip("\ufeff")
    return None


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line most often (ties: ``;`` before ``,``, tab, ``|``)."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = [(unquoted.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] > 0 else ","


def record_starts(text: str, delimiter: str) -> tuple[list[int], int]:
    """The 1-based physical line where each CSV record starts (quoted fields may span lines), and the largest number
    of fields in a record.

    Follows the quoting rules of the pandas/``csv`` tokenizers: a quote opens a quoted field only at the start of a
    field, ``""`` inside it is a literal quote.
    """
    starts: list[int] = []
    width = fields = 1
    in_quotes = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not in_quotes:
            starts.append(number)
            fields = 1
            if '"' not in line:
                fields += line.count(delimiter)
                width = max(width, fields)
                continue
        at_field_start = not in_quotes
        quote_pending = False  # a quote seen inside a quoted field: closing, or the first of ""
        for ch in line:
            if in_quotes:
                if quote_pending:
                    quote_pending = False
                    if ch == '"':
                        continue
                    in_quotes = False
                elif ch == '"':
                    quote_pending = True
                    continue
                else:
                    continue
            if ch == delimiter:
                at_field_start = True
                fields += 1
            elif ch == '"' and at_field_start:
                in_quotes, at_field_start = True, False
            else:
                at_field_start = False
        if quote_pending:
            in_quotes = False
        width = max(width, fields)
    if text.endswith("\n") and not in_quotes:
        starts.pop()  # the empty "line" after the final newline is not a record
    return starts, width


def read_csv(path: Path, rubric: Rubric) -> Extract:
    """Read a long-format CSV (answers, or unit metadata only). Problems become findings, never exceptions."""
    name = str(path)

    def fatal(kind: str, **params: Any) -> Extract:
        return Extract(findings=[Finding(kind, file=name, params=params)], fatal=True)

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return fatal("file_unreadable", expected="CSV", detail=str(exc)[:200])
    text = decode_text(data)
    if text is None:
        return fatal("file_not_text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return fatal("file_empty")
    header_line = text.split("\n", 1)[0]
    if not header_line.strip():
        return fatal("header_missing", found="(baris kosong)")
    delimiter = sniff_delimiter(header_line)
    starts, width = record_starts(text, delimiter)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, names=list(range(width)), dtype=str,
                            keep_default_na=False, skip_blank_lines=False, index_col=False, quotechar='"')
    except (pd.errors.ParserError, ValueError) as exc:
        return fatal("file_unreadable", expected="CSV", detail=str(exc)[:200])
    rows = frame.fillna("").values.tolist()
    if len(starts) != len(rows):  # should not happen; keep going with record numbers rather than fail
        starts = list(range(1, len(rows) + 1))
    header = [h.replace("\ufeff", "").strip() for h in rows[0]]
    found = ", ".join(h for h in header if h) or "(tidak ada)"
    columns = map_header(header)
    if not columns:
        return fatal("header_missing", found=found)
    if "unit_id" not in columns or ("code" in columns) != ("answer" in columns) or (
            "code" not in columns and not any(k in columns for k in METADATA)):
        missing = [k for k in REQUIRED if k not in columns]
        return Extract(findings=[Finding("column_missing", file=name, params={"expected": k, "found": found})
                                 for k in missing], fatal=True)
    out = _Collected()
    unnamed = [i for i, h in enumerate(header) if not h]
    for line, values in zip(starts[1:], rows[1:]):
        stray = next((v.strip() for v in (values[i] for i in unnamed) if v.strip()), None)
        if stray is not None:
            out.findings.append(Finding("unnamed_column_value", "warning", file=name, line=line,
                                        params={"found": stray}))
    _collect(_Table(name, None, columns, list(zip(starts[1:], rows[1:]))), out)
    return out.extract(name)


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
    try:
        return any(find_header(book.values(sheet), REQUIRED) is not None for sheet in book.sheet_names)
    except Exception:  # an unreadable sheet is the reader's problem, not the sniffer's
        return False


def read_workbook(book: Book, path: Path, rubric: Rubric) -> Extract:
    """Read every long-format sheet of a workbook, plus metadata sheets (``unit_id`` + ``unit_name``/``year``...)."""
    name = str(path)
    answer_sheets, meta_sheets = _sheet_tables(book)
    if not answer_sheets:
        return Extract(findings=[Finding("column_missing", file=name, params={
            "expected": "unit_id, code, answer", "found": ", ".join(book.sheet_names)})], fatal=True)
    out = _Collected()
    for sheet, header_row, columns in [*answer_sheets, *meta_sheets]:
        rows = book.values(sheet)
        body = [(index, row) for index, row in enumerate(rows) if index > header_row]
        _collect(_Table(name, sheet, columns, body), out)
    return out.extract(name)
