"""Write the bundled Word template of the LHE, ``templates/zi_lhe/lhe.docx`` (python-docx writing docxtpl tags).

This script is only how the first template was made: the .docx is committed, and an instansi edits its own copy in
Word (kop, wording, fonts, margins), then names it in the evaluation settings (``templat_word``). The tags are Jinja
as read by docxtpl: ``{{ name }}`` a value, ``{%p ... %}`` a paragraph holding only a loop or condition, ``{%tr ... %}``
a table row holding only one. The context the tags read is described in :mod:`zi_nb.report.docx`; the python-docx
pieces are in ``tools/docx_parts.py``.

    python tools/make_docx_template.py            # rewrites templates/zi_lhe/lhe.docx
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from docx_parts import (  # noqa: E402  (beside this script)
    BROWN,
    GREY,
    HEAD_FILL,
    NAVY,
    RED,
    add_row,
    borders,
    bottom_rule,
    fix_widths,
    footer,
    keep_row,
    para,
    runs,
    setup,
    shade,
    table,
    tag,
    tag_row,
    write_cell,
)

OUT = ROOT / "templates" / "zi_lhe" / "lhe.docx"


# -- the document ------------------------------------------------------------------------------------------------------
def cover(doc: Any) -> None:
    tag(doc, "{%p if kop or logo %}")
    widths = [28.0, 124.0, 28.0]
    kop = table(doc, widths, None, inside=False)
    borders(kop, size=0)
    row = kop.add_row()
    fix_widths(kop, widths)
    logo = row.cells[0].paragraphs[0]
    logo.add_run("{{ logo }}")
    logo.alignment = WD_ALIGN_PARAGRAPH.CENTER
    text = row.cells[1]
    first = write_cell(text, "{{ kop_utama }}", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=13)
    first.paragraph_format.space_after = Pt(1)
    tag(text, "{%p for baris in kop_lain %}")
    para(text, "{{ baris }}", size=10, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    tag(text, "{%p endfor %}")
    rule = para(doc, "", after=6)
    bottom_rule(rule)
    tag(doc, "{%p endif %}")
    title = para(doc, "{{ judul }}", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, before=6, after=2,
                 colour=NAVY)
    title.runs[0].font.all_caps = True
    nomor = para(doc, "{{ t.nomor }}: {{ nomor }}", align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    nomor.runs[0].font.size = Pt(10)
    para(doc, "{{ t.date }}: {{ tanggal }}", align=WD_ALIGN_PARAGRAPH.CENTER, size=10, after=10)
    widths = [50.0, 130.0]
    ident = table(doc, widths, None)
    tag_row(ident, "{%tr for baris in identitas %}", widths)
    add_row(ident, ["{{ baris.label }}", "{{ baris.nilai }}"], widths)
    tag_row(ident, "{%tr endfor %}", widths)
    for row in ident.rows:
        shade(row.cells[0], "F5F7FA")


def result(doc: Any) -> None:
    para(doc, "{{ t.total }} · {{ t.predicate }}", style="Heading 2")
    p = para(doc, after=2)
    runs(p, ("{{ t.total }}: ", {}), ("{{ total }}", {"bold": True, "size": 14, "colour": NAVY}),
         ("     {{ t.predicate }}: ", {}), ("{{ predikat }}", {"bold": True, "size": 12, "colour": NAVY}),
         ("   ({{ t.status }}: ", {}), ("{{ status }}", {"bold": True}), (")", {}))
    para(doc, "{{ status_rinci }}", size=9, colour=GREY, after=2)
    tag(doc, "{%p for kalimat in prasyarat %}")
    para(doc, "{{ kalimat }}", size=9, colour=GREY, after=2)
    tag(doc, "{%p endfor %}")
    para(doc, "{{ t.criteria }}", style="Heading 3")
    widths = [60.0, 18.0, 20.0, 17.0, 14.0, 20.0, 17.0, 14.0]
    header = ["{{ t.criterion }}", "{{ t.value }}", "{{ t.minimum }} {{ predikat_kriteria[0] }}", "{{ t.margin }}",
              "{{ predikat_kriteria[0] }}", "{{ t.minimum }} {{ predikat_kriteria[1] }}", "{{ t.margin }}",
              "{{ predikat_kriteria[1] }}"]
    numeric = {1, 2, 3, 5, 6}
    crit = table(doc, widths, header, numeric)
    tag_row(crit, "{%tr for k in kriteria %}", widths)
    row = add_row(crit, ["{{ k.nama }}", "{{ k.nilai }}", "{{ k.p[0].minimum }}", "{{ k.p[0].selisih }}",
                         "{{ k.p[0].tanda }}", "{{ k.p[1].minimum }}", "{{ k.p[1].selisih }}", "{{ k.p[1].tanda }}"],
                  widths, numeric)
    keep_row(row)
    for n in (4, 7):
        row.cells[n].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        crit.rows[0].cells[n].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    tag_row(crit, "{%tr endfor %}", widths)
    para(doc, "{{ t.simpulan }}", style="Heading 2")
    tag(doc, "{%p for kalimat in simpulan %}")
    para(doc, "{{ kalimat }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    tag(doc, "{%p endfor %}")
    para(doc, "{{ grafik.radar }}", align=WD_ALIGN_PARAGRAPH.CENTER, before=4)


def evidence(cell: Any) -> None:
    """An area's bukti dukung: one line, then the items lacking evidence (code, question, what is lacking)."""
    p = para(cell, after=1, before=3)
    runs(p, ("{{ t.evidence_block }}: ", {"bold": True, "colour": NAVY, "size": 9}), ("{{ a.bukti.ringkas }}",
                                                                                        {"size": 9}))
    tag(cell, "{%p for b in a.bukti.butir %}")
    p = para(cell, style="List Bullet")
    runs(p, ("{{ b.kode }} ", {"bold": True, "size": 8.5}), ("{{ b.tanya }}", {"size": 8.5, "colour": GREY}),
         (" — {{ b.kurang }}", {"size": 8.5, "colour": RED}))
    tag(cell, "{%p endfor %}")
    tag(cell, "{%p if a.bukti.lainnya %}")
    para(cell, "{{ a.bukti.lainnya }}", size=8, colour=GREY, after=2)
    tag(cell, "{%p endif %}")


