"""PDF of a report from one long-lived headless Chromium: :class:`PdfPrinter`.

Starting Chromium is most of the cost of printing one report (``chromium --print-to-pdf``, one process per PDF). A
:class:`PdfPrinter` starts Debian's Chromium (:func:`chromium`) once, through Playwright for
Python, on first use, and prints every HTML file it is given in the same browser and the same tab, until it is
closed. The page is printed as the evaluators see it: A4 and margins from the template's CSS ``@page`` rule
(``prefer_css_page_size``), backgrounds, no header or footer of Chromium's own (the running header and "Halaman n
dari m" are the template's ``@page`` margin boxes) and a tagged (accessible) PDF, which is what ``chromium
--print-to-pdf`` writes: ``tests/report/test_pdf.py`` checks that both give the same text on the same pages.

Playwright's synchronous API belongs to the thread that started it and refuses to run where an asyncio loop runs (a
Jupyter kernel). So every Playwright call of a printer runs in one thread of its own: a printer can be used from any
thread (a Dask worker's threads, a notebook) and by one caller at a time (calls are serialised).

When the browser dies (crash, killed, out of memory) the printer starts a new one (when only the tab failed, a new
tab) and prints the file once more; a second failure, a print that takes longer than ``timeout`` (the browser is
then killed; the next print starts a new one) or a Chromium that cannot be found or started is a
:class:`zi_nb.errors.ReportError` whose message is in Bahasa Indonesia (the library's English text is added only
with ``ZI_NB_DEBUG``, :func:`zi_nb.common.text.debug_detail`).
Each PDF is written under a temporary name and renamed when complete (:func:`zi_nb.common.files.atomic_path`).
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any, Self, TypeVar

from zi_nb.common.files import atomic_path
from zi_nb.common.text import debug_detail
from zi_nb.errors import ReportError

# the command line of the one-off way (print_with_cli) and of tools/render_report_images.py
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer"]


def chromium() -> str | None:
    """The Chromium executable on PATH (Debian's ``chromium``), None when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


T = TypeVar("T")

# --no-sandbox: CI and containers run as root, where Chromium's sandbox cannot start; the rest keeps a headless
# printer from reaching the network or updating itself. Playwright adds its own flags (headless, a fresh profile).
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]
PRINT_TIMEOUT = 120.0  # seconds for one PDF (loading the page and printing it), as for `chromium --print-to-pdf`
LAUNCH_TIMEOUT = 60.0  # seconds for Chromium to start
MISSING_CHROMIUM = "PDF memerlukan Chromium: pasang paket Debian 'chromium' (apt-get install chromium)."
MISSING_PLAYWRIGHT = "PDF memerlukan paket Python 'playwright' (pip install playwright; Chromium dari paket Debian)."


