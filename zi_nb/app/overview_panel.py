""""Semua unit": the coordinator's view of every unit of the period, in the unit list of the evaluator app on the
team server (:mod:`zi_nb.app.workbench`), for the roles of :data:`zi_nb.team.service_api.OVERVIEW_ROLES`
(koordinator, admin, TPN).

Everything comes from the ledger service's ``api/overview`` (:meth:`zi_nb.team.client.ServiceClient.overview_report`,
rows of :meth:`zi_nb.team.overview.UnitRow.as_dict`): one row per unit with its status, the stage and its deadline,
who it waits for, and, when the service has the units' inputs, progress, score and the predikat, which the service
sends labelled with what it rests on (a bare predikat is never shown: :func:`predicate_cell`). The koordinator also
sees the quota line (:func:`quota_line`: units whose status used a slot, :data:`zi_nb.team.permissions.PROPOSED`).
A status filter, "Buka" per unit (as "Tugas saya"), "Muat ulang" and "Unduh xlsx" (the service's workbook as a
``data:`` link, as :func:`zi_nb.app.catatan_panel.links` does). A refusal or an unreachable service is a message.
"""

from __future__ import annotations

import base64
import html
from collections import Counter
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from zi_nb.app import view
from zi_nb.app.widgets import cls, css_name
from zi_nb.common.fmt import PREDICATE_LABEL, date_text
from zi_nb.errors import ZiError
from zi_nb.team.permissions import PROPOSED, STATUSES
from zi_nb.team.service_api import OVERVIEW_ROLES, XLSX

ALL = ""  # the filter's value for every status
COLUMNS = ("Unit", "Nama unit", "Status", "Tahap", "Batas waktu", "Menunggu", "Progres", "Nilai", "Predikat")
# a status's colour group (CSS class zi-ov-st-<group>)
STATUS_GROUP = {"draf": "unit", "dikembalikan": "unit", "diajukan": "tpi", "diajukan ulang": "tpi",
                "direviu": "tpi", "final TPI": "final", "diusulkan": "tpn", "ditetapkan": "done",
                "tidak ditetapkan": "off", "dicabut": "off"}
BARE = {p.lower() for lang in PREDICATE_LABEL.values() for pair in lang.items() for p in pair}
GRID = "grid-template-columns:1.15fr 1.35fr minmax(112px,.95fr) .8fr 1fr 1.25fr 1.1fr .55fr 1.9fr"
CSS = f"""<style>
.zi-overview{{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(16,40,70,.12);padding:10px 12px;
 margin:8px 0 10px}}
.zi-ov-grid{{display:grid;{GRID};gap:8px;align-items:start;font-size:12px;line-height:1.35}}
.zi-ov-grid>div{{min-width:0;overflow-wrap:anywhere}}
.zi-ov-headrow .zi-ov-grid{{font-weight:700;color:#3b4756;font-size:11.5px}}
.zi-picker .zi-overview .zi-ov-headrow,.zi-picker .zi-overview .zi-ov-row{{align-items:flex-start;gap:8px;
 margin:0;border-radius:0;box-shadow:none}}
.zi-picker .zi-overview .zi-ov-headrow{{background:#eef2f7;padding:5px 8px;border-radius:6px 6px 0 0}}
.zi-picker .zi-overview .zi-ov-row{{background:#fff;padding:6px 8px;border-bottom:1px solid #e8edf3}}
.zi-picker .zi-overview .zi-ov-row:hover{{background:#f7faff}}
.zi-ov-cells{{flex:1 1 auto;min-width:0}}
.zi-ov-act{{flex:0 0 74px;width:74px}}
.zi-picker .zi-overview .jupyter-button.zi-ov-open{{width:70px;height:26px;font-size:12px;padding:0 6px}}
.zi-picker .zi-overview .jupyter-button.zi-ov-reload{{background:#eef3fa;color:#12355b;border:1px solid #cddcf0}}
.zi-ov-st{{display:inline-block;border-radius:10px;padding:0 7px;font-weight:700;font-size:11.5px;
 overflow-wrap:normal}}
.zi-ov-st-unit{{background:#eceff3;color:#3b4756}}.zi-ov-st-tpi{{background:#e1ecfa;color:#12355b}}
.zi-ov-st-final{{background:#dff3f1;color:#0b5a52}}.zi-ov-st-tpn{{background:#ece4f7;color:#4a2a7a}}
.zi-ov-st-done{{background:#e8f5ec;color:#1b6b34}}.zi-ov-st-off{{background:#fdecea;color:#a12622}}
.zi-ov-late{{color:#a12622;font-weight:700}}
.zi-ov-quota{{font-weight:700;color:#12355b;margin:2px 0}}
.zi-ov-bar{{align-items:center;gap:10px;flex-wrap:wrap;margin:4px 0 8px}}
.zi-ov-bar .zi-dl a{{margin:0;padding:4px 12px;font-size:12.5px}}
.zi-ov-count{{color:#5b6776;font-size:12px}}
</style>"""


