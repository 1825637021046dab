"""The bukti dukung checklist in the served workbench, in headless Chromium at 1366x768: mark documents, attach a
file, see the item in the filter "Bukti dukung kurang", press "Semua ada" and see it leave the filter; the ledger and
the evidence store hold what the page did. Screenshots: ``outputs/evidence-checklist.png`` (the checklist with a
document marked tidak ada with its note and a file attached) and ``outputs/evidence-filter.png``.

Chromium is the Debian package (the ``chromium_path`` fixture of ``tests/conftest.py`` installs it when missing and
fails, never skips).
"""

from __future__ import annotations

import hashlib

import pytest

from tests.helpers import ROOT
from zi_nb.app.serve import free_port, start
from zi_nb.common.domain import BUKTI, LAMPIRAN
from zi_nb.review.evidence_store import default_store_path
from zi_nb.review.ledger import Ledger

UNIT = "kanim-sukawangi"
ITEM = "PPA1B"  # three required documents; answered A (above its lowest value) in the sample's TPI answers
TIMEOUT = 90_000  # ms: a page load starts a kernel and runs the notebook
LAPTOP = {"width": 1366, "height": 768}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NOTE = "Yang diunggah masih draf, belum ditandatangani."


@pytest.fixture(scope="module")
def server(tmp_path_factory, monkeypatch_module):
    folder = tmp_path_factory.mktemp("serve-evidence")
    ledger = folder / "ledger.sqlite"
    srv = start(ledger_path=str(ledger), port=free_port(), evaluator="Penilai Bukti", tier="tpi",
                log=folder / "voila.log")
    try:
        srv.wait_ready(timeout=90)
        yield srv, ledger
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("ZI_NB_EVIDENCE", raising=False)  # the served app keeps files beside its ledger
        yield mp


def _count(page) -> str:
    return page.locator(".zi-filter-count").inner_text().strip()


def test_evidence_checklist_in_the_browser(server, browser):
    srv, ledger_path = server
    out = ROOT / "outputs"
    out.mkdir(exist_ok=True)
    page = browser.new_page(viewport=LAPTOP)
    try:
        page.goto(srv.local_url + f"?unit={UNIT}", timeout=TIMEOUT)
        page.locator(".zi-app").wait_for(timeout=TIMEOUT)
        page.locator(f".zi-item-{ITEM}").click()
        page.locator(".zi-code", has_text=ITEM).wait_for()
        page.locator(".zi-ev-note textarea").fill(NOTE)
        page.locator(".zi-ev-row-2 .zi-ev-tidak-ada").click()
        page.locator(".zi-ev-row-2 .zi-ev-tidak-ada.zi-ev-on").wait_for()
        page.locator(".zi-ev-row-1 .zi-ev-ada").click()
        page.locator(".zi-ev-row-1 .zi-ev-ada.zi-ev-on").wait_for()
        with page.expect_file_chooser() as chooser:  # the widget's <input type=file> is not in the page
            page.locator(".zi-ev-upload").click()
        chooser.value.set_files(files=[{"name": "SK Tim Kerja.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        page.locator(".zi-ev-files .zi-ev-name", has_text="SK Tim Kerja.pdf").wait_for()
        page.locator(".zi-ev-row-2", has_text=NOTE).wait_for()
        page.locator(".zi-evidence").scroll_into_view_if_needed()
        page.screenshot(path=str(out / "evidence-checklist.png"))

        page.locator(".zi-filter select").select_option(label="Bukti dukung kurang")
        page.locator(f".zi-items .zi-item-{ITEM}").wait_for()  # listed: answered A, a document missing
        page.locator(".zi-ev-find", has_text="tidak ada").wait_for()
        page.screenshot(path=str(out / "evidence-filter.png"))
        page.locator(".zi-ev-all").click()
        page.locator(f".zi-items .zi-item-{ITEM}").wait_for(state="detached")  # and gone after "Semua ada"
        page.locator(".zi-ev-find", has_text="tidak ada").wait_for(state="detached")
        assert page.locator(".zi-ev-btn.zi-ev-on").count() == 3
    finally:
        page.close()
    book = Ledger(ledger_path)
    verdicts = [(r.details["doc"], r.answer, r.tier, r.evaluator) for r in book.records(UNIT) if r.kind == BUKTI]
    assert verdicts == [(2, "tidak ada", "tpi", "Penilai Bukti"), (1, "ada", "tpi", "Penilai Bukti"),
                        *[(n, "ada", "tpi", "Penilai Bukti") for n in (1, 2, 3)]]
    (att,) = [r for r in book.records(UNIT) if r.kind == LAMPIRAN]
    sha = hashlib.sha256(PDF).hexdigest()
    assert (att.code, att.answer, att.details["name"]) == (ITEM, sha, "SK Tim Kerja.pdf")
    assert (default_store_path(ledger_path) / "sha256" / sha[:2] / sha).read_bytes() == PDF
    assert book.verify() == []
