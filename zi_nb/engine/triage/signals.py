"""Triage signals per unit, each a strength 0..1 with its reasons in words, for many units at once (pure, vectorised).

Every signal takes whole frames (units x items, units x areas) and gives a :class:`Signal`: a strength per unit
(0 = nothing to see, 1 = as strong as the signal gets, linear in between and capped, the scales in
``zi_nb/data/triage-bobot.yaml``) and the reasons behind it, one row per unit and fact, in Bahasa Indonesia and
English. The signals here:

* ``gap`` (:func:`gap_signal`): self vs reviewer. For a reviewed unit (answers of a TPI or TPN tier), the unit's total
  minus the reviewed total (the ``final`` view), and per area the same gap as a share of the area's weight. For a unit
  not reviewed yet, the mean gap of the other reviewed units of its instansi (earlier periods included), labelled as
  history, with the areas and items (per item: the mean value the reviewers took off) where that history is.
* ``inconsistency`` (:func:`inconsistency_signal`): the rubric's own ``consistency`` rules
  (:mod:`zi_nb.engine.consistency`), each violated rule with its text.
* ``evidence`` (:func:`evidence_signal`): items answered above their lowest value without any evidence, with an
  unreachable link, or with documents an evaluator rejected (:func:`zi_nb.engine.evidence.evidence_findings`).
* ``hugging`` (:func:`hugging_signal`): a measure just above a criterion of a predikat (total, Pengungkit, areas,
  survey indices...): within ``hugging_share`` of the criterion's minimum; the thresholds come from the rubric's
  predicates (:func:`zi_nb.engine.predicate.evaluate`). Criteria on an indicator of option answers only (Capaian
  kinerja) are left out: such a value moves in steps and a threshold sits on a step.
* ``change`` (:func:`change_signal`): the total up since the unit's previous evaluation, and areas up by a large share.

Copying lives in :mod:`zi_nb.engine.triage.copying`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from zi_nb.common.fmt import num as fmt_num
from zi_nb.engine.evidence import evidence_findings
from zi_nb.engine.predicate import evaluate
from zi_nb.engine.rubric import TOLERANCE, Rubric
from zi_nb.engine.scoring import Scores, plan_for, ratio_parts

__all__ = ["REASON_COLUMNS", "Signal", "change_signal", "discrete_measures", "evidence_signal", "gap_signal",
           "hugging_signal", "inconsistency_signal", "strength"]

REASON_COLUMNS = ["unit_id", "signal", "text", "text_en"]
EVIDENCE_SIGNAL_KINDS = ("evidence_none", "evidence_rejected", "evidence_unreachable")
SHOWN = 5  # items named in one reason; the rest are counted


@dataclass
class Signal:
    """One signal for many units: ``strength`` (index unit_id, 0..1) and ``reasons`` (:data:`REASON_COLUMNS`)."""

    name: str
    strength: pd.Series
    reasons: pd.DataFrame


def strength(value: pd.Series | np.ndarray, full: float) -> np.ndarray:
    """``value / full`` clipped to 0..1 (0 for NaN)."""
    out = np.asarray(value, dtype=float) / float(full)
    return np.clip(np.nan_to_num(out, nan=0.0), 0.0, 1.0)


def reasons_frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=REASON_COLUMNS)


def en(value: float, decimals: int = 2) -> str:
    return fmt_num(value, decimals, "en")


def names(codes: list[str]) -> str:
    shown = ", ".join(codes[:SHOWN])
    return shown + (f" (+{len(codes) - SHOWN})" if len(codes) > SHOWN else "")


def gap_signal(unit: Scores, reviewed: Scores, reviewed_ids: set[str], instansi: pd.Series,
               scale: dict[str, float]) -> Signal:
    """Self vs reviewer in points of the total (history for units not reviewed): ``unit`` is the unit tier,
    ``reviewed`` the ``final`` view of the same units; units in ``reviewed_ids`` have a reviewer's answers.
    ``instansi`` (index unit_id) groups units for the history of gaps. The reasons name the areas with a gap of at
    least ``gap_area_share`` of their weight, and for a unit not reviewed the areas and the items (among those it
    answered above their lowest value) its instansi's reviewers lowered most."""
    ids = unit.total.index
    is_reviewed = ids.isin(list(reviewed_ids))
    gap = (unit.total - reviewed.total.reindex(ids)).where(is_reviewed)
    rubric = unit.rubric
    area_gap = pd.DataFrame({a.code: (unit.areas[a.code] - reviewed.areas[a.code].reindex(ids)).where(is_reviewed)
                             / sum(a.weights.values()) for a in rubric.areas}, index=ids)
    item_drop = (unit.items - reviewed.items.reindex(ids)).where(pd.Series(is_reviewed, index=ids), axis=0)
    group = instansi.reindex(ids).fillna("").astype(str)
    sums = gap.groupby(group).transform("sum")
    counts = gap.notna().groupby(group).transform("sum")
    others = counts - gap.notna().astype(int)
    history = ((sums - gap.fillna(0.0)) / others.where(others > 0)).where(~is_reviewed)
    used = gap.fillna(history)
    area_history = area_gap.groupby(group).mean()
    item_history = item_drop.groupby(group).mean()
    claimed = unit.items.fillna(0.0).gt(0.0)
    rows = []

    def areas_text(values: pd.Series) -> str:
        top = values[values >= scale["gap_area_share"]].sort_values(ascending=False, kind="stable")
        return ", ".join(f"{a} ({fmt_num(100 * float(v), 0)}%)" for a, v in top.items())

    for uid, g, h, n, inst in zip(ids, gap, history, others, group):
        if not np.isnan(g) and g > TOLERANCE:
            big = areas_text(area_gap.loc[uid])
            extra = f"; area dengan selisih terbesar: {big}" if big else ""
            extra_en = f"; areas with the largest gap: {big}" if big else ""
            rows.append((uid, "gap", f"Nilai penilaian mandiri {fmt_num(g)} poin di atas nilai TPI/TPN{extra}",
                         f"The self-assessment is {en(g)} points above the TPI/TPN score{extra_en}"))
        elif not np.isnan(h) and h > TOLERANCE:
            big = areas_text(pd.Series(area_history.loc[inst], dtype=float))
            drops = item_history.loc[inst][claimed.loc[uid]]
            items = list(drops[drops > TOLERANCE].sort_values(ascending=False, kind="stable").index[:SHOWN])
            extra = (f"; area: {big}" if big else "") + (f"; butir yang paling sering diturunkan: {names(items)}"
                                                        if items else "")
            extra_en = (f"; areas: {big}" if big else "") + (f"; items lowered most often: {names(items)}"
                                                            if items else "")
            rows.append((uid, "gap", f"Belum direviu; unit lain instansi ini rata-rata {fmt_num(h)} poin di atas "
                         f"nilai TPI/TPN ({int(n)} unit){extra}",
                         f"Not reviewed yet; other units of this instansi averaged {en(h)} points above the "
                         f"TPI/TPN score ({int(n)} units){extra_en}"))
    return Signal("gap", used.fillna(0.0).clip(lower=0.0), reasons_frame(rows))


