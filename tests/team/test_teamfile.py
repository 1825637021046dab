"""The team file: the example loads; every malformed file is refused with its line and what was expected."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tests.helpers import ROOT
from zi_nb.errors import ParameterError, TeamError
from zi_nb.team.teamfile import load_team

EXAMPLE = ROOT / "zi_nb" / "data" / "tim-contoh.yaml"
SAMPLE_UNITS = ROOT / "zi_nb" / "data" / "sample" / "sample-units.csv"
TEXT = EXAMPLE.read_text(encoding="utf-8")


def test_the_example_uses_the_sample_units_and_every_role():
    team = load_team(EXAMPLE)
    assert set(team.units) <= set(pd.read_csv(SAMPLE_UNITS)["unit_id"])
    assert team.periode.id == "2026" and team.kuota == 2 and team.zona_waktu == "WIB"
    assert [s.nama for s in team.periode.tahapan] == ["pengisian", "reviu", "finalisasi", "pengusulan", "penetapan"]
    assert team.stage("reviu").batas == dt.date(2026, 4, 30)
    kinds = {k for u in team.pengguna for k in u.kinds}
    assert kinds == {"unit", "tpi", "ketua-tpi", "tpn", "koordinator", "admin"}
    assert team.holders("unit", "kua-sukamaju") == ["agus.pic"]
    assert team.holders("tpi", "kua-sukamaju") == ["budi", "dewi"]
    assert team.user("budi").label == "budi, TPI" and team.user("nobody") is None
    assert team.user("rina").nip == ""  # optional for a unit PIC


def _load(tmp_path, text: str):
    path = tmp_path / "tim.yaml"
    path.write_text(text, encoding="utf-8")
    return load_team(path)


def _line(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based line of the ``occurrence``-th line containing ``fragment``."""
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if fragment in line]
    return lines[occurrence - 1]


def _swap(text: str, a: str, b: str) -> str:
    lines = text.splitlines()
    i = next(n for n, line in enumerate(lines) if a in line)
    j = next(n for n, line in enumerate(lines) if b in line)
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines) + "\n"


CASES = [
    # (what, old, new, fragment of the line expected, occurrence, words of the message)
    ("duplicate username", "username: agus.pic", "username: rina", "username: rina", 2, "sudah dipakai"),
    ("unknown role", "{jenis: koordinator}", "{jenis: kordinator}", "kordinator", 1,
     "harus salah satu dari 'unit', 'tpi', 'ketua-tpi', 'tpn', 'koordinator', 'admin'"),
    ("unit role without units", "{jenis: unit, unit: [kanim-sukawangi]}", "{jenis: unit}", "{jenis: unit}", 1,
     "memerlukan daftar unit"),
    ("tpi role with an empty list", "{jenis: tpi, unit: [kanim-sukawangi, kua-sukamaju]}", "{jenis: tpi, unit: []}",
     "unit: []", 1, "memerlukan daftar unit"),
    ("ketua with units", "{jenis: ketua-tpi}", "{jenis: ketua-tpi, unit: [kua-sukamaju]}", "ketua-tpi", 1,
     "berlaku untuk semua unit"),
    ("NIP of 17 digits", '"198001012005011002"', '"19800101200501100"', "19800101200501100", 1, "harus 18 angka"),
    ("NIP with letters", '"198001012005011002"', '"19800101200501100X"', "19800101200501100X", 1, "harus 18 angka"),
    ("NIP missing for a TPI member", '    nip: "198001012005011002"\n', "", "nama: Budi Santoso", 1,
     "NIP 'budi' wajib diisi untuk peran tpi"),
    ("deadline before start", "{nama: reviu, mulai: 2026-02-01, batas: 2026-04-30}",
     "{nama: reviu, mulai: 2026-02-01, batas: 2026-01-30}", "nama: reviu", 1, "sebelum mulainya"),
    ("stage starts before the one before", "{nama: pengusulan, mulai: 2026-05-01, batas: 2026-05-31}",
     "{nama: pengusulan, mulai: 2026-03-01, batas: 2026-05-31}", "nama: pengusulan", 1,
     "dimulai atau berakhir sebelum tahap finalisasi"),
    ("stage listed twice", "{nama: finalisasi,", "{nama: reviu,", "mulai: 2026-04-01", 1, "tidak pada urutannya"),
    ("unknown stage", "{nama: penetapan,", "{nama: pelantikan,", "pelantikan", 1, "harus salah satu dari"),
    ("not a date", "batas: 2026-03-31", "batas: 31-03-2026", "31-03-2026", 1, "harus berupa tanggal TTTT-BB-HH"),
    ("unknown field", "    nama: Rina Wulandari\n", "    nama: Rina Wulandari\n    email: rina@contoh.go.id\n",
     "email:", 1, "'pengguna.0.email' tidak dikenal"),
    ("username with capitals and a space", "username: budi", "username: Budi Santoso", "Budi Santoso", 1,
     "hanya huruf kecil, angka"),
    ("negative quota", "kuota: 2", "kuota: -1", "kuota:", 1, "tidak boleh negatif"),
    ("quota not a number", "kuota: 2", "kuota: dua", "kuota:", 1, "harus berupa bilangan bulat"),
    ("role listed twice", "{jenis: unit, unit: [kanim-sukawangi]}",
     "{jenis: unit, unit: [kanim-sukawangi]}\n      - {jenis: unit, unit: [kua-sukamaju]}", "unit: [kua-sukamaju]}", 1,
     "disebut dua kali"),
    ("unit listed twice in a role", "unit: [kanim-sukawangi]}", "unit: [kanim-sukawangi, kanim-sukawangi]}",
     "kanim-sukawangi, kanim-sukawangi", 1, "disebut lebih dari sekali"),
    ("no role", "      - {jenis: koordinator}\n", "        []\n", "[]", 1, "tidak boleh kosong"),
    ("missing nama", "    nama: Wati Rahmawati\n", "", "username: tpn.wati", 1, "'pengguna.6.nama' wajib diisi"),
]


