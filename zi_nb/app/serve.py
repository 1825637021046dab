"""The evaluator workbench as a web app for evaluators who never touch code: ``zi-nb serve`` runs
``notebooks/evaluator.ipynb`` with voila (code hidden, only the widgets), first showing the units of the input so
the evaluator picks one.

How parameters reach the served notebook: **environment variables** of the voila process, which every kernel it
starts inherits; the notebook's ``parameters`` cell keeps its defaults and :func:`zi_nb.app.session.resolve_parameters`
fills each parameter left at its default from its variable:

    ZI_NB_INPUT      input file (absolute path; empty = bundled sample)
    ZI_NB_UNITS      extra unit metadata file (absolute path, optional)
    ZI_NB_LEDGER     ledger file (absolute path)
    ZI_NB_TIER       tpi or tpn
    ZI_NB_EVALUATOR  evaluator id shown and written in the ledger (when empty, the page asks for it)

Files are chosen only by whoever starts the server, never by the browser: the only thing the page address may carry
is the unit to open, ``?unit=<unit_id>`` (voila passes the query string to the kernel as ``QUERY_STRING``), and it is
checked against the units of the input.

Access: bound to 127.0.0.1 unless told otherwise, without a token (only this computer can connect). Bound to any
other address, the server requires a token (generated when not given; an empty or short one is refused, see
:func:`access_token`) and the URL printed carries it (``http://HOST:PORT/?token=...``).

Kernels (the server stays light): every page gets a kernel of its own (no state shared between evaluators) and
loses it when it closes:

- **closed page**: once the page's last websocket to its kernel closes and none reopens within
  :data:`RELEASE_AFTER` seconds, the kernel is shut down (:mod:`zi_nb.app.serve_manager`; voila's own
  ``beforeunload`` beacon is refused by voila 0.5 for want of an ``_xsrf`` cookie);
- **abandoned page** (browser killed, network gone): a kernel with no open connection and no activity for
  ``idle_timeout`` seconds (:data:`IDLE_TIMEOUT`, ``--idle-timeout``; 0 = never) is stopped by jupyter_server's
  culler (``MappingKernelManager.cull_idle_timeout``, ``cull_connected=False``: an open page is never culled,
  however long it sits idle; ``cull_busy=False``), checked every :func:`cull_interval` seconds;
- **preheated pool**: ``pool`` kernels (:data:`POOL_SIZE`, ``--pool``; 0 = off) are started ahead, the workbench
  imported, and wait for a page (voila ``--preheat_kernel``): a page takes one (refilled after
  :data:`FILL_DELAY` s), so it opens without a kernel start or the imports. How ``?unit=`` still reaches such a
  kernel: :mod:`zi_nb.app.serve_kernel`. At most ``pool`` + one kernel per open page run.
- **stop**: SIGINT (Ctrl+C), SIGTERM and SIGHUP stop voila, which shuts its kernels down; anything of the server left
  after that (kernels live in sessions of their own) is killed (:func:`zi_nb.app.serve_procs.kill_leftovers`) and
  the port is checked free.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from zi_nb.app import serve_procs
from zi_nb.app.serve_kernel import write_profile
from zi_nb.app.serve_procs import port_free
from zi_nb.common.domain import REVIEW_TIERS
from zi_nb.common.limits import MAX_EVIDENCE_BYTES
from zi_nb.common.resources import notebook
from zi_nb.errors import ParameterError, ZiError
from zi_nb.review.ledger import default_path

NOTEBOOK = notebook("evaluator")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
MIN_TOKEN = 16  # characters of a token given for an address other computers can reach
TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~-]+")
READY_PATH = "/voila/static/favicon.ico"  # a static file: answers once the server listens, runs no notebook
POOL_SIZE = 2  # preheated kernels waiting for a page (each ~110 MB)
IDLE_TIMEOUT = 300  # seconds without connection nor activity before an abandoned page's kernel is stopped
FILL_DELAY = 3.0  # seconds before the pool starts a kernel to replace one a page took
RELEASE_AFTER = 15.0  # seconds a closed page's kernel waits for its page to reconnect before it is shut down
# an uploaded evidence file comes in one websocket message: tornado's default (10 MiB) drops the page's connection
# without a word; up to this size a file too large is refused by zi-nb with a message (MAX_EVIDENCE_BYTES)
WEBSOCKET_MAX_BYTES = max(64 << 20, MAX_EVIDENCE_BYTES + (4 << 20))
KERNEL_MANAGER = "zi_nb.app.serve_manager.PageKernelManager"
# the ipywidgets 7 manager: the kernels run ipywidgets 8, and the page loads one federated extension less (~0,1 s)
UNUSED_EXTENSIONS = ["@voila-dashboards/widgets-manager7"]
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def needs_token(host: str) -> bool:
    return host.strip().lower() not in LOCAL_HOSTS


def access_token(host: str, token: str | None) -> str:
    """The token the server requires: none on this computer only (unless one is given); on any other address the
    given one, or a new random one when none is given. An empty, short or not URL-safe token given for another
    address is refused (:class:`ParameterError`): anyone who can reach the address could use the workbench."""
    if token and not TOKEN_CHARS.fullmatch(token):
        raise ParameterError("Token hanya boleh berisi huruf, angka, '-', '_', '.' dan '~' (tanpa spasi), agar "
                             "alamat yang dibagikan tetap utuh.")
    if not needs_token(host):
        return token or ""
    if token is None:
        return secrets.token_urlsafe(24)
    if len(token) < MIN_TOKEN:
        raise ParameterError(
            f"Alamat '{host}' dapat dijangkau komputer lain, jadi server wajib memakai token akses minimal "
            f"{MIN_TOKEN} karakter (token yang diberikan: {len(token)} karakter). Jalankan tanpa --token agar token "
            "dibuat otomatis, berikan token yang lebih panjang, atau pakai --host 127.0.0.1 untuk komputer ini saja.")
    return token


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def server_env(input_path: str = "", units_path: str = "", ledger_path: str = "", tier: str = "tpi",
               evaluator: str = "", base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the voila process: the workbench parameters as absolute paths (see the module doc)."""
    env = dict(os.environ if base is None else base)
    env.pop("QUERY_STRING", None)
    env.update({
        "ZI_NB_INPUT": str(Path(input_path).resolve()) if input_path else "",
        "ZI_NB_UNITS": str(Path(units_path).resolve()) if units_path else "",
        "ZI_NB_LEDGER": str(Path(ledger_path or default_path()).resolve()),
        "ZI_NB_TIER": tier,
        "ZI_NB_EVALUATOR": evaluator.strip(),
        "ZI_NB_UNIT": "",
    })
    return env


