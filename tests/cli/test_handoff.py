"""``zi-nb ubah-status`` and ``zi-nb buka-tahap``: the hand-offs from the command line, under the same rules as the
team server (role, status, deadline), each refusal recorded; the records say ``via: cli``."""

from __future__ import annotations

import hashlib

import pytest

from tests.helpers import run
from tests.team.teams import team_yaml
from zi_nb.review.ledger import LEDGER_ENV, Ledger

UNIT = "kanim-sukawangi"
TEAM = team_yaml(["rina", "budi", "siti", "yoga"], unit=UNIT, kuota=1,
                 tahapan=[("pengisian", "2026-01-05", "2026-03-31")])


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.delenv(LEDGER_ENV, raising=False)
    team = tmp_path / "tim.yaml"
    team.write_text(TEAM, encoding="utf-8")
    return str(team), tmp_path / "ledger.sqlite"


def change(capsys, files, user: str, to: str, *extra: str):
    team, ledger = files
    return run(capsys, "ubah-status", "--team", team, "--ledger", str(ledger), "--unit", UNIT, "--oleh", user,
               "--ke", to, *extra)


def test_a_cycle_from_the_command_line_with_the_deadline_reopened(capsys, files, tmp_path):
    team, ledger = files
    code, _, err = change(capsys, files, "rina", "diajukan")
    assert code == 2 and "Batas waktu tahap pengisian telah lewat pada 31 Maret 2026" in err, err
    code, out, err = run(capsys, "buka-tahap", "--team", team, "--ledger", str(ledger), "--unit", UNIT, "--oleh",
                         "budi", "--tahap", "pengisian", "--sampai", "2099-12-31", "--catatan", "perpanjangan")
    assert code == 2 and "hanya admin" in err
    code, out, err = run(capsys, "buka-tahap", "--team", team, "--ledger", str(ledger), "--unit", UNIT, "--oleh",
                         "yoga", "--tahap", "pengisian", "--sampai", "2099-12-31", "--catatan", "perpanjangan")
    assert code == 0 and "sampai 31 Desember 2099" in out, err
    code, out, err = change(capsys, files, "rina", "diajukan")
    assert code == 0 and "sekarang 'diajukan'" in out and "lewat CLI" in out, err
    assert change(capsys, files, "siti", "direviu")[0] == 2  # the ketua does not review
    assert change(capsys, files, "budi", "direviu")[0] == 0
    code, _, err = change(capsys, files, "budi", "dikembalikan", "--butir", "PPA1A")
    assert code == 2 and "KODE=catatan" in err and "Traceback" not in err
    lhe = tmp_path / "lhe.pdf"
    lhe.write_bytes(b"%PDF-1.4 LHE yang ditandatangani")
    code, out, err = change(capsys, files, "siti", "final TPI", "--lhe", str(lhe))
    assert code == 0 and "'final TPI'" in out, err

    records = Ledger(ledger).records(UNIT)
    statuses = [(r.answer, r.evaluator) for r in records if r.kind == "status" and r.code.startswith("STATUS:")]
    assert statuses == [("diajukan", "rina"), ("direviu", "budi"), ("final TPI", "siti")]
    assert records[-1].details["lhe_sha256"] == hashlib.sha256(lhe.read_bytes()).hexdigest()
    assert all(r.details.get("via") == "cli" for r in records if r.kind in ("status", "penolakan"))
    refused = [(r.evaluator, r.details["aksi"]) for r in records if r.kind == "penolakan"]
    assert refused == [("rina", "AJUKAN"), ("budi", "BUKA_TAHAP"), ("siti", "REVIU")]
    assert Ledger(ledger).verify() == []


@pytest.mark.parametrize("args, message", [
    (("--ke", "selesai"), "Status 'selesai' tidak dikenal"),
    (("--ke", "final TPI", "--lhe", "bukan-berkas"), "bukan berkas LHE yang ada"),
])
def test_bad_requests_are_named(capsys, files, args, message):
    team, ledger = files
    code, _, err = run(capsys, "ubah-status", "--team", team, "--ledger", str(ledger), "--unit", UNIT, "--oleh",
                       "siti", *args)
    assert code == 2 and message in err and "Traceback" not in err, err


def test_a_bad_date_is_named(capsys, files):
    team, ledger = files
    code, _, err = run(capsys, "buka-tahap", "--team", team, "--ledger", str(ledger), "--unit", UNIT, "--oleh", "yoga",
                       "--tahap", "reviu", "--sampai", "31-12-2026", "--catatan", "x")
    assert code == 2 and "YYYY-MM-DD" in err
