"""Per unit, the items to check first: the smallest set of downgrades that drops the unit's predikat (pure, vectorised).

This is the improvement program of :mod:`zi_nb.engine.improve` run in reverse, solved **exactly** (fewest items). A
downgrade sets an item the unit answered above its lowest value to that lowest value (lowest option, 0 % for ``%``
items); every such item is a candidate. Survey indices (``index`` answer type) are results of external surveys and
never candidates. The items to check are the answers that carry the predikat, so the ones whose evidence matters most.

**Why sorting is exact.** A unit keeps its predikat (``by_criteria`` of :func:`zi_nb.engine.predicate.evaluate`)
only while it meets every criterion of it, so the predikat drops as soon as any *one* criterion falls below its
minimum. Every measure a criterion can name is a sum of indicator scores: the total, a component (Pengungkit,
Bersih...), an indicator (HBA, HBB, HPA) and an area (combined or per part, policy ``area_minimum``); an indicator is
the average of its answered items x weight (over all its items under ``unanswered=zero``). A downgrade leaves the
item answered, so no count changes and each criterion value is linear in the downgrades: item ``i`` takes
``d_ic = (value_i - lowest_i) x a_ic / count_i >= 0`` off criterion ``c``, where ``a_ic`` is the item's coefficient
in ``c`` read from the engine itself (:func:`coefficients`: one unit per item, scored and evaluated). A set ``S``
breaks ``c`` when ``sum_{i in S} d_ic > value_c - minimum_c + TOLERANCE``; no ``k`` items take off more than the
``k`` largest ``d_ic``, so the fewest for ``c`` are its largest losses first, and the fewest overall are the fewest
over the criteria of the held predikat. Ties between criteria broken by as few items: the set taking most off the
total, then the criterion first in the rubric; items by loss, then rubric order. With the shipped rubric that is
mostly the single item HBB (Capaian kinerja: one item carrying its own criterion), which the earlier greedy (largest
share of the total first) missed whenever another item's share was as large or larger.

**Checked, not assumed.** The linear model is verified per unit before it is used: rebuilt from the unit's item
values it must give the engine's own criterion values (within ``LINEAR_CHECK``); and every chosen set is confirmed
by exact re-scoring (:func:`scores_from_values`, :func:`evaluate`) in one batch. A unit failing either check (none
with the measures the engine has today; it would take a measure that is not a sum of indicator scores, or a
rounding tie at a minimum) is searched as before: candidates by share of the total, largest first, every prefix
re-scored exactly, the shortest that drops (correct, but not proven minimal for that unit).

A unit whose predikat does not drop within ``max_items`` downgrades (``items_to_check.max_items`` of the weights
file) gets the empty list (shown as "more than N"), as does a unit that meets no predikat. Cost: a few array
operations per batch of units and one re-scored row per unit (1,000 units well under a second).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from zi_nb.engine.predicate import NONE, evaluate
from zi_nb.engine.rubric import TOLERANCE, Rubric
from zi_nb.engine.scoring import Scores, plan_for, scores_from_values

__all__ = ["LINEAR_CHECK", "UNITS_PER_BATCH", "Coefficients", "coefficients", "downgrade_sets", "lowest_values"]

UNITS_PER_BATCH = 400  # units whose losses are sorted together (x items x criteria floats)
PREFIX_BATCH = 200  # units re-scored together by the fallback prefix search (x max_items rows each)
LINEAR_CHECK = 1e-6  # largest difference between the linear model and the engine's criterion value


@dataclass(frozen=True)
class Coefficients:
    """The criteria of one predikat as linear functions of the item values (see the module docstring)."""

    codes: list[str]  # criterion codes, ``area`` expanded, in rubric order
    minimum: np.ndarray  # (n_criteria,)
    per_item: np.ndarray  # (n_items, n_criteria): value of the criterion per unit of item value, one item answered
    intercept: np.ndarray  # (n_criteria,): value of the criterion with nothing answered


def lowest_values(scores: Scores) -> np.ndarray:
    """Per item, the lowest value an answer can take (NaN: not a candidate, i.e. survey indices)."""
    rubric = scores.rubric
    out = np.full(len(rubric.items), np.nan)
    for n, item in enumerate(rubric.items):
        at = rubric.answer_types[item.answer_type]
        if at.kind == "option":
            out[n] = min(at.options.values())
        elif at.kind == "ratio":
            out[n] = 0.0
    return out


def coefficients(rubric: Rubric, policies: dict[str, str]) -> dict[str, Coefficients]:
    """Predikat code -> its criteria as linear functions of the item values, read from the engine: one unit per item
    with only that item answered (at 1, ``unanswered=exclude``, so its indicator counts one item) plus one unit with
    nothing answered, scored and evaluated."""
    plan = plan_for(rubric)
    n = len(plan.items)
    basis = np.full((n + 1, n), np.nan)
    basis[np.arange(n), np.arange(n)] = 1.0
    ids = [f"\x00{i}" for i in range(n + 1)]
    chosen = {**policies, "unanswered": "exclude"}
    crit = evaluate(scores_from_values(rubric, "unit", chosen, ids, basis, np.zeros((n + 1, len(plan.codes))))).criteria
    out = {}
    for pred in rubric.predicates:
        rows = crit[crit["predicate"].eq(pred.code)]
        codes = [str(c) for c in pd.unique(rows["criterion"])]
        value = rows["value"].to_numpy(dtype=float).reshape(len(codes), n + 1).T  # criterion-major rows
        minimum = rows["minimum"].to_numpy(dtype=float).reshape(len(codes), n + 1)[:, 0]
        out[pred.code] = Coefficients(codes, minimum, value[:n] - value[n], value[n])
    return out


def _counts(scores: Scores, values: np.ndarray) -> np.ndarray:
    """(units, items): the number of items the average of each item's indicator is over."""
    plan = plan_for(scores.rubric)
    if scores.policies.get("unanswered") == "zero":
        return np.broadcast_to(plan.item_indicator.sum(axis=0) @ plan.item_indicator.T, values.shape)
    return (~np.isnan(values)).astype(float) @ plan.item_indicator @ plan.item_indicator.T


