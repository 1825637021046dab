"""The multi-user server: JupyterHub in front of the zi-nb evaluator app, one server per evaluator.

``zi-nb hub --team TEAM.yaml`` writes ``<state-dir>/jupyterhub_config.py`` (:func:`hub_config`, every option
commented in the file itself) and runs ``jupyterhub -f`` on it (:func:`run_hub`; Ctrl+C stops the hub, the proxy,
the ledger service and every user's server). What it sets up:

- **proxy**: configurable-http-proxy (npm: ``npm install -g configurable-http-proxy``), found on PATH
  (:func:`find_proxy`); the hub listens behind it on 127.0.0.1 only.
- **login**: FirstUseAuthenticator (``jupyterhub-firstuseauthenticator``): only the team file's usernames may log in,
  and each one's password is set at the first login (give each evaluator their first login yourself, or tell them
  to log in at once). LDAP (``ldapauthenticator.LDAPAuthenticator``) or OAuth (``oauthenticator``, e.g.
  ``GenericOAuthenticator`` against the instansi's SSO) drop in by changing ``authenticator_class`` and its own
  settings in the file; keep ``allowed_users`` and ``admin_users`` as they are: the team file stays the list of who
  may work, and the usernames must be the same as the identity provider's.
- **inputs**: ``--input``/``--units`` (as ``zi-nb serve``; default the bundled sample) reach every user's server as
  ``ZI_NB_INPUT``/``ZI_NB_UNITS`` (absolute paths) and the ledger service as ``--input``/``--units``; the service
  reads them once at start (progress, predikat and risk in the overview and "Tugas saya").
- **servers**: one jupyter server per user (``SimpleLocalProcessSpawner``, home folder ``<state-dir>/users/<name>``)
  that opens on the evaluator app rendered by voila (``/voila/render/evaluator.ipynb``, the notebook
  :func:`zi_nb.common.resources.notebook` finds, as ``zi-nb serve`` does). Non-admins get no JupyterLab and no
  terminals: the ``jupyterlab``, ``notebook`` and ``jupyter_server_terminals`` server extensions are disabled and
  ``ServerApp.terminals_enabled=False``, user config is ignored (``Spawner.disable_user_config``), and the start page
  is voila's; admins (team role ``admin``) get JupyterLab (``/lab``) and terminals instead (``pre_spawn_hook``).
  This shapes what is offered, it is not a sandbox: the kernel behind voila runs code, so what a user *may write*
  is decided by the ledger service, never by their server.
- **ledger service** ``zi-ledger`` (:mod:`zi_nb.team.service`), managed by the hub: it alone writes ledger records
  for hub users, naming the hub user who owns the request's token. The service holds no hub scope (it resolves a
  token by calling ``/hub/api/user`` with that very token); the role ``zi-ledger-user`` gives the team's users
  ``access:services!service=zi-ledger``, and ``Spawner.server_token_scopes`` passes it on to the
  ``JUPYTERHUB_API_TOKEN`` of their servers. The user's server gets ``ZI_NB_SERVICE_URL`` and nothing secret
  besides that per-user token.

Isolation (:data:`ISOLATION`, ``zi-nb hub --isolasi``): ``pengguna`` (for real use; the hub runs as root) starts
each user's server as a system user of its own (:class:`zi_nb.team.spawner.SystemUserSpawner`: ``zi-<username>``,
created at first start), which can read neither the hub's state folder (0700) nor the ledger and the evidence store
(made private by :func:`private_ledger` and the service's umask): code run in a user's kernel cannot write a record
except through the ledger service. ``bersama`` (``SimpleLocalProcessSpawner``, the default, for one trusted machine
and for tests) runs every server as the hub's own system user (root, when the hub runs as root: the single-user
servers then need ``--allow-root``, set automatically), so code run in a kernel could read the hub's files and write
the ledger file directly. ``dockerspawner.DockerSpawner`` (a container per user, without the ledger) is the other
way: change ``spawner_class`` and its own settings in the file.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from zi_nb.common.resources import notebook
from zi_nb.common.version import __version__
from zi_nb.errors import ParameterError, ZiError
from zi_nb.team.service import ACCESS_SCOPE, PREFIX, SERVICE_NAME, load_team, team_users

NOTEBOOK = notebook("evaluator")
PROXY_COMMAND = "configurable-http-proxy"
PROXY_INSTALL = "npm install -g configurable-http-proxy"
CONFIG_NAME = "jupyterhub_config.py"
VOILA_URL = f"/voila/render/{NOTEBOOK.name}"
ADMIN_URL = "/lab"
LOCKED_EXTENSIONS = ("jupyterlab", "notebook", "jupyter_server_terminals", "jupyter_lsp", "notebook_shim")
HUB_PORT, PROXY_API_PORT, SERVICE_PORT = 8081, 8001, 8082
IDLE_TIMEOUT = 3600  # s without activity before the idle culler stops a user's server
# --isolasi: how user servers are kept apart -> (spawner class, its settings' lines of the config file)
ISOLATION: dict[str, str] = {
    "bersama": "every server as the hub's own system user (SimpleLocalProcessSpawner; one trusted machine, tests)",
    "pengguna": "every server as a system user of its own, zi-<username> (SystemUserSpawner; the hub runs as root)",
}


def find_proxy() -> str:
    """The path of configurable-http-proxy, or :class:`ZiError` saying how to install it."""
    path = shutil.which(PROXY_COMMAND)
    if path is None:
        raise ZiError(f"{PROXY_COMMAND} tidak ditemukan di PATH. Pasang dengan `{PROXY_INSTALL}` (perlu Node.js "
                      "dan npm), lalu jalankan lagi.")
    return path


def single_user_args(as_root: bool) -> list[str]:
    """The arguments of a non-admin's server: voila only, no JupyterLab, no terminals."""
    disabled = "{" + ", ".join(f"'{e}': False" for e in LOCKED_EXTENSIONS) + ", 'voila': True}"
    args = ["--ServerApp.terminals_enabled=False", f"--ServerApp.jpserver_extensions={disabled}",
            "--VoilaConfiguration.show_tracebacks=False", "--VoilaConfiguration.theme=light"]
    return [*args, "--allow-root"] if as_root else args