def inconsistency_signal(unit: Scores) -> Signal:
    """Every consistency rule of the rubric checked on the unit tier's item values and Jumlah inputs."""
    rubric = unit.rubric
    ids: list[Any] = list(unit.total.index)
    items, numbers = unit.items, unit.numbers
    plan = plan_for(rubric)
    num = numbers.to_numpy(dtype=float)
    count = np.zeros(len(ids))
    rows = []
    for rule in rubric.consistency:
        if rule.kind == "cap":
            hit: np.ndarray = ((items[rule.when] <= rule.when_at_most + TOLERANCE)
                   & (items[rule.then] > rule.then_at_most + TOLERANCE)).to_numpy()
            where: list[list[str]] = [[]] * len(ids)
        elif rule.kind == "sum":
            parts = numbers[rule.parts].to_numpy(dtype=float)
            total = numbers[rule.total].to_numpy(dtype=float)
            with np.errstate(invalid="ignore"):
                hit = ~np.isnan(parts).any(axis=1) & ~np.isnan(total) & (np.abs(parts.sum(axis=1) - total) > 0.5)
            where = [[]] * len(ids)
        else:
            flags = []
            for code in rule.items:
                base = ratio_parts(rubric.item_by_code[code], num, plan, unit.policies).base
                direct = numbers[code].to_numpy(dtype=float)
                with np.errstate(invalid="ignore"):
                    full = (items[code].to_numpy(dtype=float) >= 1 - TOLERANCE) | (direct >= 100) | (direct == 1)
                    flags.append((base == 0) & full)
            stacked = np.stack(flags, axis=1)
            hit = np.asarray(stacked.any(axis=1), dtype=bool)
            where = [[c for c, f in zip(rule.items, row) if f] for row in stacked]
        count += hit
        for n in np.flatnonzero(hit):
            at = f" ({names(where[n])})" if where[n] else ""
            rows.append((ids[n], "inconsistency", rule.text + at, (rule.text_en or rule.text) + at))
    return Signal("inconsistency", pd.Series(count, index=unit.total.index), reasons_frame(rows))