def downgrade_sets(scores: Scores, unit_ids: list[str], max_items: int) -> dict[str, list[str]]:
    """unit_id -> the fewest items whose downgrade drops its predikat, largest loss first (empty when none is found
    within ``max_items``)."""
    rubric = scores.rubric
    plan = plan_for(rubric)
    evaluation = evaluate(scores)
    held = evaluation.by_criteria
    out: dict[str, list[str]] = {u: [] for u in unit_ids}
    if max_items <= 0:
        return out
    position = {u: n for n, u in enumerate(scores.unit_ids)}
    low = lowest_values(scores)
    codes = np.array([i.code for i in plan.items], dtype=object)
    model = coefficients(rubric, scores.policies)
    all_values = scores.items.to_numpy(dtype=float)
    item_weight = plan.item_indicator @ plan.indicator_weight
    chosen: dict[str, np.ndarray] = {}
    unresolved: list[str] = []
    for pred, coef in model.items():
        group = [u for u in dict.fromkeys(unit_ids) if held.get(u, NONE) == pred]
        if not group:
            continue
        rows = evaluation.criteria[evaluation.criteria["predicate"].eq(pred)]
        criterion_values = rows["value"].to_numpy(dtype=float).reshape(len(coef.codes), -1).T
        for start in range(0, len(group), UNITS_PER_BATCH):
            batch = group[start:start + UNITS_PER_BATCH]
            values = all_values[np.array([position[u] for u in batch], dtype=np.int64)]
            sets, linear = _fewest(values, _counts(scores, values),
                                   criterion_values[[position[u] for u in batch]], coef, low, item_weight, max_items)
            for unit, found, ok in zip(batch, sets, linear):
                if not ok:
                    unresolved.append(unit)
                elif found is not None:
                    chosen[unit] = found
    confirmed = _confirm(scores, held, chosen, low)
    for unit, found in chosen.items():
        if confirmed[unit]:
            out[unit] = [str(c) for c in codes[found] if c]
        else:
            unresolved.append(unit)
    if unresolved:
        fallback = set(unresolved)
        out.update(_prefix_search(scores, held, [u for u in dict.fromkeys(unit_ids) if u in fallback], max_items))
    return out


