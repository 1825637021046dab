"""``zi-nb serve`` stays light: a kernel per open page at most, released when the page closes (or, never connected,
after the idle timeout), preheated kernels that still honour ``?unit=``, pages that share no state, and a clean stop
on SIGTERM and SIGINT (port free, no process left).

Real voila, real kernels, headless Debian Chromium (the ``chromium_path`` fixture installs it when missing and fails,
never skips). Short timeouts here (release 1 s, idle 3 s) keep the run short; speed is the benchmark's business
(``benchmarks/bench_app.py``), never asserted here.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable

import psutil
import pytest

from zi_nb.app.serve import Server, free_port, port_free, start

VIEWPORT = {"width": 1366, "height": 768}
TIMEOUT = 90_000  # ms
POOL = 1
UNIT, OTHER_UNIT, ITEM = "kanim-sukawangi", "kppn-lembah-hijau", "PPA1B"  # PPA1B: A in the sample's TPI column


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout:.0f} s: {what}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve-light")
    srv = start(ledger_path=str(folder / "ledger.sqlite"), port=free_port(), evaluator="Penilai Uji", pool=POOL,
                idle_timeout=3, release_after=1, log=folder / "voila.log")
    try:
        srv.wait_ready(timeout=90)
        yield srv
    finally:
        srv.stop()



def settled(srv: Server, pages: int = 0, timeout: float = 60) -> None:
    """Wait until the server runs the pool plus ``pages`` kernels."""
    wait_until(lambda: len(srv.kernels()) == POOL + pages, timeout,
               f"{POOL} preheated + {pages} page kernel(s); running: {len(srv.kernels())}")


def log_count(srv: Server, text: str) -> int:
    assert srv.log is not None
    return srv.log.read_text(encoding="utf-8", errors="replace").count(text)


def test_closed_pages_leave_no_kernel(server, browser):
    settled(server)
    pages = []
    for _ in range(3):
        page = browser.new_page(viewport=VIEWPORT)
        pages.append(page)
        page.goto(server.local_url, timeout=TIMEOUT)
        page.locator(f".zi-open-{UNIT}").wait_for(timeout=TIMEOUT)
    time.sleep(5)  # past the release delay and the idle timeout: open (connected) pages keep their kernels
    assert len(server.kernels()) <= POOL + len(pages)
    assert len(server.kernels()) >= len(pages)
    for page in pages:
        page.close()  # no beforeunload, as when a browser dies: the closed websocket is what counts
    settled(server, 0, timeout=30)


def test_kernel_of_a_page_that_never_connects_is_culled(server):
    settled(server)
    with urllib.request.urlopen(server.local_url + f"?unit={UNIT}", timeout=90) as resp:  # HTML only, no widgets
        assert resp.status == 200 and "zi-" in resp.read().decode("utf-8", "replace")
    assert len(server.kernels()) >= POOL + 1 or log_count(server, "Culling") > 0
    settled(server, 0, timeout=30)  # idle 3 s, culler every 1 s
    assert log_count(server, "Culling") >= 1


def test_unit_link_opens_the_unit_in_a_preheated_kernel(server, browser):
    settled(server)
    time.sleep(2)  # the pool kernel has imported the workbench and waits for a page
    used = log_count(server, "Using pre-heated kernel")
    page = browser.new_page(viewport=VIEWPORT)
    try:
        page.goto(server.local_url + f"?unit={OTHER_UNIT}", timeout=TIMEOUT)
        page.locator(".zi-app").wait_for(timeout=TIMEOUT)
        assert "KPPN Tipe A1 Lembah Hijau" in page.locator(".zi-h-name").inner_text()
    finally:
        page.close()
    assert log_count(server, "Using pre-heated kernel") == used + 1


def _open_item(page, url: str) -> None:
    page.goto(url, timeout=TIMEOUT)
    page.locator(".zi-app").wait_for(timeout=TIMEOUT)
    page.locator(".zi-area-A").first.click()
    page.locator(f".zi-item-{ITEM}").first.click()
    page.locator(".zi-code", has_text=ITEM).first.wait_for(timeout=TIMEOUT)


def _selected(page) -> str:
    return page.locator(".zi-answer .widget-toggle-button.mod-active").first.inner_text().strip()


def test_two_pages_do_not_share_state(server, browser):
    settled(server)
    first, second = browser.new_page(viewport=VIEWPORT), browser.new_page(viewport=VIEWPORT)
    try:
        _open_item(first, server.local_url + f"?unit={UNIT}")
        total = first.locator(".zi-total").first.inner_text().strip()
        assert _selected(first) == "A"
        first.locator(".zi-answer .widget-toggle-button", has_text=re.compile(r"^\s*C\s*$")).first.click()
        first.wait_for_function("t => document.querySelector('.zi-total').innerText.trim() !== t", arg=total)
        first.locator(".zi-note textarea").first.fill("Draf evaluator pertama")

        _open_item(second, server.local_url + f"?unit={UNIT}")  # the same unit, another evaluator
        assert _selected(second) == "A"
        assert second.locator(".zi-total").first.inner_text().strip() == total
        assert second.locator(".zi-note textarea").first.input_value() == ""
        assert _selected(first) == "C"  # and the first page keeps its own draft
        time.sleep(1.5)
        assert len(server.kernels()) <= POOL + 2
    finally:
        first.close()
        second.close()
    settled(server, 0, timeout=30)


def _serve(tmp_path, port: int) -> subprocess.Popen:
    cmd = [sys.executable, "-c", "from zi_nb.cli import main; main()", "serve", "--port", str(port), "--pool", "1",
           "--ledger", str(tmp_path / "ledger.sqlite"), "--evaluator", "Penilai Uji"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_voila_and_every_kernel_on_signal(tmp_path, sig):
    port = free_port()
    proc = _serve(tmp_path, port)
    try:
        me = psutil.Process(proc.pid)
        base = f"http://127.0.0.1:{port}/"

        def kernels() -> list[psutil.Process]:
            return [p for p in me.children(recursive=True) if "ipykernel_launcher" in " ".join(p.cmdline())]

        wait_until(lambda: not port_free("127.0.0.1", port), 90, "zi-nb serve listening")
        wait_until(lambda: len(kernels()) >= 1, 90, "the preheated kernel")
        with urllib.request.urlopen(base + "?unit=" + UNIT, timeout=90) as resp:  # a page's kernel too
            assert resp.status == 200
        wait_until(lambda: len(kernels()) >= 2, 30, "a page kernel and the refilled pool")
        family = me.children(recursive=True)
        assert any("voila" in " ".join(p.cmdline()) for p in family)

        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, out
    assert "Dihentikan." in out, out
    assert port_free("127.0.0.1", port)
    alive = [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == [], [" ".join(p.cmdline()) for p in alive]


def test_preheated_kernel_reads_the_input_before_the_request(monkeypatch):
    """The input read while the kernel waits goes to the workbench's first read, once, and only while the files are
    unchanged (nothing of the unit, the ledger or the evaluator is read before the request)."""
    from zi_nb.app import serve_kernel, session, workbench

    monkeypatch.setenv("ZI_NB_INPUT", "")
    monkeypatch.setenv("ZI_NB_UNITS", "")
    monkeypatch.setattr(workbench, "load_data", session.load_data)
    serve_kernel.preload()
    assert workbench.load_data is not session.load_data
    first = workbench.load_data("", "")
    assert workbench.load_data is session.load_data  # one shot: later reads are fresh
    assert UNIT in first.unit_ids and workbench.load_data("", "") is not first


class _Events:
    def __init__(self) -> None:
        self.hooks: list[tuple[str, object]] = []

    def register(self, event: str, hook: object) -> None:
        self.hooks.append((event, hook))

    def unregister(self, event: str, hook: object) -> None:
        self.hooks.remove((event, hook))


class _Shell:
    def __init__(self) -> None:
        self.events = _Events()


def test_only_a_kernel_voila_preheats_waits_for_a_request(monkeypatch):
    """A preheated kernel waits before its first notebook cell (after voila's own snippet); a kernel started from
    a page's kernel (the LHE runner's, which inherits the page's VOILA_* variables) never waits."""
    from zi_nb.app import serve_kernel

    waits: list[bool] = []
    monkeypatch.setattr(serve_kernel, "wait_for_page", lambda: waits.append(True))
    monkeypatch.setattr(serve_kernel, "preload", lambda: None)
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)
    shell = _Shell()
    serve_kernel.install(shell)
    [(event, hook)] = shell.events.hooks
    assert event == "pre_run_cell"
    hook(None)  # voila's snippet, before it sets VOILA_KERNEL_ID
    assert waits == []
    monkeypatch.setenv("VOILA_KERNEL_ID", "k1")
    hook(None)  # the notebook's first cell
    assert waits == [True] and shell.events.hooks == []

    child = _Shell()  # a kernel started from that kernel: inherits VOILA_PREHEAT and VOILA_KERNEL_ID
    serve_kernel.install(child)
    assert child.events.hooks == []
