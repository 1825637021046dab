"""Charts of the unit report (LHE), matplotlib with the object API only (no pyplot state, safe in long-running workers).

Each ``chart_<name>(report)`` returns a :class:`~zi_nb.report.charts_base.Chart`, which notebooks display as SVG
without depending on the kernel's matplotlib backend (text kept as text, so reports stay searchable and sharp in print;
no timestamps or versions, so outputs are reproducible); ``draw_<name>(report)`` draws the same chart and returns its
figure (tests measure it). Thresholds (60 % / 75 % rings, Hasil minima), area names and weights come from the rubric,
never from constants here. Charts print at their own size, 180 mm wide, with every text at least 8 pt
(:mod:`zi_nb.report.charts_base`); numbers are written as in the rest of the report (``95,71``; ``95.71`` in English).

Charts were most of a report's cost in bulk runs, and most of a chart's cost is what does not depend on the unit
(figure, axes, ticks, labels, rings, legends). So each chart is split into a *canvas* holding those, made once per
process for a rubric and language (:func:`~zi_nb.report.charts_base.canvas`), and the unit's artists (bar lengths,
the radar polygon, value labels), which are removed and drawn again for every unit. A canvas reached for the first
time and one reused after other units are in the same state when the unit is drawn, so a report is identical alone
and in a bulk run (``tests/bulk/test_run.py``). A :class:`Chart` is rendered when it is made, so reusing its canvas
later cannot change it. Layouts are fixed in millimetres (labels wrapped at a fixed width) instead of
``tight_layout``, which would draw every figure twice.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.projections.polar import PolarAxes

from zi_nb.common.fmt import num, tier_label
from zi_nb.report.charts_base import (
    BLUE,
    FONT,
    GREEN,
    GREY,
    INK,
    MM,
    ORANGE,
    TEXT,
    TIER_COLOURS,
    WIDTH,
    Canvas,
    Chart,
    area_ratios,
    at,
    canvas,
    enumeration,
    new_figure,
    number_axis,
    set_bars,
)

if TYPE_CHECKING:
    from zi_nb.engine.rubric import Rubric
    from zi_nb.report.model import UnitReport

__all__ = ["Chart", "chart_hasil", "chart_parts", "chart_radar", "chart_tiers", "draw_hasil", "draw_parts",
           "draw_radar", "draw_tiers"]

#: radar: figure height, radius and centre of the polar axes (mm), and the ring (% of weight) on which each area's
#: value is written: inside the polygon's usual reach, far from the area names outside the 100 % circle
RADAR = {"height": 118.0, "radius": 42.0, "x": 76.0, "y": 54.0, "values_at": 45.0}
#: bar charts: height, then margins left (the wrapped area names), right, bottom (axis and legend), top (mm)
BARS = {"parts": (108.0, 50.0, 4.0, 20.0, 15.0), "tiers": (120.0, 50.0, 4.0, 20.0, 15.0),
        "hasil": (100.0, 52.0, 4.0, 20.0, 12.0)}
LEGEND_LINE = 4.5  # mm, each further line of a legend
WRAP = 26  # characters per line of an area or indicator name
LABEL_BOX = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}  # over lines
TIERS_A_LINE = 2  # tiers per line of the tiers chart's legend (its labels are long)
BAR_LIMIT = 118.0  # % axis of the bar charts: room after a full bar for its value


def _pct(value: float, lang: str) -> str:
    return f"{num(value, 1, lang)}%"


def _area_label(code: str, name: str, width: int = WRAP) -> str:
    return "\n".join(textwrap.wrap(f"{code}. {name}", width))


def _legend_below(c: Canvas, handles: list[Any], labels: list[str], ncols: int = 0) -> Any:
    """A legend under the axes (and their tick labels), centred on the figure: never over the bars; entries read
    line by line (matplotlib fills a legend column by column)."""
    ncols = ncols or len(handles)
    order = [i for col in range(ncols) for i in range(col, len(handles), ncols)]
    handles, labels = [handles[i] for i in order], [labels[i] for i in order]
    return c.figure.legend(handles, labels, loc="lower center", ncols=ncols, frameon=False,
                           bbox_to_anchor=(0.5, 1.5 * MM / c.figure.get_figheight()), fontsize=FONT["legend"])


# -- radar -------------------------------------------------------------------------------------------------------------
def _radar_canvas(r: Rubric, lang: str) -> Canvas:
    height, radius = RADAR["height"], RADAR["radius"]
    fig = Figure(figsize=(WIDTH * MM, height * MM), dpi=110)
    ax = cast(PolarAxes, fig.add_axes(((RADAR["x"] - radius) / WIDTH, (RADAR["y"] - radius) / height,
                                       2 * radius / WIDTH, 2 * radius / height), projection="polar"))
    angles = np.linspace(0, 2 * np.pi, len(r.areas), endpoint=False)
    ring = np.linspace(0, 2 * np.pi, 200)
    for (code, ratio), colour in zip(area_ratios(r), (ORANGE, GREEN)):
        ax.plot(ring, np.full_like(ring, 100 * ratio), linestyle="--", color=colour, linewidth=1.3,
                label=TEXT[lang]["ring"].format(code=code, pct=f"{num(100 * ratio, 0, lang)}%"))
    ax.set_xticks(angles, [""] * len(angles))  # the spokes; the names are placed here, growing away from the circle
    # (matplotlib centres a tick label on its point, so a long one reaches back over the circle and the values)
    for area, angle in zip(r.areas, angles):
        cos, sin = np.cos(angle), np.sin(angle)
        ax.annotate(_area_label(area.code, area.name, 20), (angle, 100), textcoords="offset points",
                    xytext=(5 * cos, 5 * sin), fontsize=FONT["label"], color=INK,
                    ha="left" if cos > 0.1 else "right" if cos < -0.1 else "center",
                    va="bottom" if sin > 0.1 else "top" if sin < -0.1 else "center")
    ax.set_ylim(0, 100)
    ax.set_yticks([20, 40, 60, 80, 100])
    ax.yaxis.set_major_formatter(number_axis(lang, "%"))
    ax.tick_params(axis="y", labelsize=FONT["note"], labelcolor=GREY)
    ax.set_rlabel_position(float(np.degrees(angles[1] / 2)) if len(angles) > 1 else 90.0)  # between two spokes
    top = (height - 9 - (RADAR["y"] - radius)) / (2 * radius)  # the title's baseline 9 mm under the figure's top
    ax.set_title(TEXT[lang]["radar"], y=top, pad=0, fontsize=FONT["title"])
    fig.legend(loc="upper right", bbox_to_anchor=(1 - 2 / WIDTH, 1 - 13 / height), fontsize=FONT["legend"],
               frameon=False)
    return Canvas(fig, ax, {"angles": angles})


def draw_radar(report: UnitReport) -> Figure:
    """The six areas as % of their weight, with the WBK and WBBM rings; each value written on its spoke, inside."""
    r, s, u, lang = report.data.rubric, report.result.scores, report.unit_id, report.lang
    values = [100 * at(s.areas, u, a.code) / sum(a.weights.values()) for a in r.areas]
    c = canvas(("radar", r.content_hash, lang), lambda: _radar_canvas(r, lang))
    angles = c.parts["angles"]
    closed = np.append(angles, angles[0])
    c.keep(c.ax.plot(closed, values + values[:1], color=BLUE, linewidth=2))
    c.keep(c.ax.fill(closed, values + values[:1], color=BLUE, alpha=0.18))
    for angle, value in zip(angles, values):
        c.keep(c.ax.text(angle, RADAR["values_at"], _pct(value, lang), ha="center", va="center",
                         fontsize=FONT["label"], color=BLUE, fontweight="bold",
                         bbox={**LABEL_BOX, "boxstyle": "round,pad=0.2"}))
    return c.figure


def chart_radar(report: UnitReport) -> Chart:
    return Chart.snapshot(draw_radar(report))


# -- bars per area (Pemenuhan / Reform, and the tiers) -----------------------------------------------------------------
def _area_bars_canvas(r: Rubric, lang: str, name: str, title: str, colours: list[str], legend_lines: int = 1) -> Canvas:
    """Horizontal bars, one row per area named in full (wrapped), one bar per series (in ``colours``)."""
    height, left, right, bottom, top = BARS[name]
    fig, ax = new_figure(height, left, right, bottom + LEGEND_LINE * (legend_lines - 1), top)
    y = np.arange(len(r.areas))
    width = 0.8 / len(colours)
    bars = [ax.barh(y + (n - (len(colours) - 1) / 2) * width, np.zeros(len(y)), width, color=colour)
            for n, colour in enumerate(colours)]
    for code, ratio in area_ratios(r):
        ax.axvline(100 * ratio, color=GREY, linestyle=":", linewidth=1)
        ax.text(100 * ratio, 1.01, code, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                fontsize=FONT["note"], color=GREY)
    ax.set_yticks(y, [_area_label(a.code, a.name) for a in r.areas], fontsize=FONT["label"])
    ax.set_ylim(len(y) - 0.5, -0.5)  # first area on top
    ax.set_xlim(0, BAR_LIMIT)
    ax.set_xticks(np.arange(0, 101, 20))
    ax.xaxis.set_major_formatter(number_axis(lang, "%"))
    ax.tick_params(axis="x", labelsize=FONT["tick"])
    ax.set_title(title, fontsize=FONT["title"], pad=16)  # above the thresholds' names
    ax.spines[["top", "right"]].set_visible(False)
    return Canvas(fig, ax, {"bars": bars})


def _draw_area_bars(c: Canvas, values: list[list[float]], lang: str) -> None:
    for bars, vals in zip(c.parts["bars"], values):
        set_bars(bars, vals)
        c.keep(c.ax.bar_label(bars, labels=[_pct(v, lang) for v in vals], fontsize=FONT["value"], padding=2,
                              color=INK, bbox=LABEL_BOX))


def _components(r: Rubric) -> list[str]:
    return list(dict.fromkeys(c for a in r.areas for c in a.weights))


def _parts_canvas(r: Rubric, lang: str) -> Canvas:
    comps = _components(r)
    colours = [(BLUE, ORANGE, GREEN)[n % 3] for n in range(len(comps))]
    c = _area_bars_canvas(r, lang, "parts", TEXT[lang]["parts"], colours)
    _legend_below(c, c.parts["bars"], [r.component_by_code[comp].name for comp in comps])
    return c


def draw_parts(report: UnitReport) -> Figure:
    """Pemenuhan and Reform per area, each as % of the area's weight in that part."""
    r, s, u, lang = report.data.rubric, report.result.scores, report.unit_id, report.lang
    c = canvas(("parts", r.content_hash, lang), lambda: _parts_canvas(r, lang))
    _draw_area_bars(c, [[100 * at(s.areas, u, f"{comp}:{a.code}") / a.weights[comp] if comp in a.weights else 0
                         for a in r.areas] for comp in _components(r)], lang)
    return c.figure


