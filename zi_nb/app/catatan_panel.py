"""Catatan and rekomendasi per area in the workbench, and "Buat LHE" (:class:`CatatanPanel`).

For each area of the rubric (and the unit as a whole) the panel shows the text in force at the app's tier
(:func:`zi_nb.review.catatan.notes_in_force`), else the draft generated from the rubric and the live scores
(:func:`zi_nb.engine.improve.drafts.area_drafts`, marked as a draft); the evaluator edits it and saves it to the ledger
under their name (:func:`zi_nb.review.catatan.write_catatan`).

"Buat LHE" makes this unit's LHE at the app's tier with the runner of ``zi-nb report``
(:func:`zi_nb.report.runner.run_report`, then :func:`zi_nb.report.runner.html_to_pdf` as ``--pdf`` does, and
``docx=True``), from the ledger as committed (records up to its last one: ``ledger_seq``, ``run_id``
``workbench-<seq>``, so the same ledger gives the same report), into ``<ledger folder>/lhe/<unit>/``. The files are
offered as download links carrying the file itself (``data:`` addresses): voila serves files only under the
notebook's folder and the LHE folder is beside the ledger.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ipywidgets as W

from zi_nb.app import view
from zi_nb.app.widgets import cls, css_name, sec
from zi_nb.common.fmt import local_time, num
from zi_nb.common.text import file_stem
from zi_nb.engine.improve.drafts import area_drafts
from zi_nb.errors import LedgerError, ZiError
from zi_nb.review.catatan import notes_in_force, scopes
from zi_nb.review.extract import write_extract

MIME = {"html": "text/html", "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class CatatanPanel:
    """The catatan editor of one unit's :class:`zi_nb.app.session.Session` and the LHE it makes."""

    def __init__(self, session: Any) -> None:
        self.s = session
        self.heads: dict[str, W.HTML] = {}
        self.texts: dict[str, tuple[W.Textarea, W.Textarea]] = {}
        self.msgs: dict[str, W.HTML] = {}
        boxes = []
        for scope in scopes(session.rubric):
            head = cls(W.HTML(), "zi-cat-head")
            catatan = cls(W.Textarea(placeholder="Catatan", layout=W.Layout(width="100%")), "zi-cat",
                          f"zi-cat-catatan-{css_name(scope)}")
            rekomendasi = cls(W.Textarea(placeholder="Rekomendasi", layout=W.Layout(width="100%")), "zi-cat",
                              f"zi-cat-rekomendasi-{css_name(scope)}")
            save = cls(W.Button(description="Simpan catatan", icon="check"), "zi-save-cat",
                       f"zi-cat-save-{css_name(scope)}")
            save.on_click(lambda _, sc=scope: self.save(sc))
            self.heads[scope], self.texts[scope] = head, (catatan, rekomendasi)
            self.msgs[scope] = cls(W.HTML(), "zi-cat-msg")
            boxes.append(cls(W.VBox([head, W.HTML('<div class="zi-sec">Catatan</div>'), catatan,
                                     W.HTML('<div class="zi-sec">Rekomendasi</div>'), rekomendasi, save,
                                     self.msgs[scope]]), "zi-cat-box", f"zi-cat-{css_name(scope)}"))
        make = cls(W.Button(description="Buat LHE", icon="file", layout=W.Layout(width="160px")), "zi-make-lhe")
        make.on_click(lambda _: self.make_lhe())
        self.lhe = cls(W.HTML(), "zi-lhe")
        intro = W.HTML('<div class="zi-q">Catatan dan rekomendasi per area</div><div class="zi-muted">Teks bertanda '
                       '<span class="zi-draft">draf</span> dibuat otomatis dari rubrik dan nilai saat ini; ubah '
                       "seperlunya lalu simpan. Yang tersimpan dicatat di ledger atas nama evaluator dan dimuat "
                       "dalam LHE.</div>")
        self.widget = cls(W.VBox([intro, sec("Laporan Hasil Evaluasi (LHE)"), W.HBox([make]), self.lhe, *boxes]),
                          "zi-panel", "zi-card", "zi-catatan")

    def notes(self) -> dict[str, Any]:
        return notes_in_force(self.s.unit_records(), self.s.unit_id, self.s.tier)

    def refresh(self) -> None:
        """Show each scope's text in force at this tier, else its draft from the rubric and the live scores."""
        s = self.s
        drafts = area_drafts(s.rubric, s.scores, s.unit_id, "id")
        notes = self.notes()
        for scope, head in self.heads.items():
            area = s.rubric.area_by_code.get(scope)
            name = f"Area {scope} · {area.name}" if area else "Unit secara keseluruhan"
            score = ""
            if scope in drafts:
                d = drafts[scope]
                score = f" · nilai {num(d.score)} dari {num(d.weight)}"
            note = notes.get(scope)
            if note is not None and note.tier == s.tier:
                status = (f'<span class="zi-muted">tersimpan oleh {html.escape(note.evaluator)}, '
                          f"{html.escape(local_time(note.timestamp, s.zone))} (rekaman #{note.seq})</span>")
                texts = (note.catatan, note.rekomendasi)
            else:
                status = '<span class="zi-draft">draf dari rubrik — belum disimpan</span>'
                texts = (drafts[scope].catatan, drafts[scope].rekomendasi) if scope in drafts else ("", "")
            head.value = f"<b>{html.escape(name)}</b>{html.escape(score)} {status}"
            self.texts[scope][0].value, self.texts[scope][1].value = texts

    def save(self, scope: str) -> None:
        s = self.s
        catatan, rekomendasi = (t.value for t in self.texts[scope])
        try:
            if not s.evaluator:
                raise LedgerError("Nama evaluator wajib diisi sebelum menyimpan catatan.")
            rec = s.writer.catatan(s.rubric, s.unit_id, scope, s.tier, s.evaluator, catatan, rekomendasi)
        except ZiError as exc:
            self.msgs[scope].value = view.message(str(exc), "err")
            return
        self.refresh()
        what = "dihapus (LHE memuat draf)" if not (catatan.strip() or rekomendasi.strip()) else "tersimpan"
        self.msgs[scope].value = view.message(f"Catatan {what} di ledger sebagai rekaman #{rec.seq} oleh "
                                              f"{rec.evaluator}.", "ok")

    def make_lhe(self) -> Path | None:
        """Make the LHE into ``<ledger folder>/lhe/<unit>/`` and show the download links; the folder, or None."""
        from zi_nb.report.runner import html_to_pdf, report_parameters, run_report

        s = self.s
        self.lhe.value = view.message("LHE sedang dibuat; tunggu sebentar…", "info")
        try:
            out, source = lhe_folder(s), ledger_source(s)
            params = report_parameters(s.input_path, s.unit_id, units_path=s.units_path, tier=s.tier,
                                       run_id=f"workbench-{source['ledger_seq']}", **source)
            seq = source["ledger_seq"]
            with report_environment():
                files = run_report(params, out, docx=True)
        except ZiError as exc:
            self.lhe.value = view.message(f"LHE tidak dapat dibuat: {exc}", "err")
            return None
        made = {"html": files.html, "docx": files.docx}
        problem = ""
        try:
            made["pdf"] = html_to_pdf(files.html, out / f"{file_stem(s.unit_id)}.pdf")
        except (ZiError, OSError) as exc:
            problem = f" PDF tidak dapat dibuat: {exc}"
        signed = made.get("pdf") or files.html  # what "Finalisasi" signs: the PDF, else the HTML
        s.lhe_sha256 = hashlib.sha256(signed.read_bytes()).hexdigest() if signed and signed.is_file() else ""
        drafts = f" {len(s.drafts)} perubahan yang belum disimpan tidak termasuk." if s.drafts else ""
        self.lhe.value = view.message(f"LHE {s.unit_id} tingkat {s.tier.upper()} dibuat dari ledger sampai rekaman "
                                      f"#{seq} di {out}.{drafts}{problem}", "err" if problem else "ok") + links(made)
        return out


