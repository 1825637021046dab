"""The evaluator app on the team server (``$ZI_NB_SERVICE_URL`` set, :mod:`zi_nb.team.hub`): who the user is, at
which tier they work, and their "Tugas saya".

The name and the roles come from the ledger service (:meth:`zi_nb.team.client.ServiceClient.whoami`), never from the
page: the evaluator written is the service's ``hub:<username> (...)``, the tier follows the role (:func:`role_tier`):
``unit`` (the PIC fills the self-assessment: answers and evidence) -> ``unit``, ``tpi`` -> ``tpi``, ``tpn`` ->
``tpn``; ketua TPI, koordinator and admin view the TPI tier and act on the status only
(:data:`zi_nb.team.permissions.ROLE_TIER`, :data:`zi_nb.team.permissions.VIEW_TIER`).

The triage risk is an evaluators' aid: a user whose only role is ``unit`` (the PIC) sees no risk anywhere
(:func:`sees_risk`: no risk chips, no order by risk, no "Risiko" view, no risk in "Tugas saya"); the service refuses
it to them too (``api/risiko``, :data:`zi_nb.team.service_api.RISK_ROLES`).
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as W

from zi_nb.app import view
from zi_nb.app.widgets import cls, css_name
from zi_nb.app.writer import HUB_NOT_YET, HubWriter
from zi_nb.common.fmt import num
from zi_nb.errors import LedgerError
from zi_nb.team.client import SERVICE_URL_ENV, ServiceClient
from zi_nb.team.permissions import tier_of
from zi_nb.team.service_api import RISK_ROLES

RISK_DECIMALS = 1  # as zi-nb triage shows the risk


def sees_risk(roles: tuple[str, ...] | list[str]) -> bool:
    """Whether a user of these roles may see the triage risk (a reviewer's role; not a unit's PIC only)."""
    return any(r in RISK_ROLES for r in roles)


def role_tier(roles: tuple[str, ...] | list[str]) -> tuple[str, bool]:
    """(tier, writes answers) of a user's roles (:func:`zi_nb.team.permissions.tier_of`)."""
    return tier_of(roles)


@dataclass
class Hub:
    """The user of this hub server as the ledger service knows them."""

    client: ServiceClient
    username: str
    evaluator: str
    roles: tuple[str, ...]
    tier: str
    writes: bool

    def writer(self, rubric_id: str) -> HubWriter:
        return HubWriter(self.client, rubric_id)

    @property
    def sees_risk(self) -> bool:
        return sees_risk(self.roles)


def connect(environ: Mapping[str, str] | None = None) -> Hub | None:
    """The hub user of this server (None standalone); :class:`LedgerError` with the reason when the service cannot
    say (no token, the service unreachable or refusing)."""
    env = os.environ if environ is None else environ
    if not env.get(SERVICE_URL_ENV):
        return None
    client = ServiceClient.from_env(env)
    if client is None:
        raise LedgerError(HUB_NOT_YET)
    who = client.whoami()
    roles = tuple(str(r) for r in who.get("peran") or [])
    tier, writes = role_tier(roles)
    return Hub(client, str(who.get("username", "")), str(who.get("evaluator") or who.get("username", "")), roles,
               tier, writes)


def task_facts(task: Mapping[str, Any], risk: bool = True) -> str:
    """" · TPI 12/113 butir terjawab · Risiko 47,5 (urutan 2 dari 12)": a task's progress and triage risk (as the
    service gives them; nothing when it has none; no risk when ``risk`` is False)."""
    parts = []
    progress = task.get("progress")
    if isinstance(progress, Mapping) and progress.get("scorable"):
        parts.append(f"{progress.get('text') or progress.get('tier', '')} butir terjawab")
    figure = task.get("risk") if risk else None
    if isinstance(figure, Mapping) and figure.get("score") is not None:
        rank = f" (urutan {figure['rank']} dari {figure['of']})" if figure.get("rank") and figure.get("of") else ""
        parts.append(f"Risiko {num(float(figure['score']), RISK_DECIMALS)}{rank}")
    return "".join(f" · {html.escape(p)}" for p in parts)


def tasks_box(hub: Hub, open_unit: Callable[[str], None], known: set[str]) -> W.VBox:
    """"Tugas saya": the units waiting for this user (unit, status, deadline, progress, triage risk, what to do), in
    the service's order (deadline, then the riskiest first), each with "Buka"; no risk for a unit's PIC."""
    try:
        tasks = hub.client.tasks()
    except LedgerError as exc:
        return cls(W.VBox([W.HTML(view.message(f"Tugas saya tidak dapat dibaca: {exc}", "err"))]), "zi-tasks")
    rows: list[Any] = [W.HTML('<div class="zi-sec">Tugas saya</div>')]
    if not tasks:
        rows.append(W.HTML('<div class="zi-muted">Tidak ada unit yang menunggu tindakan Anda saat ini.</div>'))
    for task in tasks:
        unit = str(task.get("unit_id", ""))
        late = " · <b>lewat batas waktu</b>" if task.get("overdue") else ""
        deadline = f" · batas {html.escape(str(task['deadline']))}" if task.get("deadline") else ""
        status, todo = html.escape(str(task.get("status") or "-")), html.escape(str(task.get("todo") or ""))
        facts = task_facts(task, hub.sees_risk)
        text = (f'<b>{html.escape(unit)}</b> · status <span class="zi-task-status">{status}</span>{deadline}{late}'
                f'<span class="zi-task-facts">{facts}</span><div class="zi-muted">{todo}</div>')
        parts: list[Any] = [cls(W.HTML(text), "zi-pname")]
        if unit in known:
            b = cls(W.Button(description="Buka", icon="arrow-right"), "zi-open", f"zi-task-{css_name(unit)}")
            b.on_click(lambda _, u=unit: open_unit(u))
            parts.append(b)
        rows.append(cls(W.HBox(parts), "zi-prow", "zi-task"))
    return cls(W.VBox(rows), "zi-tasks")
