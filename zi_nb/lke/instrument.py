"""Which instrument a circulated sheet is: an LKE of the rubric, or another evaluation's workbook.

A sheet with an LKE-like header (``Penilaian | ... | Pilihan Jawaban | Jawaban``) is not necessarily an LKE of the
rubric: the PMPRB / Evaluasi Reformasi Birokrasi workbooks and the older LKE ZI (PermenPAN-RB 52/2014, 10/2019) share
that header, and their questions are sometimes similar enough to be mapped to unrelated rubric items. Reading such a
sheet would score another instrument as this one. :func:`recognise` decides from the content, after
:func:`~zi_nb.lke.mapping.map_sheet`:

* the **item fit**: the share of the sheet's item rows mapped to a rubric item or Jumlah input with the same answer
  type (the real Tangerang Selatan workbook: 136 of 137; a PMPRB workbook: about one in seven);
* the **structure**: the share of the rubric's components (Pengungkit, Pemenuhan, Reform, Hasil...) found as
  structure rows, and the labels of the other instruments (their total and their own areas).

A sheet below either threshold, or carrying another instrument's labels, is refused with one ``other_instrument``
error that names what it looks like and the rubrics zi-nb has; it is never scored.
"""

from __future__ import annotations

from typing import Any

from zi_nb.common.findings import Finding
from zi_nb.engine.rubric import Rubric, available_rubrics
from zi_nb.lke.columns import Columns, as_text, cell, type_key
from zi_nb.lke.mapping import Mapped, norm

# Share of item rows that must map to a rubric item with the same answer type. An LKE of the rubric fits almost
# entirely (real workbook 0.99, export and template 1.0), even with a few rows an instansi added or reworded; another
# instrument's questions rarely map with the right type (a PMPRB workbook: about 0.15). 0.6 leaves room on both sides.
MIN_ITEM_FIT = 0.6
# Share of the rubric's components (Pengungkit, Pemenuhan, Reform, Hasil, and Hasil's parts) that must be found as
# structure rows. An LKE of the rubric has all of them; an instrument without the Pemenuhan/Reform split (the older
# LKE ZI, PMPRB) has at most two. Half keeps an LKE whose headings were partly reworded.
MIN_COMPONENT_SHARE = 0.5
# Labels (normalised, see :func:`zi_nb.lke.mapping.norm`) that only another instrument's workbook carries, in its
# title, totals or area rows (never in item questions): what the sheet then looks like, in Indonesian and English.
OTHER_INSTRUMENTS: list[tuple[tuple[str, ...], str, str]] = [
    (("evaluasi reformasi birokrasi", "pelaksanaan reformasi birokrasi", "pmprb", "deregulasi kebijakan",
      "penataan dan penguatan organisasi", "penataan peraturan perundang undangan"),
     "LKE PMPRB / Evaluasi RB", "a PMPRB / RB evaluation workbook (LKE PMPRB / Evaluasi RB)"),
]
OLD_ZI = ("LKE ZI lama (PermenPAN-RB 52/2014 atau 10/2019)",
          "an older LKE ZI (PermenPAN-RB 52/2014 or 10/2019)")
UNKNOWN = ("tidak dikenali", "an unrecognised table")
TITLE_ROWS = 40  # rows above the header searched for a title


def _labels(rows: list[list[Any]], cols: Columns) -> list[str]:
    """Normalised texts of the title rows above the header and of the structure rows (Penilaian cells of rows
    without an answer type): where an instrument names itself, its parts and its total."""
    texts = [norm(v) for row in rows[max(0, cols.header - TITLE_ROWS):cols.header] for v in row if as_text(v)]
    for r in range(cols.header + 1, len(rows)):
        if not type_key(cell(rows, r, cols.type)):
            texts += [norm(cell(rows, r, c)) for c in range(*cols.pen) if as_text(cell(rows, r, c))]
    return texts


def recognise(rows: list[list[Any]], cols: Columns, mapped: Mapped, rubric: Rubric, file: str,
              sheet: str) -> Finding | None:
    """None when the sheet is an LKE of ``rubric``; otherwise the fatal ``other_instrument`` finding."""
    fit = mapped.fitting / mapped.leaves if mapped.leaves else 0.0
    components = {c.code for c in rubric.components}
    share = len(components & mapped.structure) / len(components) if components else 1.0
    labels = _labels(rows, cols)
    other = next(((ind, en) for signs, ind, en in OTHER_INSTRUMENTS
                  if any(sign in text for text in labels for sign in signs)), None)
    if other is None and fit >= MIN_ITEM_FIT and share >= MIN_COMPONENT_SHARE:
        return None
    if other is None:
        areas = {a.code for a in rubric.areas}
        seen_areas = {m.rpartition(":")[2] for m in mapped.structure} & areas
        # the areas of the rubric without its Pemenuhan/Reform split: the older LKE ZI
        other = OLD_ZI if share < MIN_COMPONENT_SHARE and len(seen_areas) * 2 >= len(areas) else UNKNOWN
    detail = (f"{mapped.fitting} dari {mapped.leaves} baris butir cocok dengan butir rubrik beserta tipe jawabannya, "
              f"paling sedikit {MIN_ITEM_FIT:.0%} diharapkan; {len(components & mapped.structure)} dari "
              f"{len(components)} komponen rubrik ditemukan").replace(".", ",")
    detail_en = (f"{mapped.fitting} of {mapped.leaves} item rows match a rubric item and its answer type, at least "
                 f"{MIN_ITEM_FIT:.0%} expected; {len(components & mapped.structure)} of {len(components)} rubric "
                 "components found")
    return Finding("other_instrument", file=file, sheet=sheet, params={
        "rubric": rubric.id, "found": other[0], "found_en": other[1], "detail": detail, "detail_en": detail_en,
        "expected": ", ".join(available_rubrics())})