def areas(doc: Any) -> None:
    para(doc, "{{ t.areas_notes }}", style="Heading 2")
    widths = [78.0, 30.0, 30.0, 26.0, 16.0]
    numeric = {1, 2, 3, 4}
    header = ["{{ t.area }}", "{{ komponen[0] }}", "{{ komponen[1] }}", "Total", "{{ t.share }}"]
    t = table(doc, widths, header, numeric)
    tag_row(t, "{%tr for a in area %}", widths)
    head = add_row(t, ["{{ a.judul }}", "{{ a.bagian[0] }}", "{{ a.bagian[1] }}", "{{ a.total }}", "{{ a.persen }}"],
                   widths, numeric)
    head.cells[0].paragraphs[0].runs[0].bold = True
    head.cells[3].paragraphs[0].runs[0].bold = True
    keep_row(head)
    for cell in head.cells:
        shade(cell, HEAD_FILL)
        cell.paragraphs[0].paragraph_format.keep_with_next = True
    failing = para(head.cells[0], "", after=0)
    runs(failing, ("{{ a.belum }}", {"size": 8.5, "colour": RED, "bold": True}))
    notes = t.add_row()
    keep_row(notes)
    cell = notes.cells[0].merge(notes.cells[-1])
    first = cell.paragraphs[0]
    first.add_run("{%p if a.draf %}")
    draft = para(cell, "{{ t.draft }}", size=8.5, italic=True, colour=BROWN, after=2)
    draft.runs[0].bold = True
    tag(cell, "{%p endif %}")
    p = para(cell, after=2)
    runs(p, ("{{ t.catatan }}: ", {"bold": True, "colour": NAVY, "size": 9.5}), ("{{ a.catatan }}", {"size": 9.5}))
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    para(cell, "{{ t.rekomendasi }}:", bold=True, colour=NAVY, size=9.5, after=1)
    tag(cell, "{%p for saran in a.rekomendasi %}")
    para(cell, "{{ saran }}", style="List Bullet", size=9.5)
    tag(cell, "{%p else %}")
    para(cell, "—", size=9.5, after=1)
    tag(cell, "{%p endfor %}")
    tag(cell, "{%p if a.penilai %}")
    para(cell, "{{ t.by }} {{ a.penilai }}", size=8, colour=GREY, after=2)
    tag(cell, "{%p endif %}")
    evidence(cell)
    tag_row(t, "{%tr endfor %}", widths)
    tag(doc, "{%p if catatan_unit %}")
    para(doc, "{{ t.unit_notes }}", style="Heading 3")
    p = para(doc, after=2)
    runs(p, ("{{ t.catatan }}: ", {"bold": True, "colour": NAVY}), ("{{ catatan_unit.catatan }}", {}))
    p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    para(doc, "{{ t.rekomendasi }}:", bold=True, colour=NAVY, after=1)
    tag(doc, "{%p for saran in catatan_unit.rekomendasi %}")
    para(doc, "{{ saran }}", style="List Bullet")
    tag(doc, "{%p else %}")
    para(doc, "—")
    tag(doc, "{%p endfor %}")
    para(doc, "{{ t.by }} {{ catatan_unit.penilai }}", size=8, colour=GREY)
    tag(doc, "{%p endif %}")


