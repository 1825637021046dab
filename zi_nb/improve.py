"""What it takes to reach the next predikat: the smallest set of LKE item improvements for one unit.

For one unit (one tier's :class:`~zi_nb.scoring.Scores`) :func:`plan_improvements` says which items to answer
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
3. **Gains.** Each candidate is applied alone to the unit and the unit is re-scored by :mod:`zi_nb.scoring` (all
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
   (:func:`zi_nb.predicate.evaluate`). Should a criterion still not be met (a case the exact model should never
   produce), its requirement is raised by the gain the program over-counted and the program is solved again; after
   a few rounds, or if the program becomes infeasible, an exact greedy completion takes over (adding the change
   that removes the most missing points, re-scoring every step). The result is then pruned by exact re-scoring
   (changes not needed dropped, answers lowered to the cheapest that suffices). The plan returned is always the
   verified one: ``criteria_after`` is that re-evaluation.

Each :class:`Change` reports its gain on the total in the order of the list (rubric order), so the gains add up
to ``total_after`` minus the current total.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from .errors import ParameterError
from .fmt import num as fmt_num
from .predicate import evaluate
from .rubric import TOLERANCE, Rubric
from .scoring import Plan, Scores, plan_for, scores_from_values

MAX_ROUNDS = 6  # re-solves after a failed verification before the greedy completion takes over
_STEP_TOL = 1e-9  # values closer than this are the same option value


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
            :data:`zi_nb.predicate.CRITERIA_COLUMNS`).
    """

    unit_id: str
    target: str
    already_met: bool
    reachable: bool
    changes: list[Change]
    out_of_reach: list[OutOfReach]
    total_after: float
    criteria_after: pd.DataFrame


@dataclass(frozen=True)
class _Candidate:
    item: int  # position in plan.items
    value: float  # value 0..1 after the change
    label: str  # answer after the change
    effort: int


class _Unit:
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


def plan_improvements(scores: Scores, unit_id: str, target: str | None = None) -> ImprovementPlan:
    """The fewest item improvements (then the least effort) that make ``unit_id`` meet every criterion of ``target``.

    Args:
        scores: one tier's scores (:func:`zi_nb.scoring.score_answers` or :func:`zi_nb.results.compute`); its
            policies (``unanswered``, ``area_minimum``...) are respected.
        unit_id: the unit to plan for.
        target: the predikat to reach; default: the next one above the highest whose criteria the unit meets now
            (WBK for a unit that meets none, WBBM for a unit that meets WBK; WBBM again for a WBBM unit).

    Returns:
        The verified :class:`ImprovementPlan` (see the module docstring for the method).
    """
    if unit_id not in scores.total.index:
        raise ParameterError(f"Unit '{unit_id}' tidak ada dalam skor tier {scores.tier}")
    unit = _Unit(scores, unit_id)
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

    candidates = _candidates(unit)
    measures = list(criteria["measure"])
    minimum = criteria["minimum"].to_numpy(dtype=float)
    now = criteria["value"].to_numpy(dtype=float)

    # 2. all candidates at their best at once: the maximum of every measure through LKE answers
    best: dict[int, float] = {}
    for cand in candidates:
        best[cand.item] = max(best.get(cand.item, -1.0), cand.value)
    best_values = unit.apply(best)
    best_measures = _measures(unit.rescore(best_values), measures)[0]
    in_reach = best_measures >= minimum - TOLERANCE
    out_of_reach = [_out_of_reach(unit, criteria.iloc[c], best_values, float(best_measures[c]))
                    for c in range(len(measures)) if not in_reach[c]]

    # 3.-5. gains, integer program, verification
    needed = in_reach & (now < minimum - TOLERANCE)
    chosen = _choose(unit, base, candidates, measures, now, minimum, in_reach) if needed.any() else {}

    final_values = unit.apply({i: c.value for i, c in chosen.items()})
    after = unit.rescore(final_values)
    ev_after = evaluate(after)
    criteria_after = ev_after.criteria[ev_after.criteria["predicate"] == target].reset_index(drop=True)
    met_after = criteria_after["met"].to_numpy(dtype=bool)
    reachable = not out_of_reach and bool(met_after.all())
    changes = _changes(unit, [chosen[i] for i in sorted(chosen)])
    return ImprovementPlan(unit_id, target, False, reachable, changes, out_of_reach, float(after.total.iloc[0]),
                           criteria_after)


