"""What a bulk run has to do: the input files, the units in each, their summary rows and their resume keys.

:func:`plan_file` reads one input file (with the unit metadata file, exactly as the report notebook reads them) and
returns, for every unit in it, the row of the bulk summary (identity, total, predikat and the data status of its
result, each area as % of its weight, criteria still failing for the next predikat, and ``evidence_lacking``: the
number of its items with a bukti dukung finding, computed once for all units of the file with
:func:`zi_nb.review.evidence.evidence_check`, so a link reused by units of different input files is not counted;
and ``risk``, ``risk_rank``, ``risk_reason``: the triage risk of its self-assessment, its rank and the reason
weighing most, filled in once the whole run is planned, over every unit of the run, :mod:`zi_nb.bulk.risk`; the plan
keeps what that needs of the file, :class:`zi_nb.bulk.risk.RiskInput`, so no input is read twice).
It runs on the executor's workers, so many files are read in parallel. A file that cannot be used becomes a plan with
an error: one failed row in the summary, not a crash.

Resume (``--resume``): a unit whose report is complete has ``DIR/.state/<name>.json`` holding the key it was made
with. The key is the sha256 of: the zi-nb version, the report notebook's code, every input file's sha256, the
rubric's content hash, the unit's ledger records (the hash chain of its records, or none), the notebook parameters
and whether a PDF was asked. Anything else is redone.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from zi_nb.bulk.risk import RiskInput
from zi_nb.bulk.warm import STATE_DIR
from zi_nb.common.domain import REPORT_KINDS
from zi_nb.common.text import file_stem
from zi_nb.common.version import __version__
from zi_nb.engine.evidence import evidence_counts
from zi_nb.engine.results import compute, json_value, missed_criteria, next_target, unit_records
from zi_nb.errors import InputError, ZiError
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.long_csv import decode_text, sniff_delimiter
from zi_nb.lke.long_format import map_header
from zi_nb.report.runner import NOTEBOOK
from zi_nb.review.evidence import evidence_check
from zi_nb.review.ledger import Ledger, apply_ledger

INPUT_SUFFIXES = (".xlsx", ".csv")
RESERVED_NAMES = {"index", "summary"}  # DIR/index.html, DIR/summary.json/.xlsx


@dataclass
class FilePlan:
    """One input file: its units' summary rows, or the error that makes it unusable."""

    file: str
    digests: dict[str, str] = field(default_factory=dict)  # path -> sha256 of the files read (input, units file)
    rubric_hash: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    risk_input: RiskInput | None = None  # for the run-wide triage (zi_nb.bulk.risk)


# -- inputs ------------------------------------------------------------------------------------------------------------
def expand_inputs(paths: Sequence[str | Path]) -> list[Path]:
    """Files to read: each file as given; a folder gives its ``.xlsx``/``.csv`` files (sorted, without hidden files
    and Excel lock files ``~$...``)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in INPUT_SUFFIXES
                                and not f.name.startswith((".", "~$"))))
        else:
            files.append(p)
    return list(dict.fromkeys(f.resolve() if f.exists() else f for f in files))


def is_units_file(path: Path) -> bool:
    """A CSV holding unit metadata only (``unit_id`` and no ``code`` column), like ``synthetic-units.csv``."""
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False

    with open(path, "rb") as fh:
        text = decode_text(fh.read(1 << 16))
    if not text or not text.strip():
        return False
    header = text.splitlines()[0]
    names = next(csv.reader(io.StringIO(header), delimiter=sniff_delimiter(header)), [])
    columns = map_header(names)
    return "unit_id" in columns and "code" not in columns


def split_inputs(files: list[Path], units_file: str = "") -> tuple[list[Path], str]:
    """The answer files and the unit metadata file (given, or the one metadata CSV among the inputs)."""
    found = [f for f in files if is_units_file(f)]
    if units_file:
        chosen = Path(units_file).resolve()
        return [f for f in files if f != chosen and f not in found], str(chosen)
    if len(found) > 1:
        raise InputError("Lebih dari satu berkas metadata unit di antara masukan: "
                         + ", ".join(f.name for f in found) + "; pilih satu dengan --units-file.")
    return [f for f in files if f not in found], str(found[0]) if found else ""


def notebook_code_hash() -> str:
    """sha256 of the report notebook's code cells (its outputs change when it is re-executed, its code does not)."""
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = "\n\x00".join(c.source for c in nb.cells if c.cell_type == "code")
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


