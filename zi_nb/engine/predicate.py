"""Predikat: every WBK / WBBM criterion of the rubric checked for every unit, with value, minimum, margin, met.

A unit meets a predikat only when it meets every criterion (unrounded values, tolerance
:data:`zi_nb.engine.rubric.TOLERANCE`). The predikat of a unit is the highest one (last in the rubric's list) whose
criteria are all met, else ``TIDAK``. The ``area`` criterion expands to each area as a share of its weight: combined
Pemenuhan + Reform (policy ``area_minimum=combined``) or each part separately (``per_part``). A predikat with a
prerequisite (WBBM requires WBK) records whether the unit's current predikat satisfies it; with policy
``prerequisite=enforce`` a unit that does not (or whose current predikat is unknown) is not given it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zi_nb.engine.rubric import TOLERANCE, Criterion, Predicate
from zi_nb.engine.scoring import Scores

NONE = "TIDAK"
CRITERIA_COLUMNS = ["unit_id", "predicate", "criterion", "name", "measure", "value", "minimum", "margin", "met"]


@dataclass
class Evaluation:
    """Predikat of many units.

    Attributes:
        criteria: long frame, one row per (unit, predicate, criterion) (:data:`CRITERIA_COLUMNS`).
        predicate: the predikat of each unit (index unit_id): ``WBBM``, ``WBK`` or ``TIDAK``.
        by_criteria: the highest predikat whose criteria are all met, ignoring prerequisites.
        prerequisites: long frame (unit_id, predicate, requires, current_predicate, met; met is None if unknown).
    """

    criteria: pd.DataFrame
    predicate: pd.Series
    by_criteria: pd.Series
    prerequisites: pd.DataFrame


def _expand(scores: Scores, criterion: Criterion) -> list[tuple[str, str, str, pd.Series, float]]:
    """(code, name, measure, values, minimum) for one criterion; ``area`` expands per area (and part)."""
    if criterion.measure != "area":
        return [(criterion.code, criterion.name, criterion.measure, scores.measure(criterion.measure),
                 float(criterion.minimum))]  # type: ignore[arg-type]
    ratio = float(criterion.minimum_ratio)  # type: ignore[arg-type]
    rubric = scores.rubric
    per_part = scores.policies.get("area_minimum", "combined") == "per_part"
    out = []
    for area in rubric.areas:
        if per_part:
            for comp, weight in area.weights.items():
                comp_name = rubric.component_by_code[comp].name
                out.append((f"area_{area.code}_{comp.lower()}", f"Area {area.code} {area.name} ({comp_name})",
                            f"{comp}:{area.code}", scores.areas[f"{comp}:{area.code}"], ratio * weight))
        else:
            weight = sum(area.weights.values())
            out.append((f"area_{area.code}", f"Area {area.code} {area.name}", area.code, scores.areas[area.code],
                        ratio * weight))
    return out


def _current_satisfies(current: pd.Series, requires: str, order: list[str]) -> pd.Series:
    """True/False per unit whether its current predikat is ``requires`` or higher; None when unknown."""
    rank = {code: n for n, code in enumerate(order)}
    needed = rank[requires]

    def check(value: object) -> object:
        if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
            return None
        text = str(value).strip().upper().replace("MENUJU", "").strip()
        return rank.get(text, -1) >= needed

    return current.map(check)


def evaluate(scores: Scores, current_predicate: pd.Series | None = None) -> Evaluation:
    """Check every criterion of every predikat of the rubric for every unit of ``scores``.

    Args:
        scores: the result of :func:`zi_nb.engine.scoring.score_answers`.
        current_predicate: the predikat each unit holds now (index unit_id), for prerequisites.
    """
    rubric = scores.rubric
    units = pd.Index(scores.unit_ids, name="unit_id")
    current = (current_predicate.reindex(units) if current_predicate is not None
               else pd.Series([None] * len(units), index=units, dtype=object))
    order = [p.code for p in rubric.predicates]
    # columns gathered as arrays and framed once: one small DataFrame per criterion cost ~1 ms each, which
    # dominated single-unit reports (bulk runs evaluate one unit at a time)
    columns: dict[str, list] = {c: [] for c in CRITERIA_COLUMNS}
    prereq_frames = []
    met_all: dict[str, pd.Series] = {}
    eligible: dict[str, pd.Series] = {}
    n = len(units)
    for pred in rubric.predicates:
        met_pred = np.ones(n, dtype=bool)
        for crit in pred.criteria:
            for code, name, measure, values, minimum in _expand(scores, crit):
                value = values.to_numpy(dtype=float)
                met = value >= minimum - TOLERANCE
                met_pred &= met
                for column, part in (("unit_id", units.to_numpy()), ("predicate", [pred.code] * n),
                                     ("criterion", [code] * n), ("name", [name] * n), ("measure", [measure] * n),
                                     ("value", value), ("minimum", np.full(n, minimum)),
                                     ("margin", value - minimum), ("met", met)):
                    columns[column].append(part)
        met_all[pred.code] = pd.Series(met_pred, index=units)
        eligible[pred.code] = met_all[pred.code].copy()
        if pred.requires:
            ok = _current_satisfies(current, pred.requires, order)
            prereq_frames.append(pd.DataFrame({"unit_id": units, "predicate": pred.code, "requires": pred.requires,
                                               "current_predicate": current.to_numpy(), "met": ok.to_numpy()}))
            if scores.policies.get("prerequisite", "record") == "enforce":
                eligible[pred.code] = ok.eq(True) & met_pred  # None counts as not met
    return Evaluation(
        criteria=(pd.DataFrame({c: np.concatenate(parts) for c, parts in columns.items()})
                  if columns["unit_id"] else pd.DataFrame(columns=CRITERIA_COLUMNS)),
        predicate=_highest(eligible, units, rubric.predicates),
        by_criteria=_highest(met_all, units, rubric.predicates),
        prerequisites=(pd.concat(prereq_frames, ignore_index=True) if prereq_frames
                       else pd.DataFrame(columns=["unit_id", "predicate", "requires", "current_predicate", "met"])),
    )


def _highest(met: dict[str, pd.Series], units: pd.Index, predicates: list[Predicate]) -> pd.Series:
    result = np.full(len(units), NONE, dtype=object)
    for pred in predicates:  # ascending: later predicates override earlier ones
        result[met[pred.code].to_numpy(dtype=bool)] = pred.code
    return pd.Series(result, index=units, dtype=object, name="predicate")
