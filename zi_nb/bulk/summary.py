"""The summary of a bulk run: ``summary.json`` (machine-readable), ``summary.xlsx`` and the page ``index.html``.

``notebooks/bulk_summary.ipynb`` is thin and parameterized by ``run_dir``: it calls :func:`load` and shows
:meth:`BulkSummary.overview` (with links to ``summary.xlsx`` and ``summary.json``), :meth:`BulkSummary.table` (every
unit, by predikat then total: instansi, total, predikat, each area % with the areas below their minimum marked,
the number of items whose bukti dukung is lacking ("Bukti dukung kurang": items with an evidence finding,
:mod:`zi_nb.engine.evidence`), the triage risk of the self-assessment ("Risiko", with its rank among all units of the
run and the reason weighing most as the cell's title, :mod:`zi_nb.engine.triage`), criteria still failing with their
shortfall, link to its report, status and error; sortable by a button in each column head, filterable by text,
predikat and status, with a small inline script and no external one), the failed units, and three charts
(:mod:`zi_nb.bulk.summary_page`, template ``templates/zi_summary/index.html.j2``).
``zi-nb bulk`` runs it with papermill at the end of a run and exports it with the report template
(:func:`render_index`). With ``run_dir = ""`` it summarises the bundled sample in memory, so the notebook stored in
``notebooks/`` re-executes to the same outputs.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from zi_nb.bulk.plan import plan_file
from zi_nb.bulk.risk import run_risks
from zi_nb.bulk.summary_page import FILES, BulkSummary, criteria_texts, predicate_cell
from zi_nb.common.domain import DATA_STATUSES
from zi_nb.common.files import atomic_path
from zi_nb.common.fmt import predicate_label, status_detail
from zi_nb.common.resources import notebook
from zi_nb.common.version import __version__
from zi_nb.engine.rubric import load_rubric
from zi_nb.errors import ReportError
from zi_nb.lke.sample import bundled_paths
from zi_nb.lke.xlsx import safe_text
from zi_nb.report.kernel import fresh_kernel
from zi_nb.report.model import PARAMETERS
from zi_nb.report.runner import export_html

NOTEBOOK = notebook("bulk_summary")
EVIDENCE_COLUMN = "Bukti dukung kurang"  # items with a bukti dukung finding (zi_nb.engine.evidence.evidence_counts)
# the triage risk of the self-assessment, its rank within the input file, the reason weighing most (zi_nb.bulk.plan)
RISK_COLUMNS = {"risk": "Risiko", "risk_rank": "Urutan risiko", "risk_reason": "Alasan risiko utama"}
# "status" is the run status of the unit's report (ok/failed); "data_status" the data status of its result
UNIT_KEYS = ["unit_id", "unit_name", "instansi", "year", "input", "total", "predicate", "data_status", "data_errors",
             "data_warnings", "answered", "scorable", "evidence_lacking", "risk", "risk_rank", "risk_reason", "areas",
             "failed_criteria", "failed_names", "shortfalls", "next_predicate", "report", "notebook", "pdf", "docx",
             "status", "error", "resumed", "seconds", "worker"]


# -- summary.json / summary.xlsx ---------------------------------------------------------------------------------------
def summary_doc(rows: list[dict[str, Any]], rubric: Any, params: dict[str, Any], inputs: list[str],
                units_file: str = "", seconds: float | None = None, created: str | None = None) -> dict[str, Any]:
    """The machine-readable summary of a run (the contract of ``summary.json``)."""

    units = [{k: row.get(k) for k in UNIT_KEYS} | {"shortfalls": shortfalls(row)} for row in rows]
    for u in units:
        u["resumed"] = bool(u["resumed"])
    minima = {p.code: c.minimum for p in rubric.predicates for c in p.criteria if c.measure == "total"}
    return {
        "run_id": params.get("run_id", ""), "zi_nb": __version__, "created": created, "seconds": seconds,
        "rubric": {"id": rubric.id, "hash": rubric.content_hash, "title": rubric.title, "total": rubric.total},
        "tier": params.get("tier"), "policies": rubric.policy_values(params.get("policies") or {}),
        "lang": params.get("lang", "id"), "ledger": params.get("ledger_path") or None,
        "inputs": inputs, "units_file": units_file or None,
        "areas": [{"code": a.code, "name": a.name, "weight": sum(a.weights.values())} for a in rubric.areas],
        "total_minimum": minima,
        "counts": {"units": len(units), "ok": sum(u["status"] == "ok" for u in units),
                   "failed": sum(u["status"] != "ok" for u in units), "resumed": sum(u["resumed"] for u in units),
                   "data_status": {s: sum(u["data_status"] == s for u in units) for s in DATA_STATUSES}},
        "units": units,
    }


def shortfalls(row: dict[str, Any]) -> dict[str, float]:
    """How far short of its minimum each failing criterion of the next predikat is (criterion code -> minimum minus
    value, in points of the total), from the unit's result record; empty without one."""
    failed = set(row.get("failed_criteria") or [])
    criteria = (row.get("record") or {}).get("criteria") or []
    return {c["code"]: -float(c["margin"]) for c in criteria
            if c["code"] in failed and c["predicate"] == row.get("next_predicate") and not c["met"]}


