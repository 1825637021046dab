"""Excel I/O shared by the readers and writers: fast cell values, hyperlinks, formulas, safe text.

Values (cached formula results included) come from python-calamine, which reads an LKE workbook in milliseconds;
formulas and data validations come from openpyxl, loaded only when a reader asks for them; hyperlinks are read from
the sheet's relationships part directly.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries

from zi_nb.common import limits
from zi_nb.common.findings import Finding
from zi_nb.common.text import debug_detail, os_error_text
from zi_nb.errors import InputError, InputLimitError

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# what reading a damaged zip part or its XML raises (bad CRC or deflate data, truncated stream, unknown compression)
DAMAGED = (ElementTree.ParseError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, RuntimeError,
           ValueError, NotImplementedError)


class Book:
    """A workbook opened for reading. Use :func:`open_workbook` to get one."""

    def __init__(self, path: Path, calamine: Any) -> None:
        self.path = path
        self._cal = calamine
        self.sheet_names: list[str] = list(calamine.sheet_names)
        self._values: dict[str, list[list[Any]]] = {}
        self._scans: dict[str, _Scan] = {}

    def values(self, sheet: str) -> list[list[Any]]:
        """Rows of cell values (cached results for formulas); ``""`` for empty cells; row 0 is Excel row 1.

        Excel error values (``#DIV/0!``, ``#REF!``...) are kept as their text (calamine alone would blank them).
        Raises :class:`~zi_nb.errors.InputLimitError` when the sheet spans more rows or cells than
        :mod:`zi_nb.common.limits` allows (checked from the sheet's XML before anything is loaded), and
        :class:`~zi_nb.errors.InputError` when the sheet cannot be read.
        """
        if sheet not in self._values:
            scan = self._scan(sheet)
            self._check_extent(sheet, scan)
            try:
                rows = self._cal.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            except Exception as exc:
                raise self._unreadable(sheet, f"isi lembar ini rusak{debug_detail(exc)}; buka di Excel lalu simpan "
                                              "ulang sebagai .xlsx") from None
            for ref, error in scan.errors.items():
                col, row = coordinate_from_string(ref)
                r, c = row - 1, column_index_from_string(col) - 1
                if r < len(rows) and c < len(rows[r]):
                    rows[r][c] = error
            self._values[sheet] = rows
        return self._values[sheet]

    def _unreadable(self, sheet: str | None, detail: str) -> InputError:
        return InputError(f"{self.path}: {detail}", [Finding("file_unreadable", file=str(self.path), sheet=sheet,
                                                             params={"expected": "XLSX", "detail": detail})])

    def _check_extent(self, sheet: str, scan: _Scan) -> None:
        rows, cols = scan.max_row, scan.max_col
        if rows <= limits.MAX_ROWS and rows * cols <= limits.MAX_CELLS:
            return
        far = scan.far_cell
        finding = Finding("limit_exceeded", file=str(self.path), sheet=sheet, cell=far, params={
            "found": f"lembar ini terisi sampai sel {far} ({limits.number(rows)} baris x {limits.number(cols)} kolom)",
            "limit": f"{limits.number(limits.MAX_ROWS)} baris dan {limits.number(limits.MAX_CELLS)} sel",
            "expected": f"Hapus isi sel di luar tabel LKE (mulai dari {far}) lalu simpan ulang"})
        raise InputLimitError(finding.render(), [finding])

    def formula_cells(self, sheet: str) -> dict[str, str]:
        """A1 address -> formula (``"=SUM(A1:A3)"``; ``"="`` for a cell sharing another cell's formula) of every cell
        holding a formula, read from the sheet's XML without loading openpyxl."""
        return self._scan(sheet).formulas

    def merged(self, sheet: str) -> list[str]:
        """The merged ranges of a sheet (``["K8:K9", ...]``)."""
        return self._scan(sheet).merged

    @cached_property
    def _sheet_parts(self) -> dict[str, str]:
        """Sheet name -> part name inside the zip (``xl/worksheets/sheet3.xml``)."""
        with zipfile.ZipFile(self.path) as zf:  # by local names: transitional and strict OOXML alike
            book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") or "" for r in rels.iter() if _local(r.tag) == "Relationship"}
        parts: dict[str, str] = {}
        for s in book.iter():
            name = s.get("name")
            if _local(s.tag) == "sheet" and name is not None:  # a sheet without a name cannot be asked for
                rid = next((v for k, v in s.attrib.items() if _local(k) == "id"), "")
                target = targets.get(rid, "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
                parts[name] = posixpath.normpath(part)
        return parts

    def hyperlinks(self, sheet: str) -> dict[str, str]:
        """A1 address -> hyperlink target, for cells that carry a hyperlink."""
        return self._scan(sheet).links

    def _scan(self, sheet: str) -> _Scan:
        """Hyperlinks, error cells, merged ranges and the extent of the cells holding a value, read in one streaming
        pass over the sheet's XML (before calamine loads the sheet, so that its size can be checked first)."""
        if sheet in self._scans:
            return self._scans[sheet]
        scan = _Scan()
        try:  # a sheet whose part cannot be found is refused: its size could not be checked before loading it
            self._scan_part(self._sheet_parts.get(sheet) or "", scan)
        except DAMAGED as exc:
            raise self._unreadable(sheet, f"XML lembar ini rusak{debug_detail(exc)}; buka di Excel lalu simpan "
                                          "ulang sebagai .xlsx") from None
        self._scans[sheet] = scan
        return scan

    def _scan_part(self, part: str, scan: _Scan) -> None:
        rels_part = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
        columns: dict[str, int] = {}
        with zipfile.ZipFile(self.path) as zf:
            names = set(zf.namelist())
            if part not in names:
                raise KeyError(f"bagian lembar {part or '(tanpa nama)'} tidak ada di dalam arsip")
            targets: dict[str | None, str | None] = {}
            if rels_part in names:
                rels = ElementTree.fromstring(zf.read(rels_part))
                targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", _NS)}
            row = position = unnamed = 0  # last row seen; cells of the current row; its value cells without address
            cell_tag = link_tag = row_tag = merge_tag = error_value = formula_tag = ""
            value_tags: tuple[str, ...] = ()
            with zf.open(part) as fh:
                for event, elem in ElementTree.iterparse(fh, events=("start-ns", "end")):
                    if event == "start-ns":  # the sheet's namespace (transitional or strict OOXML)
                        prefix, uri = elem
                        if not prefix:
                            cell_tag, link_tag, row_tag = f"{{{uri}}}c", f"{{{uri}}}hyperlink", f"{{{uri}}}row"
                            merge_tag, value_tags, error_value = f"{{{uri}}}mergeCell", (
                                f"{{{uri}}}v", f"{{{uri}}}is"), f"{{{uri}}}v"
                            formula_tag = f"{{{uri}}}f"
                        continue
                    tag = elem.tag
                    if tag == cell_tag:
                        position += 1
                        ref = elem.get("r")
                        if any(child.tag in value_tags for child in elem):
                            if ref:
                                letters = ref.rstrip("0123456789")
                                col = columns.get(letters) or columns.setdefault(
                                    letters, column_index_from_string(letters))
                                scan.extend(int(ref[len(letters):]), col)
                            else:  # rare: no address, the cell's place in its row (the row's number comes at its end)
                                unnamed = position
                        formula = elem.find(formula_tag)
                        if formula is not None and ref:
                            scan.formulas[ref] = "=" + (formula.text or "")
                        if elem.get("t") == "e":
                            value = elem.find(error_value)
                            scan.errors[ref or ""] = value.text if value is not None else "#N/A"
                        elem.clear()
                    elif tag == row_tag:
                        row = int(elem.get("r") or row + 1)
                        if unnamed:
                            scan.extend(row, unnamed)
                        position = unnamed = 0
                        elem.clear()
                    elif tag == link_tag:
                        rid = next((v for k, v in elem.attrib.items() if _local(k) == "id"), None)
                        target = targets.get(rid)
                        if target is not None:  # a relationship without a target links nowhere
                            scan.links[elem.get("ref", "").split(":")[0]] = target
                    elif tag == merge_tag and elem.get("ref"):
                        scan.merged.append(elem.get("ref", ""))

    @cached_property
    def formulas(self) -> Any:
        """The workbook loaded by openpyxl with formulas (not cached values); slow, load only when needed."""
        import openpyxl

        try:  # from a file object: openpyxl would refuse a workbook by its name (an .xlsx saved as .xls)
            with open(self.path, "rb") as fh:
                return openpyxl.load_workbook(fh, data_only=False)
        except Exception as exc:
            raise self._unreadable(None, f"rumus buku kerja tidak dapat dibaca{debug_detail(exc)}") from None


def _local(tag: str) -> str:
    """An XML tag or attribute name without its namespace."""
    return tag.rpartition("}")[2]


@dataclass
class _Scan:
    """What one streaming pass over a sheet's XML found (see :meth:`Book._scan`)."""

    links: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)
    formulas: dict[str, str] = field(default_factory=dict)  # A1 address -> formula ("=..."; "=" when shared)
    max_row: int = 0  # extent of the cells that hold a value (1-based; 0 when none)
    max_col: int = 0
    far: tuple[int, int] = (0, 0)  # the cell that extended the extent last

    def extend(self, row: int, col: int) -> None:
        """Count a cell holding a value at (row, col), 1-based."""
        if row > self.max_row or col > self.max_col:
            self.max_row, self.max_col = max(row, self.max_row), max(col, self.max_col)
            self.far = (self.max_row, self.max_col)

    @property
    def far_cell(self) -> str:
        from openpyxl.utils import get_column_letter

        row, col = self.far
        return f"{get_column_letter(min(max(col, 1), 18278))}{max(row, 1)}"


def open_workbook(path: str | Path) -> Book | Finding:
    """Open an XLSX file, or return the finding that says why it cannot be read (damaged or truncated zip, another
    kind of document, parts that would inflate beyond :data:`zi_nb.common.limits.MAX_UNCOMPRESSED_BYTES`)."""
    from python_calamine import CalamineWorkbook

    path = Path(path)

    def unreadable(detail: str) -> Finding:
        return Finding("file_unreadable", file=str(path), params={"expected": "XLSX", "detail": detail})

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            total = sum(i.file_size for i in infos)
            if total > limits.MAX_UNCOMPRESSED_BYTES:
                big = max(infos, key=lambda i: i.file_size)
                return Finding("limit_exceeded", file=str(path), params={
                    "found": f"isi arsip ini bila dibuka {limits.size(total)} (bagian terbesar {big.filename}: "
                             f"{limits.size(big.file_size)})",
                    "limit": limits.size(limits.MAX_UNCOMPRESSED_BYTES),
                    "expected": "Buku kerja LKE yang wajar jauh lebih kecil; berkas ini rusak atau sengaja dibuat "
                                "untuk menghabiskan memori (zip bomb). Simpan ulang dari Excel sebagai .xlsx"})
            if "xl/workbook.xml" not in names:
                return unreadable(_other_zip(zf, names))
        with open(path, "rb") as fh:  # by content: from_path would choose the .xls (OLE) reader by the file's name
            return Book(path, CalamineWorkbook.from_filelike(fh))
    except zipfile.BadZipFile:
        return unreadable("arsip zip tidak utuh (berkas terpotong saat diunduh atau disalin, atau rusak); unduh "
                          "ulang atau simpan ulang dari Excel sebagai .xlsx")
    except OSError as exc:
        return unreadable(f"berkas tidak dapat dibuka ({os_error_text(exc)})")
    except Exception as exc:
        return unreadable(f"bagian buku kerja rusak{debug_detail(exc)}; simpan ulang dari Excel sebagai .xlsx")


def _other_zip(zf: zipfile.ZipFile, names: set[str]) -> str:
    """What a zip archive without a workbook part is, for the message."""
    mimetype = zf.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names else ""
    if "opendocument.spreadsheet" in mimetype:
        return ("ini lembar kerja OpenDocument (.ods), bukan buku kerja Excel; buka lalu simpan sebagai Excel "
                "Workbook (.xlsx)")
    if "word/document.xml" in names or "opendocument.text" in mimetype:
        return "ini dokumen pengolah kata (Word/.docx), bukan buku kerja Excel"
    if "ppt/presentation.xml" in names:
        return "ini presentasi (PowerPoint/.pptx), bukan buku kerja Excel"
    return "arsip zip ini bukan buku kerja Excel (tidak ada bagian xl/workbook.xml)"


def merged_answers(book: Book, sheet: str, cells: list[tuple[str, str | None, str | None]]) -> list[Finding]:
    """``merged_answer`` errors for answer cells (A1 address, unit id, code) that lie inside a merged range without
    being its top-left cell: Excel keeps a merged range's value in that cell only, so such an answer reads as blank
    although the sheet shows the value across the range."""
    ranges = []
    for ref in book.merged(sheet):
        try:
            c1, r1, c2, r2 = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        if (r1, c1) != (r2, c2):
            ranges.append((r1, c1, r2, c2, ref))
    if not ranges:
        return []
    findings = []
    for address, unit_id, code in cells:
        try:
            col, row = coordinate_from_string(address)
        except (ValueError, TypeError):
            continue
        c = column_index_from_string(col)
        for r1, c1, r2, c2, ref in ranges:
            if r1 <= row <= r2 and c1 <= c <= c2 and (row, c) != (r1, c1):
                anchor = ref.split(":")[0]
                findings.append(Finding("merged_answer", file=str(book.path), sheet=sheet, cell=address,
                                        unit_id=unit_id, code=code, params={"found": ref, "expected": anchor}))
                break
    return findings


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


