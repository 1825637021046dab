"""Evaluation settings (zi_nb.report.settings): the example file, each refusal with its line, the nomor pattern."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from tests.helpers import ROOT
from zi_nb.errors import ParameterError
from zi_nb.report.settings import Settings, load_settings

EXAMPLE = ROOT / "zi_nb" / "data" / "evaluasi-contoh.yaml"


def test_the_example_file_is_valid_and_complete():
    s = load_settings(EXAMPLE)
    assert s.instansi and s.kop and s.penilai and s.periode and s.tempat
    assert s.tanggal == dt.date(2026, 6, 11)
    assert s.ketua is not None and s.ketua.nip
    assert s.logo_path() is not None and s.logo_path().is_file()
    assert s.nomor_for("x", 3, 2026) == "LHE-03/IJ/ZI/VI/2026"  # {urut:02d}, {bulan} is the Roman month
    assert load_settings("") == Settings()


def test_nomor_given_per_unit_or_by_its_place_in_urutan():
    s = Settings(nomor="{unit_id}/{urut}/{tahun}", nomor_unit={"a": "KHUSUS-1"}, urutan=["c", "b"])
    assert s.nomor_for("a", 1, 2026) == "KHUSUS-1"
    assert s.nomor_for("b", 7, 2026) == "b/2/2026"
    assert s.nomor_for("z", 7, 2026) == "z/7/2026"
    assert Settings().nomor_for("a", 1, 2026) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("instansi: [a\n", r"baris \d+: bukan YAML yang sah"),
    ("instansi: X\nkop: [A]\ntangal: 2026-06-11\n", r"baris 3: 'tangal' tidak dikenal"),
    ("instansi: X\ntanggal: 11 Juni 2026\n", r"baris 2: 'tanggal' harus berupa tanggal TTTT-BB-HH"),
    ("tim:\n  - {nama: A, peran: ketua}\n  - {nama: B, peran: bos}\n", r"baris 3: 'tim.1.peran' harus salah satu"),
    ("zona_waktu: GMT\n", r"baris 1: 'zona_waktu' harus salah satu dari 'WIB', 'WITA', 'WIT'"),
    ("nomor: '{nomor_surat}'\n", r"pola 'nomor'.*hanya boleh memakai"),
    ("logo: tidak-ada.png\n", r"logo 'tidak-ada.png' tidak ditemukan"),
    ("tim:\n  - {nama: A, peran: ketua}\n  - {nama: B, peran: ketua}\n", "lebih dari satu ketua"),
    ("- a\n- b\n", "harus berupa pemetaan"),
])
def test_a_malformed_file_is_refused_with_its_line_and_what_was_expected(tmp_path, text, expected):
    path = tmp_path / "evaluasi.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=expected) as exc:
        load_settings(path)
    assert "Traceback" not in str(exc.value) and "Field required" not in str(exc.value)


def test_a_logo_must_be_an_image(tmp_path):
    (tmp_path / "logo.png").write_text("bukan gambar")
    (tmp_path / "e.yaml").write_text("logo: logo.png\n")
    with pytest.raises(ParameterError, match="PNG atau JPEG"):
        load_settings(tmp_path / "e.yaml")
    shutil.copy(EXAMPLE.parent / "logo-contoh.png", tmp_path / "logo.png")
    assert load_settings(tmp_path / "e.yaml").logo_path() == (tmp_path / "logo.png").resolve()
