"""Write the thin notebooks in ``notebooks/`` (source of their cells; run once, then they are executed in place).

``python tools/make_notebooks.py`` rewrites the notebooks unexecuted; ``make notebooks`` also executes them on the
bundled sample data with papermill so that nbval has reference outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]


def _notebook(cells: list, title: str) -> nbformat.NotebookNode:
    """A notebook of ``cells`` for the project's Python kernel, titled for its HTML export."""
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["title"] = title
    return nb


def unit_report() -> nbformat.NotebookNode:
    from zi_nb.report.model import PARAMETERS

    params = "\n".join(f"{name} = {default!r}" for name, (_, default, _) in PARAMETERS.items())
    cells = [
        new_markdown_cell("# LHE Zona Integritas (notebook berparameter)\n\nJalankan dengan papermill atau "
                          "`zi-nb report`; semua logika ada di paket `zi_nb`. Sel bertanda `hide` tidak tampil "
                          "di laporan.\n\n" + "\n".join(f"- `{n}`: {d}" for n, (_, _, d) in PARAMETERS.items()),
                          metadata={"tags": ["hide"]}),
        new_code_cell(params, metadata={"tags": ["parameters"]}),
        new_code_cell("from zi_nb import report\n\nlhe = report.build(**report.check_parameters(globals()))"),
        new_code_cell('lhe.section("cover")'),
        new_code_cell('lhe.section("summary")'),
        new_code_cell('lhe.section("simpulan")'),
        new_code_cell('lhe.chart("radar")'),
        new_code_cell('lhe.section("areas")'),
        new_code_cell('lhe.section("components")'),
        new_code_cell('lhe.chart("parts")'),
        new_code_cell('lhe.chart("hasil")'),
        new_code_cell('lhe.chart("tiers")'),
        new_code_cell('lhe.section("next_predicate")'),
        new_code_cell('lhe.section("signature")'),
        new_code_cell('lhe.section("weakest_items")'),
        new_code_cell('lhe.section("reviewer_changes")'),
        new_code_cell('lhe.section("data_problems")'),
        new_code_cell('lhe.section("provenance")'),
        # the same LHE as a Word document when docx_path is given (zi-nb report --docx), from the report computed
        # above; not shown in the HTML
        new_code_cell("lhe.write_docx(docx_path);", metadata={"tags": ["hide"]}),
    ]
    return _notebook(cells, "LHE Zona Integritas")


EVALUATOR_PARAMETERS = """\
# Workbench penilai (TPI/TPN). Parameter yang dibiarkan bawaan diambil dari variabel lingkungan ZI_NB_INPUT,
# ZI_NB_UNITS, ZI_NB_UNIT, ZI_NB_TIER, ZI_NB_EVALUATOR, ZI_NB_LEDGER, ZI_NB_TZ (diisi oleh `zi-nb serve`); unit
# juga dapat dipilih lewat alamat halaman: ?unit=<unit_id>. Berkas tidak pernah diambil dari alamat halaman.
input_path = ""  # berkas masukan (CSV/XLSX, LKE edaran, templat); kosong = data contoh bawaan
units_path = ""  # berkas metadata unit tambahan (opsional)
unit_id = ""  # kosong = daftar unit untuk dipilih
tier = "tpi"  # tingkat penilai: tpi atau tpn
evaluator = ""  # nama/NIP evaluator (wajib untuk menyimpan; bila kosong diisi di layar)
ledger_path = ""  # berkas ledger; kosong = $ZI_NB_LEDGER atau outputs/ledger.sqlite
zona_waktu = "WIB"  # zona waktu riwayat dan catatan: WIB, WITA atau WIT"""


def evaluator() -> nbformat.NotebookNode:
    """The evaluator workbench (served by ``zi-nb serve`` with voila); no markdown cell, voila would show it."""
    cells = [
        new_code_cell(EVALUATOR_PARAMETERS, metadata={"tags": ["parameters"]}),
        new_code_cell("from zi_nb.app.workbench import workbench\n\nworkbench(globals())",
                      metadata={"tags": ["nbval-ignore-output"]}),  # widget ids and the ledger's state vary
    ]
    return _notebook(cells, "Workbench penilai Zona Integritas")


