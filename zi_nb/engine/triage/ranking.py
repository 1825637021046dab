"""Which self-assessments to check first: every signal for every unit, a risk score, a deterministic ranking (pure).

:func:`triage` takes the answers of many units (all tiers, several periods) and the unit metadata and returns a
:class:`Triage`:

1. **Periods.** A unit's identity is its instansi and name (folded case and spaces; the unit id when there is no
   name); its evaluations in several years are its periods. The latest period of each identity is what is ranked;
   earlier periods are history (the ``change`` signal and the instansi's history of gaps).
2. **Signals** (:mod:`zi_nb.engine.triage.signals`, :mod:`zi_nb.engine.triage.copying`), each a raw measure turned
   into a strength 0..1 by the scales of the weights file: ``gap`` (points / ``gap_points``), ``inconsistency``
   (rules / ``inconsistency_rules``), ``evidence`` (items / ``evidence_items``), ``hugging`` (already 0..1),
   ``copying`` (the larger of the cross-unit copying strength and items with reused evidence / ``reused_items``),
   ``change`` (points / ``change_points``).
3. **Risk** = sum over signals of weight x strength, the weights from ``zi_nb/data/triage-bobot.yaml`` (or a file of
   the same shape given by the caller); with the shipped weights 0..100.
4. **Ranking**: risk descending, then unit id ascending (ties never depend on input order). Per unit the items to
   check first (:func:`zi_nb.engine.triage.checks.downgrade_sets`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from zi_nb.common.domain import REVIEW_TIERS, TIER_RANKS
from zi_nb.common.resources import package_path
from zi_nb.engine.predicate import evaluate
from zi_nb.engine.rubric import Rubric, load_rubric
from zi_nb.engine.scoring import Scores, score_tiers
from zi_nb.engine.triage.checks import downgrade_sets
from zi_nb.engine.triage.copying import copying_signal
from zi_nb.engine.triage.signals import (
    REASON_COLUMNS,
    Signal,
    change_signal,
    evidence_signal,
    gap_signal,
    hugging_signal,
    inconsistency_signal,
    strength,
)
from zi_nb.errors import ParameterError

__all__ = ["SIGNALS", "Triage", "TriageConfig", "load_config", "triage", "unit_periods"]

SIGNALS: tuple[str, ...] = ("gap", "inconsistency", "evidence", "hugging", "copying", "change")
# raw measure -> strength: the scale key of each signal (None: the signal is already 0..1)
SCALE_KEYS: dict[str, str | None] = {"gap": "gap_points", "inconsistency": "inconsistency_rules",
                                     "evidence": "evidence_items", "hugging": None, "copying": None,
                                     "change": "change_points"}
SIGNAL_NAMES: dict[str, tuple[str, str]] = {
    "gap": ("Selisih dengan TPI/TPN", "Self vs reviewer"), "inconsistency": ("Jawaban tidak konsisten",
                                                                             "Internal inconsistency"),
    "evidence": ("Bukti dukung tipis", "Thin evidence"), "hugging": ("Tepat di atas batas", "Threshold hugging"),
    "copying": ("Salinan", "Copying"), "change": ("Lonjakan dari periode lalu", "Change since last period")}
CONFIG_FILE = ("data", "triage-bobot.yaml")
SCALE_REQUIRED = ("gap_points", "gap_area_share", "inconsistency_rules", "evidence_items", "hugging_share",
                  "copying_share", "copying_min_items", "answer_similarity", "answer_similarity_weight",
                  "reused_items", "change_points", "change_area_share")


@dataclass(frozen=True)
class TriageConfig:
    """The weights and scales of the triage (``zi_nb/data/triage-bobot.yaml``)."""

    weights: dict[str, float]
    scale: dict[str, float]
    max_items: int
    risk_penalty: float
    source: str = ""


def load_config(path: str | Path | None = None) -> TriageConfig:
    """The triage weights file (default: the packaged ``triage-bobot.yaml``); a file that is missing, not YAML or
    lacks a weight or scale raises :class:`ParameterError` naming what is wrong."""
    chosen = Path(path) if path is not None else package_path(*CONFIG_FILE)
    try:
        raw: Any = yaml.safe_load(chosen.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ParameterError(f"Berkas bobot triase '{chosen}' tidak dapat dibaca: {exc}") from None
    try:
        weights = {s: float(raw["weights"][s]) for s in SIGNALS}
        scale = {k: float(raw["scale"][k]) for k in SCALE_REQUIRED}
        max_items = int(raw["items_to_check"]["max_items"])
        penalty = float(raw["quota"]["risk_penalty"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ParameterError(f"Berkas bobot triase '{chosen}': nilai '{exc}' tidak ada atau bukan angka "
                             f"(perlu weights: {', '.join(SIGNALS)}; scale: {', '.join(SCALE_REQUIRED)}; "
                             "items_to_check.max_items; quota.risk_penalty)") from None
    return TriageConfig(weights, scale, max_items, penalty, str(chosen))


def unit_periods(units: pd.DataFrame, unit_ids: list[str]) -> pd.DataFrame:
    """Per unit (index unit_id): ``identity``, ``instansi``, ``year``, ``previous`` (unit id of the previous period of
    the same identity, None when none) and ``latest`` (the last period of its identity)."""
    meta = units.drop_duplicates("unit_id").set_index("unit_id").reindex(unit_ids)
    name = meta["unit_name"].where(meta["unit_name"].notna(), pd.Series(unit_ids, index=meta.index)).astype(str)
    instansi = meta["instansi"].fillna("").astype(str)

    def fold(s: pd.Series) -> pd.Series:
        return s.str.casefold().str.split().str.join(" ")

    frame = pd.DataFrame({"identity": fold(instansi) + "|" + fold(name), "instansi": instansi,
                          "year": pd.to_numeric(meta["year"], errors="coerce").fillna(0).to_numpy(),
                          "order": np.arange(len(unit_ids))}, index=pd.Index(unit_ids, name="unit_id"))
    ordered = frame.sort_values(["identity", "year", "order"], kind="stable")
    same = ordered["identity"].eq(ordered["identity"].shift())
    ordered["previous"] = pd.Series(ordered.index, index=ordered.index).shift().where(same)
    ordered["latest"] = ~ordered["identity"].eq(ordered["identity"].shift(-1))
    return ordered.reindex(unit_ids).drop(columns="order")


@dataclass
class Triage:
    """The triage of many units.

    Attributes:
        table: the ranked units (latest periods), best first: ``rank``, ``unit_id``, ``unit_name``, ``instansi``,
            ``year``, ``risk``, ``predicate`` (on the self-assessment), ``total_unit``, ``total_reviewed`` (NaN when
            not reviewed), one ``s_<signal>`` strength 0..1 per signal, ``items_to_check`` (list of item codes).
        reasons: every reason (``unit_id``, ``signal``, ``text``, ``text_en``), for every unit in the input.
        strengths: units x signals, 0..1, for every unit in the input (history included).
        unit_scores: the unit tier (self-assessment) scores; final_scores: the ``final`` view (reviewer where any).
    """

    table: pd.DataFrame
    reasons: pd.DataFrame
    strengths: pd.DataFrame
    unit_scores: Scores
    final_scores: Scores
    config: TriageConfig
    periods: pd.DataFrame = field(repr=False)

    def reasons_of(self, unit_id: str, lang: str = "id") -> list[str]:
        rows = self.reasons[self.reasons["unit_id"].eq(unit_id)]
        return list(rows["text_en" if lang == "en" else "text"])


def triage(answers: pd.DataFrame, units: pd.DataFrame, rubric: Rubric | str = "zi-2021",
           policies: dict[str, str] | None = None, config: TriageConfig | None = None,
           verdicts: pd.DataFrame | None = None, attachments: pd.DataFrame | None = None) -> Triage:
    """Every signal, the risk and the ranking of the units of ``answers`` (see the module docstring).

    Args:
        answers: the answers frame (all tiers), as :attr:`zi_nb.engine.dataset.LkeData.answers`.
        units: unit metadata (``unit_id``, ``unit_name``, ``instansi``, ``year``); units absent from it are their own
            identity without history.
        rubric: a :class:`Rubric` or its id.
        policies: overrides of the rubric's policies.
        config: weights and scales (default: :func:`load_config`).
        verdicts, attachments: the evaluator's document verdicts and attachments (``zi_nb.review.evidence``), for the
            ``evidence`` signal.
    """
    rubric = load_rubric(rubric)
    config = config or load_config()
    unit_ids = [str(u) for u in pd.unique(answers["unit_id"])]
    answers = answers.assign(unit_id=answers["unit_id"].astype(str))
    units = units.assign(unit_id=units["unit_id"].astype(str)) if not units.empty else units
    periods = unit_periods(units.reindex(columns=["unit_id", "unit_name", "instansi", "year"]), unit_ids)
    tiers = score_tiers(answers, rubric, ["unit", "final"], policies, unit_ids)
    unit, final = tiers["unit"], tiers["final"]
    review = [t for stage in REVIEW_TIERS for t in TIER_RANKS[stage]]
    reviewed = set(answers.loc[answers["tier"].isin(review) & (answers["answer"].notna() | answers["number"].notna()),
                               "unit_id"])
    scale = config.scale
    latest = periods.index[periods["latest"].to_numpy(dtype=bool)].tolist()
    thin, reused = evidence_signal(rubric, answers, unit, latest, verdicts, attachments)
    copied = copying_signal(answers, unit_ids, [i.code for i in rubric.items], periods["instansi"],
                            periods["identity"], scale)
    signals: list[Signal] = [
        gap_signal(unit, final, reviewed, periods["instansi"], scale),
        inconsistency_signal(unit),
        thin,
        hugging_signal(unit, scale["hugging_share"]),
        Signal("copying", pd.Series(np.maximum(copied.strength.reindex(reused.strength.index).fillna(0.0).to_numpy(),
                                               strength(reused.strength, scale["reused_items"])),
                                    index=reused.strength.index),
               pd.concat([copied.reasons, reused.reasons], ignore_index=True)),
        change_signal(unit, periods["previous"], scale),
    ]
    strengths = pd.DataFrame(index=pd.Index(unit_ids, name="unit_id"))
    for sig in signals:
        key = SCALE_KEYS[sig.name]
        raw = sig.strength.reindex(strengths.index).fillna(0.0)
        strengths[sig.name] = strength(raw, scale[key]) if key else raw.clip(0.0, 1.0).to_numpy()
    risk = pd.Series(sum(strengths[s].to_numpy() * config.weights[s] for s in SIGNALS), index=strengths.index)
    predicate = evaluate(unit).by_criteria
    table = pd.DataFrame({
        "unit_id": latest,
        "unit_name": units.drop_duplicates("unit_id").set_index("unit_id")["unit_name"].reindex(latest).to_numpy()
        if "unit_name" in units else latest,
        "instansi": periods.loc[latest, "instansi"].to_numpy(),
        "year": periods.loc[latest, "year"].to_numpy(),
        "risk": np.round(risk.reindex(latest).to_numpy(dtype=float), 9),
        "predicate": predicate.reindex(latest).to_numpy(),
        "total_unit": unit.total.reindex(latest).to_numpy(),
        "total_reviewed": final.total.reindex(latest).where(pd.Index(latest).isin(list(reviewed))).to_numpy(),
        **{f"s_{s}": strengths[s].reindex(latest).to_numpy() for s in SIGNALS},
    })
    table["unit_name"] = table["unit_name"].where(table["unit_name"].notna(), table["unit_id"])
    table = table.sort_values(["risk", "unit_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    checks = downgrade_sets(unit, list(table["unit_id"]), config.max_items)
    table["items_to_check"] = [checks.get(u, []) for u in table["unit_id"]]
    reasons = pd.concat([s.reasons for s in signals], ignore_index=True).reindex(columns=REASON_COLUMNS)
    return Triage(table, reasons, strengths, unit, final, config, periods)
