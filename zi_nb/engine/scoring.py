"""The scoring engine: pure, vectorised functions from answers to scores, for any number of units at once.

Method (ZI-RULES sections 3 and 4, all weights and values from the rubric):

1. The tier's answers are placed in two dense matrices (units x rubric codes): option values (looked up in a
   code x option table) and numbers (Jumlah inputs, survey indices, stated %).
2. Item values 0..1 (units x items): options as looked up; survey indices clamped to ``minimum..maximum`` and divided
   by the maximum; ``%`` items computed from their Jumlah inputs by the item's rule, one vector operation per rule
   over all units (a directly stated % is used only when no input was given).
3. Indicator = average of its answered items x weight (policy ``unanswered=exclude``, as the workbook's AVERAGE) or
   the sum over all its items / item count x weight (``zero``): a matrix product with the item -> indicator
   membership. Components (Pemenuhan, Reform, Bersih...) and areas are further matrix products; the total is the
   sum of the top components.

There is no Python loop over units or over items per unit; the loops are over rubric rules (eight) and answer types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from zi_nb.common.domain import TIER_CHOICES, TIER_RANKS, TIERS
from zi_nb.engine.rubric import Item, Rubric, Rule, load_rubric


@dataclass(frozen=True)
class Plan:
    """Arrays compiled once per rubric (see :func:`plan_for`)."""

    codes: list[str]  # every rubric code: items then Jumlah inputs
    code_index: dict[str, int]
    items: list[Item]  # scored items in rubric order
    options: list[str]  # every option label across answer types
    option_table: np.ndarray  # (n_codes, n_options) value or NaN
    item_indicator: np.ndarray  # (n_items, n_indicators) membership 0/1
    indicator_weight: np.ndarray  # (n_indicators,)
    indicator_codes: list[str]
    indicator_component: np.ndarray  # (n_indicators, n_components) leaf + ancestors 0/1
    component_codes: list[str]
    area_columns: list[tuple[str, str]]  # (component, area) pairs
    indicator_area: np.ndarray  # (n_indicators, n_area_columns) 0/1
    area_codes: list[str]


_PLANS: dict[str, Plan] = {}


def plan_for(rubric: Rubric) -> Plan:
    """The compiled arrays of a rubric, built once per rubric content hash."""
    plan = _PLANS.get(rubric.content_hash)
    if plan is None:
        plan = _PLANS[rubric.content_hash] = _compile(rubric)
    return plan


def _compile(rubric: Rubric) -> Plan:
    items = list(rubric.items)
    codes = [i.code for i in items] + list(rubric.input_codes)
    code_index = {c: n for n, c in enumerate(codes)}
    options = sorted({o for at in rubric.answer_types.values() for o in at.options})
    opt_idx = {o: n for n, o in enumerate(options)}
    table = np.full((len(codes), len(options)), np.nan)
    for item in items:
        for option, value in rubric.answer_types[item.answer_type].options.items():
            table[code_index[item.code], opt_idx[option]] = value
    ind_codes = [i.code for i in rubric.indicators]
    ind_idx = {c: n for n, c in enumerate(ind_codes)}
    membership = np.zeros((len(items), len(ind_codes)))
    for n, item in enumerate(items):
        membership[n, ind_idx[item.indicator]] = 1.0
    comp_codes = [c.code for c in rubric.components]
    comp_idx = {c: n for n, c in enumerate(comp_codes)}
    ind_comp = np.zeros((len(ind_codes), len(comp_codes)))
    area_cols = [(comp, a.code) for a in rubric.areas for comp in a.weights]
    area_idx = {k: n for n, k in enumerate(area_cols)}
    ind_area = np.zeros((len(ind_codes), len(area_cols)))
    for n, ind in enumerate(rubric.indicators):
        for comp in rubric.leaf_component(ind.component):
            ind_comp[n, comp_idx[comp]] = 1.0
        if ind.area is not None:
            ind_area[n, area_idx[(ind.component, ind.area)]] = 1.0
    return Plan(codes, code_index, items, options, table, membership,
                np.array([i.weight for i in rubric.indicators]), ind_codes, ind_comp, comp_codes, area_cols,
                ind_area, [a.code for a in rubric.areas])


@dataclass
class Scores:
    """Scores of many units for one tier. Frames are indexed by ``unit_id``.

    Attributes:
        items: item values 0..1 (NaN = unanswered), one column per scored item.
        indicators: indicator scores (weight-scaled).
        components: one column per component (PENGUNGKIT, PEMENUHAN, REFORM, HASIL, BERSIH, PRIMA...).
        areas: one column per (component, area) as ``PEMENUHAN:A`` plus the area total ``A``.
        total: the Nilai Evaluasi ZI.
    """

    rubric: Rubric
    tier: str
    policies: dict[str, str]
    items: pd.DataFrame
    indicators: pd.DataFrame
    components: pd.DataFrame
    areas: pd.DataFrame
    total: pd.Series
    numbers: pd.DataFrame = field(repr=False)  # raw numbers per code (Jumlah, indices), for reports and checks

    @property
    def unit_ids(self) -> list[str]:
        return list(self.total.index)

    def measure(self, name: str) -> pd.Series:
        """A named quantity for every unit: ``total``, a component, an indicator or an area column."""
        if name == "total":
            return self.total
        for frame in (self.components, self.indicators, self.areas):
            if name in frame.columns:
                return frame[name]
        raise KeyError(name)

    def unanswered(self) -> dict[str, list[str]]:
        mask = self.items.isna()
        cols = np.array(self.items.columns)
        return {u: list(cols[row]) for u, row in zip(self.items.index, mask.to_numpy())}




@dataclass(frozen=True)
class Encoded:
    """An answers frame turned into integer arrays once, so that every tier is a few numpy operations."""

    unit_ids: list[str]
    unit: np.ndarray  # row -> unit index (-1: not scored)
    code: np.ndarray  # row -> plan code index (-1: not in the rubric)
    option: np.ndarray  # row -> option value (NaN when no option answer)
    number: np.ndarray  # row -> number (NaN when none)
    tier: np.ndarray  # row -> index in TIERS


def encode(answers: pd.DataFrame, plan: Plan, unit_ids: list[str] | None = None) -> Encoded:
    """Encode an answers frame (any tiers) for :func:`tier_matrices`."""
    if unit_ids is None:
        unit_ids = list(pd.unique(answers["unit_id"]))
    u = pd.Categorical(answers["unit_id"], categories=unit_ids).codes.astype(np.int64)
    c = pd.Categorical(answers["code"], categories=plan.codes).codes.astype(np.int64)
    a = pd.Categorical(answers["answer"], categories=plan.options).codes.astype(np.int64)
    option = np.full(len(answers), np.nan)
    has = (c >= 0) & (a >= 0)
    option[has] = plan.option_table[c[has], a[has]]
    number = answers["number"].to_numpy(dtype=float, na_value=np.nan)
    tier = pd.Categorical(answers["tier"], categories=TIERS).codes.astype(np.int64)
    return Encoded(unit_ids, u, c, option, number, tier)


def tier_matrices(enc: Encoded, plan: Plan, tier: str) -> tuple[np.ndarray, np.ndarray]:
    """(option values, numbers), each (n_units, n_codes), for one tier: its sub-tiers are applied in order of
    precedence, so the latest tier that answered a code wins (``final`` = tpn over tpi over unit)."""
    shape = (len(enc.unit_ids), len(plan.codes))
    opt, num = np.full(shape, np.nan), np.full(shape, np.nan)
    valid = (enc.unit >= 0) & (enc.code >= 0)
    for name in TIER_RANKS[tier]:
        rows = valid & (enc.tier == TIERS.index(name))
        o = rows & ~np.isnan(enc.option)
        opt[enc.unit[o], enc.code[o]] = enc.option[o]
        n = rows & ~np.isnan(enc.number)
        num[enc.unit[n], enc.code[n]] = enc.number[n]
    return opt, num


def answer_matrices(answers: pd.DataFrame, plan: Plan, unit_ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(option values, numbers) from a frame with one row per (unit, code) (a single tier)."""
    enc = encode(answers, plan, unit_ids)
    return tier_matrices(Encoded(enc.unit_ids, enc.unit, enc.code, enc.option, enc.number,
                                 np.zeros_like(enc.tier)), plan, "unit")


