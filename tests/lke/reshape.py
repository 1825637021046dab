"""Copies of the real LKE workbook with its rows reshaped (values only), for the tests of robust reading."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

from tests.helpers import REAL_LKE
from zi_nb.lke.xlsx import Book, open_workbook

Rows = list[list[Any]]


def real_rows(sheet: str = "LKE ZI") -> Rows:
    book = open_workbook(REAL_LKE)
    assert isinstance(book, Book), book
    return [list(r) for r in book.values(sheet)]


def write_rows(path: Path, sheets: dict[str, Rows]) -> Path:
    """A workbook holding ``sheets`` (name -> rows of values; ``""`` cells stay empty)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, 1):
            for c, v in enumerate(row, 1):
                if v != "" and v is not None:
                    ws.cell(r, c, v)
    wb.save(path)
    return path


def two_row_header(rows: Rows, groups: tuple[str, ...] = ("Unit",)) -> Rows:
    """The real sheet with its header over two rows: ``Jawaban | Nilai`` of the answer column under a group label
    (more groups add empty Jawaban/Nilai columns of other tiers at the right)."""
    header = next(i for i, row in enumerate(rows) if "Pilihan Jawaban" in [str(v).strip() for v in row])
    answer = [str(v).strip() for v in rows[header]].index("Jawaban")
    out = [list(r) for r in rows]
    width = max(map(len, out))
    for r in out:
        r.extend([""] * (width + 2 * len(groups) - len(r)))
    top, below = list(out[header]), [""] * len(out[header])
    top[answer], top[answer + 1] = groups[0], ""
    below[answer], below[answer + 1] = "Jawaban", "Nilai"
    for i, g in enumerate(groups[1:]):
        top[width + 2 * i] = g
        below[width + 2 * i], below[width + 2 * i + 1] = "Jawaban", "Nilai"
    return [*out[:header], top, below, *out[header + 1:]]


