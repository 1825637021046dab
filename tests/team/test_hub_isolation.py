"""``zi-nb hub --isolasi pengguna``: each user's server (and the kernel behind the app) runs as a system user of its
own, which cannot write the ledger nor read the hub's state; its writes reach the ledger through the ledger service
only, under the hub user's name. A real hub, proxy, service and user server (as root, as CI runs)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import zi_nb
from tests.helpers import ensure_npm_package
from tests.team.hubtools import free_port, login, start_server, token_of, wait_hub
from tests.team.teams import team_yaml
from zi_nb.review.ledger import Ledger
from zi_nb.team.hub import hub_config, start_hub, stop_hub
from zi_nb.team.spawner import ensure_system_user, system_name
from zi_nb.team.status import transition
from zi_nb.team.teamfile import load_team

TEAM = team_yaml(["budi", "sari"], unit="u1", kuota=1)
ANSWER = {"unit_id": "u1", "code": "PPA1A", "answer": "Ya", "tier": "tpi", "note": "dokumen lengkap"}


def test_names_of_system_users():
    assert system_name("budi") == "zi-budi" and system_name("tpn.wati") == "zi-tpn.wati"
    with pytest.raises(ValueError, match="pengguna sistem"):
        system_name("x" * 40)


def test_config_of_the_isolation(tmp_path):
    from zi_nb.errors import ParameterError

    team = tmp_path / "tim.yaml"
    team.write_text(TEAM, encoding="utf-8")
    text = hub_config(team, tmp_path / "l.sqlite", tmp_path / "hub", 8123, proxy="/bin/true", as_root=True,
                      isolation="pengguna", home_root="/srv/zi-homes")
    assert 'c.JupyterHub.spawner_class = "zi_nb.team.spawner.SystemUserSpawner"' in text
    assert "c.SystemUserSpawner.home_root = '/srv/zi-homes'" in text and "SimpleLocalProcessSpawner" not in text
    with pytest.raises(ParameterError, match="root"):
        hub_config(team, tmp_path / "l.sqlite", tmp_path / "hub", 8123, proxy="/bin/true", as_root=False,
                   isolation="pengguna")
    with pytest.raises(ParameterError, match="tidak dikenal"):
        hub_config(team, tmp_path / "l.sqlite", tmp_path / "hub", 8123, proxy="/bin/true", isolation="kontainer")


def as_user(user: str, code: str) -> subprocess.CompletedProcess:
    """Python ``code`` run as the system user ``user``."""
    return subprocess.run(["runuser", "-u", user, "--", sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd="/")


@pytest.mark.slow
def test_a_users_server_cannot_reach_the_ledger_but_the_service_writes_for_it():
    import psutil
    import requests

    if os.geteuid() != 0:
        pytest.fail("--isolasi pengguna needs the hub to run as root (CI runs as root)")
    if shutil.which("useradd") is None or shutil.which("runuser") is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "passwd", "util-linux"], check=True, capture_output=True)
    proxy = ensure_npm_package("configurable-http-proxy", "configurable-http-proxy")
    work = Path(tempfile.mkdtemp(prefix="zi-isolasi-", dir="/tmp"))  # not under pytest's 0700 folder:
    work.chmod(0o755)  # the system users must reach their homes under it, and be stopped only by the files' modes
    team, ledger, log = work / "tim.yaml", work / "data" / "ledger.sqlite", work / "hub.log"
    team.write_text(TEAM, encoding="utf-8")
    ledger.parent.mkdir()
    ledger.parent.chmod(0o755)
    Ledger(ledger)  # made before the hub, with the usual 0644: the hub makes it private
    port, hub_port, api_port, service_port = (free_port() for _ in range(4))
    base = f"http://127.0.0.1:{port}"
    existed = {name for name in ("zi-budi", "zi-sari") if _exists(name)}
    for name in ("zi-budi", "zi-sari"):
        ensure_system_user(name, str(work / "homes"))
    # this machine's Python may live under /root (0700): let the test's users through the folders on the way
    # (production installs zi-nb where everyone may run it, e.g. /opt/zi-nb; the spawner says so otherwise)
    granted = grant_traverse(("zi-budi", "zi-sari"), [Path(sys.executable).resolve(), Path(sys.prefix),
                                                      Path(zi_nb.__file__).resolve().parent])
    process = start_hub(team, ledger, work / "hub", port, log=log, ip="127.0.0.1", hub_port=hub_port,
                        proxy_api_port=api_port, service_port=service_port, proxy=proxy, isolation="pengguna",
                        home_root=str(work / "homes"))
    try:
        wait_hub(base, process, log)
        assert ledger.stat().st_mode & 0o777 == 0o600
        transition(Ledger(ledger), load_team(team), "sari", "u1", "diajukan", via="cli")
        session = login(base, "budi", "rahasia-budi-1")
        token = token_of(base, session, "budi")
        start_server(base, "budi", token, timeout=120)
        system = pwd.getpwnam("zi-budi")
        page = session.get(f"{base}/user/budi/", timeout=120)  # the app renders as zi-budi, with its kernel
        assert page.status_code == 200 and '"kernelId"' in page.text, page.text[-2000:]
        mine = [p for p in psutil.Process(process.pid).children(recursive=True)
                if p.uids().real == system.pw_uid]
        commands = [" ".join(p.cmdline()) for p in mine]
        assert any("jupyterhub.singleuser" in c for c in commands), commands  # the server ...
        assert any("ipykernel" in c for c in commands), commands  # ... and the app's kernel run as zi-budi
        assert Path(system.pw_dir).stat().st_mode & 0o777 == 0o700
        # code run as that user cannot write the ledger, nor read the hub's state
        tried = as_user("zi-budi", f"import sqlite3; db = sqlite3.connect({str(ledger)!r}); "
                                   "db.execute('DELETE FROM records'); db.commit()")
        assert tried.returncode != 0 and ("unable to open" in tried.stderr or "readonly" in tried.stderr
                                          or "Permission" in tried.stderr), tried.stderr
        tried = as_user("zi-budi", f"open({str(work / 'hub' / 'jupyterhub.sqlite')!r}, 'rb').read(1)")
        assert tried.returncode != 0 and "PermissionError" in tried.stderr, tried.stderr
        # ... while the ledger service writes for budi (and only as budi)
        resp = requests.post(f"{base}/services/zi-ledger/api/answer", json={**ANSWER, "evaluator": "sari"},
                             headers={"Authorization": f"token {token}"}, timeout=30)
        assert resp.status_code == 200, resp.text
        [answer] = [r for r in Ledger(ledger).records() if r.kind == "answer"]
        assert answer.evaluator == "hub:budi (Budi Santoso, NIP 198001012005011001)"
        assert Ledger(ledger).verify() == []
    finally:
        stop_hub(process)
        print(log.read_text(errors="replace")[-6000:])  # shown when the test fails
        for folder, name in granted:
            subprocess.run(["setfacl", "-x", f"u:{name}", str(folder)], capture_output=True)
        for name in ("zi-budi", "zi-sari"):
            if name not in existed and _exists(name):
                subprocess.run(["userdel", name], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


def grant_traverse(users: tuple[str, ...], paths: list[Path]) -> list[tuple[Path, str]]:
    """Give ``users`` the right to pass through (x, by ACL) every folder above ``paths`` that others may not pass;
    the (folder, user) pairs granted, to take back."""
    if shutil.which("setfacl") is None:
        subprocess.run(["apt-get", "install", "-y", "-q", "acl"], check=True, capture_output=True)
    granted = []
    folders = {parent for path in paths for parent in path.parents}
    for folder in sorted(folders):
        if folder.stat().st_mode & 0o001:
            continue
        for name in users:
            subprocess.run(["setfacl", "-m", f"u:{name}:x", str(folder)], check=True, capture_output=True)
            granted.append((folder, name))
    return granted


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
