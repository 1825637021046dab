"""PDF of a unit report from one long-lived headless Chromium (zi_nb.report.pdf.PdfPrinter): one browser for many
reports, A4 with the template's running header and "Halaman n dari m" (as `chromium --print-to-pdf` prints them), a
crashed browser restarted, Indonesian errors. Chromium and poppler-utils are the Debian packages (installed when
missing, never skipped)."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import BrowserType

from tests.helpers import ensure_debian_package
from zi_nb.errors import ReportError
from zi_nb.report import pdf as pdf_module
from zi_nb.report.pdf import PdfPrinter, print_with_cli
from zi_nb.report.runner import html_to_pdf, report_parameters, run_report

HEADER = "Laporan Hasil Evaluasi Zona Integritas · {}"


@pytest.fixture(scope="module")
def pdftotext() -> str:
    return ensure_debian_package("pdftotext", "poppler-utils")


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> Path:
    """One sample unit's report page (notebook and HTML through zi-nb's runner, no PDF)."""
    out = tmp_path_factory.mktemp("html")
    return run_report(report_parameters("", "kpp-danau-biru", run_id="test"), out).html


@pytest.fixture
def launches(monkeypatch) -> list[dict]:
    """Every Chromium launch through Playwright (its keyword arguments), counted at Playwright's own entry point."""
    seen: list[dict] = []
    real = BrowserType.launch

    def counting(self, **kwargs):
        seen.append(kwargs)
        return real(self, **kwargs)

    monkeypatch.setattr(BrowserType, "launch", counting)
    return seen


def pdf_pages(pdf: Path, pdftotext: str) -> tuple[list[tuple[float, float]], list[str]]:
    """(width, height) in points and the text of every page."""
    info = subprocess.run([pdftotext.replace("pdftotext", "pdfinfo"), "-f", "1", "-l", "999", str(pdf)],
                          capture_output=True, text=True, check=True).stdout
    sizes = [tuple(float(v) for v in line.split(":", 1)[1].split("pts")[0].split("x")) for line in info.splitlines()
             if line.startswith("Page") and "size:" in line]
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return sizes, text.split("\f")[:-1]  # type: ignore[return-value]


def gone(pid: int, wait: float = 10.0) -> bool:
    """The process has ended (or is a zombie waiting to be reaped) within ``wait`` seconds."""
    import time

    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


def assert_lhe_pages(pdf: Path, unit_id: str, pdftotext: str) -> int:
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.read_bytes().rstrip().endswith(b"%%EOF")
    sizes, pages = pdf_pages(pdf, pdftotext)
    assert len(pages) == len(sizes) >= 3
    assert all(abs(w - 595) < 1 and abs(h - 842) < 1 for w, h in sizes), sizes  # A4 portrait: 595 x 842 pt
    for n, page in enumerate(pages, 1):
        assert f"Halaman {n} dari {len(pages)}" in page, n
        assert HEADER.format(unit_id) in page, n
    return len(pages)


def test_one_browser_prints_two_reports_on_a4_with_header_and_page_numbers(chromium_path, pdftotext, tmp_path,
                                                                          launches):
    units = ("kpp-danau-biru", "kanim-sukawangi")
    with PdfPrinter() as printer:
        files = [run_report(report_parameters("", unit, run_id="test"), tmp_path, pdf=True, printer=printer)
                 for unit in units[:1]]
        pid = printer.browser_pid
        assert pid and printer.is_running()
        files.append(run_report(report_parameters("", units[1], run_id="test"), tmp_path, pdf=True, printer=printer))
        assert printer.browser_pid == pid  # the same browser process printed both
    assert len(launches) == 1 and printer.launches == 1
    assert launches[0]["executable_path"] == chromium_path  # Debian's Chromium, found as zi-nb finds it
    assert {"--no-sandbox", "--disable-gpu", "--no-first-run"} <= set(launches[0]["args"])
    for unit, f in zip(units, files):
        assert f.pdf == tmp_path / f"{unit}.pdf"
        assert_lhe_pages(f.pdf, unit, pdftotext)
    assert not printer.is_running() and gone(pid)  # closed with the context
    assert not list(tmp_path.glob(".*tmp*"))  # written under a temporary name, renamed when complete


def test_printer_prints_what_the_chromium_command_line_prints(chromium_path, pdftotext, report_html, tmp_path):
    """Same pages, same text (running header and page numbers included) as `chromium --print-to-pdf`, and tagged."""
    cli = print_with_cli(report_html, tmp_path / "cli.pdf")
    with PdfPrinter() as printer:
        ours = printer.print(report_html, tmp_path / "ours.pdf")
    n = assert_lhe_pages(ours, "kpp-danau-biru", pdftotext)
    assert assert_lhe_pages(cli, "kpp-danau-biru", pdftotext) == n
    assert pdf_pages(ours, pdftotext) == pdf_pages(cli, pdftotext)
    info = subprocess.run([pdftotext.replace("pdftotext", "pdfinfo"), str(ours)], capture_output=True, text=True,
                          check=True).stdout
    assert "Tagged:          yes" in info


