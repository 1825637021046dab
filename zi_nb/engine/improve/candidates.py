"""The unit being planned and its candidate improvements (step 1 of :mod:`zi_nb.engine.improve.plan`).

:class:`UnitScorer` holds one unit's item values and re-scores modified copies of them (many rows at once) with
:func:`zi_nb.engine.scoring.scores_from_values`. :func:`candidates_of` lists every better answer of every item the unit
can still improve: an option item below its best option, once per better option (the *effort* is the number of option
steps moved; a blank counts as one step below the worst option), and a ``%`` item below 100 % ("capai 100%", effort
1). Survey indices (``index`` answer type) are never candidates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from zi_nb.engine.rubric import Rubric
from zi_nb.engine.scoring import Plan, Scores, plan_for, scores_from_values

STEP_TOL = 1e-9  # values closer than this are the same option value


@dataclass(frozen=True)
class Candidate:
    """One better answer of one item."""

    item: int  # position in plan.items
    value: float  # value 0..1 after the change
    label: str  # answer after the change
    effort: int


class UnitScorer:
    """One unit's values and a re-scorer for modified copies of them."""

    def __init__(self, scores: Scores, unit_id: str) -> None:
        self.rubric: Rubric = scores.rubric
        self.plan: Plan = plan_for(self.rubric)
        self.policies = scores.policies
        self.tier = scores.tier
        self.unit_id = unit_id
        codes = [i.code for i in self.plan.items]
        self.values = scores.items.loc[unit_id].reindex(codes).to_numpy(dtype=float)
        self.numbers = scores.numbers.loc[unit_id].reindex(self.plan.codes).to_numpy(dtype=float)

    def apply(self, changes: dict[int, float], base: np.ndarray | None = None) -> np.ndarray:
        values = (self.values if base is None else base).copy()
        for item, value in changes.items():
            values[item] = value
        return values

    def rescore(self, rows: np.ndarray, ids: list[str] | None = None) -> Scores:
        rows = np.atleast_2d(rows)
        ids = ids or [self.unit_id] * rows.shape[0]
        return scores_from_values(self.rubric, self.tier, self.policies, ids, rows,
                                  np.broadcast_to(self.numbers, (rows.shape[0], self.numbers.shape[0])))


def ranked_options(rubric: Rubric, answer_type: str) -> list[tuple[str, float]]:
    """Options best first (stable for equal values: rubric order)."""
    options = list(rubric.answer_types[answer_type].options.items())
    return sorted(options, key=lambda kv: -kv[1])


def option_label(rubric: Rubric, answer_type: str, value: float) -> str | None:
    """The option label of a value (None when unanswered; the value itself when no option has it)."""
    if math.isnan(value):
        return None
    for label, v in ranked_options(rubric, answer_type):
        if abs(v - value) <= 1e-6:
            return label
    return f"{value:g}"


def candidates_of(unit: UnitScorer) -> list[Candidate]:
    """Every better answer of every improvable item, in rubric order then best answer first."""
    rubric = unit.rubric
    out: list[Candidate] = []
    for n, item in enumerate(unit.plan.items):
        kind = rubric.answer_types[item.answer_type].kind
        value = unit.values[n]
        if kind == "option":
            ranked = ranked_options(rubric, item.answer_type)
            if math.isnan(value):
                current = len(ranked)  # a blank sits one step below the worst option
            else:
                current = sum(1 for _, v in ranked if v > value + STEP_TOL)
            for position, (label, v) in enumerate(ranked[:current]):
                if math.isnan(value) or v > value + STEP_TOL:
                    out.append(Candidate(n, float(v), label, current - position))
        elif kind == "ratio" and (math.isnan(value) or value < 1.0 - STEP_TOL):
            out.append(Candidate(n, 1.0, "100%", 1))
    return out


def measure_values(scores: Scores, measures: list[str]) -> np.ndarray:
    """(n_rows, n_criteria) values of each criterion's measure."""
    return np.column_stack([scores.measure(m).to_numpy(dtype=float) for m in measures])