def charts(doc: Any) -> None:
    para(doc, "{{ t.components }}", style="Heading 2")
    para(doc, "{{ grafik.parts }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, "{{ grafik.hasil }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    tag(doc, "{%p if grafik.tiers %}")
    para(doc, "{{ grafik.tiers }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    tag(doc, "{%p endif %}")


def plan(doc: Any) -> None:
    para(doc, "{{ t.next }}", style="Heading 2")
    tag(doc, "{%p if rencana.tertunda %}")
    para(doc, "{{ rencana.tertunda }}", colour=GREY)
    tag(doc, "{%p elif rencana.sudah %}")
    para(doc, "{{ t.already }}")
    tag(doc, "{%p else %}")
    p = para(doc)
    runs(p, ("{{ t.target }}: {{ rencana.sasaran }}. ", {"bold": True}), ("{{ rencana.kalimat }}", {}))
    tag(doc, "{%p if rencana.di_luar_lke %}")
    widths = [72.0, 27.0, 27.0, 27.0, 27.0]
    numeric = {1, 2, 3, 4}
    t = table(doc, widths, ["{{ t.criterion }}", "{{ t.value }}", "{{ t.minimum }}", "{{ t.shortfall }}",
                            "{{ t.index_needed }}"], numeric)
    tag_row(t, "{%tr for o in rencana.di_luar_lke %}", widths)
    keep_row(add_row(t, ["{{ o.nama }}", "{{ o.nilai }}", "{{ o.minimum }}", "{{ o.kekurangan }}",
                         "{{ o.indeks }}"], widths, numeric))
    tag_row(t, "{%tr endfor %}", widths)
    para(doc, "", after=2)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if rencana.sebagian %}")
    para(doc, "{{ rencana.sebagian }}")
    tag(doc, "{%p endif %}")
    tag(doc, "{%p for g in rencana.kelompok %}")
    para(doc, "{{ g.judul }}", style="Heading 3")
    widths = [16.0, 112.0, 26.0, 26.0]
    t = table(doc, widths, ["{{ t.item }}", "{{ t.action }}", "{{ t.current_answer }}", "{{ t.target }}"])
    tag_row(t, "{%tr for x in g.tindakan %}", widths)
    keep_row(add_row(t, ["{{ x.butir }}", "{{ x.tindakan }}", "{{ x.dari }}", "{{ x.menjadi }}"], widths))
    tag_row(t, "{%tr endfor %}", widths)
    tag(doc, "{%p endfor %}")
    para(doc, "{{ t.method_next }}", size=8, colour=GREY, before=4)
    tag(doc, "{%p endif %}")


def signature(doc: Any) -> None:
    para(doc, "{{ t.team }}", style="Heading 2")
    tag(doc, "{%p if tim %}")
    widths = [80.0, 55.0, 45.0]
    t = table(doc, widths, ["{{ t.name }}", "{{ t.nip }}", "{{ t.role }}"])
    tag_row(t, "{%tr for m in tim %}", widths)
    row = add_row(t, ["{{ m.nama }}", "{{ m.nip }}", "{{ m.peran }}"], widths)
    keep_row(row)
    para(row.cells[0], "{{ m.jabatan }}", size=8, colour=GREY, after=0)
    for r in t.rows:  # the team stays on the page of the signature
        for cell in r.cells:
            for p in cell.paragraphs:
                p.paragraph_format.keep_with_next = True
    tag_row(t, "{%tr endfor %}", widths)
    tag(doc, "{%p else %}")
    para(doc, "{{ t.no_team }}", colour=GREY)
    tag(doc, "{%p endif %}")
    indent = 100.0
    tag(doc, "{%p if klaim %}")
    para(doc, "{{ klaim }}", bold=True, colour=RED, before=8)
    tag(doc, "{%p else %}")
    tag(doc, "{%p if belum_final %}")
    para(doc, "{{ belum_final }}", bold=True, colour=RED, before=8, keep=True)
    tag(doc, "{%p endif %}")
    para(doc, "{{ tempat_tanggal }}", indent=indent, before=14, after=0, keep=True)
    para(doc, "{{ t.signature_head }}", indent=indent, after=0, keep=True)
    para(doc, "{{ penilai }}", indent=indent, after=0, keep=True)
    for _ in range(3):
        para(doc, "", indent=indent, after=6, keep=True)
    name = para(doc, "{{ ketua_nama }}", bold=True, indent=indent, after=0, keep=True)
    name.runs[0].underline = True
    para(doc, "{{ t.nip }} {{ ketua_nip }}", indent=indent, after=12)
    tag(doc, "{%p endif %}")
    para(doc, "{{ jejak }}", size=7.5, colour=GREY, before=12)


def main() -> None:
    doc = Document()
    setup(doc)
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):  # the default document's empty paragraph
        body.remove(p)
    footer(doc)
    cover(doc)
    result(doc)
    areas(doc)
    charts(doc)
    plan(doc)
    signature(doc)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc.save(OUT)
    print(OUT)


if __name__ == "__main__":
    main()
