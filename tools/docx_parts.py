"""The python-docx pieces ``tools/make_docx_template.py`` builds the Word template of the LHE with: page and styles,
tables with their widths, borders and repeated header rows, paragraphs holding docxtpl tags, Word fields (page
numbers) and the footer."""

from __future__ import annotations

from typing import Any

from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

FONT = "Arial"
NAVY = RGBColor(0x12, 0x35, 0x5B)
GREY = RGBColor(0x5B, 0x67, 0x76)
BROWN = RGBColor(0x6B, 0x47, 0x00)
RED = RGBColor(0xB3, 0x26, 0x1E)
HEAD_FILL = "EEF2F7"
TEXT_WIDTH = 180.0  # mm: A4 (210 mm) less 15 mm margins; the charts are 180 mm wide


# -- low-level helpers -------------------------------------------------------------------------------------------------
def _el(tag: str, **attrs: str) -> Any:
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def shade(cell: Any, fill: str) -> None:
    cell._tc.get_or_add_tcPr().append(_el("w:shd", val="clear", color="auto", fill=fill))


def borders(table: Any, size: int = 4, colour: str = "9AA6B2", inside: bool = True) -> None:
    """Single borders around the table (and between its cells when ``inside``); size in eighths of a point."""
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    box = _el("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        visible = inside or side in ("top", "left", "bottom", "right")
        box.append(_el(f"w:{side}", val="single" if visible and size else "nil", sz=str(size), space="0",
                       color=colour))
    tbl_pr.append(box)


def cell_margins(table: Any, top: int = 40, side: int = 80) -> None:
    """Cell padding in twentieths of a point."""
    mar = _el("w:tblCellMar")
    for name, value in (("top", top), ("left", side), ("bottom", top), ("right", side)):
        mar.append(_el(f"w:{name}", w=str(value), type="dxa"))
    table._tbl.tblPr.append(mar)


def repeat_header(row: Any) -> None:
    """The row is repeated at the top of every page the table runs onto; the row is never split across pages."""
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(_el("w:tblHeader"))
    tr_pr.append(_el("w:cantSplit"))


def keep_row(row: Any) -> None:
    row._tr.get_or_add_trPr().append(_el("w:cantSplit"))


def field(paragraph: Any, instr: str, size: float = 8.5) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) in ``paragraph``: Word and LibreOffice compute it when they lay out."""
    def run_with(element: Any) -> None:
        run = paragraph.add_run()
        run.font.size = Pt(size)
        run._r.append(element)

    run_with(_el("w:fldChar", fldCharType="begin"))
    instr_el = OxmlElement("w:instrText")
    instr_el.set(qn("xml:space"), "preserve")
    instr_el.text = f" {instr} "
    run_with(instr_el)
    run_with(_el("w:fldChar", fldCharType="separate"))
    run = paragraph.add_run("1")
    run.font.size = Pt(size)
    run_with(_el("w:fldChar", fldCharType="end"))


def bottom_rule(paragraph: Any) -> None:
    """A double line under the paragraph (the line under the kop)."""
    p_pr = paragraph._p.get_or_add_pPr()
    bdr = _el("w:pBdr")
    bdr.append(_el("w:bottom", val="thinThickSmallGap", sz="18", space="1", color="000000"))
    p_pr.append(bdr)


def para(container: Any, text: str = "", style: str | None = None, bold: bool = False, size: float | None = None,
         align: Any = None, colour: RGBColor | None = None, italic: bool = False, after: float | None = None,
         before: float | None = None, keep: bool = False, indent: float | None = None) -> Any:
    p = container.add_paragraph(style=style)
    if text:
        run = p.add_run(text)
        run.bold = bold or None
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)
        if colour is not None:
            run.font.color.rgb = colour
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    if after is not None:
        fmt.space_after = Pt(after)
    if before is not None:
        fmt.space_before = Pt(before)
    if keep:
        fmt.keep_with_next = True
    if indent is not None:
        fmt.left_indent = Mm(indent)
    return p


def tag(container: Any, text: str) -> Any:
    """A paragraph holding only a docxtpl ``{%p ... %}`` tag (it disappears from the document)."""
    return para(container, text, after=0)


def runs(p: Any, *parts: tuple[str, dict[str, Any]]) -> Any:
    for text, fmt in parts:
        run = p.add_run(text)
        run.bold = fmt.get("bold")
        run.italic = fmt.get("italic")
        if fmt.get("size"):
            run.font.size = Pt(fmt["size"])
        if fmt.get("colour") is not None:
            run.font.color.rgb = fmt["colour"]
    return p


def write_cell(cell: Any, text: str, bold: bool = False, align: Any = None, size: float = 9.0,
               colour: RGBColor | None = None) -> Any:
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    run = p.add_run(text)
    run.bold = bold or None
    run.font.size = Pt(size)
    if colour is not None:
        run.font.color.rgb = colour
    if align is not None:
        p.alignment = align
    return p


def table(doc: Any, widths: list[float], header: list[str] | None, numeric: frozenset[int] | set[int] = frozenset(),
          inside: bool = True) -> Any:
    """A table of ``widths`` (mm) with an optional shaded header row repeated on every page."""
    t = doc.add_table(rows=1 if header else 0, cols=len(widths))
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    borders(t, inside=inside)
    cell_margins(t)
    for col, width in zip(t.columns, widths):
        col.width = Mm(width)
    if header:
        row = t.rows[0]
        repeat_header(row)
        for n, (cell, text) in enumerate(zip(row.cells, header)):
            shade(cell, HEAD_FILL)
            write_cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT if n in numeric else None)
    return t


def add_row(t: Any, texts: list[str], widths: list[float], numeric: frozenset[int] | set[int] = frozenset(),
            **fmt: Any) -> Any:
    row = t.add_row()
    for n, (cell, text) in enumerate(zip(row.cells, texts)):
        cell.width = Mm(widths[n])
        write_cell(cell, text, align=WD_ALIGN_PARAGRAPH.RIGHT if n in numeric else None, **fmt)
    return row


def tag_row(t: Any, text: str, widths: list[float]) -> Any:
    """A table row holding only a ``{%tr ... %}`` tag (it disappears from the document)."""
    return add_row(t, [text] + [""] * (len(widths) - 1), widths)


def fix_widths(t: Any, widths: list[float]) -> None:
    for row in t.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Mm(width)


# -- styles and page ---------------------------------------------------------------------------------------------------
def setup(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin, section.bottom_margin = Mm(15), Mm(18)
    section.header_distance, section.footer_distance = Mm(8), Mm(8)
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.1
    for name, size, before in (("Heading 1", 13, 14), ("Heading 2", 11.5, 12), ("Heading 3", 10.5, 8)):
        style = styles[name]
        style.font.name = FONT
        rfonts = style.element.rPr.rFonts
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)
        rfonts.set(qn("w:ascii"), FONT)
        rfonts.set(qn("w:hAnsi"), FONT)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = NAVY
        style.paragraph_format.space_before = Pt(before)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.keep_with_next = True
    bullet = styles["List Bullet"]
    bullet.font.name = FONT
    bullet.paragraph_format.space_after = Pt(1)
    doc.core_properties.title = "Laporan Hasil Evaluasi Zona Integritas"
    doc.core_properties.author = "zi-nb"
    # (no Jinja tags here: docxtpl renders the document properties too)
    doc.core_properties.comments = ("Templat Word LHE zi-nb. Ubah kop, kata-kata dan tata letak di Word; tag yang "
                                    "diisi zi-nb dijelaskan di README (templat_word).")


def footer(doc: Any) -> None:
    p = doc.sections[0].footer.paragraphs[0]
    doc.styles["Footer"].paragraph_format.tab_stops.clear_all()  # the default's centre and right stops (6.5 in)
    p.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH), WD_TAB_ALIGNMENT.RIGHT)
    runs(p, ("{{ kaki }}", {"size": 8, "colour": GREY}), ("\t{{ t.page }} ", {"size": 8.5}))
    field(p, "PAGE")
    runs(p, (" {{ t.page_of }} ", {"size": 8.5}))
    field(p, "NUMPAGES")
