"""The LHE as a Word document (.docx), rendered with docxtpl from a Word template an instansi can edit.

The template is an ordinary .docx with Jinja tags (docxtpl): ``{{ name }}`` a value, ``{%p ... %}`` a paragraph
holding only a loop or condition, ``{%tr ... %}`` a table row holding only one. The bundled one is
``templates/zi_lhe/lhe.docx`` (made by ``tools/make_docx_template.py``); an instansi copies it, changes its kop,
wording, fonts and layout in Word and names it in the evaluation settings (``templat_word``,
:mod:`zi_nb.report.settings`). The content is the official LHE of :mod:`zi_nb.report.official` (the HTML report says
the same), every number already written in the report's format (``95,71``), every label in ``t``
(:mod:`zi_nb.report.labels`, so one template serves ``lang="id"`` and ``"en"``). What the tags read:

    t                  labels (``t.simpulan``, ``t.catatan``, ``t.page`` ...)
    kop, kop_utama, kop_lain, logo      letterhead lines (the first, the others) and the logo (image or "")
    judul, nomor, tanggal, identitas    title, nomor, date; identity rows (``baris.label``, ``baris.nilai``)
    total, predikat, status, status_rinci, final, prasyarat     the result: the predikat with its data status
    predikat_kriteria, kriteria         predikat codes; rows ``k.nama``, ``k.nilai``, ``k.p[i].minimum`` /
                                        ``.selisih`` / ``.tanda`` (✓ or ✗) for the i-th predikat
    simpulan           sentences
    komponen, area     part names; per area ``a.judul``, ``a.belum``, ``a.bagian[i]``, ``a.total``, ``a.persen``,
                       ``a.catatan``, ``a.rekomendasi`` (lines), ``a.draf`` (no evaluator's catatan yet),
                       ``a.penilai``, ``a.bukti`` (bukti dukung: ``ringkas`` one line, ``butir`` items with
                       ``b.kode``, ``b.tanya``, ``b.kurang``, ``lainnya`` how many more)
    catatan_unit       None, or ``catatan``, ``rekomendasi``, ``penilai`` for the unit as a whole
    grafik             images ``radar``, ``parts``, ``hasil``, ``tiers`` ("" without more than one tier)
    rencana            ``tertunda`` (why there is no plan yet), ``sudah``, ``sasaran``, ``kalimat``,
                       ``di_luar_lke`` (rows), ``sebagian``, ``kelompok``
                       (``g.judul``, ``g.tindakan``: ``x.butir``, ``x.tindakan``, ``x.dari``, ``x.menjadi``)
    tim, tempat_tanggal, penilai, ketua_nama, ketua_nip, belum_final    team rows and the signature block;
                       ``klaim`` (the unit's self-assessment: no signature) replaces the block
    kaki, jejak        footer text, and the line saying how the report was made
    predikat_kode, predikat_nama        the predikat alone (``WBK``, ``Menuju WBK``), without its status

Charts are the report's own (:mod:`zi_nb.report.charts`), drawn again and stored as PNG at :data:`DPI`, 180 mm wide.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import MutableMapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, Template, TemplateError, nodes

from zi_nb.common.files import atomic_path
from zi_nb.common.fmt import num, pct, predicate_label, predicate_with_status, status_label
from zi_nb.common.resources import templates_dir
from zi_nb.common.version import __version__
from zi_nb.errors import ReportError
from zi_nb.report import charts, official
from zi_nb.report.labels import LABELS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from zi_nb.report.model import UnitReport

DPI = 150  # charts: sharp in print at 180 mm (about 1060 px wide), small enough for e-mail
CHART_WIDTH_MM = 180.0
LOGO_HEIGHT_MM = 22.0
CHARTS = ("radar", "parts", "hasil", "tiers")


def bundled_template() -> Path:
    """The Word template shipped with zi-nb."""
    return templates_dir() / "zi_lhe" / "lhe.docx"


def template_for(report: UnitReport, template: str | Path | None = None) -> Path:
    """The template to use: ``template``, else the instansi's own (settings ``templat_word``), else the bundled one."""
    if template:
        return Path(template)
    return report.settings.word_template() or bundled_template()


def png(figure: Figure) -> io.BytesIO:
    buffer = io.BytesIO()
    # fastest zlib level: the .docx zips its images again, and it saves a tenth of the chart's time
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    buffer.seek(0)
    return buffer


def chart_images(report: UnitReport) -> dict[str, io.BytesIO | None]:
    """Each chart of the report as PNG (None for a chart that does not apply: ``tiers`` with a single tier). Each is
    saved before the next is drawn: a chart's figure is a canvas reused for the next unit."""
    out: dict[str, io.BytesIO | None] = {}
    for name in CHARTS:
        figure = getattr(charts, f"draw_{name}")(report)
        out[name] = None if figure is None else png(figure)
    return out