def hub_config(team_path: str | Path, ledger_path: str | Path, state_dir: str | Path, port: int = 8000,
               ip: str = "0.0.0.0", hub_port: int = HUB_PORT, proxy_api_port: int = PROXY_API_PORT,
               service_port: int = SERVICE_PORT, proxy: str | None = None, as_root: bool | None = None,
               input_path: str | Path = "", units_path: str | Path = "", idle_timeout: int = IDLE_TIMEOUT,
               isolation: str = "bersama", home_root: str = "/home") -> str:
    """The text of a ``jupyterhub_config.py`` serving the team of ``team_path`` (see the module doc); ``input_path``
    and ``units_path`` (empty: the bundled sample) must exist, and are passed as absolute paths; ``idle_timeout``
    seconds without activity stop a user's server (:data:`CULLER`; 0: never); ``isolation`` one of
    :data:`ISOLATION` (``pengguna``: system users' homes under ``home_root``)."""
    team_file, ledger = Path(team_path).resolve(), Path(ledger_path).resolve()
    inputs = {}
    for option, var, given in (("--input", "ZI_NB_INPUT", input_path), ("--units", "ZI_NB_UNITS", units_path)):
        if str(given) and not Path(given).is_file():
            raise ParameterError(f"Berkas {option} '{given}' tidak ditemukan (yang diharapkan: berkas LKE .xlsx atau "
                                 ".csv yang ada); hub tidak dimulai.")
        inputs[var] = str(Path(given).resolve()) if str(given) else ""
    state = Path(state_dir).resolve()
    users = team_users(load_team(team_file))
    if not users:
        raise ParameterError(f"Berkas tim {team_file} tidak memuat pengguna; hub tidak dapat dimulai.")
    for port_ in (port, hub_port, proxy_api_port, service_port):
        if not 0 < int(port_) < 65536:
            raise ParameterError(f"Port {port_} tidak sah.")
    if isolation not in ISOLATION:
        raise ParameterError(f"--isolasi '{isolation}' tidak dikenal; yang tersedia: {', '.join(ISOLATION)}.")
    if isolation == "pengguna" and (as_root if as_root is not None else os.geteuid() == 0) is False:
        raise ParameterError("--isolasi pengguna memerlukan hub yang berjalan sebagai root (untuk memulai server "
                             "sebagai pengguna sistem masing-masing).")
    if int(idle_timeout) < 0:
        raise ParameterError(f"--idle-timeout {idle_timeout} tidak sah: detik tanpa aktivitas (0 = tidak pernah).")
    if len({port, hub_port, proxy_api_port, service_port}) < 4:
        raise ParameterError("Port hub, API proxy, hub internal dan layanan ledger harus berbeda.")
    admins = sorted(u for u, user in users.items() if user.admin)
    root = (os.geteuid() == 0) if as_root is None else as_root
    service_url = f"http://127.0.0.1:{service_port}"
    service_cmd = [sys.executable, "-m", "zi_nb.team.service", "--team", str(team_file), "--ledger", str(ledger),
                   "--port", str(service_port)]
    service_cmd += [a for opt, var in (("--input", "ZI_NB_INPUT"), ("--units", "ZI_NB_UNITS")) if inputs[var]
                    for a in (opt, inputs[var])]
    text = TEMPLATE.format(
        version=__version__, when=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), team=team_file,
        bind_url=repr(f"http://{ip}:{port}"), hub_bind_url=repr(f"http://127.0.0.1:{hub_port}"),
        proxy=repr(proxy or shutil.which(PROXY_COMMAND) or PROXY_COMMAND), proxy_api=repr(f"http://127.0.0.1:{proxy_api_port}"),
        db=repr(f"sqlite:///{state / 'jupyterhub.sqlite'}"), cookie=repr(str(state / "jupyterhub_cookie_secret")),
        pid=repr(str(state / "jupyterhub.pid")), proxy_pid=repr(str(state / "proxy.pid")),
        dbm=repr(str(state / "passwords.dbm")), users=repr(sorted(users)), admins=repr(admins),
        spawner=SPAWNERS[isolation].format(home=repr(str(state / "users" / "{username}")),
                                           home_root=repr(home_root)),
        python=repr(sys.executable),
        notebook_dir=repr(str(NOTEBOOK.parent)), voila_url=repr(VOILA_URL), admin_url=repr(ADMIN_URL),
        args=repr(single_user_args(root)), admin_args=repr(["--allow-root"] if root else []),
        env=repr({"ZI_NB_SERVICE_URL": service_url + PREFIX, **inputs}), name=repr(SERVICE_NAME),
        scope=repr(ACCESS_SCOPE), service_url=repr(service_url), service_cmd=repr(service_cmd),
        token_scopes=repr(["users:activity!user", "access:servers!server", ACCESS_SCOPE]))
    if idle_timeout:
        text += CULLER.format(python=repr(sys.executable), timeout=int(idle_timeout))
    return text


