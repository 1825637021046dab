"""The client of the ledger service (:mod:`zi_nb.team.service`), for code running in a user's server on the hub.

``ServiceClient.from_env()`` is None outside the hub; inside, it calls the service at ``$ZI_NB_SERVICE_URL`` with the
server's own ``$JUPYTERHUB_API_TOKEN``: the service, not this client, decides who is writing (the hub user owning the
token), so nothing here carries a name. Errors are :class:`zi_nb.errors.LedgerError` with the service's message
(in Bahasa Indonesia), or a message saying the service cannot be reached.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from zi_nb.errors import LedgerError

SERVICE_URL_ENV = "ZI_NB_SERVICE_URL"
TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
TIMEOUT = 30.0


@dataclass(frozen=True)
class ServiceClient:
    url: str  # the service's base, e.g. http://127.0.0.1:8082/services/zi-ledger/
    token: str
    timeout: float = TIMEOUT

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServiceClient | None:
        """The client of this hub server, or None outside the hub (either variable missing)."""
        env = os.environ if env is None else env
        url, token = env.get(SERVICE_URL_ENV, "").strip(), env.get(TOKEN_ENV, "").strip()
        if not url or not token:
            return None
        return cls(url if url.endswith("/") else url + "/", token)

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json; charset=UTF-8",
                                                  "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                return json.loads(resp.read().decode("utf-8") or "{}")
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read().decode("utf-8")).get("error", "")
            except (ValueError, UnicodeDecodeError, AttributeError):
                message = ""
            raise LedgerError(message or f"Layanan ledger menolak permintaan (HTTP {exc.code}).") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise LedgerError(f"Layanan ledger di {self.url} tidak dapat dihubungi ({reason}); simpan ulang "
                              "sebentar lagi atau hubungi admin.") from None
        except ValueError:
            raise LedgerError("Jawaban layanan ledger tidak dapat dibaca.") from None

    def whoami(self) -> dict[str, Any]:
        """The hub user of this server as the team file knows them: username, nama, nip, peran, evaluator."""
        return self._call("GET", "api/whoami")

    def adjust(self, unit_id: str, code: str, answer: str, tier: str, note: str) -> dict[str, Any]:
        """A reviewer's new answer (see :meth:`zi_nb.review.ledger.Ledger.adjust`); returns the record written."""
        return self._call("POST", "api/answer", {"unit_id": unit_id, "code": code, "answer": answer, "tier": tier,
                                                 "note": note})["record"]

    def write_verdicts(self, unit_id: str, code: str, tier: str, verdicts: Mapping[int, str | None],
                       note: str | None = None) -> list[dict[str, Any]]:
        """Verdicts on an item's documents (see :func:`zi_nb.review.evidence.write_verdicts`)."""
        body = {"unit_id": unit_id, "code": code, "tier": tier, "verdicts": {str(k): v for k, v in verdicts.items()},
                "note": note}
        return self._call("POST", "api/verdicts", body)["records"]

    def write_catatan(self, unit_id: str, scope: str, tier: str, catatan: str | None,
                      rekomendasi: str | None) -> dict[str, Any]:
        """The catatan and rekomendasi of an area or ``UNIT`` (see :func:`zi_nb.review.catatan.write_catatan`)."""
        return self._call("POST", "api/catatan", {"unit_id": unit_id, "scope": scope, "tier": tier,
                                                  "catatan": catatan, "rekomendasi": rekomendasi})["record"]
