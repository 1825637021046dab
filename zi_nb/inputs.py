"""Read any supported input, many files and many units at once: :func:`read_inputs`.

Each reader module extracts raw rows (see :mod:`zi_nb.answers`) and unit metadata from one file and returns an
:class:`Extract`; this module detects the layout from the content (never the file name), normalises the answers
against the rubric and gathers every finding. A file that cannot be read becomes findings, never an exception, so
one bad file does not stop the others: missing, a folder, empty, damaged or truncated, another kind of document
(PDF, image, Word, OpenDocument), an encrypted (password-protected) or old ``.xls`` workbook, or beyond the size
limits of :mod:`zi_nb.limits` (file size, inflated zip size, rows and cells of a sheet or CSV file), each with a
message that says what to do.

Readers:
    :mod:`zi_nb.lke_long`      long format CSV/XLSX (``unit_id, code, answer`` ...; CSV text in :mod:`zi_nb.lke_csv`)
    :mod:`zi_nb.lke_template`  the blank/filled LKE template that ``zi-nb template`` writes
    :mod:`zi_nb.lke_workbook`  circulated LKE workbooks (sheet ``LKE ZI``, or the ``ID | Penilaian ...`` export)
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import limits
from .answers import build_answers, empty_raw
from .findings import Finding
from .rubric import Rubric, load_rubric

if TYPE_CHECKING:
    from .xlsx import Book

UNIT_COLUMNS = ["unit_id", "unit_name", "instansi", "year", "current_predicate", "data_date", "file"]
CACHED_COLUMNS = ["unit_id", "tier", "measure", "value", "formula", "file", "sheet", "cell"]


def empty_units() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in UNIT_COLUMNS})


def empty_cached() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in CACHED_COLUMNS})


@dataclass
class Extract:
    """What one reader got from one file.

    Attributes:
        raw: raw answer rows (:data:`zi_nb.answers.RAW_COLUMNS`).
        units: one row per unit (:data:`UNIT_COLUMNS`); missing names default to the unit id.
        cached: values the workbook itself computed (indicator, area, part and total cells) with their formula,
            for :func:`zi_nb.validate.check_cached`. ``measure`` is ``total``, a component code (``PEMENUHAN``),
            ``<component>:<area>`` (``REFORM:E``) or an indicator code (``PRE3``).
        findings: problems found while reading (missing sheets, columns, unmapped rows, formula ranges...).
        fatal: True when nothing usable could be read.
    """

    raw: pd.DataFrame = field(default_factory=empty_raw)
    units: pd.DataFrame = field(default_factory=empty_units)
    cached: pd.DataFrame = field(default_factory=empty_cached)
    findings: list[Finding] = field(default_factory=list)
    fatal: bool = False


@dataclass
class LkeData:
    """Everything read from a set of inputs, normalised against one rubric."""

    rubric: Rubric
    answers: pd.DataFrame
    units: pd.DataFrame
    cached: pd.DataFrame
    findings: list[Finding]
    files: dict[str, str]  # path -> sha256 of its bytes
    fatal_files: list[str] = field(default_factory=list)

    @property
    def unit_ids(self) -> list[str]:
        return list(self.units["unit_id"])

    def for_units(self, unit_ids: list[str]) -> LkeData:
        """A copy restricted to some units (findings about other units are dropped)."""
        keep = set(unit_ids)
        return LkeData(
            rubric=self.rubric,
            answers=self.answers[self.answers["unit_id"].isin(keep)],
            units=self.units[self.units["unit_id"].isin(keep)],
            cached=self.cached[self.cached["unit_id"].isin(keep)],
            findings=[f for f in self.findings if f.unit_id is None or f.unit_id in keep],
            files=self.files,
            fatal_files=self.fatal_files,
        )


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _detect_and_read(path: Path, rubric: Rubric) -> Extract:
    from . import lke_csv, lke_long, lke_template, lke_workbook
    from .errors import InputError

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
                      detail=f"berkas tidak dapat dibuka ({exc.strerror or exc})")
    try:
        if head.startswith(b"PK"):
            from .xlsx import open_workbook

            book = open_workbook(path)
            if isinstance(book, Finding):
                return Extract(findings=[book], fatal=True)
            for reader in (lke_template, lke_workbook, lke_long):
                if reader.sniff_workbook(book):
                    return reader.read_workbook(book, path, rubric)
            return Extract(findings=[_unknown_workbook(book, name)], fatal=True)
        if head.startswith(OLE_MAGIC):
            return _fatal(name, "file_unreadable", expected="XLSX", detail=_ole_detail(path))
        other = next((what for magic, what in OTHER_FORMATS if head.startswith(magic)), None)
        if other is not None:
            return _fatal(name, "file_unreadable", expected="XLSX atau CSV", detail=(
                f"ini {other}, bukan buku kerja .xlsx atau teks CSV"))
        extract = lke_csv.read_csv(path, rubric)
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
    from . import lke_long, lke_workbook
    from .errors import InputError, InputLimitError

    for sheet in book.sheet_names:
        try:
            book.values(sheet)
        except InputLimitError:
            raise
        except InputError as exc:  # a damaged sheet: say which, rather than that the layout is unknown
            return exc.findings[0] if exc.findings else Finding("file_unreadable", file=name, sheet=sheet, params={
                "expected": "XLSX", "detail": str(exc)})
    for explain in (lke_workbook.near_miss, lke_long.near_miss):
        hint = explain(book)
        if hint is not None:  # the place is in the text: the file as a whole is what was not recognised
            sheet, cell, text = hint
            return Finding("unknown_format", file=name, params={"found": f" (sel {cell}): {text}" if cell else
                                                                  f": {text}"})
    return Finding("unknown_format", file=name)


def read_inputs(paths: list[str | Path] | str | Path, rubric: Rubric | str = "zi-2021") -> LkeData:
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


def read_inputs_cached(paths: list[str | Path] | str | Path, rubric: Rubric | str = "zi-2021") -> LkeData:
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