SPAWNERS = {
    "bersama": """\
# isolation 'bersama': SimpleLocalProcessSpawner runs every server as the hub's own system user (one trusted
# machine, tests): code in a user's kernel could reach the hub's files; `zi-nb hub --isolasi pengguna` prevents it
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = {home}  # HOME and working folder, created at first start
""",
    "pengguna": """\
# isolation 'pengguna': every server runs as a system user of its own, zi-<username>, created at first start with
# a home folder (0700) under home_root; it cannot read the hub's state folder nor the ledger (zi_nb.team.spawner)
c.JupyterHub.spawner_class = "zi_nb.team.spawner.SystemUserSpawner"
c.SystemUserSpawner.home_root = {home_root}
""",
}


TEMPLATE = '''\
# jupyterhub_config.py for the zi-nb multi-user server, written by zi-nb {version} on {when}
# from the team file {team}. Generated by `zi-nb hub`: edit the team file and run it again rather than editing this
# file (or pass --config-only and keep your own copy). Run with: jupyterhub -f <this file>
c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

# --- network --------------------------------------------------------------------------------------------------
# the public address: configurable-http-proxy listens here and routes /hub/ to the hub, /user/<name>/ to each
# user's server and /services/zi-ledger/ to the ledger service (put HTTPS in front, e.g. nginx, on a real network)
c.JupyterHub.bind_url = {bind_url}
# the hub itself (API and login pages), reached by the proxy, the servers and the service on this computer only
c.JupyterHub.hub_bind_url = {hub_bind_url}
# the proxy (npm package configurable-http-proxy), started and stopped by the hub
c.JupyterHub.proxy_class = "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [{proxy}]
c.ConfigurableHTTPProxy.api_url = {proxy_api}  # the proxy's REST API (routes), local only
c.ConfigurableHTTPProxy.pid_file = {proxy_pid}
c.ConfigurableHTTPProxy.should_start = True  # the hub starts the proxy and stops it on exit

# --- state (all under the state folder) -----------------------------------------------------------------------
c.JupyterHub.db_url = {db}  # users, servers, tokens
c.JupyterHub.cookie_secret_file = {cookie}  # signs login cookies; kept so logins survive a restart
c.JupyterHub.pid_file = {pid}
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server
c.JupyterHub.cleanup_proxy = True  # ... and the proxy

# --- who may log in -------------------------------------------------------------------------------------------
# FirstUseAuthenticator: the password is set at the user's first login, then required. Drop-in replacements:
#   LDAP:  c.JupyterHub.authenticator_class = "ldapauthenticator.LDAPAuthenticator" (+ c.LDAPAuthenticator.*)
#   OAuth: c.JupyterHub.authenticator_class = "generic-oauth" (+ c.GenericOAuthenticator.*, package oauthenticator)
# keeping allowed_users / admin_users below (usernames must match the identity provider's).
c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
c.FirstUseAuthenticator.create_users = False  # nobody outside the team file gets an account by logging in
c.FirstUseAuthenticator.dbm_path = {dbm}  # the (bcrypt-hashed) passwords
c.FirstUseAuthenticator.min_password_length = 8
c.Authenticator.allowed_users = set({users})  # the team file's usernames
c.Authenticator.admin_users = set({admins})  # team members with the role admin
c.Authenticator.delete_invalid_users = True  # a user removed from the team file loses their hub account

# --- each user's server: the evaluator app only -----------------------------------------------------------------
{spawner}c.Spawner.cmd = [{python}, "-m", "jupyterhub.singleuser"]  # jupyter_server with hub login, this Python
c.Spawner.notebook_dir = {notebook_dir}  # the folder of the bundled evaluator notebook (as zi-nb serve)
c.Spawner.default_url = {voila_url}  # start page: the app rendered by voila
c.Spawner.disable_user_config = True  # ~/.jupyter of the user cannot re-enable JupyterLab or terminals
# no JupyterLab, no classic notebook, no terminals; voila on (admins: see pre_spawn_hook below)
c.Spawner.args = {args}
# the environment of the server and its kernels: the ledger service's address (not a secret) and the units' LKE
# inputs (ZI_NB_INPUT, ZI_NB_UNITS: absolute paths, empty = the bundled sample; the ledger service reads the same);
# the hub adds the user's own JUPYTERHUB_API_TOKEN (scopes below), nothing else secret
c.Spawner.environment = {env}
# the server's JUPYTERHUB_API_TOKEN: report activity, reach its own server, and call the ledger service
c.Spawner.server_token_scopes = {token_scopes}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def pre_spawn_hook(spawner):
    """Admins get JupyterLab and terminals; everybody else the app only."""
    if spawner.user.admin:
        spawner.default_url = {admin_url}
        spawner.args = {admin_args}


c.Spawner.pre_spawn_hook = pre_spawn_hook

# --- the ledger service -------------------------------------------------------------------------------------------
# started and stopped by the hub; the only writer of ledger records for hub users (zi_nb.team.service)
c.JupyterHub.services = [
    {{
        "name": {name},
        "url": {service_url},  # where it listens; the proxy routes /services/zi-ledger/ to it
        "command": {service_cmd},
        "display": False,  # not a page for users: an API
    }},
]
c.JupyterHub.load_roles = [
    {{
        # the team's users may call the ledger service (it decides what each may write); the service itself
        # holds no scope: it asks /hub/api/user with the caller's own token
        "name": "zi-ledger-user",
        "description": "Memanggil layanan ledger zi-nb",
        "scopes": [{scope}],
        "users": {users},
    }},
]
'''


