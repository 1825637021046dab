"""Validation findings: what is wrong, where, and what was expected, in Bahasa Indonesia (English on request).

A :class:`Finding` is produced by every reader and by :mod:`zi_nb.engine.validate`. It names the file, the sheet and the
cell (A1 style) or the CSV line, the rubric code and the unit, carries a severity, and renders its message from the
catalogue below, so the wording lives in one place and can be shown in either language.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from zi_nb.common.text import visible

Severity = Literal["error", "warning", "info"]

# kind -> (Bahasa Indonesia, English). Placeholders are filled from Finding.params.
MESSAGES: dict[str, tuple[str, str]] = {
    "file_missing": ("Berkas tidak ditemukan.", "File not found."),
    "file_unreadable": (
        "Berkas tidak dapat dibaca sebagai {expected}: {detail}.",
        "The file cannot be read as {expected}: {detail}.",
    ),
    "file_too_large": (
        "Berkas terlalu besar ({size}); batasnya {limit}. Periksa apakah ini berkas LKE yang benar.",
        "The file is too large ({size}); the limit is {limit}. Check that this is the right LKE file.",
    ),
    "unknown_format": (  # found: what was nearly recognised (": lembar 'X' baris 2 ...") or nothing
        ("Format berkas tidak dikenali{found}; yang diharapkan: CSV/XLSX format panjang (kolom unit_id, code, answer), "
        "LKE edaran (lembar 'LKE ZI' atau tabel berkepala 'ID | Penilaian | ...'), atau templat zi-nb."),
        ("Unrecognised file{found}; expected a long-format CSV/XLSX (columns unit_id, code, answer), a circulated LKE "
        "(sheet 'LKE ZI' or a table headed 'ID | Penilaian | ...'), or a zi-nb template."),
    ),
    "sheet_missing": (
        "Lembar '{expected}' tidak ada; lembar yang ada: {found}.",
        "Sheet '{expected}' is missing; sheets present: {found}.",
    ),
    "column_missing": (
        "Kolom wajib '{expected}' tidak ada; kolom yang ada: {found}.",
        "Required column '{expected}' is missing; columns present: {found}.",
    ),
    "unknown_code": (
        "Kode '{found}' tidak ada dalam rubrik {rubric}.",
        "Code '{found}' is not in rubric {rubric}.",
    ),
    "unmapped_row": (
        "Baris ini tidak dapat dipetakan ke butir rubrik: '{found}'.",
        "This row cannot be mapped to a rubric item: '{found}'.",
    ),
    "item_missing": (
        "Butir {code} tidak ditemukan di lembar ini.",
        "Item {code} was not found in this sheet.",
    ),
    "unknown_tier": (
        "Tingkat penilai '{found}' tidak dikenal; yang diharapkan: unit, tpi atau tpn.",
        "Unknown tier '{found}'; expected unit, tpi or tpn.",
    ),
    "unit_missing": ("unit_id kosong.", "unit_id is empty."),
    "invalid_option": (
        "Jawaban '{found}' tidak sah untuk tipe {expected}; butir ini tidak dinilai.",
        "Answer '{found}' is not valid for type {expected}; the item is not scored.",
    ),
    "normalised": (
        "Jawaban '{found}' dibaca sebagai '{normalised}'.",
        "Answer '{found}' was read as '{normalised}'.",
    ),
    "blank": ("Butir {code} belum dijawab.", "Item {code} is unanswered."),
    "not_a_number": (
        "Nilai '{found}' bukan angka; yang diharapkan: {expected}.",
        "Value '{found}' is not a number; expected {expected}.",
    ),
    "negative": (
        "Jumlah '{found}' negatif; yang diharapkan bilangan 0 atau lebih.",
        "Count '{found}' is negative; expected 0 or more.",
    ),
    "not_integer": (
        "Jumlah '{found}' bukan bilangan bulat.",
        "Count '{found}' is not a whole number.",
    ),
    "index_range": (
        "Indeks survei {found} di luar rentang 0..4; dipotong ke {normalised}.",
        "Survey index {found} is outside 0..4; clamped to {normalised}.",
    ),
    "excel_error": (
        "Sel berisi galat Excel {found}; yang diharapkan: {expected}.",
        "The cell holds the Excel error {found}; expected {expected}.",
    ),
    "answer_type_mismatch": (
        "Tipe jawaban di lembar kerja '{found}' berbeda dengan rubrik '{expected}'.",
        "The workbook's answer type '{found}' differs from the rubric's '{expected}'.",
    ),
    "duplicate_conflict": (
        "Jawaban ganda yang bertentangan untuk {code} ({tier}): {found}; yang dipakai: '{normalised}'.",
        "Conflicting duplicate answers for {code} ({tier}): {found}; used: '{normalised}'.",
    ),
    "duplicate_same": (
        "Jawaban ganda yang sama untuk {code} ({tier}): {found}.",
        "Repeated identical answer for {code} ({tier}): {found}.",
    ),
    "total_mismatch": (
        "Jumlah yang dinyatakan {found} berbeda dengan jumlah rinciannya {expected}.",
        "The stated total {found} differs from the sum of its parts {expected}.",
    ),
    "above_base": (
        "{numerator} ({found}) melebihi {denominator} ({expected}); data tidak konsisten.",
        "{numerator} ({found}) exceeds {denominator} ({expected}); inconsistent data.",
    ),
    "zero_base": (
        "Pembagi {denominator} bernilai 0; butir {code} tidak dapat dinilai.",
        "The base {denominator} is 0; item {code} cannot be scored.",
    ),
    "input_missing": (
        "Isian Jumlah '{expected}' untuk {code} kosong; butir ini tidak dapat dihitung.",
        "Jumlah input '{expected}' for {code} is empty; the item cannot be computed.",
    ),
    "cached_mismatch": (
        "Nilai tersimpan di lembar kerja {found} berbeda dengan nilai menurut rubrik {expected} ({what}).",
        "The workbook's cached value {found} differs from the rubric's value {expected} ({what}).",
    ),
    "formula_range": (
        "Rumus '{found}' tidak mencakup semua butir {code}; yang diharapkan mencakup: {expected}.",
        "Formula '{found}' does not cover every item of {code}; expected to cover: {expected}.",
    ),
    "formula_answer": (
        ("Sel jawaban berisi rumus '{found}' (nilai tersimpannya: {cached}); jawaban harus diisi sebagai nilai, bukan "
         "rumus, sehingga sel ini tidak dibaca sebagai jawaban. Ketik jawabannya langsung di sel ini."),
        ("The answer cell holds the formula '{found}' (its cached value: {cached}); answers must be entered as values, "
         "not formulas, so this cell is not read as an answer. Type the answer into the cell."),
    ),
    "cached_absent": (
        ("{found} sel rumus hasil di berkas ini tidak menyimpan nilai (berkas disimpan oleh program yang tidak "
         "menghitung rumus, mis. openpyxl, pandas atau ekspor web), sehingga nilai tersimpannya tidak dapat "
         "dibandingkan dengan nilai menurut rubrik; skor tetap dihitung dari jawaban. Untuk membandingkannya, buka "
         "berkas di Excel atau LibreOffice lalu simpan ulang."),
        ("{found} result formula cells of this file hold no stored value (the file was saved by a program that does "
         "not calculate formulas, e.g. openpyxl, pandas or a web export), so they cannot be compared with the "
         "rubric's values; the score is still computed from the answers. To compare them, open the file in Excel or "
         "LibreOffice and save it again."),
    ),
    "metadata_invalid": (
        "Metadata unit '{field}' tidak sah: '{found}'; yang diharapkan: {expected}.",
        "Unit metadata '{field}' is invalid: '{found}'; expected {expected}.",
    ),
    "no_units": (  # found: what was expected instead ("; yang diharapkan: ...") or nothing
        "Tidak ada unit yang terbaca dari berkas ini{found}.", "No unit could be read from this file{found}."),
    "file_empty": ("Berkas kosong: tidak ada baris kepala maupun data.", "The file is empty: no header, no data."),
    "file_not_text": (
        "Berkas bukan teks CSV (berisi data biner atau pengodean tidak dikenal); simpan ulang sebagai CSV UTF-8.",
        "The file is not CSV text (binary data or unknown encoding); save it again as UTF-8 CSV.",
    ),
    "header_missing": (
        ("Baris pertama bukan baris kepala yang dikenal ({found}); baris pertama harus berisi nama kolom, "
        "mis. unit_id, code, answer."),
        "The first line is not a known header ({found}); it must hold the column names, e.g. unit_id, code, answer.",
    ),
    "unnamed_column_value": (
        "Nilai '{found}' berada di kolom tanpa nama kepala dan diabaikan; periksa pemisah kolom atau tanda kutip.",
        "Value '{found}' is in a column without a header name and is ignored; check the delimiter or quoting.",
    ),
    "template_rubric_mismatch": (
        "Templat dibuat untuk rubrik {found}, sedangkan yang dipakai {expected}; periksa kode butir.",
        "The template was made for rubric {found}, but {expected} is used; check the item codes.",
    ),
    "merged_answer": (
        ("Sel jawaban ini termasuk sel gabungan {found}; nilainya hanya dibaca di {expected}, sehingga butir ini "
        "dianggap kosong. Pisahkan sel gabungan itu dan isi jawaban setiap butir."),
        ("This answer cell is part of the merged range {found}; its value is read at {expected} only, so this item "
        "counts as blank. Unmerge the range and answer each item."),
    ),
    "implausible_value": (
        "Nilai '{found}' tidak masuk akal untuk {what}; yang diharapkan: {expected}. Nilai ini tidak dinilai.",
        "Value '{found}' is implausible for {what}; expected {expected}. The value is not scored.",
    ),
    "limit_exceeded": (
        "Masukan melebihi batas: {found}; batasnya {limit}. {expected}.",
        "The input exceeds a limit: {found}; the limit is {limit}. {expected}.",
    ),
    "other_instrument": (  # found: what the sheet looks like; detail: the measures; expected: rubric ids
        ("Lembar ini bukan LKE rubrik {rubric}: tampaknya {found} ({detail}). Berkas ini tidak dinilai. Rubrik yang "
         "tersedia di zi-nb: {expected}."),
        ("This sheet is not an LKE of rubric {rubric}: it looks like {found_en} ({detail_en}). The file is not scored. "
         "Rubrics available in zi-nb: {expected}."),
    ),
    "unit_from_file_name": (  # found: the file name used
        ("Identitas unit (mis. 'Unit Kerja : ...' atau 'Nama Unit') tidak ditemukan di buku kerja; nama unit diambil "
         "dari nama berkas: '{found}'. Tambahkan sel identitas di atas tabel LKE bila nama ini keliru."),
        ("No unit identity (e.g. 'Unit Kerja : ...' or 'Nama Unit') was found in the workbook; the unit is named "
         "after the file: '{found}'. Add identity cells above the LKE table if this name is wrong."),
    ),
    "unit_sheets_ambiguous": (  # found: the sheets
        ("Beberapa lembar LKE dengan tata letak yang sama ({found}) tetapi unitnya tidak dapat dibedakan; {expected}."),
        ("Several LKE sheets of the same layout ({found}) but their units cannot be told apart; {expected}."),
    ),
    "row_fields": (
        ("Baris ini hanya berisi satu kolom ('{found}'); yang diharapkan: kolom yang dipisah '{expected}' seperti "
        "baris kepala. Baris ini diabaikan."),
        ("This line holds a single column ('{found}'); expected columns separated by '{expected}' like the header. "
        "The line is ignored."),
    ),
    "evidence_rejected": (  # detail: the documents and their verdicts
        ("Butir {code} dijawab di atas nilai terendah, tetapi penilai menyatakan bukti dukungnya kurang: {detail}. "
         "Lengkapi dokumen itu atau sesuaikan jawabannya."),
        ("Item {code} is answered above its lowest value, but the evaluator found its evidence lacking: {detail_en}. "
         "Provide those documents or adjust the answer."),
    ),
    "evidence_none": (  # expected: the documents the rubric requires
        ("Butir {code} dijawab di atas nilai terendah tanpa bukti dukung sama sekali (tidak ada tautan, nama dokumen, "
         "maupun lampiran); yang diharapkan: {expected}."),
        ("Item {code} is answered above its lowest value without any evidence (no link, document name or attached "
         "file); expected: {expected_en}."),
    ),
    "evidence_reused": (  # found: the link or file; expected: where else it is used
        "Bukti dukung '{found}' juga dipakai untuk {expected}; pastikan dokumen itu memang mendukung butir ini.",
        "The evidence '{found}' is also used for {expected_en}; check that it really supports this item.",
    ),
    "evidence_unreachable": (  # detail / detail_en: why it cannot be opened
        ("Tautan bukti dukung '{found}' tidak dapat dibuka penilai: {detail}. Unggah dokumennya atau cantumkan tautan "
         "yang dapat diakses."),
        "The evidence link '{found}' cannot be opened by the evaluator: {detail_en}. Upload the document or give a "
        "link that can be accessed.",
    ),
    "unknown_unit": (
        "Unit '{found}' tidak ada dalam masukan; unit yang ada: {expected}.",
        "Unit '{found}' is not in the input; units present: {expected}.",
    ),
}

SEVERITY_LABEL = {"id": {"error": "GALAT", "warning": "PERINGATAN", "info": "INFO"},
                  "en": {"error": "ERROR", "warning": "WARNING", "info": "INFO"}}


@dataclass(frozen=True)
class Finding:
    """One problem found in an input.

    Attributes:
        kind: key into :data:`MESSAGES` (machine-readable, stable).
        severity: ``error`` (the input or item cannot be used as is), ``warning`` (used, but look at it),
            ``info``.
        file: path of the input file as given by the user.
        sheet: worksheet name, for workbooks.
        cell: cell address in A1 style (``K185``), for workbooks.
        line: 1-based line number (header is line 1), for CSV files.
        code: rubric code of the item or Jumlah input concerned, when known.
        unit_id: unit concerned, when known.
        params: values substituted into the message (``found``, ``expected``...).
        tier: tier of the answers concerned (``unit``, ``tpi``, ``tpi2``...), when the finding is about one tier's
            answers; None when it concerns every tier (a missing sheet, an unknown code...).
    """

    kind: str
    severity: Severity = "error"
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    line: int | None = None
    code: str | None = None
    unit_id: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    tier: str | None = None

    def message(self, lang: str = "id") -> str:
        """The message alone, in ``id`` (default) or ``en``."""
        template = MESSAGES[self.kind][1 if lang == "en" else 0]
        values = {"code": self.code or "", "found": "", "expected": "",
                  **{k: _shown(v, lang) for k, v in self.params.items()}}
        try:
            return template.format(**values)
        except (KeyError, IndexError):  # a missing placeholder must never hide the finding itself
            return f"{template} {values}"

    def location(self) -> str:
        """``file, lembar 'S', sel K185`` or ``file, baris 12``: where to look."""
        parts = [one_line(self.file or "-")]
        if self.sheet:
            parts.append(f"lembar '{one_line(self.sheet)}'")
        if self.cell:
            parts.append(f"sel {self.cell}")
        if self.line is not None:
            parts.append(f"baris {self.line}")
        return ", ".join(parts)

    def render(self, lang: str = "id") -> str:
        """One line for a terminal: severity, location, code, unit and message."""
        label = SEVERITY_LABEL["en" if lang == "en" else "id"][self.severity]
        subject = one_line(" ".join(x for x in (self.unit_id and f"[{self.unit_id}]", self.code) if x))
        return f"{label}: {self.location()}{' ' + subject if subject else ''}: {self.message(lang)}"

    def to_dict(self, lang: str = "id") -> dict[str, Any]:
        data = asdict(self)
        data["params"] = {k: (v if isinstance(v, (int, float, str, bool)) or v is None else str(v))
                          for k, v in self.params.items()}
        data["message"] = self.message(lang)
        data["location"] = self.location()
        return data


def _shown(value: Any, lang: str) -> Any:
    """A parameter as people read it: numbers read from a cell without Python's ``.0`` (``7.0`` -> ``7``) and with a
    decimal comma in Bahasa Indonesia (``3.5`` -> ``3,5``); text with its hidden characters (controls, bidi overrides)
    shown as escapes, so a value read from a file can never drive the terminal; other values unchanged."""
    if isinstance(value, float) and not math.isnan(value) and not math.isinf(value):
        text = f"{value:.10g}"
        return text if lang == "en" else text.replace(".", ",")
    if isinstance(value, str):
        return one_line(value)
    return value


SHOWN_CHARS = 300  # a value longer than this is cut in messages (a whole 20 MB line must not become one)


def one_line(text: str) -> str:
    """Text read from a file as shown in a message: hidden characters escaped (:func:`zi_nb.common.text.visible`), line
    breaks shown as ``↵`` (one finding is always one line) and at most :data:`SHOWN_CHARS` characters."""
    if len(text) > SHOWN_CHARS:
        text = text[:SHOWN_CHARS] + f"… ({len(text)} karakter)"
    return visible(text).replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵")


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def cell_name(row: int, column: int) -> str:
    """A1-style address of a 1-based (row, column)."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column)}{row}"