def lhe_folder(s: Any) -> Path:
    """Where the LHE of the session's unit is made: beside the local ledger (``<ledger folder>/lhe/<unit>``); on
    the team server in the user's home folder (``~/lhe/<unit>``), never in the app's installed folder."""
    base = Path.home() if s.writer.hub else s.ledger_path.parent
    return base / "lhe" / file_stem(s.unit_id)


def ledger_source(s: Any) -> dict[str, Any]:
    """The report parameters naming the ledger records the LHE is made from (as committed now): the local ledger
    (``ledger_path``), or on the team server an extract of the unit's records read from the ledger service
    (``records_path``, :mod:`zi_nb.review.extract`); ``ledger_seq`` the last record's number."""
    if s.writer.hub:
        records = s.unit_records()  # fresh from the service: what the team has written, not what this page saw
        seq = records[-1].seq if records else 0
        path = write_extract(lhe_folder(s) / f"ledger-{file_stem(s.unit_id)}-{seq}.json", s.unit_id, records,
                             "layanan ledger tim (zi-ledger)")
        return {"records_path": str(path), "ledger_seq": seq}
    book = s.ledger()
    records = book.records() if book else []
    seq = records[-1].seq if records else 0
    return {"ledger_path": str(s.ledger_path) if book else "", "ledger_seq": seq}


@contextmanager
def report_environment() -> Iterator[None]:
    """The report's kernel gets the environment ``zi-nb report`` would give it: not this page kernel's voila
    variables nor the IPython profile of ``zi-nb serve`` (a preheated page kernel's startup waits for a page request,
    :mod:`zi_nb.app.serve_kernel`; inherited by the report's kernel it would wait for ever)."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("VOILA_") or k == "IPYTHONDIR"}
    for key in saved:
        del os.environ[key]
    try:
        yield
    finally:
        os.environ.update(saved)


def links(files: dict[str, Path | None]) -> str:
    """Download links that carry the files themselves (``data:`` addresses)."""
    out = []
    for kind in ("html", "pdf", "docx"):
        path = files.get(kind)
        if path is None or not path.is_file():
            continue
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        out.append(f'<a class="zi-dl-{kind}" download="{html.escape(path.name)}" href="data:{MIME[kind]};base64,'
                   f'{data}">Unduh {kind.upper()} ({max(path.stat().st_size // 1024, 1)} KB)</a>')
    return f'<div class="zi-dl">{"".join(out)}</div>'

