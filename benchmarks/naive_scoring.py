"""A naive scorer: a plain Python loop per unit, per indicator, per item, following ZI-RULES literally.

It is the baseline of the benchmark (``bench_foundation.py``) and an independent oracle for the tests, written without
the vectorised engine's matrices so that the two can disagree.
"""

from __future__ import annotations

import math

import pandas as pd

from zi_nb.engine.rubric import Rubric


def _value(rubric: Rubric, item, answers: dict, policies: dict) -> float | None:
    at = rubric.answer_types[item.answer_type]
    if at.kind == "option":
        a = answers.get(item.code)
        return at.options.get(a) if isinstance(a, str) else None
    if at.kind == "index":
        n = answers.get(item.code)
        return None if n is None else min(max(n, at.minimum), at.maximum) / at.maximum
    inputs = {i.name: answers.get(f"{item.code}.{i.name}") for i in item.inputs}
    if all(v is None for v in inputs.values()):
        n = answers.get(item.code)
        if n is None:
            return None
        n = n / 100 if n > 1 else n
        return min(max(n, 0.0), 1.0)
    rule = item.rule
    if rule.kind == "decrease":
        prev, cur = inputs[rule.previous], inputs[rule.current]
        if prev is None or cur is None:
            return None
        if prev == 0:
            return 1.0 if cur == 0 else 0.0
        return max(0.0, (prev - cur) / prev)
    num = inputs[rule.numerator]
    names = rule.denominator_choices[policies[rule.denominator_policy]] if rule.denominator_policy else rule.denominator
    parts = [inputs[n] for n in names]
    base = None if any(p is None for p in parts) else sum(parts)
    if rule.denominator_total and inputs[rule.denominator_total] is not None:
        base = inputs[rule.denominator_total]
    if base is None:
        return None
    if base == 0:
        if rule.zero_base_policy and policies[rule.zero_base_policy] == "one":
            return 1.0
        return None
    if num is None:
        return None
    return max(0.0, min(1.0, num / base))


def naive_scores(answers: pd.DataFrame, rubric: Rubric, policies: dict | None = None) -> dict[str, dict]:
    """unit_id -> {"total", component codes, indicator codes, "items": {code: value}} for a one-tier frame."""
    policies = rubric.policy_values(policies)
    per_unit: dict[str, dict] = {}
    for row in answers.itertuples():
        value = row.answer if isinstance(row.answer, str) else (
            None if row.number is None or math.isnan(row.number) else float(row.number))
        per_unit.setdefault(row.unit_id, {})[row.code] = value
    out = {}
    for unit_id, ans in per_unit.items():
        result: dict = {"items": {}}
        comp_totals = {c.code: 0.0 for c in rubric.components}
        for ind in rubric.indicators:
            values = []
            count = 0
            for item in rubric.items:
                if item.indicator != ind.code:
                    continue
                count += 1
                v = _value(rubric, item, ans, policies)
                result["items"][item.code] = v
                if v is not None:
                    values.append(v)
            if policies["unanswered"] == "zero":
                avg = sum(values) / count if count else 0.0
            else:
                avg = sum(values) / len(values) if values else 0.0
            result[ind.code] = avg * ind.weight
            comp = ind.component
            while comp is not None:
                comp_totals[comp] += result[ind.code]
                comp = rubric.component_by_code[comp].parent
        result.update(comp_totals)
        result["total"] = sum(comp_totals[c.code] for c in rubric.top_components())
        out[unit_id] = result
    return out
