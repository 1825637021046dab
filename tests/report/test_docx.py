"""The LHE as a Word document (zi_nb.report.docx): opened with python-docx and read back. The official content
(kop, nomor, total, predikat with its status, catatan per area or the marked draft, team and signature), the charts
as images, English labels, an instansi's own template, broken templates, ``zi-nb report --docx`` and
``zi-nb bulk --docx --settings``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from tests.helpers import ROOT, cli, run
from tests.helpers import summary_of as summary
from zi_nb.common.fmt import num, predicate_with_status, status_label
from zi_nb.errors import ReportError
from zi_nb.lke.sample import bundled_paths, write_synthetic
from zi_nb.report import build, official
from zi_nb.report.docx import bundled_template, write_docx
from zi_nb.review.catatan import write_catatan
from zi_nb.review.ledger import Ledger

SETTINGS = ROOT / "zi_nb" / "data" / "evaluasi-contoh.yaml"
UNIT = "kanim-sukawangi"
CATATAN_A = "Agen perubahan aktif & terdokumentasi."


def paragraphs(doc) -> list[str]:
    """Every paragraph's text: the body, each table cell (nested ones too), header and footer."""
    out, seen = [], set()

    def walk(container) -> None:
        for p in container.paragraphs:
            out.append(p.text)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    if cell._tc not in seen:  # a merged cell is listed once per column it spans
                        seen.add(cell._tc)  # (the set keeps the element alive: lxml gives it the same proxy)
                        walk(cell)

    walk(doc)
    for section in doc.sections:
        walk(section.footer)
        walk(section.header)
    return out




def text_of(doc) -> str:
    return "\n".join(paragraphs(doc))


@pytest.fixture(scope="module")
def official_doc(tmp_path_factory, rubric):
    """The LHE of one unit at tier TPI with the sample settings and a ledger holding the catatan of area A (with
    characters that are markup in XML) and of the unit as a whole."""
    base = tmp_path_factory.mktemp("docx")
    book = Ledger(base / "ledger.sqlite")
    write_catatan(book, rubric, UNIT, "A", "tpi", "budi", CATATAN_A,
                  "- Tetapkan <b>SK</b> agen perubahan\n- Lakukan monev berkala")
    write_catatan(book, rubric, UNIT, "UNIT", "tpi", "budi", "Secara umum baik.", "- Pertahankan capaian")
    lhe = build(unit_id=UNIT, tier="tpi", ledger_path=str(book.path), settings_path=str(SETTINGS), run_id="uji")
    path = lhe.write_docx(base / "lhe.docx")
    assert path == base / "lhe.docx"
    return lhe, Document(str(path))


def test_cover_kop_nomor_and_identity(official_doc):
    lhe, doc = official_doc
    text = text_of(doc)
    assert "KEMENTERIAN HUKUM DAN HAK ASASI MANUSIA REPUBLIK INDONESIA" in text
    assert "Jl. H.R. Rasuna Said Kav. 6-7, Kuningan, Jakarta Selatan 12940" in text
    nomor = official.cover(lhe)["nomor"]
    assert nomor and nomor.endswith("/IJ/ZI/VI/2026") and f"Nomor: {nomor}" in text
    assert "Tanggal: 11 Juni 2026" in text and "Laporan Hasil Evaluasi Zona Integritas" in text
    assert "Kantor Imigrasi Kelas II Non TPI Sukawangi (kanim-sukawangi)" in paragraphs(doc)
    assert "{{" not in text and "{%" not in text and "%}" not in text  # every tag filled in or removed


def test_total_in_indonesian_format_and_predikat_with_its_status_on_one_line(official_doc):
    lhe, doc = official_doc
    total = num(float(lhe.result.scores.total[UNIT]), 2, "id")
    assert "," in total
    code = lhe.result.evaluation.predicate[UNIT]
    label = predicate_with_status(code, lhe.status.status, "id")
    status = status_label(lhe.status.status, "id")
    line = next(p for p in paragraphs(doc) if p.startswith("Nilai total:"))
    assert total in line and f"Predikat: {label}" in line and f"Status data: {status}" in line


