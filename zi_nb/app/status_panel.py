"""The unit's status on the team server, and the hand-offs the user's role may make now.

Shown on the unit page in hub mode only (:mod:`zi_nb.app.workbench`): the unit's status in the period and one
button per transition of :data:`zi_nb.team.permissions.TABLE` that one of the user's roles may make from it (the
PIC: "Ajukan" / "Ajukan ulang"; TPI: "Tandai direviu", "Kembalikan" with a note per item; ketua TPI: "Finalisasi"
with the LHE's sha256, "Kembalikan", "Buka kembali"; koordinator: "Usulkan"; TPN: "Tetapkan" / "Tidak ditetapkan",
"Cabut predikat"; admin: "Buka kembali tahap" after a stage's deadline, :mod:`zi_nb.app.reopen_panel`). A click
calls the ledger service (:meth:`zi_nb.team.client.ServiceClient.status`), which checks the team's rules
(assignment, deadline, quota) and answers; its answer or refusal is shown as it is.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from zi_nb.app import view
from zi_nb.app.reopen_panel import ReopenRow, offered
from zi_nb.app.widgets import cls, css_name, sec
from zi_nb.errors import ZiError
from zi_nb.team import permissions as P
from zi_nb.team.service_api import TIER_ACTION
from zi_nb.team.status import SHA256

# (action, target status) -> the button's text
LABELS: dict[tuple[str, str], str] = {
    (P.AJUKAN, P.DIAJUKAN): "Ajukan", (P.AJUKAN_ULANG, P.DIAJUKAN_ULANG): "Ajukan ulang",
    (P.REVIU, P.DIREVIU): "Tandai direviu", (P.KEMBALIKAN, P.DIKEMBALIKAN): "Kembalikan",
    (P.FINALISASI, P.FINAL_TPI): "Finalisasi", (P.BUKA_FINAL, P.DIKEMBALIKAN): "Buka kembali",
    (P.USULKAN, P.DIUSULKAN): "Usulkan", (P.TETAPKAN, P.DITETAPKAN): "Tetapkan",
    (P.TETAPKAN, P.TIDAK_DITETAPKAN): "Tidak ditetapkan", (P.CABUT, P.DICABUT): "Cabut predikat",
}


def moves(roles: tuple[str, ...] | list[str], status: str) -> list[tuple[str, str]]:
    """(action, target status) the roles may make from ``status`` (the service checks assignment and deadlines)."""
    out = [(r.action, t) for r in P.TABLE if r.targets and status in r.sources and any(k in roles for k in r.roles)
           for t in r.targets]
    return list(dict.fromkeys(out))


def edits(roles: tuple[str, ...] | list[str], tier: str, status: str) -> bool:
    """Whether the roles may change the answers of ``tier`` while the unit is in ``status`` (the table's edit rows;
    the service also checks the unit's assignment and the stage's deadline)."""
    action = TIER_ACTION.get(tier)
    return action is not None and any(not r.targets and any(k in roles for k in r.roles)
                                      for r in P.rules_for(action, status))


def item_notes(text: str) -> dict[str, str]:
    """``KODE: catatan`` per line -> {KODE: catatan} (lines without a colon are refused)."""
    notes: dict[str, str] = {}
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        code, sep, note = line.partition(":")
        if not sep or not code.strip() or not note.strip():
            raise ZiError(f"Baris {n} catatan per butir tidak sah: tulis 'KODE: catatan', mis. 'PPA1A: SK belum "
                          "ditandatangani'.")
        notes[code.strip().upper()] = note.strip()
    return notes


def labeled(widget: Any, text: str) -> W.VBox:
    """``widget`` under a small label (shown and hidden together: set the box's ``layout.display``)."""
    return cls(W.VBox([cls(W.HTML(f'<div class="zi-muted">{html.escape(text)}</div>'), "zi-ts-label"), widget]),
               "zi-ts-field")


class StatusPanel:
    """The status of ``session``'s unit and the buttons of the user's ``roles`` (``client``: the ledger service)."""

    def __init__(self, session: Any, client: Any, roles: tuple[str, ...] | list[str],
                 on_change: Callable[[], None] | None = None, writes: bool = True) -> None:
        self.s, self.client, self.roles, self.on_change = session, client, tuple(roles), on_change
        self.writes = writes  # False: ketua TPI, koordinator, admin view the answers and act on the status only
        self.status = ""
        self.editable = False  # the user may change the answers now (role and status; see :func:`edits`)
        self.head = cls(W.HTML(), "zi-ts-head")
        self.note = cls(W.Textarea(placeholder="Catatan untuk perubahan status", layout=W.Layout(width="100%")),
                        "zi-ts-note")
        self.butir = cls(W.Textarea(placeholder="Catatan per butir (untuk Kembalikan), satu per baris: KODE: catatan",
                                    layout=W.Layout(width="100%")), "zi-ts-butir")
        self.sha = cls(W.Text(placeholder="sha256 LHE yang ditandatangani (untuk Finalisasi)",
                              layout=W.Layout(width="100%")), "zi-ts-sha")
        # each field under a label: a placeholder alone is gone once the field is filled in
        self.note_box, self.butir_box, self.sha_box = (
            labeled(self.note, "Catatan perubahan status"),
            labeled(self.butir, "Catatan per butir (wajib untuk Kembalikan), satu per baris: KODE: catatan"),
            labeled(self.sha, "sha256 LHE yang ditandatangani (wajib untuk Finalisasi)"))
        self.buttons: dict[str, W.Button] = {}
        self.buttons_box = cls(W.HBox(), "zi-ts-btns")
        self.msg = cls(W.HTML(), "zi-ts-msg")
        # an admin: "Buka kembali tahap" for this unit after a stage's deadline (zi_nb.app.reopen_panel)
        self.reopen = ReopenRow(client, session.unit_id, self.say) if offered(self.roles) else None
        self.widget = cls(W.VBox([sec("Status unit"), self.head, self.buttons_box, self.note_box, self.butir_box,
                                  self.sha_box, *([self.reopen.widget] if self.reopen else []), self.msg]),
                          "zi-status")
        self.refresh()

    def refresh(self) -> None:
        """Read the unit's status from the service and show the buttons the roles may use now."""
        try:
            self.status = str(self.client.records(self.s.unit_id).get("status") or "")
            if hasattr(self.s.writer, "status"):
                self.s.writer.status = self.status  # what the header says about the review
        except ZiError as exc:
            self.head.value = view.message(f"Status unit tidak dapat dibaca: {exc}", "err")
            self.buttons_box.children = []
            return
        found = moves(self.roles, self.status)
        self.buttons = {}
        for action, target in found:
            b = cls(W.Button(description=LABELS.get((action, target), target), layout=W.Layout(width="auto")),
                    "zi-ts-btn", f"zi-ts-{css_name(target)}")
            b.on_click(lambda _, t=target: self.move(t))
            self.buttons[target] = b
        self.buttons_box.children = list(self.buttons.values())
        targets = {t for _, t in found}
        self.note_box.layout.display = "" if found else "none"  # nothing to move: no note to write
        self.butir_box.layout.display = "" if P.DIKEMBALIKAN in targets else "none"
        self.sha_box.layout.display = "" if P.FINAL_TPI in targets else "none"
        if P.FINAL_TPI in targets and not self.sha.value and self.s.lhe_sha256:
            self.sha.value = self.s.lhe_sha256  # the LHE just made here
        what = "" if found else " · tidak ada tindakan status untuk peran Anda saat ini"
        self.editable = self.writes and edits(self.roles, self.s.tier, self.status)
        if not self.writes:
            what += " · Anda hanya melihat jawaban unit ini (tanpa mengubah); tindakan Anda: status unit"
        elif not self.editable:
            what += f" · jawaban tingkat {self.s.tier.upper()} tidak dapat diubah pada status ini (hanya dilihat)"
        self.head.value = (f'<div class="zi-ts">Status: <b class="zi-ts-now">{html.escape(self.status or "-")}</b>'
                           f"{html.escape(what)}</div>")

    def say(self, text: str, kind: str = "info") -> None:
        """Show ``text`` in the panel's message (``kind``: ok, err, info)."""
        self.msg.value = view.message(text, kind)

    def move(self, target: str) -> bool:
        """Ask the service to move the unit to ``target``; show its answer, or its refusal."""
        note = self.note.value.strip()
        try:
            kwargs: dict[str, Any] = {}
            if target == P.DIKEMBALIKAN:
                kwargs["butir"] = item_notes(self.butir.value)
                if not kwargs["butir"] and not note:
                    raise ZiError("Tulis catatan per butir (KODE: catatan) atau catatan umum sebelum mengembalikan "
                                  "unit.")
            if target == P.FINAL_TPI:
                sha = (self.sha.value or self.s.lhe_sha256).strip().lower()
                if not SHA256.fullmatch(sha):
                    raise ZiError("Finalisasi memerlukan sha256 LHE yang ditandatangani (64 karakter heksadesimal): "
                                  "buat LHE di 'Catatan & LHE' atau isi sha256-nya.")
                kwargs["lhe_sha256"] = sha
            if target == P.DICABUT:
                if not note:
                    raise ZiError("Tulis alasan pencabutan predikat pada catatan.")
                kwargs["alasan"] = note
            rec = self.client.status(self.s.unit_id, target, note, **kwargs)
        except ZiError as exc:
            self.msg.value = view.message(str(exc), "err")
            return False
        self.note.value = self.butir.value = ""
        self.refresh()
        self.msg.value = view.message(f"Status unit {self.s.unit_id} sekarang '{rec.get('answer', target)}' "
                                      f"(rekaman #{rec.get('seq', '-')}).", "ok")
        if self.on_change is not None:
            self.on_change()
        return True
