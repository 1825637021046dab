"""``zi-nb validate`` gives the bukti dukung findings (warnings, exit status unchanged), in text and JSON, and with
``--ledger`` (or ZI_NB_LEDGER) applies the ledger's answers, verdicts and attachments to them."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run
from zi_nb.review.evidence import write_verdicts
from zi_nb.review.ledger import LEDGER_ENV, Ledger

ROWS = [  # unit_id, tier, code, answer, note, evidence
    ("u1", "unit", "PPA1A", "Ya", "ada", ""),  # above its lowest value, no evidence at all
    ("u1", "unit", "PPA1B", "A", "ada", r"C:\data\sk.pdf"),  # a path on the filler's computer
    ("u1", "unit", "PPA2A", "Ya", "ada", "http://localhost/x"),  # the filler's own computer
    ("u1", "unit", "PPA2B", "A", "ada", "SK target https://drive.example.go.id/zi/u1/PPA2B.pdf"),  # fine
]


@pytest.fixture
def lke(tmp_path, monkeypatch):
    monkeypatch.delenv(LEDGER_ENV, raising=False)
    path = tmp_path / "lke.csv"
    lines = ["unit_id,tier,code,answer,note,evidence"] + [",".join(f'"{v}"' if v else "" for v in row) for row in ROWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def evidence_of(findings: list[dict]) -> dict[str, set[str]]:
    """item -> the evidence finding kinds of it."""
    out: dict[str, set[str]] = {}
    for f in findings:
        if f["kind"].startswith("evidence_"):
            out.setdefault(f["code"], set()).add(f["kind"])
    return out


def validate_json(capsys, *args: str) -> tuple[int, dict]:
    code, out, _ = run(capsys, "validate", *args, "--format", "json")
    return code, json.loads(out)


def test_validate_names_items_without_evidence_and_unreachable_links(capsys, lke):
    code, out, _ = run(capsys, "validate", str(lke))
    assert code == 0  # warnings only
    lines = [line for line in out.splitlines() if "[u1] PPA" in line and "belum dijawab" not in line]
    none = next(line for line in lines if "PPA1A" in line)
    assert none.startswith("PERINGATAN") and "tanpa bukti dukung" in none and "lke.csv, baris 2" in none
    assert "SK Tim Kerja" in none  # the documents the rubric expects
    assert any("PPA1B" in line and r"C:\data\sk.pdf" in line and "tidak dapat dibuka" in line for line in lines)
    assert any("PPA2A" in line and "http://localhost/x" in line and "localhost" in line for line in lines)
    assert not any("PPA2B" in line for line in lines)

    code, doc = validate_json(capsys, str(lke))
    assert code == 0
    assert evidence_of(doc["findings"]) == {"PPA1A": {"evidence_none"}, "PPA1B": {"evidence_unreachable"},
                                            "PPA2A": {"evidence_unreachable"}}
    assert doc["summary"]["warnings"] == sum(f["severity"] == "warning" for f in doc["findings"])
    assert doc["summary"]["errors"] == 0


def test_validate_in_english(capsys, lke):
    code, out, _ = run(capsys, "validate", str(lke), "--lang", "en")
    assert code == 0 and "without any evidence" in out and "cannot be opened by the evaluator" in out


def test_ledger_verdicts_and_answers_count(capsys, lke, tmp_path, rubric, monkeypatch):
    ledger_file = tmp_path / "ledger.sqlite"
    ledger = Ledger(ledger_file)
    write_verdicts(ledger, rubric, "u1", "PPA2B", "tpi", "eva", {1: "tidak ada"}, note="laporan belum ada")
    _, doc = validate_json(capsys, str(lke))
    assert "PPA2B" not in evidence_of(doc["findings"])  # without the ledger its verdicts are not seen

    code, doc = validate_json(capsys, str(lke), "--ledger", str(ledger_file))
    assert code == 0
    found = evidence_of(doc["findings"])
    assert found["PPA2B"] == {"evidence_rejected"}
    rejected = next(f for f in doc["findings"] if f["kind"] == "evidence_rejected")
    assert rejected["unit_id"] == "u1" and rejected["severity"] == "warning"
    assert "tidak ada" in rejected["message"] and "Laporan pelaksanaan penyusunan target prioritas" in \
        rejected["message"]

    # the ledger's answers are applied for the evidence check: PPA1A answered 'Tidak' (its lowest) needs no evidence
    ledger.adjust(rubric, "u1", "PPA1A", "Tidak", "tpi", "eva", "tidak ada SK", previous="Ya")
    code, doc = validate_json(capsys, str(lke), "--ledger", str(ledger_file))
    assert code == 0 and "PPA1A" not in evidence_of(doc["findings"])
    assert evidence_of(doc["findings"])["PPA2B"] == {"evidence_rejected"}

    monkeypatch.setenv(LEDGER_ENV, str(ledger_file))  # the one ledger rule: the variable when no flag
    _, doc = validate_json(capsys, str(lke))
    assert "PPA1A" not in evidence_of(doc["findings"]) and "PPA2B" in evidence_of(doc["findings"])


def test_a_missing_ledger_stops_validate(capsys, lke, tmp_path):
    code, _, err = run(capsys, "validate", str(lke), "--ledger", str(tmp_path / "tidak-ada.sqlite"))
    assert code == 2 and "tidak-ada.sqlite" in err and "tidak ditemukan" in err
