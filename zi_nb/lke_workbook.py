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
from .xlsx import Book

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
def _a1(row: int, col: int) -> str:
    """A1 address of a 0-based (row, column)."""
    letters, col = "", col + 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def _col_index(letters: str) -> int:
    return sum((ord(ch) - 64) * 26 ** k for k, ch in enumerate(reversed(letters))) - 1


def _get(rows: list[list[Any]], r: int, c: int | None) -> Any:
    return "" if c is None or r >= len(rows) or c >= len(rows[r]) else rows[r][c]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _key(value: Any) -> str:  # header label key: lowercase, single spaces
    return " ".join(_text(value).lower().split())


def _tkey(value: Any) -> str:  # answer type key: lowercase without whitespace ("Nilai\n(0-4)" -> "nilai(0-4)")
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
    """A cached cell value: float, None when empty, else the text (errors such as ``#DIV/0!``)."""
    return float(v) if isinstance(v, (int, float)) else _text(v) or None


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
    value: int | None = None  # Nilai: the workbook's computed values

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
            elif k.startswith("nilai") and cols.value is None:
                cols.value = c
        if not cols.answers:
            continue
        tpis = [(t, (r or "").lower()) for t, r, _ in cols.answers if t in TPI_TIERS]
        for i, (name, c) in enumerate(tpi_notes):  # by reviewer name, else by position
            free = [t for t, _ in tpis if t not in cols.notes]
            by_name = [t for t, r in tpis if name and r == name and t in free]
            tier = by_name[0] if by_name else tpis[i][0] if i < len(tpis) and tpis[i][0] in free else None
            if tier:
                cols.notes[tier] = c
        if not cols.evidence and not cols.links and "unit" in cols.notes:  # unlabeled columns after the notes
            nxt = min([c for c in keys if c > cols.notes["unit"]], default=max(map(len, rows[h:h + 300])))
            cols.evidence = list(range(cols.notes["unit"] + 1, nxt))
        return cols
    return None


def _type_rows(rows: list[list[Any]], cols: Columns) -> int:
    return sum(_tkey(_get(rows, r, cols.type)) in ANSWER_TYPE_KEYS for r in range(cols.header + 1, len(rows)))


def _lke_sheet(book: Book) -> tuple[str, Columns] | None:
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


def sniff_workbook(book: Book) -> bool:
    """True when some sheet holds a circulated LKE table (found from its header and answer-type cells)."""
    return _lke_sheet(book) is not None


# -- mapping rows to rubric codes -------------------------------------------------------------------------------------
@dataclass
class _Leaf:
    r: int
    norm: str
    text: str
    col: int
    typ: str
    block: tuple[str | None, str | None, str | None]  # (component, area, indicator) context
    hint: int | None


@dataclass
class Mapped:
    """What :func:`map_sheet` found: row -> code, cached cells, findings ``(kind, cell, code, params)``."""

    codes: dict[int, str] = field(default_factory=dict)
    formula_pct: set[str] = field(default_factory=set)  # % items whose answer cell is the workbook's own formula
    cached: list[tuple[str, str, Any, str | None, str]] = field(default_factory=list)  # measure, tier, value, f, cell
    findings: list[tuple[str, str | None, str | None, dict[str, Any]]] = field(default_factory=list)


def _split(cells: list[tuple[int, str]]) -> tuple[str | None, str, int]:
    """(marker, text, text column) of a row's Penilaian cells: ``['a.', 'Unit kerja...']`` or ``'a. Unit...'``."""
    col, first = cells[0]
    if _PURE.match(first):
        rest = cells[1:]
        return first.rstrip("."), (rest[0][1] if rest else ""), (rest[0][0] if rest else col)
    m = _INTEXT.match(first)
    return (m.group(1) or "-", m.group(3), col) if m else (None, first, col)


def _marker_kind(marker: str | None) -> str | None:
    if marker is None or marker == "-":
        return None
    if marker.isdigit():
        return "area"
    if re.fullmatch(r"[IVX]+", marker):
        return "sub"
    if re.fullmatch(r"[A-Z]", marker):
        return "top"
    return "roman" if re.fullmatch(r"[ivx]+", marker) else "letter"


