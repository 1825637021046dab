"""``zi-nb triage`` on the bundled sample: table, JSON, xlsx, the quota, English, and clear exits for bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.helpers import ROOT
from zi_nb.cli.triage import triage
from zi_nb.review.ledger import LEDGER_ENV

SAMPLE = ROOT / "zi_nb" / "data" / "sample"
INPUTS = [str(SAMPLE / "sample-lke.csv"), str(SAMPLE / "sample-units.csv")]


@pytest.fixture(autouse=True)
def _no_ledger_from_the_environment(monkeypatch):
    monkeypatch.delenv(LEDGER_ENV, raising=False)


def invoke(*args: str):
    return CliRunner().invoke(triage, list(args), catch_exceptions=False)


def test_table_lists_every_unit_with_reasons_and_the_quota():
    result = invoke(*INPUTS, "--quota", "3")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Triase penilaian mandiri" in out and "Usulan dalam kuota" in out
    assert "KUA Kecamatan Sukamaju" in out and "masuk" in out and "di luar kuota" in out
    assert "Nilai penilaian mandiri" in out  # a reason, in words


def test_json_in_english_is_ranked_and_explained():
    result = invoke(*INPUTS, "--format", "json", "--lang", "en", "--quota", "2")
    assert result.exit_code == 0
    doc = json.loads(result.output)
    units = doc["units"]
    assert [u["rank"] for u in units] == list(range(1, len(units) + 1)) and len(units) == 12
    assert [u["risk"] for u in units] == sorted((u["risk"] for u in units), reverse=True)
    assert set(units[0]["signals"]) == {"gap", "inconsistency", "evidence", "hugging", "copying", "change"}
    assert any(r["text"].startswith("The self-assessment is") for u in units for r in u["reasons"])
    assert [n["status"] for n in doc["nomination"]].count("masuk") == 2
    assert doc["weights"]["gap"] > 0 and doc["rubric"]["id"] == "zi-2021"


def test_xlsx_needs_an_output_file_and_writes_three_sheets(tmp_path):
    refused = CliRunner().invoke(triage, [*INPUTS, "--format", "xlsx"])
    assert refused.exit_code == 2 and "-o" in refused.output
    path = tmp_path / "triase.xlsx"
    assert invoke(*INPUTS, "--format", "xlsx", "-o", str(path), "--quota", "1").exit_code == 0
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["triase", "alasan", "kuota"]
    header = [c.value for c in next(book["triase"].iter_rows(max_row=1))]
    assert header[:3] == ["rank", "unit_id", "unit_name"] and "items_to_check" in header


def test_output_file_and_top(tmp_path):
    path = tmp_path / "t.json"
    assert invoke(*INPUTS, "--format", "json", "-o", str(path)).exit_code == 0
    assert len(json.loads(path.read_text(encoding="utf-8"))["units"]) == 12
    top = invoke(*INPUTS, "--top", "2")
    assert top.exit_code == 0 and top.output.count("│      ") < invoke(*INPUTS).output.count("│      ")


def test_nothing_to_triage_exits_2(tmp_path):
    result = CliRunner().invoke(triage, [str(tmp_path / "tidak-ada.csv")])
    assert result.exit_code == 2 and "Tidak ada unit yang dapat ditriase" in result.output


def test_a_predikat_is_never_shown_bare(tmp_path, rubric):
    """Reviewed units show the predikat with its data status; a unit nobody reviewed says it is the unit's claim."""
    from tests.helpers import best_raw

    doc = json.loads(invoke(*INPUTS, "--format", "json", "--quota", "3").output)
    shown = {u["unit_id"]: u["predicate_text"] for u in doc["units"]}
    assert shown["kanim-sukawangi"] == "Menuju WBBM" and "TIDAK" not in " ".join(shown.values())
    assert all(n["predicate_text"] for n in doc["nomination"])
    rows = ["unit_id,code,answer"] + [f"u1,{r['code']},{r['raw']}" for r in best_raw(rubric)]
    claim = tmp_path / "klaim.csv"
    claim.write_text("\n".join(rows) + "\n", encoding="utf-8")
    (unit,) = json.loads(invoke(str(claim), "--format", "json").output)["units"]
    assert unit["predicate_text"] == "Menuju WBBM · klaim unit (PMPZI), belum direviu"
