"""``zi-nb catatan``: write, show, accept drafts and withdraw, through the ledger; bad input is refused clearly."""

from __future__ import annotations

import json

from tests.helpers import ROOT, run

SAMPLE = ROOT / "zi_nb" / "data" / "sample"
INPUT = ("--input", str(SAMPLE / "sample-lke.csv"), "--units-file", str(SAMPLE / "sample-units.csv"))
UNIT = "kanim-sukawangi"


def _shown(capsys, ledger, *extra):
    code, out, err = run(capsys, "catatan", "--unit", UNIT, "--ledger", str(ledger), "--format", "json", *extra)
    assert code == 0, err
    return {a["area"]: a for a in json.loads(out)["areas"]}


def test_write_show_edit_and_withdraw(tmp_path, capsys):
    ledger = tmp_path / "l.sqlite"
    code, out, err = run(capsys, "catatan", "--unit", UNIT, "--area", "a", "--catatan", "Tim dibentuk.",
                         "--rekomendasi", "- Tetapkan agen perubahan", "--evaluator", "budi", "--ledger", str(ledger))
    assert code == 0 and "area A tersimpan" in out, err
    area = _shown(capsys, ledger)["A"]
    assert (area["source"], area["catatan"], area["evaluator"]) == ("penilai", "Tim dibentuk.", "budi")
    # an option not given keeps the text in force
    run(capsys, "catatan", "--unit", UNIT, "--area", "A", "--rekomendasi", "- Lakukan monev", "--evaluator", "sari",
        "--ledger", str(ledger))
    area = _shown(capsys, ledger)["A"]
    assert (area["catatan"], area["rekomendasi"], area["evaluator"]) == ("Tim dibentuk.", "- Lakukan monev", "sari")
    run(capsys, "catatan", "--unit", UNIT, "--area", "A", "--hapus", "--evaluator", "sari", "--ledger", str(ledger))
    assert _shown(capsys, ledger, *INPUT)["A"]["source"] == "draf"
    code, out, _ = run(capsys, "history", "--unit", UNIT, "--ledger", str(ledger))
    assert code == 0 and out.count("catatan ditulis") == 2 and "catatan ditarik" in out and "utuh" in out


def test_accept_the_drafts_of_every_area_without_text(tmp_path, capsys):
    ledger = tmp_path / "l.sqlite"
    run(capsys, "catatan", "--unit", UNIT, "--area", "B", "--catatan", "sendiri", "--evaluator", "budi",
        "--ledger", str(ledger))
    code, _out, err = run(capsys, "catatan", "--unit", UNIT, "--draf", *INPUT, "--evaluator", "budi",
                         "--ledger", str(ledger))
    assert code == 0, err
    areas = _shown(capsys, ledger)
    assert areas["B"]["catatan"] == "sendiri"  # a written text is never replaced by a draft
    assert all(a["source"] == "penilai" for code_, a in areas.items() if code_ != "UNIT")
    assert areas["A"]["catatan"].startswith("Nilai area Manajemen Perubahan")


def test_refusals_are_clear_and_write_nothing(tmp_path, capsys):
    ledger = tmp_path / "l.sqlite"
    cases = [
        (("--area", "Z", "--catatan", "x", "--evaluator", "b"), "Area 'Z' tidak ada dalam rubrik"),
        (("--area", "A", "--catatan", "x"), "Id evaluator wajib"),
        (("--area", "A", "--catatan", "x", "--hapus", "--evaluator", "b"), "Pilih salah satu"),
        (("--draf", "--evaluator", "b"), "--draf memerlukan --input"),
        (("--catatan", "x", "--evaluator", "b"), "Sebutkan --area"),
    ]
    for args, message in cases:
        code, _out, err = run(capsys, "catatan", "--unit", UNIT, "--ledger", str(ledger), *args)
        assert code == 2 and message in err and "Traceback" not in err, (args, err)
    assert not ledger.exists() or _shown(capsys, ledger)["A"]["source"] == "kosong"


def test_report_with_settings_records_the_file_in_the_manifest(tmp_path, capsys):
    settings = ROOT / "zi_nb" / "data" / "evaluasi-contoh.yaml"
    code, _out, err = run(capsys, "report", str(SAMPLE / "sample-lke.csv"), "--units-file",
                         str(SAMPLE / "sample-units.csv"), "--unit", UNIT, "--settings", str(settings),
                         "-o", str(tmp_path))
    assert code == 0, err
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["settings"]["name"] == "evaluasi-contoh.yaml" and len(manifest["settings"]["sha256"]) == 64
    assert manifest["units"][0]["params"]["settings_path"] == str(settings)
    html = (tmp_path / f"{UNIT}.html").read_text()
    assert "KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA" in html and "Dra. Siti Aminah" in html
    bad = tmp_path / "bad.yaml"
    bad.write_text("tangal: 2026-01-01\n")
    code, _, err = run(capsys, "report", str(SAMPLE / "sample-lke.csv"), "--settings", str(bad), "-o",
                       str(tmp_path / "x"))
    assert code == 2 and "bad.yaml baris 1: 'tangal' tidak dikenal" in err
    assert not (tmp_path / "x").exists()