def _assign(leaves: list[_Leaf], cands: dict[str, tuple[str, int | None, str]], threshold: float,
            codes: dict[int, str]) -> None:
    """Greedy best-first assignment of rows to candidate codes (text, lke_row hint, answer type); exact text first."""
    taken = set(codes.values())
    cands = {k: v for k, v in cands.items() if k not in taken}
    exact: dict[str, list[str]] = {}
    for k, (t, _, _) in cands.items():
        exact.setdefault(t, []).append(k)
    pairs = []
    for lf in leaves:
        ks = [k for k in exact.get(lf.norm, []) if k not in taken]
        if ks:
            k = next((k for k in ks if cands[k][1] == lf.hint), ks[0])
            codes[lf.r] = k
            taken.add(k)
    for lf in leaves:
        if lf.r in codes:
            continue
        for k, (t, hint, typ) in cands.items():
            if k not in taken:
                s = similarity(lf.norm, t) + 0.1 * (lf.hint is not None and lf.hint == hint) + 0.05 * (lf.typ == typ)
                if s >= threshold:
                    pairs.append((-s, lf.r, k))
    for _, r, k in sorted(pairs):
        if r not in codes and k not in taken:
            codes[r] = k
            taken.add(k)


def map_sheet(rows: list[list[Any]], cols: Columns, rubric: Rubric, ws: Any = None) -> Mapped:
    """Map every row below the header to a rubric code or measure; ``ws`` (openpyxl, formulas) enables the cached
    formula texts and the subtotal range checks."""
    out = Mapped()
    comps = {c.code: [norm(c.name), norm(c.code)] for c in rubric.components}
    top = comp = area = ind = None
    measures: dict[str, int] = {}  # measure -> row (component, area, indicator, total rows)
    totals: set[str] = set()
    subs: set[int] = set()
    leaves: list[_Leaf] = []

    def unmapped(r: int, c: int, text: str) -> None:
        out.findings.append(("unmapped_row", _a1(r, c), None, {"found": text[:120]}))

    for r in range(cols.header + 1, len(rows)):
        cells = [(c, t) for c in range(*cols.pen) if (t := _text(_get(rows, r, c)))]
        if not cells:
            continue
        marker, text, tc = _split(cells)
        kind, t, typ = _marker_kind(marker), norm(text), _tkey(_get(rows, r, cols.type))
        if kind is None and t.startswith(("total ", "nilai evaluasi")):  # TOTAL PENGUNGKIT, NILAI EVALUASI ZI...
            kind, t = "total", t[6:] if t.startswith("total ") else "total"
        pool: dict[str, list[str]] | None = None
        if kind in ("total", "top"):
            pool = {c.code: comps[c.code] for c in rubric.top_components()} | (
                {"total": ["total"]} if kind == "total" else {})
        elif kind == "sub":
            kids = [c for c in rubric.components if c.parent == top] or [c for c in rubric.components if c.parent]
            pool = {c.code: comps[c.code] for c in kids}
        elif kind == "area":
            pool = {a.code: [norm(a.name)] for a in rubric.areas if comp is None or comp in a.weights}
        if pool is not None:
            code, s = _best(t, pool)
            if code is None or s < MATCH:
                unmapped(r, tc, text)
            elif kind == "total":
                measures[code] = r
                totals.add(code)
            elif kind == "area":
                area, ind = code, None
                measures[f"{comp}:{code}" if comp else code] = r
            else:
                top = code if kind == "top" else top
                comp, area, ind = code, None, None
                if code not in totals:
                    measures[code] = r
            continue
        answered = any(_text(_get(rows, r, c)) for _, _, c in cols.answers)
        if (kind == "roman" and typ not in ANSWER_TYPE_KEYS - {"%"}) or (
                kind is None and not typ and not answered and (area or ind)):
            code, s = _best(t, {i.code: [norm(i.name)] for i in rubric.indicators
                                if (comp is None or i.component == comp) and (area is None or i.area == area)})
            if code and s >= MATCH:
                if code == ind:
                    subs.add(r)  # a sub-header inside the indicator (e.g. LHKPN / LHKASN under PRE3)
                else:
                    ind = code
                    measures[code] = r
                continue
        hint = _get(rows, r, cols.id)
        leaves.append(_Leaf(r, t, text, tc, typ, (comp, area, ind),
                            int(hint) if isinstance(hint, (int, float)) and not isinstance(hint, bool) else None))

    codes = out.codes
    item_cands = {i.code: (norm(i.question), i.lke_row, _tkey(i.answer_type)) for i in rubric.items}
    blocks: dict[tuple[str | None, str | None, str | None], list[_Leaf]] = {}
    for lf in leaves:
        blocks.setdefault(lf.block, []).append(lf)
    for (c_, a_, i_), group in blocks.items():
        inds = {i.code for i in rubric.indicators if i.code == i_ or (
            not i_ and (c_ is None or i.component == c_) and (a_ is None or i.area == a_))}
        pool = {k: v for k, v in item_cands.items() if rubric.item_by_code[k].indicator in inds}
        _assign([lf for lf in group if lf.typ != "jumlah"], pool, MATCH, codes)
    _assign([lf for lf in leaves if lf.r not in codes and lf.typ != "jumlah"], item_cands, MATCH_ANYWHERE, codes)
    by_parent: dict[str, list[_Leaf]] = {}
    parent, block = None, None
    for lf in leaves:  # Jumlah rows belong to the % item above them in the same indicator
        parent = None if lf.block != block else parent
        block = lf.block
        if lf.r in codes:
            parent = codes[lf.r] if rubric.item_by_code[codes[lf.r]].inputs else None
        elif parent and lf.typ in ("jumlah", ""):
            by_parent.setdefault(parent, []).append(lf)
    input_cands = {k: (norm(inp.label), inp.lke_row, "jumlah") for k, (_, inp) in rubric.input_codes.items()}
    for item_code, group in by_parent.items():
        _assign(group, {k: v for k, v in input_cands.items() if k.split(".")[0] == item_code}, 0.5, codes)
    _assign([lf for lf in leaves if lf.r not in codes and lf.typ == "jumlah"], input_cands, MATCH_ANYWHERE, codes)

    for lf in leaves:
        code = codes.get(lf.r)
        if code is None:
            unmapped(lf.r, lf.col, lf.text)
        elif lf.typ != _tkey(rubric.answer_type_of(code)):
            out.findings.append(("answer_type_mismatch", _a1(lf.r, cols.type), code, {
                "found": _text(_get(rows, lf.r, cols.type)) or "(kosong)", "expected": rubric.answer_type_of(code)}))
    mapped = set(codes.values())
    out.findings += [("item_missing", None, c, {}) for c in [*rubric.item_by_code, *rubric.input_codes]
                     if c not in mapped]
    _cached(rows, cols, rubric, ws, measures, subs, out)
    return out


