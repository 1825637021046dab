"""Limits on the size of inputs, so that a wrong or hostile file is refused with a clear message instead of
exhausting memory (a 5 KB workbook with one value in cell XFD1048576 would otherwise ask for half a terabyte).

Every limit is far above any real LKE input: a circulated LKE sheet has about 250 rows and 20 columns, the long format
about 400 rows per unit (1.000 units: 26 MB of CSV).
"""

from __future__ import annotations

MAX_INPUT_BYTES = 50 * 1024 * 1024  # a file larger than this is not read at all
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # a workbook whose parts inflate beyond this is refused (zip bomb)
MAX_ROWS = 1_000_000  # rows of a CSV file or of one sheet
MAX_CELLS = 10_000_000  # rows x columns of the table a sheet or CSV file spans
MAX_CATATAN_CHARS = 20_000  # one catatan or rekomendasi text of an area (a long page of an LHE)
MAX_COUNT = 1_000_000  # a Jumlah input above this is not a count of people, reports or complaints of one unit
# one evidence file (bukti dukung: a scanned SK, a photo, a report); a 100-page scan at 150 dpi is about 10 MB,
# and the store keeps every version for good, so a larger file is refused with the advice to compress or split it
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


def number(value: int) -> str:
    """``1048576`` -> ``"1.048.576"`` (Indonesian thousands separator)."""
    return f"{value:,}".replace(",", ".")


def size(value: int) -> str:
    """A byte count as people read it: ``"50 MB"``, ``"200,5 MB"``, ``"12 KB"``."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if value >= scale:
            text = f"{value / scale:.1f}".replace(".", ",")
            return f"{text.removesuffix(',0')} {unit}"
    return f"{value} bayt"