def wanted(roles: tuple[str, ...] | list[str]) -> bool:
    """Whether a user with ``roles`` gets "Semua unit" (the roles the service answers ``api/overview`` for)."""
    return any(r in OVERVIEW_ROLES for r in roles)


def proposed_count(units: list[dict[str, Any]]) -> int:
    """Units whose status used a slot of the coordinator's quota (a decision does not give it back)."""
    return sum(1 for u in units if u.get("status") in PROPOSED)


def quota_line(units: list[dict[str, Any]], kuota: Any = None) -> str:
    """``"Kuota 2: 1 unit diusulkan (sisa 1)"``; without the period's quota (the service did not send it) the count
    only."""
    used = proposed_count(units)
    if isinstance(kuota, int) and not isinstance(kuota, bool):
        return f"Kuota {kuota}: {used} unit diusulkan (sisa {max(kuota - used, 0)})"
    return f"Kuota: {used} unit diusulkan (besar kuota tercantum di berkas tim)"


def predicate_cell(text: Any) -> str:
    """The predikat as the service labelled it (HTML); "-" when there is none, or when it is bare."""
    value = str(text or "").strip()
    if not value or value == "-" or value.lower() in BARE:
        return "-"
    main, sep, rest = value.partition(" [")
    if not sep:
        return html.escape(value)
    return f'<b>{html.escape(main)}</b><div class="zi-muted">[{html.escape(rest)}</div>'


def cell(value: Any) -> str:
    text = str(value or "").strip()
    return html.escape(text) if text else "-"


def progress_cell(value: Any) -> str:
    """The service's progress text one part a line (``UNIT 113/113, TPI 40/113; bukti dinilai 12``)."""
    parts = [p.strip() for chunk in str(value or "").split("; ") for p in chunk.split(", ") if p.strip()]
    return "<br>".join(html.escape(p) for p in parts) if parts else "-"


def deadline_cell(row: dict[str, Any]) -> str:
    shown = date_text(row.get("deadline") or "")
    if not shown:
        return "-"
    late = ' <span class="zi-ov-late">(lewat)</span>' if row.get("deadline_passed") else ""
    return f"{html.escape(shown)}{late}"


def row_html(row: dict[str, Any], name: str = "") -> str:
    """One unit's cells (the grid of :data:`COLUMNS`); ``name`` the app's own name of the unit when the service
    sends none."""
    status = str(row.get("status") or "-")
    since = str(row.get("since") or "").strip()
    title = f' title="sejak {html.escape(since)} oleh {html.escape(str(row.get("since_by") or "-"))}"' \
        if since and since != "-" else ""
    group = STATUS_GROUP.get(status, "unit")
    todo = str(row.get("todo") or "").strip()
    cells = [f"<b>{cell(row.get('unit_id'))}</b>", cell(row.get("unit_name") or name),
             f'<span class="zi-ov-st zi-ov-st-{group}"{title}>{html.escape(status)}</span>', cell(row.get("stage")),
             deadline_cell(row),
             cell(row.get("waiting_for")) + (f'<div class="zi-muted">{html.escape(todo)}</div>' if todo else ""),
             progress_cell(row.get("progress")), cell(row.get("score")), predicate_cell(row.get("predicate"))]
    return '<div class="zi-ov-grid">' + "".join(f"<div>{c}</div>" for c in cells) + "</div>"


def head_html() -> str:
    return '<div class="zi-ov-grid">' + "".join(f"<div>{html.escape(c)}</div>" for c in COLUMNS) + "</div>"


def xlsx_link(content: bytes, periode: str) -> str:
    """The workbook as a download link carrying it (``data:`` address)."""
    name = f"status-unit-{periode or 'periode'}.xlsx"
    data = base64.b64encode(content).decode("ascii")
    return (f'<div class="zi-dl"><a class="zi-dl-xlsx" download="{html.escape(name)}" href="data:{XLSX};base64,'
            f'{data}">Unduh xlsx ({max(len(content) // 1024, 1)} KB)</a></div>')


