"""The triage page (``notebooks/triage.ipynb``, :mod:`zi_nb.report.triage_page`): every ranked unit with its reasons
in words (expandable), sortable column heads and a text filter, the claim label of a unit nobody reviewed, unit
names as text (autoescape), the quota table; ``zi-nb triage --format html`` exports it without code cells."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from tests.helpers import ROOT, best_raw
from zi_nb.cli.triage import triage
from zi_nb.report.triage_page import CLAIM, TriagePage, build, ordered_reasons, page, top_reasons
from zi_nb.review.ledger import LEDGER_ENV

SAMPLE = ROOT / "zi_nb" / "data" / "sample"
INPUTS = [str(SAMPLE / "sample-lke.csv"), str(SAMPLE / "sample-units.csv")]


@pytest.fixture(autouse=True)
def _no_ledger_from_the_environment(monkeypatch):
    monkeypatch.delenv(LEDGER_ENV, raising=False)


@pytest.fixture(scope="module")
def sample_page() -> TriagePage:
    return page(quota=3)


def test_every_unit_is_ranked_with_its_reasons(sample_page):
    result = sample_page.built.result
    html = sample_page.ranking().html
    assert html.count('<tr data-unit="') == len(result.table) == 12
    for unit, name in zip(result.table["unit_id"], result.table["unit_name"]):
        assert f'<tr data-unit="{unit}">' in html and name in html
    assert [int(r) for r in re.findall(r'<tr data-unit="[^"]+">\s*<td class="n" data-v="(\d+)"', html)] == list(
        range(1, 13))  # in rank order
    reasons = ordered_reasons(result)
    for pairs in reasons.values():
        for _, text in pairs:
            assert text.replace("&", "&amp;") in html
    assert html.count("<details>") == sum(1 for pairs in reasons.values() if pairs)
    assert "Selisih dengan TPI/TPN</span>:" in html  # the signal named in words beside its reason
    assert "HBB" in html  # items to check first


def test_the_reason_weighing_most_comes_first(sample_page):
    result = sample_page.built.result
    row = result.table.iloc[0]
    pairs = ordered_reasons(result)[row["unit_id"]]
    weighed = [float(row[f"s_{s}"]) * result.config.weights[s] for s, _ in pairs]
    assert weighed == sorted(weighed, reverse=True)
    assert top_reasons(result)[row["unit_id"]] == pairs[0][1]


def test_headers_sort_and_the_table_filters(sample_page):
    html = sample_page.ranking().html
    heads = re.findall(r'<th scope="col" data-label="([^"]+)"[^>]*><button type="button">', html)
    assert heads == ["Urutan", "Unit", "Risiko", "Predikat", "Nilai mandiri", "Nilai TPI/TPN", "Alasan",
                     "Butir diperiksa dulu"]
    assert 'aria-sort="ascending"' in html and 'id="zit-q" type="search"' in html
    assert "@media print" in html and "<script>" in html and "src=" not in html


def test_quota_table_and_english(sample_page):
    quota = sample_page.quota()
    assert quota is not None and "Usulan dalam kuota (3 unit)" in quota.html
    assert quota.html.count('class="in"') == 3 and "di luar kuota" in quota.html
    assert TriagePage(build(quota=None)).quota() is None
    english = page(lang="en")
    assert "Order of checking" in english.ranking().html and "The self-assessment is" in english.ranking().html
    assert "Triage of self-assessments" in english.intro().html


def test_an_unreviewed_unit_is_labelled_a_claim_and_its_name_is_text(tmp_path, rubric):
    rows = ["unit_id,code,answer"] + [f"u1,{r['code']},{r['raw']}" for r in best_raw(rubric)]
    lke = tmp_path / "klaim.csv"
    lke.write_text("\n".join(rows) + "\n", encoding="utf-8")
    units = tmp_path / "units.csv"
    units.write_text('unit_id,unit_name,instansi\nu1,"<script>alert(1)</script> & Co","<b>Instansi</b>"\n',
                     encoding="utf-8")
    shown = page([lke, units])
    html = shown.ranking().html
    assert f"Menuju WBBM · {CLAIM['id']}" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html and "<script>alert(1)" not in html
    assert "&lt;b&gt;Instansi&lt;/b&gt;" in html
    assert "klaim unit sendiri (PMPZI), belum direviu" in shown.intro().html


def test_cli_html_runs_the_notebook_without_code_cells(tmp_path):
    out = tmp_path / "triase.html"
    refused = CliRunner().invoke(triage, [*INPUTS, "--format", "html"])
    assert refused.exit_code == 2 and "-o" in refused.output
    result = CliRunner().invoke(triage, [*INPUTS, "--format", "html", "--quota", "2", "-o", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.count('<tr data-unit="') == 12 and "Usulan dalam kuota (2 unit)" in html
    assert "triage_page.page(" not in html and "input_paths" not in html  # no code cells, no parameters
    assert "jp-InputArea" not in html and "<script src=" not in html
