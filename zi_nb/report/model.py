"""The unit evaluation report (LHE, Laporan Hasil Evaluasi): parameters, the data behind it, and its sections.

``notebooks/unit_report.ipynb`` is thin: its ``parameters`` cell declares :data:`PARAMETERS`, then it calls
:func:`check_parameters` (unknown or ill-typed parameters are refused: papermill alone only warns) and :func:`build`,
and displays one section per cell. Every section is an object with ``_repr_html_`` (escaped HTML from the Jinja
templates in :mod:`zi_nb.report.html`) or a matplotlib figure (:mod:`zi_nb.report.charts`).

Nothing in a report depends on when or where it runs: inputs are named by file name and sha256, the date shown is
the date of the data (unit metadata ``data_date``, else the workbook's own modification stamp), so a rerun on the
same inputs gives the same report.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, cast
from xml.etree import ElementTree

import pandas as pd

from zi_nb.common.domain import ANSWER_KINDS, REPORT_KINDS, STAGES, TIER_CHOICES
from zi_nb.common.findings import Finding
from zi_nb.engine.dataset import LkeData
from zi_nb.engine.improve.drafts import AreaDraft, area_drafts
from zi_nb.engine.improve.plan import ImprovementPlan, plan_improvements
from zi_nb.engine.results import TierResult, compute
from zi_nb.engine.status import DataStatus
from zi_nb.engine.validate import validate
from zi_nb.errors import InputError, ParameterError
from zi_nb.lke.inputs import read_inputs_cached
from zi_nb.lke.sample import bundled_paths
from zi_nb.report.evidence import lacking_documents
from zi_nb.report.settings import Settings, load_settings
from zi_nb.review.catatan import AreaNote, notes_in_force
from zi_nb.review.evidence import Attachment, Verdict, attachments_in_force, evidence_check, verdicts_in_force
from zi_nb.review.extract import read_extract
from zi_nb.review.ledger import Ledger, apply_ledger

# name -> (type, default, description). The notebook's parameters cell declares exactly these.
PARAMETERS: dict[str, tuple[type, Any, str]] = {
    "input_path": (str, "", "berkas masukan (CSV/XLSX format panjang, LKE edaran, templat); kosong = data contoh"),
    "units_path": (str, "", "berkas metadata unit tambahan (opsional)"),
    "unit_id": (str, "kanim-sukawangi", "unit yang dilaporkan"),
    "tier": (str, "final", "tingkat penilai: unit, tpi, tpn atau final"),
    "rubric": (str, "zi-2021", "id rubrik bawaan atau berkas YAML"),
    "policies": (dict, {}, "kebijakan nama -> nilai, mis. {'unanswered': 'zero'}"),
    "lang": (str, "id", "bahasa laporan: id atau en"),
    "run_id": (str, "contoh", "id proses yang menghasilkan laporan (untuk jejak audit)"),
    "ledger_path": (str, "", "berkas ledger penilai (opsional)"),
    "ledger_seq": (int, 0, "nomor rekaman ledger terakhir yang dipakai (0 = semua); audit mengulang run persis"),
    "records_path": (str, "", "ekstrak rekaman ledger unit (JSON, dari layanan ledger tim) bila ledger_path kosong"),
    "settings_path": (str, "", "berkas pengaturan evaluasi: kop, nomor, periode, tanggal, tim (opsional)"),
    "docx_path": (str, "", "tulis juga LHE sebagai dokumen Word (.docx) ke berkas ini; kosong = tidak"),
}
LANGS = ("id", "en")


def check_parameters(namespace: dict[str, Any]) -> dict[str, Any]:
    """The report parameters found in ``namespace`` (the notebook's globals), checked.

    Refuses with :class:`ParameterError` a name that is not a declared parameter (anything injected that the
    parameters cell does not declare, and any name that is not a Python identifier: papermill writes names into the
    injected cell as code, values only as literals), a value of the wrong type, a NUL character in a text value, and
    an unknown tier or language. The returned dict holds only the declared parameters: pass that, never the input,
    to papermill.
    """
    ignored = {"In", "Out", "get_ipython", "exit", "quit", "open"}
    problems = []
    for name, value in namespace.items():
        if not isinstance(name, str) or not name.isidentifier():
            problems.append(f"nama parameter {name!r} bukan nama yang sah (yang tersedia: {', '.join(PARAMETERS)})")
            continue
        if name.startswith("_") or name in ignored or name in PARAMETERS:
            continue
        if isinstance(value, type(sys)) or callable(value):
            continue
        problems.append(f"parameter '{name}' tidak dikenal (yang tersedia: {', '.join(PARAMETERS)})")
    params: dict[str, Any] = {}
    for name, (kind, default, _) in PARAMETERS.items():
        value = namespace.get(name, default)
        if kind is dict and value is None:
            value = {}
        if not isinstance(value, kind) or isinstance(value, bool):
            problems.append(f"parameter '{name}' harus bertipe {kind.__name__}, bukan {type(value).__name__}")
            continue
        if isinstance(value, str) and "\x00" in value:
            problems.append(f"parameter '{name}' memuat karakter NUL (\\x00)")
            continue
        params[name] = value
    if params.get("tier") not in TIER_CHOICES:
        problems.append(f"parameter 'tier' harus salah satu dari {', '.join(TIER_CHOICES)}")
    if params.get("lang") not in LANGS:
        problems.append("parameter 'lang' harus 'id' atau 'en'")
    if isinstance(params.get("policies"), dict) and not all(
            isinstance(k, str) and isinstance(v, str) for k, v in params["policies"].items()):
        problems.append("parameter 'policies' harus berisi pasangan teks nama -> nilai")
    if problems:
        raise ParameterError("Parameter laporan tidak sah:\n- " + "\n- ".join(problems))
    return params


def input_files(input_path: str, units_path: str = "") -> list[Path]:
    """The files a report reads: the input (or the bundled sample when empty) and optional unit metadata."""
    files = [Path(input_path)] if input_path else bundled_paths()
    if units_path:
        files.append(Path(units_path))
    return files


def _workbook_date(path: Path) -> str | None:
    """The ``dcterms:modified`` date stored inside an XLSX (part of the file's content, unlike its mtime)."""
    try:
        with zipfile.ZipFile(path) as zf:
            root = ElementTree.fromstring(zf.read("docProps/core.xml"))
    except (zipfile.BadZipFile, KeyError, OSError, ElementTree.ParseError):
        return None
    for elem in root:
        if elem.tag.endswith("}modified") and elem.text:
            return elem.text[:10]
    return None


@dataclass
class UnitReport:
    """Everything one LHE shows, computed once; :class:`zi_nb.report.lhe.Lhe` adds its sections and charts."""

    params: dict[str, Any]
    data: LkeData
    unit_id: str
    result: TierResult
    tiers: dict[str, TierResult]  # every tier present in the input, for comparison
    findings: list[Finding]
    files: list[Path]
    changes: pd.DataFrame  # reviewer changes (unit vs reviewer tiers, and ledger records once they exist)
    extra: dict[str, Any] = field(default_factory=dict)
    settings: Settings = field(default_factory=Settings)  # kop, nomor, period, date, team (zi_nb.report.settings)
    notes: dict[str, AreaNote] = field(default_factory=dict)  # the evaluators' catatan in force, per area / UNIT
    drafts: dict[str, AreaDraft] = field(default_factory=dict)  # drafts from the rubric, per area
    # bukti dukung (zi_nb.report.evidence): the unit's evidence findings (warnings, also in ``findings``; they never
    # change the data status), and the verdicts and attachments in force in the ledger records the report chose
    evidence: list[Finding] = field(default_factory=list)
    verdicts: dict[tuple[str, str, int], Verdict] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    # the ledger the report read: (where, the last record it used: seq, hash); ("", 0, "") without a ledger
    ledger_state: tuple[str, int, str] = ("", 0, "")

    @property
    def lang(self) -> str:
        return self.params["lang"]

    @property
    def status(self) -> DataStatus:
        """The data status of the reported result (errors, unanswered items; final, belum lengkap or sementara)."""
        return self.result.statuses[self.unit_id]

    @cached_property
    def improvement_plan(self) -> ImprovementPlan:
        """The next-predikat plan of the reported result, solved once per report (the HTML section and the Word
        document both show it)."""
        return plan_improvements(self.result.scores, self.unit_id)

    @property
    def meta(self) -> dict[str, Any]:
        return cast("dict[str, Any]", self.result.units.loc[self.unit_id].to_dict())  # keys: column names

    def data_date(self) -> str | None:
        value = self.meta.get("data_date")
        if isinstance(value, str) and value.strip():
            return value.strip()
        dates = [d for d in (_workbook_date(p) for p in self.files if p.suffix.lower() == ".xlsx") if d]
        return max(dates) if dates else None


def reviewer_changes(data: LkeData, unit_id: str, records: list | None = None) -> pd.DataFrame:
    """Every answer a reviewer changed: the input's reviewer tiers that differ from the unit's answer, then every
    ledger record of the unit (who, when, from, to, note) in ledger order."""
    ledger_keys = {(r.tier, r.code) for r in records or []}
    a = data.answers[(data.answers["unit_id"] == unit_id) & (data.answers["file"] != "ledger")]
    unit = a[a["tier"] == "unit"].set_index("code")
    rows = []
    rec: Any  # a row of answers: pandas-stubs types every itertuples() field as the union of all scalar types
    for rec in a[a["tier"] != "unit"].itertuples():
        before = _value(unit, "raw", rec.code)
        before_norm = _value(unit, "answer", rec.code)
        before_num = _value(unit, "number", rec.code)
        after_norm = rec.answer if isinstance(rec.answer, str) else None
        after_num = None if pd.isna(rec.number) else rec.number
        same = (before_norm == after_norm and before_norm is not None) or (
            before_norm is None and after_norm is None and before_num is not None and after_num is not None
            and float(before_num) == float(after_num))
        if same or (after_norm is None and after_num is None) or (rec.tier, rec.code) in ledger_keys:
            continue
        rows.append({"code": rec.code, "tier": rec.tier, "reviewer": rec.reviewer or rec.tier.upper(),
                     "from": _shown(before_norm, before_num, before), "to": _shown(after_norm, after_num, rec.raw),
                     "note": rec.note if isinstance(rec.note, str) else "", "when": None})
    for r in records or []:  # "when": the record's UTC timestamp (ISO), shown in the evaluation's time zone
        before = r.previous or _shown(_value(unit, "answer", r.code), _value(unit, "number", r.code),
                                      _value(unit, "raw", r.code))
        rows.append({"code": r.code, "tier": r.tier, "reviewer": r.evaluator, "from": before,
                     "to": r.answer or "", "note": r.note, "when": r.timestamp})
    return pd.DataFrame(rows, columns=["code", "tier", "reviewer", "from", "to", "note", "when"])


def _value(frame: pd.DataFrame, column: str, code: Hashable) -> Any:
    """A cell of the unit's answers by code; None for absent or missing (NaN) values."""
    if code not in frame.index:
        return None
    value = frame.at[code, column]
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _shown(answer: Any, number: Any, raw: Any) -> str:
    """An answer in the ledger's canonical form (an option, or a number such as ``"3.62"``), whichever tier it came
    from; the report writes numbers in its language (:func:`zi_nb.report.html.section_reviewer_changes`)."""
    if isinstance(answer, str):
        return answer
    if number is not None and pd.notna(number):
        value = float(number)
        return str(int(value)) if value.is_integer() else str(value)
    return "" if raw is None or (isinstance(raw, float) and pd.isna(raw)) else str(raw)


def build(input_path: str = "", unit_id: str = "", tier: str = "final", rubric: str = "zi-2021",
          policies: dict[str, str] | None = None, lang: str = "id", run_id: str = "", units_path: str = "",
          ledger_path: str = "", ledger_seq: int = 0, settings_path: str = "", docx_path: str = "",
          records_path: str = "", data: LkeData | None = None) -> UnitReport:
    """Read, validate and score the inputs, and gather what the report for ``unit_id`` shows.

    ``data`` may be passed to reuse inputs already read (bulk runs); it must come from the same files. ``docx_path``
    is where the notebook writes the Word document (:meth:`zi_nb.report.lhe.Lhe.write_docx`), kept in ``params``.
    Raises :class:`zi_nb.errors.InputError` when the unit is not in the input or the input cannot be read.
    """
    chosen_policies = dict(policies or {})
    params = {"input_path": input_path, "units_path": units_path, "unit_id": unit_id, "tier": tier,
              "rubric": rubric, "policies": chosen_policies, "lang": lang, "run_id": run_id,
              "ledger_path": ledger_path, "ledger_seq": ledger_seq, "settings_path": settings_path,
              "docx_path": docx_path, "records_path": records_path}
    settings = load_settings(settings_path)
    files = input_files(input_path, units_path)
    if data is None:
        data = read_inputs_cached([*files], rubric)  # a warm kernel (zi-nb bulk) reads each input once
    records, notes, chosen = [], {}, []
    state: tuple[str, int, str] = ("", 0, "")
    if ledger_path or records_path:
        if ledger_path and not Path(ledger_path).is_file():
            raise InputError(f"Ledger '{ledger_path}' tidak ditemukan.")
        if ledger_path:
            source, where = Ledger(ledger_path).records(unit_id), Path(ledger_path).name
        else:
            extract = read_extract(records_path)
            source, where = extract.records, extract.source or Path(records_path).name
        chosen = [r for r in source if r.unit_id == unit_id and r.kind in REPORT_KINDS
                  and (not ledger_seq or r.seq <= ledger_seq)]
        state = (where, chosen[-1].seq, chosen[-1].hash) if chosen else (where, 0, "")  # the last record used
        answers = [r for r in chosen if r.kind in ANSWER_KINDS]
        data = apply_ledger(data, records=answers)
        records = answers
        notes = notes_in_force(chosen, unit_id, tier)  # chosen: also the verdicts and attachments, below
    data.rubric.policy_values(chosen_policies)
    if unit_id not in data.unit_ids:
        fatal = [f for f in data.findings if f.severity == "error" and f.unit_id is None]
        raise InputError(
            f"Unit '{unit_id}' tidak ada dalam masukan {', '.join(p.name for p in files)}; unit yang ada: "
            + (", ".join(data.unit_ids) or "tidak ada"), fatal)
    unit_data = data.for_units([unit_id])
    findings = validate(unit_data, chosen_policies)
    present = [t for t in STAGES if any(
        unit_data.answers["tier"].str.startswith(t) & unit_data.answers["unit_id"].eq(unit_id))]
    tiers = {t: compute(unit_data, t, chosen_policies, findings) for t in present}
    result = compute(unit_data, tier, chosen_policies, findings) if tier not in tiers else tiers[tier]
    if unit_id not in result.scores.unit_ids:
        raise InputError(f"Unit '{unit_id}' tidak memiliki jawaban pada tingkat '{tier}'.")
    # after the statuses are computed: evidence findings are warnings for the evaluator, never a data problem that
    # changes the status or the predikat (the unit's own links and files: reuse across units is bulk's business)
    evidence = [f for f in evidence_check(unit_data, chosen, tier, chosen_policies) if f.unit_id == unit_id]
    verdicts = verdicts_in_force(chosen, unit_id, tier)
    lacking = lacking_documents(data.rubric, evidence, verdicts)
    shown = [*findings, *(f for f in evidence if f not in findings)]  # the data problems appendix lists both
    return UnitReport(params, unit_data, unit_id, result, tiers, shown, files,
                      reviewer_changes(unit_data, unit_id, records), settings=settings, notes=notes,
                      drafts=area_drafts(data.rubric, result.scores, unit_id, lang, lacking),
                      evidence=evidence, verdicts=verdicts, attachments=attachments_in_force(chosen, unit_id),
                      ledger_state=state)
