"""The long format as CSV: decoding, delimiter, physical line numbers, and the checks that make a damaged or wrong
CSV file a clear finding (see :mod:`zi_nb.lke.long_format` for the columns and the shared row collection).

CSV files may be UTF-8 (with or without BOM), UTF-16 ("Unicode text" from Excel) or cp1252/latin-1, delimited by
``,``, ``;``, tab or ``|``; Excel's ``sep=;`` first line is honoured. ``line`` is the 1-based physical line in the
file where the row starts (the header is line 1, or 2 after a ``sep=`` line), so rows with multi-line quoted notes
and blank lines are located correctly. Refused with a located finding: a quote that is never closed (a file cut in
the middle of a note), rows written with another delimiter than the header, files beyond the row and cell limits of
:mod:`zi_nb.common.limits`.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pandas as pd

from zi_nb.common import limits
from zi_nb.common.findings import Finding
from zi_nb.common.text import debug_detail, os_error_text
from zi_nb.engine.rubric import Rubric
from zi_nb.lke.extract import Extract
from zi_nb.lke.long_format import CONTROL_CHARS, METADATA, REQUIRED, Collected, Table, collect_rows, map_header

DELIMITERS = (";", ",", "\t", "|")
_CSV_ENCODINGS = ("utf-8", "cp1252", "latin-1")
_SEP_LINE = re.compile(r'^\s*"?sep=(.)"?\s*$', re.IGNORECASE)  # Excel's "sep=;" hint on the first line
_DELIMITER_NAME = {"\t": "tab", ";": ";", ",": ",", "|": "|"}


def decode_text(data: bytes) -> str | None:
    """Text of a CSV file: UTF-8 (BOM or not), UTF-16 (BOM, or detected), cp1252, latin-1; None when binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: tuple[str, ...] = ("utf-16",)
    elif data.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig", *_CSV_ENCODINGS[1:])
    elif len(data) >= 4 and data[1::2].count(0) > len(data) // 4 and data[0::2].count(0) == 0:
        candidates = ("utf-16-le",)
    elif len(data) >= 4 and data[0::2].count(0) > len(data) // 4 and data[1::2].count(0) == 0:
        candidates = ("utf-16-be",)
    else:
        candidates = _CSV_ENCODINGS
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = len(CONTROL_CHARS.findall(text))
        if "\x00" in text or controls > max(2, len(text) // 100):
            return None
        return text.lstrip("\ufeff")
    return None


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header line most often (ties: ``;`` before ``,``, tab, ``|``)."""
    unquoted = re.sub(r'"[^"]*"', "", header_line)
    counts = [(unquoted.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] > 0 else ","


def record_starts(text: str, delimiter: str) -> tuple[list[int], int]:
    """The 1-based physical line where each CSV record starts (quoted fields may span lines), and the largest number
    of fields in a record.

    Follows the quoting rules of the pandas/``csv`` tokenizers: a quote opens a quoted field only at the start of a
    field, ``""`` inside it is a literal quote.
    """
    starts, width, _ = _records(text, delimiter)
    return starts, width


def _records(text: str, delimiter: str) -> tuple[list[int], int, int | None]:
    """:func:`record_starts`, plus the line of the record whose quoted field is still open at the end of the text
    (None when every quote is closed)."""
    starts: list[int] = []
    width = fields = 1
    in_quotes = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not in_quotes:
            starts.append(number)
            fields = 1
            if '"' not in line:
                fields += line.count(delimiter)
                width = max(width, fields)
                continue
        at_field_start = not in_quotes
        quote_pending = False  # a quote seen inside a quoted field: closing, or the first of ""
        for ch in line:
            if in_quotes:
                if quote_pending:
                    quote_pending = False
                    if ch == '"':
                        continue
                    in_quotes = False
                elif ch == '"':
                    quote_pending = True
                    continue
                else:
                    continue
            if ch == delimiter:
                at_field_start = True
                fields += 1
            elif ch == '"' and at_field_start:
                in_quotes, at_field_start = True, False
            else:
                at_field_start = False
        if quote_pending:
            in_quotes = False
        width = max(width, fields)
    if text.endswith("\n") and not in_quotes:
        starts.pop()  # the empty "line" after the final newline is not a record
    return starts, width, (starts[-1] if in_quotes and starts else None)


def read_csv(path: Path, rubric: Rubric) -> Extract:
    """Read a long-format CSV (answers, or unit metadata only). Problems become findings, never exceptions."""
    name = str(path)

    def fatal(kind: str, line: int | None = None, **params: Any) -> Extract:
        return Extract(findings=[Finding(kind, file=name, line=line, params=params)], fatal=True)

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return fatal("file_unreadable", expected="CSV", detail=f"berkas tidak dapat dibuka ({os_error_text(exc)})")
    text = decode_text(data)
    if text is None:
        return fatal("file_not_text")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return fatal("file_empty")
    lines = text.count("\n") + (not text.endswith("\n"))
    if lines > limits.MAX_ROWS + 1:
        return fatal("limit_exceeded", line=limits.MAX_ROWS + 2,
                     found=f"berkas ini memuat {limits.number(lines)} baris",
                     limit=f"{limits.number(limits.MAX_ROWS)} baris data",
                     expected="Pecah menjadi beberapa berkas (mis. per instansi); zi-nb membaca banyak berkas "
                              "sekaligus")
    skip, delimiter = 0, None
    sep = _SEP_LINE.match(text.split("\n", 1)[0])
    if sep is not None and sep.group(1) in DELIMITERS:
        skip, delimiter = 1, sep.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
    header_line = text.split("\n", 1)[0]
    if not header_line.strip():
        return fatal("header_missing", line=1 + skip, found="baris kosong")
    delimiter = delimiter or sniff_delimiter(header_line)
    starts, width, open_quote = _records(text, delimiter)
    starts = [line + skip for line in starts]
    if open_quote is not None:
        return fatal("file_unreadable", line=open_quote + skip, expected="CSV", detail=(
            'tanda kutip (") yang dibuka di baris ini tidak pernah ditutup, sehingga semua baris sesudahnya terbaca '
            "sebagai satu isian (berkas terpotong?); tutup tanda kutipnya atau hapus"))
    if len(starts) * width > limits.MAX_CELLS:
        return fatal("limit_exceeded", found=f"{limits.number(len(starts))} baris x {limits.number(width)} kolom",
                     limit=f"{limits.number(limits.MAX_CELLS)} sel",
                     expected="Periksa pemisah kolom; berkas format panjang hanya memerlukan beberapa kolom")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, names=list(range(width)), dtype=str,
                            keep_default_na=False, skip_blank_lines=False, index_col=False, quotechar='"')
    except (pd.errors.ParserError, ValueError) as exc:
        return fatal("file_unreadable", expected="CSV", detail=(
            "isinya tidak dapat diurai sebagai tabel CSV (jumlah kolom antarbaris tidak cocok atau tanda kutip tidak "
            f"seimbang){debug_detail(exc)}"))
    rows = frame.fillna("").values.tolist()
    if len(starts) != len(rows):  # should not happen; keep going with record numbers rather than fail
        starts = list(range(1 + skip, len(rows) + 1 + skip))
    header = [h.replace("\ufeff", "").strip() for h in rows[0]]
    found = ", ".join(h for h in header if h) or "(tidak ada)"
    found = found if len(found) <= 300 else found[:300] + "…"  # a 20 MB first line is not a list of columns
    columns = map_header(header)
    if not columns:
        return fatal("header_missing", line=starts[0], found=found)
    if "unit_id" not in columns or ("code" in columns) != ("answer" in columns) or (
            "code" not in columns and not any(k in columns for k in METADATA)):
        missing = [k for k in REQUIRED if k not in columns]
        return Extract(findings=[Finding("column_missing", file=name, line=starts[0],
                                         params={"expected": k, "found": found}) for k in missing], fatal=True)
    out = Collected()
    unnamed = [i for i, h in enumerate(header) if not h]
    body = []
    for line, values in zip(starts[1:], rows[1:]):
        if _one_field_with_other_delimiter(values, delimiter, len(columns)):
            out.findings.append(Finding("row_fields", file=name, line=line, params={
                "found": values[0].strip()[:80], "expected": _DELIMITER_NAME[delimiter]}))
            continue
        stray = next((v.strip() for v in (values[i] for i in unnamed) if v.strip()), None)
        if stray is not None:
            out.findings.append(Finding("unnamed_column_value", "warning", file=name, line=line,
                                        params={"found": stray}))
        body.append((line, values))
    collect_rows(Table(name, None, columns, body), out)
    return out.extract(name, {"line": starts[0]})


def _one_field_with_other_delimiter(values: list[Any], delimiter: str, named: int) -> bool:
    """A record whose only field holds what another delimiter would have split (``u1,PPA1A,Ya`` under a ``;``
    header): written with another delimiter, not an answer."""
    if named < 2 or not values or not str(values[0]).strip() or any(str(v).strip() for v in values[1:]):
        return False
    return any(d in str(values[0]) for d in DELIMITERS if d != delimiter)