class OverviewPanel:
    """"Semua unit" of the hub user ``hub`` (:class:`zi_nb.app.hub_mode.Hub`): ``open_unit`` opens a unit of
    ``known`` (the units of the app's inputs; ``names`` their names)."""

    def __init__(self, hub: Any, open_unit: Callable[[str], None], known: set[str],
                 names: dict[str, str] | None = None) -> None:
        self.hub, self.open_unit, self.known, self.names = hub, open_unit, known, names or {}
        self.units: list[dict[str, Any]] = []
        self.rows: dict[str, W.HBox] = {}
        self.title = W.HTML()
        self.quota = cls(W.HTML(), "zi-ov-quota-box")
        self.filter = cls(W.Dropdown(options=[("Semua status", ALL)], value=ALL, description="Status",
                                     style={"description_width": "initial"}, layout=W.Layout(width="240px")),
                          "zi-ov-filter")
        self.filter.observe(lambda _: self.apply_filter(), "value")
        self.reload = cls(W.Button(description="Muat ulang", icon="refresh", layout=W.Layout(width="auto")),
                          "zi-ov-reload")
        self.reload.on_click(lambda _: self.refresh())
        self.count = cls(W.HTML(), "zi-ov-count-box")
        self.download = cls(W.HTML(), "zi-ov-download")
        self.msg = cls(W.HTML(), "zi-ov-msg")
        self.table = cls(W.VBox(), "zi-ov-table")
        bar = cls(W.HBox([self.filter, self.reload, self.download, self.count]), "zi-ov-bar")
        self.widget = cls(W.VBox([W.HTML(CSS), self.title, self.quota, bar, self.msg, self.table]), "zi-overview")
        self.refresh()

    def refresh(self) -> None:
        """Read the overview (and its workbook) from the service again and show it."""
        self.title.value = '<div class="zi-sec">Semua unit</div>'
        try:
            answer = self.hub.client.overview_report()
            units = answer.get("units") if isinstance(answer, dict) else None
            if not isinstance(units, list):
                raise ZiError("jawaban layanan ledger tidak memuat daftar unit.")
        except ZiError as exc:
            self.units, self.rows = [], {}
            self.msg.value = view.message(f"Daftar semua unit tidak dapat dibaca: {exc}", "err")
            self.table.children, self.quota.value, self.download.value, self.count.value = [], "", "", ""
            return
        self.units = [u for u in units if isinstance(u, dict)]
        periode = str(answer.get("periode") or "")
        self.title.value = (f'<div class="zi-sec">Semua unit · periode {html.escape(periode or "-")} · '
                            f"{len(self.units)} unit</div>")
        self.msg.value = ""
        self.quota.value = (f'<div class="zi-ov-quota">{html.escape(quota_line(self.units, answer.get("kuota")))}'
                            '</div><div class="zi-muted">Dihitung: unit berstatus '
                            f'{", ".join(PROPOSED)} (slot yang terpakai tidak kembali).</div>'
                            if "koordinator" in self.hub.roles else "")
        try:
            self.download.value = xlsx_link(self.hub.client.overview_xlsx(), periode)
        except ZiError as exc:
            self.download.value = view.message(f"Berkas xlsx tidak dapat diunduh: {exc}", "err")
        self.rows = {}
        for row in self.units:
            unit = str(row.get("unit_id", ""))
            if unit in self.known:
                act = cls(W.Button(description="Buka", icon="arrow-right"), "zi-ov-open",
                          f"zi-ov-open-{css_name(unit)}")
                act.on_click(lambda _, u=unit: self.open_unit(u))
            else:
                act = W.HTML('<div class="zi-muted">tidak ada dalam masukan</div>')
            self.rows[unit] = cls(W.HBox([cls(W.HTML(row_html(row, self.names.get(unit, ""))), "zi-ov-cells"),
                                          cls(W.Box([act]), "zi-ov-act")]), "zi-ov-row", f"zi-ov-unit-{css_name(unit)}")
        head = cls(W.HBox([cls(W.HTML(head_html()), "zi-ov-cells"), cls(W.Box([]), "zi-ov-act")]), "zi-ov-headrow")
        self.table.children = [head, *self.rows.values()] if self.rows else [
            W.HTML('<div class="zi-muted">Belum ada unit dalam berkas tim periode ini.</div>')]
        counts = Counter(str(u.get("status") or "") for u in self.units)
        order = [s for s in STATUSES if counts[s]] + sorted(s for s in counts if s not in STATUSES)
        options = [(f"Semua status ({len(self.units)})", ALL), *((f"{s} ({counts[s]})", s) for s in order)]
        keep = self.filter.value if self.filter.value in counts else ALL
        self.filter.options = options
        self.filter.value = keep
        self.apply_filter()

    def apply_filter(self) -> None:
        """Show the units of the status chosen (all when none)."""
        chosen = self.filter.value
        shown = 0
        for row in self.units:
            box = self.rows.get(str(row.get("unit_id", "")))
            visible = chosen == ALL or row.get("status") == chosen
            if box is not None:
                box.layout.display = "" if visible else "none"
                shown += visible
        self.count.value = f'<span class="zi-ov-count">{shown} dari {len(self.rows)} unit ditampilkan</span>'


def overview_section(hub: Any, open_unit: Callable[[str], None], data: Any) -> list[W.VBox]:
    """The picker's "Semua unit" (a list of one widget) for a hub user of :data:`OVERVIEW_ROLES`; nobody else's."""
    if hub is None or not wanted(hub.roles):
        return []
    names = {str(k): str(v or "") for k, v in zip(data.units["unit_id"], data.units["unit_name"])}
    return [OverviewPanel(hub, open_unit, set(data.unit_ids), names).widget]
