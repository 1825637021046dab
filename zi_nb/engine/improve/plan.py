"""What it takes to reach the next predikat: the smallest set of LKE item improvements for one unit.

For one unit (one tier's :class:`~zi_nb.engine.scoring.Scores`) :func:`plan_improvements` says which items to answer
better so that the unit meets every criterion of the target predikat (WBK for a unit that meets none, WBBM for a
unit that meets WBK, or a target given by the caller), and which criteria cannot be met through LKE answers at all.

The method, in plain words:

1. **Candidates.** Every item the unit can still improve is a candidate, once per better answer: an option item
   below its best option (C -> B and C -> A are two candidates; the *effort* is the number of option steps moved,
   so C -> A costs 2), an unanswered option item (a blank counts as one step below the worst option, so answering
   it with A in A/B/C costs 3), and a ``%`` item below 100 % ("capai 100%", effort 1). Survey indices (``index``
   answer type: HBA/IPAK, HPA/IPKP) are results of external surveys, never candidates. Capaian kinerja (HBB) is an
   option item and is a candidate like any other.
2. **Out of reach.** With every candidate at its best answer at once, every measure is at its maximum. A criterion
   still not met then cannot be met through LKE answers: it is reported with the points missing and, when a single
   survey index decides it, the index needed (e.g. "IPAK minimal 3,60; saat ini 3,42; kurang 0,18"). Those criteria
   leave the program; the others are still planned.
3. **Gains.** Each candidate is applied alone to the unit and the unit is re-scored by :mod:`zi_nb.engine.scoring` (all
   candidates at once, one row each), so its gain on every criterion's measure is exact on its own, with the
   policies of the scores (``unanswered``: answering a blank item changes its indicator's denominator under
   ``exclude``; ``area_minimum``: the area criterion per area or per Pemenuhan/Reform part).
4. **Integer program.** Binary ``x[item, option]``, at most one option per item; for every criterion, the sum of
   the chosen gains must cover the deficit (minimum - value). The aim is the fewest items, then the least total
   effort, then the earliest items in rubric order (deterministic ties): the same optimum as minimising
   ``BIG x items + effort`` with BIG above any possible effort, solved as three small lexicographic programs with
   :func:`scipy.optimize.milp` (HiGHS, zero optimality gap). Gains add up exactly as long as an indicator's number
   of answered items stays fixed. Under ``unanswered=exclude`` answering a blank item changes that number, so an
   indicator where a blank may be answered together with another change is modelled exactly instead: one binary
   per possible number of blanks answered and a linearised product, giving the indicator as
   ``weight x (sum of values) / (answered items)``.
5. **Verification.** The chosen changes are applied together and the unit is re-scored and re-evaluated
   (:func:`zi_nb.engine.predicate.evaluate`). Should a criterion still not be met (a case the exact model should never
   produce), its requirement is raised by the gain the program over-counted and the program is solved again; after
   a few rounds, or if the program becomes infeasible, an exact greedy completion takes over (adding the change
   that removes the most missing points, re-scoring every step). The result is then pruned by exact re-scoring
   (changes not needed dropped, answers lowered to the cheapest that suffices). The plan returned is always the
   verified one: ``criteria_after`` is that re-evaluation.

Each :class:`Change` reports its gain on the total in the order of the list (rubric order), so the gains add up
to ``total_after`` minus the current total.

This module holds the public API (:func:`plan_improvements`, :class:`ImprovementPlan`, :class:`Change`,
:class:`OutOfReach`), the overall flow (step 2 and the final re-evaluation) and the report texts (changes in order,
the reasons a criterion is out of reach). Step 1 lives in :mod:`zi_nb.engine.improve.candidates` (the unit's
re-scorer and its candidates), steps 3 to 5 in :mod:`zi_nb.engine.improve.milp` (gains, integer program,
verification, greedy completion, pruning).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from zi_nb.common.fmt import num as fmt_num
from zi_nb.engine.improve.candidates import Candidate, UnitScorer, candidates_of, measure_values, option_label
from zi_nb.engine.improve.milp import MAX_ROUNDS, choose
from zi_nb.engine.predicate import evaluate
from zi_nb.engine.rubric import TOLERANCE, Rubric
from zi_nb.engine.scoring import Scores
from zi_nb.errors import ParameterError

__all__ = ["MAX_ROUNDS", "Change", "ImprovementPlan", "OutOfReach", "plan_improvements"]


@dataclass
class Change:
    """One item to improve.

    Attributes:
        code: item code (``PPA3A``).
        indicator: its indicator code.
        question: the item's question.
        answer_from: current answer (option label, ``"86%"``), None when unanswered.
        answer_to: answer to reach (option label, or ``"100%"``).
        value_from: current value 0..1, None when unanswered.
        value_to: value 0..1 after the change.
        gain: points added to the total by this change, applied after the changes before it in the plan's list.
    """

    code: str
    indicator: str
    question: str
    answer_from: str | None
    answer_to: str
    value_from: float | None
    value_to: float
    gain: float


@dataclass
class OutOfReach:
    """A criterion of the target that LKE answers alone cannot meet.

    Attributes:
        criterion: criterion code (``ipak``, ``total``, ``area_A``...).
        name: its name.
        value: the unit's current value of the measure.
        minimum: the criterion's minimum.
        shortfall: points still missing with every LKE item at its best answer.
        reason: explanation in Bahasa Indonesia, with the survey index needed when one survey decides it.
        index_needed: the survey index (0..4) needed when a single survey index decides the criterion, else None.
    """

    criterion: str
    name: str
    value: float
    minimum: float
    shortfall: float
    reason: str
    index_needed: float | None


@dataclass
class ImprovementPlan:
    """The verified plan of one unit towards one predikat.

    Attributes:
        unit_id: the unit.
        target: the predikat aimed at (``WBK``, ``WBBM``).
        already_met: the unit meets every criterion of the target now (no changes).
        reachable: the changes meet every criterion of the target (False when a criterion is out of reach).
        changes: the items to improve, in rubric order.
        out_of_reach: criteria that LKE answers alone cannot meet.
        total_after: the total after the changes.
        criteria_after: the target's criteria re-evaluated after the changes (columns of
            :data:`zi_nb.engine.predicate.CRITERIA_COLUMNS`).
    """

    unit_id: str
    target: str
    already_met: bool
    reachable: bool
    changes: list[Change]
    out_of_reach: list[OutOfReach]
    total_after: float
    criteria_after: pd.DataFrame


def plan_improvements(scores: Scores, unit_id: str, target: str | None = None) -> ImprovementPlan:
    """The fewest item improvements (then the least effort) that make ``unit_id`` meet every criterion of ``target``.

    Args:
        scores: one tier's scores (:func:`zi_nb.engine.scoring.score_answers` or
            :func:`zi_nb.engine.results.compute`); its policies (``unanswered``, ``area_minimum``...) are respected.
        unit_id: the unit to plan for.
        target: the predikat to reach; default: the next one above the highest whose criteria the unit meets now
            (WBK for a unit that meets none, WBBM for a unit that meets WBK; WBBM again for a WBBM unit).

    Returns:
        The verified :class:`ImprovementPlan` (see the module docstring for the method).
    """
    if unit_id not in scores.total.index:
        raise ParameterError(f"Unit '{unit_id}' tidak ada dalam skor tier {scores.tier}")
    unit = UnitScorer(scores, unit_id)
    rubric = unit.rubric
    base = unit.rescore(unit.values)
    evaluation = evaluate(base)
    order = [p.code for p in rubric.predicates]
    if target is None:
        held = evaluation.by_criteria.iloc[0]
        position = order.index(held) if held in order else -1
        target = order[min(position + 1, len(order) - 1)]
    elif target not in order:
        raise ParameterError(f"Predikat '{target}' tidak dikenal; pilihan: " + ", ".join(order))
    criteria = evaluation.criteria[evaluation.criteria["predicate"] == target].reset_index(drop=True)
    total_now = float(base.total.iloc[0])
    if bool(criteria["met"].all()):
        return ImprovementPlan(unit_id, target, True, True, [], [], total_now, criteria)

    candidates = candidates_of(unit)
    measures = list(criteria["measure"])
    minimum = criteria["minimum"].to_numpy(dtype=float)
    now = criteria["value"].to_numpy(dtype=float)

    # 2. all candidates at their best at once: the maximum of every measure through LKE answers
    best: dict[int, float] = {}
    for cand in candidates:
        best[cand.item] = max(best.get(cand.item, -1.0), cand.value)
    best_values = unit.apply(best)
    best_measures = measure_values(unit.rescore(best_values), measures)[0]
    in_reach = best_measures >= minimum - TOLERANCE
    out_of_reach = [_out_of_reach(unit, criteria.iloc[c], best_values, float(best_measures[c]))
                    for c in range(len(measures)) if not in_reach[c]]

    # 3.-5. gains, integer program, verification
    needed = in_reach & (now < minimum - TOLERANCE)
    chosen = choose(unit, base, candidates, measures, now, minimum, in_reach) if needed.any() else {}

    final_values = unit.apply({i: c.value for i, c in chosen.items()})
    after = unit.rescore(final_values)
    ev_after = evaluate(after)
    criteria_after = ev_after.criteria[ev_after.criteria["predicate"] == target].reset_index(drop=True)
    met_after = criteria_after["met"].to_numpy(dtype=bool)
    reachable = not out_of_reach and bool(met_after.all())
    changes = _changes(unit, [chosen[i] for i in sorted(chosen)])
    return ImprovementPlan(unit_id, target, False, reachable, changes, out_of_reach, float(after.total.iloc[0]),
                           criteria_after)


# -- reporting --------------------------------------------------------------------------------------------------------
def _changes(unit: UnitScorer, chosen: list[Candidate]) -> list[Change]:
    """Changes in rubric order, each with its gain on the total applied after the ones before it."""
    if not chosen:
        return []
    rows = [unit.values]
    for cand in chosen:
        rows.append(unit.apply({cand.item: cand.value}, rows[-1]))
    totals = unit.rescore(np.stack(rows)).total.to_numpy(dtype=float)
    out = []
    for n, cand in enumerate(chosen):
        item = unit.plan.items[cand.item]
        value = unit.values[cand.item]
        kind = unit.rubric.answer_types[item.answer_type].kind
        if math.isnan(value):
            answer_from = None
        elif kind == "ratio":
            answer_from = fmt_num(value * 100, 0 if float(value * 100).is_integer() else 1) + "%"
        else:
            answer_from = option_label(unit.rubric, item.answer_type, value)
        out.append(Change(item.code, item.indicator, item.question, answer_from, cand.label,
                          None if math.isnan(value) else float(value), cand.value,
                          float(totals[n + 1] - totals[n])))
    return out


def _survey_items(unit: UnitScorer) -> list[int]:
    return [n for n, item in enumerate(unit.plan.items)
            if unit.rubric.answer_types[item.answer_type].kind == "index"]


def _survey_label(rubric: Rubric, code: str, indicator: str) -> str:
    """A short name of a survey index from the rubric's criteria names (``Survei IPAK (HBA)`` -> ``IPAK``)."""
    for pred in rubric.predicates:
        for crit in pred.criteria:
            if crit.measure in (code, indicator):
                for word in re.findall(r"\b[A-Z]{3,}\b", crit.name):
                    if word != code:
                        return word
    return code