def test_criteria_table_with_both_minima_and_margins(official_doc):
    lhe, doc = official_doc
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Kriteria")
    head = [c.text for c in table.rows[0].cells]
    assert head == ["Kriteria", "Nilai", "Minimum WBK", "Selisih", "WBK", "Minimum WBBM", "Selisih", "WBBM"]
    crit = official.unit_criteria(lhe)
    first = crit.iloc[0]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
    assert len(rows) == crit["criterion"].nunique()
    assert rows[first["name"]][1] == num(first["value"], 2, "id")
    assert all(r[4] in ("✓", "✗", "") and r[7] in ("✓", "✗", "") for r in rows.values())


def test_every_area_has_its_catatan_the_evaluators_text_or_the_marked_draft(official_doc, rubric):
    lhe, doc = official_doc
    text = text_of(doc)
    for area in official.area_rows(lhe):
        assert area["catatan"] in text, area["code"]
    # the evaluator's text, as text (the ampersand and the tags are not markup), with who wrote it
    assert f"Catatan: {CATATAN_A}" in paragraphs(doc)
    assert "Tetapkan <b>SK</b> agen perubahan" in paragraphs(doc) and "ditulis oleh budi" in text
    assert text.count("DRAF dari rubrik, belum ditinjau penilai") == len(rubric.areas) - 1
    assert "Catatan dan rekomendasi untuk unit" in text and "Catatan: Secara umum baik." in text
    assert "Pertahankan capaian" in text


def test_team_signature_charts_page_and_footer(official_doc):
    _, doc = official_doc
    lines = paragraphs(doc)
    assert "Dra. Siti Aminah, M.Si." in lines and "NIP 196805121994032001" in lines
    assert "Jakarta, 11 Juni 2026" in lines and "Ketua Tim" in lines
    ketua = lines.index("Dra. Siti Aminah, M.Si.", lines.index("Ketua Tim"))
    assert lines[ketua + 1] == "NIP 196805121994032001"  # the name, then the NIP under it
    images = [r for r in doc.part.rels.values() if r.reltype.endswith("/image")]
    assert len(doc.inline_shapes) >= 4 and len(images) >= 4  # the logo and at least radar, parts, hasil
    assert all(r.target_part.blob.startswith(b"\x89PNG") for r in images)
    widths = sorted(s.width for s in doc.inline_shapes)
    assert widths[-1] == Mm(180)  # charts at their own print width
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4 portrait
    footer = section.footer._element.xml
    assert "Halaman" in footer and "dari" in footer
    instructions = [e.text.strip() for e in section.footer._element.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]


def test_english_labels(tmp_path):
    lhe = build(unit_id=UNIT, lang="en", settings_path=str(SETTINGS))
    doc = Document(str(write_docx(lhe, tmp_path / "en.docx")))
    text = text_of(doc)
    assert "Zona Integritas Evaluation Report" in text and "Conclusion" in text and "Team leader" in text
    assert "Scores, notes and recommendations by area" in text and "Number:" in text
    assert "Simpulan" not in text and "Ketua Tim" not in text and "Halaman" not in doc.sections[0].footer._element.xml
    assert num(float(lhe.result.scores.total[UNIT]), 2, "en") in text
    assert "Page" in doc.sections[0].footer._element.xml


def _instansi_template(path: Path) -> Path:
    """The bundled template with one wording changed in Word's way (python-docx): the Simpulan heading."""
    doc = Document(str(bundled_template()))
    heading = next(p for p in doc.paragraphs if p.text == "{{ t.simpulan }}")
    heading.runs[0].text = "Kesimpulan Tim Penilai"
    for p in heading.runs[1:]:
        p.text = ""
    doc.save(str(path))
    return path


def test_an_instansi_template_named_in_the_settings_is_used(tmp_path):
    own = _instansi_template(tmp_path / "lhe-instansi.docx")
    shutil.copy(SETTINGS.parent / "logo-contoh.png", tmp_path / "logo-contoh.png")
    settings = tmp_path / "evaluasi.yaml"
    settings.write_text(SETTINGS.read_text(encoding="utf-8") + "templat_word: lhe-instansi.docx\n", encoding="utf-8")
    lhe = build(unit_id=UNIT, settings_path=str(settings))
    text = text_of(Document(str(lhe.write_docx(tmp_path / "dari-pengaturan.docx"))))
    assert "Kesimpulan Tim Penilai" in text and "\nSimpulan\n" not in text
    # given explicitly, a template wins over the settings
    text = text_of(Document(str(write_docx(lhe, tmp_path / "bawaan.docx", bundled_template()))))
    assert "Kesimpulan Tim Penilai" not in text and "\nSimpulan\n" in text
    assert own.is_file()


