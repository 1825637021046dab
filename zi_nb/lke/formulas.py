"""The circulated sheet's own results: cached values of its result cells and the ranges of its subtotal formulas.

:func:`cached_results` reads the ``Nilai`` column's cached values of every indicator, area, component and total row
(and of ``%`` items, from the unit's answer cell when that holds the workbook's own formula), so that they can be
checked against the computed scores. With the official layout's formulas (openpyxl) it also checks that each
subtotal's ``AVERAGE(...)``/``SUM(...)`` covers exactly the rows of the measures below it (:func:`formula_refs`,
following sub-header rows), reporting ``formula_range`` otherwise.
"""

from __future__ import annotations

import re
from typing import Any

from zi_nb.common.findings import cell_name
from zi_nb.common.text import squash
from zi_nb.engine.rubric import Rubric
from zi_nb.errors import InputError
from zi_nb.lke.columns import Columns, as_text, cell, find_columns

_REF = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?")

# (measure, tier, value, formula, cell) and (kind, cell, code, params), as in zi_nb.lke.mapping.Mapped
Cached = tuple[str, str, Any, str | None, str]
RawFinding = tuple[str, str | None, str | None, dict[str, Any]]


def _col_index(letters: str) -> int:
    return sum((ord(ch) - 64) * 26 ** k for k, ch in enumerate(reversed(letters))) - 1


def _value(v: Any) -> Any:
    """A cached cell value: float, None when empty, else the text (errors such as ``#DIV/0!``)."""
    return float(v) if isinstance(v, (int, float)) else as_text(v) or None


def cached_results(rows: list[list[Any]], cols: Columns, rubric: Rubric, ws: Any, measures: dict[str, int],
                   subs: set[int], codes: dict[int, str]) -> tuple[set[str], list[Cached], list[RawFinding]]:
    """The workbook's own results (indicator, area, component, total, % item cells) and their formula ranges.

    ``measures``: measure -> row of its own (indicators without one get their single item's row); ``subs``: rows
    of sub-headers inside an indicator; ``codes``: row -> mapped code. Returns the ``%`` items whose answer cell is
    the workbook's own formula, the cached cells and the ``formula_range`` findings.
    """
    formula_pct: set[str] = set()
    cached: list[Cached] = []
    findings: list[RawFinding] = []
    if cols.value is None:
        return formula_pct, cached, findings
    vc = cols.value
    left = [(c, t) for t, _, c in cols.answers if c < vc]
    tier = max(left)[1] if cols.export and left else "unit"
    item_rows = {code: r for r, code in codes.items() if code in rubric.item_by_code}
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
            if unit_col is not None and formula(r, unit_col) is not None:  # the workbook's own formula
                formula_pct.add(code)
                cells.append((code, r, unit_col))
            else:
                cells.append((code, r, vc))
    for m, r, c in cells:
        value = _value(cell(rows, r, c))
        if ws is not None or value is not None:
            cached.append((m, tier, value, formula(r, c), cell_name(r + 1, c + 1)))
    if ws is None:
        return formula_pct, cached, findings
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
            missing = expected - found  # the cells to add; all expected cells when the range only covers too much
            where = sorted((measures.get(k, item_rows.get(k, 0)), k) for k in (missing or expected))
            findings.append(("formula_range", cell_name(r + 1, vc + 1), m, {
                "found": f, "expected": ", ".join(cell_name(x + 1, vc + 1) for x, _ in where)}))
    return formula_pct, cached, findings


SUMMARY_LABEL = "nilai evaluasi"  # start of the grand total's label on the summary sheets ("NILAI EVALUASI ...")
SUMMARY_HEADER_ROWS = 10  # the summary sheets' header ("Penilaian | Bobot | Nilai | %") sits in their first rows


def summary_totals(book: Any, lke_sheet: str, tier: str) -> list[tuple[str, Cached]]:
    """(sheet, cached cell) of the grand total on the workbook's other sheets, such as the hidden ``Utama`` and
    ``Ctt Eval`` summaries of the circulated workbook (``NILAI EVALUASI REFORMASI BIROKRASI`` in I28), found by its
    label, never its address: the cell of the ``Nilai`` column in the label's row, else the first number or formula
    to the right of the label. Sheets holding an LKE table of their own are not summaries and are skipped."""
    out: list[tuple[str, Cached]] = []
    for sheet in book.sheet_names:
        if sheet == lke_sheet:
            continue
        try:
            rows, formulas = book.values(sheet), book.formula_cells(sheet)
        except InputError:  # a damaged or oversized side sheet holds no total we can compare
            continue
        if find_columns(rows) is not None:  # another LKE table (its own total is compared with its own unit)
            continue
        nilai = next((c for row in rows[:SUMMARY_HEADER_ROWS] for c, v in enumerate(row) if squash(v) == "nilai"), None)
        for r, row in enumerate(rows):
            label = next((c for c, v in enumerate(row) if isinstance(v, str) and squash(v).startswith(SUMMARY_LABEL)),
                         None)
            if label is None:
                continue
            right = [c for c in range(label + 1, len(row)) if (isinstance(row[c], (int, float)) and
                     not isinstance(row[c], bool)) or cell_name(r + 1, c + 1) in formulas]
            c = nilai if nilai is not None and nilai > label else (right[0] if right else None)
            if c is not None:
                address = cell_name(r + 1, c + 1)
                out.append((sheet, ("total", tier, _value(cell(rows, r, c)), formulas.get(address), address)))
    return out


def computed_answer(rubric: Rubric, code: str, formula: str, column: str) -> bool:
    """True when an answer cell's formula is the circulated workbook's own computation: a ``%`` item or a Jumlah input
    (such as "Jumlah yang harus melaporkan" = the sum of its parts) computed only from other cells of its own answer
    column (``column``: letters). zi-nb recomputes those from the inputs, so the cell is neither an answer nor a
    finding; any other formula in an answer cell is reported by :func:`formula_answer`."""
    item = rubric.item_by_code.get(code)
    if item is not None and rubric.answer_types[item.answer_type].kind != "ratio":
        return False
    refs = _REF.findall(formula)
    return "!" not in formula and bool(refs) and all(a == column and b in ("", column) for a, _, b, _ in refs)


def formula_answer(formula: str, cached: Any) -> dict[str, Any]:
    """Params of the ``formula_answer`` finding: the formula and its cached value (shown, never used as the answer;
    ``tidak ada`` when the file stores none, e.g. saved by a program that does not calculate)."""
    value = _value(cached)
    shown: Any = "tidak ada" if value is None else value
    return {"found": formula if len(formula) > 1 else "(rumus bersama)", "cached": shown}


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