def write_summary(out_dir: Path, rows: list[dict[str, Any]], options: Any, params: dict[str, Any],
                  files: list[Path], units_file: str, seconds: float) -> Path:
    """Write ``summary.json`` and ``summary.xlsx`` into the run folder (each atomically); returns the JSON path."""

    doc = summary_doc(rows, load_rubric(params["rubric"]), params, [str(f) for f in files], units_file,
                      round(seconds, 2), datetime.now(UTC).isoformat(timespec="seconds"))
    path = out_dir / "summary.json"
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    write_xlsx(doc, out_dir / "summary.xlsx")
    return path


def table_frame(doc: dict[str, Any]) -> Any:
    """The summary table (one row per unit, columns in Bahasa Indonesia), as in the page."""
    import pandas as pd

    rows = []
    for u in doc["units"]:
        row = {"Unit": u["unit_id"] or "", "Nama unit": u["unit_name"], "Instansi": u["instansi"],
               "Berkas masukan": u["input"], "Nilai total": u["total"],
               "Predikat": predicate_cell(u),
               "Status data": status_detail(u["data_status"], u["data_errors"], u["answered"], u["scorable"])
               if u.get("data_status") else None}
        for area in doc["areas"]:
            row[f"Area {area['code']} (%)"] = (u["areas"] or {}).get(area["code"])
        row[EVIDENCE_COLUMN] = u.get("evidence_lacking")
        row.update({name: u.get(key) for key, name in RISK_COLUMNS.items()})
        row["Predikat berikutnya"] = predicate_label(u["next_predicate"]) if u.get("next_predicate") else None
        row["Kriteria belum terpenuhi"] = "; ".join(criteria_texts(u))
        row.update({"Laporan": u["report"], "Status": "ok" if u["status"] == "ok" else "gagal",
                    "Galat": u["error"]})
        rows.append(row)
    return pd.DataFrame(rows)


def write_xlsx(doc: dict[str, Any], path: Path) -> Path:
    """``summary.xlsx``: the table, text that looks like a formula kept as text, links to the reports.

    Every cell is written through :func:`zi_nb.lke.xlsx.safe_text` (not pandas' writer, which would store a unit name
    such as ``=HYPERLINK(...)`` as a formula and fails on a control character): text stays text, numbers numbers.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    frame = table_frame(doc)
    wb = Workbook()
    ws = wb.active
    ws.title = "Ringkasan"
    for c, name in enumerate(frame.columns, start=1):
        safe_text(name, ws.cell(row=1, column=c)).font = Font(bold=True)
    link = frame.columns.get_loc("Laporan") + 1 if len(frame.columns) else 0
    for r, values in enumerate(frame.itertuples(index=False), start=2):
        for c, value in enumerate(values, start=1):
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            cell = safe_text(value.item() if hasattr(value, "item") else value, ws.cell(row=r, column=c))
            if isinstance(cell.value, float):
                cell.number_format = "0.00"
            if c == link and isinstance(value, str) and value and "://" not in value and not value.startswith(
                    ("/", "\\", ".")):
                cell.hyperlink = value  # the report's file name, beside summary.xlsx
    ws.freeze_panes = "B2"
    if len(frame.columns):
        ws.auto_filter.ref = ws.dimensions
    for c, name in enumerate(frame.columns, start=1):
        width = max([len(str(name))] + [len(str(v)) for v in frame[name].head(200) if v is not None])
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = min(max(width + 2, 8), 60)
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


def sample_doc() -> dict[str, Any]:
    """A summary of the bundled sample, made in memory (no reports): what the stored notebook shows."""

    answers, units = bundled_paths()
    params = {name: default for name, (_, default, _) in PARAMETERS.items()}
    plan = plan_file(str(answers), str(units), params["tier"], params["rubric"], {}, "")
    risks = run_risks([plan.risk_input], params["rubric"], None)[0]
    rows = [{**row, **(risks.get(row["unit_id"], {}) if row.get("record") is not None else {}),
             "status": "ok" if row["predicate"] else "failed", "resumed": False} for row in plan.rows]
    return summary_doc(rows, load_rubric(params["rubric"]), params, [answers.name], units.name)


def load(run_dir: str = "") -> BulkSummary:
    """The summary of the run in ``run_dir`` (its ``summary.json``; the page links to the summary files there), or of
    the bundled sample when empty (no files to link to)."""
    if not run_dir:
        return BulkSummary(sample_doc())
    folder = Path(run_dir)
    doc = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return BulkSummary(doc, files=[name for name in FILES if (folder / name).is_file()])


def render_index(out_dir: Path) -> Path:
    """Execute ``notebooks/bulk_summary.ipynb`` on the run folder (``index.ipynb``) and export ``index.html``."""
    import papermill as pm

    notebook = out_dir / "index.ipynb"
    try:
        with fresh_kernel() as worker, atomic_path(notebook) as tmp:
            pm.execute_notebook(str(NOTEBOOK), str(tmp), parameters={"run_dir": str(out_dir)}, kernel_name="python3",
                                progress_bar=False, cwd=str(NOTEBOOK.parent), language="python", km=worker.km,
                                request_save_on_cell_execute=False)
    except pm.PapermillExecutionError as exc:
        raise ReportError(f"{exc.ename}: {exc.evalue}") from None
    run_id = json.loads((out_dir / "summary.json").read_text(encoding="utf-8")).get("run_id") or "-"
    return export_html(notebook, out_dir / "index.html", f"zi-nb · ringkasan bulk · run {run_id}")
