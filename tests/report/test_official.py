"""The official LHE (zi_nb.report.official and its HTML sections): cover with kop and nomor, simpulan, catatan and
rekomendasi per area (evaluator's text or a marked draft), the plan as actions, team and signature."""

from __future__ import annotations

import re

from tests.helpers import ROOT
from zi_nb.report import build
from zi_nb.review.catatan import write_catatan
from zi_nb.review.ledger import Ledger

SETTINGS = str(ROOT / "zi_nb" / "data" / "evaluasi-contoh.yaml")


def _text(html: object) -> str:
    body = str(html).split("</style>", 1)[-1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def test_cover_carries_kop_nomor_date_and_who_evaluated():
    lhe = build(unit_id="kanim-sukawangi", tier="tpi", settings_path=SETTINGS)
    text = _text(lhe.section("cover"))
    assert "KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA REPUBLIK INDONESIA" in text
    assert "Nomor: LHE-" in text and "/IJ/ZI/VI/2026" in text and "Tanggal: 11 Juni 2026" in text
    assert "TPI Inspektorat Jenderal" in text and "2 Mei - 30 Juni 2026" in text
    assert text.count("Kantor Imigrasi Kelas II Non TPI Sukawangi") == 1  # the name once, with its id
    assert "data:image/png;base64," in str(lhe.section("cover"))  # the logo embedded
    assert lhe.section("cover").metadata["zi_header"].endswith("/IJ/ZI/VI/2026")


def test_without_settings_the_cover_says_what_is_missing():
    text = _text(build(unit_id="kanim-sukawangi").section("cover"))
    assert "Nomor: belum diisi" in text and "Periode evaluasi belum diisi" in text


def test_the_evaluators_catatan_replaces_the_draft_and_drafts_are_marked(tmp_path, rubric):
    book = Ledger(tmp_path / "l.sqlite")
    write_catatan(book, rubric, "kanim-sukawangi", "A", "tpi", "budi", "Agen perubahan aktif.",
                  "- Tetapkan <b>SK</b> agen perubahan\n- Lakukan monev berkala")
    write_catatan(book, rubric, "kanim-sukawangi", "UNIT", "tpi", "budi", "Secara umum baik.", "")
    lhe = build(unit_id="kanim-sukawangi", tier="tpi", ledger_path=str(book.path))
    html = str(lhe.section("areas"))
    text = _text(html)
    assert "Agen perubahan aktif." in text and "Tetapkan &lt;b&gt;SK&lt;/b&gt; agen perubahan" in html
    assert "Lakukan monev berkala" in text and "ditulis oleh budi" in text
    assert text.count("DRAF dari rubrik") == len(rubric.areas) - 1  # every other area shows its draft, marked
    assert "Catatan dan rekomendasi untuk unit" in text and "Secara umum baik." in text
    assert "Agen perubahan aktif." not in _text(build(unit_id="kanim-sukawangi", tier="unit",
                                                      ledger_path=str(book.path)).section("areas"))


def test_simpulan_says_the_predikat_its_status_and_the_deciding_margins():
    lhe = build(unit_id="kanim-sukawangi", tier="tpi")
    text = _text(lhe.section("simpulan"))
    assert "memperoleh nilai total" in text and "Capaian area terendah" in text
    assert "terpenuhi" in text


def test_the_plan_is_actions_per_area_and_says_once_when_answers_cannot_reach_the_target():
    from zi_nb.report.official import plan

    planned = []
    for unit in ("kanim-sukawangi", "rsud-mekarsari", "kpp-danau-biru", "samsat-bukit-indah", "lapas-karang-asri"):
        lhe = build(unit_id=unit, tier="tpi")
        p = plan(lhe)
        text = _text(lhe.section("next_predicate"))
        if p["already"] or p["pending"]:
            continue
        planned.append(unit)
        assert p["headline"] in text
        for group in p["groups"]:
            for action in group["actions"]:
                assert not action["text"].startswith(("Dari ", "From ")) and action["text"] in text
        if not p["reachable"]:
            assert text.count("tidak dapat dicapai hanya dengan memperbaiki jawaban LKE") == 1
    assert len(planned) >= 3


def test_no_plan_from_data_that_is_not_final(tmp_path):
    from zi_nb.report.official import plan

    (tmp_path / "lke.csv").write_text("unit_id,tier,code,answer\nu1,unit,PPA1A,Ya\nu1,unit,PPA1B,B\n")
    lhe = build(str(tmp_path / "lke.csv"), unit_id="u1", tier="unit")
    assert not lhe.status.final and plan(lhe)["groups"] == []
    assert "disusun setelah data final (status data saat ini: belum lengkap)" in _text(lhe.section("next_predicate"))


def test_team_and_signature_block():
    lhe = build(unit_id="kanim-sukawangi", tier="tpi", settings_path=SETTINGS)
    text = _text(lhe.section("signature"))
    assert "Jakarta, 11 Juni 2026" in text and "Ketua Tim TPI Inspektorat Jenderal" in text
    assert "Dra. Siti Aminah, M.Si." in text and "NIP 196805121994032001" in text
    assert text.index("Dra. Siti Aminah") < text.index("Budi Santoso")  # ketua first
    unset = _text(build(unit_id="kanim-sukawangi", tier="tpi").section("signature"))
    assert "Susunan tim belum diisi" in unset


def test_english_report_has_no_indonesian_labels_in_the_official_parts():
    lhe = build(unit_id="kanim-sukawangi", tier="tpi", lang="en", settings_path=SETTINGS)
    text = " ".join(_text(lhe.section(s)) for s in ("cover", "simpulan", "signature"))
    for word in ("Nomor:", "Simpulan", "Dievaluasi oleh", "Ketua Tim", "Periode evaluasi"):
        assert word not in text
    assert "11 June 2026" in text and "Evaluated by" in text


def test_a_self_assessment_report_is_never_presented_as_signed_by_the_team():
    lhe = build(unit_id="kanim-sukawangi", tier="unit", settings_path=SETTINGS)
    text = _text(lhe.section("signature"))
    assert "klaim unit sendiri" in text and "Ketua Tim" not in text
    assert "penilaian mandiri unit (PMPZI)" in _text(lhe.section("cover"))
    assert "klaim unit sendiri" in _text(lhe.section("simpulan"))
    final = build(unit_id="kanim-sukawangi", tier="final", settings_path=SETTINGS)
    assert "Ketua Tim TPI Inspektorat Jenderal" in _text(final.section("signature"))  # the latest stage evaluated