class PdfPrinter:
    """One headless Chromium that prints HTML files to PDF, started on first use and stopped by :meth:`close`.

    Use it as a context manager (``with PdfPrinter() as printer: printer.print(html, pdf)``) or call :meth:`close`.
    After :meth:`close` it may be used again: the next :meth:`print` starts a new browser.

    Args:
        executable: the Chromium program; default :func:`chromium` (``chromium`` on ``PATH``).
        timeout: seconds one PDF may take (page load and print); then the browser is killed and the PDF fails.
        tagged: write a tagged PDF (structure for screen readers), as ``chromium --print-to-pdf`` does.
        args: Chromium's command-line flags (:data:`BROWSER_ARGS`).

    Attributes:
        launches: how many times a browser was started (1 for a printer that never had to restart).
        browser_pid: the process id of the running browser, or None.
    """

    def __init__(self, executable: str | None = None, timeout: float = PRINT_TIMEOUT, tagged: bool = True,
                 args: list[str] | None = None) -> None:
        self.executable = executable
        self.timeout = timeout
        self.tagged = tagged
        self.args = list(BROWSER_ARGS if args is None else args)
        self.launches = 0
        self.browser_pid: int | None = None
        self._pw: Any = None
        self._browser: Any = None
        self._page: Any = None
        self._thread: _Thread | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the API -------------------------------------------------------------------------------------------------------
    def print(self, html: Path, pdf: Path) -> Path:
        """Print ``html`` (a file) to ``pdf`` (A4 and margins from the page's CSS); start the browser if needed."""
        html, pdf = Path(html), Path(pdf)
        if not html.is_file():
            raise ReportError(f"PDF tidak dapat dibuat: berkas HTML '{html}' tidak ditemukan.")
        with self._lock:
            data = self._print_retrying(html.resolve().as_uri(), pdf.name)
        with atomic_path(pdf) as tmp:
            tmp.write_bytes(data)
        return pdf

    def start(self) -> None:
        """Start the browser now (else the first :meth:`print` does)."""
        with self._lock:
            self._call(self._launch, LAUNCH_TIMEOUT + 30)

    def is_running(self) -> bool:
        """A browser was started and its process is alive."""
        return self._browser is not None and (self.browser_pid is None or self._pid_alive())

    def close(self) -> None:
        """Stop the browser and the printer's thread (safe to call twice, or after a crash)."""
        with self._lock:
            if self._thread is None:
                return
            try:
                self._call(self._shutdown, 30)
            except ReportError:  # Playwright does not answer: end the browser the hard way
                self.kill()
            if self._thread is not None:
                self._thread.shutdown()
                self._thread = None

    def kill(self) -> None:
        """Kill the browser at once, from any thread (the process is about to end, or a print hangs)."""
        if self.browser_pid:
            with contextlib.suppress(OSError):
                os.kill(self.browser_pid, signal.SIGKILL)

    # -- in the caller's thread ---------------------------------------------------------------------------------------
    def _print_retrying(self, url: str, name: str) -> bytes:
        for attempt in (1, 2):
            # a print that failed in the browser comes back as its exception: worth one more try in a new tab, or
            # in a new browser if the old one died
            result = self._call(self._print_page, self.timeout, url)
            if isinstance(result, bytes):
                return result
            if attempt == 2:
                raise ReportError(f"Chromium gagal mencetak PDF '{name}', juga pada percobaan kedua"
                                  f"{debug_detail(result)}.") from None
        raise AssertionError("unreachable")

    def _call(self, fn: Callable[..., T], timeout: float, *args: Any) -> T:
        """Run ``fn(*args)`` in the printer's thread; kill the browser when it takes longer than ``timeout``."""
        if self._thread is None:
            self._thread = _Thread()
        future = self._thread.submit(fn, *args)
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            self.kill()
            with contextlib.suppress(Exception):
                future.result(timeout=30)  # the call fails once its browser is gone
            if future.done():  # the next print starts a new browser
                with contextlib.suppress(Exception):
                    self._thread.submit(self._shutdown).result(timeout=30)
            else:  # Playwright itself hangs: leave that thread, the next call starts anew
                self._thread.shutdown()
                self._thread, self._pw, self._browser, self._page, self.browser_pid = None, None, None, None, None
            raise ReportError(f"Chromium tidak selesai mencetak PDF dalam {timeout:g} detik; browser dihentikan."
                              ) from None

    # -- in the printer's thread ---------------------------------------------------------------------------------------
    def _launch(self) -> None:
        if self._browser is not None:
            return
        exe = self.executable or chromium()
        if exe is None or shutil.which(exe) is None:
            raise ReportError(MISSING_CHROMIUM + (f" Program '{exe}' tidak ditemukan." if exe else ""))
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise ReportError(MISSING_PLAYWRIGHT) from None
        try:
            if self._pw is None:
                self._pw = sync_playwright().start()
            self._browser = self._pw.chromium.launch(executable_path=shutil.which(exe), args=self.args,
                                                     headless=True, timeout=LAUNCH_TIMEOUT * 1000)
        except Exception as exc:
            self._shutdown()
            raise ReportError(f"Chromium ('{exe}') tidak dapat dijalankan untuk mencetak PDF{debug_detail(exc)}. "
                              "Periksa paket Debian 'chromium'.") from None
        self.launches += 1
        self.browser_pid = self._browser_process_id()

    def _browser_process_id(self) -> int | None:
        """The browser's process id (Chromium's DevTools protocol; Playwright does not expose it)."""
        try:
            session = self._browser.new_browser_cdp_session()
            info = session.send("SystemInfo.getProcessInfo")
            session.detach()
        except Exception:
            return None
        return next((int(p["id"]) for p in info.get("processInfo", []) if p.get("type") == "browser"), None)

    def _print_page(self, url: str) -> bytes | Exception:
        self._launch()
        try:
            if self._page is None or self._page.is_closed():
                self._page = self._browser.new_page()
            self._page.goto(url, wait_until="load", timeout=self.timeout * 1000)
            self._page.evaluate("document.fonts.ready.then(() => true)")  # as --print-to-pdf: fonts loaded
            return bytes(self._page.pdf(prefer_css_page_size=True, print_background=True,
                                        display_header_footer=False, tagged=self.tagged))
        except Exception as exc:
            dead = not self._browser.is_connected() or (self.browser_pid is not None and not self._pid_alive())
            self._page = None  # a crashed tab, or the page of a dead browser: a new one next time
            if dead:  # start a new browser for the next attempt
                self._shutdown()
            return exc

    def _pid_alive(self) -> bool:
        if not self.browser_pid:
            return False
        try:
            with open(f"/proc/{self.browser_pid}/stat", encoding="ascii") as fh:
                return fh.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
        except (OSError, IndexError):
            return False

    def _shutdown(self) -> None:
        for close in (getattr(self._browser, "close", None), getattr(self._pw, "stop", None)):
            if close is not None:
                with contextlib.suppress(Exception):
                    close()
        self._pw, self._browser, self._page, self.browser_pid = None, None, None, None


class _Thread:
    """One daemon thread that runs the calls submitted to it, in order (a daemon, unlike a ThreadPoolExecutor's
    threads: a Playwright call that hangs for good cannot keep the process from ending)."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]] | None] = \
            queue.SimpleQueue()
        threading.Thread(target=self._serve, name="zi-nb-pdf", daemon=True).start()

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((future, fn, args))
        return future

    def shutdown(self) -> None:
        """The thread ends after the calls already submitted."""
        self._jobs.put(None)

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            future, fn, args = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as exc:
                    future.set_exception(exc)


def print_with_cli(html: Path, pdf: Path, executable: str | None = None, timeout: float = PRINT_TIMEOUT) -> Path:
    """The reference way: one ``chromium --headless --print-to-pdf`` process for this one file (what zi-nb did before
    :class:`PdfPrinter`; kept for the benchmark's baseline and the test that both print the same)."""
    exe = executable or chromium()
    if exe is None:
        raise ReportError(MISSING_CHROMIUM)
    with tempfile.TemporaryDirectory() as profile, atomic_path(pdf) as tmp:
        proc = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={tmp}",
                               Path(html).resolve().as_uri()], check=False, capture_output=True, text=True,
                              timeout=timeout)
        if proc.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
            raise ReportError(f"Chromium gagal mencetak PDF '{Path(pdf).name}' (status {proc.returncode}).")
    return pdf