@pytest.mark.parametrize("what, old, new, fragment, occurrence, words", CASES, ids=[c[0] for c in CASES])
def test_a_malformed_file_is_refused_with_its_line(tmp_path, what, old, new, fragment, occurrence, words):
    assert old in TEXT, what
    text = TEXT.replace(old, new, 1)
    with pytest.raises(TeamError) as exc:
        _load(tmp_path, text)
    message = str(exc.value)
    assert f"tim.yaml baris {_line(text, fragment, occurrence)}: " in message, message
    assert words in message, message
    assert isinstance(exc.value, ParameterError)


def test_stages_out_of_order(tmp_path):
    text = _swap(TEXT, "{nama: reviu,", "{nama: finalisasi,")
    with pytest.raises(TeamError) as exc:
        _load(tmp_path, text)
    assert f"tim.yaml baris {_line(text, 'nama: reviu')}: tahap reviu tidak pada urutannya (sesudah finalisasi)" \
           in str(exc.value)


def test_a_unit_may_have_several_pics_and_stages_may_be_left_out(tmp_path):
    text = TEXT.replace("{jenis: unit, unit: [kanim-sukawangi]}", "{jenis: unit, unit: [kanim-sukawangi, "
                                                                  "kua-sukamaju]}")
    text = text.replace("    - {nama: finalisasi, mulai: 2026-04-01, batas: 2026-05-15}\n", "")
    team = _load(tmp_path, text)
    assert team.holders("unit", "kua-sukamaju") == ["rina", "agus.pic"]
    assert team.stage("finalisasi") is None


def test_numbers_written_without_quotes_are_read_as_text(tmp_path):
    team = _load(tmp_path, TEXT.replace('id: "2026"', "id: 2026").replace('"198001012005011002"',
                                                                           "198001012005011002"))
    assert team.periode.id == "2026" and team.user("budi").nip == "198001012005011002"


@pytest.mark.parametrize("text, words", [
    ("pengguna: [\n  {username: a\n", "bukan YAML yang sah"),
    ("- a\n- b\n", "harus berupa pemetaan"),
    ("", "harus berupa pemetaan"),
    ("instansi: X\nkuota: 1\npengguna: []\n", "'periode' wajib diisi"),
])
def test_unusable_files(tmp_path, text, words):
    with pytest.raises(TeamError, match=words):
        _load(tmp_path, text)


def test_missing_file(tmp_path):
    with pytest.raises(TeamError, match="tidak ditemukan"):
        load_team(tmp_path / "tidak-ada.yaml")
