"""Keandalan of the team server through the app: every write the team's permission table forbids, tried through the
evaluator app's own controls (their handlers, as a click runs them) for every user of the team file, every unit status
and every write the app offers (answer, "Setujui", undo, catatan, bukti dukung verdict, "Semua ada", attaching a file,
and every status move). Each must show the refusal in the app (an error message where the user acted) and be recorded by
the ledger service as a ``penolakan`` of that user; no record may carry another name.

The app offers the edit controls only when the rules allow editing (never to ketua TPI, koordinator, admin; to a PIC in
draf or dikembalikan, ...); the handlers are called all the same, as code run in the user's own kernel could: the
refusal comes from the ledger service, never from a hidden button. Figures: ``forbidden_ui_writes_tried``,
``forbidden_ui_writes_refused``."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

import pytest

from tests.app import test_hub_app as team_app
from tests.app.test_hub_app import ITEM, UNIT, bench_of, change
from tests.robustness.figures import report_figures
from tests.robustness.test_team_keandalan import SHA, owner_of
from tests.team.test_service_api import PDF
from zi_nb.app.hub_mode import role_tier
from zi_nb.app.status_panel import moves
from zi_nb.app.unit_review import Workbench
from zi_nb.app.view import READ_ONLY
from zi_nb.common.domain import STATUS
from zi_nb.review.ledger import Ledger, new_fields
from zi_nb.team.permissions import DRAF, STATUSES
from zi_nb.team.permissions import allowed as rule_allows
from zi_nb.team.service import load_team
from zi_nb.team.service_api import TIER_ACTION
from zi_nb.team.status import status_code

data = team_app.data  # the sample, read once
USERS = ("sari", "budi", "siti", "kora", "tono")  # unit PIC, TPI, ketua TPI, koordinator, TPN


def set_status(ledger: Ledger, status: str) -> None:
    ledger.write_record(UNIT, lambda records: new_fields(
        kind=STATUS, unit_id=UNIT, code=status_code("2026"), tier="final", previous=None, answer=status,
        evaluator="penguji", note=f"uji: status {status}", rubric_id="zi-2021"))


def save_answer(bench: Workbench) -> str:
    change(bench, ITEM)
    bench.note.value = "uji"
    bench._on_save()
    return bench.msg.value


def accept_item(bench: Workbench) -> str:
    bench.goto(ITEM)
    bench.accept("item")
    return bench.msg.value


def undo(bench: Workbench) -> str:
    bench.note.value = "uji"
    bench._on_undo()
    return bench.msg.value


def catatan(bench: Workbench) -> str:
    bench.catatan.texts["UNIT"][0].value = "uji"
    bench.catatan.save("UNIT")
    return bench.catatan.msgs["UNIT"].value


def verdict(bench: Workbench) -> str:
    bench.goto(ITEM)
    row = bench.evidence.rows[0][2]
    (row["tidak ada"] if "zi-ev-on" in row["ada"]._dom_classes else row["ada"]).click()
    return bench.evidence.msg.value


def all_present(bench: Workbench) -> str:
    bench.goto(ITEM)
    bench.evidence.all.click()
    return bench.evidence.msg.value


def attach(bench: Workbench) -> str:
    bench.goto(ITEM)
    bench.evidence.attach_file("SK Tim.pdf", PDF)
    return bench.evidence.msg.value


def move_to(target: str) -> Callable[[Workbench], str]:
    """The status panel's move to ``target`` (offered or not), with what each move asks for filled in."""
    def move(bench: Workbench) -> str:
        assert bench.status is not None
        bench.status.note.value, bench.status.butir.value, bench.status.sha.value = "uji", "PPA1A: uji", SHA
        bench.status.move(target)
        return bench.status.msg.value

    return move


EDITS: dict[str, Callable[[Workbench], str]] = {
    "jawaban": save_answer, "setujui": accept_item, "urungkan": undo, "catatan": catatan,
    "bukti": verdict, "semua ada": all_present, "lampiran": attach}


@pytest.fixture
def app(tmp_path, monkeypatch, data):
    import zi_nb.app.workbench as wb
    from tests.team.test_service_api import serving
    from zi_nb.app.session import resolve_parameters
    from zi_nb.app.workbench import Root

    monkeypatch.setattr(wb, "load_data", lambda *a, **k: data)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    local = tmp_path / "lokal" / "ledger.sqlite"

    def open_as(user: str, url: str) -> Workbench:
        monkeypatch.setenv("ZI_NB_SERVICE_URL", url)
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", f"tok-{user}")
        return bench_of(Root(resolve_parameters({"unit_id": UNIT, "ledger_path": str(local)})))

    yield open_as, serving
    assert not local.exists()  # nothing ever written beside the app


def test_forbidden_writes_through_the_app_are_refused_and_recorded(app, tmp_path):
    open_as, serving = app
    now = dt.datetime.now(dt.UTC)
    tried = refused = wrong = 0
    failures: list[str] = []
    for n, status in enumerate(STATUSES):
        folder = tmp_path / f"s{n}"
        folder.mkdir()
        with serving(folder, team_app.TEAM) as (url, ledger):
            team = load_team(folder / "tim.yaml")
            set_status(ledger, status)
            for user in USERS:
                bench = open_as(user, url)
                roles = tuple(k for k in team.user(user).kinds)
                tier, _ = role_tier(roles)
                edit_forbidden = not rule_allows(team, user, TIER_ACTION[tier], UNIT, status, now)
                # the edit controls are offered only when the rules allow editing (hidden by the class's style) ...
                assert (READ_ONLY in bench.widget._dom_classes) == edit_forbidden, (user, status)
                attempts = [(what, f, edit_forbidden) for what, f in EDITS.items()]
                offered = {t for _, t in moves(roles, status)}
                attempts += [(f"status {t}", move_to(t), True) for t in STATUSES if t != DRAF and t not in offered]
                for what, attempt, forbidden in attempts:
                    seen = len(ledger.records())
                    shown = html.unescape(attempt(bench))
                    new = ledger.records()[seen:]
                    wrong += sum(owner_of(r) != user for r in new)
                    if not forbidden:
                        continue
                    tried += 1
                    if ('class="zi-msg err"' in shown and len(new) == 1 and new[0].kind == "penolakan"
                            and owner_of(new[0]) == user and new[0].previous == status):
                        refused += 1
                    else:
                        failures.append(f"{user} ({tier}) {what} saat {status}: {[r.kind for r in new]} {shown}")
            assert ledger.verify() == []
    assert tried > 300 and failures == [], "\n".join(failures[:20])
    assert wrong == 0
    check = report_figures(forbidden_ui_writes_tried=tried, forbidden_ui_writes_refused=refused)
    check()
