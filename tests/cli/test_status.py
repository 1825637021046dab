"""``zi-nb status``: every unit of the team file with its status, deadline and who it waits for, as a table, JSON and
xlsx, on the bundled sample and the example team file; progress, score and predikat never without their status."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.helpers import ROOT
from zi_nb.cli.status import status
from zi_nb.errors import TeamError
from zi_nb.review.ledger import LEDGER_ENV, Ledger
from zi_nb.team.status import transition
from zi_nb.team.teamfile import load_team

TEAM_FILE = ROOT / "zi_nb" / "data" / "tim-contoh.yaml"
SAMPLE = ROOT / "zi_nb" / "data" / "sample"
INPUTS = ("--input", str(SAMPLE / "sample-lke.csv"), "--input", str(SAMPLE / "sample-units.csv"))
MARCH = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
SHA = "cd" * 32


@pytest.fixture(autouse=True)
def _no_ledger_from_the_environment(monkeypatch):
    monkeypatch.delenv(LEDGER_ENV, raising=False)


@pytest.fixture
def ledger(tmp_path):
    """kua-sukamaju finalised by the ketua TPI, kanim-sukawangi submitted, puskesmas-sukamaju still draf."""
    team = load_team(TEAM_FILE)
    book = Ledger(tmp_path / "l.sqlite")
    for user, unit, target, data in [("agus.pic", "kua-sukamaju", "diajukan", None),
                                     ("budi", "kua-sukamaju", "direviu", None),
                                     ("siti", "kua-sukamaju", "final TPI", {"lhe_sha256": SHA}),
                                     ("rina", "kanim-sukawangi", "diajukan", None)]:
        transition(book, team, user, unit, target, data=data, now=MARCH, via="cli")
    return book.path


def _run(*args: str):
    result = CliRunner().invoke(status, ["--team", str(TEAM_FILE), "--waktu", "2026-03-02", *args])
    return result


def test_table_with_progress_score_and_predikat_with_its_status(ledger):
    result = _run("--ledger", str(ledger), *INPUTS)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("Status unit Kementerian Contoh Republik Indonesia periode 2026 · kuota usulan 0/2 terpakai · "
                        "per 2 Maret 2026")
    assert lines[1].split()[:4] == ["Unit", "Nama", "unit", "Status"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert list(rows) == ["kanim-sukawangi", "kua-sukamaju", "puskesmas-sukamaju"]
    assert "diajukan" in rows["kanim-sukawangi"] and "TPI (budi)" in rows["kanim-sukawangi"]
    assert "30 April 2026" in rows["kanim-sukawangi"]
    assert "final TPI" in rows["kua-sukamaju"] and "koordinator (hendra)" in rows["kua-sukamaju"]
    assert "31 Mei 2026" in rows["kua-sukamaju"]
    assert "PIC unit (agus.pic)" in rows["puskesmas-sukamaju"]
    for line in rows.values():
        assert "UNIT 113/113" in line and "[status " in line and "; data " in line
    # kanim-sukawangi meets WBBM on complete data, but its review is not final: never a bare predikat
    assert "Menuju WBBM (sementara) [status diajukan: reviu TPI belum final; data final]" in rows["kanim-sukawangi"]
    assert "[status final TPI: reviu TPI final; data final]" in rows["kua-sukamaju"]


def test_json_and_the_same_rows_without_inputs(ledger):
    result = _run("--ledger", str(ledger), "--format", "json", *INPUTS)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert (doc["periode"], doc["kuota"], doc["terpakai"]) == ("2026", 2, [])
    units = {u["unit_id"]: u for u in doc["units"]}
    assert [u["status"] for u in doc["units"]] == ["diajukan", "final TPI", "draf"]
    assert units["kanim-sukawangi"]["details"]["answered"] == {"unit": 113, "tpi": 113, "tpn": 0}
    assert units["kanim-sukawangi"]["details"]["predicate"] == "WBBM"
    assert units["kua-sukamaju"]["deadline"] == "2026-05-31" and not units["kua-sukamaju"]["deadline_passed"]
    assert units["kua-sukamaju"]["since_by"] == "siti"
    bare = json.loads(_run("--ledger", str(ledger), "--format", "json").output)
    assert [u["status"] for u in bare["units"]] == ["diajukan", "final TPI", "draf"]
    assert all(u["predicate"] == "" and u["progress"] == "" for u in bare["units"])


def test_without_a_ledger_every_unit_is_draf_and_deadlines_show_when_passed():
    result = _run("--waktu", "2026-04-02", "--format", "json")  # the later --waktu wins
    units = json.loads(result.output)["units"]
    assert [u["status"] for u in units] == ["draf"] * 3
    assert all(u["deadline_passed"] for u in units)
    table = _run("--waktu", "2026-04-02")
    assert "31 Maret 2026 (lewat)" in table.output


def test_xlsx_export(ledger, tmp_path):
    out = tmp_path / "status.xlsx"
    result = _run("--ledger", str(ledger), "--format", "xlsx", "-o", str(out), *INPUTS)
    assert result.exit_code == 0, result.output
    assert "Status 3 unit periode 2026 tersimpan" in result.output
    sheet = load_workbook(out).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0].startswith("Status unit Kementerian Contoh")
    assert rows[2][:3] == ["Unit", "Nama unit", "Status"] and rows[2][-1] == "Predikat"
    assert [r[0] for r in rows[3:]] == ["kanim-sukawangi", "kua-sukamaju", "puskesmas-sukamaju"]
    assert [r[2] for r in rows[3:]] == ["diajukan", "final TPI", "draf"]
    assert all("[status " in r[-1] for r in rows[3:])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # written atomically
    missing = _run("--format", "xlsx")
    assert missing.exit_code == 2 and "-o BERKAS.xlsx" in missing.output


def test_tasks_of_one_user(ledger):
    result = _run("--ledger", str(ledger), "--pengguna", "budi")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "kanim-sukawangi [diajukan] reviu jawaban, bukti dukung dan catatan, lalu tandai direviu · tahap reviu, "
        "batas 30 April 2026"]
    tasks = json.loads(_run("--ledger", str(ledger), "--pengguna", "hendra", "--format", "json").output)
    assert tasks == [{"unit_id": "kua-sukamaju", "status": "final TPI", "tahap": "pengusulan", "batas": "2026-05-31",
                      "lewat": False, "tugas": "usulkan ke TPN (dalam kuota)"}]
    assert "Tidak ada unit yang menunggu admin" in _run("--ledger", str(ledger), "--pengguna", "admin").output
    unknown = _run("--pengguna", "siapa")
    assert unknown.exit_code == 2 and "tidak terdaftar" in unknown.output


def test_bad_team_file_and_time(tmp_path):
    bad = tmp_path / "tim.yaml"
    bad.write_text("periode: {id: '2026'}\nkuota: 1\npengguna: [{username: A B, nama: x, peran: [{jenis: tpn}]}]\n")
    result = CliRunner().invoke(status, ["--team", str(bad)])
    assert isinstance(result.exception, TeamError) and "tim.yaml baris 3" in str(result.exception)
    wrong = _run("--waktu", "kemarin")
    assert wrong.exit_code == 2 and "tanggal/waktu ISO" in wrong.output
