"""The table of a circulated LKE sheet: its header row, its columns, and cell access by row and column.

:func:`find_columns` finds the header row (the first of the first 40 rows with a ``Penilaian`` and a ``Pilihan
Jawaban`` label) and, from the labels, never fixed letters, the Penilaian region, the answer column of every tier,
the note, evidence and link columns, ``ID`` (export layout) and ``Nilai`` (the workbook's computed values).
Shared by :mod:`zi_nb.lke.workbook` (detection, reading), :mod:`zi_nb.lke.mapping` (rows to rubric codes) and
:mod:`zi_nb.lke.formulas` (cached results and formula ranges).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from zi_nb.common.domain import TPI_TIERS
from zi_nb.common.text import squash

ANSWER_TYPE_KEYS = {"ya/tidak", "a/b/c", "a/b/c/d", "a/b/c/d/e", "%", "jumlah", "nilai(0-4)"}


def cell(rows: list[list[Any]], r: int, c: int | None) -> Any:
    """The value at 0-based (row, column); ``""`` outside the rows or without a column."""
    return "" if c is None or r >= len(rows) or c >= len(rows[r]) else rows[r][c]


def as_text(value: Any) -> str:
    """A cell value as stripped text; ``""`` for None."""
    return "" if value is None else str(value).strip()


def type_key(value: Any) -> str:
    """Answer type key: lowercase without whitespace (``"Nilai\\n(0-4)"`` -> ``"nilai(0-4)"``)."""
    return "".join(as_text(value).lower().split())


@dataclass
class Columns:
    header: int  # 0-based row of the header
    pen: tuple[int, int]  # Penilaian region [start, end)
    type: int
    answers: list[tuple[str, str | None, int]]  # (tier, reviewer, column)
    notes: dict[str, int] = field(default_factory=dict)
    evidence: list[int] = field(default_factory=list)
    links: list[int] = field(default_factory=list)
    id: int | None = None
    value: int | None = None  # Nilai: the workbook's computed values

    @property
    def export(self) -> bool:
        return self.id is not None


def find_columns(rows: list[list[Any]]) -> Columns | None:
    """The header row and its columns, or None when the rows do not hold an LKE table."""
    for h in range(min(40, len(rows))):
        labels = {c: as_text(v) for c, v in enumerate(rows[h]) if isinstance(v, str) and v.strip()}
        keys = {c: squash(v) for c, v in labels.items()}
        pen = [c for c, k in keys.items() if k.startswith("penilaian")]
        typ = [c for c, k in keys.items() if k.startswith("pilihan jawaban")]
        if not pen or not typ:
            continue
        cols = Columns(header=h, pen=(pen[0], min([c for c in keys if c > pen[0]], default=pen[0] + 1)),
                       type=typ[0], answers=[])
        tpi_notes: list[tuple[str, int]] = []
        for c, k in sorted(keys.items()):
            label = labels[c]
            if k.startswith("jawaban"):
                rest = k[7:].strip()
                name = re.sub(r"(?i)^jawaban\s+tp[in]\s*", "", label).strip(" -:()") or None
                if rest.startswith("tpn"):
                    cols.answers.append(("tpn", name or "TPN", c))
                elif rest.startswith("tpi"):
                    n = sum(t in TPI_TIERS for t, _, _ in cols.answers)
                    if n < len(TPI_TIERS):
                        cols.answers.append((TPI_TIERS[n], name or "TPI", c))
                elif (rest == "" or rest.startswith("unit")) and not any(t == "unit" for t, _, _ in cols.answers):
                    cols.answers.append(("unit", None, c))
            elif k.startswith("catatan"):
                inner = re.sub(r"(?i)^catatan[^(]*\(?", "", label).strip(" ()")
                if re.match(r"(?i)tpn", inner):
                    cols.notes.setdefault("tpn", c)
                elif re.match(r"(?i)tpi", inner):
                    tpi_notes.append((inner[3:].strip(" -:()").lower(), c))
                else:
                    cols.notes.setdefault("unit", c)
            elif "bukti" in k or k.startswith(("tautan", "link")):
                (cols.links if k.startswith(("tautan", "link")) else cols.evidence).append(c)
            elif k == "id":
                cols.id = c
            elif k.startswith("nilai") and cols.value is None:
                cols.value = c
        if not cols.answers and not _grouped(rows, h, cols):
            continue
        tpis = [(t, (r or "").lower()) for t, r, _ in cols.answers if t in TPI_TIERS]
        for i, (name, c) in enumerate(tpi_notes):  # by reviewer name, else by position
            free = [t for t, _ in tpis if t not in cols.notes]
            by_name = [t for t, r in tpis if name and r == name and t in free]
            tier = by_name[0] if by_name else tpis[i][0] if i < len(tpis) and tpis[i][0] in free else None
            if tier:
                cols.notes[tier] = c
        if not cols.evidence and not cols.links and "unit" in cols.notes:  # unlabeled columns after the notes
            nxt = min([c for c in keys if c > cols.notes["unit"]], default=max(map(len, rows[h:h + 300])))
            cols.evidence = list(range(cols.notes["unit"] + 1, nxt))
        return cols
    return None


# labels of the column groups of a header over two rows (``Unit | TPI`` or ``Pusat | Unit`` over ``Jawaban | Nilai |
# Catatan``): the tier whose answers the group holds. ``Pusat`` is the central reviewer, a TPI tier.
GROUP_TIERS = {"unit": "unit", "tpi": "tpi", "pusat": "tpi", "tpn": "tpn"}


def _grouped(rows: list[list[Any]], h: int, cols: Columns) -> bool:
    """Read a header over two rows: tier groups in row ``h`` (a merged label sits in its leftmost cell), ``Jawaban``,
    ``Nilai``, ``Catatan`` below them in row ``h + 1``. Fills ``cols`` (its header becomes ``h + 1``); False when row
    ``h`` has no such groups."""
    if h + 1 >= len(rows):
        return False
    groups = {c: as_text(v) for c, v in enumerate(rows[h]) if c > cols.type and isinstance(v, str)
              and squash(v).split(" ")[0] in GROUP_TIERS}
    tiers: dict[int, str] = {}  # group column -> tier of its answers
    for c, v in enumerate(rows[h + 1]):
        g = max((gc for gc in groups if gc <= c), default=None)
        key = squash(v) if isinstance(v, str) else ""
        if g is None or not key:
            continue
        group = GROUP_TIERS[squash(groups[g]).split(" ")[0]]
        if key.startswith("jawaban") and g not in tiers:
            n = sum(t in TPI_TIERS for t, _, _ in cols.answers)
            tier = group if group != "tpi" else TPI_TIERS[n] if n < len(TPI_TIERS) else None
            if tier is None or any(t == tier for t, _, _ in cols.answers):
                continue
            tiers[g] = tier
            cols.answers.append((tier, None if tier == "unit" else groups[g], c))
        elif key.startswith("catatan") and g in tiers:
            cols.notes.setdefault(tiers[g], c)
        elif key.startswith("nilai") and tiers.get(g) == "unit" and cols.value is None:
            cols.value = c
    if cols.answers:
        cols.header = h + 1
    return bool(cols.answers)
