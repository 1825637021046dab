"""The evaluator workbench: a TPI/TPN evaluator reviews one unit's LKE answers item by item, with live scores.

:class:`Session` is the model (no widgets): the unit's answers of every tier, the reviewing tier's answers kept in
memory as two row vectors (option values, numbers) of the vectorised engine, so a change rescores only this unit in
about 10 ms (:func:`zi_nb.engine.scoring.item_values`, :func:`zi_nb.engine.scoring.scores_from_values`,
:func:`zi_nb.engine.predicate.evaluate`). A change is a *draft* until saved; saving goes through the session's writer
(:mod:`zi_nb.app.writer`: the local :meth:`Ledger.adjust`, or the team server's ledger service; the note is required,
the change is acknowledged only after the ledger committed it); undo is a new ledger record (:meth:`Ledger.undo`).
The reviewing tier's answers shown are the workbook's plus the ledger's (:func:`zi_nb.review.ledger.apply_ledger`).
The widgets are in :mod:`zi_nb.app.workbench`, the HTML in :mod:`zi_nb.app.view`.

Parameters (``notebooks/evaluator.ipynb``, see :func:`resolve_parameters`): a value set in the notebook (or injected
by papermill) wins; a parameter left at its default takes the environment variable of :data:`PARAMETERS` (this is
how ``zi-nb serve`` configures the served notebook); ``unit_id`` may also come from the page's query string
(``?unit=<unit_id>``). File paths never come from the query string.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import numpy as np
import pandas as pd

from zi_nb.app.accept import progress
from zi_nb.app.view import HASIL, TIER_LABEL, shown
from zi_nb.app.writer import LocalWriter, Writer
from zi_nb.common.domain import ANSWER_KINDS, REVIEW_TIERS, STAGES
from zi_nb.common.fmt import TIME_ZONES
from zi_nb.engine.answers import normalise_value, select_tier
from zi_nb.engine.dataset import LkeData
from zi_nb.engine.predicate import evaluate
from zi_nb.engine.results import unit_files
from zi_nb.engine.scoring import encode, item_values, plan_for, score_tiers, scores_from_values, tier_matrices
from zi_nb.engine.status import unit_statuses
from zi_nb.engine.validate import validate
from zi_nb.errors import LedgerError, ParameterError
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.sample import bundled_paths
from zi_nb.review.ledger import Ledger, Record, apply_ledger, check_answer, default_path
from zi_nb.team.client import SERVICE_URL_ENV

# name -> (default, environment variable)
PARAMETERS: dict[str, tuple[str, str]] = {
    "input_path": ("", "ZI_NB_INPUT"),
    "units_path": ("", "ZI_NB_UNITS"),
    "unit_id": ("", "ZI_NB_UNIT"),
    "tier": ("tpi", "ZI_NB_TIER"),
    "evaluator": ("", "ZI_NB_EVALUATOR"),
    "ledger_path": ("", "ZI_NB_LEDGER"),
    "zona_waktu": ("WIB", "ZI_NB_TZ"),
}
HUB_TIERS = ("unit",)  # on the team server the PIC fills the unit tier (the self-assessment)
_IGNORED = {"In", "Out", "get_ipython", "exit", "quit", "open"}


def resolve_parameters(namespace: dict[str, Any], environ: dict[str, str] | None = None) -> dict[str, str]:
    """The workbench parameters: the notebook's value, else the environment variable, else the default; ``unit_id``
    also from ``?unit=`` in ``QUERY_STRING`` (voila). Unknown or non-text parameters are refused."""
    env = os.environ if environ is None else environ
    problems = [f"parameter '{k}' tidak dikenal (yang tersedia: {', '.join(PARAMETERS)})" for k, v in namespace.items()
                if not k.startswith("_") and k not in _IGNORED and k not in PARAMETERS and not callable(v)
                and type(v).__name__ != "module"]
    values: dict[str, str] = {}
    for name, (default, var) in PARAMETERS.items():
        value = namespace.get(name, default)
        if not isinstance(value, str):
            problems.append(f"parameter '{name}' harus berupa teks, bukan {type(value).__name__}")
            continue
        values[name] = (env.get(var, "") or default) if value == default else value
    if not values.get("unit_id"):
        values["unit_id"] = (parse_qs(env.get("QUERY_STRING", "")).get("unit") or [""])[0]
    if values.get("zona_waktu") not in TIME_ZONES:
        problems.append(f"parameter 'zona_waktu' harus {', '.join(TIME_ZONES)} (waktu setempat untuk riwayat)")
    tiers = (*HUB_TIERS, *REVIEW_TIERS) if env.get(SERVICE_URL_ENV) else REVIEW_TIERS  # hub: the PIC's unit tier
    if values.get("tier") not in tiers:
        problems.append(f"parameter 'tier' harus {' atau '.join(tiers)} (tingkat penilai)")
    if problems:
        raise ParameterError("Parameter workbench tidak sah:\n- " + "\n- ".join(problems))
    return values


def load_data(input_path: str = "", units_path: str = "") -> LkeData:
    """The workbook answers of every unit (the bundled sample when ``input_path`` is empty)."""

    files: list[str | Path] = [input_path] if input_path else list(bundled_paths())
    if units_path:
        files.append(units_path)
    return read_inputs(files)


def _text(answer: Any, number: Any) -> str | None:
    """Canonical text of an answer row: the option, else the number (``12``, ``3.62``), else None."""
    if isinstance(answer, str):
        return answer
    if number is None or pd.isna(number):
        return None
    value = float(number)
    return str(int(value)) if value.is_integer() else str(value)


def _meta_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or not str(value).strip():
        return None
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text


class Session:
    """One evaluator reviewing one unit at one tier (``tpi`` or ``tpn``; on the team server also ``unit``, the PIC),
    writing through ``writer`` (:mod:`zi_nb.app.writer`; the local ledger at ``ledger_path`` when None)."""

    def __init__(self, data: LkeData, unit_id: str, tier: str = "tpi", evaluator: str = "", ledger_path: str = "",
                 policies: dict[str, str] | None = None, zone: str = "WIB", input_path: str = "",
                 units_path: str = "", writer: Writer | None = None) -> None:
        hub = writer is not None and writer.hub
        if tier not in REVIEW_TIERS and not (hub and tier in HUB_TIERS):
            raise ParameterError(f"Tingkat '{tier}' tidak sah; penilai bekerja pada tingkat tpi atau tpn.")
        if unit_id not in data.unit_ids:
            raise ParameterError(f"Unit '{unit_id}' tidak ada dalam masukan; unit yang ada: "
                                 + (", ".join(data.unit_ids) or "tidak ada"))
        self.unit_id, self.tier, self.evaluator = unit_id, tier, evaluator.strip()
        self.zone = zone if zone in TIME_ZONES else "WIB"
        self.input_path, self.units_path = input_path, units_path  # what the LHE is made from
        self.rubric = data.rubric
        self.plan = plan_for(self.rubric)
        self.policies = self.rubric.policy_values(policies)
        self.ledger_path = Path(ledger_path) if ledger_path else default_path()
        self.writer: Writer = writer if writer is not None else LocalWriter(self.ledger_path)
        self.lhe_sha256 = ""  # of the last LHE made here (the ketua's "Finalisasi" signs it)
        unit_data = self.unit_input = data.for_units([unit_id])  # the workbook alone (bukti dukung findings)
        unit_data = apply_ledger(unit_data, records=self.unit_records())
        row = unit_data.units.set_index("unit_id").loc[unit_id]
        self.meta = {"unit_name": _meta_text(row.get("unit_name")) or unit_id, "instansi": _meta_text(
            row.get("instansi")), "year": _meta_text(row.get("year")), "current": _meta_text(
            row.get("current_predicate"))}
        self._current = pd.Series([self.meta["current"]], index=[unit_id], dtype=object)
        answers = unit_data.answers
        self.stages = {st: select_tier(answers, st).set_index("code") for st in STAGES}
        present = [st for st in STAGES if not self.stages[st].empty]
        scored = score_tiers(answers, self.rubric, present, self.policies, [unit_id]) if present else {}
        self.stage_values = {st: sc.items.iloc[0].to_dict() for st, sc in scored.items()}
        self.unit_total = float(scored["unit"].total.iloc[0]) if "unit" in scored else None
        opt, num = tier_matrices(encode(answers, self.plan, [unit_id]), self.plan, tier)
        self.opt, self.num = opt, num
        mine = self.stages[tier]
        self.saved: dict[str, str | None] = {c: _text(a, n) for c, a, n in zip(mine.index, mine["answer"],
                                                                             mine["number"])}
        self.unit_text = {c: _text(a, n) for c, a, n in zip(self.stages["unit"].index, self.stages["unit"]["answer"],
                                                            self.stages["unit"]["number"])}
        self.notes: dict[str, str] = {}
        self.drafts: dict[str, str] = {}
        self.touched = {r.code for r in self.records() if r.tier == tier}
        self._batches: list[int] = []
        self._pos = {item.code: n for n, item in enumerate(self.plan.items)}
        counts = self.plan.item_indicator.sum(axis=0)
        weights = self.plan.item_indicator @ self.plan.indicator_weight
        self._share = weights / (self.plan.item_indicator @ counts)  # points of the total one item carries
        # the input's data problems, for the data status of the result (a change made here is checked when typed)
        self.findings, self._files = validate(unit_data, self.policies), unit_files(unit_data)
        self.recompute()

    # -- ledger ------------------------------------------------------------------------------------------------------
    def unit_records(self) -> list[Record]:
        """Every ledger record of this unit (the local ledger, or the team's ledger service), oldest first."""
        return self.writer.records(self.unit_id)

    def records(self, item_code: str | None = None) -> list[Record]:
        """The answer records of this unit's reviewing tier (of one item when given), oldest first."""
        codes = set(self.codes_of(item_code)) if item_code else None
        return [r for r in self.unit_records() if r.tier == self.tier and r.kind in ANSWER_KINDS
                and (codes is None or r.code in codes)]

    # -- answers -------------------------------------------------------------------------------------------------
    def codes_of(self, item_code: str) -> list[str]:
        """The codes an item's answer consists of: the item, or its Jumlah inputs for a % item."""
        item = self.rubric.item_by_code[item_code]
        return [f"{item_code}.{i.name}" for i in item.inputs] if item.inputs else [item_code]

    def input_label(self, code: str) -> str:
        """The rubric's label of a Jumlah input (``PRE2A.pengaduan_harus_ditindaklanjuti``), else ``""``."""
        item_code, _, name = code.partition(".")
        item = self.rubric.item_by_code.get(item_code)
        return next((i.label.lstrip("- ").strip() for i in item.inputs if i.name == name), "") if item and name else ""

    def label_of(self, code: str) -> str:
        """How people name a code: ``PRE2A.pengaduan_harus_ditindaklanjuti`` -> ``"Jumlah pengaduan yang harus
        ditindaklanjuti" (butir PRE2A)``; an item as ``butir PPA1B``."""
        label = self.input_label(code)
        return f'"{label}" (butir {code.partition(".")[0]})' if label else f"butir {code.partition('.')[0]}"

    def value_text(self, code: str) -> str | None:
        """The reviewing tier's current answer of a code (draft, else saved), canonical text."""
        return self.drafts[code] if code in self.drafts else self.saved.get(code)

    def _put(self, code: str, text: str | None) -> None:
        col = self.plan.code_index[code]
        self.opt[0, col] = self.num[0, col] = np.nan
        if text is None:
            return
        option, number, _, _ = normalise_value(self.rubric, code, text)
        if option is not None:
            self.opt[0, col] = self.plan.option_table[col, self.plan.options.index(option)]
        else:
            self.num[0, col] = number

    def set_value(self, code: str, text: Any) -> None:
        """Change one answer (a draft until saved) and rescore; :class:`LedgerError` with the reason when invalid."""
        text = "" if text is None else str(text).strip()
        if not text:
            raise LedgerError("Jawaban tidak boleh kosong; isi jawaban atau tekan Kembalikan.")
        try:
            canonical = check_answer(self.rubric, code, text)
        except LedgerError as exc:  # the rubric's label, not the internal code of an input
            raise LedgerError(re.sub(rf"untuk {re.escape(code)} \(tipe [^)]*\)", f"untuk {self.label_of(code)}",
                                     str(exc))) from None
        if canonical == self.saved.get(code):
            self.drafts.pop(code, None)
        else:
            self.drafts[code] = canonical
        self._put(code, canonical)
        self.recompute()

    def discard(self, item_code: str) -> None:
        """Drop the drafts of an item (back to the saved answers)."""
        for code in self.codes_of(item_code):
            if self.drafts.pop(code, None) is not None:
                self._put(code, self.saved.get(code))
        self.recompute()

    def save(self, item_code: str, note: str) -> list[Record]:
        """Save an item's drafts through the ledger (one record per changed code), acknowledged after commit."""
        codes = [c for c in self.codes_of(item_code) if c in self.drafts]
        if not codes:
            raise LedgerError("Belum ada perubahan pada butir ini; pilih jawaban baru terlebih dahulu.")
        if not (note or "").strip():
            raise LedgerError("Catatan wajib diisi sebelum menyimpan: tuliskan alasan perubahan jawaban.")
        if not self.evaluator:
            raise LedgerError("Nama evaluator wajib diisi sebelum menyimpan.")
        saved = [self.record_answer(code, self.drafts[code], note) for code in codes]
        self.remember_batch(len(saved))
        return saved

    def record_answer(self, code: str, answer: str, note: str) -> Record:
        """Write one answer of this tier to the ledger (acknowledged after commit) and apply it here."""
        [rec] = self.writer.adjust_many(self.rubric, self.unit_id, [(code, answer, self.saved.get(code))], self.tier,
                                        self.evaluator, note)
        self._apply(rec)
        return rec

    def record_answers(self, changes: list[tuple[str, str]], note: str) -> list[Record]:
        """Write several answers of this tier in one ledger transaction (all or none) and apply them here."""
        records = self.writer.adjust_many(self.rubric, self.unit_id, [(c, a, self.saved.get(c)) for c, a in changes],
                                          self.tier, self.evaluator, note)
        for rec in records:
            self._apply(rec)
        return records

    def remember_batch(self, count: int) -> None:
        """The records of one save (or one acceptance) are undone together."""
        self._batches.append(count)

    def ledger(self, create: bool = False) -> Ledger | None:
        """The local ledger (opened only when it exists, or ``create``); None on the team server."""
        return self.writer.ledger(create)

    def undo(self, note: str = "") -> list[Record]:
        """Undo the last saved change (all records of the last save) as new ledger records."""
        if not self.evaluator:
            raise LedgerError("Nama evaluator wajib diisi sebelum mengurungkan perubahan.")
        done: list[Record] = []
        for _ in range(self._batches.pop() if self._batches else 1):
            rec = self.writer.undo(self.rubric, self.unit_id, self.tier, self.evaluator,
                                   (note or "").strip() or "Urungkan perubahan terakhir")
            if rec is None:
                break
            self._apply(rec)
            done.append(rec)
        if not done:
            raise LedgerError("Tidak ada perubahan tersimpan yang dapat diurungkan.")
        self.recompute()
        return done

    def _apply(self, rec: Record) -> None:
        self.saved[rec.code] = rec.answer
        self.drafts.pop(rec.code, None)
        self.notes[rec.code] = rec.note
        self.touched.add(rec.code)
        self._put(rec.code, rec.answer)

    # -- scores ----------------------------------------------------------------------------------------------------
    def recompute(self) -> None:
        """Rescore this unit from the in-memory answers (vectorised engine, one row)."""
        self.values = item_values(self.opt, self.num, self.plan, self.rubric, self.policies)
        self.scores = scores_from_values(self.rubric, self.tier, self.policies, [self.unit_id], self.values,
                                         self.num)
        self.evaluation = evaluate(self.scores, self._current)
        self.total = float(self.scores.total.iloc[0])
        self.predicate = str(self.evaluation.predicate.iloc[0])
        self.data_status = unit_statuses(self.findings, self.tier, self.scores.unanswered(), len(self.rubric.items),
                                         self._files)[self.unit_id]

    def progress(self, items: list[str] | None = None) -> tuple[int, int]:
        """(assessed, count) over ``items`` (every item of the rubric when None): see :mod:`zi_nb.app.accept`."""
        return progress(self, items)

    def item_value(self, item_code: str) -> float | None:
        value = self.values[0, self._pos[item_code]]
        return None if np.isnan(value) else float(value)

    def lost(self, item_code: str) -> float:
        """Points of the total this item loses: (1 - value) x its share of the indicator weight."""
        value = self.values[0, self._pos[item_code]]
        return float((1.0 - (0.0 if np.isnan(value) else value)) * self._share[self._pos[item_code]])

    def criteria_rows(self) -> list[dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        r: Any  # a criteria row: pandas-stubs types every itertuples() field as the union of all scalar types
        for r in self.evaluation.criteria.itertuples():
            row = rows.setdefault(r.criterion, {"name": r.name, "value": float(r.value)})
            row[r.predicate] = {"minimum": float(r.minimum), "margin": float(r.margin), "met": bool(r.met)}
        return list(rows.values())

    def area_rows(self) -> list[dict[str, Any]]:
        out = []
        for area in self.rubric.areas:
            weight = sum(area.weights.values())
            value = float(self.scores.areas[area.code].iloc[0])
            share = value / weight if weight else 0.0
            out.append({"code": area.code, "name": area.name, "value": value, "weight": weight, "share": share,
                        "width": round(min(share, 1.0) * 100, 1),
                        "cls": "hi" if share >= 0.75 - 1e-9 else ("" if share >= 0.6 - 1e-9 else "lo")})
        return out

    def component_rows(self) -> list[dict[str, Any]]:
        comps = self.scores.components.iloc[0]
        return [{"name": c.name, "value": float(comps[c.code]), "weight": c.weight} for c in self.rubric.components]

    # -- navigation and filters -----------------------------------------------------------------------------------
    def areas(self) -> list[tuple[str, str]]:
        """(code, name) of each area perubahan, then the Hasil pseudo-area."""
        out = [(a.code, a.name) for a in self.rubric.areas]
        return [*out, (HASIL, "Hasil")] if any(i.area is None for i in self.rubric.indicators) else out

    def indicators(self, area: str) -> list[str]:
        return [i.code for i in self.rubric.indicators if (i.area or HASIL) == area]

    def items(self, indicator: str) -> list[str]:
        return [i.code for i in self.plan.items if i.indicator == indicator]

    def status(self, item_code: str) -> str:
        """``draft`` (unsaved change), ``empty`` (unanswered in this tier), ``changed`` (differs from the unit's
        answer, or changed in the ledger) or ``same``."""
        codes = self.codes_of(item_code)
        if any(c in self.drafts for c in codes):
            return "draft"
        if self.item_value(item_code) is None:
            return "empty"
        if any(c in self.touched or self.saved.get(c) != self.unit_text.get(c) for c in codes):
            return "changed"
        return "same"

    def filtered(self, kind: str, limit: int = 15) -> list[str]:
        """Item codes for a filter: ``unassessed`` (no saved answer at this tier), ``different`` (the tier's answer,
        drafts included, is not the unit's), ``changed`` (changed by an evaluator or a draft) or ``weakest`` (the
        answered items losing the most points, largest first; an unanswered item is not ranked)."""
        codes = [i.code for i in self.plan.items]
        if kind == "changed":
            return [c for c in codes if self.status(c) in ("changed", "draft")]
        if kind == "unassessed":
            return [c for c in codes if any(self.saved.get(k) is None for k in self.codes_of(c))]
        if kind == "different":
            return [c for c in codes if any(self.value_text(k) not in (None, self.unit_text.get(k))
                                            for k in self.codes_of(c))]
        if kind == "weakest":
            lost = sorted(((round(self.lost(c), 12), c) for c in codes if self.item_value(c) is not None),
                          key=lambda t: (-t[0], t[1]))
            return [c for v, c in lost[:limit] if v > 1e-12]
        return codes

    def tier_rows(self, item_code: str) -> list[dict[str, Any]]:
        """The unit's answer, the reviewing tier's (live) and the other reviewing stage's, for one item."""
        item = self.rubric.item_by_code[item_code]
        labels = {f"{item_code}.{i.name}": i.label.lstrip("- ").strip() for i in item.inputs}
        codes = self.codes_of(item_code)
        rows = []
        for stage in ("unit", *REVIEW_TIERS):
            frame, me = self.stages[stage], stage == self.tier
            if not me and frame.empty:
                continue
            rec = frame.loc[item_code] if item_code in frame.index else None
            texts = {c: self.value_text(c) if me else _text(*frame.loc[c, ["answer", "number"]])
                     if c in frame.index else None for c in codes}
            value = self.item_value(item_code) if me else self.stage_values.get(stage, {}).get(item_code)
            note_rec = next((frame.loc[c] for c in codes if c in frame.index), None)
            note = next((self.notes[c] for c in codes if me and c in self.notes), None)
            reviewer = rec.get("reviewer") if rec is not None else None
            rows.append({
                "label": TIER_LABEL[stage] + (" (Anda)" if me else ""), "me": me, "stage": stage,
                "reviewer": reviewer if isinstance(reviewer, str) else None,
                "answer": shown(texts[item_code]) if not item.inputs else "",
                "inputs": [f"{labels[c]}: {shown(t)}" for c, t in texts.items()] if item.inputs else [],
                "value": None if value is None or pd.isna(value) else float(value),
                "note": note or (_meta_text(note_rec.get("note")) if note_rec is not None else None),
                "evidence": _meta_text(note_rec.get("evidence")) if note_rec is not None else None,
                "draft": me and any(c in self.drafts for c in codes)})
        return rows
