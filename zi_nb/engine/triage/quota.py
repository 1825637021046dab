"""Nomination within a quota: which units to propose, which are out and why, which would enter (pure).

The rule, in plain words (weights from ``zi_nb/data/triage-bobot.yaml``):

1. **Who meets the criteria.** Each unit is judged on the ``final`` view (the reviewer's answers where there are
   any, else the self-assessment) against every criterion of the rubric's predicates
   (:func:`zi_nb.engine.predicate.evaluate`); a unit meeting every criterion of a predikat may be proposed for the
   highest such predikat.
2. **Order.** Its *margin* is the smallest margin over that predikat's criteria as a share of the criterion's minimum
   (``(value - minimum) / minimum``: 0.04 = 4 % above the closest threshold; criteria on indicators of option answers
   only, like Capaian kinerja, are left out as in the hugging signal: their values move in steps). The order key is
   ``margin - risk_penalty x risk / 100`` (risk from :func:`zi_nb.engine.triage.ranking.triage`): a unit well clear
   of every threshold and with little to check goes first. Ties: unit id ascending.
3. **In and out.** The first ``quota`` units are in (``masuk``), the rest out (``di luar kuota``), each with its
   place, margin and risk in words. Units meeting no predikat are ``tidak memenuhi``; those missing exactly one
   criterion of the lowest predikat are ``hampir`` (would enter if that one criterion were met), with the criterion
   and the points missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zi_nb.common.fmt import num as fmt_num
from zi_nb.engine.predicate import NONE, evaluate
from zi_nb.engine.rubric import TOLERANCE
from zi_nb.engine.triage.ranking import Triage
from zi_nb.engine.triage.signals import discrete_measures

__all__ = ["IN", "NEAR", "NOMINATION_COLUMNS", "NOT_MET", "OUT", "nominate"]

IN, OUT, NEAR, NOT_MET = "masuk", "di luar kuota", "hampir", "tidak memenuhi"
STATUS_EN = {IN: "in", OUT: "out of quota", NEAR: "near", NOT_MET: "not met"}
NOMINATION_COLUMNS = ["place", "unit_id", "status", "status_en", "predicate", "margin", "risk", "key", "reason",
                      "reason_en"]


def _en(value: float, decimals: int = 2) -> str:
    return fmt_num(value, decimals, "en")


def nominate(result: Triage, quota: int) -> pd.DataFrame:
    """Every ranked unit of ``result`` with its nomination status and reason (:data:`NOMINATION_COLUMNS`): the
    candidates in order first (``place`` 1..), then the near misses, then the units meeting no predikat."""
    if quota < 0:
        raise ValueError("quota must be >= 0")
    units = list(result.table["unit_id"])
    scores = result.final_scores
    ev = evaluate(scores)
    crit = ev.criteria[ev.criteria["unit_id"].isin(units)]
    held = ev.by_criteria.reindex(units)
    risk = result.table.set_index("unit_id")["risk"].reindex(units)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = crit["margin"].astype(float) / crit["minimum"].astype(float).where(crit["minimum"].abs() > 0)
    crit = crit.assign(share=share)
    mine = crit[crit["predicate"].to_numpy() == held.reindex(crit["unit_id"]).to_numpy()]
    stepped = mine["measure"].isin(discrete_measures(scores.rubric))
    mine = mine[~stepped] if (~stepped).any() else mine
    closest = mine.sort_values(["unit_id", "share", "criterion"]).drop_duplicates("unit_id").set_index("unit_id")
    eligible = [u for u in units if held[u] != NONE]
    key = {u: float(closest.at[u, "share"]) - result.config.risk_penalty * float(risk[u]) / 100.0 for u in eligible}
    ordered = sorted(eligible, key=lambda u: (-round(key[u], 12), u))
    rows = []
    for place, u in enumerate(ordered, start=1):
        c = closest.loc[u]
        inside = place <= quota
        status = IN if inside else OUT
        why = (f"peringkat {place} dari {len(ordered)} calon {held[u]} (kuota {quota}); margin terkecil "
               f"{fmt_num(100 * c['share'], 1)}% di atas batas {c['name']}; risiko {fmt_num(risk[u], 1)}")
        why_en = (f"place {place} of {len(ordered)} {held[u]} candidates (quota {quota}); smallest margin "
                  f"{_en(100 * c['share'], 1)}% above the threshold of {c['name']}; risk {_en(risk[u], 1)}")
        rows.append((place, u, status, STATUS_EN[status], held[u], float(c["share"]), float(risk[u]), key[u], why,
                     why_en))
    lowest = result.final_scores.rubric.predicates[0].code
    first = crit[crit["predicate"].eq(lowest) & ~crit["met"].astype(bool)]
    missing = first.groupby("unit_id")
    rest = [u for u in units if held[u] == NONE]
    near, others = [], []
    for u in rest:
        miss = missing.get_group(u) if u in missing.groups else first.iloc[0:0]
        if len(miss) == 1:
            m = miss.iloc[0]
            short = float(m["minimum"]) - float(m["value"])
            near.append((None, u, NEAR, STATUS_EN[NEAR], lowest, float(m["share"]), float(risk[u]), np.nan,
                         f"akan menjadi calon {lowest} bila kriteria {m['name']} terpenuhi (kurang "
                         f"{fmt_num(max(short, TOLERANCE))} dari {fmt_num(m['minimum'])})",
                         f"would become a {lowest} candidate if {m['name']} were met ({_en(max(short, TOLERANCE))} "
                         f"short of {_en(m['minimum'])})"))
        else:
            names = ", ".join(str(n) for n in miss["name"])
            others.append((None, u, NOT_MET, STATUS_EN[NOT_MET], NONE, np.nan, float(risk[u]), np.nan,
                           f"{len(miss)} kriteria {lowest} belum terpenuhi: {names}",
                           f"{len(miss)} {lowest} criteria not met: {names}"))
    near.sort(key=lambda r: (-r[5], r[1]))
    frame = pd.DataFrame(rows + near + sorted(others, key=lambda r: r[1]), columns=NOMINATION_COLUMNS)
    frame["place"] = frame["place"].astype("Int64")
    return frame
