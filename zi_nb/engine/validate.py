"""Validation of a whole input set: :func:`validate` gathers every finding, each with its location.

The readers report what they see while reading (missing sheets or columns, unmapped rows, formula ranges) and
:func:`zi_nb.engine.answers.build_answers` what is wrong with single values (invalid options, harmless variants,
numbers, Excel errors, duplicates). This module adds the checks that need the rubric's structure across rows:

* unanswered items of the unit's self-assessment;
* Jumlah consistency of every ``%`` item: a stated total that differs from the sum of its parts, an achieved count
  above its base (where the rubric says that is inconsistent), a zero base that makes the item unanswerable, inputs
  partly missing;
* cached formula values in circulated workbooks: every indicator, area, part, % item and total (also the grand total
  of the summary sheets such as the hidden ``Utama``) is recomputed by the rubric and each cell whose cached value
  differs by more than :data:`CACHED_TOLERANCE` is reported with both numbers; formulas without a stored value (a file
  saved by a program that does not calculate) are not compared, and one ``info`` finding per file says so.
"""

from __future__ import annotations

import math
from typing import cast

import numpy as np
import pandas as pd

from zi_nb.common.domain import TIERS
from zi_nb.common.findings import Finding
from zi_nb.engine.answers import is_blank
from zi_nb.engine.dataset import LkeData
from zi_nb.engine.scoring import answer_matrices, plan_for, ratio_parts, score_answers

CACHED_TOLERANCE = 1e-6


def _locator(answers: pd.DataFrame) -> dict[tuple[str, str, str], dict]:
    """(unit, tier, code) -> location fields of the answer row."""
    out = {}
    for rec in answers[["unit_id", "tier", "code", "file", "sheet", "cell", "line"]].to_dict("records"):
        line = rec["line"]
        out[(rec["unit_id"], rec["tier"], rec["code"])] = {
            "file": rec["file"], "sheet": rec["sheet"], "cell": rec["cell"],
            "line": None if line is None or (isinstance(line, float) and math.isnan(line)) else int(line)}
    return out


def _filled(answers: pd.DataFrame) -> set[tuple[str, str, str]]:
    """(unit, tier, code) of the rows that hold a value, valid or not: an invalid value is reported where it is read,
    never again as a blank."""
    rows = answers.loc[~answers["raw"].map(is_blank).astype(bool)]
    return set(zip(rows["unit_id"], rows["tier"], rows["code"]))


def _unit_files(data: LkeData) -> dict[str, str]:
    first = data.answers.drop_duplicates("unit_id")
    return dict(zip(first["unit_id"], first["file"]))


def check_unanswered(data: LkeData) -> list[Finding]:
    """One warning per scored item that the unit's self-assessment left blank (an item, or every input of a % item,
    without any value; invalid values are reported by :func:`zi_nb.engine.answers.build_answers` instead)."""
    rubric = data.rubric
    findings: list[Finding] = []
    unit_rows = data.answers[data.answers["tier"] == "unit"]
    if unit_rows.empty:
        return findings
    scores = score_answers(unit_rows, rubric, tier="unit", policies=None,
                           unit_ids=list(dict.fromkeys(unit_rows["unit_id"])))
    where = _locator(unit_rows)
    filled = _filled(unit_rows)
    files = _unit_files(data)
    for unit_id, codes in scores.unanswered().items():
        for code in codes:
            item = rubric.item_by_code[code]
            if any((unit_id, "unit", c) in filled for c in [code, *(f"{code}.{i.name}" for i in item.inputs)]):
                continue
            loc = where.get((unit_id, "unit", code)) or where.get(
                (unit_id, "unit", f"{code}.{item.inputs[0].name}") if item.inputs else ("", "", "")) or {
                "file": files.get(unit_id)}
            findings.append(Finding("blank", "warning", unit_id=unit_id, code=code, **loc, tier="unit"))
    return findings


