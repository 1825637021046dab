"""Results of scoring as data other tools read: the JSON contract of ``zi-nb score`` and the summary table.

Contract (``zi-nb score --format json``)::

    {"rubric": {"id", "hash", "title"}, "policies": {name: value}, "tier": T,
     "units": [{"unit_id", "unit_name", "instansi", "year", "current_predicate", "tier",
                "total", "pengungkit", "pemenuhan", "reform", "hasil", "bersih", "prima",
                "areas": {"A": {"pemenuhan", "reform", "total"}, ...},
                "indicators": {code: score}, "items": {code: value 0..1 or null},
                "predicate": "WBBM" | "WBK" | "TIDAK", "predicate_by_criteria": ...,
                "criteria": [{"predicate", "code", "name", "value", "minimum", "margin", "met"}],
                "prerequisites": [{"predicate", "requires", "current_predicate", "met"}],
                "unanswered": [codes],
                "status": "final" | "belum lengkap" | "sementara", "errors", "warnings", "answered", "scorable"}]}

Component keys (``pengungkit``...) are the rubric's component codes in lower case, so an older rubric without the
Pemenuhan/Reform split simply has no ``pemenuhan``/``reform`` keys. Values are unrounded.

``status`` is the data status of the result (:mod:`zi_nb.engine.status`): ``sementara`` when validation found data
errors concerning the unit and tier (``errors``; its ``predicate`` cannot be determined from this data), else
``belum lengkap`` when ``scorable - answered`` items are unanswered (its ``predicate`` is provisional), else ``final``.
``warnings`` counts the warnings; ``scorable`` is the rubric's number of scored items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, SupportsFloat, cast

import pandas as pd

from zi_nb.common.findings import Finding
from zi_nb.engine.dataset import LkeData
from zi_nb.engine.predicate import Evaluation, evaluate
from zi_nb.engine.scoring import Scores, score_answers
from zi_nb.engine.status import DataStatus, unit_statuses
from zi_nb.engine.validate import validate


@dataclass
class TierResult:
    """Scores and predikat of every unit of an input set, for one tier."""

    scores: Scores
    evaluation: Evaluation
    units: pd.DataFrame  # metadata, indexed by unit_id
    statuses: dict[str, DataStatus] = field(default_factory=dict)  # unit_id -> data status of its result


def json_value(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return json_value(value.item())
    return value


def compute(data: LkeData, tier: str = "final", policies: dict[str, str] | None = None,
            findings: list[Finding] | None = None) -> TierResult:
    """Score and evaluate every unit of ``data`` for one tier (units without answers in that tier are left out),
    with the data status of each result from the validation ``findings`` (validated here when not given)."""
    units = data.units.set_index("unit_id", drop=False)
    scores = score_answers(data.answers, data.rubric, tier=tier, policies=policies)
    order = [u for u in units.index if u in set(scores.unit_ids)]
    if order != scores.unit_ids:
        scores = score_answers(data.answers, data.rubric, tier=tier, policies=policies, unit_ids=order)
    evaluation = evaluate(scores, units["current_predicate"].reindex(order))
    if findings is None:
        findings = validate(data, policies)
    statuses = unit_statuses(findings, tier, scores.unanswered(), len(data.rubric.items), unit_files(data))
    return TierResult(scores, evaluation, units.reindex(order), statuses)


def unit_files(data: LkeData) -> dict[str, set[str]]:
    """unit_id -> the input files its answers and its metadata were read from."""
    out: dict[str, set[str]] = {}
    for frame in (data.answers, data.units):
        if "file" in frame.columns:
            for unit_id, file in zip(frame["unit_id"], frame["file"]):
                if isinstance(file, str):
                    out.setdefault(str(unit_id), set()).add(file)
    return out


def unit_records(result: TierResult) -> list[dict[str, Any]]:
    """One contract object per unit (see the module docstring)."""
    s, ev, rubric = result.scores, result.evaluation, result.scores.rubric
    crit = ev.criteria.groupby("unit_id", sort=False)
    prereq = ev.prerequisites.groupby("unit_id", sort=False) if not ev.prerequisites.empty else None
    unanswered = s.unanswered()
    comp_cols = list(s.components.columns)
    records = []
    for unit_id in s.unit_ids:
        meta = result.units.loc[unit_id]
        rec: dict[str, Any] = {
            "unit_id": unit_id,
            "unit_name": json_value(meta.get("unit_name")),
            "instansi": json_value(meta.get("instansi")),
            "year": _year(meta.get("year")),
            "current_predicate": json_value(meta.get("current_predicate")),
            "tier": s.tier,
            "total": _float(s.total.at[unit_id]),
        }
        for comp in comp_cols:
            rec[comp.lower()] = _float(s.components.at[unit_id, comp])
        rec["areas"] = {
            area.code: {**{comp.lower(): _float(s.areas.at[unit_id, f"{comp}:{area.code}"]) for comp in area.weights},
                        "total": _float(s.areas.at[unit_id, area.code])}
            for area in rubric.areas
        }
        rec["indicators"] = {k: _float(v) for k, v in s.indicators.loc[unit_id].items()}
        rec["items"] = {k: json_value(v) for k, v in s.items.loc[unit_id].items()}
        rec["predicate"] = ev.predicate.at[unit_id]
        rec["predicate_by_criteria"] = ev.by_criteria.at[unit_id]
        rec["criteria"] = [
            {"predicate": r.predicate, "code": r.criterion, "name": r.name, "value": _float(r.value),
             "minimum": _float(r.minimum), "margin": _float(r.margin), "met": bool(r.met)}
            for r in crit.get_group(unit_id).itertuples()
        ]
        rec["prerequisites"] = [] if prereq is None else [
            {"predicate": r.predicate, "requires": r.requires, "current_predicate": json_value(r.current_predicate),
             "met": None if r.met is None or (isinstance(r.met, float) and math.isnan(r.met)) else bool(r.met)}
            for r in prereq.get_group(unit_id).itertuples()
        ]
        rec["unanswered"] = unanswered[unit_id]
        rec.update(result.statuses[unit_id].to_dict())
        records.append(rec)
    return records


def _float(value: object) -> float:
    """``float(value)`` of a number read from a frame (pandas-stubs types such cells as any scalar, even text)."""
    return float(cast("SupportsFloat", value))


def _year(value: Any) -> int | None:
    value = json_value(value)
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def score_document(data: LkeData, tiers: list[str], policies: dict[str, str] | None = None,
                   findings: list[Finding] | None = None) -> dict[str, Any]:
    """The full JSON contract for one or several tiers."""
    units: list[dict[str, Any]] = []
    chosen = data.rubric.policy_values(policies)
    if findings is None:
        findings = validate(data, policies)
    for tier in tiers:
        units.extend(unit_records(compute(data, tier, policies, findings)))
    return {
        "rubric": {"id": data.rubric.id, "hash": data.rubric.content_hash, "title": data.rubric.title},
        "policies": chosen,
        "tier": tiers[0] if len(tiers) == 1 else tiers,
        "units": units,
    }


def summary_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """A flat table of contract records: identity, total, components, areas as % of their weight, predikat."""
    rows = []
    for r in records:
        row = {"unit_id": r["unit_id"], "unit_name": r["unit_name"], "instansi": r["instansi"], "year": r["year"],
               "tier": r["tier"], "total": r["total"]}
        for key in ("pengungkit", "pemenuhan", "reform", "hasil", "bersih", "prima"):
            if key in r:
                row[key] = r[key]
        for code, area in r["areas"].items():
            row[f"area_{code}"] = area["total"]
        row["predicate"] = r["predicate"]
        row["failed_criteria"] = ", ".join(c["code"] for c in missed_criteria(r))
        row["unanswered"] = len(r["unanswered"])
        for key in ("status", "errors", "warnings", "answered", "scorable"):
            row[key] = r[key]
        rows.append(row)
    return pd.DataFrame(rows)


def missed_criteria(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The criteria of the predikat to aim for next (:func:`next_target`) that the unit does not meet yet."""
    target = next_target(record)
    return [c for c in record["criteria"] if not c["met"] and c["predicate"] == target]


def next_target(record: dict[str, Any]) -> str:
    """The predikat to aim for next: WBK for a unit without one, WBBM for a WBK unit."""
    codes = list(dict.fromkeys(c["predicate"] for c in record["criteria"]))
    if record["predicate"] in codes:
        i = codes.index(record["predicate"])
        return codes[min(i + 1, len(codes) - 1)]
    return codes[0] if codes else ""
