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
from zi_nb.engine.rubric import Rubric
from zi_nb.lke.columns import Columns, as_text, cell

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
            where = sorted((measures.get(k, item_rows.get(k, 0)), k) for k in expected)
            findings.append(("formula_range", cell_name(r + 1, vc + 1), m, {
                "found": f, "expected": ", ".join(cell_name(x + 1, vc + 1) for x, _ in where)}))
    return formula_pct, cached, findings


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
