"""Read any supported input, many files and many units at once: :func:`read_inputs`.

Each reader module extracts raw rows (see :mod:`zi_nb.engine.answers`) and unit metadata from one file and returns an
:class:`Extract`; this module detects the layout from the content (never the file name), normalises the answers
against the rubric and gathers every finding. A file that cannot be read becomes findings, never an exception, so
one bad file does not stop the others: missing, a folder, empty, damaged or truncated, another kind of document
(PDF, image, Word, OpenDocument), an encrypted (password-protected) or old ``.xls`` workbook, or beyond the size
limits of :mod:`zi_nb.common.limits` (file size, inflated zip size, rows and cells of a sheet or CSV file), each with a
message that says what to do.

Readers:
    :mod:`zi_nb.lke.long_format`      long format CSV/XLSX (``unit_id, code, answer`` ...; CSV text in
                                      :mod:`zi_nb.lke.long_csv`)
    :mod:`zi_nb.lke.template`  the blank/filled LKE template that ``zi-nb template`` writes
    :mod:`zi_nb.lke.workbook`  circulated LKE workbooks (sheet ``LKE ZI``, or the ``ID | Penilaian ...`` export)
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from zi_nb.common import limits
from zi_nb.common.files import sha256_file
from zi_nb.common.findings import Finding
from zi_nb.common.text import os_error_text
from zi_nb.engine.answers import build_answers, empty_raw
from zi_nb.engine.dataset import UNIT_COLUMNS, LkeData, empty_cached, empty_units
from zi_nb.engine.rubric import Rubric, load_rubric
from zi_nb.errors import InputError, InputLimitError
from zi_nb.lke import long_csv, long_format, template, workbook
from zi_nb.lke.extract import Extract
from zi_nb.lke.xlsx import Book, open_workbook

__all__ = ["Extract", "LkeData", "read_inputs", "read_inputs_cached"]


def _detect_and_read(path: Path, rubric: Rubric) -> Extract:

    name = str(path)
    if path.is_dir():
        return _fatal(name, "file_unreadable", expected="berkas .xlsx atau .csv", detail=(
            "ini sebuah folder; sebutkan berkas di dalamnya, atau pakai `zi-nb bulk FOLDER` untuk semua berkasnya"))
    if not path.is_file():
        return Extract(findings=[Finding("file_missing", file=name)], fatal=True)
    size = path.stat().st_size
    if size > limits.MAX_INPUT_BYTES:  # refused unread: zip bombs, wrong files
        return _fatal(name, "file_too_large", size=f"{limits.size(size)}, {limits.number(size)} bayt",
                      limit=limits.size(limits.MAX_INPUT_BYTES))
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return _fatal(name, "file_unreadable", expected="XLSX atau CSV",
                      detail=f"berkas tidak dapat dibuka ({os_error_text(exc)})")
    try:
        if head.startswith(b"PK"):
            book = open_workbook(path)
            if isinstance(book, Finding):
                return Extract(findings=[book], fatal=True)
            for reader in (template, workbook, long_format):
                if reader.sniff_workbook(book):
                    return reader.read_workbook(book, path, rubric)
            return Extract(findings=[_unknown_workbook(book, name)], fatal=True)
        if head.startswith(OLE_MAGIC):
            return _fatal(name, "file_unreadable", expected="XLSX", detail=_ole_detail(path))
        other = next((what for magic, what in OTHER_FORMATS if head.startswith(magic)), None)
        if other is not None:
            return _fatal(name, "file_unreadable", expected="XLSX atau CSV", detail=(
                f"ini {other}, bukan buku kerja .xlsx atau teks CSV"))
        extract = long_csv.read_csv(path, rubric)
        if path.suffix.lower() in EXCEL_SUFFIXES and any(f.kind == "header_missing" for f in extract.findings):
            # text, but no table a CSV reader knows either: say what the name promised
            return _fatal(name, "file_unreadable", expected="XLSX", detail=(
                f"namanya buku kerja Excel ({path.suffix}) tetapi isinya teks biasa yang juga bukan tabel CSV yang "
                "dikenal; buka berkas aslinya di Excel dan simpan sebagai .xlsx"))
        return extract
    except InputError as exc:  # a sheet beyond the size limits, or a damaged part found while reading
        return Extract(findings=exc.findings or [Finding("file_unreadable", file=name, params={
            "expected": "XLSX", "detail": str(exc)})], fatal=True)


EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# leading bytes of files people attach by mistake -> what they are
OTHER_FORMATS: list[tuple[bytes, str]] = [
    (b"%PDF", "berkas PDF"), (b"\x89PNG", "gambar PNG"), (b"\xff\xd8\xff", "gambar JPEG"), (b"GIF8", "gambar GIF"),
    (b"\x1f\x8b", "arsip gzip"), (b"7z\xbc\xaf", "arsip 7-Zip"), (b"Rar!", "arsip RAR"),
    (b"{\\rtf", "dokumen RTF"),
]


def _fatal(name: str, kind: str, **params: object) -> Extract:
    return Extract(findings=[Finding(kind, file=name, params=params)], fatal=True)


def _ole_detail(path: Path) -> str:
    """What an OLE2 (Compound File) container is: an encrypted (password-protected) workbook, an Excel 97-2003 .xls
    workbook, or another old Office document; and what to do about it."""
    data = path.read_bytes()
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return ("buku kerja ini dilindungi kata sandi (terenkripsi) sehingga isinya tidak dapat dibaca; buka di Excel, "
                "hapus kata sandinya (File > Info > Protect Workbook > Encrypt with Password, kosongkan) lalu simpan "
                "sebagai .xlsx tanpa kata sandi")
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return ("ini buku kerja Excel 97-2003 (format .xls lama); buka di Excel lalu simpan sebagai Excel Workbook "
                "(.xlsx)")
    return ("format .xls lama atau berkas terlindung kata sandi; simpan ulang sebagai .xlsx tanpa kata sandi")


def _unknown_workbook(book: Book, name: str) -> Finding:
    """``unknown_format`` for a workbook no reader recognised, saying what came closest (a sheet with an LKE header
    but no answer column, a long-format header without ``answer``, a sheet that could not be read)."""
    for sheet in book.sheet_names:
        try:
            book.values(sheet)
        except InputLimitError:
            raise
        except InputError as exc:  # a damaged sheet: say which, rather than that the layout is unknown
            return exc.findings[0] if exc.findings else Finding("file_unreadable", file=name, sheet=sheet, params={
                "expected": "XLSX", "detail": str(exc)})
    for explain in (workbook.near_miss, long_format.near_miss):
        hint = explain(book)
        if hint is not None:  # the place is in the text: the file as a whole is what was not recognised
            sheet, cell, text = hint
            return Finding("unknown_format", file=name, params={"found": f" (sel {cell}): {text}" if cell else
                                                                  f": {text}"})
    return Finding("unknown_format", file=name)


def read_inputs(paths: Sequence[str | Path] | str | Path, rubric: Rubric | str = "zi-2021") -> LkeData:
    """Read every input file into one :class:`LkeData` (answers of all units, all tiers)."""
    rubric = load_rubric(rubric)
    if isinstance(paths, (str, Path)):
        paths = [paths]
    raws, units, cached, findings, files, fatal = [], [], [], [], {}, []
    for p in paths:
        path = Path(p)
        extract = _detect_and_read(path, rubric)
        if path.is_file():
            try:
                files[str(p)] = sha256_file(path)
            except OSError:  # unreadable: the extract's findings say so
                pass
        findings.extend(extract.findings)
        if extract.fatal:
            fatal.append(str(p))
            continue
        raws.append(extract.raw)
        units.append(extract.units)
        cached.append(extract.cached)
    raw = pd.concat(raws, ignore_index=True) if raws else empty_raw()
    answers, value_findings = build_answers(raw, rubric)
    findings.extend(value_findings)
    unit_frame = _merge_units(units, answers)
    cached_frame = pd.concat(cached, ignore_index=True) if cached else empty_cached()
    return LkeData(rubric, answers, unit_frame, cached_frame, findings, files, fatal)


_READ_CACHE: OrderedDict[tuple, LkeData] = OrderedDict()
READ_CACHE_SIZE = 4


def read_inputs_cached(paths: Sequence[str | Path] | str | Path, rubric: Rubric | str = "zi-2021") -> LkeData:
    """:func:`read_inputs`, remembered in this process while the files' bytes and the rubric stay the same.

    The key is every file's path and sha256 plus the rubric's content hash, so a file whose bytes changed is read
    again; nothing is kept when a file changed while it was read. A warm kernel that renders many units of one
    input (``zi-nb bulk``) reads it once. The result is shared: callers must not modify it in place (its methods,
    like :meth:`LkeData.for_units`, return copies). At most :data:`READ_CACHE_SIZE` inputs are kept.
    """
    rubric = load_rubric(rubric)
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    try:
        digests = tuple((str(p), _known_sha256(Path(p))) for p in paths)
    except OSError:  # missing or unreadable: read_inputs turns it into findings
        return read_inputs(paths, rubric)
    key = (digests, rubric.content_hash)
    if key in _READ_CACHE:
        _READ_CACHE.move_to_end(key)
        return _READ_CACHE[key]
    data = read_inputs(paths, rubric)
    if all(data.files.get(name) == digest for name, digest in digests):
        _READ_CACHE[key] = data
        while len(_READ_CACHE) > READ_CACHE_SIZE:
            _READ_CACHE.popitem(last=False)
    return data


_DIGESTS: dict[str, tuple[tuple[int, ...], str]] = {}


def _known_sha256(path: Path) -> str:
    """The file's sha256, hashed again whenever its size, inode, modification or change time differ (any write
    changes the change time), so a file of one input is not hashed again for every unit of a bulk run."""
    st = path.stat()
    signature = (st.st_size, st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns)
    known = _DIGESTS.get(str(path))
    if known is not None and known[0] == signature:
        return known[1]
    digest = sha256_file(path)
    if path.stat().st_ctime_ns == st.st_ctime_ns:  # not written while hashed
        _DIGESTS[str(path)] = (signature, digest)
    return digest


def _merge_units(frames: list[pd.DataFrame], answers: pd.DataFrame) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    units = pd.concat(frames, ignore_index=True) if frames else empty_units()
    units = units.drop_duplicates("unit_id", keep="first")
    known = set(units["unit_id"])
    missing = [u for u in dict.fromkeys(answers["unit_id"]) if u not in known]
    if missing:
        units = pd.concat([units, pd.DataFrame({"unit_id": missing})], ignore_index=True)
    units = units[units["unit_id"].isin(set(answers["unit_id"]))].reindex(columns=UNIT_COLUMNS)
    units["unit_name"] = units["unit_name"].where(units["unit_name"].notna(), units["unit_id"])
    return units.reset_index(drop=True)
