"""Circulated LKE workbooks: detect them and read answers, notes, evidence and cached results.

Two layouts of the same rubric are read by one mapper (the writer of the second lives in :mod:`zi_nb.lke_export`):

* the official circulated sheet (``LKE ZI``: header ``Penilaian | Bobot | Penjelasan | Pilihan Jawaban | Jawaban |
  Nilai | % | Catatan...``, hierarchy markers spread over several columns, live formulas), whose cached results and
  subtotal formula ranges are checked too (formulas come from openpyxl, loaded only for this layout);
* the common export (``ID | Penilaian | Bobot | Kriteria Nilai | Pilihan Jawaban | Jawaban Unit | ... | Jawaban TPI
  ...``), read with calamine values and hyperlinks only.

Columns are found from the header row, never fixed letters. Rows are mapped to rubric codes through the hierarchy
(component -> area -> indicator, from the row markers ``A.``/``I.``/``1.``/``i.``/``a.``/``-``) and the similarity of
their text with the rubric's, never row numbers: rows may be inserted, reordered or carry sub-headers. The export's
``ID`` column is only a tie-breaking hint.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pandas as pd

from .answers import RAW_COLUMNS
from .findings import Finding
from .inputs import CACHED_COLUMNS, UNIT_COLUMNS, Extract
from .rubric import Rubric

ANSWER_TYPE_KEYS = {"ya/tidak", "a/b/c", "a/b/c/d", "a/b/c/d/e", "%", "jumlah", "nilai(0-4)"}
TPI_TIERS = ["tpi", "tpi2", "tpi3"]
MATCH = 0.6  # minimum text similarity within the hierarchy context
MATCH_ANYWHERE = 0.8  # minimum similarity for an item found outside its context
_PURE = re.compile(r"^(?:[A-Za-z]|[ivxIVX]{1,5}|\d{1,2})\.?$|^-$")
_INTEXT = re.compile(r"^(?:([A-Z]|[IVX]{1,5}|\d{1,2}|[ivx]{1,5}|[a-z])\.\s+|(-)\s*)(\S.*)$", re.S)
_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?")
_META = re.compile(r"^\s*(id unit|kode unit|nama unit kerja|unit kerja|nama unit|satuan kerja|nama instansi|instansi|"
                   r"tahun penilaian|tahun evaluasi|tahun)\s*(:)?\s*(.*)$", re.I | re.S)
_META_FIELD = {"id unit": "unit_id", "kode unit": "unit_id", "instansi": "instansi", "nama instansi": "instansi",
               "tahun": "year", "tahun penilaian": "year", "tahun evaluasi": "year"}
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.I)


# -- small helpers --------------------------------------------------------------------------------------------------
def col_letter(col: int) -> str:
    """Excel letters of a 0-based column index."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _a1(row: int, col: int) -> str:
    return f"{col_letter(col)}{row + 1}"


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _get(rows: list[list[Any]], r: int, c: int | None) -> Any:
    if c is None or r >= len(rows) or c >= len(rows[r]):
        return ""
    return rows[r][c]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _key(value: Any) -> str:
    return " ".join(_text(value).lower().split())


def _tkey(value: Any) -> str:
    return "".join(_text(value).lower().split())


def norm(text: Any) -> str:
    """Text for matching: lowercase ASCII words (punctuation, accents and extra whitespace dropped)."""
    s = unicodedata.normalize("NFKD", _text(text)).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", s).split())


def slug(text: Any) -> str:
    return "-".join(norm(text).replace("%", " ").split()) or "unit"