@dataclass(frozen=True)
class RatioParts:
    """Numerator, base and stated total of a % item for every unit (NaN where not given)."""

    numerator: np.ndarray
    base: np.ndarray
    stated_total: np.ndarray  # denominator_total as stated (NaN when absent or not applicable)
    parts_sum: np.ndarray  # sum of denominator parts (NaN when any part is missing)


def ratio_parts(item: Item, num: np.ndarray, plan: Plan, policies: dict[str, str]) -> RatioParts:
    rule = item.rule
    assert rule is not None and rule.kind == "ratio"

    def col(name: str) -> np.ndarray:
        return num[:, plan.code_index[f"{item.code}.{name}"]]

    def total(names: list[str]) -> np.ndarray:
        if not names:
            return np.full(num.shape[0], np.nan)
        return np.sum([col(n) for n in names], axis=0)  # NaN when any part is missing

    numerator = col(rule.numerator or "")
    if rule.denominator_policy:
        parts = total(rule.denominator_choices[policies[rule.denominator_policy]])
    else:
        parts = total(rule.denominator)
    stated = col(rule.denominator_total) if rule.denominator_total else np.full(num.shape[0], np.nan)
    base = np.where(np.isnan(stated), parts, stated)
    return RatioParts(numerator, base, stated, parts)


