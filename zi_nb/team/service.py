"""The ledger service of the multi-user server: the one component that writes ledger records for hub users.

JupyterHub starts it as a hub-managed service named ``zi-ledger`` (see :mod:`zi_nb.team.hub`)::

    python -m zi_nb.team.service --team TEAM.yaml --ledger LEDGER.sqlite --port P [--input LKE] [--units UNITS]

and the proxy routes ``/services/zi-ledger/`` to it. It reads the units' LKE inputs once at start (``--input``,
``--units``: the files ``zi-nb hub`` was given, the bundled sample by default; a missing or unreadable file stops it,
naming the file: :func:`zi_nb.team.insight.load_inputs`), for the overview's progress, score and predikat and the
risk in "Tugas saya". Why identities cannot be forged: every request carries a hub
token (``Authorization: token ...``, the ``JUPYTERHUB_API_TOKEN`` of the user's own server, or a token the user made
on the hub); the service asks the hub who owns it (:meth:`jupyterhub.services.auth.HubAuth.user_for_token`, which
calls ``GET /hub/api/user`` *with that token*, cached :data:`CACHE_SECONDS` s), requires it to be a user token holding
the scope ``access:services!service=zi-ledger``, and takes the name from the hub's answer. No name, NIP or role in
the request is ever trusted: body fields ``evaluator``, ``username``, ``nama``, ``nip`` are ignored (the reply
lists them under ``diabaikan``). Nama, NIP and roles come from the team file.

Endpoints (JSON in, JSON out; errors are ``{"error": "..."}`` in Bahasa Indonesia, never a traceback)::

    GET  /services/zi-ledger/api/whoami     -> {"username", "nama", "nip", "peran", "admin", "evaluator"}
    POST /services/zi-ledger/api/answer     {"unit_id", "code", "answer", "tier", "note"}          -> {"record"}
    POST /services/zi-ledger/api/verdicts   {"unit_id", "code", "tier", "verdicts": {"1": "ada"}, "note"}
                                                                                                     -> {"records"}
    POST /services/zi-ledger/api/catatan    {"unit_id", "scope", "tier", "catatan", "rekomendasi"} -> {"record"}

    401 no token, or a token the hub does not know    403 not allowed (see :func:`authorize`)
    400 bad request or refused by the ledger (LedgerError, with its message)

and the team workflow's endpoints of :mod:`zi_nb.team.service_api` (``status``, ``semua-ada``, ``attach``,
``undo``, ``answers``, ``buka-tahap``, ``records``, ``berkas``) and :mod:`zi_nb.team.service_reads` (``tasks``,
``overview``, ``risiko``, ``ringkasan``): :data:`ENDPOINTS`. A request
body is at most :data:`MAX_BODY` bytes (``attach``: :data:`zi_nb.team.service_api.UPLOAD_MAX_BODY`, a file of the
evidence limit in base64).

Who wrote a record, and through which path: ``evaluator`` is :func:`evaluator_id`,
``hub:<username> (<nama>, NIP <nip>)``: the ``hub:`` prefix says it was written through this service for the hub
user ``<username>`` (the part in brackets is the team file's data at the time of writing, for the reader).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tornado import web
from tornado.ioloop import IOLoop

from zi_nb.engine.rubric import Rubric, load_rubric
from zi_nb.errors import PermissionDenied, ZiError
from zi_nb.review.catatan import write_catatan
from zi_nb.review.evidence import write_verdicts
from zi_nb.review.ledger import Ledger
from zi_nb.team import service_api, service_reads
from zi_nb.team.insight import load_inputs
from zi_nb.team.service_api import Caller, Download, authorize, content_disposition, record_json, refused, text
from zi_nb.team.users import TeamUser, evaluator_id, field_text, load_team, team_users

SERVICE_NAME = "zi-ledger"
PREFIX = f"/services/{SERVICE_NAME}/"
ACCESS_SCOPE = f"access:services!service={SERVICE_NAME}"
CACHE_SECONDS = 60  # how long the hub's answer for a token is kept (a revoked token works at most this long)
MAX_BODY = 1 << 20  # bytes of a request body
FORGED_FIELDS = ("evaluator", "username", "user", "nama", "nip")  # never accepted from the client
# path under api/ -> (HTTP method, endpoint): the team workflow's writes and a unit's reads, and the reads over the
# whole ledger
ENDPOINTS: dict[str, tuple[str, service_api.Endpoint]] = {**service_api.ENDPOINTS, **service_reads.ENDPOINTS}


# -- the HTTP side -------------------------------------------------------------------------------------------------
class TokenResolver(Protocol):
    def user_for_token(self, token: str, use_cache: bool = True, session_id: str = "", *, sync: bool = True) -> Any:
        ...


@dataclass
class ServiceState:
    team: Any
    ledger: Ledger
    auth: TokenResolver
    rubric: Rubric
    bukti_dir: Path | None = None  # the evidence store (None: beside the ledger, default_store_path)
    data: Any = None  # the units' LKE inputs, read once at start (zi_nb.team.insight.load_inputs); None: without


def _message(exc: web.HTTPError) -> str:
    return (exc.log_message or "Permintaan ditolak.").replace("%%", "%")


class BaseHandler(web.RequestHandler):
    def initialize(self, state: ServiceState) -> None:
        self.state = state

    def check_xsrf_cookie(self) -> None:  # token-authenticated API: no cookies, no XSRF
        return

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish({"error": "Kesalahan pada layanan ledger." if status_code >= 500 else "Permintaan ditolak."})

    def reply(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.finish(json.dumps(body, ensure_ascii=False))

    async def hub_user(self) -> TeamUser:
        header = self.request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("token", "bearer") or not token.strip():
            raise refused(401, "Token hub tidak ada: kirim header 'Authorization: token <JUPYTERHUB_API_TOKEN>'.")
        try:
            model = await self.state.auth.user_for_token(token.strip(), sync=False)
        except (web.HTTPError, OSError):  # HubAuth: the hub unreachable or refusing the service
            raise refused(502, "Hub tidak dapat dihubungi untuk memeriksa token; coba lagi.") from None
        if not model:
            raise refused(401, "Token tidak dikenal oleh hub (kedaluwarsa atau dicabut); masuk ulang.")
        if model.get("kind", "user") != "user":
            raise refused(403, "Hanya pengguna hub yang dapat menulis ke ledger.")
        if not _has_access(model.get("scopes")):
            raise refused(403, f"Token ini tidak memiliki izin {ACCESS_SCOPE}.")
        user = team_users(self.state.team).get(str(model.get("name", "")))
        if user is None:
            raise refused(403, f"Pengguna '{model.get('name')}' tidak terdaftar dalam berkas tim.")
        return user

    def body(self) -> dict[str, Any]:
        try:
            data = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise refused(400, "Isi permintaan bukan JSON yang sah.") from None
        if not isinstance(data, dict):
            raise refused(400, "Isi permintaan harus berupa objek JSON.")
        self.ignored = [f for f in FORGED_FIELDS if f in data]  # who writes comes from the token, never the body
        return {k: v for k, v in data.items() if k not in FORGED_FIELDS}

    async def handle(self, work: Callable[[TeamUser], Any]) -> None:
        try:
            user = await self.hub_user()
            result = await IOLoop.current().run_in_executor(None, work, user)
            if isinstance(result, Download):
                self.set_header("Content-Type", result.content_type)
                self.set_header("Content-Disposition", content_disposition(result.filename))
                self.set_header("X-Content-Type-Options", "nosniff")
                self.finish(result.content)
                return
        except web.HTTPError as exc:
            self.reply(exc.status_code, {"error": _message(exc)})
        except PermissionDenied as exc:  # raised by zi_nb.team.status.guard once wired in as the hook
            self.reply(403, {"error": str(exc)})
        except ZiError as exc:  # LedgerError (refused by the ledger), a bad value
            self.reply(400, {"error": str(exc)})
        else:
            ignored = getattr(self, "ignored", [])
            self.reply(200, {**result, "diabaikan": ignored} if ignored else result)


def _has_access(scopes: Any) -> bool:
    from jupyterhub.services.auth import check_scopes

    return bool(check_scopes({ACCESS_SCOPE}, set(scopes or [])))


class WhoamiHandler(BaseHandler):
    async def get(self) -> None:
        def work(user: TeamUser) -> dict[str, Any]:
            return {"username": user.username, "nama": user.nama, "nip": user.nip, "peran": list(user.peran),
                    "admin": user.admin, "evaluator": evaluator_id(user)}
        await self.handle(work)


class WriteHandler(BaseHandler):
    action = ""

    def check(self, user: TeamUser, unit_id: str, tier: str) -> None:
        authorize(self.state, user.username, unit_id, tier)

    async def post(self) -> None:
        await self.handle(lambda user: self.store(user, self.body()))  # the token first, then the body

    def store(self, user: TeamUser, data: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError


class AnswerHandler(WriteHandler):
    action = "answer"

    def store(self, user: TeamUser, data: dict[str, Any]) -> dict[str, Any]:
        unit_id, tier = text(data, "unit_id"), text(data, "tier")
        self.check(user, unit_id, tier)
        previous = data.get("previous")  # the workbook's answer, recorded when the ledger has none (for undo)
        rec = self.state.ledger.adjust(self.state.rubric, unit_id, text(data, "code"), text(data, "answer"), tier,
                                       evaluator_id(user), text(data, "note", required=False),
                                       previous=None if previous is None else str(previous))
        return {"record": record_json(rec)}


class VerdictsHandler(WriteHandler):
    action = "verdicts"

    def store(self, user: TeamUser, data: dict[str, Any]) -> dict[str, Any]:
        unit_id, tier = text(data, "unit_id"), text(data, "tier")
        self.check(user, unit_id, tier)
        raw = data.get("verdicts")
        if not isinstance(raw, dict) or not raw:
            raise refused(400, "Kolom 'verdicts' wajib berupa objek {nomor dokumen: penilaian}.")
        try:
            verdicts = {int(k): (None if v is None else str(v)) for k, v in raw.items()}
        except (TypeError, ValueError):
            raise refused(400, "Nomor dokumen pada 'verdicts' harus bilangan bulat.") from None
        note = data.get("note")
        recs = write_verdicts(self.state.ledger, self.state.rubric, unit_id, text(data, "code"), tier,
                              evaluator_id(user), verdicts, note=None if note is None else str(note))
        return {"records": [record_json(r) for r in recs]}


class CatatanHandler(WriteHandler):
    action = "catatan"

    def store(self, user: TeamUser, data: dict[str, Any]) -> dict[str, Any]:
        unit_id, tier = text(data, "unit_id"), text(data, "tier")
        self.check(user, unit_id, tier)
        texts = {k: data.get(k) for k in ("catatan", "rekomendasi")}
        if any(v is not None and not isinstance(v, str) for v in texts.values()):
            raise refused(400, "Kolom 'catatan' dan 'rekomendasi' harus berupa teks.")
        rec = write_catatan(self.state.ledger, self.state.rubric, unit_id, text(data, "scope"), tier,
                            evaluator_id(user), texts["catatan"], texts["rekomendasi"])
        return {"record": record_json(rec)}


class ApiHandler(BaseHandler):
    """An endpoint of :data:`ENDPOINTS`: the token first, then the body or query."""

    def initialize(self, state: ServiceState, name: str) -> None:  # type: ignore[override]
        self.state = state
        method, self.endpoint = ENDPOINTS[name]
        self.SUPPORTED_METHODS = (method,)  # another method: 405

    def caller(self, user: TeamUser) -> Caller:
        return Caller(user.username, evaluator_id(user), user.peran)

    async def get(self) -> None:
        args = {k: self.get_query_argument(k) for k in self.request.query_arguments}
        await self.handle(lambda user: self.endpoint(self.state, self.caller(user), args))

    async def post(self) -> None:
        await self.handle(lambda user: self.endpoint(self.state, self.caller(user), self.body()))


@web.stream_request_body
class UploadHandler(ApiHandler):
    """An endpoint taking a file (up to :data:`zi_nb.team.service_api.UPLOAD_MAX_BODY`): the token is checked
    before the body is read, a larger body is refused (413) before it is sent."""

    async def prepare(self) -> None:
        self.chunks: list[bytes] = []
        try:
            length = int(self.request.headers.get("Content-Length", "0") or 0)
        except ValueError:
            length = 0
        limit = service_api.UPLOAD_MAX_BODY
        try:
            await self.hub_user()
            if length > limit:
                raise refused(413, f"Berkas terlalu besar: isi permintaan {length} bayt, paling banyak {limit} "
                              "bayt (berkas dalam base64); kompres atau pecah berkasnya.")
        except web.HTTPError as exc:
            self.reply(exc.status_code, {"error": _message(exc)})
            return
        if self.request.connection is not None:
            self.request.connection.set_max_body_size(limit)  # type: ignore[attr-defined]

    def data_received(self, chunk: bytes) -> None:
        self.chunks.append(chunk)

    async def post(self) -> None:
        self.request.body = b"".join(self.chunks)
        await super().post()


class RootHandler(BaseHandler):
    def get(self) -> None:  # the hub checks that its service answers here; no data, no token needed
        self.reply(200, {"layanan": SERVICE_NAME, "api": ["whoami", "answer", "verdicts", "catatan",
                                                          *ENDPOINTS]})


class NotFoundHandler(BaseHandler):
    def prepare(self) -> None:
        self.reply(404, {"error": "Alamat tidak dikenal pada layanan ledger."})


class LedgerApp(web.Application):
    """Tornado takes ``max_body_size`` from the HTTP server, not from the application: here every request is held
    to :data:`MAX_BODY` whatever ``listen`` was given (an upload endpoint raises its own request's limit)."""

    def start_request(self, server_conn: object, request_conn: Any) -> Any:
        if hasattr(request_conn, "set_max_body_size"):
            request_conn.set_max_body_size(MAX_BODY)
        return super().start_request(server_conn, request_conn)


def make_app(state: ServiceState, prefix: str = PREFIX) -> web.Application:
    api = prefix.rstrip("/") + "/api/"
    routes: list[Any] = [(prefix.rstrip("/") + "/?", RootHandler, {"state": state}),
                         (api + "whoami", WhoamiHandler, {"state": state}),
                         (api + "answer", AnswerHandler, {"state": state}),
                         (api + "verdicts", VerdictsHandler, {"state": state}),
                         (api + "catatan", CatatanHandler, {"state": state})]
    routes += [(api + name, UploadHandler if name in service_api.UPLOADS else ApiHandler,
                {"state": state, "name": name}) for name in ENDPOINTS]
    return LedgerApp(routes, default_handler_class=NotFoundHandler, default_handler_args={"state": state})


def hub_auth() -> TokenResolver:
    """HubAuth from the environment the hub gives its managed service (JUPYTERHUB_API_URL, JUPYTERHUB_API_TOKEN)."""
    from jupyterhub.services.auth import HubAuth

    return HubAuth(cache_max_age=CACHE_SECONDS)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m zi_nb.team.service", description="Layanan ledger zi-nb (hub).")
    parser.add_argument("--team", required=True)
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ip", default="127.0.0.1")
    parser.add_argument("--rubric", default="", help="rubrik (bawaan: 'rubrik' berkas tim, atau zi-2021)")
    parser.add_argument("--bukti-dir", default="", help="penyimpanan bukti dukung (bawaan: di samping ledger)")
    parser.add_argument("--input", default="", help="berkas LKE unit-unit (bawaan: data contoh)")
    parser.add_argument("--units", default="", help="berkas metadata unit tambahan")
    args = parser.parse_args(argv)
    os.umask(0o077)  # the ledger, its WAL and the evidence store it creates: the service's user only
    team = load_team(args.team)
    rubric = load_rubric(args.rubric or field_text(team, "rubrik") or "zi-2021")
    try:
        data = load_inputs(args.input, args.units, rubric)
    except ZiError as exc:  # a missing or unreadable input: refuse to start, saying which file
        raise SystemExit(f"zi-ledger: {exc}") from None
    state = ServiceState(team, Ledger(args.ledger), hub_auth(), rubric,
                         Path(args.bukti_dir).expanduser().resolve() if args.bukti_dir else None, data)
    make_app(state, os.environ.get("JUPYTERHUB_SERVICE_PREFIX", PREFIX)).listen(args.port, args.ip, xheaders=True)
    print(f"zi-ledger: mendengarkan di http://{args.ip}:{args.port}{PREFIX}", flush=True)
    try:
        IOLoop.current().start()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