def _choose(unit: _Unit, base: Scores, candidates: list[_Candidate], measures: list[str], now: np.ndarray,
            minimum: np.ndarray, in_reach: np.ndarray) -> dict[int, _Candidate]:
    """The verified changes (item position -> candidate) that meet every criterion within reach."""
    if not candidates:
        return {}
    needed = in_reach & (now < minimum - TOLERANCE)
    alone = unit.rescore(np.stack([unit.apply({c.item: c.value}) for c in candidates]))  # each candidate alone
    gains = _measures(alone, measures) - now
    useful = (gains[:, needed] > TOLERANCE).any(axis=1)  # a useful change never lowers a measure (see _groups)
    if not useful.any():
        return {}
    kept = [c for c, u in zip(candidates, useful) if u]
    lifts = (alone.indicators.to_numpy() - base.indicators.to_numpy())[useful]
    gains = gains[useful][:, in_reach]
    check = _Check(unit, [m for m, r in zip(measures, in_reach) if r], minimum[in_reach])
    return _solve(_Model(kept, gains, (minimum - now)[in_reach], _groups(unit, kept, gains, lifts)), check)


# -- candidates -----------------------------------------------------------------------------------------------------
def _ranked_options(rubric: Rubric, answer_type: str) -> list[tuple[str, float]]:
    """Options best first (stable for equal values: rubric order)."""
    options = list(rubric.answer_types[answer_type].options.items())
    return sorted(options, key=lambda kv: -kv[1])


def _option_label(rubric: Rubric, answer_type: str, value: float) -> str | None:
    if math.isnan(value):
        return None
    for label, v in _ranked_options(rubric, answer_type):
        if abs(v - value) <= 1e-6:
            return label
    return f"{value:g}"


def _candidates(unit: _Unit) -> list[_Candidate]:
    """Every better answer of every improvable item, in rubric order then best answer first."""
    rubric = unit.rubric
    out: list[_Candidate] = []
    for n, item in enumerate(unit.plan.items):
        kind = rubric.answer_types[item.answer_type].kind
        value = unit.values[n]
        if kind == "option":
            ranked = _ranked_options(rubric, item.answer_type)
            if math.isnan(value):
                current = len(ranked)  # a blank sits one step below the worst option
            else:
                current = sum(1 for _, v in ranked if v > value + _STEP_TOL)
            for position, (label, v) in enumerate(ranked[:current]):
                if math.isnan(value) or v > value + _STEP_TOL:
                    out.append(_Candidate(n, float(v), label, current - position))
        elif kind == "ratio" and (math.isnan(value) or value < 1.0 - _STEP_TOL):
            out.append(_Candidate(n, 1.0, "100%", 1))
    return out


def _measures(scores: Scores, measures: list[str]) -> np.ndarray:
    """(n_rows, n_criteria) values of each criterion's measure."""
    return np.column_stack([scores.measure(m).to_numpy(dtype=float) for m in measures])


# -- the integer program ----------------------------------------------------------------------------------------------
@dataclass
class _Group:
    """An indicator whose changes interact: under ``unanswered=exclude`` answering a blank item raises the
    indicator's denominator, so the indicator is modelled exactly, by the number of blanks answered."""

    members: np.ndarray  # candidate positions in this indicator
    increment: np.ndarray  # per member: added to the indicator's sum of values (new - old; new for a blank)
    blank: np.ndarray  # per member: answers a blank item
    blanks: int  # blank items among the members (each answered at most once)
    answered: int  # items answered now
    value_sum: float  # their sum of values now
    weight: float
    per_point: np.ndarray  # (n_criteria,) change of each criterion's measure per point of this indicator
    bound: float  # largest possible increment of the sum of values


@dataclass
class _Model:
    candidates: list[_Candidate]
    gains: np.ndarray  # (n_candidates, n_criteria) exact gain of each candidate alone
    deficit: np.ndarray  # (n_criteria,) minimum - value now
    groups: list[_Group]


def _groups(unit: _Unit, candidates: list[_Candidate], gains: np.ndarray, lifts: np.ndarray) -> list[_Group]:
    """Indicators where gains do not add up: policy ``exclude``, a blank item among the candidates and at least two
    candidate items. Everywhere else a change's gain does not depend on other changes (each indicator is
    ``weight x average``, every measure a sum of indicators), and no useful change ever lowers a measure: an
    improved or answered item (above the current average, else it is not useful) raises its indicator."""
    if unit.policies.get("unanswered", "exclude") == "zero":
        return []
    plan = unit.plan
    column = {code: n for n, code in enumerate(plan.indicator_codes)}
    where = np.array([column[plan.items[c.item].indicator] for c in candidates])
    blank = np.array([math.isnan(unit.values[c.item]) for c in candidates])
    answered = ~np.isnan(unit.values)
    groups = []
    for ind in np.unique(where[blank]):
        members = np.flatnonzero(where == ind)
        if len({candidates[m].item for m in members}) < 2:
            continue
        in_ind = plan.item_indicator[:, ind] > 0
        old = np.array([0.0 if blank[m] else unit.values[candidates[m].item] for m in members])
        increment = np.array([candidates[m].value for m in members]) - old
        top = max(members, key=lambda m: lifts[m, ind])
        best_per_item: dict[int, float] = {}
        for m, inc in zip(members, increment):
            best_per_item[candidates[m].item] = max(best_per_item.get(candidates[m].item, 0.0), float(inc))
        blanks = len({candidates[m].item for m in members[blank[members]]})
        groups.append(_Group(members, increment, blank[members], blanks, int((answered & in_ind).sum()),
                             float(np.nansum(np.where(in_ind, unit.values, np.nan))),
                             float(plan.indicator_weight[ind]), gains[top] / lifts[top, ind],
                             sum(best_per_item.values())))
    return groups


