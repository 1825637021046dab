"""The bulk summary's "Bukti dukung kurang": per unit, the number of items with a bukti dukung finding (no evidence,
a link the evaluator cannot open, evidence reused, documents an evaluator rejected in the ledger), computed once per
input file for all its units; in summary.json, summary.xlsx and the page (a sortable number column). A unit's
verdicts and attachments in the ledger change its resume key."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.bulk.test_core import FakeReports
from tests.helpers import summary_of
from zi_nb.bulk import plan as bulk_plan
from zi_nb.bulk import run as bulk_run
from zi_nb.bulk.executor import InlineExecutor
from zi_nb.bulk.run import BulkOptions, run_bulk
from zi_nb.bulk.summary import EVIDENCE_COLUMN, summary_doc
from zi_nb.bulk.summary_page import BulkSummary
from zi_nb.review.evidence import attach, write_verdicts
from zi_nb.review.evidence_store import EVIDENCE_ENV, EvidenceStore
from zi_nb.review.ledger import LEDGER_ENV, Ledger

LKE = """unit_id,tier,code,answer,note,evidence
u1,unit,PPA1A,Ya,ada,
u1,unit,PPA1B,A,ada,C:\\data\\sk.pdf
u1,unit,PPA2A,Ya,ada,http://localhost/x
u1,unit,PPA2B,A,ada,https://drive.example.go.id/u1/PPA2B.pdf
u1,unit,PPB1A,Tidak,ada,
u2,unit,PPA1A,Ya,ada,https://drive.example.go.id/u2/PPA1A.pdf
u2,unit,PPA1B,A,ada,https://drive.example.go.id/u2/PPA1B.pdf
"""
# u1: PPA1A without evidence, PPA1B and PPA2A links that cannot be opened, PPA2B rejected by TPI (below); PPB1A is
# answered with its lowest value and needs none. u2: every answer with its own reachable link.
EXPECTED = {"u1": 4, "u2": 0}


@pytest.fixture
def inputs(tmp_path, monkeypatch, rubric):
    monkeypatch.delenv(EVIDENCE_ENV, raising=False)
    monkeypatch.delenv(LEDGER_ENV, raising=False)
    monkeypatch.setattr(bulk_run, "render_index", lambda out: out / "index.html")
    lke = tmp_path / "lke.csv"
    lke.write_text(LKE, encoding="utf-8")
    ledger_file = tmp_path / "ledger.sqlite"
    write_verdicts(Ledger(ledger_file), rubric, "u1", "PPA2B", "tpi", "eva", {1: "tidak ada", 2: "ada"})
    return lke, ledger_file


def bulk(lke: Path, out: Path, ledger: Path | str = "", resume: bool = False) -> list[dict]:
    result = run_bulk(BulkOptions([str(lke)], out, ledger=str(ledger), progress=False, resume=resume),
                      executor=InlineExecutor(FakeReports()))
    assert result.exit_code == 0
    return result.rows


def test_summary_counts_items_with_lacking_evidence(inputs, tmp_path):
    lke, ledger = inputs
    out = tmp_path / "out"
    bulk(lke, out, ledger)
    doc = summary_of(out)
    assert {u["unit_id"]: u["evidence_lacking"] for u in doc["units"]} == EXPECTED

    table = pd.read_excel(out / "summary.xlsx", engine="openpyxl").set_index("Unit")
    assert table.at["u1", EVIDENCE_COLUMN] == 4 and table.at["u2", EVIDENCE_COLUMN] == 0

    html = BulkSummary(doc).table().html
    assert 'data-label="Bukti dukung kurang"' in html and 'data-type="num"' in html.split(
        'data-label="Bukti dukung kurang"')[1].split(">")[0]  # a number column: sorts by its value
    assert '<td class="n" data-v="4">4</td>' in html and '<td class="n" data-v="0">0</td>' in html


def test_without_the_ledger_the_rejected_documents_are_not_counted(inputs, tmp_path):
    lke, _ = inputs
    rows = bulk(lke, tmp_path / "out")
    assert {r["unit_id"]: r["evidence_lacking"] for r in rows} == {"u1": 3, "u2": 0}


def test_a_unit_without_a_result_has_no_count(rubric):
    doc = summary_doc([{"unit_id": "u9", "unit_name": "u9", "input": "x.csv", "status": "failed", "areas": {},
                        "failed_criteria": [], "resumed": False}], rubric, {"run_id": "r"}, ["x.csv"])
    assert doc["units"][0]["evidence_lacking"] is None
    assert '<td class="n" data-v="">-</td>' in BulkSummary(doc).table().html


def test_verdicts_and_attachments_change_the_units_resume_key(inputs, tmp_path, rubric):
    lke, ledger_file = inputs
    ledger = Ledger(ledger_file)
    before = bulk_plan.ledger_state(str(ledger_file))[1]
    write_verdicts(ledger, rubric, "u2", "PPA1A", "tpi", "eva", {1: "ada"})
    after_verdict = bulk_plan.ledger_state(str(ledger_file))[1]
    assert after_verdict["u2"] != before.get("u2") and after_verdict["u1"] == before["u1"]
    attach(ledger, EvidenceStore(tmp_path / "bukti-dukung"), rubric, "u1", "PPA1A", "unit", "pmpzi", "sk.pdf",
           b"%PDF-1.4\n%%EOF\n")
    after_attach = bulk_plan.ledger_state(str(ledger_file))[1]
    assert after_attach["u1"] != after_verdict["u1"] and after_attach["u2"] == after_verdict["u2"]

    # a resumed run redoes exactly the unit whose evidence changed, and its count follows
    out = tmp_path / "out"
    bulk(lke, out, ledger_file)
    attach(ledger, EvidenceStore(tmp_path / "bukti-dukung"), rubric, "u2", "PPB1A", "unit", "pmpzi", "lain.pdf",
           b"%PDF-1.4\n% lain\n%%EOF\n")
    rows = bulk(lke, out, ledger_file, resume=True)
    assert {r["unit_id"]: bool(r["resumed"]) for r in rows} == {"u1": True, "u2": False}
    # u1's PPA1A has its file now; u2 gains nothing counted (PPB1A is not answered)
    assert {r["unit_id"]: r["evidence_lacking"] for r in rows} == {"u1": 3, "u2": 0}
