"""Write the thin notebooks in ``notebooks/`` (source of their cells; run once, then they are executed in place).

``python tools/make_notebooks.py`` rewrites the notebooks unexecuted; ``make notebooks`` also executes them on the
bundled sample data with papermill so that nbval has reference outputs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]


def unit_report() -> nbformat.NotebookNode:
    from zi_nb.report import PARAMETERS

    params = "\n".join(f"{name} = {default!r}" for name, (_, default, _) in PARAMETERS.items())
    cells = [
        new_markdown_cell("# LHE Zona Integritas (notebook berparameter)\n\nJalankan dengan papermill atau "
                          "`zi-nb report`; semua logika ada di paket `zi_nb`. Sel bertanda `hide` tidak tampil "
                          "di laporan.\n\n" + "\n".join(f"- `{n}`: {d}" for n, (_, _, d) in PARAMETERS.items()),
                          metadata={"tags": ["hide"]}),
        new_code_cell(params, metadata={"tags": ["parameters"]}),
        new_code_cell("from zi_nb import report\n\nlhe = report.build(**report.check_parameters(globals()))"),
        new_code_cell('lhe.section("identity")'),
        new_code_cell('lhe.section("summary")'),
        new_code_cell('lhe.chart("radar")'),
        new_code_cell('lhe.section("areas")'),
        new_code_cell('lhe.chart("parts")'),
        new_code_cell('lhe.chart("hasil")'),
        new_code_cell('lhe.chart("tiers")'),
        new_code_cell('lhe.section("next_predicate")'),
        new_code_cell('lhe.section("weakest_items")'),
        new_code_cell('lhe.section("reviewer_changes")'),
        new_code_cell('lhe.section("data_problems")'),
        new_code_cell('lhe.section("provenance")'),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["title"] = "LHE Zona Integritas"
    return nb


if __name__ == "__main__":
    path = ROOT / "notebooks" / "unit_report.ipynb"
    nbformat.write(unit_report(), path)
    print(path)
