"""The LKE template per unit: write a blank (or prefilled) workbook that a unit fills, and read it back.

Sheets:

* ``Identitas Unit``: unit id (locked), nama unit, instansi, tahun, predikat saat ini (editable), rubric id and content
  hash, template version;
* ``LKE``: one row per rubric item and per Jumlah input, in rubric order, under bold, outline-grouped rows for the
  component / area / indicator, with the question and criteria visible; only Jawaban Unit, Catatan, Bukti Dukung and
  Tautan Bukti Dukung are unlocked, and the answer cells carry drop-down / number validation by answer type. A ``%``
  item's answer cell says that it is computed from the Jumlah rows below it;
* ``_zi_nb`` (hidden): ``kind``, template version, rubric id and hash, unit id, so that :func:`sniff_workbook`
  recognises a template by its content, whatever the file is called.

Sheets are protected without a password (:data:`SHEET_PASSWORD`): the lock prevents accidents, not determined edits.
Reading matches rows by the ``Kode`` column, so rows that were sorted or inserted do not matter. Text that Excel would
take for a formula (``=``, ``+``, ``-``, ``@`` ...; see :func:`zi_nb.lke.xlsx.safe_text`) is stored as a text cell with
Excel's quote prefix, so it is shown and read back exactly as written and never executed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

from zi_nb.common.files import atomic_path
from zi_nb.common.findings import Finding, cell_name
from zi_nb.engine.answers import RAW_COLUMNS, is_blank, normalise_tier
from zi_nb.engine.rubric import Item, Rubric, load_rubric
from zi_nb.errors import InputError, InputLimitError, ParameterError
from zi_nb.lke.extract import Extract
from zi_nb.lke.formulas import formula_answer
from zi_nb.lke.long_format import (
    cell_text,
    clean_hidden,
    find_header,
    header_key,
    join_evidence,
    parse_year,
    units_frame,
)
from zi_nb.lke.xlsx import Book, merged_answers, safe_text

TEMPLATE_KIND = "zi-nb-lke-template"
TEMPLATE_VERSION = "1"
MARKER_SHEET = "_zi_nb"
IDENTITY_SHEET = "Identitas Unit"
LKE_SHEET = "LKE"
TEMPLATE_SUFFIX = ".xlsx"  # what write_template writes; another extension is refused
SHEET_PASSWORD: str | None = None  # protection guards the structure against accidents; no password to lose
COMPUTED_MARKER = "Dihitung dari isian Jumlah di bawah"
HEADER_ROW = 3  # 1-based row of the LKE table header
# (key, header, width); keys of the columns read back are those of zi_nb.lke.long_format.HEADER_ALIASES
COLUMNS: list[tuple[str, str, float]] = [
    ("code", "Kode", 18), ("structure", "Komponen/Area/Indikator", 30), ("question", "Pertanyaan", 48),
    ("criteria", "Kriteria", 60), ("answer_type", "Tipe Jawaban", 12), ("weight", "Bobot indikator", 10),
    ("answer", "Jawaban Unit", 14), ("note", "Catatan", 40), ("evidence", "Bukti Dukung", 40),
    ("evidence_link", "Tautan Bukti Dukung", 40),
]
COL = {key: index + 1 for index, (key, _, _) in enumerate(COLUMNS)}  # key -> 1-based column
EDITABLE = ("answer", "note", "evidence", "evidence_link")
# (key, label, editable, hint): labels map to the keys through zi_nb.lke.long_format.header_key
IDENTITY: list[tuple[str, str, bool, str]] = [
    ("unit_id", "ID Unit", False, "Kode unit; dipakai untuk mencocokkan jawaban (tidak diubah)."),
    ("unit_name", "Nama Unit", True, "Nama lengkap unit kerja."),
    ("instansi", "Instansi", True, "Kementerian/lembaga/pemerintah daerah induk."),
    ("year", "Tahun", True, "Tahun penilaian, mis. 2024."),
    ("current_predicate", "Predikat Saat Ini", True, "Kosongkan bila belum berpredikat."),
]
_URL = re.compile(r"^(https?|ftp)://\S+$", re.IGNORECASE)
_CRITERIA_BREAK = re.compile(r"\s+(?=[b-e]\.\s)")
_FILLS = ["1F3864", "2F5597", "BDD7EE", "DEEBF7"]  # component, subcomponent, area, indicator
_EDIT_FILL = PatternFill("solid", fgColor="FFF2CC")
_COMPUTED_FILL = PatternFill("solid", fgColor="EDEDED")
_WRAP = Alignment(wrap_text=True, vertical="top")
_UNLOCKED = Protection(locked=False)


@dataclass(frozen=True)
class _Row:
    kind: str  # component | area | indicator | item | input
    level: int  # outline level
    code: str | None = None
    label: str = ""
    question: str = ""
    criteria: str = ""
    answer_type: str = ""
    weight: float | None = None


# -- layout ---------------------------------------------------------------------------------------------------------
def _rule_text(item: Item) -> str:
    """How a % item is computed, for its Kriteria cell when the rubric gives no criteria text."""
    rule = item.rule
    labels = {i.name: i.label.lstrip("- ").strip() for i in item.inputs}
    if rule is None:
        return ""
    if rule.kind == "decrease":
        return f"Dihitung dari penurunan: '{labels.get(rule.previous or '')}' ke '{labels.get(rule.current or '')}'."
    if rule.denominator_total:
        base = f"'{labels[rule.denominator_total]}'"
    else:
        base = " + ".join(f"'{labels[n]}'" for n in rule.denominator) or f"menurut kebijakan {rule.denominator_policy}"
    return f"Dihitung: '{labels.get(rule.numerator or '')}' / {base} (maksimal 100%)."


def layout(rubric: Rubric) -> list[_Row]:
    """The LKE sheet's rows in rubric order: hierarchy rows when the component/area/indicator changes, then each
    item and, after a % item, its Jumlah inputs."""
    rows: list[_Row] = []
    previous: list[tuple[str, str]] = []
    for item in rubric.items:
        ind = rubric.indicator_by_code[item.indicator]
        chain = list(reversed(rubric.leaf_component(ind.component)))
        path = [("component", c) for c in chain]
        if ind.area is not None:
            path.append(("area", ind.area))
        path.append(("indicator", ind.code))
        same = 0
        while same < min(len(path), len(previous)) and path[same] == previous[same]:
            same += 1
        for level, (kind, code) in enumerate(path[same:], start=same):
            if kind == "component":
                comp = rubric.component_by_code[code]
                rows.append(_Row(kind, level, label=f"{comp.name.upper()} (bobot {comp.weight:g})"))
            elif kind == "area":
                area = rubric.area_by_code[code]
                rows.append(_Row(kind, level, label=f"{area.code}. {area.name} (bobot {area.weights[chain[-1]]:g})"))
            else:
                rows.append(_Row(kind, level, label=f"{ind.code} {ind.name}", weight=ind.weight))
        previous = path
        criteria = _CRITERIA_BREAK.sub("\n", item.criteria) or _rule_text(item)
        rows.append(_Row("item", len(path), item.code, "", item.question, criteria, item.answer_type, ind.weight))
        for inp in item.inputs:
            rows.append(_Row("input", len(path) + 1, f"{item.code}.{inp.name}", "", inp.label, "", "Jumlah"))
    return rows


# -- writing --------------------------------------------------------------------------------------------------------
def split_evidence(evidence: str | None) -> tuple[str | None, str | None]:
    """(Bukti Dukung, Tautan): trailing lines that are links go to the link column when that round-trips exactly."""
    if evidence is None:
        return None, None
    lines = evidence.split("\n")
    start = len(lines)
    while start > 0 and _URL.match(lines[start - 1].strip()):
        start -= 1
    if start == len(lines):
        return evidence, None
    listed, links = "\n".join(lines[:start]) or None, "\n".join(lines[start:])
    return (listed, links) if join_evidence(listed, links) == evidence else (evidence, None)


def _prefill(answers: pd.DataFrame | None, unit_id: str, rubric: Rubric) -> dict[str, tuple[Any, Any, Any]]:
    """code -> (answer value, note, evidence) of the unit tier of ``unit_id`` in an answers (or raw) frame."""
    if answers is None or answers.empty:
        return {}
    frame = answers
    if "unit_id" in frame:
        frame = frame[frame["unit_id"].astype(str) == unit_id]
    if "tier" in frame:
        frame = frame[frame["tier"].map(normalise_tier) == "unit"]
    out: dict[str, tuple[Any, Any, Any]] = {}
    for rec in frame.to_dict("records"):
        code = str(rec.get("code") or "").strip()
        if code not in rubric.all_codes:
            continue
        answer, number, raw = rec.get("answer"), rec.get("number"), rec.get("raw")
        if isinstance(answer, str) and answer:
            value: Any = answer
        elif isinstance(number, (int, float)) and not math.isnan(number):
            value = int(number) if rubric.answer_type_of(code) == "Jumlah" and float(number).is_integer() else number
        else:
            value = None if is_blank(raw) else raw
        out[code] = (value, cell_text(rec.get("note")), cell_text(rec.get("evidence")))
    return out


def _validations(rubric: Rubric) -> dict[str, DataValidation]:
    """Answer type -> data validation of its answer cells (none for computed % items)."""
    out: dict[str, DataValidation] = {}
    common = {"allow_blank": True, "showErrorMessage": True, "showInputMessage": True,
              "errorTitle": "Jawaban tidak sah", "promptTitle": "Jawaban Unit"}
    for name, at in rubric.answer_types.items():
        if at.kind == "option":
            options = ", ".join(at.options)
            out[name] = DataValidation(type="list", formula1='"' + ",".join(at.options) + '"', **common,
                                       error=f"Pilih salah satu: {options}.", prompt=f"Pilih: {options}")
        elif at.kind == "index":
            out[name] = DataValidation(type="decimal", operator="between", formula1=f"{at.minimum:g}",
                                       formula2=f"{at.maximum:g}", **common,
                                       error=f"Isi angka {at.minimum:g} sampai {at.maximum:g}, mis. 3,6.",
                                       prompt=f"Indeks {at.minimum:g}-{at.maximum:g}")
        elif at.kind == "count":
            out[name] = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", **common,
                                       error="Isi bilangan bulat 0 atau lebih.", prompt="Jumlah (bilangan bulat >= 0)")
    return out


def _protect(ws: Worksheet) -> None:
    ws.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False, insertRows=False, sort=False,
                                    autoFilter=False, password=SHEET_PASSWORD)


def _write_identity(ws: Worksheet, rubric: Rubric, values: dict[str, Any]) -> None:
    ws["A1"] = "Identitas Unit"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Isi sel berwarna kuning. Sel lain dikunci agar struktur LKE tetap utuh."
    rows = [*IDENTITY, ("rubric", "Rubrik", False, rubric.title), ("rubric_hash", "Hash Rubrik", False, ""),
            ("template_version", "Versi Templat", False, "")]
    values = {**values, "rubric": rubric.id, "rubric_hash": rubric.content_hash, "template_version": TEMPLATE_VERSION}
    for offset, (key, label, editable, hint) in enumerate(rows):
        r = 4 + offset
        ws.cell(r, 1, label).font = Font(bold=True)
        safe_text(values.get(key), ws.cell(r, 2))
        ws.cell(r, 3, hint).font = Font(italic=True, color="7F7F7F")
        if editable:
            ws.cell(r, 2).protection = _UNLOCKED
            ws.cell(r, 2).fill = _EDIT_FILL
        if key == "year":
            dv = DataValidation(type="whole", operator="between", formula1="1900", formula2="2100", allow_blank=True,
                                showErrorMessage=True, error="Isi tahun, mis. 2024.")
            ws.add_data_validation(dv)
            dv.add(ws.cell(r, 2))
        if key == "current_predicate":
            dv = DataValidation(type="list", formula1='"' + ",".join(p.code for p in rubric.predicates) + '"',
                                allow_blank=True, showErrorMessage=True, error="Pilih predikat atau kosongkan.")
            ws.add_data_validation(dv)
            dv.add(ws.cell(r, 2))
    for col, width in (("A", 22), ("B", 60), ("C", 60)):
        ws.column_dimensions[col].width = width
    _protect(ws)


def _write_lke(ws: Worksheet, rubric: Rubric, unit_id: str, unit_name: str | None,
               prefill: dict[str, tuple[Any, Any, Any]]) -> None:
    safe_text(f"{rubric.title}: {unit_name or unit_id}", ws.cell(1, 1))
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(2, 1, "Isi kolom berwarna kuning (Jawaban Unit, Catatan, Bukti Dukung, Tautan Bukti Dukung). Butir % "
                  "dihitung dari isian Jumlah di bawahnya.").font = Font(italic=True)
    for key, header, width in COLUMNS:
        cell = ws.cell(HEADER_ROW, COL[key], header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3864")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[cell.column_letter].width = width
    validations = _validations(rubric)
    for dv in validations.values():
        ws.add_data_validation(dv)
    r = HEADER_ROW
    for row in layout(rubric):
        r += 1
        ws.row_dimensions[r].outline_level = row.level
        if row.kind not in ("item", "input"):
            cell = ws.cell(r, COL["structure"], row.label)
            if row.weight is not None:
                ws.cell(r, COL["weight"], row.weight)
            if row.kind == "component":
                fill, color = _FILLS[min(row.level, 1)], "FFFFFF"
            else:
                fill, color = _FILLS[2 if row.kind == "area" else 3], "000000"
            for c in range(1, len(COLUMNS) + 1):
                ws.cell(r, c).fill = PatternFill("solid", fgColor=fill)
                ws.cell(r, c).font = Font(bold=True, color=color)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            continue
        value, note, evidence = prefill.get(row.code or "", (None, None, None))
        ws.cell(r, COL["code"], row.code)
        safe_text(row.question, ws.cell(r, COL["question"]))
        safe_text(row.criteria, ws.cell(r, COL["criteria"]))
        ws.cell(r, COL["answer_type"], row.answer_type)
        if row.weight is not None:
            ws.cell(r, COL["weight"], row.weight)
        answer = ws.cell(r, COL["answer"])
        computed = rubric.answer_types[row.answer_type].kind == "ratio"
        if computed:
            safe_text(COMPUTED_MARKER if value is None else value, answer)
            answer.number_format = "0.00%"
            answer.fill, answer.font = _COMPUTED_FILL, Font(italic=True, color="7F7F7F")
        else:
            safe_text(value, answer)
            validations[row.answer_type].add(answer)
        listed, links = split_evidence(evidence)
        safe_text(note, ws.cell(r, COL["note"]))
        safe_text(listed, ws.cell(r, COL["evidence"]))
        safe_text(links, ws.cell(r, COL["evidence_link"]))
        if links and "\n" not in links:
            ws.cell(r, COL["evidence_link"]).hyperlink = links
        for key in EDITABLE:
            cell = ws.cell(r, COL[key])
            if not (key == "answer" and computed):
                cell.protection, cell.fill = _UNLOCKED, _EDIT_FILL
        for c in range(1, len(COLUMNS) + 1):
            ws.cell(r, c).alignment = _WRAP
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 2)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{ws.cell(HEADER_ROW, len(COLUMNS)).column_letter}{r}"
    ws.sheet_properties.outlinePr.summaryBelow = False
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    _protect(ws)


def write_template(path: str | Path, rubric: Rubric | str, unit_id: str, unit_name: str | None = None,
                   instansi: str | None = None, year: int | None = None,
                   answers: pd.DataFrame | None = None, current_predicate: str | None = None) -> None:
    """Write the LKE template of one unit to ``path`` (atomically: a temporary file replaces the target).

    ``answers`` (an answers or raw frame) prefills the unit tier of ``unit_id``: answers, Jumlah, notes, evidence.
    Raises :class:`~zi_nb.errors.ParameterError` when ``path`` does not end in ``.xlsx``, the format written.
    """
    if Path(path).suffix.lower() != TEMPLATE_SUFFIX:
        raise ParameterError(f"{path}: templat LKE ditulis sebagai buku kerja Excel {TEMPLATE_SUFFIX}, tetapi nama "
                             f"berkas berakhiran '{Path(path).suffix or '(tanpa akhiran)'}'; beri nama berakhiran "
                             f"{TEMPLATE_SUFFIX}, misalnya {Path(path).with_suffix(TEMPLATE_SUFFIX).name}")
    rubric = load_rubric(rubric)
    wb = Workbook()
    identity = wb.active
    identity.title = IDENTITY_SHEET
    _write_identity(identity, rubric, {"unit_id": unit_id, "unit_name": unit_name, "instansi": instansi,
                                       "year": year, "current_predicate": current_predicate})
    _write_lke(wb.create_sheet(LKE_SHEET), rubric, unit_id, unit_name, _prefill(answers, unit_id, rubric))
    marker = wb.create_sheet(MARKER_SHEET)
    for key, value in (("kind", TEMPLATE_KIND), ("template_version", TEMPLATE_VERSION), ("rubric_id", rubric.id),
                       ("rubric_hash", rubric.content_hash), ("unit_id", unit_id)):
        marker.append([key, None])
        safe_text(value, marker.cell(marker.max_row, 2))
    marker.sheet_state = "hidden"
    _protect(marker)
    wb.active = 0
    wb.security = WorkbookProtection(lockStructure=True)
    with atomic_path(path) as tmp:
        wb.save(tmp)


# -- reading --------------------------------------------------------------------------------------------------------
def _marker(book: Book) -> dict[str, str | None]:
    return {str(cell_text(row[0])): cell_text(row[1]) for row in book.values(MARKER_SHEET) if len(row) >= 2}


def sniff_workbook(book: Book) -> bool:
    """True for a workbook written by :func:`write_template` (hidden marker sheet with the template kind)."""
    try:
        return MARKER_SHEET in book.sheet_names and _marker(book).get("kind") == TEMPLATE_KIND
    except InputLimitError:
        raise
    except InputError:  # a damaged marker sheet: not recognisable as a template
        return False


def read_workbook(book: Book, path: Path, rubric: Rubric) -> Extract:
    """Read a filled template: unit metadata from ``Identitas Unit``, answers by ``Kode`` from ``LKE`` (tier unit)."""
    name = str(path)
    findings: list[Finding] = []
    marker = _marker(book)
    if marker.get("rubric_hash") != rubric.content_hash:
        findings.append(Finding("template_rubric_mismatch", "warning", file=name, sheet=MARKER_SHEET, params={
            "found": f"{marker.get('rubric_id')} ({marker.get('rubric_hash')})",
            "expected": f"{rubric.id} ({rubric.content_hash})"}))
    meta: dict[str, Any] = {}
    if IDENTITY_SHEET in book.sheet_names:
        for index, row in enumerate(book.values(IDENTITY_SHEET)):
            key = header_key(row[0]) if row else None
            if key is None or key in meta or len(row) < 2 or cell_text(row[1]) is None:
                continue
            meta[key] = cell_text(row[1])
            if key == "year":
                meta[key] = parse_year(row[1])
                if meta[key] is None:
                    findings.append(Finding("metadata_invalid", "warning", file=name, sheet=IDENTITY_SHEET,
                                            cell=cell_name(index + 1, 2), params={
                                                "field": "tahun", "found": cell_text(row[1]),
                                                "expected": "bilangan bulat, mis. 2024"}))
                    del meta[key]
    else:
        findings.append(Finding("sheet_missing", "warning", file=name,
                                params={"expected": IDENTITY_SHEET, "found": ", ".join(book.sheet_names)}))
    meta["unit_id"] = meta.get("unit_id") or marker.get("unit_id")
    findings += clean_hidden(meta, ("unit_id", "unit_name", "instansi", "current_predicate"),
                             {"file": name, "sheet": IDENTITY_SHEET})
    unit_id = meta.pop("unit_id")
    if unit_id is None:
        return Extract(findings=[*findings, Finding("unit_missing", file=name, sheet=IDENTITY_SHEET,
                                                    cell=cell_name(4, 2))], fatal=True)
    sheets = [LKE_SHEET] if LKE_SHEET in book.sheet_names else [
        s for s in book.sheet_names if find_header(book.values(s), ("code", "answer")) is not None]
    if not sheets:
        return Extract(findings=[*findings, Finding("sheet_missing", file=name, params={
            "expected": LKE_SHEET, "found": ", ".join(book.sheet_names)})], fatal=True)
    sheet = sheets[0]
    rows = book.values(sheet)
    hit = find_header(rows, ("code", "answer"))
    if hit is None:  # the columns found: those of the template's header row, else of the first row with text
        header = rows[HEADER_ROW - 1] if len(rows) >= HEADER_ROW and any(rows[HEADER_ROW - 1]) else next(
            (row for row in rows if any(cell_text(v) for v in row)), [])
        at = cell_name(rows.index(header) + 1 if header in rows else 1, 1)
        return Extract(findings=[*findings, Finding("column_missing", file=name, sheet=sheet, cell=at, params={
            "expected": "Kode, Jawaban Unit", "found": ", ".join(str(v) for v in header if cell_text(v)) or "-"})],
            fatal=True)
    header_row, cols = hit
    links = book.hyperlinks(sheet)

    def value(row: list[Any], key: str) -> Any:
        return row[cols[key]] if key in cols and cols[key] < len(row) else None

    def linked(row: list[Any], index: int, key: str) -> str | None:
        text = cell_text(value(row, key))
        target = links.get(cell_name(index + 1, cols[key] + 1)) if key in cols else None
        return join_evidence(text, target) if target and (text is None or target not in text) else text

    raw: list[dict[str, Any]] = []
    for index in range(header_row + 1, len(rows)):
        row = rows[index]
        code, answer, note = cell_text(value(row, "code")), value(row, "answer"), cell_text(value(row, "note"))
        evidence = join_evidence(linked(row, index, "evidence"), linked(row, index, "evidence_link"))
        address = cell_name(index + 1, cols["answer"] + 1)
        where = {"file": name, "sheet": sheet, "cell": address, "line": None}
        if code is None:
            if cell_text(answer) is not None or note is not None or evidence is not None:
                findings.append(Finding("unmapped_row", file=name, sheet=sheet, cell=address, line=None,
                                        unit_id=unit_id, params={"found": cell_text(answer) or note or evidence}))
            continue
        if isinstance(answer, str) and answer.strip() == COMPUTED_MARKER:
            answer = None
        if (f := book.formula_cells(sheet).get(address)) is not None:  # a template holds no formulas: not an answer
            findings.append(Finding("formula_answer", file=name, sheet=sheet, cell=address, unit_id=unit_id,
                                    code=code, params=formula_answer(f, answer)))
            answer = None
        raw.append({"unit_id": unit_id, "tier": "unit", "reviewer": None, "code": code, "raw": answer,
                    "note": note, "evidence": evidence, **where})
    findings += merged_answers(book, sheet, [(r["cell"], unit_id, r["code"]) for r in raw])
    frame = pd.DataFrame(raw, columns=RAW_COLUMNS, dtype=object)
    return Extract(raw=frame, units=units_frame({unit_id: meta}, name), findings=findings)
