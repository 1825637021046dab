"""The review of one unit (:class:`Workbench`): header, navigation, the item card and the score summary.

Layout: header (unit, tier, evaluator, progress "n dari 113 dinilai", total, predikat badge, "Catatan & LHE"), left
navigation (filter; area with its progress -> indicator -> item), the item card in the order an evaluator decides
(question and criteria with the unit's answer marked, the unit's note and evidence with the bukti dukung checklist
(:mod:`zi_nb.app.evidence_panel`; the filter "Bukti dukung kurang" lists its findings), "Setujui jawaban unit", the
evaluator's control and note, Simpan / Kembalikan / Urungkan, every tier's answer, the item's ledger history) and a
summary panel (area bars, components, predikat criteria). The catatan per area and "Buat LHE" are in
:mod:`zi_nb.app.catatan_panel`; the accepting in :mod:`zi_nb.app.accept`. Widgets carry ``zi-*`` CSS classes, the
browser test's selectors and the keyboard shortcuts' targets (:mod:`zi_nb.app.keys`).
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from zi_nb.app import view
from zi_nb.app.accept import accept, area_items
from zi_nb.app.catatan_panel import CatatanPanel
from zi_nb.app.evidence_panel import EvidencePanel
from zi_nb.app.session import Session
from zi_nb.app.triage_panel import Risk, TriagePanel
from zi_nb.app.widgets import Quiet, cls, css_name, mark, sec
from zi_nb.common.fmt import num
from zi_nb.errors import LedgerError, ZiError


class Workbench:
    """The review of one unit; ``widget`` is what the notebook displays."""

    def __init__(self, session: Session, on_back: Callable[[], None] | None = None, status: Any = None,
                 risk: Callable[[], Risk] | None = None) -> None:
        s = self.s = session
        self.status = status  # the team server's status panel (zi_nb.app.status_panel), None standalone
        self.latencies: list[float] = []  # ms per answer change (rescore + every display updated)
        self._quiet = Quiet()  # set while the program changes widget values
        self.code: str = ""
        self.item_buttons: dict[str, W.Button] = {}
        self.head_html = cls(W.HTML(), "zi-headhtml")
        right: list[Any] = []
        if not s.evaluator:
            self.who = cls(W.Text(placeholder="Nama/NIP evaluator (wajib)", layout=W.Layout(width="220px")),
                           "zi-evaluator")
            self.who.observe(self._on_who, "value")
            right.append(self.who)
        if on_back is not None:
            back = cls(W.Button(description="Daftar unit", icon="arrow-left", tooltip="Kembali ke daftar unit"),
                       "zi-back")
            back.on_click(lambda _: on_back())
            right.append(back)
        self.mode = cls(W.Button(description="Catatan & LHE", icon="file-text",
                                 tooltip="Catatan dan rekomendasi per area, lalu buat LHE"), "zi-back", "zi-mode")
        self.mode.on_click(self._on_mode)
        self.risk = TriagePanel(s, self, risk) if risk is not None else None  # the "Risiko" view (triage)
        right.append(W.HBox([self.mode, self.risk.button]) if self.risk else self.mode)
        head = cls(W.HBox([self.head_html, W.VBox(right)]), "zi-head")
        # one tab stop each: the filter, the current area, the indicator, then the items
        self.filter = cls(W.Dropdown(options=[(v, k) for k, v in view.FILTERS.items()], value="all",
                                     description="Saring", layout=W.Layout(width="100%")), "zi-filter")
        self.filter.style.description_width = "48px"
        self.filter.observe(self._on_filter, "value")
        self.area_buttons: dict[str, W.Button] = {}
        for code, _ in s.areas():
            b = cls(W.Button(layout=W.Layout(width="100%"), tabbable=False), "zi-navbtn", f"zi-area-{css_name(code)}")
            b.on_click(lambda _, c=code: self.show_area(c))
            self.area_buttons[code] = b
        self.indicator = ""
        self.indicator_buttons: dict[str, W.Button] = {}
        self.indicators = cls(W.VBox(), "zi-indicators")
        self.tree = W.VBox([sec("Area perubahan"), W.VBox(list(self.area_buttons.values())), sec("Indikator"),
                            self.indicators, sec("Butir")])
        self.list_title = W.HTML()
        self.items_box = cls(W.VBox(), "zi-items")
        nav = cls(W.VBox([self.filter, self.tree, self.list_title, self.items_box]), "zi-panel", "zi-nav")
        self.info = cls(W.HTML(), "zi-item-info")
        self.unit_box = cls(W.HTML(), "zi-unit-answer")
        steps = []
        for label, icon, delta, name in (("Sebelumnya", "chevron-left", -1, "zi-prev"),
                                         ("Berikutnya", "chevron-right", 1, "zi-next")):
            b = cls(W.Button(description=label, icon=icon, tooltip=f"Butir {label.lower()}",
                             layout=W.Layout(width="122px", min_width="122px")), "zi-step", name)
            b.on_click(lambda _, d=delta: self.step(d))
            steps.append(b)
        self.accepts: dict[str, W.Button] = {}
        for scope in ("item", "indicator", "area", "all"):
            b = cls(W.Button(layout=W.Layout(width="auto"), tooltip="Catat jawaban unit sebagai jawaban Anda, dengan "
                             "catatan otomatis 'disetujui apa adanya'"), "zi-accept", f"zi-accept-{scope}")
            b.on_click(lambda _, sc=scope: self.accept(sc))
            self.accepts[scope] = b
        self.accepts["item"].description = "butir ini"
        self.accepts["all"].description = "semua yang belum dinilai…"
        self.confirm = cls(W.Button(description="Ya, setujui", layout=W.Layout(width="120px", min_width="120px")),
                           "zi-confirm")
        self.confirm.on_click(lambda _: self.accept("all", confirmed=True))
        cancel = cls(W.Button(description="Batal", layout=W.Layout(width="80px", min_width="80px")), "zi-cancel")
        cancel.on_click(lambda _: self._ask(""))
        self.ask_text = W.HTML()
        self.ask = cls(W.HBox([self.ask_text, self.confirm, cancel], layout=W.Layout(display="none",
                                                                                     align_items="center")), "zi-ask")
        self.answer_title = W.HTML()
        self.control = cls(W.VBox(), "zi-control")
        self.live = cls(W.HTML(), "zi-live-box")
        self.note = cls(W.Textarea(placeholder="Catatan penilai: alasan perubahan jawaban (wajib sebelum menyimpan)",
                                   layout=W.Layout(width="100%")), "zi-note")
        save = cls(W.Button(description="Simpan perubahan", icon="check", tooltip="Simpan (S atau Ctrl+S)",
                            layout=W.Layout(width="180px")), "zi-save")
        reset = cls(W.Button(description="Kembalikan", icon="times",
                             tooltip="Buang perubahan yang belum disimpan pada butir ini"), "zi-reset")
        undo = cls(W.Button(description="Urungkan terakhir", icon="undo", layout=W.Layout(width="170px"),
                            tooltip="Batalkan penyimpanan terakhir (dicatat sebagai rekaman baru)"), "zi-undo")
        save.on_click(self._on_save)
        reset.on_click(self._on_reset)
        undo.on_click(self._on_undo)
        self.msg = cls(W.HTML(), "zi-message")
        self.tiers = cls(W.HTML(), "zi-tiers-box")
        self.hist = cls(W.HTML(), "zi-history-box")
        self.crumb = cls(W.HTML(layout=W.Layout(flex="1 1 auto")), "zi-crumb")
        accept_row = cls(W.HBox([W.HTML('<div class="zi-acc-label">Setujui jawaban unit:</div>'),
                                 *self.accepts.values()]), "zi-accepts")
        self.evidence = EvidencePanel(s, on_change=self._refresh_filter)
        self.card = cls(W.VBox([W.HBox([self.crumb, *steps]), self.info, sec("Yang diserahkan unit"), self.unit_box,
                                self.evidence.widget, accept_row, self.ask, self.answer_title, self.control,
                                self.live, self.note,
                                W.HBox([save, reset, undo]), self.msg, W.HTML(view.shortcuts()), self.tiers,
                                sec("Riwayat ledger butir ini"), self.hist]), "zi-panel", "zi-card")
        self.catatan = CatatanPanel(s)
        self.summary = cls(W.HTML(), "zi-summary")
        side = cls(W.VBox([*([status.widget] if status is not None else []), self.summary]), "zi-panel", "zi-side")
        self.foot = cls(W.HTML(), "zi-foot")
        self.body = cls(W.HBox([nav, self.card, side]), "zi-body")
        self.widget = cls(W.VBox([W.HTML(view.CSS), head, self.body, self.foot]), "zi-app")
        self.show_area(s.areas()[0][0])
        self.render_scores()

    # -- navigation ----------------------------------------------------------------------------------------------
    def show_area(self, area: str, item: str | None = None) -> None:
        self.area = area
        for code, b in self.area_buttons.items():
            mark(b, {"zi-current": code == area})
            b.tabbable = code == area
        inds = self.s.indicators(area)
        self.indicator_buttons = {}
        for code in inds:
            b = cls(W.Button(description=self._indicator_label(code), tooltip=self._indicator_label(code),
                             layout=W.Layout(width="100%"), tabbable=False), "zi-navbtn", "zi-ind",
                    f"zi-ind-{css_name(code)}")
            b.on_click(lambda _, c=code: self.show_indicator(c))
            self.indicator_buttons[code] = b
        self.indicators.children = list(self.indicator_buttons.values())
        item_ind = self.s.rubric.item_by_code[item].indicator if item else inds[0]
        self.show_indicator(item_ind, item)

    def _indicator_label(self, code: str) -> str:
        r = self.s.rubric
        ind = r.indicator_by_code[code]
        return f"{code} · {ind.name}"

    def show_indicator(self, indicator: str, item: str | None = None) -> None:
        self.indicator = indicator
        for code, b in self.indicator_buttons.items():
            mark(b, {"zi-current": code == indicator})
            b.tabbable = code == indicator
        codes = self.s.items(indicator)
        self._list(codes)
        self.show_item(item or codes[0])

    def goto(self, code: str) -> None:
        """Show an item; in the area view the navigation follows it."""
        if self.filter.value != "all":
            self.show_item(code)
            return
        ind = self.s.rubric.indicator_by_code[self.s.rubric.item_by_code[code].indicator]
        self.show_area(ind.area or view.HASIL, code)

    def step(self, delta: int) -> None:
        """The previous or next item: in the rubric's order, or in the filtered list."""
        codes = list(self.item_buttons) if self.filter.value != "all" else [i.code for i in self.s.plan.items]
        if self.code in codes:
            self.goto(codes[(codes.index(self.code) + delta) % len(codes)])
        elif codes:
            self.goto(codes[0])

    def _list(self, codes: list[str], title: str = "") -> None:
        weakest = self.filter.value == "weakest"
        self.item_buttons = {}
        for code in codes:
            q = self.s.rubric.item_by_code[code].question
            short = q if len(q) <= 70 else q[:68].rstrip() + "…"
            label = f"{code} · −{num(self.s.lost(code))} · {short}" if weakest else f"{code} · {short}"
            b = cls(W.Button(description=label, tooltip=q, layout=W.Layout(width="100%")), "zi-navbtn", "zi-item",
                    f"zi-item-{css_name(code)}")
            b.on_click(lambda _, c=code: self.show_item(c))
            self.item_buttons[code] = b
        self.items_box.children = list(self.item_buttons.values())
        self.list_title.value = title
        self._mark_items()

    def _mark_items(self) -> None:
        for code, b in self.item_buttons.items():
            mark(b, {f"zi-st-{self.s.status(code)}": True, "zi-current": code == self.code}, prefix="zi-st-")
        for code, b in self.area_buttons.items():
            done, count = self.s.progress(area_items(self.s, code))
            name = dict(self.s.areas())[code]
            b.description = f"{code} · {name} ({done}/{count})"
            b.tooltip = f"{name}: {done} dari {count} butir dinilai"

    def _on_filter(self, change: dict[str, Any]) -> None:
        kind = change["new"]
        self.tree.layout.display = "" if kind == "all" else "none"
        if kind == "all":
            self.goto(self.code)
        else:
            self._refresh_filter()

    def _refresh_filter(self) -> None:
        kind = self.filter.value
        if kind == "all":
            return self._mark_items()
        codes = self.evidence.lacking() if kind == "evidence" else self.s.filtered(kind)
        what = {"evidence": "butir dengan bukti dukung kurang",
                "changed": "butir diubah penilai", "unassessed": "butir belum dinilai pada tingkat ini",
                "different": "butir berbeda dari jawaban unit",
                "weakest": "butir terlemah yang sudah dijawab (nilai hilang terbesar)"}[kind]
        self._list(codes, f'<div class="zi-sec zi-filter-count">{len(codes)} {what}</div>'
                   + ('<div class="zi-muted">Tidak ada butir.</div>' if not codes else ""))

    # -- the item card -------------------------------------------------------------------------------------------
    def show_item(self, code: str) -> None:
        self.code = code
        self.note.value = ""
        self.msg.value = ""
        self._ask("")
        item = self.s.rubric.item_by_code[code]
        ind = self.s.rubric.indicator_by_code[item.indicator]
        self.accepts["indicator"].description = f"indikator {ind.code}"
        self.accepts["area"].description = f"area {ind.area}" if ind.area else "semua butir Hasil"
        self._build_control()
        self.render_item()
        self.hist.value = view.history(self.s.records(code), self.s.zone, self.s.label_of)
        self.evidence.show(code)
        self._mark_items()

    def _build_control(self) -> None:
        s, code = self.s, self.code
        item = s.rubric.item_by_code[code]
        at = s.rubric.answer_types[item.answer_type]
        tier = view.TIER_LABEL[s.tier]
        if at.kind == "option":
            lines = {o: line for o, line in view.criteria_lines(item.criteria) if o}
            opts = list(at.options)
            current = s.value_text(code)
            control: Any = cls(W.ToggleButtons(options=opts, value=current if current in opts else None,
                                               tooltips=[f"{o} = nilai {num(at.options[o])}" + (
                                                   f" · {lines[o]}" if o in lines else "") for o in opts]),
                               "zi-answer")
            control.observe(lambda ch, c=code: self.change(c, ch["new"]), "value")
            children = [control]
            hint = "pilih jawaban"
        else:
            children, hint = [], "isi angka lalu tekan Enter"
            for c in s.codes_of(code):
                value = s.value_text(c)
                box = cls(W.Text(value="" if value is None else view.shown(value), continuous_update=False,
                                 placeholder="indeks 0–4, mis. 3,62" if at.kind == "index" else "jumlah",
                                 layout=W.Layout(width="140px")), "zi-input", f"zi-input-{css_name(c)}")
                box.observe(lambda ch, c=c: self.change(c, ch["new"]), "value")
                label = s.input_label(c) or "Indeks hasil survei (0–4)"
                children.append(W.HBox([W.HTML(f'<div style="width:360px;padding-top:4px">{html.escape(label)}'
                                               "</div>"), box]))
        self.answer_title.value = (f'<div class="zi-sec">Jawaban {html.escape(tier)} — {hint}, tulis catatan, '
                                   "lalu simpan</div>")
        with self._quiet:
            self.control.children = children

    def render_item(self) -> None:
        self.crumb.value = view.item_crumb(self.s, self.code)
        self.info.value = view.item_info(self.s, self.code)
        self.unit_box.value = view.unit_answer(self.s, self.code)
        self.tiers.value = view.tier_answers(self.s, self.code)
        self.live.value = view.live_value(self.s, self.code)

    def render_scores(self, ms: float | None = None) -> None:
        self.head_html.value = view.header(self.s)
        self.summary.value = view.summary(self.s)
        timing = f" · nilai diperbarui dalam {ms:.0f} ms" if ms is not None else ""
        where = "layanan ledger tim" if self.s.writer.hub else str(self.s.ledger_path)
        self.foot.value = f"Rubrik {html.escape(self.s.rubric.id)} · ledger {html.escape(where)}{timing}"

    # -- changes -------------------------------------------------------------------------------------------------
    def change(self, code: str, value: Any) -> None:
        """An answer changed in a control: rescore this unit and update every display (timed)."""
        if self._quiet:
            return
        start = time.perf_counter()
        try:
            self.s.set_value(code, value)
        except LedgerError as exc:
            self.msg.value = view.message(str(exc), "err")
            return
        self.render_item()
        self._mark_items()
        self.msg.value = view.message("Perubahan belum disimpan: tulis catatan lalu tekan Simpan perubahan.",
                                      "info") if code in self.s.drafts else ""
        ms = (time.perf_counter() - start) * 1000
        self.render_scores(ms)
        self.latencies.append(ms)

    def accept(self, scope: str, confirmed: bool = False) -> None:
        """"Setujui jawaban unit" for the item, its indicator, its area, or (after a confirmation) every item not
        yet assessed."""
        s = self.s
        item = s.rubric.item_by_code[self.code]
        ind = s.rubric.indicator_by_code[item.indicator]
        if scope == "all" and not confirmed:
            todo = s.filtered("unassessed")
            if not todo:
                self.msg.value = view.message("Semua butir sudah dinilai; tidak ada yang perlu disetujui.", "info")
                return
            self._ask(f"Setujui jawaban unit untuk {len(todo)} butir yang belum dinilai? Setiap butir dicatat di "
                      "ledger atas nama Anda.")
            return
        items = {"item": [self.code], "indicator": s.items(ind.code), "area": area_items(s, ind.area or view.HASIL),
                 "all": s.filtered("unassessed")}[scope]
        self._ask("")
        try:
            done = accept(s, items, only_unassessed=scope == "all", force=scope == "item")
        except (LedgerError, ZiError) as exc:
            self.msg.value = view.message(str(exc), "err")
            return
        self._build_control()
        self._after_ledger(done.message(), "err" if done.failed else "ok")

    def _ask(self, text: str) -> None:
        self.ask_text.value = view.message(text, "info") if text else ""
        self.ask.layout.display = "" if text else "none"

    def _on_who(self, change: dict[str, Any]) -> None:
        self.s.evaluator = change["new"].strip()
        self.head_html.value = view.header(self.s)

    def _on_mode(self, _: Any = None) -> None:
        """Switch the middle column between the item card and the catatan per area."""
        writing = self.body.children[1] is not self.catatan.widget
        if writing:
            self.catatan.refresh()
        self.body.children = (self.body.children[0], self.catatan.widget if writing else self.card,
                              self.body.children[2])
        self.mode.description = "Kembali ke butir" if writing else "Catatan & LHE"

    def _on_save(self, _: Any = None) -> None:
        try:
            records = self.s.save(self.code, self.note.value)
        except (LedgerError, ZiError) as exc:
            self.msg.value = view.message(str(exc), "err")
            return
        self.note.value = ""
        what = "; ".join(f"{self.s.label_of(r.code)}: {view.shown(r.previous)} → {view.shown(r.answer)}"
                         for r in records)
        self._after_ledger(f"Tersimpan di ledger sebagai rekaman #{records[-1].seq} oleh "
                           f"{records[-1].evaluator}: {what}.")

    def _on_undo(self, _: Any = None) -> None:
        try:
            records = self.s.undo(self.note.value)
        except (LedgerError, ZiError) as exc:
            self.msg.value = view.message(str(exc), "err")
            return
        code = records[0].code.split(".", 1)[0]
        self.goto(code)
        what = (f"butir {code} kembali ke {view.shown(records[0].answer)}" if len(records) == 1
                else f"{len(records)} jawaban dikembalikan")
        self._after_ledger(f"Penyimpanan terakhir diurungkan (rekaman baru #{records[-1].seq}): {what}.")

    def _on_reset(self, _: Any = None) -> None:
        self.s.discard(self.code)
        self.show_item(self.code)
        self.render_scores()
        self.msg.value = view.message("Perubahan yang belum disimpan pada butir ini dibuang.", "info")

    def _after_ledger(self, text: str, kind: str = "ok") -> None:
        self.render_item()
        self.hist.value = view.history(self.s.records(self.code), self.s.zone, self.s.label_of)
        self.evidence.refresh_findings()  # an answer above or at its lowest value changes the evidence findings
        self.evidence.render()
        self._refresh_filter()
        self.render_scores()
        self.msg.value = view.message(text, kind)
