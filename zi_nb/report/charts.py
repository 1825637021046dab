"""Charts of the unit report (matplotlib, object API only: no pyplot state, safe in long-running workers).

Each ``chart_<name>(report)`` returns a :class:`Chart`, which notebooks display as SVG without depending on the
kernel's matplotlib backend (text kept as text, so reports stay searchable and sharp in print; no timestamps or
versions, so outputs are reproducible). Thresholds (60 % / 75 % rings, Hasil minima) come from the rubric's predicate
criteria, never from constants here.

Charts were most of a report's cost in bulk runs, and most of a chart's cost is what does not depend on the unit
(figure, axes, ticks, labels, rings, legends). So each chart is split into a *canvas* holding those, made once per
process for a rubric and language (:func:`_canvas`), and the unit's artists (bar heights, the radar polygon, value
labels), which are removed and drawn again for every unit. A canvas reached for the first time and one reused after
other units are in the same state when the unit is drawn, so a report is identical alone and in a bulk run
(``tests/bulk/test_run.py``). A :class:`Chart` is rendered when it is made, so reusing its canvas later cannot change
it. Unit charts use fixed margins (:data:`MARGINS`, wide enough for labels wrapped at a fixed width) instead of
``tight_layout``, which would draw every figure twice.
"""

from __future__ import annotations

import io
import textwrap
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict, cast

import matplotlib
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from zi_nb.common.domain import STAGES
from zi_nb.common.fmt import num, tier_label

if TYPE_CHECKING:
    import pandas as pd

    from zi_nb.engine.rubric import Rubric
    from zi_nb.report.model import UnitReport

matplotlib.rcParams.update({"font.family": "DejaVu Sans", "font.size": 10, "axes.titlesize": 12,
                            "axes.titleweight": "bold", "svg.hashsalt": "zi-nb", "svg.fonttype": "none"})
BLUE, GREEN, ORANGE, GREY, RED = "#2f6db5", "#1b7f3b", "#d98c1f", "#8a96a3", "#b3261e"
TIER_COLOURS = {"unit": GREY, "tpi": BLUE, "tpn": GREEN}


class _Text(TypedDict):
    """The texts of the charts in one language."""

    radar: str
    parts: str
    hasil: str
    tiers: str
    score: str
    min: str
    tier: dict[str, str]


TEXT: dict[str, _Text] = {
    "id": {"radar": "Area perubahan (% dari bobot)", "parts": "Pemenuhan dan Reform per area (% dari bobot)",
           "hasil": "Hasil terhadap nilai minimum", "tiers": "Unit, TPI dan TPN per area (% dari bobot)",
           "score": "Nilai", "min": "Minimum", "tier": {t: tier_label(t, "id") for t in STAGES}},
    "en": {"radar": "Areas of change (% of weight)", "parts": "Pemenuhan and Reform by area (% of weight)",
           "hasil": "Results against their minima", "tiers": "Unit, TPI and TPN by area (% of weight)",
           "score": "Score", "min": "Minimum", "tier": {t: tier_label(t, "en") for t in STAGES}},
}


@dataclass
class Chart:
    """A chart for notebooks: SVG, with its title as ``alt`` metadata (and alternative text in reports).

    ``Chart(figure)`` renders the figure when displayed; :meth:`snapshot` renders it at once and keeps only the SVG
    (unit charts: their figure is a reused canvas).
    """

    figure: Figure | None = None
    svg_text: str | None = None
    title: str = ""

    @classmethod
    def snapshot(cls, figure: Figure) -> Chart:
        chart = cls(figure)
        return cls(None, chart.svg(), chart.alt)

    @property
    def alt(self) -> str:
        """Alternative text: the chart's title."""
        if self.figure is None:
            return self.title
        titles = [ax.get_title() for ax in self.figure.axes if ax.get_title()]
        return titles[0] if titles else ""

    def svg(self) -> str:
        if self.svg_text is not None:
            return self.svg_text
        if self.figure is None:
            raise ValueError("a Chart needs a figure or its SVG text")
        buffer = io.StringIO()
        self.figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
        return buffer.getvalue()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        return ({"image/svg+xml": self.svg(), "text/plain": f"<Chart: {self.alt}>"},
                {"image/svg+xml": {"alt": self.alt}})