def test_crashed_browser_is_restarted_and_the_pdf_printed(chromium_path, pdftotext, report_html, tmp_path, launches):
    with PdfPrinter() as printer:
        printer.print(report_html, tmp_path / "a.pdf")
        first = printer.browser_pid
        assert first
        os.kill(first, signal.SIGKILL)  # the browser crashes between two reports
        printer.print(report_html, tmp_path / "b.pdf")
        assert printer.launches == len(launches) == 2
        assert printer.browser_pid and printer.browser_pid != first and printer.is_running()
        printer.print(report_html, tmp_path / "c.pdf")  # and the new browser stays
        assert len(launches) == 2
    for name in ("a", "b", "c"):
        assert_lhe_pages(tmp_path / f"{name}.pdf", "kpp-danau-biru", pdftotext)


def test_a_browser_that_keeps_crashing_is_restarted_once_then_an_indonesian_error(chromium_path, report_html,
                                                                                    tmp_path, monkeypatch):
    real = BrowserType.launch
    launched = []

    def crashing(self, **kwargs):  # every browser dies right after it started
        browser = real(self, **kwargs)
        session = browser.new_browser_cdp_session()
        info = session.send("SystemInfo.getProcessInfo")
        (pid,) = [p["id"] for p in info["processInfo"] if p["type"] == "browser"]
        os.kill(pid, signal.SIGKILL)
        launched.append(pid)
        return browser

    monkeypatch.setattr(BrowserType, "launch", crashing)
    monkeypatch.delenv("ZI_NB_DEBUG", raising=False)
    with PdfPrinter() as printer, pytest.raises(ReportError) as exc:
        printer.print(report_html, tmp_path / "a.pdf")
    message = str(exc.value)
    assert message.startswith("Chromium gagal mencetak PDF 'a.pdf', juga pada percobaan kedua")
    assert "(" not in message and "Target" not in message and "closed" not in message  # no library text
    assert len(launched) == 2  # restarted once, not for ever
    assert not (tmp_path / "a.pdf").exists() and not list(tmp_path.glob(".*tmp*"))
    monkeypatch.setenv("ZI_NB_DEBUG", "1")  # developers get the library's own words
    with PdfPrinter() as printer, pytest.raises(ReportError, match=r"percobaan kedua \(.+\)"):
        printer.print(report_html, tmp_path / "a.pdf")


def test_a_print_that_hangs_is_stopped_and_the_next_one_gets_a_new_browser(chromium_path, pdftotext, report_html,
                                                                             tmp_path, launches):
    with PdfPrinter() as printer:
        printer.start()
        pid = printer.browser_pid
        printer.timeout = 0.01  # no 7-page report is loaded and printed in 10 ms: this one "hangs"
        with pytest.raises(ReportError, match=r"^Chromium tidak selesai mencetak PDF dalam 0.01 detik"):
            printer.print(report_html, tmp_path / "a.pdf")
        assert gone(pid) and not (tmp_path / "a.pdf").exists()
        printer.timeout = 120
        printer.print(report_html, tmp_path / "a.pdf")
        assert len(launches) == 2 and printer.browser_pid != pid
    assert_lhe_pages(tmp_path / "a.pdf", "kpp-danau-biru", pdftotext)


def test_missing_chromium_is_an_indonesian_report_error(report_html, tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_module, "chromium", lambda: None)
    with pytest.raises(ReportError, match=r"^PDF memerlukan Chromium: pasang paket Debian 'chromium' \(apt-get"):
        html_to_pdf(report_html, tmp_path / "a.pdf")  # the one-off printer of `zi-nb report --pdf`
    with PdfPrinter(executable=str(tmp_path / "tidak-ada" / "chromium")) as printer, \
            pytest.raises(ReportError, match=r"memerlukan Chromium.*tidak-ada/chromium' tidak ditemukan"):
        printer.print(report_html, tmp_path / "a.pdf")
    assert not list(tmp_path.iterdir())
    with PdfPrinter() as printer, pytest.raises(ReportError, match=r"berkas HTML .* tidak ditemukan"):
        printer.print(tmp_path / "tidak-ada.html", tmp_path / "b.pdf")


def test_warm_worker_keeps_one_browser_for_its_units_and_closes_it_when_it_stops(chromium_path, pdftotext,
                                                                                   tmp_path, launches):
    from zi_nb.bulk.warm import UnitTask, WarmWorker
    from zi_nb.lke.sample import write_synthetic

    answers, units = write_synthetic(tmp_path / "in", 2)
    out = tmp_path / "out"
    worker = WarmWorker()
    try:
        outcomes = []
        for unit in ("unit-00001", "unit-00002"):
            params = report_parameters(answers, unit, units_path=str(units), run_id="t")
            outcomes.append(worker.run(UnitTask(unit, unit, params, str(out), pdf=True, key="k")))
        assert [o.status for o in outcomes] == ["ok", "ok"], [o.error for o in outcomes]
        assert [o.files["pdf"] for o in outcomes] == ["unit-00001.pdf", "unit-00002.pdf"]
        assert worker.printer is not None and worker.printer.is_running()
        pid = worker.printer.browser_pid
        worker.restart()  # a new kernel (after a failed unit) keeps the browser
        assert worker.printer.is_running() and worker.printer.browser_pid == pid
    finally:
        worker.stop()
    assert len(launches) == 1
    assert not worker.printer.is_running() and gone(pid)
    for unit in ("unit-00001", "unit-00002"):
        assert_lhe_pages(out / f"{unit}.pdf", unit, pdftotext)
