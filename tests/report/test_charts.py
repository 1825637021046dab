"""The LHE's charts as they print: nothing overlaps, every text at least 8 pt at print size, area names in full, the
tiers chart's title and legend, numbers in the report's format, and the same SVG whatever was drawn before."""

from __future__ import annotations

import itertools
import re

import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text

from zi_nb.common.fmt import num
from zi_nb.lke.sample import bundled_paths
from zi_nb.report import charts
from zi_nb.report.charts_base import MAX_HEIGHT, MIN_FONT, PRINT_WIDTH, WIDTH
from zi_nb.report.model import UnitReport, build

NAMES = ("radar", "parts", "hasil", "tiers")
CASES = ("kanim-id", "kanim-en", "real-id", "three-id", "three-en")


@pytest.fixture(scope="module")
def three_tiers(tmp_path_factory) -> str:
    """The sample's kanim-sukawangi with its TPI answers also given by the TPN (one answer lowered)."""
    sample = next(p for p in bundled_paths() if p.name == "sample-lke.csv")
    frame = pd.read_csv(sample, dtype=str, keep_default_na=False)
    unit = frame[frame["unit_id"] == "kanim-sukawangi"]
    tpn = unit[unit["tier"] == "tpi"].assign(tier="tpn")
    tpn.loc[tpn["code"] == "PPA2A", "answer"] = "Tidak"
    path = tmp_path_factory.mktemp("tiers") / "three-tiers.csv"
    pd.concat([unit, tpn]).to_csv(path, index=False)
    return str(path)


@pytest.fixture(scope="module")
def reports(real_lke, three_tiers) -> dict[str, UnitReport]:
    return {"kanim-id": build("", unit_id="kanim-sukawangi"),
            "kanim-en": build("", unit_id="kanim-sukawangi", lang="en"),
            "real-id": build(str(real_lke), unit_id="tangsel-opd-lke-zi-2021"),
            "three-id": build(three_tiers, unit_id="kanim-sukawangi"),
            "three-en": build(three_tiers, unit_id="kanim-sukawangi", lang="en")}


def draw(report: UnitReport, name: str) -> Figure:
    figure = getattr(charts, f"draw_{name}")(report)
    assert figure is not None
    figure.draw_without_rendering()  # positions every text as the SVG writer does
    return figure


def texts(figure: Figure) -> list[Text]:
    """Every text a reader sees (not the labels of ticks outside the axes' limits, which are not drawn)."""
    hidden = set()
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            hidden |= {id(label) for tick in axis.get_major_ticks() if not low - 1e-9 <= tick.get_loc() <= high + 1e-9
                       for label in (tick.label1, tick.label2)}
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in hidden]


def flat(text: Text) -> str:
    return " ".join(text.get_text().split())


def overlap(a: Text, b: Text) -> bool:
    return bool(a.get_window_extent().overlaps(b.get_window_extent()))


def drawn(reports: dict[str, UnitReport], case: str, name: str) -> bool:
    return not (name == "tiers" and len(reports[case].tiers) < 2)


@pytest.mark.parametrize("case", CASES)
def test_radar_values_sit_inside_the_circle_away_from_the_area_names(reports, rubric, case):
    figure = draw(reports[case], "radar")
    shown = texts(figure)
    names = [t for t in shown if any(flat(t) == f"{a.code}. {a.name}" for a in rubric.areas)]
    values = [t for t in shown if re.fullmatch(r"\d+[.,]\d%", t.get_text())]
    assert len(names) == len(values) == len(rubric.areas)
    circle = figure.axes[0].get_window_extent()
    for value in values:
        box = value.get_window_extent()
        assert circle.x0 < box.x0 and box.x1 < circle.x1 and circle.y0 < box.y0 and box.y1 < circle.y1
        assert not any(overlap(value, name) for name in names), value.get_text()


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", NAMES)
def test_no_chart_text_overlaps_another_or_leaves_the_figure(reports, case, name):
    if not drawn(reports, case, name):
        return
    figure = draw(reports[case], name)
    shown = texts(figure)
    page = figure.bbox
    for t in shown:
        box = t.get_window_extent()
        assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, flat(t)
    clashes = [(flat(a), flat(b)) for a, b in itertools.combinations(shown, 2) if overlap(a, b)]
    assert not clashes


@pytest.mark.parametrize("name", NAMES)
def test_every_text_prints_at_8_pt_or_more(reports, name):
    figure = draw(reports["three-id"], name)
    width, height = (25.4 * v for v in figure.get_size_inches())
    assert width == pytest.approx(WIDTH) and height <= MAX_HEIGHT
    scale = min(1.0, PRINT_WIDTH / width, MAX_HEIGHT / height)  # the report's print CSS only ever shrinks a chart
    small = [(flat(t), t.get_fontsize()) for t in texts(figure) if t.get_fontsize() * scale < MIN_FONT]
    assert not small
    # the SVG the report embeds: 180 mm wide (in pt), no font under 8 pt
    svg = getattr(charts, f"chart_{name}")(reports["three-id"]).svg()
    assert float(re.search(r'<svg[^>]* width="([\d.]+)pt"', svg).group(1)) == pytest.approx(WIDTH / 25.4 * 72, 0.01)
    sizes = [float(s) for s in re.findall(r"font-size: ?([\d.]+)px", svg)]
    assert sizes and min(sizes) >= MIN_FONT