def chart_parts(report: UnitReport) -> Chart:
    return Chart.snapshot(draw_parts(report))


def tiers_title(tiers: tuple[str, ...], lang: str) -> str:
    """``"Unit dan TPI per area (% dari bobot)"``: the tiers present, and only those."""
    return TEXT[lang]["tiers"].format(tiers=enumeration([TEXT[lang]["tier"].get(t, t) for t in tiers], lang))


def draw_tiers(report: UnitReport) -> Figure | None:
    """Unit vs TPI vs TPN per area (% of weight), when the data holds more than one tier; None otherwise."""
    if len(report.tiers) < 2:
        return None
    r, u, lang = report.data.rubric, report.unit_id, report.lang
    tiers = tuple(report.tiers)
    c = canvas(("tiers", r.content_hash, lang, tiers),
               lambda: _area_bars_canvas(r, lang, "tiers", tiers_title(tiers, lang),
                                         [TIER_COLOURS.get(t, GREY) for t in tiers], -(-len(tiers) // TIERS_A_LINE)))
    _draw_area_bars(c, [[100 * at(res.scores.areas, u, a.code) / sum(a.weights.values()) for a in r.areas]
                        for res in report.tiers.values()], lang)
    labels = [f"{tier_label(tier, lang)}, {TEXT[lang]['total']} {num(float(res.scores.total[u]), 2, lang)}"
              for tier, res in report.tiers.items()]
    c.keep(_legend_below(c, c.parts["bars"], labels, ncols=TIERS_A_LINE))
    return c.figure


def chart_tiers(report: UnitReport) -> Chart | None:
    figure = draw_tiers(report)
    return None if figure is None else Chart.snapshot(figure)


# -- hasil -------------------------------------------------------------------------------------------------------------
def _hasil_measures(r: Rubric) -> list[str]:
    return [i.code for i in r.indicators if i.area is None] + [
        c.code for c in r.components
        if c.parent is not None and not any(i.component == c.code and i.area for i in r.indicators)]


def _hasil_canvas(r: Rubric, lang: str) -> Canvas:
    minima = {p.code: {c.measure: c.minimum for c in p.criteria if c.minimum is not None} for p in r.predicates}
    measures = _hasil_measures(r)
    names = {**{i.code: f"{i.code} " + i.name.split("(")[0].strip() for i in r.indicators},
             **{c.code: c.name for c in r.components}}
    weights = {**{i.code: i.weight for i in r.indicators}, **{c.code: c.weight for c in r.components}}
    fig, ax = new_figure(*BARS["hasil"])
    y = np.arange(len(measures))
    back = ax.barh(y, [weights[m] for m in measures], color="#e4e9ef", edgecolor="#b9c3ce", linewidth=0.8,
                   height=0.6)
    bars = ax.barh(y, np.zeros(len(y)), color=BLUE, height=0.6)
    handles: list[Any] = [Patch(color=BLUE), back]
    labels = [TEXT[lang]["score"], TEXT[lang]["weight"]]
    for n, ((code, mins), colour) in enumerate(zip(minima.items(), (ORANGE, GREEN))):
        offset = (n - (len(minima) - 1) / 2) * 0.32  # side by side, so equal minima stay visible
        pts = [(mins[m], y_ + offset) for m, y_ in zip(measures, y) if mins.get(m) is not None]
        if pts:
            handles.append(ax.scatter([p[0] for p in pts], [p[1] for p in pts], marker="|", s=160, color=colour,
                                      linewidths=3, zorder=3))
            labels.append(f"{TEXT[lang]['min']} {code}")
    ax.set_yticks(y, ["\n".join(textwrap.wrap(names[m], WRAP)) for m in measures], fontsize=FONT["label"])
    ax.set_ylim(len(y) - 0.5, -0.5)
    ax.set_xlim(0, 1.2 * max(weights[m] for m in measures))  # room after the longest bar for its value
    ax.xaxis.set_major_formatter(number_axis(lang))
    ax.tick_params(axis="x", labelsize=FONT["tick"])
    ax.set_title(TEXT[lang]["hasil"], fontsize=FONT["title"])
    ax.spines[["top", "right"]].set_visible(False)
    c = Canvas(fig, ax, {"bars": bars, "measures": measures, "weights": [weights[m] for m in measures]})
    _legend_below(c, handles, labels)
    return c


def draw_hasil(report: UnitReport) -> Figure:
    """Each Hasil indicator and group against its WBK and WBBM minima (marks); its value after its weight's bar."""
    r, s, u, lang = report.data.rubric, report.result.scores, report.unit_id, report.lang
    c = canvas(("hasil", r.content_hash, lang), lambda: _hasil_canvas(r, lang))
    values = [float(s.measure(m)[u]) for m in c.parts["measures"]]
    set_bars(c.parts["bars"], values)
    for n, (value, weight) in enumerate(zip(values, c.parts["weights"])):
        c.keep(c.ax.annotate(num(value, 2, lang), (weight, n), textcoords="offset points", xytext=(4, 0),
                             ha="left", va="center", fontsize=FONT["value"], color=BLUE, fontweight="bold"))
    return c.figure


def chart_hasil(report: UnitReport) -> Chart:
    return Chart.snapshot(draw_hasil(report))
