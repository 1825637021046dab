"""Triage benchmark: planted inflations among honest synthetic units; prints figures, asserts nothing
(``make bench-triage``).

Setup (deterministic for a seed): ``--units`` current self-assessments (year 2024, not reviewed yet) drawn by
:func:`zi_nb.lke.sample.synthetic_raw`, each with its previous period (year 2023, same name and instansi, reviewed by a
TPI, quality a little lower); honest units answer consistently (:func:`consistent`).
Into ``--planted`` (default 10 %) of the current units, chosen at random, one inflation
each, in turn:

* ``raised``: 20 option items below their best answer raised to the best;
* ``no_evidence``: 12 items raised to the best and their bukti dukung removed;
* ``copied``: notes and evidence of every item copied from another unit of the same instansi, 8 items raised;
* ``nudged``: a unit whose honest total is a few points under 75 or 85 with just enough items raised (largest gain
  first) to land 0.1-0.8 points over it.

The triage (:func:`zi_nb.engine.triage.triage`, every signal, the ranking and the items to check) ranks the current
units; the naive baseline ranks them by their self-assessed total, highest first. Printed: precision and recall of
the top 10 % for both, the rank of every planted unit by kind, the time of the triage (with the history, and of
the current units alone) and, within it, of the items to check (:func:`zi_nb.engine.triage.checks.downgrade_sets`,
the fewest downgrades that drop each unit's predikat) with how many items each unit got.
Target (issue 19): at least twice the naive precision at the top 10 %; 1,000 units in under 10 s.
Usage: ``python benchmarks/bench_triage.py [--units 1000] [--planted 0.1] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
import pandas as pd

from zi_nb.engine.answers import build_answers
from zi_nb.engine.rubric import load_rubric
from zi_nb.engine.scoring import plan_for, score_answers
from zi_nb.engine.triage import triage
from zi_nb.engine.triage.checks import downgrade_sets
from zi_nb.lke.sample import synthetic_raw, synthetic_specs, units_frame

KINDS = ("raised", "no_evidence", "copied", "nudged")


def best_label(rubric, code: str) -> str | None:
    at = rubric.answer_types[rubric.item_by_code[code].answer_type]
    return max(at.options, key=at.options.get) if at.kind == "option" else None


def consistent(raw: pd.DataFrame, rubric) -> pd.DataFrame:
    """Honest units answer by the rubric's own logic: ``synthetic_raw`` draws every item on its own, so where a
    ``cap`` consistency rule's condition holds (no team, no plan, no monitoring...) the capped item is set to the
    best answer the rule allows (a ``%`` item: its numerator to 0), in every tier."""
    raw = raw.copy()
    for rule in rubric.consistency:
        if rule.kind != "cap":
            continue
        when_at = rubric.answer_types[rubric.item_by_code[rule.when].answer_type]
        low = {label for label, v in when_at.options.items() if v <= rule.when_at_most}
        hit = raw["code"].eq(rule.when) & raw["raw"].isin(low)
        keys = set(zip(raw.loc[hit, "unit_id"], raw.loc[hit, "tier"]))
        pairs = pd.Series(list(zip(raw["unit_id"], raw["tier"])), index=raw.index).isin(keys)
        item = rubric.item_by_code[rule.then]
        at = rubric.answer_types[item.answer_type]
        if at.kind == "option":
            allowed = max((v, label) for label, v in at.options.items() if v <= rule.then_at_most)[1]
            raw.loc[pairs & raw["code"].eq(rule.then), "raw"] = allowed
        elif item.rule is not None and item.rule.numerator:
            raw.loc[pairs & raw["code"].eq(f"{item.code}.{item.rule.numerator}"), "raw"] = 0
    return raw


def build(n: int, share: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    rubric = load_rubric()
    rng = np.random.default_rng(seed)
    current = [replace(s, year=2024) for s in synthetic_specs(n, seed=seed)]
    previous = [replace(s, unit_id=f"{s.unit_id}-2023", year=2023,
                        quality=float(np.clip(s.quality - rng.normal(0.03, 0.03), 0.3, 1.0))) for s in current]
    raw_prev = consistent(synthetic_raw(previous, rubric, seed=seed + 1, tpi=True), rubric)
    raw = consistent(synthetic_raw(current, rubric, seed=seed + 2, tpi=False), rubric)
    options = [i.code for i in rubric.items if rubric.answer_types[i.answer_type].kind == "option"]
    best = {c: best_label(rubric, c) for c in options}
    honest = score_answers(build_answers(raw, rubric)[0], rubric, "unit")
    values = honest.items
    plan = plan_for(rubric)
    weight = pd.Series(plan.item_indicator @ plan.indicator_weight, index=values.columns)
    per_ind = pd.Series(plan.item_indicator.sum(axis=0) @ plan.item_indicator.T, index=values.columns)
    gain_of = ((1 - values[options]) * weight[options] / per_ind[options])
    ids = [s.unit_id for s in current]
    instansi = {s.unit_id: s.instansi for s in current}
    order = list(rng.permutation(ids))
    count = round(n * share)
    near = [u for u in order if any(0.8 < t - honest.total[u] < 6 for t in (75, 85))]
    planted: dict[str, str] = {}
    pool = [u for u in order if u not in near]
    for k in range(count):
        kind = KINDS[k % len(KINDS)]
        source = near if kind == "nudged" and near else pool
        unit = next(u for u in source if u not in planted)
        planted[unit] = kind
    rows_of = raw.groupby("unit_id").groups
    for unit, kind in planted.items():
        at = raw.index[rows_of[unit]]
        below = [c for c in options if values.at[unit, c] < 1]
        if kind == "nudged":
            target = min(t for t in (75, 85) if t > honest.total[unit]) + rng.uniform(0.1, 0.8)
            need, chosen = target - honest.total[unit], []
            for code in gain_of.loc[unit].sort_values(ascending=False, kind="stable").index:
                if need <= 0:
                    break
                chosen.append(code)
                need -= gain_of.at[unit, code]
        else:
            many = {"raised": 20, "no_evidence": 12, "copied": 8}[kind]
            chosen = list(rng.choice(below, size=min(many, len(below)), replace=False))
        for code in chosen:
            raw.loc[at[raw.loc[at, "code"].eq(code).to_numpy()], "raw"] = best[code]
        if kind == "no_evidence":
            raw.loc[at[raw.loc[at, "code"].isin(chosen).to_numpy()], "evidence"] = None
        if kind == "copied":
            others = [u for u in ids if instansi[u] == instansi[unit] and u != unit]
            donor = raw.loc[raw.index[rows_of[others[int(rng.integers(len(others)))]]]].set_index("code")
            codes = raw.loc[at, "code"]
            raw.loc[at, "note"] = codes.map(donor["note"]).to_numpy()
            raw.loc[at, "evidence"] = codes.map(donor["evidence"]).to_numpy()
    answers, _ = build_answers(pd.concat([raw_prev, raw], ignore_index=True), rubric)
    return answers, pd.concat([units_frame(previous), units_frame(current)], ignore_index=True), planted


def figures(ranked: list[str], planted: dict[str, str], top: int) -> tuple[float, float, dict[str, list[int]]]:
    hits = sum(u in planted for u in ranked[:top])
    position = {u: n + 1 for n, u in enumerate(ranked)}
    ranks = {k: sorted(position[u] for u, kind in planted.items() if kind == k) for k in KINDS}
    return hits / top, hits / max(1, len(planted)), ranks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--planted", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    answers, units, planted = build(args.units, args.planted, args.seed)
    triage(answers[answers["unit_id"].isin(answers["unit_id"].unique()[:20])], units)  # warm the rubric plan
    t0 = time.perf_counter()
    result = triage(answers, units)
    wall = time.perf_counter() - t0
    current = answers[~answers["unit_id"].str.endswith("-2023")]
    t0 = time.perf_counter()
    triage(current, units)
    wall_alone = time.perf_counter() - t0
    ids = list(result.table["unit_id"])
    t0 = time.perf_counter()
    checks = downgrade_sets(result.unit_scores, ids, result.config.max_items)
    wall_checks = time.perf_counter() - t0
    sizes = pd.Series([len(v) for v in checks.values()]).value_counts().sort_index()
    top = max(1, round(0.1 * args.units))
    ranked = list(result.table["unit_id"])
    naive = list(result.table.sort_values(["total_unit", "unit_id"], ascending=[False, True])["unit_id"])
    p, r, ranks = figures(ranked, planted, top)
    pn, rn, ranks_naive = figures(naive, planted, top)
    print(f"triage: {args.units} current units (+{args.units} previous periods as history), {len(planted)} planted "
          f"({', '.join(f'{k} {len(v)}' for k, v in ranks.items())}): {wall:.2f} s; the {args.units} current units "
          f"alone: {wall_alone:.2f} s")
    print(f"items to check (fewest downgrades dropping the predikat) for the {len(ids)} units: {wall_checks:.2f} s; "
          f"units by number of items: {', '.join(f'{k}: {v}' for k, v in sizes.items())} (0: no predikat or more "
          f"than {result.config.max_items})")
    print(f"top 10% ({top} units): triage precision {p:.2f} recall {r:.2f} | naive (total score) precision {pn:.2f} "
          f"recall {rn:.2f} | ratio {p / pn if pn else float('inf'):.1f}x")
    for kind in KINDS:
        print(f"  {kind:12s} triage ranks {ranks[kind]}")
        print(f"  {'':12s} naive ranks  {ranks_naive[kind]}")


if __name__ == "__main__":
    main()