# -- ledger ------------------------------------------------------------------------------------------------------------
def ledger_state(ledger_path: str) -> tuple[int, dict[str, str]]:
    """The last record number of the ledger and, per unit, the hash of the records its report applies and shows
    (answer changes, their undos and the catatan, by their chained hashes; decisions recorded by runs do not change a
    report)."""
    if not ledger_path:
        return 0, {}

    records = Ledger(ledger_path).records()
    chains: dict[str, list[str]] = {}
    for rec in records:
        if rec.kind in REPORT_KINDS:
            chains.setdefault(rec.unit_id, []).append(rec.hash)
    digests = {unit: hashlib.sha256("\n".join(hashes).encode()).hexdigest() for unit, hashes in chains.items()}
    return (records[-1].seq if records else 0), digests


# -- one file ----------------------------------------------------------------------------------------------------------
def plan_file(file: str, units_path: str, tier: str, rubric: str, policies: dict[str, str],
              ledger_path: str) -> FilePlan:
    """Read one input file (with the unit metadata file) and make the summary row of each of its units."""

    plan = FilePlan(file)
    try:
        paths = [Path(file), *([Path(units_path)] if units_path else [])]
        data = read_inputs(paths, rubric)
        plan.digests, plan.rubric_hash = dict(data.files), data.rubric.content_hash
        if str(file) in data.fatal_files or not data.unit_ids:
            errors = [f"{f.location()}: {f.message()}" for f in data.findings if f.severity == "error"]
            plan.error = "Berkas tidak dapat dipakai: " + ("; ".join(errors[:5]) or "tidak ada unit di dalamnya")
            return plan
        ledger_records = Ledger(ledger_path).records() if ledger_path else []
        if ledger_records:
            data = apply_ledger(data, records=ledger_records)
        records = {r["unit_id"]: r for r in unit_records(compute(data, tier, policies))}
        lacking = evidence_counts(evidence_check(data, ledger_records, tier, policies or None)
                                  if not data.answers.empty else [])
        plan.risk_input = RiskInput(data.answers, data.units, [str(u) for u in data.unit_ids])
        meta = data.units.set_index("unit_id", drop=False)
        for unit_id in data.unit_ids:
            unit_meta = cast("dict[str, Any]", meta.loc[unit_id].to_dict())  # column name -> value
            row = summary_row(unit_id, unit_meta, records.get(unit_id), data.rubric, Path(file).name)
            if row.get("record") is not None:
                row["evidence_lacking"] = lacking.get(unit_id, 0)
            plan.rows.append(row)
    except ZiError as exc:
        plan.error = str(exc)
    return plan


def summary_row(unit_id: str, meta: dict[str, Any], record: dict[str, Any] | None, rubric: Any,
                input_name: str) -> dict[str, Any]:
    """A unit's row of the bulk summary (values unrounded; areas as % of their weight)."""

    row: dict[str, Any] = {"unit_id": unit_id, "unit_name": json_value(meta.get("unit_name")) or unit_id,
                           "instansi": json_value(meta.get("instansi")), "input": input_name, "total": None,
                           "predicate": None, "areas": {}, "failed_criteria": [], "failed_names": [],
                           "next_predicate": None, "data_status": None, "data_errors": None, "data_warnings": None,
                           "answered": None, "scorable": None, "evidence_lacking": None,
                           "risk": None, "risk_rank": None, "risk_reason": None}
    if record is None:
        return row
    weights = {a.code: sum(a.weights.values()) for a in rubric.areas}
    missed = missed_criteria(record)
    # the contract record without items/indicators: what the manifest states and the ledger decision records
    row["record"] = {k: v for k, v in record.items() if k not in ("items", "indicators", "unanswered")}
    row.update(year=record.get("year"), total=record["total"], predicate=record["predicate"],
               areas={code: (100 * area["total"] / weights[code] if weights.get(code) else None)
                      for code, area in record["areas"].items()},
               failed_criteria=[c["code"] for c in missed], failed_names=[_short_name(c, rubric) for c in missed],
               next_predicate=next_target(record) if missed else None,
               # the data status of the result: a predikat from data with errors or unanswered items is not final
               data_status=record["status"], data_errors=record["errors"], data_warnings=record["warnings"],
               answered=record["answered"], scorable=record["scorable"])
    return row


