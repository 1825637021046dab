"""The processes of one ``zi-nb serve``: voila and the kernels it starts, found, measured and stopped.

jupyter_client starts every kernel in a session of its own (so that Ctrl+C in the terminal does not reach it), so
killing voila's process group does not reach the kernels, and a kernel whose voila died is re-parented and no longer
a child. Every kernel of one server is therefore recognised by its command line: its connection file lives in the
server's own folder (``--Voila.connection_dir_root``), which no other process names.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
from collections.abc import Iterable

import psutil

KERNEL_MARK = "ipykernel_launcher"


def port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _cmdline(proc: psutil.Process) -> str:
    try:
        return " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return ""


def marked(mark: str) -> list[psutil.Process]:
    """Every live process whose command line contains ``mark`` (a server's own folder)."""
    found = []
    for proc in psutil.process_iter():
        if proc.pid != os.getpid() and mark in _cmdline(proc):
            found.append(proc)
    return found


def tree(pid: int, mark: str = "") -> list[psutil.Process]:
    """``pid`` and its descendants, plus any process naming ``mark`` (kernels that outlived their parent)."""
    procs: dict[int, psutil.Process] = {}
    try:
        root = psutil.Process(pid)
        procs[pid] = root
        procs.update((p.pid, p) for p in root.children(recursive=True))
    except psutil.NoSuchProcess:
        pass
    if mark:
        procs.update((p.pid, p) for p in marked(mark))
    return list(procs.values())


def kernels(pid: int, mark: str = "") -> list[psutil.Process]:
    """The kernel processes of the server whose voila is ``pid``."""
    return [p for p in tree(pid, mark) if p.pid != pid and KERNEL_MARK in _cmdline(p)]


def rss(procs: Iterable[psutil.Process]) -> int:
    """Resident memory of ``procs`` in bytes (processes gone meanwhile count 0)."""
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            total += proc.memory_info().rss
    return total


def _kill(procs: Iterable[psutil.Process], sig: int) -> None:
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            proc.send_signal(sig)


def kill_leftovers(pid: int, mark: str, seen: Iterable[psutil.Process] = ()) -> int:
    """After voila (``pid``) has exited or been killed: stop everything of the server still alive (SIGTERM, then
    SIGKILL after 3 s): its process group, the processes in ``seen`` (taken before voila was stopped), its remaining
    descendants and every process naming ``mark``. Returns how many there were."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    left = []
    for proc in {p.pid: p for p in [*seen, *tree(pid, mark)]}.values():
        with contextlib.suppress(psutil.NoSuchProcess, psutil.ZombieProcess):
            if proc.pid != pid and proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                left.append(proc)
    _kill(left, signal.SIGTERM)
    _, alive = psutil.wait_procs(left, timeout=3)
    _kill(alive, signal.SIGKILL)
    psutil.wait_procs(alive, timeout=3)
    return len(left)


def wait_port_free(host: str, port: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_free(host, port):
            return True
        time.sleep(0.1)
    return port_free(host, port)

