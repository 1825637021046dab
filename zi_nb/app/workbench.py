"""ipywidgets of the evaluator workbench: the unit list (:class:`Root`), which opens one unit's review
(:class:`zi_nb.app.unit_review.Workbench`), and :func:`workbench`, what ``notebooks/evaluator.ipynb`` displays (with the
keyboard shortcuts' script, :mod:`zi_nb.app.keys`). The logic lives in :class:`zi_nb.app.session.Session`.
"""

from __future__ import annotations

from typing import Any, cast

import ipywidgets as W

from zi_nb.app import keys, view
from zi_nb.app.hub_mode import connect, tasks_box
from zi_nb.app.overview_panel import overview_section
from zi_nb.app.picker_figures import NO_FIGURES, NO_ROLE, local_rows, service_rows
from zi_nb.app.session import Session, load_data, resolve_parameters
from zi_nb.app.status_panel import StatusPanel
from zi_nb.app.triage_panel import Figures, RiskBoard, local_risk, service_figures, service_risk
from zi_nb.app.unit_review import Workbench
from zi_nb.app.widgets import cls, css_name
from zi_nb.errors import LedgerError, ZiError


class Root:
    """What the evaluator notebook shows: the unit list, then the chosen unit's :class:`Workbench`."""

    def __init__(self, params: dict[str, str]) -> None:
        self.params = params
        self.widget = cls(W.VBox(), "zi-root")
        self.bench: Workbench | None = None
        try:  # on the team server: the user, the tier and the writer come from the ledger service
            self.hub = connect()
        except LedgerError as exc:
            self._fail(str(exc))
            return
        if self.hub is not None:
            self.params = params = {**params, "evaluator": self.hub.evaluator, "tier": self.hub.tier}
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
        self.widget.children = [W.HTML(view.CSS), cls(W.HTML(view.message(text, "err")), "zi-picker")]

    def open(self, unit_id: str) -> None:
        p, hub = self.params, self.hub
        try:
            session = Session(self.data, unit_id, p["tier"], p["evaluator"], p["ledger_path"],
                              zone=p.get("zona_waktu", "WIB"), input_path=p["input_path"], units_path=p["units_path"],
                              writer=hub.writer(self.data.rubric.id) if hub else None)
        except LedgerError as exc:  # the service refused reading the unit (no role on it) or cannot be reached
            self.show_picker(f"Unit {unit_id} tidak dapat dibuka: {exc}")
            return
        status = StatusPanel(session, hub.client, hub.roles, writes=hub.writes) if hub else None
        risk = (None if not hub.sees_risk else lambda: service_risk(hub.client, unit_id)) if hub else (
            lambda: local_risk(self.data, p["ledger_path"]))  # the "Risiko" view (hub: the service's; none for a PIC)
        self.bench = Workbench(session, on_back=self.show_picker, status=status, risk=risk)
        if status is not None:  # a new status changes what the header may say and whether answers may change
            bench = self.bench

            def follow() -> None:
                bench.render_scores()
                offer_edits(bench, status)

            status.on_change = follow
            offer_edits(bench, status)
        self.widget.children = [self.bench.widget]

    def show_picker(self, note: str = "") -> None:
        p, hub = self.params, self.hub
        figures: dict[str, dict[str, Any]] | None
        if hub is None:  # standalone: the inputs with the local ledger applied, the local triage
            figures, risks = local_rows(self.data, p)
            gap = ""
        else:  # the team server: the service's figures over the team ledger (the local ledger has none of it)
            figures, gap = service_rows(hub, p["tier"])
            risks = service_figures(hub.client) if hub.sees_risk else Figures(shown=False)  # none for a PIC
        board = RiskBoard(risks)
        rows, names = [], []
        for meta in cast("list[dict[str, Any]]", self.data.units.to_dict("records")):  # keys: column names
            u = meta["unit_id"]
            # A unit the user has no role on stays in the list, without figures and not offered to open (the
            # service would refuse it): a TPI member of 2 units of 12 still sees the period's whole list, as the
            # order by risk ("atas 12 unit") and "Semua unit" count it, and finds their own units by their figures
            # (and in "Tugas saya"); never a workbook-only figure that could be taken for the team's.
            mine = figures.get(u) if figures is not None else None
            unavailable = "" if mine is not None or hub is None else NO_FIGURES if figures is None else NO_ROLE
            row = {**meta, "tier_label": view.TIER_LABEL[p["tier"]], **(mine or {}), "unavailable": unavailable}
            refused = unavailable == NO_ROLE
            button = cls(W.Button(description="Nilai unit ini", icon="arrow-right", disabled=refused,
                                  tooltip=NO_ROLE if refused else ""), "zi-open", f"zi-open-{css_name(u)}")
            button.on_click(lambda _, u=u: self.open(u))
            rows.append(cls(W.HBox([cls(W.HTML(view.picker_row(row)), "zi-pname"), button]), "zi-prow",
                             f"zi-unit-{css_name(u)}"))
            board.add(rows[-1], u)  # its risk figure ("Risiko 47,5 · #1"), the order by risk
            names.append(f"{u} {meta.get('unit_name') or ''} {meta.get('instansi') or ''}".lower())
        search = cls(W.Text(placeholder="Cari unit (nama, instansi, id)…", layout=W.Layout(width="420px")),
                      "zi-search")

        def on_search(change: dict[str, Any]) -> None:
            words = change["new"].lower().split()
            for row, name in zip(rows, names):
                row.layout.display = "" if all(w in name for w in words) else "none"

        search.observe(on_search, "value")
        head = W.HTML(view.picker_head("Workbench penilai Zona Integritas", len(rows), p["tier"]))
        head = board.header(head)  # with the order control ("Urutkan"), or why the triage failed
        extra = [W.HTML(view.message(text, "err")) for text in (note, gap) if text]
        tasks = [tasks_box(self.hub, self.open, set(self.data.unit_ids))] if self.hub else []
        tasks += overview_section(self.hub, self.open, self.data)  # koordinator, admin, TPN: "Semua unit"
        self.widget.children = [W.HTML(view.CSS), cls(W.VBox([head, *extra, *tasks, search, board.box]),
                                                      "zi-picker")]


def offer_edits(bench: Workbench, status: StatusPanel) -> None:
    """On the team server, offer the edit controls only while the user's role may change the answers in the unit's
    status (ketua TPI, koordinator, admin never; a PIC in draf or dikembalikan; a TPI member while the unit is under
    review; ...): otherwise the answers are shown without them. The ledger service refuses such writes in any case."""
    if status.editable:
        bench.widget.remove_class(view.READ_ONLY)
    else:
        bench.widget.add_class(view.READ_ONLY)


def workbench(namespace: dict[str, Any] | None = None, **params: str) -> Any:
    """The widget the evaluator notebook displays: the unit list, or the unit's workbench when ``unit_id`` is set."""
    values = resolve_parameters({**(namespace or {}), **params})
    keys.install()
    return Root(values).widget


__all__ = ["Root", "Workbench", "workbench"]
