"""ipywidgets of the evaluator workbench: the unit list (:class:`Root`) and one unit's review (:class:`Workbench`).

Layout: header (unit, tier, evaluator, total, predikat badge), left navigation (filters; area -> indicator -> item),
the item card (question, rubric criteria, a control fitting the answer type, the note, Simpan / Kembalikan /
Urungkan, every tier's answer, the item's ledger history) and a summary panel (area bars, components, every
predikat criterion with ✓/✗). Widgets carry ``zi-*`` CSS classes, which the browser test uses as selectors.
The logic lives in :class:`zi_nb.app.workbench.Session`; this module only wires widgets to it.
"""

from __future__ import annotations

import html
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import ipywidgets as W

from zi_nb.app import view
from zi_nb.app.session import Session, load_data, resolve_parameters
from zi_nb.common.domain import ANSWER_KINDS
from zi_nb.common.fmt import num
from zi_nb.engine.results import compute
from zi_nb.engine.validate import validate
from zi_nb.errors import LedgerError, ZiError
from zi_nb.review.ledger import Ledger, apply_ledger, default_path


def css_name(text: str) -> str:
    """A code or unit id as a CSS class fragment (``PRE3A.wajib_total`` -> ``PRE3A-wajib_total``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def _cls(widget: Any, *classes: str) -> Any:
    for c in classes:
        widget.add_class(c)
    return widget


def _sec(text: str) -> W.HTML:
    return W.HTML(f'<div class="zi-sec">{html.escape(text)}</div>')


def _mark(widget: Any, wanted: dict[str, bool], prefix: str = "") -> None:
    """Set ``_dom_classes`` in one message: keep the others, add/remove the ``wanted`` ones."""
    classes = [c for c in widget._dom_classes if c not in wanted and not (prefix and c.startswith(prefix))]
    classes += [c for c, on in wanted.items() if on]
    if tuple(classes) != tuple(widget._dom_classes):
        widget._dom_classes = tuple(classes)


class Workbench:
    """The review of one unit; ``widget`` is what the notebook displays."""

    def __init__(self, session: Session, on_back: Callable[[], None] | None = None) -> None:
        s = self.s = session
        self.latencies: list[float] = []  # ms per answer change (rescore + every display updated)
        self._quiet = False
        self.code: str = ""
        self.item_buttons: dict[str, W.Button] = {}
        self.head_html = _cls(W.HTML(), "zi-headhtml")
        right: list[Any] = []
        if not s.evaluator:
            self.who = _cls(W.Text(placeholder="Nama/NIP evaluator (wajib)", layout=W.Layout(width="220px")),
                            "zi-evaluator")
            self.who.observe(self._on_who, "value")
            right.append(self.who)
        if on_back is not None:
            back = _cls(W.Button(description="Daftar unit", icon="arrow-left", tooltip="Kembali ke daftar unit"),
                        "zi-back")
            back.on_click(lambda _: on_back())
            right.append(back)
        head = _cls(W.HBox([self.head_html, W.VBox(right)]), "zi-head")
        self.filter = _cls(W.ToggleButtons(options=[(v, k) for k, v in view.FILTERS.items()], value="all"),
                           "zi-filter")
        self.filter.observe(self._on_filter, "value")
        self.area_buttons: dict[str, W.Button] = {}
        for code, name in s.areas():
            b = _cls(W.Button(description=f"{code} · {name}", tooltip=name, layout=W.Layout(width="100%")),
                     "zi-navbtn", f"zi-area-{css_name(code)}")
            b.on_click(lambda _, c=code: self.show_area(c))
            self.area_buttons[code] = b
        self.indicators = _cls(W.Dropdown(options=[], layout=W.Layout(width="100%")), "zi-indicators")
        self.indicators.observe(self._on_indicator, "value")
        self.tree = W.VBox([_sec("Area perubahan"), W.VBox(list(self.area_buttons.values())), _sec("Indikator"),
                            self.indicators, _sec("Butir")])
        self.list_title = W.HTML()
        self.items_box = _cls(W.VBox(), "zi-items")
        nav = _cls(W.VBox([_sec("Saring butir"), self.filter, self.tree, self.list_title, self.items_box]),
                   "zi-panel", "zi-nav")
        self.info = _cls(W.HTML(), "zi-item-info")
        steps = []
        for label, icon, delta, name in (("Sebelumnya", "chevron-left", -1, "zi-prev"),
                                         ("Berikutnya", "chevron-right", 1, "zi-next")):
            b = _cls(W.Button(description=label, icon=icon, tooltip=f"Butir {label.lower()}",
                              layout=W.Layout(width="122px", min_width="122px")), "zi-step", name)
            b.on_click(lambda _, d=delta: self.step(d))
            steps.append(b)
        self.answer_title = W.HTML()
        self.control = _cls(W.VBox(), "zi-control")
        self.live = _cls(W.HTML(), "zi-live-box")
        self.note = _cls(W.Textarea(placeholder="Catatan penilai: alasan perubahan jawaban (wajib sebelum menyimpan)",
                                    layout=W.Layout(width="100%")), "zi-note")
        save = _cls(W.Button(description="Simpan perubahan", icon="check", layout=W.Layout(width="180px")),
                    "zi-save")
        reset = _cls(W.Button(description="Kembalikan", icon="times",
                              tooltip="Buang perubahan yang belum disimpan pada butir ini"), "zi-reset")
        undo = _cls(W.Button(description="Urungkan terakhir", icon="undo", layout=W.Layout(width="170px"),
                             tooltip="Batalkan perubahan tersimpan terakhir (dicatat sebagai rekaman baru)"), "zi-undo")
        save.on_click(self._on_save)
        reset.on_click(self._on_reset)
        undo.on_click(self._on_undo)
        self.msg = _cls(W.HTML(), "zi-message")
        self.tiers = _cls(W.HTML(), "zi-tiers-box")
        self.hist = _cls(W.HTML(), "zi-history-box")
        self.crumb = _cls(W.HTML(layout=W.Layout(flex="1 1 auto")), "zi-crumb")
        card = _cls(W.VBox([W.HBox([self.crumb, *steps]), self.info, self.answer_title, self.control, self.live,
                            self.note, W.HBox([save, reset, undo]), self.msg, self.tiers,
                            _sec("Riwayat ledger butir ini"), self.hist]), "zi-panel", "zi-card")
        self.summary = _cls(W.HTML(), "zi-summary")
        side = _cls(W.VBox([self.summary]), "zi-panel", "zi-side")
        self.foot = _cls(W.HTML(), "zi-foot")
        self.widget = _cls(W.VBox([W.HTML(view.CSS), head, _cls(W.HBox([nav, card, side]), "zi-body"), self.foot]),
                           "zi-app")
        self.show_area(s.areas()[0][0])
        self.render_scores()

    @contextmanager
    def _hush(self) -> Iterator[None]:
        """Widget values set by the program are not answer changes."""
        quiet, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = quiet

    # -- navigation ----------------------------------------------------------------------------------------------
    def show_area(self, area: str, item: str | None = None) -> None:
        self.area = area
        for code, b in self.area_buttons.items():
            _mark(b, {"zi-current": code == area})
        inds = self.s.indicators(area)
        r = self.s.rubric
        with self._hush():
            self.indicators.options = [(self._indicator_label(i), i) for i in inds]
        item_ind = r.item_by_code[item].indicator if item else inds[0]
        self.show_indicator(item_ind, item)

    def _indicator_label(self, code: str) -> str:
        r = self.s.rubric
        ind = r.indicator_by_code[code]
        return f"{code} · {r.component_by_code[ind.component].name} · {ind.name}"

    def show_indicator(self, indicator: str, item: str | None = None) -> None:
        with self._hush():
            self.indicators.value = indicator
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

    def _on_indicator(self, change: dict[str, Any]) -> None:
        if not self._quiet and change["new"]:
            self.show_indicator(change["new"])

    def _list(self, codes: list[str], title: str = "") -> None:
        weakest = self.filter.value == "weakest"
        self.item_buttons = {}
        for code in codes:
            q = self.s.rubric.item_by_code[code].question
            short = q if len(q) <= 70 else q[:68].rstrip() + "…"
            label = f"{code} · −{num(self.s.lost(code))} · {short}" if weakest else f"{code} · {short}"
            b = _cls(W.Button(description=label, tooltip=q, layout=W.Layout(width="100%")), "zi-navbtn", "zi-item",
                     f"zi-item-{css_name(code)}")
            b.on_click(lambda _, c=code: self.show_item(c))
            self.item_buttons[code] = b
        self.items_box.children = list(self.item_buttons.values())
        self.list_title.value = title
        self._mark_items()

    def _mark_items(self) -> None:
        for code, b in self.item_buttons.items():
            _mark(b, {f"zi-st-{self.s.status(code)}": True, "zi-current": code == self.code}, prefix="zi-st-")

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
        codes = self.s.filtered(kind)
        what = {"changed": "butir diubah penilai", "unanswered": "butir belum dijawab pada tingkat ini",
                "weakest": "butir terlemah (nilai hilang terbesar)"}[kind]
        self._list(codes, f'<div class="zi-sec zi-filter-count">{len(codes)} {what}</div>'
                   + ('<div class="zi-muted">Tidak ada butir.</div>' if not codes else ""))

    # -- the item card -------------------------------------------------------------------------------------------
    def show_item(self, code: str) -> None:
        self.code = code
        self.note.value = ""
        self.msg.value = ""
        self._build_control()
        self.render_item()
        self.hist.value = view.history(self.s.records(code))
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
            control: Any = _cls(W.ToggleButtons(options=opts, value=current if current in opts else None,
                                                tooltips=[f"{o} = nilai {num(at.options[o])}" + (
                                                    f" · {lines[o]}" if o in lines else "") for o in opts]),
                                "zi-answer")
            control.observe(lambda ch, c=code: self.change(c, ch["new"]), "value")
            children = [control]
            hint = "pilih jawaban"
        else:
            children, hint = [], "isi angka lalu tekan Enter"
            labels = {f"{code}.{i.name}": i.label.lstrip("- ").strip() for i in item.inputs}
            for c in s.codes_of(code):
                value = s.value_text(c)
                box = _cls(W.Text(value="" if value is None else view.shown(value), continuous_update=False,
                                  placeholder="indeks 0–4, mis. 3,62" if at.kind == "index" else "jumlah",
                                  layout=W.Layout(width="140px")), "zi-input", f"zi-input-{css_name(c)}")
                box.observe(lambda ch, c=c: self.change(c, ch["new"]), "value")
                label = labels.get(c, "Indeks hasil survei (0–4)")
                children.append(W.HBox([W.HTML(f'<div style="width:360px;padding-top:4px">{html.escape(label)}'
                                               "</div>"), box]))
        self.answer_title.value = (f'<div class="zi-sec">Jawaban {html.escape(tier)} — {hint}, tulis catatan, '
                                   "lalu simpan</div>")
        with self._hush():
            self.control.children = children

    def render_item(self) -> None:
        self.crumb.value = view.item_crumb(self.s, self.code)
        self.info.value = view.item_info(self.s, self.code)
        self.tiers.value = view.tier_answers(self.s, self.code)
        self.live.value = view.live_value(self.s, self.code)

    def render_scores(self, ms: float | None = None) -> None:
        self.head_html.value = view.header(self.s)
        self.summary.value = view.summary(self.s)
        timing = f" · nilai diperbarui dalam {ms:.0f} ms" if ms is not None else ""
        self.foot.value = (f"Rubrik {html.escape(self.s.rubric.id)} · ledger {html.escape(str(self.s.ledger_path))}"
                           f"{timing}")

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

    def _on_who(self, change: dict[str, Any]) -> None:
        self.s.evaluator = change["new"].strip()
        self.head_html.value = view.header(self.s)

    def _on_save(self, _: Any = None) -> None:
        try:
            records = self.s.save(self.code, self.note.value)
        except (LedgerError, ZiError) as exc:
            self.msg.value = view.message(str(exc), "err")
            return
        self.note.value = ""
        what = "; ".join(f"{r.code}: {view.shown(r.previous)} → {view.shown(r.answer)}" for r in records)
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
        what = "; ".join(f"{r.code} kembali ke {view.shown(r.answer)}" for r in records)
        self._after_ledger(f"Perubahan terakhir diurungkan (rekaman baru #{records[-1].seq}): {what}.")

    def _on_reset(self, _: Any = None) -> None:
        self.s.discard(self.code)
        self.show_item(self.code)
        self.render_scores()
        self.msg.value = view.message("Perubahan yang belum disimpan pada butir ini dibuang.", "info")

    def _after_ledger(self, text: str) -> None:
        self.render_item()
        self.hist.value = view.history(self.s.records(self.code))
        self._refresh_filter()
        self.render_scores()
        self.msg.value = view.message(text, "ok")


class Root:
    """What the evaluator notebook shows: the unit list, then the chosen unit's :class:`Workbench`."""

    def __init__(self, params: dict[str, str]) -> None:
        self.params = params
        self.widget = _cls(W.VBox(), "zi-root")
        self.bench: Workbench | None = None
        try:
            self.data = load_data(params["input_path"], params["units_path"])
        except ZiError as exc:
            self._fail(f"Masukan tidak dapat dibaca: {exc}")
            return
        if not self.data.unit_ids:
            files = ", ".join(self.data.fatal_files) or params["input_path"] or "data contoh"
            self._fail(f"Tidak ada unit yang dapat dibaca dari {files}. Periksa berkas dengan `zi-nb validate`.")
            return
        unit = params["unit_id"]
        if unit and unit in self.data.unit_ids:
            self.open(unit)
        else:
            self.show_picker(f"Unit '{unit}' tidak ada dalam masukan; pilih dari daftar." if unit else "")

    def _fail(self, text: str) -> None:
        self.widget.children = [W.HTML(view.CSS), _cls(W.HTML(view.message(text, "err")), "zi-picker")]

    def open(self, unit_id: str) -> None:
        p = self.params
        session = Session(self.data, unit_id, p["tier"], p["evaluator"], p["ledger_path"])
        self.bench = Workbench(session, on_back=self.show_picker)
        self.widget.children = [self.bench.widget]

    def show_picker(self, note: str = "") -> None:
        p = self.params
        path = Path(p["ledger_path"]) if p["ledger_path"] else default_path()
        book = Ledger(path) if path.is_file() else None
        applied = apply_ledger(self.data, book) if book else self.data
        changes = Counter(r.unit_id for r in book.records() if r.tier == p["tier"] and r.kind in ANSWER_KINDS
                          ) if book else Counter()
        findings = validate(applied)  # once for both views (the ledger changes only reviewer tiers)
        unit_res, tier_res = compute(applied, "unit", findings=findings), compute(applied, p["tier"], findings=findings)
        rows, names = [], []
        for meta in cast("list[dict[str, Any]]", self.data.units.to_dict("records")):  # keys: column names
            u = meta["unit_id"]
            tier_ok = u in tier_res.scores.unit_ids
            row = {**meta, "unit_total": unit_res.scores.total.get(u), "tier_label": view.TIER_LABEL[p["tier"]],
                   "tier_total": tier_res.scores.total.get(u) if tier_ok else None, "changes": changes.get(u, 0),
                   "predicate": tier_res.evaluation.predicate.get(u, "TIDAK") if tier_ok else "TIDAK",
                   **view.status_fields(tier_res.statuses.get(u))}
            button = _cls(W.Button(description="Nilai unit ini", icon="arrow-right"), "zi-open",
                          f"zi-open-{css_name(u)}")
            button.on_click(lambda _, u=u: self.open(u))
            rows.append(_cls(W.HBox([_cls(W.HTML(view.picker_row(row)), "zi-pname"), button]), "zi-prow",
                             f"zi-unit-{css_name(u)}"))
            names.append(f"{u} {meta.get('unit_name') or ''} {meta.get('instansi') or ''}".lower())
        search = _cls(W.Text(placeholder="Cari unit (nama, instansi, id)…", layout=W.Layout(width="420px")),
                      "zi-search")

        def on_search(change: dict[str, Any]) -> None:
            words = change["new"].lower().split()
            for row, name in zip(rows, names):
                row.layout.display = "" if all(w in name for w in words) else "none"

        search.observe(on_search, "value")
        head = W.HTML(view.picker_head("Workbench penilai Zona Integritas", len(rows), p["tier"]))
        extra = [W.HTML(view.message(note, "err"))] if note else []
        self.widget.children = [W.HTML(view.CSS), _cls(W.VBox([head, *extra, search, W.VBox(rows)]), "zi-picker")]


def workbench(namespace: dict[str, Any] | None = None, **params: str) -> Any:
    """The widget the evaluator notebook displays: the unit list, or the unit's workbench when ``unit_id`` is set."""
    values = resolve_parameters({**(namespace or {}), **params})
    return Root(values).widget