def _solve(model: _Model, check: _Check) -> dict[int, _Candidate]:
    """Solve, verify by re-scoring, tighten and re-solve; fall back to an exact greedy completion. The verified
    result is then pruned exactly (changes not needed dropped, answers lowered to the cheapest that suffices); with
    an exact program that finds nothing, it is a safety net."""
    candidates = model.candidates
    lower = model.deficit.astype(float) - TOLERANCE / 2
    chosen: dict[int, _Candidate] = {}
    for _ in range(MAX_ROUNDS):
        solved = _program(model, lower)
        if solved is None:
            break
        x, predicted = solved
        chosen = {candidates[j].item: candidates[j] for j in np.flatnonzero(x)}
        actual = check.values([chosen])[0]
        failed = actual < check.minimum - TOLERANCE
        if not failed.any():
            return _prune(check, candidates, chosen)
        achieved = actual - (check.minimum - model.deficit)
        lower = np.where(failed, lower + np.maximum(predicted - achieved, check.minimum - actual) + 1e-7, lower)
    return _prune(check, candidates, _greedy(check, candidates, chosen))


class _Check:
    """Exact re-scoring of sets of changes against the criteria of the program."""

    def __init__(self, unit: _Unit, measures: list[str], minimum: np.ndarray) -> None:
        self.unit, self.measures, self.minimum = unit, measures, minimum
        self.scale = np.maximum(np.abs(minimum), 1.0)

    def values(self, states: list[dict[int, _Candidate]]) -> np.ndarray:
        rows = np.stack([self.unit.apply({i: c.value for i, c in state.items()}) for state in states])
        return _measures(self.unit.rescore(rows), self.measures)

    def missing(self, states: list[dict[int, _Candidate]]) -> np.ndarray:
        """Per state, the points still missing (relative to each minimum); 0 when every criterion is met."""
        short = np.maximum(self.minimum - TOLERANCE - self.values(states), 0.0)
        return (short / self.scale).sum(axis=1)


