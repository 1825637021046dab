"""The multi-user server: the generated JupyterHub configuration, the ledger service alone (a fake hub resolving
tokens), and one run of the real thing (JupyterHub, configurable-http-proxy, two users, voila, the service)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ensure_npm_package
from tests.team.hubtools import free_port, login, safe_cmd, start_server, token_of, wait_hub
from tests.team.teams import team_yaml
from zi_nb.engine.rubric import load_rubric
from zi_nb.errors import LedgerError
from zi_nb.review.ledger import Ledger
from zi_nb.team import service as svc
from zi_nb.team.client import ServiceClient
from zi_nb.team.hub import CONFIG_NAME, hub_config, start_hub, stop_hub
from zi_nb.team.status import transition

WRITES = ("answer", "undo", "catatan", "bukti", "lampiran")


def written(ledger: Ledger) -> list:
    """The records a write endpoint makes (not the unit's status, not the refusals)."""
    return [r for r in ledger.records() if r.kind in WRITES]


def refusals(ledger: Ledger) -> list:
    return [r for r in ledger.records() if r.kind == "penolakan"]

TEAM = team_yaml(["budi", "sari", "adm"], unit="u1", kuota=1)
BUDI = "hub:budi (Budi Santoso, NIP 198001012005011001)"


@pytest.fixture
def team_file(tmp_path: Path) -> Path:
    path = tmp_path / "tim.yaml"
    path.write_text(TEAM, encoding="utf-8")
    return path


# -- the configuration ---------------------------------------------------------------------------------------------
def test_config_names_users_admins_service_and_locks_the_server(team_file, tmp_path):
    text = hub_config(team_file, tmp_path / "ledger.sqlite", tmp_path / "hub", 8123, proxy="/bin/true",
                      as_root=True)
    compile(text, CONFIG_NAME, "exec")
    class Section(dict):
        def __getattr__(self, name):
            return self.setdefault(name, Section())

        def __setattr__(self, name, value):
            self[name] = value

    config = Section()
    exec(text, {"get_config": lambda: config})
    assert config["Authenticator"]["allowed_users"] == {"budi", "sari", "adm"}
    assert config["Authenticator"]["admin_users"] == {"adm"}
    assert config["JupyterHub"]["authenticator_class"] == "firstuseauthenticator.FirstUseAuthenticator"
    assert config["FirstUseAuthenticator"]["create_users"] is False
    assert config["JupyterHub"]["bind_url"] == "http://0.0.0.0:8123"
    args = config["Spawner"]["args"]
    assert "--ServerApp.terminals_enabled=False" in args and "--allow-root" in args
    assert "'jupyterlab': False" in " ".join(args)
    assert config["Spawner"]["default_url"] == "/voila/render/evaluator.ipynb"
    assert Path(config["Spawner"]["notebook_dir"], "evaluator.ipynb").is_file()
    assert config["Spawner"]["environment"] == {"ZI_NB_SERVICE_URL": "http://127.0.0.1:8082/services/zi-ledger/",
                                                "ZI_NB_INPUT": "", "ZI_NB_UNITS": ""}  # empty: the bundled sample
    assert "access:services!service=zi-ledger" in config["Spawner"]["server_token_scopes"]
    [service, culler] = config["JupyterHub"]["services"]
    assert service["name"] == "zi-ledger" and "zi_nb.team.service" in service["command"]
    assert culler["command"][1:] == ["-m", "jupyterhub_idle_culler", "--timeout=3600"]  # idle servers stopped
    [role, culler_role] = config["JupyterHub"]["load_roles"]
    assert role["scopes"] == ["access:services!service=zi-ledger"] and sorted(role["users"]) == ["adm", "budi", "sari"]
    assert culler_role["services"] == ["idle-culler"] and "delete:servers" in culler_role["scopes"]
    never = Section()
    exec(hub_config(team_file, tmp_path / "l.sqlite", tmp_path / "hub", 8123, proxy="/bin/true", idle_timeout=0),
         {"get_config": lambda: never})
    assert [s["name"] for s in never["JupyterHub"]["services"]] == ["zi-ledger"]  # --idle-timeout 0: none
    # admins get JupyterLab and terminals
    hook = config["Spawner"]["pre_spawn_hook"]

    class Spawner:
        def __init__(self, admin):
            self.user = type("U", (), {"admin": admin})()
            self.default_url, self.args = "/voila/render/evaluator.ipynb", list(args)

    admin, user = Spawner(True), Spawner(False)
    hook(admin)
    hook(user)
    assert admin.default_url == "/lab" and admin.args == ["--allow-root"]
    assert user.default_url.startswith("/voila/") and user.args == args
    # every option line is commented or under a comment
    assert text.count("#") > 40


def test_config_refuses_clashing_ports(tmp_path, team_file):
    from zi_nb.errors import ParameterError

    with pytest.raises(ParameterError):
        hub_config(team_file, tmp_path / "l.sqlite", tmp_path, 8081, proxy="/bin/true")


def test_cli_config_only_writes_the_file(team_file, tmp_path, capsys):
    from tests.helpers import run
    from zi_nb.cli import app

    if "hub" not in app.cli.commands:  # registered by zi_nb/cli/app.py
        from zi_nb.cli.hub import hub

        app.cli.add_command(hub)
    code, out, err = run(capsys, "hub", "--team", str(team_file), "--state-dir", str(tmp_path / "st"),
                         "--ledger", str(tmp_path / "l.sqlite"), "--config-only")
    assert code == 0, err
    assert Path(out.strip()) == (tmp_path / "st" / CONFIG_NAME).resolve()
    assert "budi" in Path(out.strip()).read_text()


# -- the service alone, with a fake hub ----------------------------------------------------------------------------
class FakeHub:
    """token -> hub user model, as /hub/api/user answers it."""

    def __init__(self, models: dict[str, dict]):
        self.models = models

    def user_for_token(self, token, use_cache=True, session_id="", *, sync=True):
        model = self.models.get(token)

        async def answer():
            return model
        return model if sync else answer()


def user_model(name: str, scopes=("access:services!service=zi-ledger",), kind="user") -> dict:
    return {"kind": kind, "name": name, "scopes": list(scopes)}


@contextlib.contextmanager
def serve_state(state) -> Iterator[str]:
    """The service of ``state`` on a free port in a thread (its own event loop); yields its base URL."""
    from tornado.ioloop import IOLoop

    port = free_port()
    ready = threading.Event()
    loops: list = []

    def serve() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        loop = IOLoop.current()
        loops.append(loop)
        svc.make_app(state).listen(port, "127.0.0.1")
        ready.set()
        loop.start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield f"http://127.0.0.1:{port}/services/zi-ledger/"
    finally:
        loops[0].add_callback(loops[0].stop)
        thread.join(5)


@pytest.fixture
def service(team_file, tmp_path):
    """The service on a free port in a thread; yields (base url, ledger)."""
    ledger = Ledger(tmp_path / "ledger.sqlite")
    hub = FakeHub({"tok-budi": user_model("budi"), "tok-sari": user_model("sari"),
                   "tok-narrow": user_model("budi", scopes=("read:users:name!user=budi",)),
                   "tok-svc": user_model("zi-ledger", kind="service"), "tok-stranger": user_model("mallory")})
    state = svc.ServiceState(svc.load_team(team_file), ledger, hub, load_rubric("zi-2021"))
    transition(ledger, state.team, "sari", "u1", "diajukan", via="cli")  # the unit submits: TPI may review
    with serve_state(state) as url:
        yield url, ledger


def raw_post(url: str, path: str, body: dict, token: str | None) -> tuple[int, dict]:
    import urllib.error
    import urllib.request

    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"token {token}"
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


ANSWER = {"unit_id": "u1", "code": "PPA1A", "answer": "Ya", "tier": "tpi", "note": "dokumen lengkap"}


def test_whoami_and_records_name_the_token_owner(service):
    url, ledger = service
    client = ServiceClient(url, "tok-budi")
    me = client.whoami()
    assert me["username"] == "budi" and me["nip"] == "198001012005011001" and me["peran"] == ["tpi"]
    assert me["evaluator"] == BUDI
    rec = client.adjust("u1", "PPA1A", "Ya", "tpi", "dokumen lengkap")
    assert rec["evaluator"] == BUDI
    [stored] = written(ledger)
    assert stored.evaluator == BUDI and stored.evaluator.startswith("hub:")  # the path that wrote it
    recs = client.write_verdicts("u1", "PPA1A", "tpi", {1: "ada"}, note="cek")
    assert all(r["evaluator"] == BUDI for r in recs)
    cat = client.write_catatan("u1", "A", "tpi", "Perlu perbaikan", "Lengkapi SK")
    assert cat["evaluator"] == BUDI and cat["kind"] == "catatan"
    assert ledger.verify() == []


def test_a_name_in_the_body_changes_nothing(service):
    url, ledger = service
    status, body = raw_post(url, "api/answer", {**ANSWER, "evaluator": "sari", "username": "sari", "nip": "1"},
                            "tok-budi")
    assert status == 200, body
    assert body["record"]["evaluator"] == BUDI and set(body["diabaikan"]) == {"evaluator", "username", "nip"}
    assert [r.evaluator for r in written(ledger)] == [BUDI]


@pytest.mark.parametrize(("token", "status"), [(None, 401), ("tok-unknown", 401), ("tok-narrow", 403),
                                               ("tok-svc", 403), ("tok-stranger", 403)])
def test_who_may_not_call(service, token, status):
    url, ledger = service
    got, body = raw_post(url, "api/answer", ANSWER, token)
    assert got == status and isinstance(body["error"], str) and "Traceback" not in body["error"]
    assert written(ledger) == []


def test_roles_decide_the_tier(service):
    url, ledger = service
    status, body = raw_post(url, "api/answer", ANSWER, "tok-sari")  # a unit's PIC writing as TPI
    assert status == 403 and "sari" in body["error"] and "TPI" in body["error"]
    status, body = raw_post(url, "api/answer", {**ANSWER, "tier": "tpn"}, "tok-budi")  # TPI writing as TPN
    assert status == 403 and "budi" in body["error"] and "TPN" in body["error"]
    with pytest.raises(LedgerError, match="sari"):
        ServiceClient(url, "tok-sari").write_catatan("u1", "A", "tpi", "x", "y")
    assert written(ledger) == []
    # every refusal is an audit record of the attempt, under the hub user's name
    assert [r.evaluator.split()[0] for r in refusals(ledger)] == ["sari", "budi", "sari"]
    assert all(r.details.get("via") == "hub" for r in refusals(ledger))


def test_bad_requests_are_400_in_indonesian(service):
    url, ledger = service
    status, body = raw_post(url, "api/answer", {**ANSWER, "answer": "Mungkin"}, "tok-budi")
    assert status == 400 and "tidak sah" in body["error"]
    status, body = raw_post(url, "api/answer", {**ANSWER, "note": ""}, "tok-budi")
    assert status == 400 and "Catatan wajib" in body["error"]
    status, body = raw_post(url, "api/verdicts", {"unit_id": "u1", "code": "PPA1A", "tier": "tpi"}, "tok-budi")
    assert status == 400 and "verdicts" in body["error"]
    status, body = raw_post(url, "api/nothing", {}, "tok-budi")
    assert status == 404 and body["error"]
    assert written(ledger) == []


def test_client_from_env():
    assert ServiceClient.from_env({}) is None
    assert ServiceClient.from_env({"ZI_NB_SERVICE_URL": "http://x/services/zi-ledger"}) is None
    client = ServiceClient.from_env({"ZI_NB_SERVICE_URL": "http://x/services/zi-ledger", "JUPYTERHUB_API_TOKEN": "t"})
    assert client == ServiceClient("http://x/services/zi-ledger/", "t")
    with pytest.raises(LedgerError, match="tidak dapat dihubungi"):
        ServiceClient(f"http://127.0.0.1:{free_port()}/services/zi-ledger/", "t", timeout=2).whoami()


# -- the real thing ------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_hub_end_to_end(team_file, tmp_path):
    import psutil
    import requests

    proxy = ensure_npm_package("configurable-http-proxy", "configurable-http-proxy")
    port, hub_port, api_port, service_port = (free_port() for _ in range(4))
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "hub.log"
    ledger = tmp_path / "ledger.sqlite"
    process = start_hub(team_file, ledger, tmp_path / "hub", port, log=log, ip="127.0.0.1", hub_port=hub_port,
                        proxy_api_port=api_port, service_port=service_port, proxy=proxy)
    family: list = []
    try:
        wait_hub(base, process, log)
        transition(Ledger(ledger), svc.load_team(team_file), "sari", "u1", "diajukan", via="cli")
        budi = login(base, "budi", "rahasia-budi-1")  # first use: sets the password
        sari = login(base, "sari", "rahasia-sari-1")
        with pytest.raises(AssertionError):
            login(base, "budi", "salah-sandi-99")  # the password is now required
        with pytest.raises(AssertionError):
            login(base, "mallory", "rahasia-mallory")  # not in the team file
        token = token_of(base, budi, "budi")
        start_server(base, "budi", token)
        family = psutil.Process(process.pid).children(recursive=True)
        # the owner gets the app (voila) ...
        page = budi.get(f"{base}/user/budi/", timeout=120)
        assert page.status_code == 200 and page.url.endswith("/user/budi/voila/render/evaluator.ipynb"), page.url
        assert "voila" in page.text.lower() and '"kernelId"' in page.text  # rendered, with its kernel
        family = psutil.Process(process.pid).children(recursive=True)  # the page's kernel included
        # ... no JupyterLab, no terminals
        assert budi.get(f"{base}/user/budi/lab", timeout=30).status_code == 404
        assert budi.get(f"{base}/user/budi/terminals/1", timeout=30).status_code == 404
        # ... and another user does not
        other = sari.get(f"{base}/user/budi/voila/render/evaluator.ipynb", timeout=30)
        assert other.status_code == 403 or "/hub/login" in other.url, (other.status_code, other.url)
        # the ledger service, through the proxy, with budi's token, the body claiming sari
        resp = requests.post(f"{base}/services/zi-ledger/api/answer", json={**ANSWER, "evaluator": "sari"},
                             headers={"Authorization": f"token {token}"}, timeout=30)
        assert resp.status_code == 200, resp.text
        assert resp.json()["record"]["evaluator"] == BUDI
        denied = requests.post(f"{base}/services/zi-ledger/api/answer", json=ANSWER,
                               headers={"Authorization": "token not-a-token"}, timeout=30)
        assert denied.status_code == 401 and denied.json()["error"]
        assert [r.evaluator for r in written(Ledger(ledger))] == [BUDI]
    finally:
        family += psutil.Process(process.pid).children(recursive=True) if process.poll() is None else []
        stop_hub(process)
        _gone, alive = psutil.wait_procs([p for p in family if p.is_running()], timeout=10)
        assert alive == [], alive
        assert not any(str(tmp_path) in " ".join(p.cmdline()) for p in psutil.process_iter(["cmdline"])
                       if p.pid != os.getpid() and safe_cmd(p))