# -- resume ------------------------------------------------------------------------------------------------------------
def resume_key(params: dict[str, Any], digests: dict[str, str], rubric_hash: str, ledger_digest: str | None,
               pdf: bool, notebook_hash: str, docx: bool = False, settings: dict[str, str] | None = None) -> str:
    """The key a finished unit's state must hold to be skipped by ``--resume``: what the report was made from
    (inputs, rubric, ledger records, parameters, notebook code), which files were asked for (PDF, DOCX) and the
    content of the evaluation settings with its logo and Word template (:func:`settings_digests`)."""
    keyed = {k: v for k, v in params.items() if k != "ledger_seq"}  # the unit's own ledger records are keyed below
    doc = {"zi_nb": __version__, "notebook": notebook_hash, "inputs": digests, "rubric": rubric_hash,
           "ledger": ledger_digest, "params": keyed, "pdf": pdf, "docx": docx, "settings": settings or None}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def settings_digests(settings_path: str) -> dict[str, str]:
    """sha256 of the evaluation settings file and of the logo and Word template it names (empty without one)."""
    from zi_nb.common.files import sha256_file
    from zi_nb.report.settings import load_settings

    if not settings_path:
        return {}
    settings = load_settings(settings_path)
    files = {"settings": Path(settings_path), "logo": settings.logo_path(), "word": settings.word_template()}
    return {name: sha256_file(path) for name, path in files.items() if path is not None and path.is_file()}


def finished(out_dir: Path, name: str, key: str) -> dict[str, Any] | None:
    """The state of a unit whose report is complete and was made with ``key`` (its files still there), else None."""

    try:
        state = json.loads((out_dir / STATE_DIR / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = state.get("files") or {}
    if state.get("key") != key or not files.get("html") or not files.get("notebook"):
        return None
    if not all((out_dir / f).is_file() for f in files.values() if f):
        return None
    return state


def report_name(unit_id: str, input_name: str, taken: dict[str, tuple[str, str]]) -> tuple[str, str | None]:
    """The file name stem of a unit's report and, when it cannot be used, why. ``taken``: name -> (unit, input)
    of the reports already planned (it is updated)."""
    name = file_stem(unit_id)
    if name in RESERVED_NAMES:
        return name, f"Nama berkas laporan '{name}' dipakai oleh ringkasan bulk; ganti unit_id '{unit_id}'."
    if name in taken:
        other_unit, other_input = taken[name]
        if other_unit == unit_id:
            return name, f"Unit '{unit_id}' juga ada di berkas {other_input}; laporannya dibuat dari berkas itu."
        return name, f"Nama berkas laporan '{name}' sama dengan laporan unit '{other_unit}' ({other_input})."
    taken[name] = (unit_id, input_name)
    return name, None


def _short_name(criterion: dict[str, Any], rubric: Any) -> str:
    """A criterion's name for one table cell: area criteria without the area's long name (the column heads say it),
    e.g. "Area B" or "Area B (Pemenuhan)" instead of "Area B Penataan Tatalaksana (Pemenuhan)"."""
    name = criterion["name"]
    if str(criterion["code"]).startswith("area_"):
        for area in rubric.areas:
            name = name.replace(f"Area {area.code} {area.name}", f"Area {area.code}")
    return name