def test_broken_templates_are_refused_in_indonesian_naming_the_file(tmp_path):
    lhe = build(unit_id=UNIT)
    bad_jinja = tmp_path / "rusak.docx"
    doc = Document(str(bundled_template()))
    title = next(p for p in doc.paragraphs if p.text == "{{ judul }}")
    title.runs[0].text = "{{ judul }"
    doc.save(str(bad_jinja))
    with pytest.raises(ReportError, match=r"Templat Word 'rusak.docx' tidak dapat dipakai: tag Jinja tidak sah"):
        write_docx(lhe, tmp_path / "a.docx", bad_jinja)
    not_docx = tmp_path / "bukan.docx"
    not_docx.write_text("ini bukan dokumen Word", encoding="utf-8")
    with pytest.raises(ReportError, match=r"Templat Word 'bukan.docx' bukan berkas .docx"):
        write_docx(lhe, tmp_path / "b.docx", not_docx)
    with pytest.raises(ReportError, match="tidak ditemukan"):
        write_docx(lhe, tmp_path / "c.docx", tmp_path / "tidak-ada.docx")
    assert not list(tmp_path.glob("[abc].docx")) and not list(tmp_path.glob(".*tmp*"))  # nothing half written


def test_no_path_no_document(tmp_path):
    assert build(unit_id=UNIT).write_docx("") is None


def test_cli_report_docx_writes_the_document(tmp_path, capsys):
    answers, units = bundled_paths()
    code, out, err = run(capsys, "report", str(answers), "--units-file", str(units), "--unit", "kua-sukamaju",
                         "--settings", str(SETTINGS), "--docx", "-o", str(tmp_path), "--run-id", "t")
    assert code == 0, err
    path = tmp_path / "kua-sukamaju.docx"
    assert str(path) in out
    text = text_of(Document(str(path)))
    assert "KUA Kecamatan Sukamaju (kua-sukamaju)" in text and "INSPEKTORAT JENDERAL" in text
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert any(o["path"].endswith("kua-sukamaju.docx") for o in manifest["units"][0]["outputs"])
    notebook = (tmp_path / "kua-sukamaju.ipynb").read_text(encoding="utf-8")
    assert "lhe.write_docx(docx_path)" in notebook
    assert "kua-sukamaju.docx" not in (tmp_path / "kua-sukamaju.html").read_text(encoding="utf-8")


def test_bulk_docx_with_settings_summary_manifest_and_resume(tmp_path, monkeypatch):
    from zi_nb.bulk import run as bulk_run

    monkeypatch.setattr(bulk_run, "render_index", lambda out: out / "index.html")  # the summary page: not looked at
    inputs = [str(p) for p in write_synthetic(tmp_path / "in", 2)]
    out = tmp_path / "out"
    assert cli("bulk", *inputs, "-o", str(out), "--workers", "1", "--docx", "--settings", str(SETTINGS),
               "--no-progress", "--run-id", "docx") == 0
    units = summary(out)["units"]
    assert [u["docx"] for u in units] == ["unit-00001.docx", "unit-00002.docx"]
    for u in units:
        assert "INSPEKTORAT JENDERAL" in text_of(Document(str(out / u["docx"])))  # the settings reached each unit
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert all(any(o["path"].endswith(".docx") for o in u["outputs"]) for u in manifest["units"])
    assert manifest["settings"]["name"] == SETTINGS.name
    assert all(u["params"]["settings_path"] == str(SETTINGS.resolve()) for u in manifest["units"])
    assert cli("audit", "verify", str(out)) == 0
    # resumed with the same options: nothing to do; without --docx: not the same output, every unit again
    assert cli("bulk", *inputs, "-o", str(out), "--workers", "1", "--docx", "--settings", str(SETTINGS),
               "--resume", "--no-progress", "--run-id", "docx") == 0
    assert all(u["resumed"] and u["docx"] for u in summary(out)["units"])
    assert cli("bulk", *inputs, "-o", str(out), "--workers", "1", "--settings", str(SETTINGS), "--resume",
               "--no-progress", "--run-id", "docx") == 0
    assert not any(u["resumed"] for u in summary(out)["units"])
    # a malformed settings file stops the run before any work, with its line
    broken = tmp_path / "rusak.yaml"
    broken.write_text("kop: [\n", encoding="utf-8")
    assert cli("bulk", *inputs, "-o", str(tmp_path / "o2"), "--settings", str(broken), "--no-progress") == 2