def _program(model: _Model, lower: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The integer program, solved lexicographically: fewest items, then least effort, then earliest in the rubric.

    Variables: binary ``x`` per candidate; per interacting indicator (:class:`_Group`) a binary ``y[m]`` per number
    ``m`` of blanks answered (exactly one is 1, and ``sum m y[m]`` = blanks answered) and a continuous ``t[m]`` <=
    ``bound y[m]`` with ``sum t`` <= the sum of the chosen increments, so that the indicator is exactly
    ``sum_m weight (value_sum y[m] + t[m]) / (answered + m)``. Three small solves with integer objectives (exact
    optimum, ``mip_rel_gap=0``) are much faster than one weighted ``BIG x items + effort + tie-break`` objective.

    Returns (chosen candidates as a boolean vector, predicted gain per criterion), or None when infeasible.
    """
    candidates, groups = model.candidates, model.groups
    k = len(candidates)
    sizes = [g.blanks + 1 for g in groups]  # m = 0..number of blank items that may be answered
    n = k + 2 * sum(sizes)
    crit = np.zeros((len(lower), n))
    offset = np.zeros(len(lower))
    grouped = np.zeros(k, dtype=bool)
    rows, lows, highs = [], [], []

    def row(coefs: dict[int, float] | np.ndarray, lo: float, hi: float) -> None:
        r = np.zeros(n)
        if isinstance(coefs, dict):
            for col, v in coefs.items():
                r[col] += v
        else:
            r[:] = coefs
        rows.append(r)
        lows.append(lo)
        highs.append(hi)

    items = sorted({c.item for c in candidates})
    for item in items:  # at most one answer per item
        row({j: 1.0 for j, c in enumerate(candidates) if c.item == item}, -np.inf, 1.0)
    col = k
    for g, size in zip(groups, sizes):
        y, t = col, col + size
        col += 2 * size
        grouped[g.members] = True
        row({y + m: 1.0 for m in range(size)}, 1.0, 1.0)
        row({**{y + m: float(m) for m in range(size)}, **{int(j): -1.0 for j in g.members[g.blank]}}, 0.0, 0.0)
        row({**{t + m: 1.0 for m in range(size)}, **{int(j): -inc for j, inc in zip(g.members, g.increment)}},
            -np.inf, 0.0)
        for m in range(size):
            row({t + m: 1.0, y + m: -g.bound}, -np.inf, 0.0)
            count = g.answered + m
            scale = g.weight / count if count else 0.0
            crit[:, y + m] += g.per_point * scale * g.value_sum
            crit[:, t + m] += g.per_point * scale
        now = g.weight * g.value_sum / g.answered if g.answered else 0.0
        offset += g.per_point * now
    crit[:, :k] = np.where(grouped[:, None], 0.0, model.gains).T
    active = lower > 0  # criteria already met need no row: no useful change lowers a measure
    for c in np.flatnonzero(active):
        row(crit[c], lower[c] + offset[c], np.inf)
    constraints = [LinearConstraint(np.array(rows), np.array(lows), np.array(highs))]
    integrality = np.zeros(n)
    integrality[:k] = 1
    upper = np.ones(n)
    col = k
    for g, size in zip(groups, sizes):
        integrality[col:col + size] = 1
        upper[col + size:col + 2 * size] = g.bound
        col += 2 * size
    effort = np.zeros(n)
    effort[:k] = [c.effort for c in candidates]
    count, rank = np.zeros(n), np.zeros(n)
    count[:k] = 1.0
    rank[:k] = [c.item for c in candidates]
    z = None
    for objective in (count, effort, rank):
        result = milp(objective, integrality=integrality, bounds=Bounds(0, upper), constraints=constraints,
                      options={"mip_rel_gap": 0.0, "time_limit": 10.0})
        if result.status != 0 or result.x is None:
            break
        z = result.x
        x = np.round(z[:k]).astype(bool)
        constraints.append(LinearConstraint(objective[None, :], -np.inf, float(objective[:k][x].sum()) + 0.5))
    if z is None:
        return None
    x = np.round(z[:k]).astype(bool)
    zx = z.copy()
    zx[:k] = x
    return x, crit @ zx - offset


def _greedy(check: _Check, candidates: list[_Candidate], start: dict[int, _Candidate]) -> dict[int, _Candidate]:
    """Exact completion: add the candidate that removes the most missing points, re-scoring at every step. Ends
    because every candidate at its best answer meets every criterion within reach."""
    state = dict(start)
    while check.missing([state])[0] > 0:
        options = [c for c in candidates if c.item not in state or c.value > state[c.item].value + _STEP_TOL]
        left = check.missing([{**state, c.item: c} for c in options])
        pick = min(range(len(options)), key=lambda j: (round(float(left[j]), 9), options[j].item in state,
                                                       options[j].effort, options[j].item))
        state[options[pick].item] = options[pick]
    return state


def _prune(check: _Check, candidates: list[_Candidate], state: dict[int, _Candidate]) -> dict[int, _Candidate]:
    """Drop changes that are not needed (the latest in rubric order first), then lower answers to cheaper ones that
    still suffice (the largest saving first), each step checked by exact re-scoring of all alternatives at once."""
    state = dict(state)
    while len(state) > 1:
        trials = [{i: c for i, c in state.items() if i != item} for item in sorted(state, reverse=True)]
        ok = np.flatnonzero(check.missing(trials) == 0)
        if ok.size == 0:
            break
        state = trials[ok[0]]
    while state:
        cheaper = [c for c in candidates if c.item in state and c.effort < state[c.item].effort]
        if not cheaper:
            break
        ok = np.flatnonzero(check.missing([{**state, c.item: c} for c in cheaper]) == 0)
        if ok.size == 0:
            break
        best = min(ok, key=lambda j: (cheaper[j].effort - state[cheaper[j].item].effort, cheaper[j].item))
        state[cheaper[best].item] = cheaper[best]
    return state


# -- reporting --------------------------------------------------------------------------------------------------------
def _changes(unit: _Unit, chosen: list[_Candidate]) -> list[Change]:
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
            answer_from = _option_label(unit.rubric, item.answer_type, value)
        out.append(Change(item.code, item.indicator, item.question, answer_from, cand.label,
                          None if math.isnan(value) else float(value), cand.value,
                          float(totals[n + 1] - totals[n])))
    return out


def _survey_items(unit: _Unit) -> list[int]:
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


def _out_of_reach(unit: _Unit, criterion: pd.Series, best_values: np.ndarray, best: float) -> OutOfReach:
    """Why a criterion cannot be met through LKE answers, with the survey index needed when one survey decides."""
    minimum, value = float(criterion["minimum"]), float(criterion["value"])
    shortfall = float(minimum - best)
    surveys = _survey_items(unit)
    rows = []
    for n in surveys:
        rows += [unit.apply({n: 0.0}, best_values), unit.apply({n: 1.0}, best_values)]
    slope: dict[int, float] = {}
    if rows:
        m = _measures(unit.rescore(np.stack(rows)), [str(criterion["measure"])])[:, 0]
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
