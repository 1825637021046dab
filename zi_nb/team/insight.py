"""What the ledger service knows of the units' answers: the LKE inputs it reads once at start (:func:`load_inputs`,
``--input``/``--units`` of ``zi-nb hub``, the bundled sample by default, as ``zi-nb serve``), and for the ledger as it
stands each unit's progress per tier and its triage risk (:func:`insight`, computed once per state of the ledger: the
hash of its last record is the key, so any write computes it afresh).

The risk is :func:`zi_nb.engine.triage.triage` over every unit of the inputs with the ledger's answers, verdicts and
attachments applied (as ``zi-nb triage --ledger``); "Tugas saya" shows it and orders by it (riskiest first), and
``api/risiko`` answers it: every unit's figure (:meth:`Insight.risk_of`) and one unit's triage in words
(:meth:`Insight.summary`, :func:`zi_nb.engine.triage.unit_summary` with the predikat labelled), both from the same
cached triage, so the app's risk chips, its "Risiko" view and "Tugas saya" show the same figures. The score is
rounded to :data:`SCORE_DECIMALS` decimals wherever the service gives it.

The unit list's figures (``api/ringkasan``, :meth:`Insight.figures`) come from the same inputs with the same team
ledger applied, once per tier and state: each unit's PMPZI total, the tier's total and predikat with its data status,
the answer records of that tier and the items whose evidence is lacking at that tier (what the app's unit list
computed from a local ledger before, which on the hub has none of the team's records).
"""

from __future__ import annotations

import math
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zi_nb.common.domain import ANSWER_KINDS
from zi_nb.engine.dataset import LkeData
from zi_nb.errors import ParameterError, ZiError
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.sample import bundled_paths
from zi_nb.review.ledger import Record
from zi_nb.team.overview import answered_counts, tier_label
from zi_nb.team.permissions import ROLE_TIER, VIEW_TIER

SCORE_DECIMALS = 4  # the risk as the service gives it (tasks, api/risiko)
FIGURE_TIERS: tuple[str, ...] = ("unit", "tpi", "tpn")  # the tiers api/ringkasan gives the unit list's figures of


def input_files(input_path: str = "", units_path: str = "") -> list[Path]:
    """The files read: ``input_path`` (empty: the bundled sample) and ``units_path`` when given, absolute."""
    files = [Path(input_path).expanduser().resolve()] if input_path else list(bundled_paths())
    if units_path:
        files.append(Path(units_path).expanduser().resolve())
    return files


def load_inputs(input_path: str = "", units_path: str = "", rubric: Any = "zi-2021") -> LkeData:
    """The units' LKE answers (:func:`zi_nb.lke.inputs.read_inputs`); :class:`ParameterError` naming the file when
    one is missing or cannot be read, or when no unit's answers are found."""
    for option, given in (("--input", input_path), ("--units", units_path)):
        if given and not Path(given).expanduser().is_file():
            raise ParameterError(f"Berkas {option} '{given}' tidak ditemukan (yang diharapkan: berkas LKE .xlsx atau "
                                 ".csv yang ada); server tim tidak dimulai.")
    files = input_files(input_path, units_path)
    data = read_inputs(files, rubric)
    if data.fatal_files:
        problems = [f"{f.file}: {f.message('id')}" for f in data.findings
                    if f.file in data.fatal_files and f.severity == "error"]
        raise ParameterError(f"Berkas masukan {', '.join(data.fatal_files)} tidak dapat dibaca (yang diharapkan: "
                             "berkas LKE .xlsx atau .csv); server tim tidak dimulai.\n- " + "\n- ".join(problems))
    if not data.unit_ids or data.answers.empty:
        raise ParameterError(f"Berkas masukan {', '.join(str(f) for f in files)} tidak memuat jawaban unit mana pun "
                             "(yang diharapkan: LKE berisi kolom unit_id, kode butir dan jawaban); server tim tidak "
                             "dimulai.")
    return data


@dataclass(frozen=True)
class Insight:
    """The units' progress and triage risk for one state of the ledger."""

    scorable: int  # items of the rubric
    answered: dict[str, dict[str, int]]  # unit -> tier -> items answered
    risk: dict[str, float] = field(default_factory=dict)  # unit -> triage risk (the higher, the riskier)
    rank: dict[str, int] = field(default_factory=dict)  # unit -> place in the triage, 1 = riskiest
    ranked: int = 0  # units the triage ranked
    result: Any = field(default=None, repr=False, compare=False)  # the Triage (None: it failed, or no unit)
    ledger: bool = False  # the ledger had records (its answers, verdicts and attachments were applied)
    error: str = ""  # why the triage failed, in words
    _summaries: dict[str, dict[str, Any] | None] = field(default_factory=dict, repr=False, compare=False)
    applied: Any = field(default=None, repr=False, compare=False)  # the inputs with the ledger applied (LkeData)
    records: tuple[Record, ...] = field(default=(), repr=False, compare=False)
    _figures: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict, repr=False, compare=False)

    def progress(self, unit_id: str, tier: str) -> dict[str, Any] | None:
        """``{"tier", "answered", "scorable", "text"}`` of a unit's tier (None: the unit is not in the inputs)."""
        if unit_id not in self.answered and unit_id not in self.risk:
            return None
        answered = self.answered.get(unit_id, {}).get(tier, 0)
        return {"tier": tier, "answered": answered, "scorable": self.scorable,
                "text": f"{tier_label(tier)} {answered}/{self.scorable}"}

    def risk_of(self, unit_id: str) -> dict[str, Any] | None:
        """``{"score", "rank", "of"}`` of a unit (None: not ranked)."""
        if unit_id not in self.risk:
            return None
        return {"score": round(self.risk[unit_id], SCORE_DECIMALS), "rank": self.rank[unit_id], "of": self.ranked}

    def summary(self, unit_id: str) -> dict[str, Any] | None:
        """The unit's triage in words (:func:`zi_nb.engine.triage.unit_summary`, its score rounded as
        :meth:`risk_of`'s, ``ledger`` added), None when it is not ranked; made once per unit and state."""
        from zi_nb.engine.triage import unit_summary

        if self.result is None or unit_id not in self.risk:
            return None
        with _LOCK:
            if unit_id in self._summaries:
                return self._summaries[unit_id]
        found = unit_summary(self.result, unit_id, "id")
        if found is not None:
            found = {**found, "score": round(found["score"], SCORE_DECIMALS), "ledger": self.ledger}
        with _LOCK:
            self._summaries[unit_id] = found
        return found

    def figures(self, tier: str) -> dict[str, dict[str, Any]]:
        """unit -> the unit list's figures at ``tier`` (:data:`FIGURE_TIERS`): ``unit_total``, ``tier_total``,
        ``predicate``, ``data_status`` ({"status", "final", "errors", "warnings", "answered", "scorable"}, None: the
        unit has no result at the tier), ``changes`` (answer records of the tier), ``lacking`` (items whose evidence is
        lacking, seen from the tier); made once per tier and state of the ledger. Empty without inputs."""
        if tier not in FIGURE_TIERS:
            raise ParameterError(f"Tingkat '{tier}' tidak sah; yang diharapkan: {', '.join(FIGURE_TIERS)}.")
        with _LOCK:
            if tier in self._figures:
                return self._figures[tier]
        found = unit_figures(self.applied, self.records, tier) if self.applied is not None else {}
        with _LOCK:
            self._figures[tier] = found
        return found