def _fewest(values: np.ndarray, counts: np.ndarray, criterion_values: np.ndarray, coef: Coefficients,
            low: np.ndarray, item_weight: np.ndarray, max_items: int) -> tuple[list[np.ndarray | None], np.ndarray]:
    """Per unit of a batch holding one predikat: the item indices of the fewest downgrades breaking one of its
    criteria (None when more than ``max_items`` are needed), and whether the linear model reproduces the unit's
    criterion values (False: the unit is left to the fallback)."""
    answered = ~np.isnan(values)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(answered, 1.0 / np.maximum(counts, 1.0), 0.0)
        predicted = coef.intercept + (np.where(answered, values, 0.0) * share) @ coef.per_item
        linear = (np.abs(predicted - criterion_values) <= LINEAR_CHECK).all(axis=1)
        can = answered & ~np.isnan(low) & (values > low + TOLERANCE)
        drop = np.where(can, (values - low) * share, 0.0)  # (units, items)
    loss = drop[:, :, None] * coef.per_item[None, :, :]  # (units, items, criteria)
    order = np.argsort(-loss, axis=1, kind="stable")  # per criterion: largest loss first, rubric order on ties
    taken = np.cumsum(np.take_along_axis(loss, order, axis=1), axis=1)
    slack = criterion_values - coef.minimum + TOLERANCE  # a criterion fails once more than this is taken off
    breaks = taken > slack[:, None, :]
    fewest = np.where(breaks.any(axis=1), breaks.argmax(axis=1) + 1, np.iinfo(np.int64).max)  # (units, criteria)
    size = fewest.min(axis=1)
    # among the criteria broken by as few items: the set taking most off the total, then the first in rubric order
    worth = np.take_along_axis(np.broadcast_to((drop * item_weight)[:, :, None], loss.shape), order, axis=1)
    at = np.clip(fewest - 1, 0, loss.shape[1] - 1)[:, None, :]
    of_total = np.take_along_axis(np.cumsum(worth, axis=1), at, axis=1)[:, 0, :]
    best = np.where(fewest == size[:, None], of_total, -np.inf).argmax(axis=1)
    sets: list[np.ndarray | None] = [order[n, :size[n], best[n]] if size[n] <= max_items else None
                                     for n in range(len(values))]
    return sets, linear


def _confirm(scores: Scores, held: pd.Series, chosen: dict[str, np.ndarray], low: np.ndarray) -> dict[str, bool]:
    """Per unit, whether downgrading its chosen items really drops its predikat (exact re-scoring, one batch)."""
    if not chosen:
        return {}
    rubric = scores.rubric
    order_of = {NONE: -1, **{p.code: n for n, p in enumerate(rubric.predicates)}}
    units = list(chosen)
    tried = np.array(scores.items.loc[units].to_numpy(dtype=float))
    for n, unit in enumerate(units):
        tried[n, chosen[unit]] = low[chosen[unit]]
    ids = [f"{u}\x00" for u in units]
    after = evaluate(scores_from_values(rubric, scores.tier, scores.policies, ids, tried,
                                        np.zeros((len(ids), len(plan_for(rubric).codes))))).by_criteria
    rank_after = after.map(order_of).to_numpy(dtype=int)
    return {u: bool(rank_after[n] < order_of[held[u]]) for n, u in enumerate(units)}


def _prefix_search(scores: Scores, held: pd.Series, todo: list[str], max_items: int) -> dict[str, list[str]]:
    """The fallback for units the linear model does not describe: candidates by share of the total, largest first
    (rubric order on ties), every prefix re-scored exactly; the shortest that drops the predikat (empty: none)."""
    rubric = scores.rubric
    plan = plan_for(rubric)
    order_of = {NONE: -1, **{p.code: n for n, p in enumerate(rubric.predicates)}}
    out: dict[str, list[str]] = {u: [] for u in todo}
    low = lowest_values(scores)
    codes = np.array([i.code for i in plan.items], dtype=object)
    item_weight = plan.item_indicator @ plan.indicator_weight
    for start in range(0, len(todo), PREFIX_BATCH):
        batch = todo[start:start + PREFIX_BATCH]
        values = scores.items.loc[batch].to_numpy(dtype=float)
        answered = ~np.isnan(values)
        with np.errstate(invalid="ignore"):
            can = answered & ~np.isnan(low) & (values > low + TOLERANCE)
            worth = np.where(can, (values - low) * item_weight / np.maximum(_counts(scores, values), 1.0), -np.inf)
        order = np.argsort(-worth, axis=1, kind="stable")
        position = np.empty_like(order)
        np.put_along_axis(position, order, np.arange(order.shape[1])[None, :].repeat(len(batch), 0), axis=1)
        steps = int(min(max_items, can.sum(axis=1).max(initial=0)))
        if steps == 0:
            continue
        k = np.arange(1, steps + 1)
        take = (position[:, None, :] < k[None, :, None]) & can[:, None, :]
        tried = np.where(take, low[None, None, :], values[:, None, :]).reshape(len(batch) * steps, -1)
        ids = [f"{u}\x00{s}" for u in batch for s in k]
        numbers = np.zeros((len(ids), len(plan.codes)))
        after = evaluate(scores_from_values(rubric, scores.tier, scores.policies, ids, tried, numbers)).by_criteria
        rank_after = after.map(order_of).to_numpy(dtype=int).reshape(len(batch), steps)
        rank_now = np.array([order_of[held[u]] for u in batch])
        dropped = rank_after < rank_now[:, None]
        first = dropped.argmax(axis=1)
        for n, unit in enumerate(batch):
            if dropped[n, first[n]]:
                out[unit] = [str(c) for c in codes[order[n, :first[n] + 1]] if c]
    return out