def rule_value(item: Item, num: np.ndarray, plan: Plan, policies: dict[str, str]) -> np.ndarray:
    """Value 0..1 of a % item for every unit, NaN when it cannot be computed."""
    rule: Rule = item.rule  # type: ignore[assignment]
    with np.errstate(divide="ignore", invalid="ignore"):
        if rule.kind == "decrease":
            prev = num[:, plan.code_index[f"{item.code}.{rule.previous}"]]
            cur = num[:, plan.code_index[f"{item.code}.{rule.current}"]]
            value = np.where(prev > 0, np.maximum(0.0, (prev - cur) / prev), np.where(cur > 0, 0.0, 1.0))
            value = np.where(np.isnan(prev) | np.isnan(cur), np.nan, value)
        else:
            p = ratio_parts(item, num, plan, policies)
            zero = 1.0 if rule.zero_base_policy and policies.get(rule.zero_base_policy) == "one" else np.nan
            value = np.where(p.base > 0, np.minimum(1.0, p.numerator / p.base), zero)
            value = np.where(np.isnan(p.base) | (np.isnan(p.numerator) & (p.base > 0)), np.nan, value)
            value = np.maximum(value, 0.0)
    inputs_given = np.zeros(num.shape[0], dtype=bool)
    for inp in item.inputs:
        inputs_given |= ~np.isnan(num[:, plan.code_index[f"{item.code}.{inp.name}"]])
    direct = num[:, plan.code_index[item.code]]
    direct = np.where(direct > 1, direct / 100.0, direct)  # a bare 86 means 86 %
    return np.where(inputs_given, value, np.clip(direct, 0.0, 1.0))


def item_values(opt: np.ndarray, num: np.ndarray, plan: Plan, rubric: Rubric,
                policies: dict[str, str]) -> np.ndarray:
    """(n_units, n_items) values 0..1, NaN where unanswered."""
    values = np.full((opt.shape[0], len(plan.items)), np.nan)
    for n, item in enumerate(plan.items):
        at = rubric.answer_types[item.answer_type]
        col = plan.code_index[item.code]
        if at.kind == "option":
            values[:, n] = opt[:, col]
        elif at.kind == "index":
            values[:, n] = np.clip(num[:, col], at.minimum, at.maximum) / at.maximum
        elif at.kind == "ratio":
            values[:, n] = rule_value(item, num, plan, policies)
    return values


def score_matrix(values: np.ndarray, plan: Plan, unanswered: str) -> dict[str, np.ndarray]:
    """Indicator, component and area scores from item values (the aggregation of ZI-RULES section 4)."""
    answered = ~np.isnan(values)
    sums = np.where(answered, values, 0.0) @ plan.item_indicator
    if unanswered == "zero":
        counts = np.broadcast_to(plan.item_indicator.sum(axis=0), sums.shape)
    else:
        counts = answered.astype(float) @ plan.item_indicator
    with np.errstate(divide="ignore", invalid="ignore"):
        average = np.where(counts > 0, sums / counts, 0.0)
    indicators = average * plan.indicator_weight
    return {
        "indicators": indicators,
        "components": indicators @ plan.indicator_component,
        "areas": indicators @ plan.indicator_area,
    }