def _number(value: Any) -> float | None:
    """A total as JSON may carry it (None for a missing or NaN one)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def unit_figures(applied: LkeData, records: Sequence[Record], tier: str) -> dict[str, dict[str, Any]]:
    """The unit list's figures of every unit of ``applied`` (the ledger's answers already applied) at ``tier``,
    as the app's unit list computes them for a local ledger (``zi_nb.app.workbench.Root.show_picker``)."""
    from zi_nb.engine.evidence import evidence_counts
    from zi_nb.engine.results import compute as results
    from zi_nb.engine.validate import validate
    from zi_nb.review.evidence import evidence_check

    findings = validate(applied)  # once for both tiers (the ledger changes only reviewer tiers)
    unit_res = results(applied, "unit", findings=findings)
    tier_res = unit_res if tier == "unit" else results(applied, tier, findings=findings)
    changes = Counter(r.unit_id for r in records if r.tier == tier and r.kind in ANSWER_KINDS)
    lacking = evidence_counts(evidence_check(applied, records, tier))
    out: dict[str, dict[str, Any]] = {}
    for u in (str(u) for u in applied.unit_ids):
        tier_ok = u in tier_res.scores.unit_ids
        status = tier_res.statuses.get(u)
        out[u] = {"unit_total": _number(unit_res.scores.total.get(u)),
                  "tier_total": _number(tier_res.scores.total.get(u)) if tier_ok else None,
                  "predicate": str(tier_res.evaluation.predicate.get(u, "TIDAK")) if tier_ok else "TIDAK",
                  "data_status": None if status is None else {**status.to_dict(), "final": status.final},
                  "changes": changes.get(u, 0), "lacking": lacking.get(u, 0)}
    return out


def compute(data: LkeData, records: Sequence[Record]) -> Insight:
    """The progress and risk of every unit of ``data`` with ``records`` applied (no cache: see :func:`insight`)."""
    from zi_nb.engine.triage import triage
    from zi_nb.engine.triage.summary import label_predicates
    from zi_nb.review.evidence import attachment_frame, verdict_frame
    from zi_nb.review.ledger import apply_ledger

    applied = apply_ledger(data, records=list(records))
    answered = answered_counts(applied)
    scorable = len(applied.rubric.items)
    try:
        result = triage(applied.answers, applied.units, applied.rubric, None, None, verdict_frame(records),
                        attachment_frame(records))
        label_predicates(applied, None, result, None, "id")  # the predikat of the Risiko view, never bare
    except (ZiError, ValueError, KeyError) as exc:  # the risk only orders the tasks: they are listed without it
        print(f"zi-ledger: triase tidak dapat dihitung ({exc}); Tugas saya tanpa urutan risiko.", file=sys.stderr)
        return Insight(scorable, answered, ledger=bool(records), error=f"Risiko triase tidak dapat dihitung: {exc}",
                       applied=applied, records=tuple(records))
    table = result.table
    units = [str(u) for u in table["unit_id"]]
    return Insight(scorable, answered, dict(zip(units, (float(r) for r in table["risk"]))),
                   dict(zip(units, (int(r) for r in table["rank"]))), len(units), result, bool(records),
                   applied=applied, records=tuple(records))


_LOCK = threading.Lock()
_LAST: list[tuple[LkeData, str, Insight]] = []  # (data, hash of the ledger's last record, insight): one entry


def insight(data: LkeData, records: Sequence[Record]) -> Insight:
    """:func:`compute`, kept while the ledger's last record (its hash: the whole chain) and ``data`` stay the same."""
    head = records[-1].hash if records else ""
    with _LOCK:
        if _LAST and _LAST[0][0] is data and _LAST[0][1] == head:
            return _LAST[0][2]
    found = compute(data, records)
    with _LOCK:
        _LAST[:] = [(data, head, found)]
    return found


def tier_of_role(role: str) -> str:
    """The tier a task of ``role`` is about."""
    return ROLE_TIER.get(role, VIEW_TIER)