def similarity(a: str, b: str) -> float:
    """0..1 similarity of two normalised texts; containment of a long enough text counts as 0.9."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    short, long_ = sorted((a, b), key=len)
    sm = SequenceMatcher(None, a, b, autojunk=False)
    ratio = sm.ratio() if sm.real_quick_ratio() >= 0.4 else 0.0
    return max(ratio, 0.9) if len(short) >= 12 and short in long_ else ratio


def _best(text: str, candidates: dict[str, list[str]]) -> tuple[str | None, float]:
    best, score = None, 0.0
    for code, names in candidates.items():
        s = max(similarity(text, n) for n in names)
        if s > score:
            best, score = code, s
    return best, score


def _value(v: Any) -> Any:
    """A cached cell value for ``Extract.cached``: float, None when empty, else the text (errors such as #DIV/0!)."""
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    return None if _text(v) == "" else _text(v)


# -- columns ---------------------------------------------------------------------------------------------------------
@dataclass
class Columns:
    header: int  # 0-based row of the header
    pen: tuple[int, int]  # Penilaian region [start, end)
    type: int
    answers: list[tuple[str, str | None, int]]  # (tier, reviewer, column)
    notes: dict[str, int] = field(default_factory=dict)
    evidence: list[int] = field(default_factory=list)
    links: list[int] = field(default_factory=list)
    id: int | None = None
    weight: int | None = None
    value: int | None = None
    pct: int | None = None

    @property
    def export(self) -> bool:
        return self.id is not None


def find_columns(rows: list[list[Any]]) -> Columns | None:
    """The header row and its columns, or None when the rows do not hold an LKE table."""
    for h in range(min(40, len(rows))):
        labels = {c: _text(v) for c, v in enumerate(rows[h]) if isinstance(v, str) and v.strip()}
        keys = {c: _key(v) for c, v in labels.items()}
        pen = [c for c, k in keys.items() if k.startswith("penilaian")]
        typ = [c for c, k in keys.items() if k.startswith("pilihan jawaban")]
        if not pen or not typ:
            continue
        cols = Columns(header=h, pen=(pen[0], min([c for c in keys if c > pen[0]], default=pen[0] + 1)),
                       type=typ[0], answers=[])
        tpi_notes: list[tuple[str, int]] = []
        for c, k in sorted(keys.items()):
            label = labels[c]
            if k.startswith("jawaban"):
                rest = k[7:].strip()
                name = re.sub(r"(?i)^jawaban\s+tp[in]\s*", "", label).strip(" -:()") or None
                if rest.startswith("tpn"):
                    cols.answers.append(("tpn", name or "TPN", c))
                elif rest.startswith("tpi"):
                    n = sum(t in TPI_TIERS for t, _, _ in cols.answers)
                    if n < len(TPI_TIERS):
                        cols.answers.append((TPI_TIERS[n], name or "TPI", c))
                elif (rest == "" or rest.startswith("unit")) and not any(t == "unit" for t, _, _ in cols.answers):
                    cols.answers.append(("unit", None, c))
            elif k.startswith("catatan"):
                inner = re.sub(r"(?i)^catatan[^(]*\(?", "", label).strip(" ()")
                if re.match(r"(?i)tpn", inner):
                    cols.notes.setdefault("tpn", c)
                elif re.match(r"(?i)tpi", inner):
                    tpi_notes.append((inner[3:].strip(" -:()").lower(), c))
                else:
                    cols.notes.setdefault("unit", c)
            elif "bukti" in k or k.startswith(("tautan", "link")):
                (cols.links if k.startswith(("tautan", "link")) else cols.evidence).append(c)
            elif k == "id":
                cols.id = c
            elif k.startswith("bobot"):
                cols.weight = c
            elif k.startswith("nilai") and cols.value is None:
                cols.value = c
            elif k == "%" and cols.pct is None:
                cols.pct = c
        if not cols.answers:
            continue
        tpis = [(t, (r or "").lower()) for t, r, _ in cols.answers if t in TPI_TIERS]
        for i, (name, c) in enumerate(tpi_notes):
            tier = next((t for t, r in tpis if name and r == name), tpis[i][0] if i < len(tpis) else None)
            if tier:
                cols.notes.setdefault(tier, c)
        if not cols.evidence and not cols.links and "unit" in cols.notes:  # unlabeled columns after the notes
            nxt = min([c for c in keys if c > cols.notes["unit"]], default=max(map(len, rows[h:h + 300])))
            cols.evidence = list(range(cols.notes["unit"] + 1, nxt))
        return cols
    return None


def _type_rows(rows: list[list[Any]], cols: Columns) -> int:
    return sum(_tkey(_get(rows, r, cols.type)) in ANSWER_TYPE_KEYS for r in range(cols.header + 1, len(rows)))


def _lke_sheet(book: Any) -> tuple[str, Columns] | None:
    best: tuple[int, str, Columns] | None = None
    for sheet in book.sheet_names:
        try:
            rows = book.values(sheet)
        except Exception:  # a sheet calamine cannot read is not an LKE
            continue
        cols = find_columns(rows)
        if cols is not None and (n := _type_rows(rows, cols)) >= 3 and (best is None or n > best[0]):
            best = (n, sheet, cols)
    return (best[1], best[2]) if best else None


def sniff_workbook(book: Any) -> bool:
    """True when some sheet holds a circulated LKE table (found from its header and answer-type cells)."""
    return _lke_sheet(book) is not None


# -- reading ---------------------------------------------------------------------------------------------------------
def read_workbook(book: Any, path: Path, rubric: Rubric) -> Extract:
    """Read the LKE sheet of a circulated workbook (see the module docstring)."""
    from .lke_mapping import map_sheet

    found = _lke_sheet(book)
    file = str(path)
    if found is None:
        return Extract(findings=[Finding("unknown_format", file=file)], fatal=True)
    sheet, cols = found
    rows = book.values(sheet)
    unit, findings = read_metadata(book, sheet, cols.header, path)
    uid = unit["unit_id"]
    ws = None if cols.export else book.formulas[sheet]
    mapped = map_sheet(rows, cols, rubric, ws)
    loc = {"file": file, "sheet": sheet, "unit_id": uid}
    findings += [Finding(kind, "warning", cell=cell, code=code, params=params, **loc)
                 for kind, cell, code, params in mapped.findings]
    if not mapped.codes:
        return Extract(findings=[*findings, Finding("no_units", file=file, sheet=sheet)], fatal=True)
    links = book.hyperlinks(sheet)
    raw = []
    for r, code in mapped.codes.items():
        is_formula_pct = code in mapped.formula_pct
        for tier, reviewer, c in cols.answers:
            value = None if is_formula_pct and tier == "unit" else rows[r][c] if c < len(rows[r]) else ""
            value = None if isinstance(value, str) and value.strip() == "" else value
            note = _text(_get(rows, r, cols.notes.get(tier))) or None
            evidence = _evidence(rows, r, cols, links) if tier == "unit" else None
            if value is None and note is None and evidence is None:
                continue
            raw.append({"unit_id": uid, "tier": tier, "reviewer": reviewer, "code": code, "raw": value, "note": note,
                        "evidence": evidence, "file": file, "sheet": sheet, "cell": _a1(r, c), "line": None})
    cached = [{"unit_id": uid, "tier": tier, "measure": m, "value": v, "formula": f, "file": file, "sheet": sheet,
               "cell": cell} for m, tier, v, f, cell in mapped.cached]
    return Extract(raw=pd.DataFrame(raw, columns=RAW_COLUMNS), units=pd.DataFrame([unit], columns=UNIT_COLUMNS),
                   cached=pd.DataFrame(cached, columns=CACHED_COLUMNS), findings=findings)


def _evidence(rows: list[list[Any]], r: int, cols: Columns, links: dict[str, str]) -> str | None:
    """Evidence list and links of a row, one per line; a hyperlink's target replaces or follows its text."""
    lines: list[str] = []
    for c in [*cols.evidence, *cols.links]:
        text = _text(_get(rows, r, c))
        target = links.get(_a1(r, c))
        cell_lines = [ln.strip() for ln in text.splitlines() if ln.strip()] if text else []
        if target and not any(ln.rstrip("/") == target.rstrip("/") for ln in cell_lines):
            cell_lines = [] if len(cell_lines) == 1 and _URL.match(cell_lines[0]) else cell_lines
            cell_lines.append(target)
        elif target:
            cell_lines = [target if ln.rstrip("/") == target.rstrip("/") else ln for ln in cell_lines]
        block = "\n".join(lines)
        if c in cols.links and lines:  # links already listed in the evidence text are not repeated
            cell_lines = [ln for ln in cell_lines if ln not in block]
        lines.extend(cell_lines)
    if not lines:
        return None
    if len(cols.evidence) == 1 and not cols.links:
        return _text(_get(rows, r, cols.evidence[0])) if not links.get(_a1(r, cols.evidence[0])) else "\n".join(lines)
    first = _text(_get(rows, r, cols.evidence[0])) if cols.evidence else ""
    if first and "\n".join(lines).startswith(first):  # keep the list text exactly as written
        return first + "\n".join(lines)[len(first):]
    return "\n".join(lines)


def read_metadata(book: Any, sheet: str, header: int, path: Path) -> tuple[dict[str, Any], list[Finding]]:
    """Unit id, name, instansi and year from labelled cells (``Unit Kerja: ...``) above the LKE header or near the top
    of the other sheets; the file stem when absent."""
    found: dict[str, Any] = {}
    for name in [sheet, *[s for s in book.sheet_names if s != sheet]]:
        try:
            rows = book.values(name)
        except Exception:
            continue
        for row in rows[: header if name == sheet else 40]:
            for c, v in enumerate(row):
                m = _META.match(v) if isinstance(v, str) and len(v) < 300 else None
                if m is None or (not m.group(2) and _key(v) != _key(m.group(1))):
                    continue
                value = m.group(3).strip() or next((x for x in row[c + 1:] if _text(x)), "")
                fld = _META_FIELD.get(_key(m.group(1)), "unit_name")
                if _text(value) and fld not in found:
                    found[fld] = value
    findings = []
    year = found.get("year")
    if year is not None:
        text = _text(year)
        match = re.fullmatch(r"(\d{4})(?:\.0+)?", text) or re.search(r"\b(19|20)\d{2}\b", text)
        found["year"] = int(match.group(1) if match.re.pattern.startswith("(\\d") else match.group(0)) if match else None
        if match is None:
            findings.append(Finding("metadata_invalid", "warning", file=str(path), sheet=sheet,
                                    params={"field": "year", "found": text, "expected": "tahun empat angka"}))
    name = _text(found.get("unit_name")) or path.stem
    uid = _text(found.get("unit_id")) or slug(name)
    for f in findings:
        object.__setattr__(f, "unit_id", uid)
    return {"unit_id": uid, "unit_name": name, "instansi": _text(found.get("instansi")) or None,
            "year": found.get("year"), "current_predicate": None, "data_date": None, "file": str(path)}, findings


def formula_refs(formula: str, value_col: int) -> list[int] | None:
    """0-based rows of the value column that an ``AVERAGE(...)``/``SUM(...)`` formula aggregates, None otherwise."""
    m = re.search(r"(?i)\b(AVERAGE|SUM)\s*\(", formula)
    if m is None:
        return None
    depth, start = 1, m.end()
    end = start
    while end < len(formula) and depth:
        depth += {"(": 1, ")": -1}.get(formula[end], 0)
        end += 1
    rows: list[int] = []
    for a, r1, b, r2 in _REF.findall(formula[start:end - 1]):
        if _col_index(a) == value_col and (not b or _col_index(b) == value_col):
            rows.extend(range(int(r1) - 1, int(r2 or r1)))
    return rows