@pytest.mark.parametrize("case, title", [("kanim-id", "Unit dan TPI per area (% dari bobot)"),
                                         ("kanim-en", "Unit and TPI by area (% of weight)"),
                                         ("three-id", "Unit, TPI dan TPN per area (% dari bobot)")])
def test_tiers_title_names_the_tiers_present(reports, case, title):
    chart = charts.chart_tiers(reports[case])
    assert chart is not None and chart.alt == title
    assert title in chart.svg()  # kept as text in the SVG: searchable, and compared by nbval
    assert title in [t.get_text() for t in texts(draw(reports[case], "tiers"))]


def test_tiers_chart_is_not_drawn_for_a_single_tier(reports):
    assert list(reports["real-id"].tiers) == ["unit"]
    assert charts.draw_tiers(reports["real-id"]) is None and charts.chart_tiers(reports["real-id"]) is None


@pytest.mark.parametrize("name", ["parts", "tiers", "hasil"])
def test_legends_stand_outside_the_plot(reports, name):
    figure = draw(reports["three-id"], name)
    legends = figure.findobj(Legend)
    assert legends
    plot = figure.axes[0].get_window_extent()
    for legend in legends:
        assert not legend.get_window_extent().overlaps(plot)
    if name == "tiers":  # each tier with its total, read line by line in the tiers' order
        boxes = {t.get_text(): t.get_window_extent() for t in legends[0].get_texts()}
        entries = sorted(boxes, key=lambda text: (-round(boxes[text].y0), boxes[text].x0))
        assert entries == [
            f"{label}, nilai total {num(float(res.scores.total['kanim-sukawangi']), 2, 'id')}"
            for label, res in zip(["penilaian mandiri unit (PMPZI)", "TPI", "TPN"], reports["three-id"].tiers.values())]


@pytest.mark.parametrize("name", ["parts", "tiers"])
def test_bars_name_each_area_in_full(reports, rubric, name):
    figure = draw(reports["three-id"], name)
    ticks = [flat(t) for t in figure.axes[0].get_yticklabels()]
    assert ticks == [f"{a.code}. {a.name}" for a in rubric.areas]
    assert any("\n" in t.get_text() for t in figure.axes[0].get_yticklabels())  # long names wrapped


def test_numbers_are_written_in_the_report_language(reports):
    report = reports["kanim-id"]
    scores, unit = report.result.scores, report.unit_id
    hasil = [t.get_text() for t in texts(draw(report, "hasil"))]
    assert num(float(scores.measure("HBA")[unit]), 2, "id") in hasil and "16,84" in hasil
    radar = [t.get_text() for t in texts(draw(report, "radar"))]
    first = report.data.rubric.areas[0]
    assert f"{num(100 * scores.areas.at[unit, first.code] / sum(first.weights.values()), 1, 'id')}%" in radar
    for case, wrong in (("kanim-id", r"\d\.\d"), ("three-id", r"\d\.\d"), ("kanim-en", r"\d,\d")):
        for name in NAMES:
            found = [t.get_text() for t in texts(draw(reports[case], name)) if re.search(wrong, t.get_text())]
            assert not found, (case, name, found)
    assert "16.84" in [t.get_text() for t in texts(draw(reports["kanim-en"], "hasil"))]


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", text)}


#: words of the English charts that are Indonesian too (names, codes) and may appear in the Indonesian ones
SHARED_WORDS = {"pemenuhan", "reform", "area", "unit", "tpi", "tpn", "pmpzi", "wbk", "wbbm", "minimum", "total"}


def test_indonesian_charts_have_no_english_word(reports):
    english = set().union(*(words(t.get_text()) for name in NAMES for t in texts(draw(reports["kanim-en"], name))))
    rubric = reports["kanim-en"].data.rubric  # its names are Indonesian in both languages
    english -= SHARED_WORDS | set().union(*(words(f"{x.code} {x.name}")
                                            for x in [*rubric.areas, *rubric.components, *rubric.indicators]))
    assert {"score", "threshold", "weight", "of", "results"} <= english
    for case in ("kanim-id", "three-id"):
        for name in NAMES:
            shown = set().union(*(words(t.get_text()) for t in texts(draw(reports[case], name))))
            assert not shown & english, (case, name, shown & english)


@pytest.mark.parametrize("name", NAMES)
def test_chart_svg_is_the_same_alone_and_after_other_units(reports, name):
    make = getattr(charts, f"chart_{name}")
    first = make(reports["three-id"])
    for other in ("kanim-id", "real-id", "kanim-en"):
        make(reports[other])
    again = make(reports["three-id"])
    assert first.svg() == again.svg() and first.alt == again.alt and first.alt
    assert "<dc:date>" not in first.svg()
    bundle, metadata = first._repr_mimebundle_()
    assert metadata["image/svg+xml"]["alt"] == first.alt and bundle["image/svg+xml"] == first.svg()
