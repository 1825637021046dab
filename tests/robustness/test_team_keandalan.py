"""Keandalan of the team server's write path: every write the team's permission table forbids, tried through the
ledger service (in-process, a fake hub resolving tokens) for every role, write endpoint and tier, status change and
unit status, each with body fields claiming another user; every one must be refused (403) and recorded as a
``penolakan`` of the token's owner, and no record may ever carry a name other than the token's owner.

Figures: ``forbidden_writes_tried``, ``forbidden_writes_refused``, ``wrong_identity_records``."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib

from tests.robustness.figures import report_figures
from tests.team.test_hub import raw_post
from tests.team.test_service_api import PDF, USERS, serving
from zi_nb.common.domain import STATUS
from zi_nb.review.ledger import Ledger, Record, new_fields
from zi_nb.team.permissions import DRAF, STATUSES, TABLE, action_for, allowed
from zi_nb.team.service import load_team
from zi_nb.team.service_api import TIER_ACTION
from zi_nb.team.status import status_code
from zi_nb.team.teamfile import Team

UNIT = "u1"
SHA = hashlib.sha256(b"LHE").hexdigest()
# the write endpoints taking a tier, with a body valid for each (so that only the permission can refuse it)
EDITS = {
    "answer": {"code": "PPA1A", "answer": "Ya", "note": "uji"},
    "verdicts": {"code": "PPA1A", "verdicts": {"1": "ada"}, "note": "uji"},
    "catatan": {"scope": "A", "catatan": "uji", "rekomendasi": "uji"},
    "semua-ada": {"code": "PPA1A"},
    "attach": {"code": "PPA1A", "name": "SK.pdf", "content": base64.b64encode(PDF).decode()},
    "undo": {"note": "uji"},
}
STATUS_BODY = {"note": "alasan uji", "butir": {"PPA1A": "perbaiki"}, "lhe_sha256": SHA}


def forged(owner: str) -> dict[str, str]:
    """Body fields claiming the next user of the team (never the token's owner)."""
    other = USERS[(USERS.index(owner) + 1) % len(USERS)]
    return {"evaluator": f"hub:{other}", "username": other, "user": other, "nama": other.title(),
            "nip": "199001012015011001"}


def set_status(ledger: Ledger, status: str) -> None:
    """Put the unit in ``status`` (a status record written directly: the starting point of each round)."""
    ledger.write_record(UNIT, lambda records: new_fields(
        kind=STATUS, unit_id=UNIT, code=status_code("2026"), tier="final", previous=None, answer=status,
        evaluator="penguji", note=f"uji: status {status}", rubric_id="zi-2021"))


def owner_of(rec: Record) -> str:
    """The username a record is written under: ``hub:budi (...)`` or ``budi``."""
    return rec.evaluator.removeprefix("hub:").split()[0]


def attempts_at(team: Team, status: str, now: dt.datetime) -> list[tuple[str, str, dict, str, bool]]:
    """(user, endpoint, body, action, forbidden by the table) of every write of every user on the unit in ``status``:
    each edit endpoint at each tier, and each status change the table forbids."""
    out = []
    for user in USERS:
        for path, body in EDITS.items():
            for tier, action in TIER_ACTION.items():
                ok = allowed(team, user, action, UNIT, status, now)
                out.append((user, path, {**body, "unit_id": UNIT, "tier": tier}, action, not ok))
        for target in STATUSES:
            if target == DRAF:
                continue
            action = action_for(status, target) or next(r.action for r in TABLE if target in r.targets)
            if not allowed(team, user, action, UNIT, status, now, to_status=target):
                out.append((user, "status", {**STATUS_BODY, "unit_id": UNIT, "to_status": target}, action, True))
    return out


def test_forbidden_writes_through_the_service_are_refused_and_recorded(tmp_path) -> None:
    now = dt.datetime.now(dt.UTC)
    tried = refused = wrong = 0
    failures: list[str] = []
    for n, status in enumerate(STATUSES):
        (tmp_path / f"s{n}").mkdir()
        with serving(tmp_path / f"s{n}") as (url, ledger):  # a fresh ledger per status: the unit starts there
            team = load_team(tmp_path / f"s{n}" / "tim.yaml")
            set_status(ledger, status)
            for user, path, body, action, forbidden in attempts_at(team, status, now):
                seen = len(ledger.records())
                got, answer = raw_post(url, f"api/{path}", {**body, **forged(user)}, f"tok-{user}")
                new = ledger.records()[seen:]
                wrong += sum(owner_of(r) != user for r in new)  # allowed writes too: never another name
                if not forbidden:
                    continue
                tried += 1
                last = new[-1] if new else None
                if (got == 403 and len(new) == 1 and last is not None and last.kind == "penolakan"
                        and last.evaluator == user and last.details == {"aksi": action, "via": "hub"}
                        and last.previous == status):
                    refused += 1
                else:
                    failures.append(f"{user} {path} {body.get('tier') or body.get('to_status')} saat {status}: "
                                    f"{got} {answer}")
            assert ledger.verify() == []
    assert tried > 1000 and failures == [], "\n".join(failures[:20])
    assert wrong == 0
    check = report_figures(forbidden_writes_tried=tried, forbidden_writes_refused=refused,
                           wrong_identity_records=wrong)
    check()
