"""Workbooks of other instruments and of unusual shapes, built with openpyxl for the tests of instrument recognition,
unit identity and two-row headers."""

from __future__ import annotations

from pathlib import Path

import openpyxl

# Proses 60 over the eight areas of the PMPRB (Evaluasi Reformasi Birokrasi), each with plausible questions
PMPRB_AREAS: list[tuple[str, float, list[tuple[str, str]]]] = [
    ("MANAJEMEN PERUBAHAN", 5, [
        ("Apakah telah dibentuk tim reformasi birokrasi yang ditetapkan oleh pimpinan instansi?", "Ya/Tidak"),
        ("Tim reformasi birokrasi telah melakukan tugasnya secara berkala sesuai rencana kerja", "A/B/C"),
        ("Road map reformasi birokrasi telah disusun dan sesuai dengan road map reformasi birokrasi nasional",
         "A/B/C/D"),
        ("Apakah terdapat agen perubahan yang ditetapkan di setiap unit organisasi?", "Ya/Tidak")]),
    ("DEREGULASI KEBIJAKAN", 5, [
        ("Telah dilakukan identifikasi, analisis dan pemetaan peraturan perundang-undangan yang tumpang tindih",
         "A/B/C"),
        ("Persentase regulasi yang telah disederhanakan terhadap regulasi yang harus disederhanakan", "%"),
        ("Jumlah regulasi yang harus disederhanakan", "Jumlah")]),
    ("PENATAAN DAN PENGUATAN ORGANISASI", 6, [
        ("Telah dilakukan evaluasi atas struktur organisasi dengan mandat dan tugas fungsi instansi", "A/B/C/D"),
        ("Hasil evaluasi kelembagaan telah ditindaklanjuti dengan penyederhanaan birokrasi", "A/B/C"),
        ("Apakah telah dilakukan penyetaraan jabatan administrasi ke dalam jabatan fungsional?", "Ya/Tidak")]),
    ("PENATAAN TATALAKSANA", 5, [
        ("Proses bisnis instansi telah disusun dan diterapkan pada seluruh unit organisasi", "A/B/C/D"),
        ("Sistem pemerintahan berbasis elektronik telah diterapkan untuk layanan administrasi", "A/B/C/D/E")]),
    ("PENATAAN SISTEM MANAJEMEN SDM APARATUR", 15, [
        ("Kebutuhan pegawai instansi telah dihitung melalui analisis jabatan dan analisis beban kerja", "A/B/C"),
        ("Apakah sistem informasi kepegawaian instansi telah dimutakhirkan secara berkala?", "Ya/Tidak"),
        ("Pengisian jabatan pimpinan tinggi dilakukan secara terbuka dan kompetitif", "A/B/C/D")]),
    ("PENGUATAN AKUNTABILITAS", 6, [
        ("Pimpinan instansi terlibat langsung dalam penyusunan perencanaan strategis dan penetapan kinerja",
         "A/B/C"),
        ("Apakah laporan kinerja instansi telah disampaikan tepat waktu?", "Ya/Tidak")]),
    ("PENGUATAN PENGAWASAN", 12, [
        ("Sistem pengendalian intern pemerintah telah diterapkan dengan maturitas yang memadai", "A/B/C/D/E"),
        ("Kapabilitas aparat pengawasan intern pemerintah telah mencapai level tiga", "A/B/C")]),
    ("PENINGKATAN KUALITAS PELAYANAN PUBLIK", 6, [
        ("Standar pelayanan telah ditetapkan untuk seluruh jenis layanan instansi", "A/B/C/D"),
        ("Apakah instansi telah melakukan survei kepuasan masyarakat secara berkala?", "Ya/Tidak")]),
]
PMPRB_HASIL: list[tuple[str, float, str, str]] = [
    ("Kapasitas dan akuntabilitas kinerja organisasi", 10, "Nilai capaian kinerja organisasi", "Nilai (0-4)"),
    ("Pemerintah yang bersih dan bebas KKN", 10, "Nilai persepsi korupsi (survei eksternal)", "Nilai (0-4)"),
    ("Kualitas pelayanan publik", 10, "Nilai persepsi kualitas pelayanan (survei eksternal)", "Nilai (0-4)"),
    ("Kinerja organisasi", 10, "Capaian sasaran strategis instansi", "A/B/C/D"),
]
assert sum(w for _, w, _ in PMPRB_AREAS) == 60 and sum(w for _, w, _, _ in PMPRB_HASIL) == 40


