"""One system user per team member for the user servers of the team server (``zi-nb hub --isolasi pengguna``).

With JupyterHub's ``SimpleLocalProcessSpawner`` every user's server (and the kernel behind voila, which runs code)
runs as the hub's own system user, so code in a user's kernel could open the ledger file and write it directly,
past the ledger service. :class:`SystemUserSpawner` (a :class:`jupyterhub.spawner.LocalProcessSpawner`) starts the
server of hub user ``budi`` as the system user ``zi-budi`` instead, created at the first start (``useradd``, a home
folder of its own, mode 0700, no login shell) when it does not exist yet. That user cannot read or write what the
hub keeps (its state folder is 0700) nor the ledger and the evidence store (:func:`zi_nb.team.hub.private_ledger`
at start, and the ledger service creates its files with umask 077), so the only way to write a record is the
ledger service, which names the hub user of the caller's token. The hub must run as root to start processes as
other users, and zi-nb's Python must be readable by all (:func:`check_reachable`).

System names are :data:`PREFIX` + the hub username (never an existing system account such as ``backup`` or
``www-data``); team usernames are lower-case letters, digits, ``.``, ``-`` and ``_`` (:mod:`zi_nb.team.teamfile`),
which ``useradd`` accepts, and at most :data:`MAX_NAME` characters with the prefix.
"""

from __future__ import annotations

import pwd
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Unicode

PREFIX = "zi-"
MAX_NAME = 32  # characters of a Linux user name
NAME = re.compile(r"[a-z_][a-z0-9._-]*")
HOME_ROOT = "/home"


def system_name(username: str) -> str:
    """The system user of hub user ``username`` (``budi`` -> ``zi-budi``); ValueError for a name ``useradd`` would
    refuse."""
    name = PREFIX + username
    if len(name) > MAX_NAME or not NAME.fullmatch(name):
        raise ValueError(f"Username '{username}' tidak dapat menjadi pengguna sistem '{name}' (huruf kecil, angka, "
                         f"'.', '-', '_'; paling panjang {MAX_NAME - len(PREFIX)} karakter).")
    return name


def ensure_system_user(name: str, home_root: str = HOME_ROOT) -> pwd.struct_passwd:
    """The system user ``name``, created when missing: its own group, home folder ``<home_root>/<name>`` (0700), no
    login shell."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    home = Path(home_root) / name
    Path(home_root).mkdir(mode=0o755, parents=True, exist_ok=True)
    subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
                    "--user-group", name], check=True, capture_output=True)
    home.chmod(0o700)
    return pwd.getpwnam(name)


class SystemUserSpawner(LocalProcessSpawner):
    """:class:`LocalProcessSpawner` as the system user :func:`system_name` of the hub user, created when missing."""

    home_root = Unicode(HOME_ROOT, config=True, help="Folder under which the system users' home folders are made.")

    @property
    def system_user(self) -> str:
        return system_name(self.user.name)

    def make_preexec_fn(self, name: str) -> Any:
        return super().make_preexec_fn(self.system_user)

    def user_env(self, env: dict[str, str]) -> dict[str, str]:
        found = pwd.getpwnam(self.system_user)
        env.update(USER=found.pw_name, HOME=found.pw_dir, SHELL=found.pw_shell or "/usr/sbin/nologin")
        return env

    async def start(self) -> Any:
        ensure_system_user(self.system_user, self.home_root)
        check_reachable(self.system_user, [self.cmd[0] if self.cmd else sys.executable, self.notebook_dir])
        return await super().start()


def check_reachable(name: str, paths: list[str]) -> None:
    """Refuse (RuntimeError, shown by the hub as the spawn's failure) when the system user ``name`` cannot run the
    Python of zi-nb or read the app's notebook folder: e.g. zi-nb installed under /root (mode 0700)."""
    for path in paths:
        if not path:
            continue
        test = "-x" if Path(path).is_file() else "-r"
        found = subprocess.run(["runuser", "-u", name, "--", "test", test, path], capture_output=True)
        if found.returncode != 0:
            raise RuntimeError(f"Pengguna sistem {name} tidak dapat membuka {path}: pasang zi-nb (Python dan venv-nya) "
                               "di folder yang dapat dibaca dan dijalankan semua pengguna, mis. /opt/zi-nb, bukan di "
                               "bawah /root; lalu jalankan hub lagi.")