def criteria_rows(report: UnitReport) -> tuple[list[str], list[dict[str, Any]]]:
    """The predikat codes (in rubric order) and one row per criterion: its value, and per predikat its minimum, the
    margin (signed) and whether it is met; a criterion a predikat does not have gets blanks there."""
    lang = report.lang
    crit = official.unit_criteria(report)
    preds = [str(p) for p in dict.fromkeys(crit["predicate"])]
    rows: dict[str, dict[str, Any]] = {}
    for r in crit.to_dict("records"):
        row = rows.setdefault(str(r["criterion"]), {"nama": r["name"], "nilai": num(r["value"], 2, lang), "by": {}})
        row["by"][str(r["predicate"])] = {"minimum": num(r["minimum"], 2, lang),
                                          "selisih": ("+" if r["margin"] >= 0 else "") + num(r["margin"], 2, lang),
                                          "tanda": "✓" if r["met"] else "✗", "terpenuhi": bool(r["met"])}
    blank = {"minimum": "", "selisih": "", "tanda": "", "terpenuhi": None}
    return preds, [{"nama": r["nama"], "nilai": r["nilai"], "p": [r["by"].get(p, blank) for p in preds]}
                   for r in rows.values()]


def _area_context(report: UnitReport) -> tuple[list[str], list[dict[str, Any]]]:
    t, lang = LABELS[report.lang], report.lang
    rows = official.area_rows(report)
    parts = [p for p, _, _ in rows[0]["parts"]] if rows else []
    names = [t.get(p.lower(), p) for p in parts]
    out = []
    for a in rows:
        out.append({"judul": f"{a['code']}. {a['name']}",
                    "belum": f"✗ {t['failing']} {', '.join(a['failing'])}" if a["failing"] else "",
                    "bagian": [f"{num(v, 2, lang)} / {num(w, 2, lang)}" for _, v, w in a["parts"]],
                    "total": f"{num(a['total'], 2, lang)} / {num(a['weight'], 2, lang)}",
                    "persen": pct(a["share"], 1, lang), "catatan": a["catatan"] or "—",
                    "rekomendasi": a["rekomendasi"], "draf": a["draft"], "penilai": a["evaluator"] or "",
                    "bukti": _evidence_context(a["evidence"])})
    return names, out


def _evidence_context(block: dict[str, Any]) -> dict[str, Any]:
    """An area's bukti dukung block (:func:`zi_nb.report.evidence.area_block`) as the template reads it."""
    return {"ringkas": block["summary"], "lainnya": block["more"],
            "butir": [{"kode": b["code"], "tanya": b["question"], "kurang": "; ".join(b["lacks"])}
                      for b in block["items"]]}


def _plan_context(report: UnitReport) -> dict[str, Any]:
    lang, t = report.lang, LABELS[report.lang]
    p = official.plan(report)
    out_of_reach = [{"nama": o["name"], "nilai": num(o["value"], 2, lang), "minimum": num(o["minimum"], 2, lang),
                     "kekurangan": num(o["shortfall"], 2, lang),
                     "indeks": num(o["index_needed"], 2, lang) if o["index_needed"] is not None else "—"}
                    for o in p["out_of_reach"]]
    groups = [{"judul": f"{g['code']}. {g['name']}" if g["code"] not in ("", "-") else g["name"],
               "tindakan": [{"butir": a["code"], "tindakan": a["text"], "dari": a["from"] or t["unanswered_short"],
                             "menjadi": a["to"]} for a in g["actions"]]} for g in p["groups"]]
    return {"tertunda": p.get("pending") or "", "sudah": p["already"], "sasaran": p["target"],
            "kalimat": p["headline"], "sebagian": p["partial"] or "", "di_luar_lke": out_of_reach, "kelompok": groups}