def check_jumlah(data: LkeData, policies: dict[str, str] | None = None) -> list[Finding]:
    """Consistency of the Jumlah inputs of every % item, for every unit and tier."""
    rubric = data.rubric
    plan = plan_for(rubric)
    chosen = rubric.policy_values(policies)
    findings: list[Finding] = []
    where = _locator(data.answers)
    filled = _filled(data.answers)
    files = _unit_files(data)
    for tier in [t for t in TIERS if (data.answers["tier"] == t).any()]:
        rows = data.answers[data.answers["tier"] == tier]
        units = list(dict.fromkeys(rows["unit_id"]))
        _, num = answer_matrices(rows, plan, units)
        for item in plan.items:
            if item.rule is None:
                continue
            input_cols = [plan.code_index[f"{item.code}.{i.name}"] for i in item.inputs]
            given = ~np.isnan(num[:, input_cols])
            partial = given.any(axis=1) & ~given.all(axis=1)
            rule = item.rule
            if rule.kind == "ratio":  # only the inputs the chosen rule divides; parts only without a stated total
                parts = rule.denominator_choices[chosen[rule.denominator_policy]] if rule.denominator_policy \
                    else rule.denominator
                needed = {rule.numerator, *parts}
            else:
                needed = {rule.previous, rule.current}
            total_col = [i.name for i in item.inputs].index(rule.denominator_total) if rule.denominator_total else None
            for u in np.flatnonzero(partial):
                siblings = [f"{item.code}.{i.name}" for i, ok in zip(item.inputs, given[u]) if ok]
                for inp, ok in zip(item.inputs, given[u]):
                    code = f"{item.code}.{inp.name}"
                    if ok or inp.name not in needed or (units[u], tier, code) in filled:
                        continue  # given, not needed, or holding an invalid value that is reported already
                    if total_col is not None and given[u][total_col] and inp.name in rule.denominator:
                        continue  # the stated total is the base
                    loc = where.get((units[u], tier, code)) or where.get(  # its blank cell, else a sibling's
                        (units[u], tier, siblings[0]), {"file": files.get(units[u])})
                    findings.append(Finding("input_missing", "warning", unit_id=units[u], code=item.code, **loc,
                                            tier=tier, params={"expected": inp.label.lstrip("- ")}))
            if rule.kind != "ratio":
                continue
            p = ratio_parts(item, num, plan, chosen)
            total_code = f"{item.code}.{rule.denominator_total}" if rule.denominator_total else None
            bad_total = ~np.isnan(p.stated_total) & ~np.isnan(p.parts_sum) & (
                np.abs(p.stated_total - p.parts_sum) > 1e-9)
            for u in np.flatnonzero(bad_total):
                findings.append(Finding("total_mismatch", "error", unit_id=units[u], code=total_code, tier=tier,
                                        **(where.get((units[u], tier, total_code), {}) if total_code else {}),
                                        params={"found": _fmt(p.stated_total[u]), "expected": _fmt(p.parts_sum[u])}))
            numerator_code = f"{item.code}.{rule.numerator}"
            base_label = _base_label(item, chosen)
            num_label = _label(item, rule.numerator)
            if rule.above_base == "error":
                above = ~np.isnan(p.numerator) & ~np.isnan(p.base) & (p.numerator > p.base) & (p.base > 0)
                for u in np.flatnonzero(above):
                    findings.append(Finding("above_base", "error", unit_id=units[u], code=numerator_code, tier=tier,
                                            **where.get((units[u], tier, numerator_code), {}),
                                            params={"numerator": num_label, "denominator": base_label,
                                                    "found": _fmt(p.numerator[u]), "expected": _fmt(p.base[u])}))
            zero_ok = rule.zero_base_policy and chosen.get(rule.zero_base_policy) == "one"
            if not zero_ok:
                base_names = [n for n in [rule.denominator_total, *parts, rule.numerator] if n]
                for u in np.flatnonzero(p.base == 0):  # at the base's Jumlah input cell (its stated total first)
                    loc = next((where[k] for k in ((units[u], tier, f"{item.code}.{n}") for n in base_names)
                                if k in where), {"file": files.get(units[u])})
                    findings.append(Finding("zero_base", "error", unit_id=units[u], code=item.code, tier=tier,
                                            **loc, params={"denominator": base_label}))
    return findings


