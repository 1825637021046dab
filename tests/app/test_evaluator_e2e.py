"""The evaluator workbench served with voila, driven in headless Chromium (Playwright): open a unit, change an
item, write a note, save, see the total change, reload and see the change kept, find the record in the ledger.

Chromium is the Debian package (the ``chromium_path`` fixture installs it when missing, and fails, never skips);
Playwright's Python package comes from the ``test`` extra. A screenshot of the run is saved to
``outputs/evaluator.png``.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import ROOT
from zi_nb.app.serve import free_port, start
from zi_nb.review.ledger import Ledger

UNIT = "kanim-sukawangi"
ITEM = "PPA1B"  # A/B/C item; the TPI answer of the sample is A
TIMEOUT = 90_000  # ms: a page load starts a kernel and runs the notebook


def _serving(tmp_path_factory, name: str, evaluator: str, tier: str):
    """A served workbench with its own ledger, stopped after the module."""
    folder = tmp_path_factory.mktemp(name)
    ledger = folder / "ledger.sqlite"
    srv = start(ledger_path=str(ledger), port=free_port(), evaluator=evaluator, tier=tier, log=folder / "voila.log")
    try:
        srv.wait_ready(timeout=90)
        yield srv, ledger
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from _serving(tmp_path_factory, "serve", "Penilai Uji", "tpi")



def _total(page) -> str:
    return page.locator(".zi-total").inner_text().strip()


def _open_item(page, url: str, shot: bool = False) -> None:
    page.goto(url, timeout=TIMEOUT)
    page.locator(f".zi-open-{UNIT}").wait_for(timeout=TIMEOUT)
    if shot:  # the unit list, the first page an evaluator sees
        (ROOT / "outputs").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "outputs" / "evaluator-units.png"))
    page.locator(f".zi-open-{UNIT}").click()
    page.locator(".zi-app").wait_for(timeout=TIMEOUT)
    page.locator(".zi-area-A").click()
    page.locator(f".zi-item-{ITEM}").click()
    page.locator(".zi-code", has_text=ITEM).wait_for()


def _screenshots(page) -> None:
    """``outputs/evaluator.png``: what the evaluator sees; ``evaluator-full.png``: the whole page (voila scrolls
    inside its own panel, so the window is made as tall as the workbench)."""
    out = ROOT / "outputs"
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / "evaluator.png"))
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('.zi-app').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": int(height) + 40})
    page.screenshot(path=str(out / "evaluator-full.png"))
    page.set_viewport_size(size)


def _selected(page) -> str:
    return page.locator(".zi-answer .widget-toggle-button.mod-active").inner_text().strip()


def test_evaluator_changes_an_answer_in_the_browser(server, browser):
    srv, ledger_path = server
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        _open_item(page, srv.local_url, shot=True)
        before_total, before = _total(page), _selected(page)
        assert before == "A"
        page.locator(".zi-answer .widget-toggle-button", has_text=re.compile(r"^\s*C\s*$")).click()
        page.wait_for_function("t => document.querySelector('.zi-total').innerText.trim() !== t", arg=before_total)
        changed_total = _total(page)
        assert changed_total != before_total
        assert page.locator(".zi-drafts").is_visible()

        page.locator(".zi-save").click()  # no note yet: refused, nothing written
        page.locator(".zi-message .err", has_text="Catatan wajib diisi").wait_for()
        assert not ledger_path.exists() or not Ledger(ledger_path).records()

        page.locator(".zi-note textarea").fill("Tim dibentuk tanpa seleksi; SK tidak memuat mekanisme.")
        page.locator(".zi-save").click()
        page.locator(".zi-message .ok", has_text="Tersimpan di ledger").wait_for()
        assert _total(page) == changed_total
        page.locator(".zi-history", has_text="Tim dibentuk tanpa seleksi").wait_for()
        _screenshots(page)

        page.reload(timeout=TIMEOUT)
        _open_item(page, srv.local_url)
        assert _selected(page) == "C"
        assert _total(page) == changed_total
    finally:
        page.close()
    records = Ledger(ledger_path).records(UNIT)
    assert [(r.code, r.tier, r.previous, r.answer, r.evaluator) for r in records] == [
        (ITEM, "tpi", "A", "C", "Penilai Uji")]
    assert records[0].note == "Tim dibentuk tanpa seleksi; SK tidak memuat mekanisme."
    assert Ledger(ledger_path).verify() == []


def test_unit_from_the_query_string(server, browser):
    srv, _ = server
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    try:
        page.goto(srv.local_url + "?unit=kppn-lembah-hijau", timeout=TIMEOUT)
        page.locator(".zi-app").wait_for(timeout=TIMEOUT)
        assert "KPPN Tipe A1 Lembah Hijau" in page.locator(".zi-h-name").inner_text()
    finally:
        page.close()


def test_other_address_requires_a_token(tmp_path):
    srv = start(host="0.0.0.0", ledger_path=str(tmp_path / "ledger.sqlite"), port=free_port(),
                log=tmp_path / "voila.log")
    try:
        srv.wait_ready(timeout=90)
        assert srv.token and f"?token={srv.token}" in srv.url

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        base = srv.local_url.split("?", 1)[0]
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(base, timeout=30)
        assert refused.value.code in (302, 401, 403)
        with pytest.raises(urllib.error.HTTPError):
            opener.open(base + "?token=wrong", timeout=30)
    finally:
        srv.stop()


# -- a review from the unit's answers, shortcuts, catatan and the LHE (issue 16), at 1366x768 -------------------------
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def tpn_server(tmp_path_factory):
    """A TPN review: the sample has no TPN answers, so every item starts unassessed, as a real review does."""
    yield from _serving(tmp_path_factory, "serve-tpn", "Penilai TPN", "tpn")


def _open_unit(page, srv) -> None:
    page.goto(srv.local_url + f"?unit={UNIT}", timeout=TIMEOUT)
    page.locator(".zi-app").wait_for(timeout=TIMEOUT)


def _progress(page) -> str:
    return page.locator(".zi-progress").inner_text().strip()


def test_accept_an_indicator_then_change_one_item_with_the_keyboard(tpn_server, browser):
    from zi_nb.app.accept import ACCEPT_NOTE
    from zi_nb.app.session import load_data

    srv, ledger_path = tpn_server
    count = len(load_data().rubric.items)
    page = browser.new_page(viewport=LAPTOP)
    try:
        _open_unit(page, srv)
        assert _progress(page) == f"0 dari {count} dinilai"
        assert page.locator(".zi-area-A").inner_text().strip().endswith("(0/16)")
        page.locator(f".zi-item-{ITEM}").click()
        page.locator(".zi-code", has_text=ITEM).wait_for()
        page.locator(".zi-accept-indicator").click()  # PPA1: PPA1A and PPA1B
        page.locator(".zi-message .ok", has_text="2 butir disetujui sesuai jawaban unit").wait_for()
        assert _progress(page) == f"2 dari {count} dinilai"
        assert page.locator(".zi-area-A").inner_text().strip().endswith("(2/16)")
        assert _selected(page) == "A"

        page.locator(".zi-card .zi-q").click()  # focus on the page, not in a text field
        page.keyboard.press("c")  # the option letter
        page.locator(".zi-answer .widget-toggle-button.mod-active", has_text="C").wait_for()
        page.locator(".zi-drafts").wait_for()
        page.locator(".zi-note textarea").fill("Anggota tim ditunjuk tanpa seleksi.")
        page.keyboard.press("Control+s")  # saves from inside the note
        page.locator(".zi-message .ok", has_text="Tersimpan di ledger").wait_for()
        assert page.locator(".zi-drafts").count() == 0
        page.screenshot(path=str(ROOT / "outputs" / "evaluator-accepted.png"))
        page.locator(".zi-card .zi-q").click()
        page.keyboard.press("j")  # the next item
        page.locator(".zi-code", has_text="PPA2A").wait_for()
        page.keyboard.press("k")
        page.locator(".zi-code", has_text=ITEM).wait_for()
    finally:
        page.close()
    records = Ledger(ledger_path).records(UNIT)
    assert [(r.code, r.previous, r.answer, r.note) for r in records] == [
        ("PPA1A", None, "Ya", ACCEPT_NOTE), (ITEM, None, "A", ACCEPT_NOTE),
        (ITEM, "A", "C", "Anggota tim ditunjuk tanpa seleksi.")]
    assert {(r.tier, r.evaluator) for r in records} == {("tpn", "Penilai TPN")}


def test_catatan_saved_in_the_app_is_in_the_lhe_made_from_the_app(tpn_server, browser):
    from zi_nb.app.session import load_data

    srv, ledger_path = tpn_server
    text = "Tim kerja aktif; perlu seleksi anggota yang terbuka (uji peramban)."
    page = browser.new_page(viewport=LAPTOP, accept_downloads=True)
    try:
        _open_unit(page, srv)
        page.locator(".zi-accept-all").click()  # asks first
        page.locator(".zi-ask", has_text="yang belum dinilai").wait_for()
        page.locator(".zi-confirm").click()
        page.locator(".zi-message .ok", has_text="butir disetujui sesuai jawaban unit").wait_for(timeout=TIMEOUT)
        count = len(load_data().rubric.items)
        assert _progress(page) == f"{count} dari {count} dinilai"
        page.locator(".zi-mode").click()
        page.locator(".zi-cat-A .zi-draft").wait_for()  # a draft from the rubric until saved
        page.locator(".zi-cat-catatan-A textarea").fill(text)
        page.locator(".zi-cat-save-A").click()
        page.locator(".zi-cat-A .zi-msg.ok", has_text="tersimpan di ledger").wait_for()
        assert page.locator(".zi-cat-A .zi-draft").count() == 0
        page.screenshot(path=str(ROOT / "outputs" / "evaluator-catatan.png"))
        page.locator(".zi-make-lhe").click()
        page.locator(".zi-lhe .zi-msg.ok, .zi-lhe .zi-msg.err").wait_for(timeout=TIMEOUT * 2)
        assert "LHE kanim-sukawangi tingkat TPN dibuat" in page.locator(".zi-lhe").inner_text()
        page.screenshot(path=str(ROOT / "outputs" / "evaluator-lhe.png"))
        downloads = {}
        for kind in ("html", "pdf", "docx"):
            with page.expect_download() as download:
                page.locator(f".zi-dl-{kind}").click()
            downloads[kind] = (download.value.suggested_filename, Path(download.value.path()).read_bytes())
    finally:
        page.close()
    assert [name for name, _ in downloads.values()] == [f"{UNIT}.html", f"{UNIT}.pdf", f"{UNIT}.docx"]
    assert text in downloads["html"][1].decode("utf-8")
    assert downloads["pdf"][1][:5] == b"%PDF-" and downloads["docx"][1][:2] == b"PK"
    folder = ledger_path.parent / "lhe" / UNIT  # the files offered are the files made beside the ledger
    assert downloads["html"][1] == (folder / f"{UNIT}.html").read_bytes()
    rec = next(r for r in Ledger(ledger_path).records(UNIT) if r.kind == "catatan")
    assert (rec.code, rec.tier, rec.evaluator, rec.details["catatan"]) == ("A", "tpn", "Penilai TPN", text)
