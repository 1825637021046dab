"""Write ``notebooks/bulk_summary.ipynb``: the thin, papermill-parameterized page of a ``zi-nb bulk`` run.

``python tools/make_bulk_summary_notebook.py`` rewrites it unexecuted; ``make notebooks`` then executes it in place
with its default ``run_dir = ""`` (the bundled sample, summarised in memory) so that nbval has reference outputs.
All logic is in :mod:`zi_nb.bulk_summary`.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]


def bulk_summary() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Ringkasan bulk (notebook berparameter)\n\n`zi-nb bulk` menjalankan notebook ini dengan "
                          "papermill pada folder hasil (`run_dir`) lalu menulis `index.html`; semua logika ada di "
                          "`zi_nb.bulk_summary`. `run_dir` kosong = ringkasan data contoh bawaan (tanpa laporan). "
                          "Sel bertanda `hide` tidak tampil di halaman.", metadata={"tags": ["hide"]}),
        new_code_cell('# folder hasil zi-nb bulk (berisi summary.json); kosong = data contoh bawaan\nrun_dir = ""',
                      metadata={"tags": ["parameters"]}),
        new_code_cell("from zi_nb import bulk_summary\n\nringkasan = bulk_summary.load(run_dir)"),
        new_code_cell("ringkasan.overview()"),
        new_code_cell('ringkasan.chart("predicates")'),
        new_code_cell('ringkasan.chart("totals")'),
        new_code_cell('ringkasan.chart("areas")'),
        new_code_cell("ringkasan.table()"),
        new_code_cell("ringkasan.failures()"),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["title"] = "Ringkasan evaluasi Zona Integritas"
    return nb


if __name__ == "__main__":
    path = ROOT / "notebooks" / "bulk_summary.ipynb"
    nbformat.write(bulk_summary(), path)
    print(path)
