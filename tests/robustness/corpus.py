"""The bad-input corpus: malformed inputs for every reader, generated at test time (nothing binary is committed).

Each :class:`Case` has a builder that writes its file(s) into a folder, starting from real layouts: the zi-nb template
(:func:`zi_nb.lke.template.write_template`, what ``zi-nb template`` writes), the circulated export layout (what
``zi-nb sample --format lke`` writes with :func:`zi_nb.lke.export.write_circulated`), the long format (CSV/XLSX), and
the real workbook ``../shared/real-lke/tangsel-opd-lke-zi-2021.xlsx``, copied and corrupted at the XML level so its
cached formula values stay intact. And the expectation:

* rejected: the exit status of ``zi-nb validate`` and of ``zi-nb score --strict``, and the lines that must appear:
  each :attr:`Case.expect` entry is a set of fragments that must share one output line, which must also name the
  file; for everything that has a place inside the file, the fragments name the sheet and A1 cell (``lembar 'LKE ZI',
  sel K8``) or the line (``baris 3``), and what was expected;
* accepted (a user expects the file to be read): both commands succeed (``validate`` may report the errors a file
  already had), ``score`` reports :attr:`Case.units`, and the expected warnings appear.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
import re
import shutil
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from tests.helpers import REAL_LKE, best_raw
from zi_nb.engine.rubric import Rubric, load_rubric
from zi_nb.lke.inputs import read_inputs
from zi_nb.lke.sample import write_synthetic
from zi_nb.lke.template import COL, IDENTITY_SHEET, LKE_SHEET, MARKER_SHEET, write_template

REAL_SHEET_PART = "xl/worksheets/sheet3.xml"  # 'LKE ZI' of the real workbook
ANSWER = get_column_letter(COL["answer"])  # the template's Jawaban Unit column


# -- the sources every case starts from ------------------------------------------------------------------------------
class Sources:
    """Base files, written once into ``root`` and copied (and corrupted) by the builders."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    @cached_property
    def rubric(self) -> Rubric:
        return load_rubric("zi-2021")

    @cached_property
    def best(self) -> list[dict[str, Any]]:
        """Best answers of every item of unit ``u1`` (consistent Jumlah inputs): a clean long-format table."""
        return best_raw(self.rubric, "u1")

    @cached_property
    def template(self) -> Path:
        path = self.root / "templat.xlsx"
        write_template(path, self.rubric, "dinas-kominfo", "Dinas Komunikasi dan Informatika", "Pemkot Contoh", 2024)
        return path

    @cached_property
    def filled_template(self) -> Path:
        """The template with the best answer of every item and Jumlah input in its Jawaban Unit column."""
        answers = {r["code"]: r["raw"] for r in self.best}
        rows = self.template_rows
        return edit_book(self.template, self.root / "templat-isi.xlsx", lambda wb: [
            wb[LKE_SHEET].cell(rows[code], COL["answer"], value) for code, value in answers.items() if code in rows])

    @cached_property
    def template_rows(self) -> dict[str, int]:
        """code -> 1-based row of the template's LKE sheet."""
        ws = openpyxl.load_workbook(self.template, read_only=True)[LKE_SHEET]
        return {row[0]: n for n, row in enumerate(ws.iter_rows(values_only=True), start=1)
                if isinstance(row[0], str) and row[0] in self.rubric.all_codes}

    @cached_property
    def circulated(self) -> Path:
        """One unit in the circulated export layout, unit and TPI columns (``zi-nb sample --format lke``)."""
        (path,) = write_synthetic(self.root / "edaran", 1, seed=7, fmt="lke")
        return path

    @cached_property
    def circulated_cells(self) -> dict[tuple[str, str], str]:
        """(tier, code) -> A1 address of the answer cell in the circulated workbook."""
        answers = read_inputs(self.circulated, self.rubric).answers
        return {(t, c): a for t, c, a in zip(answers["tier"], answers["code"], answers["cell"])}

    @cached_property
    def circulated_sheet(self) -> str:
        return openpyxl.load_workbook(self.circulated, read_only=True).sheetnames[0]


