"""The integer program behind :func:`zi_nb.engine.improve.plan.plan_improvements` (steps 3 to 5 of
:mod:`zi_nb.engine.improve.plan`).

:func:`choose` measures each candidate's exact gain on every criterion (all candidates re-scored at once), keeps
the useful ones and solves for the fewest items, then the least effort, then the earliest in rubric order
(:func:`scipy.optimize.milp`, three lexicographic solves). Indicators where gains do not add up (``unanswered=
exclude`` with a blank item among several candidates) are modelled exactly (:class:`_Group`). The choice is
verified by exact re-scoring; a failed verification tightens the program and re-solves (:data:`MAX_ROUNDS`), then
an exact greedy completion takes over; the verified result is pruned to the changes and answers really needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from zi_nb.engine.improve.candidates import STEP_TOL, Candidate, UnitScorer, measure_values
from zi_nb.engine.rubric import TOLERANCE
from zi_nb.engine.scoring import Scores

MAX_ROUNDS = 6  # re-solves after a failed verification before the greedy completion takes over


def choose(unit: UnitScorer, base: Scores, candidates: list[Candidate], measures: list[str], now: np.ndarray,
           minimum: np.ndarray, in_reach: np.ndarray) -> dict[int, Candidate]:
    """The verified changes (item position -> candidate) that meet every criterion within reach."""
    if not candidates:
        return {}
    needed = in_reach & (now < minimum - TOLERANCE)
    alone = unit.rescore(np.stack([unit.apply({c.item: c.value}) for c in candidates]))  # each candidate alone
    gains = measure_values(alone, measures) - now
    useful = (gains[:, needed] > TOLERANCE).any(axis=1)  # a useful change never lowers a measure (see _groups)
    if not useful.any():
        return {}
    kept = [c for c, u in zip(candidates, useful) if u]
    lifts = (alone.indicators.to_numpy() - base.indicators.to_numpy())[useful]
    gains = gains[useful][:, in_reach]
    check = _Check(unit, [m for m, r in zip(measures, in_reach) if r], minimum[in_reach])
    return _solve(_Model(kept, gains, (minimum - now)[in_reach], _groups(unit, kept, gains, lifts)), check)


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
    candidates: list[Candidate]
    gains: np.ndarray  # (n_candidates, n_criteria) exact gain of each candidate alone
    deficit: np.ndarray  # (n_criteria,) minimum - value now
    groups: list[_Group]


def _groups(unit: UnitScorer, candidates: list[Candidate], gains: np.ndarray, lifts: np.ndarray) -> list[_Group]:
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


def _solve(model: _Model, check: _Check) -> dict[int, Candidate]:
    """Solve, verify by re-scoring, tighten and re-solve; fall back to an exact greedy completion. The verified
    result is then pruned exactly (changes not needed dropped, answers lowered to the cheapest that suffices); with
    an exact program that finds nothing, it is a safety net."""
    candidates = model.candidates
    lower = model.deficit.astype(float) - TOLERANCE / 2
    chosen: dict[int, Candidate] = {}
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

    def __init__(self, unit: UnitScorer, measures: list[str], minimum: np.ndarray) -> None:
        self.unit, self.measures, self.minimum = unit, measures, minimum
        self.scale = np.maximum(np.abs(minimum), 1.0)

    def values(self, states: list[dict[int, Candidate]]) -> np.ndarray:
        rows = np.stack([self.unit.apply({i: c.value for i, c in state.items()}) for state in states])
        return measure_values(self.unit.rescore(rows), self.measures)

    def missing(self, states: list[dict[int, Candidate]]) -> np.ndarray:
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
            answered = g.answered + m
            scale = g.weight / answered if answered else 0.0
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


def _greedy(check: _Check, candidates: list[Candidate], start: dict[int, Candidate]) -> dict[int, Candidate]:
    """Exact completion: add the candidate that removes the most missing points, re-scoring at every step. Ends
    because every candidate at its best answer meets every criterion within reach."""
    state = dict(start)
    while check.missing([state])[0] > 0:
        options = [c for c in candidates if c.item not in state or c.value > state[c.item].value + STEP_TOL]
        left = check.missing([{**state, c.item: c} for c in options])
        pick = min(range(len(options)), key=lambda j: (round(float(left[j]), 9), options[j].item in state,
                                                       options[j].effort, options[j].item))
        state[options[pick].item] = options[pick]
    return state


def _prune(check: _Check, candidates: list[Candidate], state: dict[int, Candidate]) -> dict[int, Candidate]:
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