#: left, right, bottom, top of each unit chart (figure fractions), as ``tight_layout`` found them for zi-2021;
#: labels are wrapped at a fixed width, so they hold for any rubric.
MARGINS = {"radar": (0.092, 0.898, 0.093, 0.909), "parts": (0.081, 0.957, 0.107, 0.9),
           "hasil": (0.211, 0.981, 0.102, 0.905), "tiers": (0.081, 0.981, 0.114, 0.894)}
#: canvases kept per process (a canvas is one figure: a few hundred kB)
MAX_CANVASES = 16


@dataclass
class _Canvas:
    """A chart's figure with what does not depend on the unit; ``parts`` holds the artists a unit updates in place
    (bars), ``drawn`` those made for the current unit (removed before the next one)."""

    figure: Figure
    ax: Axes
    parts: dict[str, Any] = field(default_factory=dict)
    drawn: list[Artist] = field(default_factory=list)

    def keep(self, artists: Artist | Sequence[Artist]) -> None:
        if isinstance(artists, Artist):
            self.drawn.append(artists)
        else:
            self.drawn.extend(artists)


_CANVASES: OrderedDict[tuple, _Canvas] = OrderedDict()


def _canvas(key: tuple, make: Callable[[], _Canvas]) -> _Canvas:
    """The canvas for ``key`` (made by ``make`` the first time), cleared of the previous unit's artists."""
    canvas = _CANVASES.pop(key, None) or make()
    _CANVASES[key] = canvas
    while len(_CANVASES) > MAX_CANVASES:
        _CANVASES.popitem(last=False)
    for artist in canvas.drawn:
        artist.remove()
    canvas.drawn = []
    return canvas


def _figure(name: str, size: tuple[float, float], **subplot: Any) -> tuple[Figure, Axes]:
    left, right, bottom, top = MARGINS[name]
    fig = Figure(figsize=size, dpi=110)
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top)
    return fig, fig.add_subplot(**subplot)


def _at(frame: pd.DataFrame, unit: str, column: str) -> float:
    """A unit's score in a score frame (floats; pandas-stubs types ``.at`` as any scalar)."""
    return cast(float, frame.at[unit, column])


def _area_ratios(rubric: Rubric) -> list[tuple[str, float]]:
    """The minimum_ratio of each predikat's area criterion (e.g. 0.60 for WBK, 0.75 for WBBM)."""
    return [(p.code, c.minimum_ratio) for p in rubric.predicates for c in p.criteria
            if c.measure == "area" and c.minimum_ratio is not None]


def _pct_axis(lang: str) -> FuncFormatter:
    return FuncFormatter(lambda v, _: f"{num(v, 0, lang)}%")


def _set_bars(bars: Any, values: list[float]) -> None:
    for bar, value in zip(bars, values):
        bar.set_height(value) if bars.orientation == "vertical" else bar.set_width(value)
    bars.datavalues = np.asarray(values, dtype=float)


# -- radar -------------------------------------------------------------------------------------------------------------
def _radar_canvas(r: Rubric, lang: str) -> _Canvas:
    fig, ax = _figure("radar", (6.4, 5.8), projection="polar")
    angles = np.linspace(0, 2 * np.pi, len(r.areas), endpoint=False)
    ring = np.linspace(0, 2 * np.pi, 200)
    for (code, ratio), colour in zip(_area_ratios(r), (ORANGE, GREEN)):
        ax.plot(ring, np.full_like(ring, 100 * ratio), linestyle="--", color=colour, linewidth=1.3,
                label=f"{code} {num(100 * ratio, 0, lang)}%")
    ax.set_xticks(angles)
    ax.set_xticklabels([f"{a.code}. " + "\n".join(textwrap.wrap(a.name, 18)) for a in r.areas], fontsize=7.5)
    ax.tick_params(axis="x", pad=14)
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100])
    ax.set_yticklabels([f"{v}%" for v in (20, 40, 60, 80, 100)], fontsize=7, color=GREY)
    ax.set_title(TEXT[lang]["radar"], pad=18)
    ax.legend(loc="lower right", bbox_to_anchor=(1.18, -0.1), fontsize=8, frameon=False)
    return _Canvas(fig, ax, {"angles": angles})


