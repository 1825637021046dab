"""Read any supported input, many files and many units at once: :func:`read_inputs`.

Each reader module extracts raw rows (see :mod:`zi_nb.answers`) and unit metadata from one file and returns an
:class:`Extract`; this module detects the layout from the content (never the file name), normalises the answers
against the rubric and gathers every finding. A file that cannot be read becomes findings, never an exception, so
one bad file does not stop the others.

Readers:
    :mod:`zi_nb.lke_long`      long format CSV/XLSX (``unit_id, code, answer`` ...)
    :mod:`zi_nb.lke_template`  the blank/filled LKE template that ``zi-nb template`` writes
    :mod:`zi_nb.lke_workbook`  circulated LKE workbooks (sheet ``LKE ZI``, or the ``ID | Penilaian ...`` export)
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .answers import build_answers, empty_raw
from .findings import Finding
from .rubric import Rubric, load_rubric

UNIT_COLUMNS = ["unit_id", "unit_name", "instansi", "year", "current_predicate", "data_date", "file"]
CACHED_COLUMNS = ["unit_id", "tier", "measure", "value", "formula", "file", "sheet", "cell"]
MAX_INPUT_BYTES = 50 * 1024 * 1024  # refuse larger files with a clear message (zip bombs, wrong files)


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
    from . import lke_long, lke_template, lke_workbook

    name = str(path)
    if not path.is_file():
        return Extract(findings=[Finding("file_missing", file=name)], fatal=True)
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        return Extract(findings=[Finding("file_too_large", file=name,
                                         params={"size": size, "limit": MAX_INPUT_BYTES})], fatal=True)
    head = path.read_bytes()[:8]
    if head.startswith(b"PK"):
        from .xlsx import open_workbook

        book = open_workbook(path)
        if isinstance(book, Finding):
            return Extract(findings=[book], fatal=True)
        for reader in (lke_template, lke_workbook, lke_long):
            if reader.sniff_workbook(book):
                return reader.read_workbook(book, path, rubric)
        return Extract(findings=[Finding("unknown_format", file=name)], fatal=True)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return Extract(findings=[Finding("file_unreadable", file=name, params={
            "expected": "XLSX", "detail": "format .xls lama atau berkas terlindung kata sandi; simpan ulang sebagai "
                                          ".xlsx tanpa kata sandi"})], fatal=True)
    return lke_long.read_csv(path, rubric)


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
            files[str(p)] = sha256_file(path)
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
