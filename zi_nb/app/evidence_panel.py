"""The bukti dukung checklist of the item on screen (:class:`EvidencePanel`), beside the unit's evidence.

For each document the rubric requires for the item (:meth:`zi_nb.engine.rubric.Rubric.documents_of`): its number and
name, the verdict in force at the app's tier with who gave it and when, and three buttons ``ada`` / ``tidak ada`` /
``tidak sesuai``; a click writes the verdict to the ledger at once (:func:`zi_nb.review.evidence.write_verdicts`),
clicking the verdict in force again withdraws it. The note "Catatan bukti dukung" goes with a ``tidak ada`` or
``tidak sesuai`` verdict (e.g. "yang diunggah masih draf"); "Semua ada" marks every document of the item present in
one transaction (:func:`zi_nb.review.evidence.mark_all_present`). The evaluator and tier are always the session's.

Files: one upload at a time (the kinds of :data:`zi_nb.common.filetypes.ALLOWED_KINDS`), stored in the evidence store
beside the ledger (:func:`zi_nb.review.evidence_store.default_store_path`) and recorded as attached to the item
(:func:`zi_nb.review.evidence.attach`); each http(s) link of the unit's evidence can be kept as a copy ("Simpan
salinan": :func:`zi_nb.review.evidence_store.save_copy`). Downloads are ``data:`` links
(:mod:`zi_nb.app.evidence_view`). A refusal (:class:`EvidenceError`, :class:`LedgerError`) is shown in the panel's
message line, just under what was clicked.

The evidence findings of the unit (:func:`zi_nb.review.evidence.evidence_check`, the workbook with the ledger's
answers, at the app's tier) are computed for this one unit (a few ms) when the unit is opened and after every write;
:meth:`EvidencePanel.lacking` is the item filter "Bukti dukung kurang".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as W

from zi_nb.app import evidence_view as ev
from zi_nb.app.view import message
from zi_nb.app.widgets import Quiet, cls, mark, sec
from zi_nb.app.writer import Writer
from zi_nb.common.domain import VERDICT_ABSENT, VERDICT_WRONG, VERDICTS
from zi_nb.common.filetypes import ALLOWED_KINDS, check_file
from zi_nb.common.findings import Finding
from zi_nb.common.limits import MAX_EVIDENCE_BYTES, size
from zi_nb.common.text import evidence_links
from zi_nb.errors import EvidenceError, LedgerError, ZiError
from zi_nb.review.evidence import (
    Attachment,
    Verdict,
    attachments_in_force,
    evidence_check,
    verdicts_in_force,
)
from zi_nb.review.evidence_store import EvidenceStore, Opener, default_store_path, save_copy
from zi_nb.review.ledger import Record, apply_ledger

ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_KINDS)
HINT = (f"satu berkas sekali unggah: PDF, gambar, DOCX/XLSX/PPTX, ODT/ODS/ODP, TXT/CSV; paling besar "
        f"{size(MAX_EVIDENCE_BYTES)}")
TIPS = {"ada": "Dokumen ada dan sesuai (final)", "tidak ada": "Dokumen tidak ada",
        "tidak sesuai": "Dokumen ada tetapi tidak sesuai (mis. masih draf, dokumen lain)"}


class EvidencePanel:
    """The checklist, attachments and links of one item of a :class:`zi_nb.app.session.Session`'s unit.

    ``on_change`` is called after every write (the workbench refreshes its item filter)."""

    def __init__(self, session: Any, on_change: Callable[[], None] | None = None) -> None:
        self.s = session
        self.on_change = on_change
        self.store = EvidenceStore(default_store_path(session.ledger_path))
        self.opener: Opener | None = None  # how "Simpan salinan" fetches a link (tests give their own)
        self.code = ""
        self.findings: list[Finding] = []
        self.verdicts: dict[int, Verdict] = {}
        self.attached: list[Attachment] = []
        self._quiet = Quiet()  # set while the program changes widget values
        self.head = cls(W.HTML(), "zi-ev-head")
        self.rows: list[tuple[W.HBox, W.HTML, dict[str, W.Button]]] = []
        self.rows_box = cls(W.VBox(), "zi-ev-rows")
        self.note = cls(W.Textarea(placeholder="Catatan bukti dukung (untuk 'tidak ada' / 'tidak sesuai'), mis. "
                                   "yang diunggah masih draf", layout=W.Layout(flex="1 1 auto", width="auto")),
                        "zi-ev-note")
        self.all = cls(W.Button(description="Semua ada", icon="check",
                                tooltip="Tandai semua dokumen butir ini: ada (dicatat di ledger atas nama Anda)"),
                       "zi-ev-all")
        self.all.on_click(lambda _: self.mark_all())
        self.tools = cls(W.VBox([W.HTML('<div class="zi-ev-notelbl">Catatan bukti dukung (disimpan bersama penilaian '
                                        "'tidak ada' / 'tidak sesuai' berikutnya)</div>"),
                                 cls(W.HBox([self.note, self.all]), "zi-ev-tools")]), "zi-ev-toolbox")
        self.found = cls(W.HTML(), "zi-ev-findings")
        self.files_box = cls(W.VBox(), "zi-ev-files")
        self.upload = cls(W.FileUpload(accept=ACCEPT, multiple=False, description="Lampirkan berkas",
                                       tooltip="Lampirkan satu berkas bukti dukung ke butir ini (PDF, gambar, "
                                       "dokumen Office tanpa makro, teks)"), "zi-ev-upload")
        self.upload.observe(self._on_upload, "value")
        self.links_box = cls(W.VBox(), "zi-ev-links")
        self.msg = cls(W.HTML(), "zi-ev-msg")
        self.widget = cls(W.VBox([W.HTML(ev.CSS), self.head, self.found, self.rows_box, self.tools,
                                  sec("Berkas terlampir"), self.files_box,
                                  cls(W.HBox([self.upload, W.HTML(f'<span class="zi-ev-hint">{HINT}</span>')]),
                                      "zi-ev-addrow"), self.links_box, self.msg]),
                          "zi-evidence")
        self.refresh_findings()

    # -- reading -----------------------------------------------------------------------------------------------------
    def _records(self) -> list[Record]:
        return list(self.s.unit_records())

    def refresh_findings(self, records: list[Record] | None = None) -> None:
        """The evidence findings of the unit: its workbook answers with the ledger's, at the app's tier."""
        records = self._records() if records is None else records
        data = apply_ledger(self.s.unit_input, records=records)
        self.findings = evidence_check(data, records, self.s.tier, self.s.policies)

    def lacking(self) -> list[str]:
        """The items with an evidence finding, in the rubric's order (the filter "Bukti dukung kurang")."""
        codes = {f.code for f in self.findings}
        return [i.code for i in self.s.plan.items if i.code in codes]

    # -- showing -----------------------------------------------------------------------------------------------------
    def show(self, code: str, records: list[Record] | None = None) -> None:
        """Show the checklist of item ``code``."""
        self.code = code
        self.msg.value = ""
        with self._quiet:
            self.note.value = ""
        self.render(records)

    def render(self, records: list[Record] | None = None) -> None:
        s, code = self.s, self.code
        records = self._records() if records is None else records
        docs = s.rubric.documents_of(code)
        self.verdicts = {doc: v for (_, c, doc), v in verdicts_in_force(records, s.unit_id, s.tier).items()
                         if c == code}
        self.head.value = ev.heading(code, len(docs), len(self.verdicts))
        while len(self.rows) < len(docs):
            self.rows.append(self._row(len(self.rows) + 1))
        for n, (_, label, buttons) in enumerate(self.rows, start=1):
            verdict = self.verdicts.get(n) if n <= len(docs) else None
            if n <= len(docs):
                label.value = ev.document_label(n, docs[n - 1], verdict, s.zone, s.tier)
            for name, b in buttons.items():
                mark(b, {"zi-ev-on": verdict is not None and verdict.verdict == name})
        self.rows_box.children = [row for row, _, _ in self.rows[:len(docs)]]
        self.tools.layout.display = "" if docs else "none"
        if not self.note.value:
            with self._quiet:
                self.note.value = next((v.note for v in self.verdicts.values() if v.note), "")
        self.found.value = ev.findings([f.message("id") for f in self.findings if f.code == code])
        self.attached = [a for a in attachments_in_force(records, s.unit_id) if a.code == code]
        self.files_box.children = [self._file(a) for a in self.attached] or [
            W.HTML('<div class="zi-muted">Belum ada berkas terlampir pada butir ini.</div>')]
        self.links_box.children = self._links()

    def _row(self, no: int) -> tuple[W.HBox, W.HTML, dict[str, W.Button]]:
        label = cls(W.HTML(), "zi-ev-label")
        buttons = {}
        for verdict in VERDICTS:
            b = cls(W.Button(description=verdict, tooltip=f"{TIPS[verdict]} (klik lagi untuk menghapus penilaian)",
                             layout=W.Layout(width="auto")), "zi-ev-btn", f"zi-ev-{ev.VERDICT_CLASS[verdict]}")
            b.on_click(lambda _, d=no, v=verdict: self.set_verdict(d, v))
            buttons[verdict] = b
        row = cls(W.HBox([label, cls(W.HBox(list(buttons.values())), "zi-ev-btns")]), "zi-ev-row", f"zi-ev-row-{no}")
        return row, label, buttons

    def _file(self, att: Attachment) -> W.HBox:
        info = W.HTML(ev.file_info(att, self.s.zone))
        link = cls(W.HTML(), "zi-ev-dl-box")
        parts: list[Any] = [info, link]
        if att.size <= ev.INLINE_BYTES:
            self._fill_link(link, att)
        else:
            prep = cls(W.Button(description="Siapkan unduhan", icon="download",
                                tooltip="Buat tautan unduhan berkas ini (berkas besar)"), "zi-ev-prep")
            prep.on_click(lambda _, a=att, box=link, b=prep: self._prepared(box, a, b))
            parts.append(prep)
        return cls(W.HBox(parts), "zi-ev-file")

    def _prepared(self, box: W.HTML, att: Attachment, button: W.Button) -> None:
        self._fill_link(box, att)
        button.layout.display = "none"

    def _fill_link(self, box: W.HTML, att: Attachment) -> None:
        try:  # through the writer: the local store, or the team server's ledger service (api/berkas)
            box.value = ev.download_link(att.name, self.s.writer.read_attachment(self.s.unit_id, att.sha256))
        except (EvidenceError, LedgerError) as exc:
            box.value = message(str(exc), "err")

    def _links(self) -> list[W.HBox]:
        """The unit's http(s) evidence links of the item, each with "Simpan salinan"."""
        row = next((r for r in self.s.tier_rows(self.code) if r["stage"] == "unit"), None)
        urls = list(dict.fromkeys(str(line["url"]) for line in evidence_links(row["evidence"] if row else None)
                                  if line["url"]))
        copied = {a.source for a in self.attached if a.source}
        out = []
        for url in urls:
            b = cls(W.Button(description="Simpan salinan", icon="cloud-download",
                             tooltip="Unduh isi tautan ini dan lampirkan sebagai berkas bukti dukung butir ini"),
                    "zi-ev-copy")
            b.on_click(lambda _, u=url: self.copy(u))
            out.append(cls(W.HBox([W.HTML(ev.link_line(url, url in copied)), b]), "zi-ev-link"))
        return out

    # -- writing -----------------------------------------------------------------------------------------------------
    def _write(self, action: Callable[[Writer], str]) -> bool:
        """Run one ledger write; show its result or the refusal (no traceback), then refresh."""
        if not self.s.evaluator:
            self.msg.value = message("Nama evaluator wajib diisi sebelum menilai atau melampirkan bukti dukung.",
                                     "err")
            return False
        try:
            done = action(self.s.writer)
        except (EvidenceError, LedgerError, ZiError) as exc:
            self.msg.value = message(str(exc), "err")
            return False
        records = self._records()
        self.refresh_findings(records)
        self.render(records)
        self.msg.value = message(done, "ok")
        if self.on_change is not None:
            self.on_change()
        return True

    def set_verdict(self, doc: int, verdict: str) -> None:
        """A click on a verdict button: write it, or withdraw it when it is this tier's verdict in force."""
        s, code = self.s, self.code
        current = self.verdicts.get(doc)
        withdraw = current is not None and current.tier == s.tier and current.verdict == verdict
        new = None if withdraw else verdict
        note = self.note.value if new in (VERDICT_ABSENT, VERDICT_WRONG) else None

        def write(writer: Writer) -> str:
            rec = writer.verdicts(s.rubric, s.unit_id, code, s.tier, s.evaluator, {doc: new}, note)[-1]
            what = "penilaian dihapus" if new is None else new
            return f"Bukti dukung {code} no. {doc}: {what} (rekaman #{rec.seq} oleh {rec.evaluator})."

        self._write(write)

    def mark_all(self) -> None:
        """"Semua ada": every document of the item is there (one transaction)."""
        s, code = self.s, self.code

        def write(writer: Writer) -> str:
            recs = writer.all_present(s.rubric, s.unit_id, code, s.tier, s.evaluator)
            return (f"Semua {len(recs)} dokumen bukti dukung {code} ditandai ada (rekaman #{recs[0].seq}–"
                    f"#{recs[-1].seq} oleh {s.evaluator}).")

        self._write(write)

    def attach_file(self, name: str, content: bytes, source: str | None = None) -> bool:
        """Attach a file to the item (checked before the ledger is opened: a refused file writes nothing)."""
        s, code = self.s, self.code

        def write(writer: Writer) -> str:
            rec, label = writer.attach(self.store, s.rubric, s.unit_id, code, s.tier, s.evaluator, name, content,
                                       source=source)
            return (f"Berkas '{rec.details.get('name', name)}' ({label}) dilampirkan pada butir {code} "
                    f"(rekaman #{rec.seq}).")

        try:
            check_file(name, content)
        except EvidenceError as exc:
            self.msg.value = message(str(exc), "err")
            return False
        return self._write(write)

    def copy(self, url: str) -> None:
        """"Simpan salinan": store what the link shows and attach it, with the link as its source. On the team server
        the copy is fetched into a temporary store (nothing kept in the user's server folder): the ledger service
        stores it when attaching."""
        import tempfile

        try:
            if self.s.writer.hub:
                with tempfile.TemporaryDirectory(prefix="zi-salinan-") as folder:
                    scratch = EvidenceStore(folder)
                    stored, name = save_copy(scratch, url, opener=self.opener)
                    content = scratch.read(stored.sha256)
            else:
                stored, name = save_copy(self.store, url, opener=self.opener)
                content = self.store.read(stored.sha256)
        except (EvidenceError, ZiError) as exc:
            self.msg.value = message(str(exc), "err")
            return
        self.attach_file(name, content, source=url)

    def _on_upload(self, change: dict[str, Any]) -> None:
        if self._quiet or not change["new"]:
            return
        upload = change["new"][0]
        try:
            self.attach_file(str(upload.get("name") or "berkas"), bytes(upload["content"]))
        finally:
            with self._quiet:
                self.upload.value = ()