def chart_radar(report: UnitReport) -> Chart:
    """The six areas as % of their weight, with the WBK and WBBM rings."""
    r, s, u, lang = report.data.rubric, report.result.scores, report.unit_id, report.lang
    values = [100 * _at(s.areas, u, a.code) / sum(a.weights.values()) for a in r.areas]
    c = _canvas(("radar", r.content_hash, lang), lambda: _radar_canvas(r, lang))
    angles = c.parts["angles"]
    closed = np.append(angles, angles[0])
    c.keep(c.ax.plot(closed, values + values[:1], color=BLUE, linewidth=2))
    c.keep(c.ax.fill(closed, values + values[:1], color=BLUE, alpha=0.18))
    for angle, value in zip(angles, values):
        c.keep(c.ax.annotate(f"{num(value, 0, lang)}%", (angle, value), textcoords="offset points", xytext=(0, 6),
                             ha="center", fontsize=8, color=BLUE, fontweight="bold"))
    return Chart.snapshot(c.figure)


# -- pemenuhan / reform ------------------------------------------------------------------------------------------------
def _components(r: Rubric) -> list[str]:
    return list(dict.fromkeys(c for a in r.areas for c in a.weights))


def _parts_canvas(r: Rubric, lang: str) -> _Canvas:
    fig, ax = _figure("parts", (8, 3.6))
    comps = _components(r)
    x = np.arange(len(r.areas))
    width = 0.8 / max(1, len(comps))
    bars = [ax.bar(x + (n - (len(comps) - 1) / 2) * width, np.zeros(len(x)), width,
                   color=(BLUE, ORANGE, GREEN)[n % 3], label=r.component_by_code[comp].name)
            for n, comp in enumerate(comps)]
    for code, ratio in _area_ratios(r):
        ax.axhline(100 * ratio, color=GREY, linestyle=":", linewidth=1)
        ax.text(len(r.areas) - 0.45, 100 * ratio + 1, f"{code}", fontsize=7, color=GREY)
    ax.set_xticks(x, [a.code for a in r.areas])
    ax.set_xlim(*ax.get_xlim())  # from the bars' positions, not their heights: the same for every unit
    ax.set_ylim(0, 112)
    ax.yaxis.set_major_formatter(_pct_axis(lang))
    ax.set_title(TEXT[lang]["parts"])
    ax.legend(fontsize=8, frameon=False, loc="lower left", ncols=len(comps))
    ax.spines[["top", "right"]].set_visible(False)
    return _Canvas(fig, ax, {"bars": bars})


def chart_parts(report: UnitReport) -> Chart:
    """Pemenuhan vs Reform per area, each as % of its part's weight."""
    r, s, u, lang = report.data.rubric, report.result.scores, report.unit_id, report.lang
    c = _canvas(("parts", r.content_hash, lang), lambda: _parts_canvas(r, lang))
    for comp, bars in zip(_components(r), c.parts["bars"]):
        vals = [100 * _at(s.areas, u, f"{comp}:{a.code}") / a.weights[comp] if comp in a.weights else 0
                for a in r.areas]
        _set_bars(bars, vals)
        c.keep(c.ax.bar_label(bars, labels=[f"{num(v, 0, lang)}" for v in vals], fontsize=7, padding=2))
    return Chart.snapshot(c.figure)


# -- hasil -------------------------------------------------------------------------------------------------------------
def _hasil_measures(r: Rubric) -> list[str]:
    return [i.code for i in r.indicators if i.area is None] + [
        c.code for c in r.components
        if c.parent is not None and not any(i.component == c.code and i.area for i in r.indicators)]