def long_csv(rows: list[dict[str, Any]], delimiter: str = ",", columns: tuple[str, ...] = (
        "unit_id", "tier", "code", "answer")) -> str:
    """A long-format CSV of raw rows (``raw`` is written as ``answer``); row n of ``rows`` is line n + 2."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        values = {**r, "answer": r.get("answer", r.get("raw"))}
        writer.writerow(["" if values.get(c) is None else values.get(c) for c in columns])
    return buffer.getvalue()


def with_answer(rows: list[dict[str, Any]], code: str, value: Any) -> tuple[list[dict[str, Any]], int]:
    """``rows`` with the answer of ``code`` replaced, and the CSV line that row lands on."""
    out = [dict(r) for r in rows]
    index = next(i for i, r in enumerate(out) if r["code"] == code)
    out[index]["raw"] = value
    return out, index + 2


def long_xlsx(path: Path, rows: list[dict[str, Any]], sheet: str = "jawaban") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["unit_id", "tier", "code", "answer"])
    for r in rows:
        ws.append([r["unit_id"], r["tier"], r["code"], r["raw"]])
    meta = wb.create_sheet("unit")
    meta.append(["unit_id", "unit_name", "instansi", "year"])
    meta.append(["u1", "Kantor Satu", "Pemkab Contoh", 2024])
    wb.save(path)
    return path


def patch_zip(src: Path, dst: Path, edits: dict[str, Callable[[bytes], bytes]] | None = None,
              add: dict[str, bytes] | None = None) -> Path:
    """A copy of the zip ``src`` with some parts rewritten (``edits``) or added."""
    edits, add = edits or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, edits[info.filename](data) if info.filename in edits else data)
        for name, data in add.items():
            zout.writestr(name, data)
    return dst


def set_cell(ref: str, replacement: str) -> Callable[[bytes], bytes]:
    """An edit of a sheet part that replaces the ``<c r="REF" ...>`` element by ``replacement``."""
    pattern = re.compile(rf'<c r="{ref}"(?: [^>]*)?(?:/>|>.*?</c>)', re.DOTALL)

    def edit(data: bytes) -> bytes:
        text, n = pattern.subn(replacement, data.decode("utf-8"), count=1)
        assert n == 1, f"cell {ref} not found"
        return text.encode("utf-8")

    return edit


def chain(*edits: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        for e in edits:
            data = e(data)
        return data

    return edit


def edit_book(src: Path, dst: Path, edit: Callable[[Any], None]) -> Path:
    wb = openpyxl.load_workbook(src)
    edit(wb)
    wb.save(dst)
    return dst


def cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 Compound File (what Excel writes for .xls and for password-protected .xlsx): 512-byte sectors,
    one FAT sector, one directory sector, each stream padded to whole sectors (>= 4096 bytes, so no mini stream)."""
    assert len(streams) <= 3
    sector = 512
    end, free, fat_sect = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    data_sectors: list[bytes] = []
    entries = []
    for name, content in streams.items():
        content = content.ljust(max(4096, -(-len(content) // sector) * sector), b"\0")
        first = 2 + len(data_sectors)
        data_sectors += [content[i:i + sector] for i in range(0, len(content), sector)]
        entries.append((name, 2, first, len(content)))
    fat = [fat_sect, end]
    for _name, _, first, size in entries:
        count = size // sector
        fat += [first + i + 1 for i in range(count - 1)] + [end]
    fat += [free] * (sector // 4 - len(fat))

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, left, right, child)
                + b"\0" * 16 + b"\0" * 4 + b"\0" * 16 + struct.pack("<IQ", start, size))

    nostream = 0xFFFFFFFF
    directory = entry("Root Entry", 5, nostream, nostream, 1, end, 0)
    for n, (name, kind, first, size) in enumerate(entries, start=1):
        directory += entry(name, kind, nostream, n + 1 if n < len(entries) else nostream, nostream, first, size)
    directory = directory.ljust(sector, b"\0")
    for offset in range(128 * (len(entries) + 1), sector, 128):  # unused entries: no siblings
        directory = directory[:offset + 68] + struct.pack("<III", nostream, nostream, nostream) + \
            directory[offset + 80:]
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    assert len(header) == sector
    return header + struct.pack(f"<{sector // 4}I", *fat) + directory + b"".join(data_sectors)


# -- cases ---------------------------------------------------------------------------------------------------------
Builder = Callable[[Sources, Path], list[Path]]


@dataclass(frozen=True)
class Case:
    name: str
    category: str
    build: Builder
    accepted: bool
    validate_exit: int
    score_exit: int  # of ``score --strict`` for rejected cases, of ``score`` for accepted ones (1 when the data has
    # errors: the unit's result is then ``sementara``)
    expect: tuple[tuple[str, ...], ...] = ()
    units: tuple[str, ...] = ()  # accepted: the units that score reports
    why: str = ""
    file_named: bool = True  # each expected line names the (first) file


CASES: list[Case] = []
_LOCATIONS: dict[str, dict[str, str]] = {}  # case -> placeholders filled by its builder ({cell}, {line})


def case(name: str, category: str, *, accepted: bool = False, validate_exit: int | None = None,
         score_exit: int | None = None, expect: tuple[tuple[str, ...], ...] = (), units: tuple[str, ...] = (),
         why: str = "", file_named: bool = True) -> Callable[[Builder], Builder]:
    """Register a builder as a case. Default exits: accepted 0/0 (0/1 with validate_exit 1: score exits 1 for a
    result from data with errors); rejected 2/2 (fatal) unless given."""

    def register(build: Builder) -> Builder:
        v = validate_exit if validate_exit is not None else (0 if accepted else 2)
        s = score_exit if score_exit is not None else v
        CASES.append(Case(name, category, build, accepted, v, s, expect, units, why, file_named))
        return build

    return register


def located(name: str, **where: Any) -> None:
    """Record the places (cell, line...) a builder computed, for the case's expected fragments."""
    _LOCATIONS[name] = {k: str(v) for k, v in where.items()}


def expectations(c: Case) -> list[tuple[str, ...]]:
    """The case's expected fragments with the places its builder recorded filled in."""
    where = _LOCATIONS.get(c.name, {})
    return [tuple(fragment.format(**where) for fragment in line) for line in c.expect]


def write(path: Path, content: str | bytes, encoding: str = "utf-8") -> list[Path]:
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return [path]


def write_zip(path: Path, entries: dict[str, str]) -> list[Path]:
    """A zip archive with these entries (name -> text): what an .xlsx file is made of, minus the workbook."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in entries.items():
            zf.writestr(name, text)
    return [path]


# ---- files that are not a usable workbook or CSV at all --------------------------------------------------------------
FILE = "berkas"


@case("empty_csv", FILE, expect=(("Berkas kosong",),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "kosong.csv", b"")


@case("empty_xlsx", FILE, expect=(("Berkas kosong",),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "kosong.xlsx", b"")


@case("blank_lines_only_csv", FILE, expect=(("Berkas kosong",),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "spasi.csv", "\n \n\t\n\n")


@case("truncated_real_workbook", FILE, expect=(("XLSX", "terpotong", "simpan ulang"),),
      why="an interrupted download of the real LKE")
def _(s: Sources, d: Path) -> list[Path]:
    data = REAL_LKE.read_bytes()
    return write(d / "lke-terpotong.xlsx", data[: len(data) * 3 // 5])


@case("truncated_template", FILE, expect=(("XLSX", "terpotong"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "templat-terpotong.xlsx", s.template.read_bytes()[:2000])


@case("pdf_named_xlsx", FILE, expect=(("berkas PDF", "bukan buku kerja .xlsx"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "lke.xlsx",
                 b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)))


@case("text_named_xlsx", FILE, expect=(("XLSX", "isinya teks biasa", "simpan sebagai .xlsx"),),
      why="a note or a broken export saved under the workbook's name")
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "lke-unit.xlsx", "bukan buku kerja\nhanya catatan\n")


@case("png_named_csv", FILE, expect=(("gambar PNG", "CSV"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "jawaban.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))


@case("random_binary", FILE, expect=(("bukan teks CSV", "UTF-8"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "acak.dat", random.Random(7).randbytes(5000))


@case("zip_without_workbook", FILE, expect=(("XLSX", "bukan buku kerja Excel"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write_zip(d / "arsip.xlsx", {"catatan.txt": "bukan buku kerja"})


@case("word_document_named_xlsx", FILE, expect=(("XLSX", "Word", "bukan buku kerja Excel"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write_zip(d / "laporan.xlsx", {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})


@case("opendocument_spreadsheet", FILE, expect=(("OpenDocument", ".xlsx"),),
      why="LibreOffice's .ods saved under an .xlsx name")
def _(s: Sources, d: Path) -> list[Path]:
    return write_zip(d / "lke.xlsx", {"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                                      "content.xml": "<office:document-content/>"})


@case("password_protected_xlsx", FILE, expect=(("kata sandi", "simpan", ".xlsx tanpa kata sandi"),),
      why="Excel encrypts a password-protected .xlsx into an OLE2 container (EncryptionInfo + EncryptedPackage)")
def _(s: Sources, d: Path) -> list[Path]:
    rng = random.Random(11)
    info = struct.pack("<HHI", 4, 4, 0x40) + rng.randbytes(200)
    package = struct.pack("<Q", 300_000) + rng.randbytes(8000)
    return write(d / "lke-berkata-sandi.xlsx", cfb({"EncryptionInfo": info, "EncryptedPackage": package}))


@case("old_xls_workbook", FILE, expect=(("Excel 97-2003", ".xls", ".xlsx"),))
def _(s: Sources, d: Path) -> list[Path]:
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x1F1D, 1997, 0, 0x0006)
    return write(d / "lke-lama.xls", cfb({"Workbook": bof + bytes(4096)}))


@case("ole_magic_only", FILE, expect=(("XLSX", ".xls lama", "kata sandi"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "rusak.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))


@case("folder_instead_of_file", FILE, expect=(("folder", "zi-nb bulk"),))
def _(s: Sources, d: Path) -> list[Path]:
    (d / "lke-2024").mkdir()
    return [d / "lke-2024"]


@case("missing_file", FILE, expect=(("tidak ditemukan",),))
def _(s: Sources, d: Path) -> list[Path]:
    return [d / "tidak-ada.xlsx"]


@case("file_above_size_limit", FILE, expect=(("terlalu besar", "50 MB"),),
      why="a 50 MB + 1 byte sparse file: refused before a byte is read")
def _(s: Sources, d: Path) -> list[Path]:
    path = d / "besar.csv"
    with open(path, "wb") as fh:
        fh.write(b"unit_id,code,answer\n")
        fh.truncate(50 * 1024 * 1024 + 1)
    return [path]


@case("zip_bomb", FILE, expect=(("melebihi batas", "200 MB", "zip bomb", "xl/worksheets/sheet1.xml"),),
      why="a 200 KB .xlsx whose sheet inflates to 210 MB")
def _(s: Sources, d: Path) -> list[Path]:
    path = d / "bom.xlsx"
    chunk = b"<!-- " + b" " * (1 << 20) + b" -->"
    with zipfile.ZipFile(s.template) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED,
                                                             compresslevel=1) as zout:
        for info in zin.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info.filename, zin.read(info.filename))
        with zout.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0"?>')
            for _ in range(210):
                fh.write(chunk)
            fh.write(b"<worksheet/>")
    return [path]


@case("value_in_last_cell_xfd1048576", FILE,
      expect=(("lembar 'jawaban', sel XFD1048576", "1.048.576 baris", "batasnya", "Hapus isi sel"),),
      why="a 5 KB workbook whose one far cell made calamine ask for 512 GB and abort the process")
def _(s: Sources, d: Path) -> list[Path]:
    path = d / "sel-jauh.xlsx"
    long_xlsx(path, s.best[:5])
    wb = openpyxl.load_workbook(path)
    wb["jawaban"]["XFD1048576"] = "x"
    wb.save(path)
    return [path]


def strict_ooxml(src: Path, dst: Path) -> Path:
    """``src`` saved as "Strict Open XML Spreadsheet" (ISO 29500 strict namespaces), as Excel can."""
    namespaces = [(b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                   b"http://purl.oclc.org/ooxml/spreadsheetml/main"),
                  (b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                   b"http://purl.oclc.org/ooxml/officeDocument/relationships")]

    def edit(data: bytes) -> bytes:
        for old, new in namespaces:
            data = data.replace(old, new)
        return data

    with zipfile.ZipFile(src) as zf:
        parts = [n for n in zf.namelist() if n.startswith("xl/") and n.endswith(".xml")]
    return patch_zip(src, dst, {n: edit for n in parts})


@case("strict_ooxml_value_in_last_cell", FILE,
      expect=(("lembar 'jawaban', sel XFD1048576", "1.048.576 baris", "batasnya"),),
      why="the size check must not depend on the transitional namespace")
def _(s: Sources, d: Path) -> list[Path]:
    path = long_xlsx(d / "sel-jauh.xlsx", s.best[:5])
    wb = openpyxl.load_workbook(path)
    wb["jawaban"]["XFD1048576"] = "x"
    wb.save(path)
    return [strict_ooxml(path, d / "strict-sel-jauh.xlsx")]


@case("csv_above_row_limit", FILE, expect=(("1.000.002 baris", "batasnya 1.000.000 baris data", "Pecah"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "sejuta.csv", b"unit_id,code,answer\n" + b"u1,PPA1A,Ya\n" * 1_000_001)


@case("csv_one_20_mb_line", FILE, expect=(("baris 1", "bukan baris kepala", "xxx…", "unit_id, code, answer"),),
      why="the message shows the start of the line, not 20 MB of it")
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "satu-baris.csv", b"x" * (20 * 1024 * 1024))


@case("billion_laughs_sheet", FILE, expect=(("lembar 'LKE'", "tidak dapat dibaca", "XML lembar ini rusak", "simpan"),),
      why="XML entity expansion in a sheet part")
def _(s: Sources, d: Path) -> list[Path]:
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
           + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
           '<c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    return [patch_zip(s.template, d / "lol.xlsx", {"xl/worksheets/sheet2.xml": lambda _: lol.encode()})]


@case("nul_bytes_in_csv", FILE, expect=(("bukan teks CSV",),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "nul.csv", long_csv(s.best[:3]).encode() + b"u1,unit,PPA2A,\x00\x00\x00Ya\n")


@case("utf32_csv", FILE, expect=(("bukan teks CSV", "UTF-8"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "utf32.csv", long_csv(s.best[:3]), encoding="utf-32")


@case("damaged_sheet_xml_in_real_workbook", FILE,
      expect=(("lembar 'LKE ZI'", "tidak dapat dibaca sebagai XLSX", "XML lembar ini rusak", "simpan ulang"),))
def _(s: Sources, d: Path) -> list[Path]:
    return [patch_zip(REAL_LKE, d / "lke-rusak.xlsx", {REAL_SHEET_PART: lambda b: b[: len(b) // 2]})]


@case("control_characters_in_file_name", FILE, validate_exit=1,
      expect=(("baris 2", "Jawaban 'Mungkin' tidak sah", "Ya/Tidak"),),
      why="a file name that would clear the terminal is shown escaped")
def _(s: Sources, d: Path) -> list[Path]:
    rows, _ = with_answer(s.best, "PPA1A", "Mungkin")
    return write(d / "lke\x1b[2J\u202egpj.csv", long_csv(rows))


# ---- long-format CSV -----------------------------------------------------------------------------------------------
CSV = "CSV format panjang"


@case("excel_unicode_text_utf16_tab", CSV, accepted=True, units=("u1",))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "unicode.txt", "\ufeff" + long_csv(s.best, "\t").replace("\n", "\r\n"), encoding="utf-16-le")


@case("cp1252_semicolon_accented_note", CSV, accepted=True, units=("u1",))
def _(s: Sources, d: Path) -> list[Path]:
    rows = [dict(r, note="Sudah dievaluasi oleh tim (résumé)") for r in s.best]
    return write(d / "cp1252.csv", long_csv(rows, ";", ("unit_id", "tier", "code", "answer", "note")), "cp1252")


@case("bom_semicolon_decimal_comma", CSV, accepted=True, units=("u1",))
def _(s: Sources, d: Path) -> list[Path]:
    rows, _ = with_answer(s.best, "HBA", "3,6")
    return write(d / "bom.csv", "\ufeff" + long_csv(rows, ";"))


@case("pipe_delimited", CSV, accepted=True, units=("u1",))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "pipa.csv", long_csv(s.best, "|"))


@case("excel_sep_line", CSV, accepted=True, units=("u1",), expect=(("baris 3", "Jawaban 'ya' dibaca sebagai 'Ya'"),),
      why="Excel writes 'sep=;' on the first line: the header is line 2, PPA1A line 3")
def _(s: Sources, d: Path) -> list[Path]:
    rows, _ = with_answer(s.best, "PPA1A", "ya")
    return write(d / "sep.csv", "sep=;\n" + long_csv(rows, ";"))


@case("crlf_and_old_mac_line_endings", CSV, accepted=True, units=("u1",))
def _(s: Sources, d: Path) -> list[Path]:
    text = long_csv(s.best)
    half = len(text) // 2
    return write(d / "baris.csv", text[:half].replace("\n", "\r\n") + text[half:].replace("\n", "\r"))


@case("header_only", CSV, expect=(("baris 1", "Tidak ada unit", "yang diharapkan", "unit_id, code dan answer"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "kepala.csv", "unit_id,tier,code,answer\n")


@case("missing_answer_column", CSV, expect=(("baris 1", "Kolom wajib 'answer' tidak ada", "unit_id, tier, code"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "tanpa-jawaban.csv", long_csv(s.best[:5], columns=("unit_id", "tier", "code")))


@case("missing_unit_id_column", CSV, expect=(("baris 1", "Kolom wajib 'unit_id' tidak ada"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "tanpa-unit.csv", long_csv(s.best[:5], columns=("tier", "code", "answer")))


@case("unknown_header", CSV, expect=(("baris 1", "bukan baris kepala", "unit_id, code, answer"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "kepala-lain.csv", "nomor,pertanyaan,isian\n1,Tim kerja,Ya\n")


@case("blank_first_line", CSV, expect=(("baris 1", "baris kosong", "unit_id, code, answer"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "baris-kosong.csv", "\n" + long_csv(s.best[:5]))


@case("rows_with_another_delimiter", CSV, expect=(("baris 2", "hanya berisi satu kolom", "dipisah ';'"),),
      why="a header saved with ';' and rows pasted with ','")
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "campur.csv", "unit_id;tier;code;answer\n" + long_csv(s.best[:5]).split("\n", 1)[1])


@case("unterminated_quote", CSV, expect=(("baris 4", "tanda kutip", "tidak pernah ditutup"),))
def _(s: Sources, d: Path) -> list[Path]:
    text = long_csv(s.best[:6], columns=("unit_id", "tier", "code", "answer", "note"))
    lines = text.split("\n")
    lines[3] += '"Catatan yang dibuka'
    return write(d / "kutip.csv", "\n".join(lines))


@case("truncated_inside_a_quoted_note", CSV,
      expect=(("baris {line}", "tanda kutip", "tidak pernah ditutup", "terpotong"),),
      why="the sample CSV (multi-line evidence) cut in the middle of a note")
def _(s: Sources, d: Path) -> list[Path]:
    (path, _) = write_synthetic(d / "sampel", 1, seed=3, fmt="csv")
    text = path.read_text(encoding="utf-8")
    opening = text.index(',"', len(text) // 2)  # a quoted multi-line evidence field opens here
    cut = text.index("\n", opening)  # ... and is cut after its first line
    located("truncated_inside_a_quoted_note", line=text[:opening].count("\n") + 1)
    target = d / "sampel-terpotong.csv"
    target.write_text(text[:cut], encoding="utf-8")
    shutil.rmtree(d / "sampel")
    return [target]


@case("truncated_in_the_middle_of_a_row", CSV, accepted=True, units=("u1",),
      expect=(("baris {line}", "PPA2B", "belum dijawab"),), why="the cut row's item is reported unanswered")
def _(s: Sources, d: Path) -> list[Path]:
    index = next(i for i, r in enumerate(s.best) if r["code"] == "PPA2B")
    located("truncated_in_the_middle_of_a_row", line=index + 2)
    text = long_csv(s.best[: index + 1])
    return write(d / "terpotong.csv", text[: text.rindex(",")])


def _answer_case(name: str, code: str, value: Any, *fragments: str, accepted: bool = False, why: str = "") -> None:
    """A clean long-format CSV with one answer replaced by ``value``, expecting a finding on its line."""

    @case(name, CSV, accepted=accepted, validate_exit=0 if accepted else 1, units=("u1",) if accepted else (),
          expect=(("baris {line}", *fragments),), why=why)
    def build(s: Sources, d: Path) -> list[Path]:
        rows, line = with_answer(s.best, code, value)
        located(name, line=line)
        return write(d / f"{name}.csv", long_csv(rows))


_answer_case("date_where_option_belongs", "PPA1B", "2024-01-05", "Jawaban '2024-01-05' tidak sah", "A/B/C")
_answer_case("number_where_option_belongs", "PPA1B", "3", "Jawaban '3' tidak sah", "A/B/C")
_answer_case("formula_text_as_answer", "PPA1A", "=1+1", "Jawaban '=1+1' tidak sah", "Ya/Tidak")
_answer_case("text_in_jumlah", "PRD1A.jumlah_sasaran", "sepuluh", "bukan angka", "bilangan 0 atau lebih")
_answer_case("negative_jumlah", "PRD1A.jumlah_sasaran", "-4", "negatif", "0 atau lebih")
_answer_case("absurd_jumlah", "PRD1A.jumlah_sasaran_tercapai", "1000000000", "tidak masuk akal",
             "0 sampai 1.000.000", why="a billion targets met in one unit")
_answer_case("fractional_jumlah", "PRD1A.jumlah_sasaran", "10,5", "bukan bilangan bulat", accepted=True)
_answer_case("survey_index_without_decimal_comma", "HBA", "36", "di luar rentang 0..4", "dipotong ke 4",
             why="3,6 typed as 36")
_answer_case("excel_error_text", "PPA2A", "#DIV/0!", "galat Excel #DIV/0!", "Ya/Tidak")
@case("unknown_code", CSV, validate_exit=1, expect=(("baris 3", "Kode 'PPZ9Z' tidak ada dalam rubrik zi-2021"),))
def _(s: Sources, d: Path) -> list[Path]:
    rows = [dict(r) for r in s.best]
    rows[1]["code"] = "PPZ9Z"
    return write(d / "kode.csv", long_csv(rows))


@case("unknown_tier", CSV, validate_exit=1, expect=(("baris 3", "Tingkat penilai 'auditor' tidak dikenal", "tpi"),))
def _(s: Sources, d: Path) -> list[Path]:
    rows = [dict(r) for r in s.best]
    rows[1]["tier"] = "auditor"
    return write(d / "tingkat.csv", long_csv(rows))


@case("conflicting_duplicates", CSV, validate_exit=1,
      expect=(("PPA1B", "Jawaban ganda yang bertentangan", "baris 3", "baris {line}"),))
def _(s: Sources, d: Path) -> list[Path]:
    rows = [*s.best, dict(s.best[1], raw="C")]
    located("conflicting_duplicates", line=len(rows) + 1)
    return write(d / "ganda.csv", long_csv(rows))


@case("identical_duplicates", CSV, accepted=True, units=("u1",), expect=(("Jawaban ganda yang sama", "baris 3"),))
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "ganda-sama.csv", long_csv([*s.best, dict(s.best[1])]))


@case("stated_total_differs_from_parts", CSV, validate_exit=1,
      expect=(("baris {line}", "Jumlah yang dinyatakan 31 berbeda dengan jumlah rinciannya 30"),))
def _(s: Sources, d: Path) -> list[Path]:
    rows, line = with_answer(s.best, "PRE3A.wajib_total", 31)
    located("stated_total_differs_from_parts", line=line)
    return write(d / "total.csv", long_csv(rows))


@case("achieved_above_base", CSV, validate_exit=1, expect=(("baris {line}", "melebihi", "tidak konsisten"),))
def _(s: Sources, d: Path) -> list[Path]:
    rows, line = with_answer(s.best, "PRD1A.jumlah_sasaran_tercapai", 11)
    located("achieved_above_base", line=line)
    return write(d / "melebihi.csv", long_csv(rows))


@case("percent_item_stated_as_250", CSV, validate_exit=1,
      expect=(("baris {line}", "Nilai '250' tidak masuk akal", "0 sampai 100%"),),
      why="a % item answered directly with 250 was silently capped to 100 %")
def _(s: Sources, d: Path) -> list[Path]:
    rows = [r for r in s.best if not r["code"].startswith("PRD1A.")] + [
        {"unit_id": "u1", "tier": "unit", "code": "PRD1A", "raw": "250"}]
    located("percent_item_stated_as_250", line=len(rows) + 1)
    return write(d / "persen.csv", long_csv(rows))


@case("empty_unit_id", CSV, validate_exit=1, expect=(("baris 4", "unit_id kosong"),))
def _(s: Sources, d: Path) -> list[Path]:
    rows = [dict(r) for r in s.best]
    rows[2]["unit_id"] = ""
    return write(d / "tanpa-id.csv", long_csv(rows))


@case("unit_id_with_path_separators", CSV, accepted=True, units=("../../etc/dinas\\pendidikan",),
      why="a name, not a path: reports are named by its slug")
def _(s: Sources, d: Path) -> list[Path]:
    rows = [dict(r, unit_id="../../etc/dinas\\pendidikan") for r in s.best]
    return write(d / "garis-miring.csv", long_csv(rows))


@case("unit_id_with_terminal_escapes", CSV, accepted=True, units=("u1[2J",),
      expect=(("baris 2", "unit_id", "u1\\x1b[2J\\x07", "dibaca sebagai 'u1[2J'"),),
      why="control characters are dropped from ids (warning) and shown escaped")
def _(s: Sources, d: Path) -> list[Path]:
    return write(d / "kendali.csv", "unit_id,code,answer\nu1\x1b[2J\x07,PPA1A,Ya\n")


@case("unit_id_with_bidi_override", CSV, accepted=True, units=("unit-exe.pdf",),
      expect=(("unit_id", "\\u202e", "dibaca sebagai 'unit-exe.pdf'"),))
def _(s: Sources, d: Path) -> list[Path]:
    rows = [dict(r, unit_id="unit-\u202eexe.pdf") for r in s.best]
    return write(d / "bidi.csv", long_csv(rows))


@case("right_to_left_unit_name", CSV, accepted=True, units=("وحدة-١",), why="Arabic script is text, not an attack")
def _(s: Sources, d: Path) -> list[Path]:
    rows = [dict(r, unit_id="وحدة-١") for r in s.best]
    write(d / "rtl.csv", long_csv(rows))
    return [d / "rtl.csv", *write(d / "rtl-unit.csv", "unit_id,unit_name,instansi\nوحدة-١,مكتب الخدمة العامة,Pemkot\n")]


@case("metadata_year_as_words", CSV, accepted=True, units=("u1",),
      expect=(("baris 2", "Metadata unit 'tahun' tidak sah", "dua ribu dua empat", "bilangan bulat"),))
def _(s: Sources, d: Path) -> list[Path]:
    write(d / "jawaban.csv", long_csv(s.best))
    return [d / "jawaban.csv", *write(d / "unit.csv", "unit_id,unit_name,year\nu1,Kantor Satu,dua ribu dua empat\n")]


# ---- long-format XLSX ----------------------------------------------------------------------------------------------
LONG_XLSX = "XLSX format panjang"


def _xlsx_case(name: str, code: str, value: Any, *fragments: str, validate_exit: int = 1) -> None:
    @case(name, LONG_XLSX, validate_exit=validate_exit, expect=(("lembar 'jawaban', sel D{row}", *fragments),))
    def build(s: Sources, d: Path) -> list[Path]:
        rows, line = with_answer(s.best, code, value)
        located(name, row=line)
        return [long_xlsx(d / f"{name}.xlsx", rows)]


_xlsx_case("xlsx_date_where_option_belongs", "PPA1B", datetime.datetime(2024, 1, 5),
           "Jawaban '2024-01-05", "A/B/C")
_xlsx_case("xlsx_boolean_where_option_belongs", "PPA1A", True, "Jawaban 'True' tidak sah", "Ya/Tidak")
_xlsx_case("xlsx_formula_error_value", "PPA2A", "#N/A", "galat Excel #N/A", "Ya/Tidak")
_xlsx_case("xlsx_absurd_jumlah_number", "PRE3A.wajib_total", 1e15, "tidak masuk akal", "1.000.000")
_xlsx_case("xlsx_text_where_index_belongs", "HPA", "baik sekali", "bukan angka", "indeks 0..4")


@case("xlsx_strict_open_xml", LONG_XLSX, accepted=True, units=("u1",), why="Excel's 'Strict Open XML' format")
def _(s: Sources, d: Path) -> list[Path]:
    return [strict_ooxml(long_xlsx(d / "biasa.xlsx", s.best), d / "strict.xlsx")]


@case("xlsx_missing_answer_column", LONG_XLSX,
      expect=(("lembar 'jawaban' baris 1", "sel A1", "tidak memuat kolom answer", "yang diharapkan"),))
def _(s: Sources, d: Path) -> list[Path]:
    path = long_xlsx(d / "tanpa-jawaban.xlsx", s.best[:5])
    return [edit_book(path, path, lambda wb: wb["jawaban"].cell(1, 4, "nilai_akhir"))]


@case("xlsx_merged_answers", LONG_XLSX, validate_exit=1,
      expect=(("lembar 'jawaban', sel D3", "sel gabungan D2:D3", "hanya dibaca di D2"),))
def _(s: Sources, d: Path) -> list[Path]:
    path = long_xlsx(d / "gabung.xlsx", s.best)
    return [edit_book(path, path, lambda wb: wb["jawaban"].merge_cells("D2:D3"))]


@case("xlsx_conflict_across_sheets", LONG_XLSX, validate_exit=1,
      expect=(("lembar 'tambahan', sel D2", "Jawaban ganda yang bertentangan", "lembar 'jawaban' D3"),))
def _(s: Sources, d: Path) -> list[Path]:
    path = long_xlsx(d / "dua-lembar.xlsx", s.best)

    def edit(wb: Any) -> None:
        ws = wb.create_sheet("tambahan")
        ws.append(["unit_id", "tier", "code", "answer"])
        ws.append(["u1", "unit", "PPA1B", "C"])

    return [edit_book(path, path, edit)]


# ---- the zi-nb template ------------------------------------------------------------------------------------------
TEMPLATE = "templat zi-nb"


def _template_case(name: str, code: str, value: Any, *fragments: str, validate_exit: int = 1) -> None:
    @case(name, TEMPLATE, validate_exit=validate_exit,
          expect=(("lembar 'LKE', sel {cell}", *fragments),))
    def build(s: Sources, d: Path) -> list[Path]:
        row = s.template_rows[code]
        located(name, cell=f"{ANSWER}{row}")
        return [edit_book(s.filled_template, d / f"{name}.xlsx",
                          lambda wb: wb[LKE_SHEET].cell(row, COL["answer"], value))]


_template_case("template_invalid_option", "PPB1A", "Mungkin", "Jawaban 'Mungkin' tidak sah", "A/B/C/D")
_template_case("template_date_in_jumlah", "PRD1A.jumlah_sasaran", datetime.date(2024, 3, 1),
               "bukan angka", "bilangan 0 atau lebih")
_template_case("template_error_value", "PPC1A", "#REF!", "galat Excel #REF!")
_template_case("template_negative_survey_index", "HBA", -2, "di luar rentang 0..4")


@case("template_lke_sheet_deleted", TEMPLATE, expect=(("Lembar 'LKE' tidak ada", "Identitas Unit"),))
def _(s: Sources, d: Path) -> list[Path]:
    return [edit_book(s.filled_template, d / "tanpa-lke.xlsx", lambda wb: wb.remove(wb[LKE_SHEET]))]


@case("template_answer_header_renamed", TEMPLATE,
      expect=(("lembar 'LKE', sel A3", "Kolom wajib 'Kode, Jawaban Unit' tidak ada", "Kode, Komponen"),))
def _(s: Sources, d: Path) -> list[Path]:
    return [edit_book(s.filled_template, d / "kepala.xlsx", lambda wb: wb[LKE_SHEET].cell(3, COL["answer"], "Isian"))]


@case("template_identity_sheet_deleted", TEMPLATE, accepted=True, units=("dinas-kominfo",),
      expect=(("PERINGATAN", "Lembar 'Identitas Unit' tidak ada"),))
def _(s: Sources, d: Path) -> list[Path]:
    return [edit_book(s.filled_template, d / "tanpa-identitas.xlsx", lambda wb: wb.remove(wb[IDENTITY_SHEET]))]


@case("template_unit_id_erased", TEMPLATE, expect=(("lembar 'Identitas Unit', sel B4", "unit_id kosong"),))
def _(s: Sources, d: Path) -> list[Path]:
    def edit(wb: Any) -> None:
        wb[IDENTITY_SHEET]["B4"] = None
        marker = wb[MARKER_SHEET]
        for row in marker.iter_rows():
            if row[0].value == "unit_id":
                row[1].value = None

    return [edit_book(s.filled_template, d / "tanpa-id.xlsx", edit)]


@case("template_merged_answers", TEMPLATE, validate_exit=1,
      expect=(("lembar 'LKE', sel {cell}", "sel gabungan {range}"),))
def _(s: Sources, d: Path) -> list[Path]:
    first, second = s.template_rows["PPA2A"], s.template_rows["PPA2B"]
    assert second == first + 1
    located("template_merged_answers", cell=f"{ANSWER}{second}", range=f"{ANSWER}{first}:{ANSWER}{second}")

    def edit(wb: Any) -> None:
        wb[LKE_SHEET].cell(first, COL["answer"], "Ya")
        wb[LKE_SHEET].merge_cells(f"{ANSWER}{first}:{ANSWER}{second}")

    return [edit_book(s.filled_template, d / "gabung.xlsx", edit)]


@case("template_of_another_rubric_version", TEMPLATE, accepted=True, units=("dinas-kominfo",),
      expect=(("PERINGATAN", "Templat dibuat untuk rubrik", "periksa kode butir"),))
def _(s: Sources, d: Path) -> list[Path]:
    def edit(wb: Any) -> None:
        for row in wb[MARKER_SHEET].iter_rows():
            if row[0].value == "rubric_hash":
                row[1].value = "sha256:0000"
        wb[LKE_SHEET].cell(s.template_rows["PPA1A"], COL["answer"], "Ya")

    return [edit_book(s.filled_template, d / "rubrik-lama.xlsx", edit)]


@case("template_unit_name_with_controls", TEMPLATE, accepted=True, units=("dinas-kominfo",),
      expect=(("lembar 'Identitas Unit'", "unit_name", "\\x1b]0;", "dibaca sebagai"),))
def _(s: Sources, d: Path) -> list[Path]:
    def edit(wb: Any) -> None:
        wb[IDENTITY_SHEET]["B5"] = "Dinas_x001B_]0;judul_x0007_ Kominfo"  # how Excel stores ESC and BEL
        wb[LKE_SHEET].cell(s.template_rows["PPA1A"], COL["answer"], "Ya")

    return [edit_book(s.filled_template, d / "nama-kendali.xlsx", edit)]


# ---- the circulated export layout ------------------------------------------------------------------------------------
CIRCULATED = "LKE edaran (tata letak ekspor)"


@case("circulated_invalid_tpi_answer", CIRCULATED, validate_exit=1,
      expect=(("lembar '{sheet}', sel {cell}", "Jawaban 'Z' tidak sah", "A/B/C"),))
def _(s: Sources, d: Path) -> list[Path]:
    address = s.circulated_cells[("tpi", "PPA1B")]
    located("circulated_invalid_tpi_answer", sheet=s.circulated_sheet, cell=address)
    return [edit_book(s.circulated, d / "tpi.xlsx", lambda wb: wb.active.__setitem__(address, "Z"))]


@case("circulated_answer_header_renamed", CIRCULATED,
      expect=(("tampak seperti kepala tabel LKE", "tidak memuat kolom 'Jawaban (Jawaban Unit)'", "baris {row}"),))
def _(s: Sources, d: Path) -> list[Path]:
    def edit(wb: Any) -> None:
        for row in wb.active.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("Jawaban"):
                    located("circulated_answer_header_renamed", row=c.row)
                    c.value = "Isian " + c.value[len("Jawaban"):]

    return [edit_book(s.circulated, d / "kepala.xlsx", edit)]


@case("circulated_question_garbled", CIRCULATED, accepted=True, units=("unit-00001",),
      expect=(("tidak dapat dipetakan", "zzzz"), ("Butir PPB1A tidak ditemukan",)),
      why="the item is reported missing and its row unmapped; the rest is read")
def _(s: Sources, d: Path) -> list[Path]:
    address = s.circulated_cells[("unit", "PPB1A")]
    row = int(address.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))

    def edit(wb: Any) -> None:
        for c in wb.active[row]:
            if isinstance(c.value, str) and len(c.value) > 30:
                c.value = "zzzz qqqq " * 5
                return

    return [edit_book(s.circulated, d / "teks.xlsx", edit)]


@case("circulated_answer_type_cell_garbage", CIRCULATED, accepted=True, units=("unit-00001",),
      expect=(("Tipe jawaban di lembar kerja 'Ya/Tdk' berbeda dengan rubrik 'Ya/Tidak'",),))
def _(s: Sources, d: Path) -> list[Path]:
    def edit(wb: Any) -> None:
        ws = wb.active
        header = next(c for row in ws.iter_rows(max_row=20) for c in row if c.value == "Pilihan Jawaban")
        row = int(s.circulated_cells[("unit", "PPA1A")].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        ws.cell(row, header.column, "Ya/Tdk")

    return [edit_book(s.circulated, d / "tipe.xlsx", edit)]


@case("circulated_merged_answers", CIRCULATED, validate_exit=1,
      expect=(("lembar '{sheet}', sel {cell}", "sel gabungan {range}", "Pisahkan"),))
def _(s: Sources, d: Path) -> list[Path]:
    first, second = s.circulated_cells[("unit", "PPA2A")], s.circulated_cells[("unit", "PPA2B")]
    located("circulated_merged_answers", sheet=s.circulated_sheet, cell=second, range=f"{first}:{second}")
    return [edit_book(s.circulated, d / "gabung.xlsx", lambda wb: wb.active.merge_cells(f"{first}:{second}"))]


# ---- the real circulated workbook (Tangerang Selatan), corrupted in its XML ------------------------------------------
REAL = "LKE nyata (Tangsel)"
REAL_ERRORS = 6  # cached-value and Jumlah errors the real workbook already has: validate exits 1 on it


def _real_case(name: str, edit: Callable[[bytes], bytes], *lines: tuple[str, ...], accepted: bool = False,
               validate_exit: int = 1, why: str = "") -> None:
    @case(name, REAL, accepted=accepted, validate_exit=validate_exit, score_exit=None,
          units=("tangsel-opd-lke-zi-2021",) if accepted else (), expect=lines, why=why)
    def build(s: Sources, d: Path) -> list[Path]:
        return [patch_zip(REAL_LKE, d / "tangsel-opd-lke-zi-2021.xlsx", {REAL_SHEET_PART: edit})]


_real_case("real_number_where_option_belongs", set_cell("K8", '<c r="K8" s="109"><v>45292</v></c>'),
           ("lembar 'LKE ZI', sel K8", "Jawaban '45292' tidak sah", "Ya/Tidak"),
           why="a date serial pasted into an answer")
_real_case("real_formula_error_in_answer", set_cell("K9", '<c r="K9" s="109" t="e"><v>#N/A</v></c>'),
           ("lembar 'LKE ZI', sel K9", "galat Excel #N/A", "A/B/C"))
_real_case("real_merged_answer_cells", chain(
    set_cell("K9", '<c r="K9" s="109"/>'),
    lambda b: b.replace(b'<mergeCells count="72">', b'<mergeCells count="73"><mergeCell ref="K8:K9"/>')),
    ("lembar 'LKE ZI', sel K9", "sel gabungan K8:K9", "hanya dibaca di K8"))
_real_case("real_absurd_jumlah", set_cell("K185", '<c r="K185" s="181"><v>1000000000</v></c>'),
           ("lembar 'LKE ZI', sel K185", "Nilai '1000000000' tidak masuk akal", "1.000.000"))
_real_case("real_text_in_jumlah", set_cell("K185", '<c r="K185" s="181" t="inlineStr"><is><t>12 orang</t></is></c>'),
           ("lembar 'LKE ZI', sel K185", "Nilai '12 orang' bukan angka", "bilangan 0 atau lebih"))
_real_case("real_answer_column_header_removed", set_cell("K2", '<c r="K2" s="114"/>'),
           ("lembar 'LKE ZI' baris 2", "sel B2", "tidak memuat kolom 'Jawaban (Jawaban Unit)'", "yang diharapkan"),
           validate_exit=2)
_real_case("real_item_rows_deleted", lambda b: re.sub(rb'<row r="(?:[3-9]|\d{2,})".*?</row>', b"", b, flags=re.DOTALL),
           ("lembar 'LKE ZI'", "kepala tabel LKE di baris 2", "hanya 0 baris", "paling sedikit 3"), validate_exit=2)


@case("real_lke_sheet_renamed", REAL, accepted=True, validate_exit=1, units=("tangsel-opd-lke-zi-2021",),
      expect=(("lembar 'Sheet1', sel K185", "Jumlah yang dinyatakan 12 berbeda dengan jumlah rinciannya 13"),),
      why="the sheet is found by its content, whatever it is called; its own errors are still reported")
def _(s: Sources, d: Path) -> list[Path]:
    def rename(data: bytes) -> bytes:
        return data.replace(b'name="LKE ZI"', b'name="Sheet1"').replace(b"'LKE ZI'!", b"Sheet1!")

    return [patch_zip(REAL_LKE, d / "tangsel-opd-lke-zi-2021.xlsx", {"xl/workbook.xml": rename})]


@case("real_lke_named_xls", REAL, accepted=True, validate_exit=1, units=("tangsel-opd-lke-zi-2021",),
      expect=(("lembar 'LKE ZI', sel K185", "Jumlah yang dinyatakan 12 berbeda dengan jumlah rinciannya 13"),),
      why="the format comes from the bytes (a zip), not the .xls name; no library text reaches the user")
def _(s: Sources, d: Path) -> list[Path]:
    target = d / "tangsel-opd-lke-zi-2021.xls"
    shutil.copy(REAL_LKE, target)
    return [target]


@case("other_instrument_pmprb", REAL, expect=(("lembar 'LKE'", "bukan LKE rubrik zi-2021", "LKE PMPRB / Evaluasi RB",
                                                "tidak dinilai", "zi-2021"),),
      why="another instrument's workbook (PMPRB: Proses 60 over eight areas, Hasil 40) is refused, never scored")
def _(s: Sources, d: Path) -> list[Path]:
    from tests.lke.instruments import write_pmprb

    return [write_pmprb(d / "lke-pmprb-kanwil.xlsx")]


# ---- the catalogue ---------------------------------------------------------------------------------------------
BY_NAME: dict[str, Case] = {c.name: c for c in CASES}
assert len(BY_NAME) == len(CASES), "case names must be unique"


@dataclass
class Built:
    case: Case
    paths: list[Path]
    expect: list[tuple[str, ...]] = field(default_factory=list)


def build(c: Case, sources: Sources, folder: Path) -> Built:
    """Write a case's files into ``folder`` (created) and return them with its filled expectations."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = c.build(sources, folder)
    return Built(c, paths, expectations(c))