def bulk_summary() -> nbformat.NotebookNode:
    """The summary page of a ``zi-nb bulk`` run (logic in :mod:`zi_nb.bulk.summary`); ``run_dir = ""`` summarises
    the bundled sample in memory, so nbval can re-execute it."""
    cells = [
        new_markdown_cell("# Ringkasan bulk (notebook berparameter)\n\n`zi-nb bulk` menjalankan notebook ini dengan "
                          "papermill pada folder hasil (`run_dir`) lalu menulis `index.html`; semua logika ada di "
                          "`zi_nb.bulk.summary`. `run_dir` kosong = ringkasan data contoh bawaan (tanpa laporan). "
                          "Sel bertanda `hide` tidak tampil di halaman.", metadata={"tags": ["hide"]}),
        new_code_cell('# folder hasil zi-nb bulk (berisi summary.json); kosong = data contoh bawaan\nrun_dir = ""',
                      metadata={"tags": ["parameters"]}),
        new_code_cell("from zi_nb.bulk import summary\n\nringkasan = summary.load(run_dir)"),
        new_code_cell("ringkasan.overview()"),
        new_code_cell('ringkasan.chart("predicates")'),
        new_code_cell('ringkasan.chart("totals")'),
        new_code_cell('ringkasan.chart("areas")'),
        new_code_cell("ringkasan.table()"),
        new_code_cell("ringkasan.failures()"),
    ]
    return _notebook(cells, "Ringkasan evaluasi Zona Integritas")


TRIAGE_PARAMETERS = """\
input_paths = []  # berkas masukan (CSV/XLSX, boleh beberapa periode), kosong: data contoh bawaan
ledger_path = ""  # ledger penilai yang diterapkan, kosong: tanpa ledger
quota = None  # kuota usulan (jumlah unit), None: tanpa tabel kuota
lang = "id"  # bahasa halaman: id atau en
rubric = "zi-2021"  # id rubrik bawaan atau berkas YAML
policies = {}  # kebijakan rubrik, nama -> nilai
weights = ""  # berkas bobot triase YAML, kosong: triage-bobot.yaml bawaan"""


def triage() -> nbformat.NotebookNode:
    """The triage page (logic in :mod:`zi_nb.report.triage_page`); ``input_paths = []`` triages the bundled sample,
    so nbval can re-execute it."""
    cells = [
        new_markdown_cell("# Triase penilaian mandiri (notebook berparameter)\n\n`zi-nb triage --format html` "
                          "menjalankan notebook ini dengan papermill; semua logika ada di `zi_nb.report.triage_page`. "
                          "Sel bertanda `hide` tidak tampil di halaman.", metadata={"tags": ["hide"]}),
        new_code_cell(TRIAGE_PARAMETERS, metadata={"tags": ["parameters"]}),
        new_code_cell("from zi_nb.report import triage_page\n\n"
                      "halaman = triage_page.page(input_paths, ledger_path, quota, lang, rubric, policies, weights)"),
        new_code_cell("halaman.intro()"),
        new_code_cell("halaman.ranking()"),
        new_code_cell("halaman.quota()"),
    ]
    return _notebook(cells, "Triase penilaian mandiri (PMPZI)")


NOTEBOOKS = {"unit_report": unit_report, "evaluator": evaluator, "bulk_summary": bulk_summary, "triage": triage}


if __name__ == "__main__":
    import sys

    # python tools/make_notebooks.py [NAME ...]: only the named notebooks (default: all)
    for name in sys.argv[1:] or NOTEBOOKS:
        build = NOTEBOOKS[name]
        path = ROOT / "notebooks" / f"{name}.ipynb"
        nbformat.write(build(), path)
        print(path)
