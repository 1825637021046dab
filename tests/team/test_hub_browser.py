"""One evaluation cycle on the team server, in a browser (issue 18): five people with five roles log in to the real
JupyterHub (configurable-http-proxy, the ledger service, one voila server each) in headless Chromium and hand one unit
on through the app's own pages: the PIC answers and submits, the TPI answers, reviews and returns it with a note per
item, the PIC resubmits, the TPI reviews again, the ketua TPI makes the LHE from the team ledger and finalises, the
coordinator sees every unit and proposes, TPN decides. The ledger then holds
the statuses in that order, every record naming the user logged in, and the PIC's refused write (from a tab opened
before she submitted from another) as a ``penolakan`` record. Screenshots (1366x768): ``/tmp/zi/hub-tugas-saya.png``
(the TPI's "Tugas saya") and ``/tmp/zi/hub-tpi-status.png`` (the TPI's unit page with the status panel)."""

from __future__ import annotations

import hashlib
import os
import re

import pytest

from tests.helpers import ensure_npm_package
from tests.team.hubtools import SHOTS, free_port, safe_cmd, wait_hub
from tests.team.teams import team_yaml
from zi_nb.review.ledger import Ledger
from zi_nb.team.hub import start_hub, stop_hub

UNIT = "kanim-sukawangi"
LAPTOP = {"width": 1366, "height": 768}
TIMEOUT = 150_000  # ms: a first page starts the user's server, a kernel, and runs the notebook
USERS = ("rina", "budi", "siti", "agus", "tono")
TEAM = team_yaml(USERS, unit=UNIT, kuota=1)
PASSWORDS = {user: f"sandi-{user}-01" for user in USERS}


class Cycle:
    """The hub's address and the browser: :meth:`page` logs a user in and opens the app."""

    def __init__(self, base: str, browser) -> None:
        self.base, self.browser, self.contexts = base, browser, []

    def page(self, user: str, unit: str = UNIT):
        context = self.browser.new_context(viewport=LAPTOP)
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{self.base}/hub/login", timeout=TIMEOUT)
        page.locator("input[name=username]").fill(user)
        page.locator("input[name=password]").fill(PASSWORDS[user])  # first login: sets it; later: checks it
        page.locator("input[type=submit], button[type=submit]").first.click()
        page.wait_for_url(re.compile(rf"/user/{user}/"), timeout=TIMEOUT)  # the hub spawned the server
        query = f"?unit={unit}" if unit else ""
        page.goto(f"{self.base}/user/{user}/voila/render/evaluator.ipynb{query}", timeout=TIMEOUT)
        page.locator(".zi-app" if unit else ".zi-picker").wait_for(timeout=TIMEOUT)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts = []


def item(page, area: str, code: str) -> None:
    page.locator(f".zi-area-{area}").click()
    page.locator(f".zi-item-{code}").click()
    page.locator(".zi-code", has_text=code).wait_for()


def answer(page, code: str, note: str, area: str = "A") -> None:
    """Choose another option of ``code`` than the one shown, write the note, save."""
    item(page, area, code)
    page.locator(".zi-answer .widget-toggle-button:not(.mod-active)").first.click()
    page.locator(".zi-drafts").wait_for()
    page.locator(".zi-note textarea").fill(note)
    page.locator(".zi-save").click()


def saved(page) -> str:
    return page.locator(".zi-message .zi-msg").inner_text()


def move(page, target: str, expect: str) -> str:
    """Click the status button to ``target``; the service's answer (the panel's message)."""
    page.locator(f".zi-ts-btn.zi-ts-{re.sub(r'[^A-Za-z0-9_-]', '-', target)}").click()
    msg = page.locator(".zi-ts-msg .zi-msg", has_text=expect)
    msg.wait_for()
    return msg.inner_text()


def now_status(page) -> str:
    return page.locator(".zi-ts-now").inner_text().strip()