def write_config(path: str | Path, text: str) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    out.chmod(0o600)
    return out


def hub_command(config: Path) -> list[str]:
    return [sys.executable, "-m", "jupyterhub", "-f", str(config)]


def start_hub(team_path: str | Path, ledger_path: str | Path, state_dir: str | Path, port: int = 8000,
              log: Path | None = None, **options: Any) -> subprocess.Popen:
    """Write the configuration into ``state_dir`` and start JupyterHub (not waiting for it), in a session of its own
    (so that stopping it reaches the proxy, the service and the servers it started)."""
    options.setdefault("proxy", find_proxy())
    state = Path(state_dir).resolve()
    (state / "users").mkdir(parents=True, exist_ok=True)
    state.chmod(0o700)
    Path(ledger_path).resolve().parent.mkdir(parents=True, exist_ok=True)
    if options.get("isolation") == "pengguna":
        private_ledger(ledger_path)
    config = write_config(state / CONFIG_NAME, hub_config(team_path, ledger_path, state, port, **options))
    out = open(log, "ab") if log else None  # noqa: SIM115 (None: the hub writes to this terminal)
    try:
        return subprocess.Popen(hub_command(config), cwd=str(state), stdout=out, stderr=subprocess.STDOUT if out
                                else None, stdin=subprocess.DEVNULL, start_new_session=True)
    finally:
        if out is not None:
            out.close()


