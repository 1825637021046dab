"""Several unit sheets of the same layout in one workbook (``LKE Unit 1`` .. ``LKE Unit 4``): one unit per sheet.

:func:`zi_nb.lke.workbook.read_workbook` reads every LKE sheet of a workbook on its own (its unit named by identity
cells above its table, else by the sheet's name) and :func:`read_sheets` gathers them: sheets of another instrument
are left out when others are an LKE of the rubric (all refused: the first sheet's refusal is the answer); two
sheets that name the same unit cannot be told apart, and that is one clear error naming them rather than a silent
choice.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from zi_nb.common.findings import Finding
from zi_nb.lke.extract import Extract


def read_sheets(extracts: list[tuple[str, Extract]], path: Path) -> Extract:
    """One :class:`Extract` of every unit sheet (sheet name, extract of that sheet), in workbook order."""
    read = [(sheet, e) for sheet, e in extracts if not e.fatal]
    if not read:  # nothing read: the first sheet's reason (another instrument, no item rows...) is the answer
        return extracts[0][1]
    by_unit: dict[str, list[str]] = {}
    for sheet, e in read:
        by_unit.setdefault(str(e.units["unit_id"].iloc[0]), []).append(sheet)
    same = {uid: sheets for uid, sheets in by_unit.items() if len(sheets) > 1}
    if same:
        shown = "; ".join(f"{', '.join(repr(s) for s in sheets)} sama-sama unit '{uid}'"
                          for uid, sheets in same.items())
        return Extract(findings=[Finding("unit_sheets_ambiguous", file=str(path), params={
            "found": shown, "expected": "beri setiap lembar sel identitasnya sendiri di atas tabel LKE (mis. "
                                        "'Unit Kerja : ...'), atau hapus lembar salinan yang tidak dinilai"})],
                       fatal=True)
    return Extract(raw=pd.concat([e.raw for _, e in read], ignore_index=True),
                   units=pd.concat([e.units for _, e in read], ignore_index=True),
                   cached=pd.concat([e.cached for _, e in read], ignore_index=True),
                   findings=[f for _, e in read for f in e.findings])