def score_answers(answers: pd.DataFrame, rubric: Rubric | str = "zi-2021", tier: str = "final",
                  policies: dict[str, str] | None = None, unit_ids: list[str] | None = None) -> Scores:
    """Score every unit of an answers frame (all tiers) for one tier.

    Args:
        answers: the answers frame (:data:`zi_nb.engine.answers.ANSWER_COLUMNS`), all tiers.
        rubric: a :class:`Rubric` or its id.
        tier: ``unit``, ``tpi``, ``tpn`` or ``final`` (latest tier that answered each item).
        policies: overrides of the rubric's policy defaults, e.g. ``{"unanswered": "zero"}``.
        unit_ids: units to score, in this order; default: units that answered in this tier, in order of appearance.
    """
    return score_tiers(answers, rubric, [tier], policies, unit_ids)[tier]


def score_tiers(answers: pd.DataFrame, rubric: Rubric | str = "zi-2021", tiers: list[str] | None = None,
                policies: dict[str, str] | None = None, unit_ids: list[str] | None = None) -> dict[str, Scores]:
    """:func:`score_answers` for several tiers at once (the frame is encoded once)."""
    rubric = load_rubric(rubric)
    wanted: Sequence[str] = tiers or TIER_CHOICES
    for tier in wanted:
        if tier not in TIER_CHOICES:
            raise ValueError(f"tier must be one of {TIER_CHOICES}")
    chosen = rubric.policy_values(policies)
    plan = plan_for(rubric)
    enc = encode(answers, plan, unit_ids if unit_ids is not None else list(pd.unique(answers["unit_id"])))
    answered = ~np.isnan(enc.option) | ~np.isnan(enc.number)
    out = {}
    for tier in wanted:
        subset = unit_ids
        if subset is None:  # units that answered something in this tier, in order of appearance
            in_tier = np.isin(enc.tier, [TIERS.index(t) for t in TIER_RANKS[tier]]) & answered
            present = np.zeros(len(enc.unit_ids), dtype=bool)
            present[enc.unit[in_tier]] = True
            subset = [u for u, p in zip(enc.unit_ids, present) if p]
        opt, num = tier_matrices(enc, plan, tier)
        if subset is not enc.unit_ids and subset != enc.unit_ids:
            pos = {u: n for n, u in enumerate(enc.unit_ids)}
            take = np.array([pos[u] for u in subset], dtype=np.int64)
            opt, num = opt[take], num[take]
        out[tier] = _scores(rubric, plan, tier, chosen, subset, opt, num)
    return out


def _scores(rubric: Rubric, plan: Plan, tier: str, chosen: dict[str, str], unit_ids: list[str],
            opt: np.ndarray, num: np.ndarray) -> Scores:
    return scores_from_values(rubric, tier, chosen, unit_ids, item_values(opt, num, plan, rubric, chosen), num)


def scores_from_values(rubric: Rubric, tier: str, policies: dict[str, str], unit_ids: list[str],
                       values: np.ndarray, num: np.ndarray) -> Scores:
    """:class:`Scores` from item values already computed (units x items, NaN = unanswered, see :func:`item_values`).

    Used to re-score modified answer sheets (e.g. "what if these items were improved") without re-reading answers.

    Args:
        rubric: the rubric the values belong to.
        tier: the tier label to record.
        policies: every policy with its chosen value (:meth:`Rubric.policy_values`); ``unanswered`` is applied here.
        unit_ids: one id per row of ``values``.
        values: (n_units, n_items) item values in rubric item order.
        num: (n_units, n_codes) raw numbers per code, kept in :attr:`Scores.numbers`.
    """
    plan = plan_for(rubric)
    parts = score_matrix(values, plan, policies["unanswered"])
    index = pd.Index(unit_ids, name="unit_id")
    area_cols = [f"{c}:{a}" for c, a in plan.area_columns]
    area_totals = np.stack([parts["areas"][:, [n for n, (_, a) in enumerate(plan.area_columns) if a == area]]
                            .sum(axis=1) for area in plan.area_codes], axis=1)
    areas = pd.DataFrame(np.hstack([parts["areas"], area_totals]), index=index, columns=area_cols + plan.area_codes)
    components = pd.DataFrame(parts["components"], index=index, columns=plan.component_codes)
    top = [plan.component_codes.index(c.code) for c in rubric.top_components()]
    return Scores(
        rubric=rubric,
        tier=tier,
        policies=policies,
        items=pd.DataFrame(values, index=index, columns=[i.code for i in plan.items]),
        indicators=pd.DataFrame(parts["indicators"], index=index, columns=plan.indicator_codes),
        components=components,
        areas=areas,
        total=pd.Series(parts["components"][:, top].sum(axis=1), index=index, name="total"),
        numbers=pd.DataFrame(num, index=index, columns=plan.codes),
    )
