"""Turn a list of required documents per item (CSV ``code, doc_no, dokumen``) into a rubric's ``documents:`` section.

The 2021 list came from ``../shared/reference/bukti-dukung-2021.csv`` (ZI-RULES.md section 9):
``python tools/documents_yaml.py ../shared/reference/bukti-dukung-2021.csv >> zi_nb/rubrics/zi-2021.yaml``.
An instansi with its own list makes the same section for a rubric file that ``extends: zi-2021`` (only the items it
lists are replaced).
"""

from __future__ import annotations

import csv
import sys

import yaml


def documents(path: str) -> dict[str, list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = sorted(csv.DictReader(fh), key=lambda r: int(r["doc_no"]))
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row["code"].strip(), []).append(" ".join(row["dokumen"].split()))
    return out


if __name__ == "__main__":
    found = documents(sys.argv[1])
    order = {code: i for i, code in enumerate(found)}
    sys.stdout.write("# Bukti dukung: the documents an evaluator expects for each item (ZI-RULES.md section 9;\n"
                     "# source: the BPS e-ZI application, table dokumenlke). Replace per item in a rubric that\n"
                     "# extends this one.\n")
    yaml.safe_dump({"documents": dict(sorted(found.items(), key=lambda kv: order[kv[0]]))}, sys.stdout,
                   allow_unicode=True, sort_keys=False, width=110)