def evidence_signal(rubric: Rubric, answers: pd.DataFrame, unit: Scores, unit_ids: list[str],
                    verdicts: pd.DataFrame | None = None,
                    attachments: pd.DataFrame | None = None) -> tuple[Signal, Signal]:
    """Items answered above their lowest value without evidence, with a link nobody can open, or with documents
    rejected (``evidence``); and items whose link or file is reused for another indicator or by another unit
    (``copying``); for the units ``unit_ids`` (0 for the others). Strengths in items (scaled by the caller)."""
    findings = evidence_findings(rubric, answers, unit.items.loc[unit_ids], verdicts, attachments)
    ids = unit.total.index
    thin: dict[str, set[str]] = {}
    reused: dict[str, set[str]] = {}
    for f in findings:
        if f.unit_id and f.kind in EVIDENCE_SIGNAL_KINDS:
            thin.setdefault(f.unit_id, set()).add(f.code or "")
        elif f.unit_id and f.kind == "evidence_reused":
            reused.setdefault(f.unit_id, set()).add(f.code or "")
    order = {i.code: n for n, i in enumerate(rubric.items)}
    out = []
    for name, by_unit, words in (
            ("evidence", thin, ("dijawab di atas nilai terendah tanpa bukti dukung yang dapat diperiksa",
                                "answered above their lowest value without evidence that can be checked")),
            ("copying", reused, ("memakai tautan atau berkas bukti dukung yang sama dengan indikator atau unit lain",
                                 "use the same evidence link or file as another indicator or unit"))):
        count = pd.Series([len(by_unit.get(str(u), ())) for u in ids], index=ids, dtype=float)
        rows = []
        for uid, codes in by_unit.items():
            listed = sorted(codes, key=lambda c: order.get(c, len(order)))
            rows.append((uid, name, f"{len(listed)} butir {words[0]}: {names(listed)}",
                         f"{len(listed)} items {words[1]}: {names(listed)}"))
        out.append(Signal(name, count, reasons_frame(rows)))
    return out[0], out[1]


def discrete_measures(rubric: Rubric) -> set[str]:
    """Indicators whose items are all option answers (Capaian kinerja, HBB): their values are a few steps and a
    criterion on them sits on a step, so being exactly at it says nothing; hugging and margins leave them out."""
    kinds = {i.code: rubric.answer_types[i.answer_type].kind for i in rubric.items}
    out = set()
    for ind in rubric.indicators:
        own = [kinds[i.code] for i in rubric.items if i.indicator == ind.code]
        if own and all(k == "option" for k in own):
            out.add(ind.code)
    return out


def hugging_signal(unit: Scores, share: float) -> Signal:
    """Measures at or just above a predikat criterion: margin between 0 and ``share`` x minimum; strength 1 at the
    criterion, falling linearly to 0 at the edge of the band (criteria on :func:`discrete_measures` left out)."""
    crit = evaluate(unit).criteria
    crit = crit[~crit["measure"].isin(discrete_measures(unit.rubric))]
    ids = unit.total.index
    if crit.empty:
        return Signal("hugging", pd.Series(0.0, index=ids), reasons_frame([]))
    band = crit["minimum"].astype(float).abs() * share
    margin = crit["margin"].astype(float)
    hug = (margin >= -TOLERANCE) & (margin <= band) & (band > 0)
    close = crit[hug].assign(strength=(1 - margin[hug].clip(lower=0) / band[hug]))
    per_unit = close.groupby("unit_id")["strength"].max().reindex(ids).fillna(0.0)
    rows = []
    for rec in close.sort_values(["unit_id", "strength"], ascending=[True, False]).to_dict("records"):
        value, gap, minimum = float(rec["value"]), float(rec["margin"]), float(rec["minimum"])
        rows.append((str(rec["unit_id"]), "hugging",
                     f"{rec['name']} {fmt_num(value)} hanya {fmt_num(gap)} di atas batas {fmt_num(minimum)}"
                     f" ({rec['predicate']})",
                     f"{rec['name']} {en(value)} only {en(gap)} above the threshold {en(minimum)} "
                     f"({rec['predicate']})"))
    return Signal("hugging", per_unit, reasons_frame(rows))


def change_signal(unit: Scores, previous: pd.Series, scale: dict[str, float]) -> Signal:
    """The total (and areas) against the unit's previous evaluation; ``previous`` maps unit_id -> the unit_id of its
    previous period (absent or None: no history). Strength in points of the total (scaled by the caller)."""
    index = unit.total.index
    ids: list[Any] = list(index)
    prev = previous.reindex(index)
    has = prev.notna() & prev.isin(ids)
    prev_ids: list[Any] = list(prev.where(has, ids[0] if ids else None))
    jump = pd.Series(unit.total.to_numpy() - unit.total.reindex(prev_ids).to_numpy(), index=index).where(has)
    areas = unit.areas
    rows = []
    for n in np.flatnonzero(has.to_numpy() & (jump.fillna(0).to_numpy() > TOLERANCE)):
        uid, before = ids[n], prev_ids[n]
        big = []
        for area in unit.rubric.areas:
            column = areas[area.code]
            up = (float(column[uid]) - float(column[before])) / sum(area.weights.values())
            if up >= scale["change_area_share"]:
                big.append(f"{area.code} (+{fmt_num(100 * up, 0)}%)")
        extra = f"; area naik tajam: {', '.join(big)}" if big else ""
        extra_en = f"; areas up sharply: {', '.join(big)}" if big else ""
        up_total = float(jump.iloc[n])
        rows.append((uid, "change", f"Nilai total naik {fmt_num(up_total)} poin dari periode sebelumnya "
                     f"({before}){extra}",
                     f"The total rose {en(up_total)} points since the previous period ({before}){extra_en}"))
    return Signal("change", jump.fillna(0.0).clip(lower=0.0), reasons_frame(rows))
