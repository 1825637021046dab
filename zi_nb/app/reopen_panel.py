"""The admin's "Buka kembali tahap" row of the status panel (:mod:`zi_nb.app.status_panel`), on the team server only.

After a stage's deadline (``batas`` in the team file) the ledger service refuses the writes of that stage, saying
the date; an admin may reopen the stage for one unit until a date, with a note (the reason). The row: the stage
(:data:`zi_nb.team.teamfile.STAGE_NAMES`), the last day it stays open (a date picker), the note and a button; a click
calls the service (:meth:`zi_nb.team.client.ServiceClient.reopen`, which checks the rules:
:func:`zi_nb.team.status.reopen`), and its answer or refusal is shown in the panel's message. Only a user with the
role ``admin`` gets the row (:func:`offered`); the service refuses, and records, anyone else.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from zi_nb.app.widgets import cls
from zi_nb.common.fmt import date_text
from zi_nb.errors import ZiError
from zi_nb.team.teamfile import STAGE_NAMES

REOPEN_ROLES: tuple[str, ...] = ("admin",)


def offered(roles: tuple[str, ...] | list[str]) -> bool:
    """Whether the roles get the "Buka kembali tahap" row (an admin)."""
    return any(r in REOPEN_ROLES for r in roles)


class ReopenRow:
    """Reopen a stage of ``unit_id`` through ``client`` (the ledger service); ``show(html)`` puts the answer in the
    panel's message, ``on_done`` runs after a stage was reopened."""

    def __init__(self, client: Any, unit_id: str, show: Callable[[str, str], None],
                 on_done: Callable[[], None] | None = None) -> None:
        self.client, self.unit_id, self.show, self.on_done = client, unit_id, show, on_done
        # one field per line: the row sits in the narrow status panel of the unit page
        self.stage = cls(W.Dropdown(options=list(STAGE_NAMES), value=STAGE_NAMES[0], description="Tahap",
                                    layout=W.Layout(width="100%")), "zi-reopen-stage")
        self.until = cls(W.DatePicker(description="Sampai", value=None, layout=W.Layout(width="100%")),
                         "zi-reopen-until")
        self.note = cls(W.Text(placeholder="Catatan: alasan membuka kembali (wajib)", layout=W.Layout(width="100%")),
                        "zi-reopen-note")
        self.button = cls(W.Button(description="Buka kembali tahap", icon="unlock", layout=W.Layout(width="auto")),
                          "zi-reopen-btn")
        for field in (self.stage, self.until):
            field.style.description_width = "56px"
        self.button.on_click(lambda _: self.reopen())
        head = W.HTML('<div class="zi-muted">' + html.escape(
            f"Buka kembali tahap (admin): setelah batas waktunya, untuk unit {unit_id} sampai tanggal tertentu, "
            "dengan catatan.") + "</div>")
        self.widget = cls(W.VBox([head, self.stage, self.until, self.note, self.button]), "zi-reopen")

    def reopen(self) -> bool:
        """Ask the service to reopen the chosen stage; show its answer, or its refusal."""
        until: dt.date | None = self.until.value
        stage = str(self.stage.value or "")
        try:
            if until is None:
                raise ZiError("Pilih tanggal terakhir tahap terbuka (Sampai) sebelum membuka kembali tahap.")
            rec = self.client.reopen(self.unit_id, stage, until, self.note.value.strip())
        except ZiError as exc:
            self.show(str(exc), "err")
            return False
        self.note.value = ""
        sampai = (rec.get("data") or {}).get("sampai") or until.isoformat()
        self.show(f"Tahap {rec.get('answer') or stage} dibuka kembali untuk unit {self.unit_id} sampai "
                  f"{date_text(sampai)} (rekaman #{rec.get('seq', '-')}, oleh {rec.get('evaluator', '-')}).", "ok")
        if self.on_done is not None:
            self.on_done()
        return True
