"""The sections and charts of the bulk summary page (``index.html``, ``notebooks/bulk_summary.ipynb``).

:class:`BulkSummary` renders each section from the run's summary document (``summary.json``, see
:mod:`zi_nb.bulk.summary`) with the Jinja macros of ``templates/zi_summary/index.html.j2`` (autoescape on) and draws
the three charts with matplotlib's object API. The table lists the units by predikat, then total (highest first),
the order its Predikat column sorts to; each criterion still failing for the next predikat is shown with its
shortfall ("Nilai total kurang 3,25"), and an area cell below its minimum is marked with a symbol and a text, not by
colour alone. The histogram of totals has a bin edge on each predikat's minimum total, read from the document (which
takes it from the rubric).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from jinja2 import Environment, FileSystemLoader

from zi_nb.common.domain import STATUS_PROVISIONAL
from zi_nb.common.fmt import UNDETERMINED, num, predicate_label, predicate_with_status, status_detail, status_label
from zi_nb.common.resources import templates_dir
from zi_nb.common.text import strip_hidden
from zi_nb.report.charts import Chart

TEMPLATE = "zi_summary/index.html.j2"
PREDICATES = ["WBBM", "WBK", "TIDAK"]  # best first
COLOURS = {"WBBM": "#1b7f3b", "WBK": "#2f6db5", "TIDAK": "#8a96a3", "": "#b3261e"}
RANK_STEP = 1000.0  # predikat rank x RANK_STEP + total: a step larger than any total
BIN_WIDTH = 2.5  # aimed width of the histogram's bins (points of the total); edges fall on every predikat minimum
SORTED_BY = "predikat, lalu nilai total tertinggi"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILES = {"summary.xlsx": {"label": "Excel", "type": XLSX_TYPE},
         "summary.json": {"label": "JSON", "type": "application/json"}}


class Html:
    def __init__(self, html: str) -> None:
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return "<Html>"


# -- what a cell says ------------------------------------------------------------------------------------------------
def predicate_cell(unit: dict[str, Any]) -> str | None:
    """The predikat cell: not final unless the data status of the result is (see zi_nb.common.fmt)."""
    if not unit["predicate"]:
        return None
    return predicate_with_status(unit["predicate"], unit.get("data_status") or "final")


def predikat_order(unit: dict[str, Any]) -> float:
    """The sort value of the Predikat column, higher first: WBBM, WBK, TIDAK, a predikat that cannot be determined
    yet (data with errors), no result; within each, the total."""
    code = unit.get("predicate")
    if not code:
        rank = -1
    elif unit.get("data_status") == STATUS_PROVISIONAL or code not in PREDICATES:
        rank = 0
    else:
        rank = len(PREDICATES) - PREDICATES.index(code)
    return rank * RANK_STEP + (unit.get("total") or 0.0)


def shortfall_text(name: str, shortfall: float | None) -> str:
    """``"Nilai total kurang 3,25"``; the name alone when the shortfall is not known (a summary from an older run)."""
    if shortfall is None:
        return name
    return f"{name} kurang {num(shortfall, 2) if shortfall >= 0.005 else '< ' + num(0.01, 2)}"


def criteria_texts(unit: dict[str, Any]) -> list[str]:
    """Each criterion of the next predikat the unit does not meet, with how short it is."""
    codes = unit.get("failed_criteria") or []
    names = unit.get("failed_names") or codes
    lack = unit.get("shortfalls") or {}
    return [shortfall_text(name, lack.get(code)) for code, name in zip(codes, names)]


def area_shortfall(unit: dict[str, Any], area: str) -> str | None:
    """Why an area cell is marked: the area's criteria of the next predikat it fails, with their shortfall; None
    when it meets them."""
    texts = [text for code, text in zip(unit.get("failed_criteria") or [], criteria_texts(unit))
             if code == f"area_{area}" or code.startswith(f"area_{area}_")]
    if not texts:
        return None
    target = predicate_label(unit["next_predicate"]) if unit.get("next_predicate") else "predikat berikutnya"
    return f"di bawah minimum {target}: " + "; ".join(texts)


def plain_label(text: str) -> str:
    """User text as a matplotlib label shown as written: ``$`` escaped (else ``"$x^{$"`` is parsed as mathtext and
    fails the page), hidden characters removed."""
    return strip_hidden(str(text)).replace("$", r"\$")


def histogram_edges(totals: list[float], minima: list[float], top: float | None,
                    width: float = BIN_WIDTH) -> list[float]:
    """Bin edges for the totals with an edge on every minimum (the predikat thresholds): bins about ``width`` wide,
    evened out between two minima, from below the lowest total to ``top`` (the rubric's total, or the highest)."""
    marks = sorted(set(minima))
    low, high = min(totals), max(totals) if top is None else max(*totals, top)
    if not marks:
        start = math.floor(low / width) * width
        return [start + i * width for i in range(max(1, math.ceil((high - start) / width)) + 1)]
    edges = [marks[0] - i * width for i in range(max(0, math.ceil((marks[0] - low) / width)), 0, -1)]
    stops = [*marks, high] if high > marks[-1] else marks
    for a, b in itertools.pairwise(stops):
        n = max(1, round((b - a) / width))
        edges += [a + i * (b - a) / n for i in range(n)]
    return [*edges, stops[-1]]


# -- the page --------------------------------------------------------------------------------------------------------
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=True, trim_blocks=True,
                      lstrip_blocks=True)
    env.filters.update(num=num, label=predicate_label)
    env.globals.update(predicate_cell=predicate_cell, status_detail=status_detail, status_label=status_label,
                       predikat_order=predikat_order, criteria_texts=criteria_texts, area_shortfall=area_shortfall)
    return env