def private_ledger(ledger_path: str | Path) -> None:
    """The ledger's files (and the evidence store beside it) readable and writable by the hub's user only, so the
    system users of ``--isolasi pengguna`` can reach them through the ledger service alone."""
    from zi_nb.review.evidence_store import default_store_path

    ledger = Path(ledger_path).resolve()
    for path in (ledger, Path(f"{ledger}-wal"), Path(f"{ledger}-shm")):
        if path.exists():
            path.chmod(0o600)
    store = default_store_path(ledger)
    if store.is_dir():
        store.chmod(0o700)


def stop_hub(process: subprocess.Popen, timeout: float = 30.0) -> None:
    """SIGINT the hub (it stops the servers, the service and the proxy), then kill what is left of its session."""
    import psutil

    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)
    for proc in family:
        try:
            proc.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(family, timeout=5)


def run_hub(team_path: str | Path, ledger_path: str | Path, state_dir: str | Path, port: int = 8000,
            echo: Any = print, **options: Any) -> int:
    """Run the hub until Ctrl+C (or SIGTERM); returns its exit status (0 once interrupted and stopped)."""
    process = start_hub(team_path, ledger_path, state_dir, port, **options)
    echo(f"zi-nb hub berjalan di port {port} (konfigurasi: {Path(state_dir).resolve() / CONFIG_NAME}). "
         "Tekan Ctrl+C untuk berhenti.")
    if os.geteuid() == 0 and options.get("isolation", "bersama") == "bersama":
        echo("Peringatan: hub berjalan sebagai root dengan --isolasi bersama, sehingga kernel setiap pengguna juga "
             "berjalan sebagai root dan dapat menjangkau berkas hub dan ledger. Untuk penggunaan nyata pakai "
             "--isolasi pengguna (satu pengguna sistem per anggota tim; lihat zi_nb.team.hub).")

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, interrupt)
    try:
        return process.wait()
    except KeyboardInterrupt:
        echo("Menghentikan hub, proxy, layanan ledger dan server pengguna…")
        return 0
    finally:
        signal.signal(signal.SIGTERM, old)
        stop_hub(process)


CULLER = '''
# --- idle servers ---------------------------------------------------------------------------------------------------
# jupyterhub-idle-culler (a hub-managed service): a user's server (and its kernels) with no activity for {timeout} s
# is stopped; everything written is in the ledger, so nothing is lost, and the next visit starts the server again.
# `zi-nb hub --idle-timeout 0` leaves servers running.
c.JupyterHub.services.append({{
    "name": "idle-culler",
    "command": [{python}, "-m", "jupyterhub_idle_culler", "--timeout={timeout}"],
}})
c.JupyterHub.load_roles.append({{
    "name": "idle-culler",
    "description": "Menghentikan server pengguna yang menganggur",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}})
'''
