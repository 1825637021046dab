"""What the unit report's charts (:mod:`zi_nb.report.charts`) share: the :class:`Chart` notebooks display, the
per-process :class:`Canvas` cache, print sizes, fonts and texts.

Print size: the report prints charts at their own size. A chart is :data:`WIDTH` (180 mm) wide, inside the 186 mm
between the margins of an A4 page, and at most :data:`MAX_HEIGHT` (120 mm, the template's ``max-height`` for images
in print) tall, so neither limit scales it down and a font of n pt prints at n pt; every text is at least
:data:`MIN_FONT` pt. Layouts are given in millimetres (:func:`new_figure`), not as shares of the figure.
"""

from __future__ import annotations

import io
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

matplotlib.rcParams.update({"font.family": "DejaVu Sans", "font.size": 10, "axes.titlesize": 12,
                            "axes.titleweight": "bold", "svg.hashsalt": "zi-nb", "svg.fonttype": "none"})
BLUE, GREEN, ORANGE, GREY, RED = "#2f6db5", "#1b7f3b", "#d98c1f", "#8a96a3", "#b3261e"
INK = "#1d2733"  # the report's text colour
TIER_COLOURS = {"unit": GREY, "tpi": BLUE, "tpn": GREEN}

MM = 1 / 25.4  # inches
WIDTH = 180.0  # mm, every unit chart
PRINT_WIDTH = 186.0  # mm between the margins of the A4 page (templates/zi_report: 210 mm - 2 x 12 mm)
MAX_HEIGHT = 120.0  # mm, the template's max-height of an image in print
MIN_FONT = 8.0  # pt at print size
#: font sizes (pt, printed at that size)
FONT = {"title": 11.0, "label": 9.0, "value": 8.5, "tick": 8.5, "legend": 8.5, "note": 8.0}


class _Text(TypedDict):
    """The texts of the charts in one language."""

    radar: str
    parts: str
    hasil: str
    tiers: str
    score: str
    min: str
    ring: str
    weight: str
    total: str
    tier: dict[str, str]
    and_: str


TEXT: dict[str, _Text] = {
    "id": {"radar": "Area perubahan (% dari bobot)", "parts": "Pemenuhan dan Reform per area (% dari bobot)",
           "hasil": "Hasil terhadap nilai minimum", "tiers": "{tiers} per area (% dari bobot)",
           "score": "Nilai", "min": "Nilai minimum", "ring": "batas {code} ({pct})", "weight": "Bobot",
           "total": "nilai total", "and_": "dan",
           "tier": {t: "Unit" if t == "unit" else tier_label(t, "id") for t in STAGES}},
    "en": {"radar": "Areas of change (% of weight)", "parts": "Pemenuhan and Reform by area (% of weight)",
           "hasil": "Results against their minima", "tiers": "{tiers} by area (% of weight)",
           "score": "Score", "min": "Minimum", "ring": "{code} threshold ({pct})", "weight": "Weight",
           "total": "total score", "and_": "and",
           "tier": {t: "Unit" if t == "unit" else tier_label(t, "en") for t in STAGES}},
}


def enumeration(items: Sequence[str], lang: str) -> str:
    """``["Unit", "TPI", "TPN"]`` -> ``"Unit, TPI dan TPN"`` (``and`` with ``lang="en"``)."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {TEXT[lang]['and_']} {items[-1]}"


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


#: canvases kept per process (a canvas is one figure: a few hundred kB)
MAX_CANVASES = 16


@dataclass
class Canvas:
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


_CANVASES: OrderedDict[tuple, Canvas] = OrderedDict()


def canvas(key: tuple, make: Callable[[], Canvas]) -> Canvas:
    """The canvas for ``key`` (made by ``make`` the first time), cleared of the previous unit's artists."""
    found = _CANVASES.pop(key, None) or make()
    _CANVASES[key] = found
    while len(_CANVASES) > MAX_CANVASES:
        _CANVASES.popitem(last=False)
    for artist in found.drawn:
        artist.remove()
    found.drawn = []
    return found


def new_figure(height: float, left: float, right: float, bottom: float, top: float,
               **subplot: Any) -> tuple[Figure, Axes]:
    """A :data:`WIDTH` x ``height`` mm figure whose axes leave ``left``, ``right``, ``bottom``, ``top`` mm free
    around them (fixed margins: ``tight_layout`` would draw every figure twice)."""
    fig = Figure(figsize=(WIDTH * MM, height * MM), dpi=110)
    fig.subplots_adjust(left=left / WIDTH, right=1 - right / WIDTH, bottom=bottom / height, top=1 - top / height)
    return fig, fig.add_subplot(**subplot)


def at(frame: pd.DataFrame, unit: str, column: str) -> float:
    """A unit's score in a score frame (floats; pandas-stubs types ``.at`` as any scalar)."""
    return cast(float, frame.at[unit, column])


def area_ratios(rubric: Rubric) -> list[tuple[str, float]]:
    """The minimum_ratio of each predikat's area criterion (e.g. 0.60 for WBK, 0.75 for WBBM)."""
    return [(p.code, c.minimum_ratio) for p in rubric.predicates for c in p.criteria
            if c.measure == "area" and c.minimum_ratio is not None]


def number_axis(lang: str, suffix: str = "") -> FuncFormatter:
    """Tick labels in the report's number format (``2,5`` in Indonesian), whole numbers without decimals."""
    return FuncFormatter(lambda v, _: f"{num(v, 0 if float(v).is_integer() else 1, lang)}{suffix}")


def set_bars(bars: Any, values: list[float]) -> None:
    for bar, value in zip(bars, values):
        bar.set_height(value) if bars.orientation == "vertical" else bar.set_width(value)
    bars.datavalues = np.asarray(values, dtype=float)
