"""Report kernels (zi_nb.report.kernel): a fresh kernel for one report listens on IPC sockets in a private folder (no
TCP port) and is gone with its folder afterwards; ``zi-nb report`` uses it; a start that fails under load is tried
again with a longer wait, and when every attempt fails the error says so in one sentence."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from zi_nb.errors import WorkerError
from zi_nb.report import kernel, runner
from zi_nb.report.runner import report_parameters, run_report


def test_fresh_kernel_uses_private_ipc_sockets_and_leaves_nothing():
    with kernel.fresh_kernel() as worker:
        info = json.loads(Path(worker.km.connection_file).read_text())
        folder = Path(worker.ipc_dir)
        assert info["transport"] == "ipc" and info["ip"].startswith(str(folder))
        assert stat.S_IMODE(folder.stat().st_mode) & 0o777 == 0o700  # no other user can reach the sockets
        pid = worker.km.provisioner.pid
        os.kill(pid, 0)  # running
    assert not folder.exists()
    try:
        os.kill(pid, 0)
        alive = Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] not in ("Z", "X")
    except (ProcessLookupError, FileNotFoundError, IndexError):
        alive = False
    assert not alive


def test_report_runs_in_a_fresh_ipc_kernel(tmp_path, monkeypatch):
    used = []
    original = kernel.fresh_kernel

    def recording():
        used.append(True)
        return original()

    monkeypatch.setattr(runner, "fresh_kernel", recording)
    files = run_report(report_parameters("", "kua-sukamaju", run_id="uji"), tmp_path)
    assert used == [True] and files.html.is_file()


def test_a_kernel_start_that_fails_is_tried_again_with_a_longer_wait(monkeypatch):
    waits = []
    original = kernel.Kernel._start_once

    def flaky(self, timeout):
        waits.append(timeout)
        if len(waits) == 1:  # as on a busy machine: the kernel died before replying to kernel_info
            raise RuntimeError("Kernel died before replying to kernel_info")
        return original(self, timeout)

    monkeypatch.setattr(kernel.Kernel, "_start_once", flaky)
    k = kernel.Kernel(startup_timeout=30, attempts=3)
    try:
        k.start()
        assert k.is_alive()
    finally:
        k.close()
    assert waits == [30, 60]


def test_a_kernel_that_never_answers_is_a_clear_error(monkeypatch):
    waits = []

    def dying(self, timeout):
        waits.append(timeout)
        self.ipc_dir = "/nonexistent-zi-nb-test"  # as a half-started attempt leaves it: close() must clear it
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(kernel.Kernel, "_start_once", dying)
    k = kernel.Kernel(startup_timeout=5, attempts=3)
    with pytest.raises(WorkerError) as err:
        k.start()
    message = str(err.value)
    assert waits == [5, 10, 20]
    assert message.startswith("Kernel Jupyter tidak dapat dimulai setelah 3 kali percobaan (menunggu hingga 20 detik")
    assert "Kernel died before replying" in message and "Traceback" not in message
    assert k.km is None and k.ipc_dir is None  # nothing left behind