def cull_interval(idle_timeout: int) -> int:
    """How often (seconds) the culler looks for abandoned kernels: a fifth of the timeout, 1 to 60 s."""
    return max(1, min(60, idle_timeout // 5))


def voila_command(host: str, port: int, token: str = "", notebook: Path = NOTEBOOK, pool: int = POOL_SIZE,
                  idle_timeout: int = IDLE_TIMEOUT, run_dir: Path | None = None,
                  release_after: float = RELEASE_AFTER) -> list[str]:
    """The voila command line: one notebook, no browser, the exact port, tracebacks hidden from the page; the kernel
    policy of the module doc (pool of preheated kernels, culling of abandoned ones, connection files in
    ``run_dir``)."""
    cmd = [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}", f"--Voila.ip={host}",
           "--Voila.port_retries=0", f"--token={token}", "--theme=light", "--show_tracebacks=False",
           f"--VoilaConfiguration.extension_denylist={UNUSED_EXTENSIONS!r}",
           f"--VoilaConfiguration.multi_kernel_manager_class={KERNEL_MANAGER}",
           f"--PageKernelManager.release_after={release_after}",
           f"--Voila.tornado_settings={{'websocket_max_message_size': {WEBSOCKET_MAX_BYTES}}}"]
    if pool > 0:
        cmd += ["--preheat_kernel=True", f"--pool_size={pool}", f"--VoilaKernelManager.fill_delay={FILL_DELAY}"]
    if idle_timeout > 0:
        cmd += [f"--MappingKernelManager.cull_idle_timeout={idle_timeout}",
                f"--MappingKernelManager.cull_interval={cull_interval(idle_timeout)}",
                "--MappingKernelManager.cull_connected=False", "--MappingKernelManager.cull_busy=False"]
    if run_dir is not None:
        cmd.append(f"--Voila.connection_dir_root={run_dir / 'kernels'}")
    return cmd


@dataclass
class Server:
    """A running voila process serving the workbench."""

    process: subprocess.Popen
    host: str
    port: int
    token: str
    log: Path | None = None
    run_dir: Path | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        shown = socket.gethostname() if self.host in ("0.0.0.0", "::", "") else self.host
        shown = f"[{shown}]" if ":" in shown else shown
        return f"http://{shown}:{self.port}/" + (f"?token={self.token}" if self.token else "")

    @property
    def local_url(self) -> str:
        """The URL to reach the server from this computer (with the token when there is one)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "localhost", "") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/" + (f"?token={self.token}" if self.token else "")

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Return once the server answers; :class:`ZiError` when it exits or does not answer within ``timeout``."""
        base = self.local_url.split("?", 1)[0].rstrip("/")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ZiError(f"voila berhenti (status {self.process.returncode}) sebelum siap."
                              + (f" Lihat {self.log}." if self.log else ""))
            try:
                with urllib.request.urlopen(base + READY_PATH, timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)
        raise ZiError(f"voila tidak menjawab dalam {timeout:.0f} detik di {base}.")

    @property
    def mark(self) -> str:
        """What names every process of this server on its command line (its own folder; see serve_procs)."""
        return str(self.run_dir) if self.run_dir else f"--port={self.port}"

    def kernels(self) -> list[psutil.Process]:
        """The kernels running for this server (preheated ones included)."""
        return serve_procs.kernels(self.process.pid, self.mark)

    def memory(self) -> int:
        """Resident memory (bytes) of voila and every kernel of this server."""
        return serve_procs.rss(serve_procs.tree(self.process.pid, self.mark))

    def stop(self, timeout: float = 15.0) -> None:
        """Stop voila (SIGTERM: it shuts its kernels down), then kill whatever of the server is left."""
        seen = serve_procs.tree(self.process.pid, self.mark)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        serve_procs.kill_leftovers(self.process.pid, self.mark, seen)
        if self.run_dir is not None:
            shutil.rmtree(self.run_dir, ignore_errors=True)


def start(input_path: str = "", units_path: str = "", ledger_path: str = "", host: str = "127.0.0.1",
          port: int = 8866, evaluator: str = "", tier: str = "tpi", token: str | None = None,
          log: str | Path | None = None, pool: int = POOL_SIZE, idle_timeout: int = IDLE_TIMEOUT,
          release_after: float = RELEASE_AFTER) -> Server:
    """Start voila on the workbench notebook (not waiting for it: see :meth:`Server.wait_ready`)."""
    if tier not in REVIEW_TIERS:
        raise ParameterError(f"Tingkat '{tier}' tidak sah; penilai bekerja pada tingkat tpi atau tpn.")
    for label, path in (("Berkas masukan", input_path), ("Berkas metadata unit", units_path)):
        if path and not Path(path).is_file():
            raise ParameterError(f"{label} '{path}' tidak ditemukan.")
    if not 0 < int(port) < 65536:
        raise ParameterError(f"Port {port} tidak sah.")
    if int(pool) < 0 or int(idle_timeout) < 0:
        raise ParameterError("Jumlah kernel siap pakai (--pool) dan batas diam (--idle-timeout) tidak boleh negatif.")
    if not NOTEBOOK.is_file():
        raise ZiError(f"Notebook workbench {NOTEBOOK} tidak ditemukan.")
    try:
        import voila  # noqa: F401
    except ImportError:
        raise ZiError("voila belum terpasang: jalankan `pip install voila` (atau `make setup`).") from None
    token = access_token(host, token)
    if not port_free(host, int(port)):
        raise ParameterError(f"Port {port} di {host} sudah dipakai; pilih port lain dengan --port.")
    run_dir = Path(tempfile.mkdtemp(prefix="zi-nb-serve-")).resolve()
    (run_dir / "kernels").mkdir()
    env = server_env(input_path, units_path, ledger_path, tier, evaluator)
    env["IPYTHONDIR"] = str(write_profile(run_dir / "ipython"))  # the kernels' warm-up and request wait
    connect = "127.0.0.1" if host in ("0.0.0.0", "localhost", "") else "[::1]" if host == "::" else host
    env["VOILA_APP_IP"] = f"[{connect}]" if ":" in connect and not connect.startswith("[") else connect
    out = open(log, "ab") if log else None  # noqa: SIM115 (None: voila writes to this terminal)
    try:
        process = subprocess.Popen(voila_command(host, int(port), token, pool=int(pool),
                                                 idle_timeout=int(idle_timeout), run_dir=run_dir,
                                                 release_after=release_after),
                                   cwd=str(NOTEBOOK.parent), env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
    except BaseException:
        shutil.rmtree(run_dir, ignore_errors=True)
        raise
    finally:
        if out is not None:
            out.close()
    return Server(process, host, int(port), token, Path(log) if log else None, run_dir)


@contextlib.contextmanager
def stop_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP end the server like Ctrl+C (``KeyboardInterrupt``), so that it stops voila and every
    kernel instead of dying and leaving them holding the port. Only in the main thread (where signals arrive)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    old = {sig: signal.signal(sig, interrupt) for sig in STOP_SIGNALS if sig != signal.SIGINT}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def signals_ignored() -> Iterator[None]:
    """While stopping: a second Ctrl+C or SIGTERM must not cut the clean-up short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def serve(input_path: str = "", units_path: str = "", ledger_path: str = "", host: str = "127.0.0.1",
          port: int = 8866, evaluator: str = "", tier: str = "tpi", token: str | None = None,
          echo: Callable[[str], None] = print, pool: int = POOL_SIZE, idle_timeout: int = IDLE_TIMEOUT) -> int:
    """Serve the workbench until interrupted (Ctrl+C, SIGTERM, SIGHUP); returns voila's exit status (0 once
    interrupted and stopped cleanly)."""
    with stop_signals():
        server = start(input_path, units_path, ledger_path, host, port, evaluator, tier, token, pool=pool,
                       idle_timeout=idle_timeout)
        try:
            server.wait_ready()
            ledger = server_env(ledger_path=ledger_path)["ZI_NB_LEDGER"]
            echo(f"Workbench penilai berjalan: {server.url}")
            if server.token:
                echo("Bagikan alamat lengkap di atas (dengan token) hanya kepada evaluator; tanpa token akses ditolak.")
            echo(f"Masukan: {input_path or 'data contoh bawaan'} · tingkat {tier.upper()} · ledger {ledger}")
            echo(f"Kernel: {pool} siap pakai, satu per halaman terbuka; halaman yang ditinggalkan dilepas setelah "
                 + (f"{idle_timeout} detik tanpa aktivitas." if idle_timeout else "server dihentikan."))
            echo("Tekan Ctrl+C untuk berhenti.")
            return server.process.wait()
        except KeyboardInterrupt:
            echo("Menghentikan server dan semua kernel…")
            return 0
        finally:
            with signals_ignored():
                server.stop()
                if not serve_procs.wait_port_free(host if host not in ("", "localhost") else "127.0.0.1", port):
                    echo(f"Peringatan: port {port} masih dipakai setelah server dihentikan.")
                else:
                    echo("Dihentikan.")