def _hasil_canvas(r: Rubric, lang: str) -> _Canvas:
    minima = {p.code: {c.measure: c.minimum for c in p.criteria if c.minimum is not None} for p in r.predicates}
    measures = _hasil_measures(r)
    names = {**{i.code: f"{i.code} " + i.name.split("(")[0].strip() for i in r.indicators},
             **{c.code: c.name for c in r.components}}
    weights = {**{i.code: i.weight for i in r.indicators}, **{c.code: c.weight for c in r.components}}
    fig, ax = _figure("hasil", (8, 3.8))
    y = np.arange(len(measures))
    ax.barh(y, [weights[m] for m in measures], color="#e4e9ef", height=0.6)
    bars = ax.barh(y, np.zeros(len(y)), color=BLUE, height=0.6)
    for n, ((code, mins), colour) in enumerate(zip(minima.items(), (ORANGE, GREEN))):
        offset = (n - (len(minima) - 1) / 2) * 0.32  # side by side, so equal minima stay visible
        pts = [(mins[m], y_ + offset) for m, y_ in zip(measures, y) if mins.get(m) is not None]
        if pts:
            ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker="|", s=160, color=colour,
                       linewidths=3, label=f"{TEXT[lang]['min']} {code}", zorder=3)
    ax.set_yticks(y, ["\n".join(textwrap.wrap(names[m], 26)) for m in measures], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(*ax.get_xlim())  # from the weights (no value exceeds its weight): the same for every unit
    ax.set_title(TEXT[lang]["hasil"])
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return _Canvas(fig, ax, {"bars": bars, "measures": measures})


def chart_hasil(report: UnitReport) -> Chart:
    """Each Hasil indicator and group against its WBK and WBBM minima (points)."""
    r, s, u, lang = report.data.rubric, report.result.scores, report.unit_id, report.lang
    c = _canvas(("hasil", r.content_hash, lang), lambda: _hasil_canvas(r, lang))
    values = [float(s.measure(m)[u]) for m in c.parts["measures"]]
    _set_bars(c.parts["bars"], values)
    c.keep(c.ax.bar_label(c.parts["bars"], labels=[num(v, 2, lang) for v in values], fontsize=8, padding=-34,
                          color="white", fontweight="bold"))
    return Chart.snapshot(c.figure)


# -- tiers -------------------------------------------------------------------------------------------------------------
def _tiers_canvas(r: Rubric, lang: str, tiers: tuple[str, ...]) -> _Canvas:
    fig, ax = _figure("tiers", (8, 3.4))
    x = np.arange(len(r.areas))
    width = 0.8 / len(tiers)
    bars = [ax.bar(x + (n - (len(tiers) - 1) / 2) * width, np.zeros(len(x)), width,
                   color=TIER_COLOURS.get(tier, GREY)) for n, tier in enumerate(tiers)]
    ax.set_xticks(x, [a.code for a in r.areas])
    ax.set_xlim(*ax.get_xlim())
    ax.set_ylim(0, 110)
    ax.yaxis.set_major_formatter(_pct_axis(lang))
    ax.set_title(TEXT[lang]["tiers"])
    ax.spines[["top", "right"]].set_visible(False)
    return _Canvas(fig, ax, {"bars": bars})


def chart_tiers(report: UnitReport) -> Chart | None:
    """Unit vs TPI vs TPN per area (% of weight), when the data holds more than one tier."""
    if len(report.tiers) < 2:
        return None
    r, u, lang = report.data.rubric, report.unit_id, report.lang
    tiers = tuple(report.tiers)
    c = _canvas(("tiers", r.content_hash, lang, tiers), lambda: _tiers_canvas(r, lang, tiers))
    labels = []
    for bars, (tier, res) in zip(c.parts["bars"], report.tiers.items()):
        _set_bars(bars, [100 * _at(res.scores.areas, u, a.code) / sum(a.weights.values()) for a in r.areas])
        labels.append(f"{TEXT[lang]['tier'].get(tier, tier)}: {num(float(res.scores.total[u]), 2, lang)}")
    c.keep(c.ax.legend(c.parts["bars"], labels, fontsize=8, frameon=False, loc="lower left", ncols=len(tiers)))
    return Chart.snapshot(c.figure)
