"""Kernels of zi_nb.bulk.warm: a fresh kernel for one report listens on IPC sockets in a private folder (no TCP port),
and is gone with its folder afterwards; ``zi-nb report`` uses it."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from zi_nb.bulk.run import warm
from zi_nb.report.runner import report_parameters, run_report


def test_fresh_kernel_uses_private_ipc_sockets_and_leaves_nothing():
    with warm.fresh_kernel() as worker:
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
    original = warm.fresh_kernel

    def recording():
        used.append(True)
        return original()

    monkeypatch.setattr(warm, "fresh_kernel", recording)
    files = run_report(report_parameters("", "kua-sukamaju", run_id="uji"), tmp_path)
    assert used == [True] and files.html.is_file()