def context(report: UnitReport, images: dict[str, Any], logo: Any) -> dict[str, Any]:
    """What the template's tags read (see the module docstring); ``images`` the charts and ``logo`` the logo, as the
    template library's inline images."""
    t, lang, st = LABELS[report.lang], report.lang, report.status
    ev = report.result.evaluation
    c = official.cover(report)
    code = ev.predicate[report.unit_id]
    preds, criteria = criteria_rows(report)
    parts, areas = _area_context(report)
    note = official.unit_note(report)
    team = official.team(report)
    prereq = ev.prerequisites[ev.prerequisites["unit_id"] == report.unit_id].to_dict("records")
    counts = t["counts"] % (st.errors, st.warnings, st.answered, st.scorable, st.unanswered)
    header = " · ".join(p for p in (c["title"], report.unit_id, c["nomor"]) if p)
    return {
        "t": t, "lang": lang, "unit_id": report.unit_id,
        "kop": c["kop"], "kop_utama": c["kop"][0] if c["kop"] else "", "kop_lain": c["kop"][1:], "logo": logo,
        "judul": c["title"], "nomor": c["nomor"] or t["not_stated"], "tanggal": c["date"] or t["not_stated"],
        "identitas": [{"label": label, "nilai": value} for label, value in c["rows"]],
        "total": num(float(report.result.scores.total[report.unit_id]), 2, lang),
        "predikat": predicate_with_status(code, st.status, lang), "status": status_label(st.status, lang),
        "final": st.final, "status_rinci": f"{counts}. {t['note_' + st.status]}",
        "prasyarat": [f"{t['prereq'] % (p['predicate'], p['requires'])} {t['current']}: "
                      f"{official.text_or_none(p['current_predicate']) or t['unknown']}." for p in prereq],
        "predikat_kriteria": preds, "kriteria": criteria, "simpulan": official.simpulan(report),
        "komponen": parts, "area": areas,
        "catatan_unit": None if note is None else {"catatan": note["catatan"] or "—",
                                                   "rekomendasi": note["rekomendasi"], "penilai": note["evaluator"]},
        "grafik": images, "rencana": _plan_context(report),
        "tim": [{**m, "nip": m["nip"] or "—"} for m in team["members"]],
        "tempat_tanggal": t["sign_place_date"].format(place=team["place"] or "……………", date=team["date"] or "……………"),
        "penilai": team["evaluator"],
        "ketua_nama": team["ketua"]["nama"] if team["ketua"] else "(……………………………)",
        "ketua_nip": team["ketua"]["nip"] if team["ketua"] and team["ketua"]["nip"] else "……………",
        "belum_final": "" if team["final"] else t["sign_unfinal"].format(status=team["status"]),
        "klaim": t["sign_claim"] if team.get("claim") else "",
        "kaki": header,
        "jejak": t["made_by"].format(version=__version__, rubric=report.data.rubric.id,
                                     run_id=report.params.get("run_id") or "—"),
        "predikat_kode": code, "predikat_nama": predicate_label(code, lang),
    }


class CachingEnvironment(Environment):
    """Jinja for Word templates: autoescape on (text from the inputs and the ledger is written as text, never as
    markup), and each template part compiled once per process: docxtpl hands over the same XML for every unit, and
    compiling it costs more than rendering it."""

    MAX_TEMPLATES = 32

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self.compiled: dict[str, Template] = {}

    def from_string(self, source: str | nodes.Template, globals: MutableMapping[str, Any] | None = None,
                    template_class: type[Template] | None = None) -> Template:
        if not isinstance(source, str) or globals is not None or template_class is not None:
            return super().from_string(source, globals, template_class)
        found = self.compiled.get(source)
        if found is None:
            if len(self.compiled) >= self.MAX_TEMPLATES:
                self.compiled.clear()
            found = self.compiled[source] = super().from_string(source)
        return found


@lru_cache(maxsize=1)
def jinja_env() -> CachingEnvironment:
    return CachingEnvironment()


@lru_cache(maxsize=8)
def _template_bytes(path: str, mtime_ns: int, size: int) -> bytes:
    return Path(path).read_bytes()


def _read_template(path: Path) -> bytes:
    try:
        stat = path.stat()
    except OSError:
        raise ReportError(f"Templat Word '{path}' tidak ditemukan.") from None
    data = _template_bytes(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReportError(f"Templat Word '{path.name}' bukan berkas .docx (simpan dari Word sebagai Dokumen Word "
                          "(*.docx)).")
    return data


def _problem(exc: Exception) -> str:
    if isinstance(exc, TemplateError):
        line = getattr(exc, "lineno", None)
        where = f" baris {line}" if line else ""
        shown = " ".join(str(x).strip() for x in getattr(exc, "docx_context", []) if str(x).strip())[:160]
        return (f"tag Jinja tidak sah ({exc.message or type(exc).__name__}{where}"
                + (f"; di sekitar: “{shown}”" if shown else "") + "). Periksa pasangan {{ }}, {%p %} dan {%tr %}")
    return f"{type(exc).__name__}: {exc}"


def write_docx(report: UnitReport, path: str | Path, template: str | Path | None = None) -> Path:
    """Write the LHE of ``report`` to ``path`` (.docx) from ``template`` (see :func:`template_for`), atomically.

    A template that is missing, not a .docx, or whose tags are not valid Jinja raises :class:`ReportError` naming it.
    """
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    source = template_for(report, template)
    data = _read_template(source)
    try:
        tpl = DocxTemplate(io.BytesIO(data))
        tpl.render_init()  # opens the document: a damaged .docx fails here
    except Exception as exc:
        raise ReportError(f"Templat Word '{source.name}' tidak dapat dibuka: {type(exc).__name__}: {exc}") from None
    images = {name: InlineImage(tpl, image, width=Mm(CHART_WIDTH_MM)) if image is not None else ""
              for name, image in chart_images(report).items()}
    logo_path = report.settings.logo_path()
    logo = InlineImage(tpl, str(logo_path), height=Mm(LOGO_HEIGHT_MM)) if logo_path is not None else ""
    values = context(report, images, logo)
    try:
        tpl.render(values, jinja_env=jinja_env())  # autoescape: names and catatan are text, never markup
    except Exception as exc:
        raise ReportError(f"Templat Word '{source.name}' tidak dapat dipakai: {_problem(exc)}.") from None
    target = Path(path)
    with atomic_path(target) as tmp:
        tpl.save(tmp)
    return target