def _pmprb_table(ws, header_row: int, two_rows: bool) -> None:
    """The PMPRB table from ``header_row`` (1-based): ``No | Komponen/Penilaian | Bobot | Pilihan Jawaban | ...``;
    with ``two_rows`` the tiers are column groups (``Pusat | Unit`` over ``Jawaban | Nilai``)."""
    if two_rows:
        ws.cell(header_row, 1, "No")
        ws.cell(header_row, 2, "Penilaian")
        ws.cell(header_row, 3, "Bobot")
        ws.cell(header_row, 4, "Pilihan Jawaban")
        ws.cell(header_row, 5, "Unit")
        ws.cell(header_row, 7, "Pusat")
        for c, label in ((5, "Jawaban"), (6, "Nilai"), (7, "Jawaban"), (8, "Nilai")):
            ws.cell(header_row + 1, c, label)
        r = header_row + 2
    else:
        for c, label in enumerate(["No", "Penilaian", "Bobot", "Pilihan Jawaban", "Jawaban", "Nilai", "Catatan"], 1):
            ws.cell(header_row, c, label)
        r = header_row + 1
    ws.cell(r, 1, "A.")
    ws.cell(r, 2, "PROSES")
    ws.cell(r, 3, 60)
    r += 1
    for n, (area, weight, questions) in enumerate(PMPRB_AREAS, 1):
        ws.cell(r, 1, f"{n}.")
        ws.cell(r, 2, area.title())
        ws.cell(r, 3, weight)
        r += 1
        for k, (question, typ) in enumerate(questions):
            ws.cell(r, 1, f"{'abcdefg'[k]}.")
            ws.cell(r, 2, question)
            ws.cell(r, 4, typ)
            r += 1
    ws.cell(r, 1, "B.")
    ws.cell(r, 2, "HASIL")
    ws.cell(r, 3, 40)
    r += 1
    for n, (area, weight, question, typ) in enumerate(PMPRB_HASIL, 1):
        ws.cell(r, 1, f"{n}.")
        ws.cell(r, 2, area)
        ws.cell(r, 3, weight)
        ws.cell(r + 1, 1, "a.")
        ws.cell(r + 1, 2, question)
        ws.cell(r + 1, 4, typ)
        r += 2
    ws.cell(r, 2, "NILAI EVALUASI REFORMASI BIROKRASI")
    ws.cell(r, 3, 100)
    ws.cell(r, 6, f"=SUM(F{header_row + 1}:F{r - 1})")
    ws.cell(r + 1, 2, "Jumlah nilai Proses")
    ws.cell(r + 1, 5, f"=SUM(F{header_row + 1}:F{r - 1})")


def write_pmprb(path: Path, labels: bool = True) -> Path:
    """A PMPRB / Evaluasi Reformasi Birokrasi workbook: sheet ``LKE`` (one-row header) and four unit sheets
    ``LKE Unit 1``..``4`` (tiers as column groups over two header rows); empty answers. Without ``labels`` its
    title, total and own area names are neutral (only the items and the structure tell it apart)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "LKE"
    ws["A1"] = "LEMBAR KERJA EVALUASI PENILAIAN MANDIRI PELAKSANAAN REFORMASI BIROKRASI (PMPRB)"
    ws["A2"] = "Unit Kerja"
    ws["B2"] = "Bobot"  # the header of a small table beside the title, not a unit name
    _pmprb_table(ws, 4, two_rows=False)
    for n in range(1, 5):
        _pmprb_table(wb.create_sheet(f"LKE Unit {n}"), 3, two_rows=True)
    if not labels:
        for sheet in wb.worksheets:
            for row in sheet.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and any(w in c.value.upper() for w in (
                            "REFORMASI BIROKRASI", "PMPRB", "DEREGULASI", "PENGUATAN ORGANISASI")):
                        c.value = "Lembar kerja" if c.row < 4 else "Bagian lain" if not c.value.startswith("NILAI") \
                            else "NILAI AKHIR"
    wb.save(path)
    return path