class BulkSummary:
    """A run's summary for the page: sections are HTML objects, charts matplotlib figures (SVG).

    ``files``: the summary files beside the page (``summary.xlsx``, ``summary.json``) it links to."""

    def __init__(self, doc: dict[str, Any], files: list[str] | None = None) -> None:
        self.doc = doc
        self.units = doc["units"]
        self.files = [name for name in FILES if name in (files or [])]
        self._macros: Any = None

    def _html(self, section: str, **context: Any) -> Html:
        if self._macros is None:
            self._macros = environment().get_template(TEMPLATE).module
        return Html(str(getattr(self._macros, section)(**context)))

    def overview(self) -> Html:
        # a predikat from data with errors cannot be determined: counted under its data status, not its predikat
        shown = [u for u in self.units if u["status"] == "ok" and u.get("data_status") != STATUS_PROVISIONAL]
        preds = [(p, sum(u["predicate"] == p for u in shown)) for p in PREDICATES]
        return self._html("overview", d=self.doc, preds=preds, files=[(n, FILES[n]) for n in self.files])

    def table(self) -> Html:
        units = sorted(self.units, key=predikat_order, reverse=True)  # stable: input order within a tie
        return self._html("table", units=units, areas=self.doc["areas"], preds=PREDICATES, sorted_by=SORTED_BY)

    def failures(self) -> Html:
        return self._html("failures", units=[u for u in self.units if u["status"] != "ok"])

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
        labels = [plain_label(n) for n in names]
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

        minima = self.doc["total_minimum"]  # predikat -> minimum total, from the rubric (summary_doc)
        totals = [float(u["total"]) for u in scored]
        edges = histogram_edges(totals, list(minima.values()), (self.doc.get("rubric") or {}).get("total"))
        fig = Figure(figsize=(8.6, 3.6), dpi=100)
        ax = fig.add_subplot()
        ax.hist(totals, bins=edges, color="#2f6db5", edgecolor="white")
        for code, minimum in minima.items():
            ax.axvline(minimum, color=COLOURS.get(code, "#d98c1f"), linestyle="--", linewidth=1.2)
            ax.annotate(f"{code} {num(minimum, 0 if float(minimum).is_integer() else 2)}", (minimum, 1),
                        xycoords=("data", "axes fraction"), xytext=(3, -12), textcoords="offset points", fontsize=8,
                        color=COLOURS.get(code, "#333"))
        ax.set_title("Sebaran nilai total")
        ax.set_xlabel("Nilai total (batas kelas pada nilai minimum setiap predikat)")
        ax.set_ylabel("Jumlah unit")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_formatter(lambda x, _: num(x, 0 if float(x).is_integer() else 1))
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        return fig

    def _chart_areas(self, scored: list[dict[str, Any]]) -> Any:
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        areas = self.doc["areas"]
        counts = [sum(area_shortfall(u, a["code"]) is not None for u in scored) for a in areas]
        order = sorted(range(len(areas)), key=lambda i: (counts[i], areas[i]["code"]))
        labels = [plain_label(f"{areas[i]['code']} {areas[i]['name']}") for i in order]
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
