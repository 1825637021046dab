"""The bulk summary's "Risiko": per unit, the triage risk of its self-assessment and its rank among all units of the
run (one triage over every input file), with the reason weighing most; in summary.json, summary.xlsx and the page (a
sortable number column whose cell title gives the reason)."""

from __future__ import annotations

import re

import pandas as pd

from tests.bulk.test_core import FakeReports
from tests.bulk.test_evidence_summary import bulk, inputs  # noqa: F401  (the fixture)
from tests.helpers import summary_of
from zi_nb.bulk.executor import InlineExecutor
from zi_nb.bulk.run import BulkOptions, run_bulk
from zi_nb.bulk.summary import RISK_COLUMNS, sample_doc, summary_doc
from zi_nb.bulk.summary_page import BulkSummary
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.sample import bundled_paths
from zi_nb.report.triage_page import unit_risks
from zi_nb.review.ledger import Ledger, apply_ledger


def test_the_sample_summary_carries_the_triage_ranking():
    doc = sample_doc()
    data = read_inputs(list(bundled_paths()), "zi-2021")
    expected = unit_risks(data)
    for u in doc["units"]:
        assert (u["risk"], u["risk_rank"], u["risk_reason"]) == tuple(expected[u["unit_id"]].values())
    assert sorted(u["risk_rank"] for u in doc["units"]) == list(range(1, 13))
    top = min(doc["units"], key=lambda u: u["risk_rank"])
    assert top["risk"] == max(u["risk"] for u in doc["units"]) and top["risk_reason"]


def test_run_writes_risk_to_json_xlsx_and_the_page(inputs, tmp_path):  # noqa: F811
    lke, ledger = inputs
    out = tmp_path / "out"
    bulk(lke, out, ledger)
    doc = summary_of(out)
    by_unit = {u["unit_id"]: u for u in doc["units"]}
    assert {u: r["risk_rank"] for u, r in by_unit.items()} == {"u1": 1, "u2": 2}  # u1 lacks evidence, is inconsistent
    assert by_unit["u1"]["risk"] > by_unit["u2"]["risk"] >= 0 and by_unit["u1"]["risk_reason"]

    table = pd.read_excel(out / "summary.xlsx", engine="openpyxl").set_index("Unit")
    assert list(RISK_COLUMNS.values()) == ["Risiko", "Urutan risiko", "Alasan risiko utama"]
    assert table.at["u1", "Urutan risiko"] == 1 and table.at["u1", "Risiko"] == by_unit["u1"]["risk"]
    assert table.at["u1", "Alasan risiko utama"] == by_unit["u1"]["risk_reason"]

    html = BulkSummary(doc).table().html
    head = html.split('data-label="Risiko"')[1].split(">")[0]
    assert 'data-type="num"' in head and "title=" in head  # a number column that says what it is
    cell = re.search(r'<td class="n" data-v="([0-9.]+)" title="([^"]*)">', html)
    assert cell is not None and float(cell.group(1)) == by_unit["u1"]["risk"]
    assert cell.group(2) == by_unit["u1"]["risk_reason"].replace("&", "&amp;")
    assert '<span class="muted">#1</span>' in html and '<span class="muted">#2</span>' in html


def test_a_unit_without_a_result_has_no_risk(rubric):
    doc = summary_doc([{"unit_id": "u9", "unit_name": "u9", "input": "x.csv", "status": "failed", "areas": {},
                        "failed_criteria": [], "resumed": False}], rubric, {"run_id": "r"}, ["x.csv"])
    assert (doc["units"][0]["risk"], doc["units"][0]["risk_rank"]) == (None, None)
    # evidence, then risk, then the criteria: both empty
    assert '<td class="n" data-v="">-</td>\n<td class="n" data-v="">-</td>\n<td data-v="0">-</td>' in (
        BulkSummary(doc).table().html)


def test_two_input_files_are_ranked_together(inputs, tmp_path):  # noqa: F811
    """Ranks 1..N over the units of every input file (not 1..n within each), from one triage over all of them: the
    same risk and rank as the triage of both files read together; a file that cannot be used costs only its own
    units their risk."""
    lke, ledger = inputs
    other = tmp_path / "lke2.csv"
    other.write_text(lke.read_text(encoding="utf-8").replace("u1,", "u3,").replace("u2,", "u4,")
                     .replace("/u1/", "/u3/").replace("/u2/", "/u4/").replace(",ada,", ",lain,"), encoding="utf-8")
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(b"not a workbook")
    out = tmp_path / "out"
    result = run_bulk(BulkOptions([str(lke), str(broken), str(other)], out, ledger=str(ledger), progress=False),
                      executor=InlineExecutor(FakeReports()))
    doc = summary_of(out)
    ranked = {u["unit_id"]: u for u in doc["units"] if u["unit_id"]}
    assert set(ranked) == {"u1", "u2", "u3", "u4"}
    assert sorted(u["risk_rank"] for u in ranked.values()) == [1, 2, 3, 4]  # one rank 1 for the whole run
    assert {u["input"] for u in ranked.values() if u["risk_rank"] <= 2} == {"lke.csv", "lke2.csv"}  # u1 and u3
    together = unit_risks(apply_ledger(read_inputs([lke, other], "zi-2021"), records=Ledger(ledger).records()),
                          Ledger(ledger).records())
    assert {u: (r["risk"], r["risk_rank"], r["risk_reason"]) for u, r in ranked.items()} == {
        u: tuple(r.values()) for u, r in together.items()}
    failed = [r for r in result.rows if r["input"] == "rusak.xlsx"]
    assert failed and all(r["status"] == "failed" and r.get("risk") is None for r in failed)