def _cached(rows: list[list[Any]], cols: Columns, rubric: Rubric, ws: Any, measures: dict[str, int],
            subs: set[int], out: Mapped) -> None:
    """The workbook's own results (indicator, area, component, total, % item cells) and their formula ranges."""
    if cols.value is None:
        return
    vc = cols.value
    left = [(c, t) for t, _, c in cols.answers if c < vc]
    tier = max(left)[1] if cols.export and left else "unit"
    item_rows = {code: r for r, code in out.codes.items() if code in rubric.item_by_code}
    for i in rubric.indicators:  # indicators without a row of their own (Hasil): their single item's weighted value
        items = [it for it in rubric.items if it.indicator == i.code]
        if i.code not in measures and len(items) == 1 and items[0].code in item_rows:
            measures[i.code] = item_rows[items[0].code]

    def formula(r: int, c: int) -> str | None:
        f = ws.cell(r + 1, c + 1).value if ws is not None else None
        return f if isinstance(f, str) and f.startswith("=") else None

    cells = [(m, r, vc) for m, r in measures.items()]
    unit_col = next((c for t, _, c in cols.answers if t == "unit"), None)
    for code, r in item_rows.items():
        if rubric.answer_types[rubric.item_by_code[code].answer_type].kind == "ratio":
            own = unit_col is not None and formula(r, unit_col) is not None
            if own:
                out.formula_pct.add(code)
            cells.append((code, r, unit_col if own else vc))
    for m, r, c in cells:
        value = _value(_get(rows, r, c))
        if ws is not None or value is not None:
            out.cached.append((m, tier, value, formula(r, c), _a1(r, c)))
    if ws is None:
        return
    row_measure = {r: m for m, r in measures.items()} | {r: code for code, r in item_rows.items()}
    for m, r in measures.items():
        f = formula(r, vc)
        refs = formula_refs(f, vc) if f else None
        if refs is None:
            continue
        found, stack, seen = set(), list(refs), set()
        while stack:
            x = stack.pop()
            if x in seen:
                continue
            seen.add(x)
            if x in subs:
                stack.extend(formula_refs(formula(x, vc) or "", vc) or [])
            elif x in row_measure:
                found.add(row_measure[x])
        expected = {k for k in _children(rubric, m) if k in row_measure.values()}
        if expected and found != expected:
            where = sorted((measures.get(k, item_rows.get(k, 0)), k) for k in expected)
            out.findings.append(("formula_range", _a1(r, vc), m, {
                "found": f, "expected": ", ".join(_a1(x, vc) for x, _ in where)}))


def _children(rubric: Rubric, measure: str) -> list[str]:
    """The measures whose sum or average a measure's formula should cover."""
    if measure == "total":
        return [c.code for c in rubric.top_components()]
    if measure in rubric.indicator_by_code:
        return [i.code for i in rubric.items if i.indicator == measure]
    if ":" in measure:
        comp, area = measure.split(":")
        return [i.code for i in rubric.indicators if i.component == comp and i.area == area]
    kids = [c.code for c in rubric.components if c.parent == measure]
    areas = [f"{measure}:{a.code}" for a in rubric.areas if measure in a.weights]
    return kids or areas or [i.code for i in rubric.indicators if i.component == measure]


