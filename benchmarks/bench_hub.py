"""The team server under load: prints figures, asserts nothing (``make bench-hub``).

The real thing, as ``zi-nb hub`` runs it (:func:`zi_nb.team.hub.start_hub`: JupyterHub, configurable-http-proxy,
FirstUseAuthenticator, the hub-managed ledger service) on free ports, with a generated team: one unit PIC (``pic``)
and ``max(N)`` TPI evaluators (``e01``, ``e02``...), each assigned one unit of their own. Every unit is first moved to
``diajukan`` by its PIC (:func:`zi_nb.team.status.transition`), so that TPI may write; every evaluator logs in
(first use: the password is set) and gets a hub token.

Saving: for each N (``--users``, default 1, 5, 10, 20), N evaluators at once (one thread and one keep-alive HTTP
session each) save ``--saves`` answers each (``POST /services/zi-ledger/api/answer`` through the proxy, tier ``tpi``,
a Ya/Tidak item, a note), with a think time drawn uniformly in [0.5, 1.5] x ``--think`` before each save, after
one unmeasured save per user (the connection, the caches; over HTTP the token's check by the hub, which the service
caches 60 s per token: its median is printed as the first save). Per N: saves/s (the wall time from the first
measured save to the last), p50 and p95 of one save's time, errors (any non-200). A last round (``N*``, unless
``--no-burst``): the most users saving with no think time, what one server can take. The
baseline, in the same run, on a ledger file of its own: the same threads and saves directly in-process, without
HTTP: ``Ledger.adjust`` alone, and the service's own work (:func:`zi_nb.team.status.guard`, the permission check
under the write lock, then ``Ledger.adjust``); the service's overhead is the ratio of the p50s.

Memory: ``--servers`` evaluators (default 3) start their single-user server (voila only) and load its page (the
evaluator app, rendered with its kernel); the resident memory (RSS, and USS: the pages no other process shares) of
each server's process tree (the jupyter server and its kernel) once the page has loaded and settled, and the hub's
own (hub, proxy, ledger service). From these: how many users' servers fit in ``--memory`` GiB.

Usage: ``python benchmarks/bench_hub.py [--users 1,5,10,20] [--saves 20] [--think 0.1] [--servers 3]``
(about 2-3 minutes on 2 cores). Every process started is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.team.hubtools import free_port, login, wait_hub
from tests.team.teams import Person, team_yaml

CODES = ("PPA1A", "PPA2A", "PPA4A", "PPC1A", "PPC1C", "PPC2A", "PPC2C", "PPC3A", "PPD2A", "PPD2B")  # Ya/Tidak items
PAGE_TIMEOUT = 300  # s: a voila page renders the whole evaluator app in its kernel


def proxy_path() -> str:
    """configurable-http-proxy, installed with npm when missing (as the end-to-end test does)."""
    path = shutil.which("configurable-http-proxy")
    if path:
        return path
    from tests.helpers import ensure_npm_package

    return ensure_npm_package("configurable-http-proxy", "configurable-http-proxy")


def evaluator(i: int) -> str:
    return f"e{i:02d}"


def team_text(users: int) -> str:
    """The PIC of every unit, and one TPI evaluator per unit."""
    units = [f"u{i:02d}" for i in range(1, users + 1)]
    tpi = [Person(evaluator(i), f"Penilai Patokan {i}", f"1980010120050110{i:02d}", "tpi") for i in range(1, users + 1)]
    return team_yaml([Person("pic", "PIC Unit Patokan"), *tpi], kuota=1,
                     units={"pic": units, **{p.username: unit for p, unit in zip(tpi, units, strict=True)}})


def stop(message: str) -> NoReturn:
    raise SystemExit(message)


def token(base: str, session: Any, username: str) -> str:
    resp = session.post(f"{base}/hub/api/users/{username}/tokens", json={"note": "patokan", "expires_in": 3600},
                        headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")}, timeout=30)
    if resp.status_code != 201:
        raise SystemExit(f"token {username} gagal: {resp.status_code} {resp.text[:300]}")
    return str(resp.json()["token"])


def run_users(n: int, saves: int, think: float, save: Callable[[int, int], bool]) -> dict[str, float]:
    """n threads, each ``saves`` times: think, then ``save(user, k)`` timed; the round's figures."""
    times: list[float] = []
    warm: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = threading.Barrier(n + 1)
    rng = random.Random(n)
    pauses = [[think * rng.uniform(0.5, 1.5) for _ in range(saves)] for _ in range(n)]

    def user(i: int) -> None:
        t0 = time.perf_counter()
        try:
            save(i, saves)  # one unmeasured save first: connection, caches, the token's hub lookup
        except Exception:
            pass
        with lock:
            warm.append((time.perf_counter() - t0) * 1000)
        start.wait()
        for k in range(saves):
            time.sleep(pauses[i][k])
            t0 = time.perf_counter()
            try:
                ok = save(i, k)
            except Exception:  # counted, not raised: a benchmark reports errors
                ok = False
            took = (time.perf_counter() - t0) * 1000
            with lock:
                times.append(took)
                errors[0] += 0 if ok else 1

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    ordered = sorted(times)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]  # nearest rank
    return {"saves": len(times), "rate": len(times) / wall, "p50": statistics.median(ordered), "p95": p95,
            "errors": errors[0], "wall": wall, "warm": statistics.median(warm)}


