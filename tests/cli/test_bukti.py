"""``zi-nb bukti``: the checklist of an item from the command line, written through the ledger."""

from __future__ import annotations

import json

from tests.helpers import ROOT, run
from zi_nb.review.ledger import Ledger

SAMPLE = str(ROOT / "zi_nb" / "data" / "sample" / "sample-lke.csv")
UNIT = "kanim-sukawangi"


def test_mark_documents_attach_and_show(tmp_path, capsys):
    ledger = str(tmp_path / "l.sqlite")
    code, out, _ = run(capsys, "bukti", "--unit", UNIT, "--item", "PRF2A", "--tandai", "1=ada", "--tandai",
                       "2=tidak sesuai", "--catatan", "tangkapan layar lama", "--evaluator", "budi", "--ledger", ledger)
    assert code == 0 and "PRF2A no. 2: tidak sesuai" in out
    pdf = tmp_path / "laporan pengaduan.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    code, out, _ = run(capsys, "bukti", "--unit", UNIT, "--item", "PRF2A", "--lampirkan", str(pdf), "--evaluator",
                       "budi", "--ledger", ledger)
    assert code == 0 and "sha256" in out and (tmp_path / "bukti-dukung" / "sha256").is_dir()
    code, out, _ = run(capsys, "bukti", "--unit", UNIT, "--item", "PRF2A", "--input", SAMPLE, "--ledger", ledger,
                       "--format", "json")
    (item,) = json.loads(out)["items"]
    assert [d["verdict"] for d in item["documents"]] == ["ada", "tidak sesuai", None]
    assert item["documents"][1]["catatan"] == "tangkapan layar lama"
    assert item["attachments"][0]["name"] == "laporan pengaduan.pdf"
    assert item["submitted"] and "tidak sesuai" in item["findings"][0]
    code, out, _ = run(capsys, "bukti", "--unit", UNIT, "--item", "PRF2A", "--semua-ada", "--evaluator", "budi",
                       "--ledger", ledger)
    code, out, _ = run(capsys, "bukti", "--unit", UNIT, "--item", "PRF2A", "--input", SAMPLE, "--ledger", ledger)
    assert code == 0 and "TEMUAN" not in out and "0 dengan bukti dukung kurang" in out
    assert {r.evaluator for r in Ledger(ledger).records()} == {"budi"}


def test_refusals_are_clear_and_write_nothing(tmp_path, capsys):
    ledger = str(tmp_path / "l.sqlite")
    exe = tmp_path / "setup.exe"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 60)
    cases = [
        (["--item", "PRF2A", "--lampirkan", str(exe), "--evaluator", "budi"], "program yang dapat dijalankan"),
        (["--item", "PRF2A", "--tandai", "9=ada", "--evaluator", "budi"], "dokumen nomor 9 tidak ada"),
        (["--item", "PRF2A", "--tandai", "1=mungkin", "--evaluator", "budi"], "NOMOR=PENILAIAN"),
        (["--item", "PRF2A", "--tandai", "1=ada"], "Id evaluator wajib"),
        (["--tandai", "1=ada", "--evaluator", "budi"], "Sebutkan --item"),
        (["--item", "ZZZ", "--evaluator", "budi"], "Butir 'ZZZ' tidak ada"),
        (["--item", "PRF2A", "--salin", "http://localhost/sk.pdf", "--evaluator", "budi"], "localhost"),
    ]
    for args, message in cases:
        code, _out, err = run(capsys, "bukti", "--unit", UNIT, "--ledger", ledger, *args)
        assert code == 2 and message in err and "Traceback" not in err and "Error:" not in err, (args, err)
    assert not (tmp_path / "l.sqlite").exists() or Ledger(ledger).records() == []
    assert not (tmp_path / "bukti-dukung" / "sha256").exists()