def formula_refs(formula: str, value_col: int) -> list[int] | None:
    """0-based rows of the value column that an ``AVERAGE(...)``/``SUM(...)`` formula aggregates, None otherwise."""
    m = re.search(r"(?i)\b(AVERAGE|SUM)\s*\(", formula)
    if m is None:
        return None
    depth, end = 1, m.end()
    while end < len(formula) and depth:
        depth += {"(": 1, ")": -1}.get(formula[end], 0)
        end += 1
    rows: list[int] = []
    for a, r1, b, r2 in _REF.findall(formula[m.end():end]):
        if _col_index(a) == value_col and (not b or _col_index(b) == value_col):
            rows.extend(range(int(r1) - 1, int(r2 or r1)))
    return rows


# -- reading ---------------------------------------------------------------------------------------------------------
def read_workbook(book: Book, path: Path, rubric: Rubric) -> Extract:
    """Read the LKE sheet of a circulated workbook: raw answers of every tier, unit metadata, cached results."""
    found = _lke_sheet(book)
    file = str(path)
    if found is None:
        return Extract(findings=[Finding("unknown_format", file=file)], fatal=True)
    sheet, cols = found
    rows = book.values(sheet)
    unit, findings = read_metadata(book, sheet, cols.header, path)
    uid = unit["unit_id"]
    mapped = map_sheet(rows, cols, rubric, None if cols.export else book.formulas[sheet])
    loc = {"file": file, "sheet": sheet, "unit_id": uid}
    findings += [Finding(kind, "warning", cell=cell, code=code, params=params, **loc)
                 for kind, cell, code, params in mapped.findings]
    if not mapped.codes:
        return Extract(findings=[*findings, Finding("no_units", **loc)], fatal=True)
    links = book.hyperlinks(sheet)
    raw = []
    for r, code in sorted(mapped.codes.items()):
        for tier, reviewer, c in cols.answers:
            value = None if tier == "unit" and code in mapped.formula_pct else _get(rows, r, c)
            value = None if isinstance(value, str) and not value.strip() else value
            note = _text(_get(rows, r, cols.notes.get(tier))) or None
            evidence = _evidence(rows, r, cols, links) if tier == "unit" else None
            if value is not None or note is not None or evidence is not None:
                raw.append({"unit_id": uid, "tier": tier, "reviewer": reviewer, "code": code, "raw": value,
                            "note": note, "evidence": evidence, "file": file, "sheet": sheet, "cell": _a1(r, c),
                            "line": None})
    cached = [{"unit_id": uid, "tier": tier, "measure": m, "value": v, "formula": f, "file": file, "sheet": sheet,
               "cell": cell} for m, tier, v, f, cell in mapped.cached]
    return Extract(raw=pd.DataFrame(raw, columns=RAW_COLUMNS), units=pd.DataFrame([unit], columns=UNIT_COLUMNS),
                   cached=pd.DataFrame(cached, columns=CACHED_COLUMNS), findings=findings)


def _evidence(rows: list[list[Any]], r: int, cols: Columns, links: dict[str, str]) -> str | None:
    """Evidence text and links of a row; a hyperlink's target replaces its URL text, links already listed are not
    repeated, and the evidence list is kept exactly as written."""
    pieces: list[str] = []
    for c in [*cols.evidence, *cols.links]:
        text, target = _text(_get(rows, r, c)), links.get(_a1(r, c))
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


def read_metadata(book: Book, sheet: str, header: int, path: Path) -> tuple[dict[str, Any], list[Finding]]:
    """Unit id, name, instansi and year from labelled cells (``Unit Kerja: ...``, or the label with its value in the
    next cell) above the LKE header or near the top of the other sheets; the file stem names the unit otherwise."""
    found: dict[str, Any] = {}
    for name in [sheet, *[s for s in book.sheet_names if s != sheet]]:
        try:
            rows = book.values(name)
        except Exception:  # an unreadable extra sheet holds no metadata we can use
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
    name = _text(found.get("unit_name")) or path.stem
    uid = _text(found.get("unit_id")) or slug(name)
    findings = []
    if "year" in found:
        text = _text(found["year"])
        m = re.search(r"(?<!\d)(?:19|20)\d{2}(?!\d)", text)
        found["year"] = int(m.group(0)) if m else None
        if m is None:
            findings.append(Finding("metadata_invalid", "warning", file=str(path), sheet=sheet, unit_id=uid,
                                    params={"field": "year", "found": text, "expected": "tahun empat angka"}))
    return {"unit_id": uid, "unit_name": name, "instansi": _text(found.get("instansi")) or None,
            "year": found.get("year"), "current_predicate": None, "data_date": None, "file": str(path)}, findings
