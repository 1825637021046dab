"""Per unit, the items to check first: a small set of downgrades that drops the unit's predikat (pure, vectorised).

This is the improvement program of :mod:`zi_nb.engine.improve` run in reverse, solved **greedily** (documented
choice: the exact integer program per unit takes ~0.1 s, too slow for a thousand units at once): every item the unit
answered above its lowest value is a candidate, worth its own share of the total, ``(value - lowest) x indicator
weight / items answered in the indicator`` (``/ all items`` under ``unanswered=zero``); the candidates are taken
largest first (rubric order on ties) and downgraded to their lowest value (lowest option, 0 % for ``%`` items) one
more at a time, and every prefix of every unit is re-scored and re-evaluated exactly (:func:`scores_from_values`,
:func:`zi_nb.engine.predicate.evaluate`) in one batch. The items to check are the shortest prefix after which the
unit no longer meets the criteria of its predikat (``by_criteria``): the answers that carry the predikat, so the
ones whose evidence matters most. Survey indices (``index`` answer type) are results of external surveys and never
candidates. A unit whose predikat does not drop within ``max_items`` downgrades gets the empty list (shown as
"more than N"), as does a unit that meets no predikat.
"""

from __future__ import annotations

import numpy as np

from zi_nb.engine.predicate import NONE, evaluate
from zi_nb.engine.rubric import TOLERANCE
from zi_nb.engine.scoring import Scores, plan_for, scores_from_values

__all__ = ["UNITS_PER_BATCH", "downgrade_sets", "lowest_values"]

UNITS_PER_BATCH = 200  # units re-scored together (x max_items rows each)


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


def downgrade_sets(scores: Scores, unit_ids: list[str], max_items: int) -> dict[str, list[str]]:
    """unit_id -> the items whose downgrade drops its predikat, most valuable first (empty when none is found)."""
    rubric = scores.rubric
    plan = plan_for(rubric)
    order_of = {NONE: -1, **{p.code: n for n, p in enumerate(rubric.predicates)}}
    held = evaluate(scores).by_criteria
    out: dict[str, list[str]] = {u: [] for u in unit_ids}
    todo = [u for u in unit_ids if held.get(u, NONE) != NONE]
    low = lowest_values(scores)
    codes = np.array([i.code for i in plan.items], dtype=object)
    item_weight = plan.item_indicator @ plan.indicator_weight
    for start in range(0, len(todo), UNITS_PER_BATCH):
        batch = todo[start:start + UNITS_PER_BATCH]
        values = scores.items.loc[batch].to_numpy(dtype=float)
        answered = ~np.isnan(values)
        if scores.policies.get("unanswered") == "zero":
            per_item = np.broadcast_to(plan.item_indicator.sum(axis=0) @ plan.item_indicator.T, values.shape)
        else:
            per_item = (answered.astype(float) @ plan.item_indicator) @ plan.item_indicator.T
        with np.errstate(invalid="ignore"):
            can = answered & ~np.isnan(low) & (values > low + TOLERANCE)
            worth = np.where(can, (values - low) * item_weight / np.maximum(per_item, 1.0), -np.inf)
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
                chosen = order[n, :first[n] + 1]
                out[unit] = [str(c) for c in codes[chosen] if c]
    return out
