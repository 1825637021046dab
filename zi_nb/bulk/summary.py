"""The summary of a bulk run: ``summary.json`` (machine-readable), ``summary.xlsx`` and the page ``index.html``.

``notebooks/bulk_summary.ipynb`` is thin and parameterized by ``run_dir``: it calls :func:`load` and shows
:meth:`BulkSummary.overview`, :meth:`BulkSummary.table` (every unit: instansi, total, predikat, each area %, criteria
still failing, link to its report, status and error; sortable by clicking a column, filterable by text, predikat and
status, with a small inline script and no external one), the failed units, and three charts. ``zi-nb bulk`` runs it
with papermill at the end of a run and exports it with the report template (:func:`render_index`). With
``run_dir = ""`` it summarises the bundled sample in memory, so the notebook stored in ``notebooks/`` re-executes to
the same outputs.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, select_autoescape

from zi_nb.bulk.plan import plan_file
from zi_nb.common.domain import DATA_STATUSES, STATUS_PROVISIONAL
from zi_nb.common.files import atomic_path
from zi_nb.common.fmt import UNDETERMINED, num, predicate_label, predicate_with_status, status_detail, status_label
from zi_nb.common.resources import notebook
from zi_nb.common.text import strip_hidden
from zi_nb.common.version import __version__
from zi_nb.engine.rubric import load_rubric
from zi_nb.errors import ReportError
from zi_nb.lke.sample import bundled_paths
from zi_nb.lke.xlsx import safe_text
from zi_nb.report.charts import Chart
from zi_nb.report.kernel import fresh_kernel
from zi_nb.report.model import PARAMETERS
from zi_nb.report.runner import export_html

NOTEBOOK = notebook("bulk_summary")
# "status" is the run status of the unit's report (ok/failed); "data_status" the data status of its result
UNIT_KEYS = ["unit_id", "unit_name", "instansi", "year", "input", "total", "predicate", "data_status", "data_errors",
             "data_warnings", "answered", "scorable", "areas", "failed_criteria", "failed_names", "next_predicate",
             "report", "notebook", "pdf", "status", "error", "resumed", "seconds", "worker"]
PREDICATES = ["WBBM", "WBK", "TIDAK"]
COLOURS = {"WBBM": "#1b7f3b", "WBK": "#2f6db5", "TIDAK": "#8a96a3", "": "#b3261e"}


# -- summary.json / summary.xlsx ---------------------------------------------------------------------------------------
def summary_doc(rows: list[dict[str, Any]], rubric: Any, params: dict[str, Any], inputs: list[str],
                units_file: str = "", seconds: float | None = None, created: str | None = None) -> dict[str, Any]:
    """The machine-readable summary of a run (the contract of ``summary.json``)."""

    units = [{k: row.get(k) for k in UNIT_KEYS} for row in rows]
    for u in units:
        u["resumed"] = bool(u["resumed"])
    minima = {p.code: c.minimum for p in rubric.predicates for c in p.criteria if c.measure == "total"}
    return {
        "run_id": params.get("run_id", ""), "zi_nb": __version__, "created": created, "seconds": seconds,
        "rubric": {"id": rubric.id, "hash": rubric.content_hash, "title": rubric.title},
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
               "Predikat": _predicate(u),
               "Status data": status_detail(u["data_status"], u["data_errors"], u["answered"], u["scorable"])
               if u.get("data_status") else None}
        for area in doc["areas"]:
            row[f"Area {area['code']} (%)"] = (u["areas"] or {}).get(area["code"])
        row["Predikat berikutnya"] = predicate_label(u["next_predicate"]) if u.get("next_predicate") else None
        row["Kriteria belum terpenuhi"] = ", ".join(u.get("failed_names") or u["failed_criteria"] or [])
        row.update({"Laporan": u["report"], "Status": "ok" if u["status"] == "ok" else "gagal",
                    "Galat": u["error"]})
        rows.append(row)
    return pd.DataFrame(rows)


def _predicate(unit: dict[str, Any]) -> str | None:
    """The predikat cell: not final unless the data status of the result is (see zi_nb.common.fmt)."""
    if not unit["predicate"]:
        return None
    return predicate_with_status(unit["predicate"], unit.get("data_status") or "final")


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


# -- the page (notebooks/bulk_summary.ipynb) ---------------------------------------------------------------------------
class Html:
    def __init__(self, html: str) -> None:
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return "<Html>"


_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True), trim_blocks=True,
                   lstrip_blocks=True)
_ENV.filters["num"] = num
_ENV.filters["label"] = predicate_label
_ENV.globals.update(predicate_cell=_predicate, status_detail=status_detail, status_label=status_label)
_CSS = ("""<style>
.zib{font-family:"DejaVu Sans",Arial,sans-serif;font-size:13px;color:#1f2933}
.zib h1{font-size:22px;margin:4px 0}.zib h2{font-size:17px;margin:18px 0 6px}.zib .muted{color:#5b6776}
.zib table{border-collapse:collapse;width:100%;table-layout:auto}
.zib table.zt th,.zib table.zt td{border-bottom:1px solid #e4e9ef;padding:3px 6px;text-align:left;vertical-align:top}
.zib table.zt th{background:#f3f6f9;text-align:left;cursor:pointer;white-space:nowrap}"""
""".zib table.zt td.n,.zib table.zt th.n{text-align:right;white-space:nowrap}
.zib th[aria-sort=ascending]:after{content:" \\25B2"}.zib th[aria-sort=descending]:after{content:" \\25BC"}
.zib tr.failed td{background:#fdf0ef}.zib .err{color:#b3261e;font-size:12px}.zib .filters{margin:6px 0}
.zib .filters input{width:320px}.zib .cards span{display:inline-block;margin-right:18px}
</style>""")
_OVERVIEW = ("""<div class="zib"><h1>Ringkasan evaluasi Zona Integritas (bulk)</h1>
<p class="muted">Run {{ d.run_id or '-' }} · rubrik {{ d.rubric.id }} ({{ d.rubric.hash[:19] }}) · tingkat {{ d.tier }}
{% if d.ledger %} · ledger {{ d.ledger }}{% endif %}</p>
<p class="cards"><span><b>{{ d.counts.units }}</b> unit</span><span><b>{{ d.counts.ok }}</b> laporan</span>
<span><b>{{ d.counts.failed }}</b> gagal</span>"""
"""{% for p, n in preds %}<span><b>{{ n }}</b> {{ p | label }}</span>{% endfor %}
</p><p class="cards">Status data: {% for s, n in (d.counts.data_status or {}).items() %}"""
"""<span><b>{{ n }}</b> {{ status_label(s) }}</span>{% endfor %}</p></div>""")
_TABLE = ("""<div class="zib"><h2>Semua unit</h2>
<div class="filters">"""
"""<input id="zib-q" type="search" placeholder="Saring: unit, instansi, kriteria, galat..." aria-label="Saring">
<select id="zib-pred" aria-label="Predikat"><option value="">Semua predikat</option>
{% for p in preds %}<option value="{{ p }}">{{ p | label }}</option>{% endfor %}</select>
<select id="zib-status" aria-label="Status"><option value="">Semua status</option><option value="ok">ok</option>
<option value="failed">gagal</option></select> <span id="zib-count" class="muted">{{ units | length }} unit</span></div>
<table id="zib-units" class="zt"><thead><tr><th>Unit</th><th>Instansi</th><th class="n" data-type="num">Total</th>
<th>Predikat</th><th>Status data</th>"""
"""{% for a in areas %}<th class="n" data-type="num" title="{{ a.name }}">{{ a.code }} %</th>{% endfor %}
<th title="Kriteria predikat berikutnya yang belum terpenuhi">Kriteria belum terpenuhi</th>"""
"""<th>Status</th></tr></thead><tbody>
{% for u in units %}<tr data-predicate="{{ u.predicate or '' }}" """
"""data-status="{{ u.status }}"{% if u.status != 'ok' %} class="failed"{% endif %}>
<td data-v="{{ (u.unit_name or '') | lower }}">"""
"""{% if u.report %}<a href="{{ u.report }}">{{ u.unit_name }}</a>{% else %}{{ u.unit_name }}{% endif %}
<br><span class="muted">{{ u.unit_id or u.input }}</span></td>"""
"""<td data-v="{{ (u.instansi or '') | lower }}">{{ u.instansi or '-' }}</td>
<td class="n" data-v="{{ u.total if u.total is not none else '' }}">{{ u.total | num(2) }}</td>
<td data-v="{{ order.get(u.predicate, 9) }}">{{ predicate_cell(u) or '-' }}</td>
<td data-v="{{ u.data_status or '' }}">{{ status_detail(u.data_status, u.data_errors, u.answered, u.scorable)
 if u.data_status else '-' }}</td>
{% for a in areas %}{% set v = (u.areas or {}).get(a.code) %}"""
"""<td class="n" data-v="{{ v if v is not none else '' }}">{{ v | num(1) }}</td>{% endfor %}
<td data-v="{{ u.failed_criteria | length }}">{% if u.next_predicate %}"""
"""<b>{{ u.next_predicate | label }}</b>: {% endif %}{{ (u.failed_names or u.failed_criteria) | join(', ') }}</td>
<td data-v="{{ u.status }}">{% if u.status == 'ok' %}ok{% else %}gagal<br>"""
"""<span class="err">{{ u.error }}</span>{% endif %}</td></tr>
{% endfor %}</tbody></table></div>
<script>
(function () {
  var table = document.getElementById("zib-units");
  if (!table) { return; }
  var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows), heads = table.tHead.rows[0].cells;
  var q = document.getElementById("zib-q"), pred = document.getElementById("zib-pred");
  var status = document.getElementById("zib-status"), count = document.getElementById("zib-count");
  function apply() {
    var text = q.value.toLowerCase(), shown = 0;
    rows.forEach(function (r) {
      var ok = (!text || r.textContent.toLowerCase().indexOf(text) >= 0) &&
        (!pred.value || r.getAttribute("data-predicate") === pred.value) &&
        (!status.value || r.getAttribute("data-status") === status.value);
      r.style.display = ok ? "" : "none";
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " dari " + rows.length + " unit";
  }
  [q, pred, status].forEach(function (el) { el.addEventListener("input", apply); """
"""el.addEventListener("change", apply); });
  Array.prototype.forEach.call(heads, function (th, i) {
    th.addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1, numeric = th.getAttribute("data-type") === "num";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = a.cells[i].getAttribute("data-v"), y = b.cells[i].getAttribute("data-v");
        if (numeric) {
          if (x === "" || y === "") { return (x === "") - (y === ""); }
          return dir * (parseFloat(x) - parseFloat(y));
        }
        return dir * x.localeCompare(y, "id");
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  apply();
})();
</script>""")
_FAILURES = ("""<div class="zib"><h2>Unit yang gagal</h2>"""
"""{% if not units %}<p>Tidak ada: setiap unit mendapat laporan.</p>
{% else %}<table class="zt"><tr><th>Unit</th><th>Berkas masukan</th><th>Galat</th></tr>{% for u in units %}
<tr class="failed"><td>{{ u.unit_id or u.unit_name }}</td><td>{{ u.input }}</td><td class="err">{{ u.error }}</td></tr>
{% endfor %}</table>{% endif %}</div>""")


def _plain_label(text: str) -> str:
    """User text as a matplotlib label shown as written: ``$`` escaped (else ``"$x^{$"`` is parsed as mathtext and
    fails the page), hidden characters removed."""

    return strip_hidden(str(text)).replace("$", r"\$")


class BulkSummary:
    """A run's summary for the page: sections are HTML objects, charts matplotlib figures (PNG)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.units = doc["units"]

    def _html(self, template: str, **context: Any) -> Html:
        return Html(_CSS + _ENV.from_string(template).render(**context))

    def overview(self) -> Html:
        # a predikat from data with errors cannot be determined: counted under its data status, not its predikat
        shown = [u for u in self.units if u["status"] == "ok" and u.get("data_status") != STATUS_PROVISIONAL]
        preds = [(p, sum(u["predicate"] == p for u in shown)) for p in PREDICATES]
        return self._html(_OVERVIEW, d=self.doc, preds=preds)

    def table(self) -> Html:
        return self._html(_TABLE, units=self.units, areas=self.doc["areas"], preds=PREDICATES,
                          order={p: i for i, p in enumerate(PREDICATES)})

    def failures(self) -> Html:
        return self._html(_FAILURES, units=[u for u in self.units if u["status"] != "ok"])

    def chart(self, name: str) -> Any:
        """``predicates`` (predikat per instansi), ``totals`` (distribution of totals) or ``areas`` (areas that
        fail most); None when there is nothing to draw."""

        scored = [u for u in self.units if u["predicate"]]
        figure = getattr(self, f"_chart_{name}")(scored) if scored else None
        return None if figure is None else Chart(figure)

    def _chart_predicates(self, scored: list[dict[str, Any]]) -> Any:
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        # a unit whose data has errors has no predikat yet: its own bar segment, never its computed predikat's
        kinds = [*PREDICATES, STATUS_PROVISIONAL]
        counts: dict[str, dict[str, int]] = {}
        for u in scored:
            kind = STATUS_PROVISIONAL if u.get("data_status") == STATUS_PROVISIONAL else u["predicate"]
            counts.setdefault(u["instansi"] or "(tanpa instansi)", dict.fromkeys(kinds, 0))[kind] += 1
        names = sorted(counts, key=lambda n: (-sum(counts[n].values()), n))
        if len(names) > 15:
            rest = names[14:]
            counts["Lainnya"] = {p: sum(counts[n][p] for n in rest) for p in kinds}
            names = [*names[:14], "Lainnya"]
        names = names[::-1]
        fig = Figure(figsize=(8.6, 1.2 + 0.34 * len(names)), dpi=100)
        ax = fig.add_subplot()
        left = np.zeros(len(names))
        labels = [_plain_label(n) for n in names]
        for p in kinds:
            values = np.array([counts[n][p] for n in names], dtype=float)
            if p == STATUS_PROVISIONAL and not values.any():
                continue
            label = UNDETERMINED["id"] if p == STATUS_PROVISIONAL else predicate_label(p)
            ax.barh(labels, values, left=left, color=COLOURS.get(p, "#ffffff"), label=label,
                    edgecolor="#8a5a00" if p == STATUS_PROVISIONAL else None,
                    hatch="//" if p == STATUS_PROVISIONAL else None)
            left += values
        ax.set_title("Predikat per instansi")
        ax.set_xlabel("Jumlah unit")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="lower right", fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        return fig

    def _chart_totals(self, scored: list[dict[str, Any]]) -> Any:
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        totals = np.array([u["total"] for u in scored], dtype=float)
        low = min(float(np.floor(totals.min() / 2.5) * 2.5), min(self.doc["total_minimum"].values(), default=100))
        fig = Figure(figsize=(8.6, 3.6), dpi=100)
        ax = fig.add_subplot()
        ax.hist(totals, bins=np.arange(low, 102.5, 2.5).tolist(), color="#2f6db5", edgecolor="white")
        for code, minimum in self.doc["total_minimum"].items():
            ax.axvline(minimum, color=COLOURS.get(code, "#d98c1f"), linestyle="--", linewidth=1.2)
            ax.annotate(f"{code} {num(minimum, 0)}", (minimum, 1), xycoords=("data", "axes fraction"),
                        xytext=(3, -12), textcoords="offset points", fontsize=8, color=COLOURS.get(code, "#333"))
        ax.set_title("Sebaran nilai total")
        ax.set_xlabel("Nilai total")
        ax.set_ylabel("Jumlah unit")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        return fig

    def _chart_areas(self, scored: list[dict[str, Any]]) -> Any:
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        areas = self.doc["areas"]
        counts = [sum(f"area_{a['code']}" in (u["failed_criteria"] or []) for u in scored) for a in areas]
        order = sorted(range(len(areas)), key=lambda i: (counts[i], areas[i]["code"]))
        labels = [f"{areas[i]['code']} {areas[i]['name']}" for i in order]
        fig = Figure(figsize=(8.6, 0.9 + 0.4 * len(areas)), dpi=100)
        ax = fig.add_subplot()
        bars = ax.barh(labels, [counts[i] for i in order], color="#d98c1f")
        ax.bar_label(bars, labels=[f"{counts[i]} ({num(100 * counts[i] / len(scored), 0)}%)" for i in order],
                     fontsize=8, padding=3)
        ax.set_title("Area yang paling sering belum memenuhi")
        ax.set_xlabel("Jumlah unit di bawah minimum area untuk predikat berikutnya")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, max(max(counts), 1) * 1.2)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        return fig


def sample_doc() -> dict[str, Any]:
    """A summary of the bundled sample, made in memory (no reports): what the stored notebook shows."""

    answers, units = bundled_paths()
    params = {name: default for name, (_, default, _) in PARAMETERS.items()}
    plan = plan_file(str(answers), str(units), params["tier"], params["rubric"], {}, "")
    rows = [{**row, "status": "ok" if row["predicate"] else "failed", "resumed": False} for row in plan.rows]
    return summary_doc(rows, load_rubric(params["rubric"]), params, [answers.name], units.name)


def load(run_dir: str = "") -> BulkSummary:
    """The summary of the run in ``run_dir`` (its ``summary.json``), or of the bundled sample when empty."""
    if not run_dir:
        return BulkSummary(sample_doc())
    return BulkSummary(json.loads((Path(run_dir) / "summary.json").read_text(encoding="utf-8")))


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
