"""Map the rows of a circulated LKE sheet to rubric codes, through the hierarchy and the similarity of texts.

Rows are never mapped by their numbers (rows may be inserted, reordered or carry sub-headers). The row markers in
the Penilaian region (``A.`` component, ``I.`` part, ``1.`` area, ``i.`` indicator, ``a.`` item, ``-`` Jumlah input;
in a cell of their own or leading the text) give the hierarchy context, and each item row goes to the rubric item
of that context whose question is most similar to its text (:func:`similarity` of :func:`norm` texts, exact text
first), then to any item at a higher threshold; Jumlah rows go to the inputs of the ``%`` item above them. The
export's ``ID`` column (the rubric's ``lke_row``) is only a tie-breaking hint. :func:`map_sheet` also reports rows
it cannot map, answer type mismatches and rubric items missing, and collects the workbook's cached results
(:mod:`zi_nb.lke.formulas`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from zi_nb.common.findings import cell_name
from zi_nb.common.text import ascii_fold
from zi_nb.engine.rubric import Rubric
from zi_nb.lke.columns import ANSWER_TYPE_KEYS, Columns, as_text, cell, type_key
from zi_nb.lke.formulas import Cached, RawFinding, cached_results

MATCH = 0.6  # minimum text similarity within the hierarchy context
MATCH_ANYWHERE = 0.8  # minimum similarity for an item found outside its context
_PURE = re.compile(r"^(?:[A-Za-z]|[ivxIVX]{1,5}|\d{1,2})\.?$|^-$")
_INTEXT = re.compile(r"^(?:([A-Z]|[IVX]{1,5}|\d{1,2}|[ivx]{1,5}|[a-z])\.\s+|(-)\s*)(\S.*)$", re.S)


def norm(text: Any) -> str:
    """Text for matching: lowercase ASCII words (punctuation, accents and extra whitespace dropped)."""
    s = ascii_fold(as_text(text)).lower()
    return " ".join(re.sub(r"[^a-z0-9%]+", " ", s).split())


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
    cached: list[Cached] = field(default_factory=list)  # measure, tier, value, formula, cell
    findings: list[RawFinding] = field(default_factory=list)
    leaves: int = 0  # rows that look like items or Jumlah inputs (text below an indicator, not structure)
    fitting: int = 0  # of those, rows mapped to a code whose answer type matches the row's
    structure: set[str] = field(default_factory=set)  # component, area and total rows found (measure keys)


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
        out.findings.append(("unmapped_row", cell_name(r + 1, c + 1), None, {"found": text[:120]}))

    for r in range(cols.header + 1, len(rows)):
        cells = [(c, t) for c in range(*cols.pen) if (t := as_text(cell(rows, r, c)))]
        if not cells:
            continue
        marker, text, tc = _split(cells)
        kind, t, typ = _marker_kind(marker), norm(text), type_key(cell(rows, r, cols.type))
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
        answered = any(as_text(cell(rows, r, c)) for _, _, c in cols.answers)
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
        hint = cell(rows, r, cols.id)
        leaves.append(_Leaf(r, t, text, tc, typ, (comp, area, ind),
                            int(hint) if isinstance(hint, (int, float)) and not isinstance(hint, bool) else None))

    codes = out.codes
    item_cands = {i.code: (norm(i.question), i.lke_row, type_key(i.answer_type)) for i in rubric.items}
    blocks: dict[tuple[str | None, str | None, str | None], list[_Leaf]] = {}
    for lf in leaves:
        blocks.setdefault(lf.block, []).append(lf)
    for (c_, a_, i_), group in blocks.items():
        inds = {i.code for i in rubric.indicators if i.code == i_ or (
            not i_ and (c_ is None or i.component == c_) and (a_ is None or i.area == a_))}
        item_pool = {k: v for k, v in item_cands.items() if rubric.item_by_code[k].indicator in inds}
        _assign([lf for lf in group if lf.typ != "jumlah"], item_pool, MATCH, codes)
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

    out.leaves, out.structure = len(leaves), set(measures) - {i.code for i in rubric.indicators}
    for lf in leaves:
        code = codes.get(lf.r)
        out.fitting += code is not None and lf.typ == type_key(rubric.answer_type_of(code))
        if code is None:
            unmapped(lf.r, lf.col, lf.text)
        elif lf.typ != type_key(rubric.answer_type_of(code)):
            out.findings.append(("answer_type_mismatch", cell_name(lf.r + 1, cols.type + 1), code, {
                "found": as_text(cell(rows, lf.r, cols.type)) or "(kosong)",
                "expected": rubric.answer_type_of(code)}))
    mapped = set(codes.values())
    out.findings += [("item_missing", None, c, {}) for c in [*rubric.item_by_code, *rubric.input_codes]
                     if c not in mapped]
    formula_pct, cached, findings = cached_results(rows, cols, rubric, ws, measures, subs, codes)
    out.formula_pct |= formula_pct
    out.cached += cached
    out.findings += findings
    return out