def body(i: int, k: int) -> dict[str, str]:
    return {"unit_id": f"u{i + 1:02d}", "code": CODES[k % len(CODES)], "answer": "Ya" if k % 2 else "Tidak",
            "tier": "tpi", "note": f"patokan: simpanan {k + 1} penilai {i + 1}"}


def tree_memory(proc: Any) -> tuple[int, int]:
    """RSS and USS (bytes) of a process and all its descendants."""
    import psutil

    rss = uss = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            info = p.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        rss, uss = rss + info.rss, uss + info.uss
    return rss, uss


def user_server(hub_pid: int, username: str) -> Any:
    """The single-user server process of ``username`` (a child of the hub, JUPYTERHUB_USER in its environment)."""
    import psutil

    for p in psutil.Process(hub_pid).children():
        try:
            if p.environ().get("JUPYTERHUB_USER") == username:
                return p
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return None


def start_server(base: str, username: str, tok: str, timeout: float = 180) -> float:
    import requests

    auth = {"Authorization": f"token {tok}"}
    t0 = time.perf_counter()
    resp = requests.post(f"{base}/hub/api/users/{username}/server", headers=auth, timeout=60)
    if resp.status_code not in (201, 202):
        raise SystemExit(f"server {username} gagal dimulai: {resp.status_code} {resp.text[:300]}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model = requests.get(f"{base}/hub/api/users/{username}", headers=auth, timeout=30).json()
        if model.get("servers", {}).get("", {}).get("ready"):
            return time.perf_counter() - t0
        time.sleep(0.5)
    raise SystemExit(f"server {username} tidak siap dalam {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="1,5,10,20", help="jumlah penilai serentak per ronde, dipisah koma")
    parser.add_argument("--saves", type=int, default=20, help="simpanan per penilai per ronde")
    parser.add_argument("--think", type=float, default=0.1, help="waktu jeda rata-rata sebelum setiap simpanan (s)")
    parser.add_argument("--no-burst", dest="burst", action="store_false",
                        help="tanpa ronde terakhir: penilai terbanyak menyimpan tanpa jeda (kapasitas)")
    parser.add_argument("--servers", type=int, default=3, help="server pengguna (voila) yang diukur memorinya")
    parser.add_argument("--memory", type=float, default=24.0, help="memori mesin (GiB) untuk perkiraan kapasitas")
    args = parser.parse_args()
    import psutil
    import requests

    from zi_nb.engine.rubric import load_rubric
    from zi_nb.review.ledger import Ledger
    from zi_nb.team import service as svc
    from zi_nb.team.hub import start_hub, stop_hub
    from zi_nb.team.permissions import REVIU
    from zi_nb.team.status import guard, transition

    counts = [int(x) for x in args.users.split(",") if x.strip()]
    most = max([*counts, args.servers])
    # (users, think time): each N with the think time, then the most users with none (what the server can take)
    rounds = [(n, args.think) for n in counts] + ([(max(counts), 0.0)] if args.burst else [])
    rubric = load_rubric("zi-2021")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="zi-bench-hub-") as tmp_:
        tmp = Path(tmp_)
        team_file = tmp / "tim.yaml"
        team_file.write_text(team_text(most), encoding="utf-8")
        team = svc.load_team(team_file)
        units = [f"u{i:02d}" for i in range(1, most + 1)]

        # -- the baseline: in-process, no HTTP, a ledger of its own ---------------------------------------------
        base_ledger = Ledger(tmp / "baseline.sqlite")
        for unit in units:
            transition(base_ledger, team, "pic", unit, "diajukan", via="cli")
        ledgers = [Ledger(tmp / "baseline.sqlite") for _ in range(most)]

        def direct(i: int, k: int) -> bool:
            b = body(i, k)
            ledgers[i].adjust(rubric, b["unit_id"], b["code"], b["answer"], "tpi", f"hub:{evaluator(i + 1)}", b["note"])
            return True

        def guarded(i: int, k: int) -> bool:
            b = body(i, k)
            guard(ledgers[i], team, evaluator(i + 1), REVIU, b["unit_id"], via="hub")
            return direct(i, k)

        baseline = {r: run_users(r[0], args.saves, r[1], direct) for r in rounds}
        service_work = {r: run_users(r[0], args.saves, r[1], guarded) for r in rounds}

        # -- the hub ---------------------------------------------------------------------------------------------
        port, hub_port, api_port, service_port = (free_port() for _ in range(4))
        base = f"http://127.0.0.1:{port}"
        log, ledger_path = tmp / "hub.log", tmp / "ledger.sqlite"
        t0 = time.perf_counter()
        process = start_hub(team_file, ledger_path, tmp / "hub", port, log=log, ip="127.0.0.1", hub_port=hub_port,
                            proxy_api_port=api_port, service_port=service_port, proxy=proxy_path())
        family: list[Any] = []
        try:
            wait_hub(base, process, log, 120, fail=stop)
            hub_ready = time.perf_counter() - t0
            ledger = Ledger(ledger_path)
            for unit in units:
                transition(ledger, team, "pic", unit, "diajukan", via="cli")
            t0 = time.perf_counter()
            sessions = {evaluator(i): login(base, evaluator(i), f"sandi-patokan-{i:02d}", (30, 60), stop)
                        for i in range(1, most + 1)}
            login_s = (time.perf_counter() - t0) / most
            tokens = [token(base, sessions[evaluator(i)], evaluator(i)) for i in range(1, most + 1)]
            hub_only = tree_memory(psutil.Process(process.pid))
            clients = [requests.Session() for _ in range(most)]
            url = f"{base}/services/zi-ledger/api/answer"

            def over_http(i: int, k: int) -> bool:
                resp = clients[i].post(url, json=body(i, k), headers={"Authorization": f"token {tokens[i]}"},
                                       timeout=60)
                who = resp.json().get("record", {}).get("evaluator", "") if resp.status_code == 200 else ""
                return bool(who.startswith(f"hub:{evaluator(i + 1)} "))

            hub_rounds = {r: run_users(r[0], args.saves, r[1], over_http) for r in rounds}
            written = sum(1 for r in ledger.records() if r.kind == "answer")
            refused = sum(1 for r in ledger.records() if r.kind == "penolakan")
            broken = ledger.verify()

            # -- memory of user servers ---------------------------------------------------------------------------
            servers: list[dict[str, float]] = []
            for i in range(1, args.servers + 1):
                name = evaluator(i)
                spawn = start_server(base, name, tokens[i - 1])
                t0 = time.perf_counter()
                page = sessions[name].get(f"{base}/user/{name}/", timeout=PAGE_TIMEOUT)
                page_s = time.perf_counter() - t0
                rendered = page.status_code == 200 and '"kernelId"' in page.text
                time.sleep(5)  # the kernel settles after the page
                proc = user_server(process.pid, name)
                rss, uss = tree_memory(proc) if proc is not None else (0, 0)
                kids = len(proc.children(recursive=True)) if proc is not None else 0
                own = proc.memory_info().rss if proc is not None else 0  # the jupyter server without its kernel
                servers.append({"spawn": spawn, "page": page_s, "rss": rss, "uss": uss, "ok": float(rendered),
                                "procs": 1 + kids, "own": own})
            family = psutil.Process(process.pid).children(recursive=True)
            hub_after = tree_memory(psutil.Process(process.pid))
        finally:
            if process.poll() is None:
                family += psutil.Process(process.pid).children(recursive=True)
            stop_hub(process)
            _gone, alive = psutil.wait_procs([p for p in family if p.is_running()], timeout=10)
            for p in alive:
                p.kill()
        left = [p.pid for p in psutil.process_iter(["cmdline"]) if p.pid != os.getpid()
                and str(tmp) in " ".join(p.info["cmdline"] or [])]
    load_after = os.getloadavg()

    mb, gib = 2 ** 20, 2 ** 30
    print(f"Server tim (JupyterHub {_version('jupyterhub')}, configurable-http-proxy, FirstUseAuthenticator, layanan "
          f"ledger) pada {os.cpu_count()} inti; beban mesin (1 menit) {load_before[0]:.2f} di awal, "
          f"{load_after[0]:.2f} di akhir")
    print(f"  hub siap dalam {hub_ready:.1f} s; login pertama (sandi ditetapkan) {login_s * 1000:.0f} ms per pengguna")
    print(f"  menyimpan jawaban: N penilai serentak, masing-masing {args.saves} simpanan, jeda "
          f"{args.think * 1000:.0f} ms rata-rata sebelum setiap simpanan")
    print(f"  {'N':>3}  {'jalur':<34} {'simpan/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'galat':>6}   rasio p50"
          "   simpanan pertama")
    for r_ in rounds:
        h, b, s = hub_rounds[r_], baseline[r_], service_work[r_]
        n = f"{r_[0]}{'' if r_[1] else '*'}"
        for label, r in (("layanan lewat proxy (HTTP)", h), ("langsung: Ledger.adjust", b),
                         ("langsung: guard + Ledger.adjust", s)):
            ratio = f"{h['p50'] / r['p50']:8.1f}x" if r is not h else ""
            print(f"  {n:>3}  {label:<34} {r['rate']:9.1f} {r['p50']:8.1f} {r['p95']:8.1f} {r['errors']:6d}   "
                  f"{ratio:>9}   {r['warm']:6.0f} ms")
    if args.burst:
        print(f"  {max(counts)}*: {max(counts)} penilai menyimpan tanpa jeda (batas kemampuan server); rasio p50 = p50 "
              "layanan / p50 jalur langsung")
    expected = sum(r_[0] * (args.saves + 1) for r_ in rounds)
    print(f"  ledger hub: {written} jawaban tertulis (diharapkan {expected}, termasuk simpanan pertama), {refused} "
          f"penolakan, rantai hash {'utuh' if not broken else 'RUSAK: ' + '; '.join(broken[:3])}")
    print(f"  memori hub + proxy + layanan ledger: RSS {hub_only[0] / mb:.0f} MB sebelum server pengguna")
    for i, srv in enumerate(servers, 1):
        print(f"  server pengguna {evaluator(i)}: dimulai {srv['spawn']:.1f} s, halaman voila "
              f"{'termuat' if srv['ok'] else 'GAGAL'} dalam {srv['page']:.1f} s; {int(srv['procs'])} proses, "
              f"RSS {srv['rss'] / mb:.0f} MB (server jupyter {srv['own'] / mb:.0f} MB, kernel halaman "
              f"{(srv['rss'] - srv['own']) / mb:.0f} MB), USS {srv['uss'] / mb:.0f} MB")
    if servers:
        rss = max(s["rss"] for s in servers)
        uss = max(s["uss"] for s in servers)
        room = args.memory * gib - hub_only[0] - 2 * gib  # 2 GiB for the system
        print(f"  total pohon hub dengan {len(servers)} server: RSS {hub_after[0] / mb:.0f} MB")
        print(f"  muat di {args.memory:.0f} GiB (dikurangi hub dan 2 GiB sistem): {int(room // rss)} server pengguna "
              f"menurut RSS, {int(room // uss)} menurut USS")
    print(f"  proses tersisa setelah hub dihentikan: {len(left)}")


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


if __name__ == "__main__":
    main()