@pytest.mark.slow
def test_one_evaluation_cycle_in_the_browser(tmp_path, browser):
    import psutil

    team = tmp_path / "tim.yaml"
    team.write_text(TEAM, encoding="utf-8")
    SHOTS.mkdir(parents=True, exist_ok=True)
    proxy = ensure_npm_package("configurable-http-proxy", "configurable-http-proxy")
    port, hub_port, api_port, service_port = (free_port() for _ in range(4))
    base = f"http://127.0.0.1:{port}"
    log, ledger_path = tmp_path / "hub.log", tmp_path / "ledger.sqlite"
    process = start_hub(team, ledger_path, tmp_path / "hub", port, log=log, ip="127.0.0.1", hub_port=hub_port,
                        proxy_api_port=api_port, service_port=service_port, proxy=proxy)
    cycle = Cycle(base, browser)
    family: list = []

    def gather() -> None:  # the hub's descendants so far (servers, kernels), to check they are all gone at the end
        if process.poll() is None:
            family.extend(psutil.Process(process.pid).children(recursive=True))

    try:
        wait_hub(base, process, log)
        # -- the PIC answers one item of the self-assessment and submits ---------------------------------------------
        rina = cycle.page("rina")
        gather()
        assert now_status(rina) == "draf" and rina.locator(".zi-ts-btn").all_inner_texts() == ["Ajukan"]
        answer(rina, "PPA1A", "SK tim sudah ada")
        rina.locator(".zi-message .ok", has_text="Tersimpan di ledger").wait_for()
        assert "hub:rina (Rina Lestari)" in saved(rina)
        # she submits from a second tab; there the answers are no longer offered for editing
        again = cycle.page("rina")
        assert "sekarang 'diajukan'" in move(again, "diajukan", "sekarang")
        assert now_status(again) == "diajukan" and again.locator(".zi-ts-btn").count() == 0  # no "Usulkan" for her
        assert not again.locator(".zi-ts-note").is_visible()  # nothing to move: no note field either
        assert not again.locator(".zi-save").is_visible()
        assert "tidak dapat diubah" in again.locator(".zi-ts").inner_text()
        # the forbidden write: an answer from the first tab, still showing the draft's controls, is refused by the
        # service, its message in the page
        answer(rina, "PPA1B", "ralat setelah diajukan")
        rina.locator(".zi-message .err", has_text="berstatus 'diajukan'").wait_for()
        cycle.close()

        # -- the TPI: "Tugas saya", a TPI answer, reviewed, returned with a note per item -----------------------------
        budi = cycle.page("budi", unit="")
        gather()
        task = budi.locator(".zi-task", has_text=UNIT)
        task.wait_for()
        assert "diajukan" in task.inner_text()
        budi.screenshot(path=str(SHOTS / "hub-tugas-saya.png"))
        budi.locator(f".zi-task-{UNIT}").click()  # "Buka"
        budi.locator(".zi-app").wait_for(timeout=TIMEOUT)
        answer(budi, "PPA1B", "dokumen belum lengkap")
        budi.locator(".zi-message .ok", has_text="Tersimpan di ledger").wait_for()
        assert "hub:budi (Budi Santoso, NIP 198001012005011001)" in saved(budi)
        move(budi, "direviu", "sekarang 'direviu'")
        assert budi.locator(".zi-ts-btn").all_inner_texts() == ["Kembalikan"]
        assert budi.locator(".zi-ts-label", has_text="Catatan per butir").is_visible()  # labelled, not a placeholder
        assert not budi.locator(".zi-ts-sha").is_visible()  # finalising is the ketua's
        budi.locator(".zi-ts-butir textarea").fill("PPA1A: SK belum ditandatangani")
        budi.locator(".zi-ts-note textarea").fill("Perbaiki SK")
        budi.screenshot(path=str(SHOTS / "hub-tpi-status.png"))
        move(budi, "dikembalikan", "sekarang 'dikembalikan'")
        cycle.close()

        # -- the PIC resubmits; the TPI reviews again -----------------------------------------------------------------
        rina = cycle.page("rina")
        assert now_status(rina) == "dikembalikan"
        move(rina, "diajukan ulang", "sekarang 'diajukan ulang'")
        cycle.close()
        budi = cycle.page("budi")
        move(budi, "direviu", "sekarang 'direviu'")
        cycle.close()

        # -- the ketua TPI finalises (with the signed LHE's sha256), the coordinator proposes -------------------------
        siti = cycle.page("siti")
        gather()
        assert set(siti.locator(".zi-ts-btn").all_inner_texts()) == {"Finalisasi", "Kembalikan"}
        assert not siti.locator(".zi-save").is_visible()  # she views the answers; her action is the status
        # she makes the LHE from the team's ledger (through the service) and signs what she made
        siti.locator(".zi-mode").click()
        siti.locator(".zi-make-lhe").click()
        made = siti.locator(".zi-lhe .zi-msg.ok", has_text="dibuat dari ledger")
        made.wait_for(timeout=TIMEOUT)
        assert siti.locator(".zi-lhe .zi-dl-pdf").count() == 1
        siti.screenshot(path=str(SHOTS / "hub-ketua-lhe.png"))
        lhe = next((tmp_path / "hub" / "users" / "siti" / "lhe" / UNIT).glob(f"{UNIT}.pdf"))
        sha = hashlib.sha256(lhe.read_bytes()).hexdigest()
        move(siti, "final TPI", "sekarang 'final TPI'")
        cycle.close()
        agus = cycle.page("agus", unit="")
        gather()
        agus.locator(".zi-overview").wait_for()  # "Semua unit": the coordinator's view of every unit
        agus.screenshot(path=str(SHOTS / "hub-koordinator.png"))
        cycle.close()
        agus = cycle.page("agus")
        assert agus.locator(".zi-ts-btn").all_inner_texts() == ["Usulkan"]
        move(agus, "diusulkan", "sekarang 'diusulkan'")
        assert now_status(agus) == "diusulkan"
        cycle.close()

        # -- TPN decides -----------------------------------------------------------------------------------------------
        tono = cycle.page("tono")
        gather()
        assert set(tono.locator(".zi-ts-btn").all_inner_texts()) == {"Tetapkan", "Tidak ditetapkan"}
        move(tono, "ditetapkan", "sekarang 'ditetapkan'")
        cycle.close()
        gather()
    finally:
        cycle.close()
        gather()
        stop_hub(process)
        _gone, alive = psutil.wait_procs([p for p in family if p.is_running()], timeout=10)
        assert alive == [], alive
        assert not any(str(tmp_path) in " ".join(p.cmdline()) for p in psutil.process_iter(["cmdline"])
                       if p.pid != os.getpid() and safe_cmd(p))

    # -- the ledger: the hand-offs in order, each record by the user logged in, the refusal recorded ----------------
    ledger = Ledger(ledger_path)
    records = ledger.records(UNIT)
    statuses = [(r.answer, r.evaluator) for r in records if r.kind == "status"]
    assert statuses == [("diajukan", "rina"), ("direviu", "budi"), ("dikembalikan", "budi"),
                        ("diajukan ulang", "rina"), ("direviu", "budi"), ("final TPI", "siti"),
                        ("diusulkan", "agus"), ("ditetapkan", "tono")]
    status_recs = [r for r in records if r.kind == "status"]
    assert status_recs[2].details["butir"] == {"PPA1A": "SK belum ditandatangani"}
    assert status_recs[5].details["lhe_sha256"] == sha
    assert all(r.details.get("via") == "hub" for r in status_recs)
    answers = [(r.code, r.tier, r.note, r.evaluator) for r in records if r.kind == "answer"]
    assert answers == [("PPA1A", "unit", "SK tim sudah ada", "hub:rina (Rina Lestari)"),
                       ("PPA1B", "tpi", "dokumen belum lengkap", "hub:budi (Budi Santoso, NIP 198001012005011001)")]
    [refused] = [r for r in records if r.kind == "penolakan"]
    assert refused.evaluator.split()[0] == "rina" and refused.previous == "diajukan" and "diajukan" in refused.note
    assert all(r.evaluator.removeprefix("hub:").split()[0] in PASSWORDS for r in records)
    assert ledger.verify() == []