def _label(item, name: str | None) -> str:
    for inp in item.inputs:
        if inp.name == name:
            return inp.label.lstrip("- ").strip()
    return name or ""


def _base_label(item, policies: dict[str, str]) -> str:
    rule = item.rule
    if rule.denominator_total:
        return _label(item, rule.denominator_total)
    names = rule.denominator_choices[policies[rule.denominator_policy]] if rule.denominator_policy else rule.denominator
    return " + ".join(_label(item, n) for n in names)


def _fmt(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def check_cached(data: LkeData, policies: dict[str, str] | None = None) -> list[Finding]:
    """Each workbook cell whose cached value differs from the rubric's value for it, with both numbers."""
    cached = data.cached
    if cached.empty:
        return []
    findings = []
    absent = cached[[_not_stored(rec) for rec in cached.to_dict("records")]]
    for file, rows in absent.groupby("file", sort=False):  # once per file: its formulas hold no stored values
        findings.append(Finding("cached_absent", "info", file=str(file), sheet=rows["sheet"].iloc[0],
                                unit_id=rows["unit_id"].iloc[0] if rows["unit_id"].nunique() == 1 else None,
                                params={"found": len(rows)}))
    cached = cached.drop(index=absent.index)
    for tier, rows in cached.groupby("tier", sort=False):
        units = list(dict.fromkeys(rows["unit_id"]))
        scores = score_answers(data.answers[data.answers["tier"] == tier], data.rubric, tier=str(tier),
                               policies=policies, unit_ids=units)
        for rec in rows.to_dict("records"):
            measure = rec["measure"]
            try:  # indicators, components, areas and the total first: HBA is both an indicator and its item
                expected = cast(float, scores.measure(measure).at[rec["unit_id"]])  # NaN: no value
                what = f"nilai {measure}"
            except KeyError:
                if measure not in scores.items.columns:
                    continue
                expected = cast(float, scores.items.at[rec["unit_id"], measure])
                what = f"nilai butir {measure}"
            found = rec["value"]
            number = found if isinstance(found, (int, float)) and not isinstance(found, bool) else None
            if number is not None and (np.isnan(expected) or abs(float(number) - float(expected)) <= CACHED_TOLERANCE):
                continue
            if number is None and is_blank(found) and (  # "Blm Diisi": the workbook's own unanswered marker
                    np.isnan(expected) or expected == 0):
                continue
            shown = _fmt4(number) if number is not None else str(found) if found is not None else "kosong"
            findings.append(Finding("cached_mismatch", "error", file=rec["file"], sheet=rec["sheet"], cell=rec["cell"],
                                    unit_id=rec["unit_id"], code=None if measure == "total" else measure,
                                    tier=str(tier), params={"found": shown, "expected": _fmt4(expected), "what": what,
                                            "formula": rec.get("formula") or ""}))
    return findings


def _not_stored(rec: dict) -> bool:
    """A formula cell whose file stores no value for it (saved by a program that does not calculate formulas):
    nothing to compare, never a mismatch."""
    value = rec["value"]
    return bool(rec.get("formula")) and (value is None or (isinstance(value, float) and math.isnan(value)) or (
        isinstance(value, str) and not value.strip()))


def _fmt4(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "kosong"
    return f"{float(value):.4f}".replace(".", ",")


def validate(data: LkeData, policies: dict[str, str] | None = None) -> list[Finding]:
    """Every finding about ``data``: from reading, from values, and the structural checks above, sorted by place."""
    findings = [*data.findings, *check_unanswered(data), *check_jumlah(data, policies), *check_cached(data, policies)]
    return sorted(findings, key=_sort_key)


def _sort_key(f: Finding) -> tuple:
    row, col = 0, ""
    if f.cell:
        letters = "".join(ch for ch in f.cell if ch.isalpha())
        digits = "".join(ch for ch in f.cell if ch.isdigit())
        row, col = int(digits or 0), letters
    return (f.file or "", f.sheet or "", f.unit_id or "", row or (f.line or 0), len(col), col, f.code or "", f.kind)


