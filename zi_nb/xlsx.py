"""Excel I/O shared by the readers and writers: fast cell values, hyperlinks, formulas, safe text.

Values (cached formula results included) come from python-calamine, which reads an LKE workbook in milliseconds;
formulas and data validations come from openpyxl, loaded only when a reader asks for them; hyperlinks are read from
the sheet's relationships part directly.
"""

from __future__ import annotations

import os
import posixpath
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from .findings import Finding

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # a workbook that inflates beyond this is refused (zip bomb)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Book:
    """A workbook opened for reading. Use :func:`open_workbook` to get one."""

    def __init__(self, path: Path, calamine: Any) -> None:
        self.path = path
        self._cal = calamine
        self.sheet_names: list[str] = list(calamine.sheet_names)
        self._values: dict[str, list[list[Any]]] = {}
        self._scans: dict[str, tuple[dict[str, str], dict[str, str]]] = {}

    def values(self, sheet: str) -> list[list[Any]]:
        """Rows of cell values (cached results for formulas); ``""`` for empty cells; row 0 is Excel row 1.

        Excel error values (``#DIV/0!``, ``#REF!``...) are kept as their text (calamine alone would blank them).
        """
        if sheet not in self._values:
            rows = self._cal.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            for ref, error in self._scan(sheet)[1].items():
                col, row = coordinate_from_string(ref)
                r, c = row - 1, column_index_from_string(col) - 1
                if r < len(rows) and c < len(rows[r]):
                    rows[r][c] = error
            self._values[sheet] = rows
        return self._values[sheet]

    @cached_property
    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name -> part name inside the zip (``xl/worksheets/sheet3.xml``)."""
        with zipfile.ZipFile(self.path) as zf:
            book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
        parts = {}
        for s in book.findall("m:sheets/m:sheet", _NS):
            target = targets.get(s.get(f"{{{_NS['r']}}}id"), "")
            parts[s.get("name")] = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        return parts

    def hyperlinks(self, sheet: str) -> dict[str, str]:
        """A1 address -> hyperlink target, for cells that carry a hyperlink."""
        return self._scan(sheet)[0]

    def _scan(self, sheet: str) -> tuple[dict[str, str], dict[str, str]]:
        """(hyperlinks, error cells) of a sheet, read in one streaming pass over its XML."""
        if sheet in self._scans:
            return self._scans[sheet]
        links: dict[str, str] = {}
        errors: dict[str, str] = {}
        part = self._sheet_parts.get(sheet)
        if part is not None:
            rels_part = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
            with zipfile.ZipFile(self.path) as zf:
                targets = {}
                if rels_part in set(zf.namelist()):
                    rels = ElementTree.fromstring(zf.read(rels_part))
                    targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
                cell_tag, link_tag = f"{{{_NS['m']}}}c", f"{{{_NS['m']}}}hyperlink"
                with zf.open(part) as fh:
                    for _, elem in ElementTree.iterparse(fh):
                        if elem.tag == cell_tag:
                            if elem.get("t") == "e":
                                value = elem.find("m:v", _NS)
                                errors[elem.get("r", "")] = value.text if value is not None else "#N/A"
                            elem.clear()
                        elif elem.tag == link_tag:
                            rid = elem.get(f"{{{_NS['r']}}}id")
                            if rid in targets:
                                links[elem.get("ref", "").split(":")[0]] = targets[rid]
        self._scans[sheet] = (links, errors)
        return links, errors

    @cached_property
    def formulas(self) -> Any:
        """The workbook loaded by openpyxl with formulas (not cached values); slow, load only when needed."""
        import openpyxl

        return openpyxl.load_workbook(self.path, data_only=False)


def open_workbook(path: str | Path) -> Book | Finding:
    """Open an XLSX file, or return the finding that says why it cannot be read."""
    from python_calamine import CalamineWorkbook

    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(i.file_size for i in zf.infolist())
            if total > MAX_UNCOMPRESSED:
                return Finding("file_too_large", file=str(path), params={"size": total, "limit": MAX_UNCOMPRESSED})
            if "xl/workbook.xml" not in zf.namelist():
                return Finding("file_unreadable", file=str(path),
                               params={"expected": "XLSX", "detail": "arsip zip ini bukan buku kerja Excel"})
        return Book(path, CalamineWorkbook.from_path(str(path)))
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        return Finding("file_unreadable", file=str(path), params={"expected": "XLSX", "detail": str(exc)[:200]})
    except Exception as exc:  # calamine raises its own error types for corrupt parts
        return Finding("file_unreadable", file=str(path), params={"expected": "XLSX", "detail": str(exc)[:200]})


def safe_text(value: Any, cell: Any = None) -> Any:
    """Text that Excel will not execute (formula injection), written verbatim.

    With an openpyxl ``cell``: writes ``value`` into it and returns the cell. Text starting with ``=``, ``+``, ``-``,
    ``@`` (or a tab / carriage return) is stored as a plain string cell (data type ``s``, never a formula) with the
    quote-prefix style, so Excel shows it as written and keeps it text when the cell is edited; readers get the text
    back unchanged. Characters that XLSX cannot store (control characters) are dropped.

    Without a cell (CSV and other plain-text outputs): returns the text with a leading apostrophe, the usual guard.
    """
    if cell is None:
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) else value
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` atomically, on error it is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}", dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; the final file gets the usual permissions
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
