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
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from zi_nb.common.domain import REVIEW_TIERS
from zi_nb.common.resources import notebook
from zi_nb.errors import ParameterError, ZiError
from zi_nb.review.ledger import default_path

NOTEBOOK = notebook("evaluator")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
MIN_TOKEN = 16  # characters of a token given for an address other computers can reach
TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~-]+")
READY_PATH = "/voila/static/favicon.ico"  # a static file: answers once the server listens, runs no notebook


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


def port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


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


def voila_command(host: str, port: int, token: str = "", notebook: Path = NOTEBOOK) -> list[str]:
    """The voila command line: one notebook, no browser, the exact port, tracebacks hidden from the page."""
    return [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}", f"--Voila.ip={host}",
            "--Voila.port_retries=0", f"--token={token}", "--theme=light", "--show_tracebacks=False"]


@dataclass
class Server:
    """A running voila process serving the workbench."""

    process: subprocess.Popen
    host: str
    port: int
    token: str
    log: Path | None = None
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

    def stop(self, timeout: float = 10.0) -> None:
        """Stop voila and the kernels it started (its own process group)."""
        if self.process.poll() is None:
            self.process.terminate()  # voila shuts its kernels down on SIGTERM
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        try:  # anything of ours left behind (a kernel voila did not stop)
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def start(input_path: str = "", units_path: str = "", ledger_path: str = "", host: str = "127.0.0.1",
          port: int = 8866, evaluator: str = "", tier: str = "tpi", token: str | None = None,
          log: str | Path | None = None) -> Server:
    """Start voila on the workbench notebook (not waiting for it: see :meth:`Server.wait_ready`)."""
    if tier not in REVIEW_TIERS:
        raise ParameterError(f"Tingkat '{tier}' tidak sah; penilai bekerja pada tingkat tpi atau tpn.")
    for label, path in (("Berkas masukan", input_path), ("Berkas metadata unit", units_path)):
        if path and not Path(path).is_file():
            raise ParameterError(f"{label} '{path}' tidak ditemukan.")
    if not 0 < int(port) < 65536:
        raise ParameterError(f"Port {port} tidak sah.")
    if not NOTEBOOK.is_file():
        raise ZiError(f"Notebook workbench {NOTEBOOK} tidak ditemukan.")
    try:
        import voila  # noqa: F401
    except ImportError:
        raise ZiError("voila belum terpasang: jalankan `pip install voila` (atau `make setup`).") from None
    token = access_token(host, token)
    if not port_free(host, int(port)):
        raise ParameterError(f"Port {port} di {host} sudah dipakai; pilih port lain dengan --port.")
    out = open(log, "ab") if log else None  # noqa: SIM115 (None: voila writes to this terminal)
    try:
        process = subprocess.Popen(voila_command(host, int(port), token), cwd=str(NOTEBOOK.parent),
                                   env=server_env(input_path, units_path, ledger_path, tier, evaluator),
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    finally:
        if out is not None:
            out.close()
    return Server(process, host, int(port), token, Path(log) if log else None)


def serve(input_path: str = "", units_path: str = "", ledger_path: str = "", host: str = "127.0.0.1",
          port: int = 8866, evaluator: str = "", tier: str = "tpi", token: str | None = None,
          echo: Callable[[str], None] = print) -> int:
    """Serve the workbench until interrupted (Ctrl+C); returns voila's exit status (0 after Ctrl+C)."""
    server = start(input_path, units_path, ledger_path, host, port, evaluator, tier, token)
    try:
        server.wait_ready()
        ledger = server_env(ledger_path=ledger_path)["ZI_NB_LEDGER"]
        echo(f"Workbench penilai berjalan: {server.url}")
        if server.token:
            echo("Bagikan alamat lengkap di atas (dengan token) hanya kepada evaluator; tanpa token akses ditolak.")
        echo(f"Masukan: {input_path or 'data contoh bawaan'} · tingkat {tier.upper()} · ledger {ledger}")
        echo("Tekan Ctrl+C untuk berhenti.")
        return server.process.wait()
    except KeyboardInterrupt:
        echo("Dihentikan.")
        return 0
    finally:
        server.stop()
