"""The bulk summary page (zi_nb.bulk.summary): ``index.html`` rendered from a run's ``summary.json`` through
``notebooks/bulk_summary.ipynb``, then used in headless Chromium (Debian package, installed by the ``chromium_path``
fixture when missing; fails, never skips): clicking a column sorts the table both ways, the text box, the predikat
and the status filters hide the other rows and the counter says how many are shown.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zi_nb.bulk.summary import render_index, sample_doc

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


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
    render_index(out)
    return out, doc


def test_page_has_every_unit_and_escapes_user_text(run_dir):
    out, doc = run_dir
    html = (out / "index.html").read_text(encoding="utf-8")
    assert html.count("<tr data-predicate=") == len(doc["units"])
    assert "Unit &lt;b&gt;Rusak&lt;/b&gt;" in html and "<script>x()" not in html
    assert "<script src=" not in html  # self-contained


@pytest.fixture(scope="module")
def page(run_dir, chromium_path):
    from playwright.sync_api import sync_playwright

    out, _ = run_dir
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto((out / "index.html").as_uri())
            page.locator("#zib-units").wait_for()
            yield page
        finally:
            browser.close()


def _column(page, header: str) -> list[str]:
    """The data-v values of a column, in the order shown, of the visible rows."""
    index = page.locator("#zib-units thead th").all_inner_texts().index(header)
    return page.evaluate(
        """i => Array.from(document.querySelectorAll('#zib-units tbody tr'))
               .filter(r => r.style.display !== 'none').map(r => r.cells[i].getAttribute('data-v'))""", index)


def test_clicking_a_column_sorts_the_rows_both_ways(page, run_dir):
    _, doc = run_dir
    scored = sorted(u["total"] for u in doc["units"] if u["total"] is not None)
    page.locator("#zib-units thead th", has_text="Total").click()
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
    assert _column(page, "Status") == ["failed"]
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
            assert f"<b>{label}</b>: {', '.join(u['failed_names'])}" in html
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