def _ceil2(value: float) -> float:
    return math.ceil(round(value * 100, 6)) / 100


def _out_of_reach(unit: UnitScorer, criterion: pd.Series, best_values: np.ndarray, best: float) -> OutOfReach:
    """Why a criterion cannot be met through LKE answers, with the survey index needed when one survey decides."""
    minimum, value = float(criterion["minimum"]), float(criterion["value"])
    shortfall = float(minimum - best)
    surveys = _survey_items(unit)
    rows = []
    for n in surveys:
        rows += [unit.apply({n: 0.0}, best_values), unit.apply({n: 1.0}, best_values)]
    slope: dict[int, float] = {}
    if rows:
        m = measure_values(unit.rescore(np.stack(rows)), [str(criterion["measure"])])[:, 0]
        slope = {n: float(m[2 * j + 1] - m[2 * j]) for j, n in enumerate(surveys) if m[2 * j + 1] - m[2 * j] > 1e-12}
    name = str(criterion["name"])
    points = f"{name}: minimal {fmt_num(minimum)}, saat ini {fmt_num(value)}"
    if len(slope) == 1:
        (n, per_unit), = slope.items()
        item = unit.plan.items[n]
        at = unit.rubric.answer_types[item.answer_type]
        label = _survey_label(unit.rubric, item.code, item.indicator)
        current = unit.values[n] if not math.isnan(unit.values[n]) else 0.0
        needed_value = current + shortfall / per_unit
        index_needed = round(float(needed_value) * at.maximum, 9)
        index_now = float(current) * at.maximum
        survey = (f"{label} minimal {fmt_num(_ceil2(index_needed))}; saat ini {fmt_num(index_now)}; "
                  f"kurang {fmt_num(max(_ceil2(index_needed) - round(index_now, 2), 0.0))}")
        if index_needed > at.maximum + 1e-9:
            survey += f" (melebihi nilai maksimum {fmt_num(at.maximum)}: tidak mungkin tercapai)"
        lke = "" if math.isclose(best, value, abs_tol=1e-9) else ", walaupun semua butir LKE bernilai terbaik"
        reason = (f"{points}; kurang {fmt_num(shortfall)} poin{lke}. {label} ({item.code}) adalah hasil survei "
                  f"eksternal, tidak dapat diperbaiki melalui jawaban LKE: {survey}.")
        return OutOfReach(str(criterion["criterion"]), name, value, minimum, shortfall, reason, index_needed)
    if slope:
        labels = ", ".join(f"{_survey_label(unit.rubric, unit.plan.items[n].code, unit.plan.items[n].indicator)} "
                           f"({unit.plan.items[n].code})" for n in slope)
        reason = (f"{points}; walaupun semua butir LKE bernilai terbaik nilainya {fmt_num(best)}, kurang "
                  f"{fmt_num(shortfall)} poin yang hanya dapat dipenuhi dari survei eksternal {labels}.")
    else:
        reason = (f"{points}; walaupun semua butir LKE bernilai terbaik nilainya {fmt_num(best)}, kurang "
                  f"{fmt_num(shortfall)} poin.")
    return OutOfReach(str(criterion["criterion"]), name, value, minimum, shortfall, reason, None)
