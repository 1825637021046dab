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
