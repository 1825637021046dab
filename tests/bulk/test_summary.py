"""The bulk summary page (zi_nb.bulk.summary, zi_nb.bulk.summary_page): ``index.html`` rendered from a run's
``summary.json`` through ``notebooks/bulk_summary.ipynb``, then used in headless Chromium (Debian package, installed by
the ``chromium_path`` fixture when missing; fails, never skips): units listed by predikat then total, clicking a
column or pressing Enter/Space on its button sorts the table both ways (aria-sort follows), the text box, the predikat
and the status filters hide the other rows, the counter says how many are shown and a filter matching nothing says
"Tidak ada unit"; each failing criterion with its shortfall, failing area cells marked by a symbol and a text, links
to summary.xlsx/json, histogram bins with an edge on each predikat minimum of the rubric, and the page printed to PDF
with every column and without the filter inputs.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from zi_nb.bulk.summary import render_index, sample_doc, write_xlsx
from zi_nb.common.fmt import num


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> tuple[Path, dict]:
    """A run folder with the bundled sample's summary plus one failed unit whose error holds hostile text."""
    out = tmp_path_factory.mktemp("bulk-index")
    doc = sample_doc()
    doc["run_id"] = "uji-halaman"
    failed = {key: None for key in doc["units"][0]}
    failed.update(unit_id="u-rusak", unit_name="Unit <b>Rusak</b>", input="rusak.xlsx", status="failed",
                  resumed=False, failed_criteria=[],
                  error="Berkas 'rusak.xlsx' tidak dapat dibaca <script>x()</script>")
    doc["units"].append(failed)
    doc["counts"]["units"] += 1
    doc["counts"]["failed"] += 1
    (out / "summary.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    write_xlsx(doc, out / "summary.xlsx")
    render_index(out)
    return out, doc


def test_page_has_every_unit_and_escapes_user_text(run_dir):
    out, doc = run_dir
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count("<tr data-predicate=") == len(doc["units"])
    assert "Unit &lt;b&gt;Rusak&lt;/b&gt;" in html and "<script>x()" not in html
    assert "<script src=" not in html  # self-contained



@pytest.fixture
def page(run_dir, browser):
    """The page as it opens (each test its own: sorting and filtering change it)."""
    out, _ = run_dir
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto((out / "index.html").as_uri())
    page.locator("#zib-units").wait_for()
    yield page
    page.close()


def _column(page, header: str) -> list[str]:
    """The data-v values of a column, in the order shown, of the visible rows."""
    index = page.locator("#zib-units thead th").all_inner_texts().index(header)
    return page.evaluate(
        """i => Array.from(document.getElementById('zib-units').tBodies[0].rows)
               .filter(r => r.style.display !== 'none').map(r => r.cells[i].getAttribute('data-v'))""", index)


def _ids(page) -> list[str]:
    """The unit ids (or input files) of the rows, in the order shown."""
    return page.evaluate("""() => Array.from(document.getElementById('zib-units').tBodies[0].rows)
                                  .map(r => r.cells[0].querySelector('.muted').textContent)""")


def _sorted_heads(page) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('#zib-units th[aria-sort]'))
                                  .map(th => [th.innerText, th.getAttribute('aria-sort')]))""")


def test_clicking_a_column_sorts_the_rows_both_ways(page, run_dir):
    _, doc = run_dir
    scored = sorted(u["total"] for u in doc["units"] if u["total"] is not None)
    page.locator("#zib-units thead th", has_text="Total").click()  # the button fills the column head
    totals = _column(page, "Total")
    assert [float(t) for t in totals if t] == scored and totals[-1] == ""  # units without a total last
    page.locator("#zib-units thead th", has_text="Total").click()
    totals = _column(page, "Total")
    assert [float(t) for t in totals if t] == scored[::-1]
    page.locator("#zib-units thead th", has_text="Unit").first.click()
    names = _column(page, "Unit")
    assert names == sorted(names, key=str.casefold) or names == sorted(names)


def test_filters_hide_the_other_rows_and_the_counter_follows(page, run_dir):
    _, doc = run_dir
    n = len(doc["units"])
    wbk = [u for u in doc["units"] if u["predicate"] == "WBK"]
    assert wbk, "the sample has WBK units"
    page.select_option("#zib-pred", "WBK")
    assert len(_column(page, "Total")) == len(wbk)
    assert page.locator("#zib-count").inner_text() == f"{len(wbk)} dari {n} unit"
    page.select_option("#zib-pred", "")
    page.select_option("#zib-status", "failed")
    assert _column(page, "Laporan") == ["failed"]
    page.select_option("#zib-status", "")
    unit = doc["units"][0]
    page.fill("#zib-q", unit["unit_id"])
    shown = _column(page, "Unit")
    assert shown == [unit["unit_name"].lower()]
    page.fill("#zib-q", "")
    assert page.locator("#zib-count").inner_text() == f"{n} dari {n} unit"


def test_failed_criteria_are_named_for_the_next_predikat(run_dir):
    out, doc = run_dir
    html = (out / "index.html").read_text(encoding="utf-8")
    wbk = [u for u in doc["units"] if u["predicate"] == "WBK"]
    assert wbk and all(u["next_predicate"] == "WBBM" for u in wbk)
    for u in doc["units"]:
        assert len(u["failed_names"] or []) == len(u["failed_criteria"])
        for code, name in zip(u["failed_criteria"], u["failed_names"] or []):
            if code.startswith("area_"):
                assert name == f"Area {code.split('_')[1]}"  # the column heads name the area
        if u["predicate"] == "WBBM":
            assert u["next_predicate"] is None and u["failed_criteria"] == []
        elif u["failed_names"]:
            label = "Menuju WBBM" if u["predicate"] == "WBK" else "Menuju WBK"
            assert f"<b>{label}</b>: {u['failed_names'][0]} kurang " in html
    assert any("Nilai total" in (u["failed_names"] or []) for u in doc["units"])


def test_summary_shows_the_data_status_next_to_the_predikat(tmp_path, rubric):
    from tests.helpers import best_raw, set_raw
    from zi_nb.bulk.plan import plan_file
    from zi_nb.bulk.summary import BulkSummary, summary_doc, table_frame

    rows = [*set_raw(best_raw(rubric), "PPA1B", "F"), *best_raw(rubric, unit_id="u2")]
    path = tmp_path / "lke.csv"
    path.write_text("\n".join(["unit_id;tier;code;answer", *(f"{r['unit_id']};{r['tier']};{r['code']};{r['raw']}"
                                                             for r in rows)]) + "\n", encoding="utf-8")
    plan = plan_file(str(path), "", "final", "zi-2021", {}, "")
    by_unit = {r["unit_id"]: r for r in plan.rows}
    assert (by_unit["u1"]["data_status"], by_unit["u1"]["data_errors"]) == ("sementara", 1)
    assert (by_unit["u2"]["data_status"], by_unit["u2"]["answered"]) == ("final", len(rubric.items))
    doc = summary_doc([{**r, "status": "ok", "resumed": False} for r in plan.rows], rubric, {"tier": "final"},
                      [str(path)])
    assert doc["counts"]["data_status"] == {"final": 1, "belum lengkap": 0, "sementara": 1}
    frame = table_frame(doc).set_index("Unit")
    assert frame.at["u1", "Predikat"] == "belum dapat ditetapkan"
    assert frame.at["u1", "Status data"] == "sementara: 1 galat data, 112 dari 113 butir dijawab"
    assert frame.at["u2", "Predikat"] == "Menuju WBBM" and frame.at["u2", "Status data"] == "final"
    summary = BulkSummary(doc)
    page = summary.table().html
    rows_html = {unit: next(r for r in page.split("<tr data-predicate=")[1:] if f">{unit}</span>" in r)
                 for unit in ("u1", "u2")}
    assert "belum dapat ditetapkan" in rows_html["u1"] and "sementara: 1 galat data" in rows_html["u1"]
    assert "Menuju WBBM" not in rows_html["u1"] and "Menuju WBBM" in rows_html["u2"]
    assert "<b>1</b> sementara" in summary.overview().html and "<b>1</b> final" in summary.overview().html
    assert "<b>1</b> Menuju WBBM" in summary.overview().html  # u2 only: u1's predikat cannot be determined


def test_a_unit_with_data_errors_is_not_counted_under_its_predikat_in_the_chart():
    from zi_nb.bulk.summary import BulkSummary

    doc = sample_doc()
    scored = [u for u in doc["units"] if u["predicate"]]
    target = scored[0]

    def bars(document: dict) -> dict[str, float]:
        figure = BulkSummary(document).chart("predicates").figure
        ax = figure.axes[0]
        return {c.get_label(): sum(p.get_width() for p in c.patches) for c in ax.containers}

    before = bars(doc)
    assert "belum dapat ditetapkan" not in before
    target["data_status"] = "sementara"
    after = bars(doc)
    assert after["belum dapat ditetapkan"] == 1
    label = {"WBBM": "Menuju WBBM", "WBK": "Menuju WBK", "TIDAK": "Belum memenuhi"}[target["predicate"]]
    assert after.get(label, 0) == before[label] - 1


def test_units_are_listed_by_predikat_then_total(page, run_dir):
    _, doc = run_dir
    rank = {"WBBM": 0, "WBK": 1, "TIDAK": 2}

    def best_first(u: dict) -> tuple:
        if not u["predicate"]:
            return (4, 0.0)  # no result (a failed unit) last
        return (3 if u["data_status"] == "sementara" else rank[u["predicate"]], -u["total"])

    expected = [u["unit_id"] or u["input"] for u in sorted(doc["units"], key=best_first)]
    assert expected != [u["unit_id"] or u["input"] for u in doc["units"]]  # input order: a WBK unit under TIDAK ones
    assert _ids(page) == expected
    assert _sorted_heads(page) == {"Predikat": "descending"}
    assert page.locator("#zib-order").inner_text() == "urutan: predikat, lalu nilai total tertinggi"
    page.get_by_role("button", name="Predikat", exact=True).click()
    assert _ids(page) == expected[::-1] and _sorted_heads(page) == {"Predikat": "ascending"}
    page.get_by_role("button", name="Predikat", exact=True).click()
    assert _ids(page) == expected  # the column sorts to the default order


def test_each_failing_criterion_is_shown_with_its_shortfall(run_dir, rubric):
    from zi_nb.bulk.summary import table_frame

    out, doc = run_dir
    rows = (out / "index.html").read_text(encoding="utf-8").split("<tr data-predicate=")[1:]
    frame = table_frame(doc).set_index("Unit")
    minimum = {p.code: {c.measure: c for c in p.criteria} for p in rubric.predicates}
    weights = {a["code"]: a["weight"] for a in doc["areas"]}
    checked = 0
    for u in doc["units"]:
        if not u["failed_criteria"]:
            assert not u["shortfalls"]
            continue
        lack = u["shortfalls"]
        assert list(lack) == u["failed_criteria"] and all(v > 0 for v in lack.values())
        # the total's and each area's shortfall, from the rubric's minima for the next predikat
        target = minimum[u["next_predicate"]]
        assert abs(lack["total"] - (target["total"].minimum - u["total"])) < 1e-9
        for code, pct in u["areas"].items():
            if f"area_{code}" in lack:
                short = target["area"].minimum_ratio * weights[code] - pct * weights[code] / 100
                assert abs(lack[f"area_{code}"] - short) < 1e-9
        texts = [f"{name} kurang {num(lack[code])}" for code, name in zip(u["failed_criteria"], u["failed_names"])]
        row = next(r for r in rows if f">{u['unit_id']}</span>" in r)
        assert "; ".join(texts) in row
        assert frame.at[u["unit_id"], "Kriteria belum terpenuhi"] == "; ".join(texts)  # summary.xlsx says the same
        checked += 1
    assert checked >= 8
    kpp = next(r for r in rows if ">kpp-danau-biru</span>" in r)
    assert "<b>Menuju WBBM</b>: Nilai total kurang 0,12; Area A kurang 0,31" in kpp  # 85 - 84,88


def test_failing_area_cells_are_marked_by_a_symbol_and_a_text(page, run_dir):
    _, doc = run_dir
    heads = page.locator("#zib-units thead th").all_inner_texts()
    shown = page.evaluate("""() => Array.from(document.getElementById('zib-units').tBodies[0].rows).map(r => ({
        id: r.cells[0].querySelector('.muted').textContent,
        cells: Array.from(r.cells).map(c => ({text: c.innerText, title: c.title,
            symbol: (c.querySelector('[aria-hidden=true]') || {}).textContent || '',
            spoken: (c.querySelector('.sr') || {}).textContent || ''}))}))""")
    units = {u["unit_id"] or u["input"]: u for u in doc["units"]}
    marked = 0
    for row in shown:
        u = units[row["id"]]
        for area in doc["areas"]:
            code = area["code"]
            cell = row["cells"][heads.index(f"{code} %")]
            if f"area_{code}" in (u["failed_criteria"] or []):
                text = f"Area {code} kurang {num(u['shortfalls']['area_' + code])}"
                assert cell["symbol"] == "\u2717" and cell["text"].startswith(num(u["areas"][code], 1) + "\u2717")
                assert text in cell["title"] and text in cell["spoken"]  # for the mouse and for screen readers
                marked += 1
            else:
                assert "\u2717" not in cell["text"] and not cell["title"] and not cell["spoken"]
    assert marked >= 10


def test_the_page_links_to_the_summary_files(page, run_dir):
    from zi_nb.bulk.summary import load

    out, _ = run_dir
    links = page.locator(".zib .files a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert links == ["summary.xlsx", "summary.json"] and all((out / link).is_file() for link in links)
    assert "summary.xlsx" not in load("").overview().html  # the bundled sample made in memory has no files


def test_a_filter_matching_nothing_says_there_is_no_unit(page, run_dir):
    from zi_nb.bulk.summary_page import BulkSummary

    _, doc = run_dir
    n, none = len(doc["units"]), page.locator("#zib-none")
    assert not none.is_visible()
    page.fill("#zib-q", "tidak-ada-unit-seperti-ini")
    assert none.is_visible() and none.inner_text() == "Tidak ada unit yang cocok dengan saringan."
    assert page.locator("#zib-count").inner_text() == f"0 dari {n} unit" and _column(page, "Total") == []
    page.fill("#zib-q", "")
    assert not none.is_visible() and len(_column(page, "Total")) == n
    page.select_option("#zib-pred", "WBBM")
    page.select_option("#zib-status", "failed")
    assert none.is_visible() and _column(page, "Total") == []
    empty = BulkSummary({**doc, "units": []}).table().html  # a run without units says so without a script
    assert re.search(r'<tr id="zib-none" class="none"><td colspan="15"\s+data-filtered="[^"]*">Tidak ada unit', empty)


def test_column_heads_sort_by_keyboard_and_say_so(page, run_dir):
    _, doc = run_dir
    assert page.locator("#zib-units thead th").count() == page.locator("#zib-units thead th > button").count() == 15
    page.get_by_role("button", name="Unit", exact=True).focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Total"
    scored = sorted(u["total"] for u in doc["units"] if u["total"] is not None)
    page.keyboard.press("Enter")
    assert [float(t) for t in _column(page, "Total") if t] == scored
    assert _sorted_heads(page) == {"Total": "ascending"}
    assert page.locator("#zib-order").inner_text() == "urutan: Total (naik)"
    page.keyboard.press("Space")
    assert [float(t) for t in _column(page, "Total") if t] == scored[::-1]
    assert _sorted_heads(page) == {"Total": "descending"}
    assert page.locator("#zib-order").inner_text() == "urutan: Total (turun)"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    assert _sorted_heads(page) == {"Instansi": "ascending"}
    names = _column(page, "Instansi")
    assert names == sorted(names) and names != _column(page, "Instansi")[::-1]


def _bin_edges(figure) -> list[float]:
    return sorted({x for p in figure.axes[0].patches for x in (p.get_x(), p.get_x() + p.get_width())})


def test_histogram_bins_have_an_edge_on_each_predikat_minimum_of_the_rubric(rubric):
    from zi_nb.bulk.plan import plan_file
    from zi_nb.bulk.summary import summary_doc
    from zi_nb.bulk.summary_page import BulkSummary, histogram_edges
    from zi_nb.lke.sample import bundled_paths

    answers, units = bundled_paths()
    rows = [{**r, "status": "ok", "resumed": False}
            for r in plan_file(str(answers), str(units), "final", "zi-2021", {}, "").rows]

    def with_minima(minima: dict) -> object:  # the rubric with other minimum totals for its predicates
        return rubric.model_copy(update={"predicates": [p.model_copy(update={"criteria": [
            c.model_copy(update={"minimum": minima[p.code]}) if c.measure == "total" else c for c in p.criteria]})
            for p in rubric.predicates]})

    minima = {p.code: c.minimum for p in rubric.predicates for c in p.criteria if c.measure == "total"}
    assert minima == {"WBK": 75, "WBBM": 85}
    for version, expected in ((rubric, minima), (with_minima({"WBK": 72, "WBBM": 88}), {"WBK": 72, "WBBM": 88})):
        doc = summary_doc(rows, version, {"tier": "final"}, [answers.name])
        assert doc["total_minimum"] == expected
        edges = _bin_edges(BulkSummary(doc).chart("totals").figure)
        assert all(any(abs(e - m) < 1e-9 for e in edges) for m in expected.values()), (edges, expected)
        totals = [u["total"] for u in doc["units"]]
        assert edges[0] <= min(totals) and edges[-1] == 100  # up to the rubric's total
    assert not any(abs(e - 75) < 1e-6 or abs(e - 85) < 1e-6 for e in edges)  # the edges moved with the rubric
    edges = histogram_edges([58.1, 90.05], [72.4, 86.3], 100)  # minima that no fixed bin width would meet
    assert 72.4 in edges and 86.3 in edges and edges == sorted(set(edges)) and edges[0] <= 58.1 and edges[-1] == 100


def test_print_keeps_every_column_and_leaves_out_the_filters(page, tmp_path):
    from tests.helpers import ensure_debian_package

    pdftotext = ensure_debian_package("pdftotext", "poppler-utils")
    last = page.evaluate("""() => Array.from(document.getElementById('zib-units').tBodies[0].rows)
                                 .map(r => r.cells[r.cells.length - 1].innerText)""")
    assert any("rusak.xlsx" in cell for cell in last) and last.count("berhasil") == 12
    pdf = tmp_path / "index.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    words = Counter(text.split())
    missing = {w: n for w, n in Counter(w for cell in last for w in cell.split()).items() if words[w] < n}
    assert not missing, missing  # every word of the last column, whole: no column cut off or split mid-word
    table_pages = [page for page in text.split("\f") if "kurang" in page]
    heads = re.compile(r"Unit\s+Instansi\s+Total\s+Predikat\b.*\bLaporan")  # the column heads, in one row
    assert len(table_pages) >= 2 and all(heads.search(page) for page in table_pages)  # heads repeat
    for screen_only in ("Saring", "Semua predikat", "Semua status laporan", "Enter/Spasi", "Tidak ada unit yang cocok"):
        assert screen_only not in text
