"""Findings from bukti dukung: what an evaluator should look at in the evidence of many units at once (pure).

Four kinds, all warnings (they never change a score; the evaluator decides what the evidence is worth):

* ``evidence_rejected``: an item answered above its lowest value whose required documents the evaluator marked
  ``tidak ada`` or ``tidak sesuai`` (the answer is not supported by what was given);
* ``evidence_none``: an item answered above its lowest value with no evidence at all: no line in the bukti dukung
  field of any tier, and no attached file;
* ``evidence_reused``: the same link or file used for items of different indicators of one unit, or by several
  units (a shared folder link or one document copied for everything);
* ``evidence_unreachable``: a link the evaluator cannot open: a URL without a host, ``localhost`` or a private
  network address, a ``file://`` URL, a local drive path (``C:\\...``) or a network share (``\\\\server\\...``).

"Above the lowest value" means an item value above 0 (any answer that claims something), so no threshold is needed.
Inputs are frames: the answers frame (its ``evidence`` column), the item values of the view being checked
(:attr:`zi_nb.engine.scoring.Scores.items`), the verdicts in force and the attachments
(:func:`zi_nb.review.evidence.verdict_frame`, :func:`~zi_nb.review.evidence.attachment_frame`).
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Callable
from urllib.parse import urlsplit

import pandas as pd

from zi_nb.common.domain import VERDICT_ABSENT, VERDICT_WRONG
from zi_nb.common.findings import Finding
from zi_nb.engine.rubric import Rubric

__all__ = ["EVIDENCE_KINDS", "LINK_PROBLEMS", "evidence_counts", "evidence_findings", "link_problem", "links_of"]

EVIDENCE_KINDS: tuple[str, ...] = ("evidence_rejected", "evidence_none", "evidence_reused", "evidence_unreachable")
_URL = re.compile(r"(?:https?|file)://[^\s<>\"']*", re.IGNORECASE)
_LOCAL_PATH = re.compile(r"(?<![\w/])(?:[A-Za-z]:\\|\\\\[\w.$-]+\\)[^\s<>\"']*")
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
_SHOWN = 3  # items or units named in one message; the rest are counted


def links_of(text: object) -> list[str]:
    """The links and local paths in an evidence field, in order (``https://...``, ``file://...``, ``C:\\...``)."""
    if not isinstance(text, str):
        return []
    found = [(m.start(), m.group(0).rstrip(".,;)")) for m in _URL.finditer(text)]
    found += [(m.start(), m.group(0).rstrip(".,;)")) for m in _LOCAL_PATH.finditer(text)]
    return [link for _, link in sorted(found)]


# why a link cannot be opened: key -> (Bahasa Indonesia, English)
LINK_PROBLEMS: dict[str, tuple[str, str]] = {
    "local_path": ("alamat berkas di komputer atau jaringan lokal pengisi, bukan tautan yang dapat dibuka penilai",
                   "a path on the filler's own computer or local network, not a link the evaluator can open"),
    "file_url": ("tautan file:// menunjuk berkas di komputer pengisi",
                 "a file:// link points to the filler's computer"),
    "no_host": ("tautan tanpa alamat (kosong)", "a link without an address (empty)"),
    "localhost": ("tautan ke localhost (komputer pengisi sendiri)", "a link to localhost (the filler's own computer)"),
    "private": ("tautan ke alamat jaringan lokal yang tidak dapat dibuka dari luar",
                "a link to a local network address that cannot be opened from outside"),
}


def link_problem(link: str) -> str | None:
    """Why an evaluator cannot open ``link`` (a key of :data:`LINK_PROBLEMS`), or None when it looks reachable."""
    if _LOCAL_PATH.fullmatch(link):
        return "local_path"
    parts = urlsplit(link)
    if parts.scheme.lower() == "file":
        return "file_url"
    try:
        host = (parts.hostname or "").strip().lower()
    except ValueError:
        return "no_host"
    if not host:
        return "no_host"
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return "localhost"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified:
        return "private"
    return None


def _key(link: str) -> str:
    """Links compared for reuse: case of scheme and host, a trailing slash and a fragment do not matter."""
    parts = urlsplit(link)
    if not parts.scheme:
        return link.lower()
    return f"{parts.scheme.lower()}://{(parts.netloc or '').lower()}{parts.path.rstrip('/')}" + (
        f"?{parts.query}" if parts.query else "")


def _item_of(code: str) -> str:
    return code.split(".", 1)[0]


def _names(values: list[str]) -> str:
    shown = "; ".join(values[:_SHOWN])
    return shown + (f" dan {len(values) - _SHOWN} lainnya" if len(values) > _SHOWN else "")


def evidence_findings(rubric: Rubric, answers: pd.DataFrame, values: pd.DataFrame,
                      verdicts: pd.DataFrame | None = None, attachments: pd.DataFrame | None = None) -> list[Finding]:
    """Every evidence finding of the units in ``values`` (index unit_id, one column per item, 0..1 or NaN)."""
    units = [str(u) for u in values.index]
    unit_set = set(units)
    rows = answers[answers["unit_id"].isin(unit_set)]
    where: dict[tuple[str, str], dict] = {}  # (unit, item) -> where its unit-tier answer is, for the finding
    texts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rec in rows[["unit_id", "tier", "code", "evidence", "file", "sheet", "cell", "line"]].itertuples(index=False):
        item = _item_of(str(rec.code))
        key = (str(rec.unit_id), item)
        if isinstance(rec.evidence, str) and rec.evidence.strip():
            texts[key].append(rec.evidence)
        if rec.tier == "unit" and key not in where:
            where[key] = {"file": rec.file if isinstance(rec.file, str) else None,
                          "sheet": rec.sheet if isinstance(rec.sheet, str) else None,
                          "cell": rec.cell if isinstance(rec.cell, str) else None,
                          "line": int(rec.line) if isinstance(rec.line, (int, float)) and not pd.isna(rec.line)
                          else None}
    attached: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # -> (sha256, name)
    if attachments is not None:
        for a in attachments[attachments["unit_id"].isin(unit_set)].itertuples(index=False):
            attached[(str(a.unit_id), str(a.code))].append((str(a.sha256), str(a.name)))
    findings: list[Finding] = []

    def add(kind: str, unit: str, item: str, tier: str | None, **params: object) -> None:
        findings.append(Finding(kind, "warning", **where.get((unit, item), {}), code=item, unit_id=unit, tier=tier,
                                params=params))

    claimed = values.fillna(0.0).gt(0.0)
    for unit, row in zip(units, claimed.to_numpy()):
        for item in map(str, values.columns[row]):
            if not texts.get((unit, item)) and not attached.get((unit, item)):
                docs = rubric.documents_of(str(item))
                add("evidence_none", unit, item, "unit",
                    expected=_names(docs) if docs else "bukti dukung sesuai kriteria butir ini")
    if verdicts is not None and not verdicts.empty:
        bad = verdicts[verdicts["verdict"].isin((VERDICT_ABSENT, VERDICT_WRONG)) & verdicts["unit_id"].isin(unit_set)]
        for group_key, group in bad.groupby(["unit_id", "code"], sort=False):
            unit, code = str(group_key[0]), str(group_key[1])
            if code in values.columns and bool(claimed.at[unit, code]):
                docs = rubric.documents_of(code)
                listed = [f"{docs[d - 1] if 0 < d <= len(docs) else d} ({v})"
                          for d, v in sorted(zip(group["doc"].astype(int), group["verdict"]))]
                add("evidence_rejected", unit, code, str(group["tier"].iloc[-1]),
                    detail="; ".join(listed))
    _reuse_findings(rubric, texts, attached, add)
    return findings


def _reuse_findings(rubric: Rubric, texts: dict[tuple[str, str], list[str]],
                    attached: dict[tuple[str, str], list[tuple[str, str]]],
                    add: Callable[..., None]) -> None:
    by_link: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))  # link -> unit -> items
    shown: dict[str, str] = {}
    for (unit, item), fields in texts.items():
        for link in dict.fromkeys(link for text in fields for link in links_of(text)):
            problem = link_problem(link)
            if problem:
                add("evidence_unreachable", unit, item, "unit", found=link, detail=LINK_PROBLEMS[problem][0],
                    detail_en=LINK_PROBLEMS[problem][1])
                continue
            key = _key(link)
            shown.setdefault(key, link)
            by_link[key][unit].append(item)
    for (unit, item), hashes in attached.items():
        for sha, name in dict.fromkeys(hashes):
            shown.setdefault(f"sha256:{sha}", f"{name} (sha256 {sha[:12]}…)")
            by_link[f"sha256:{sha}"][unit].append(item)
    indicator = {i.code: i.indicator for i in rubric.items}
    for key, per_unit in by_link.items():
        for unit, items in per_unit.items():
            items = list(dict.fromkeys(items))
            if len({indicator.get(i, i) for i in items}) > 1:
                for item in items:
                    others = [i for i in items if indicator.get(i, i) != indicator.get(item, item)]
                    add("evidence_reused", unit, item, "unit", found=shown[key],
                        expected=f"butir {_names(others)} (indikator lain)")
            if len(per_unit) > 1:
                other_units = [u for u in per_unit if u != unit]
                add("evidence_reused", unit, items[0], "unit", found=shown[key],
                    expected=f"unit lain: {_names(other_units)}")


def evidence_counts(findings: list[Finding]) -> dict[str, int]:
    """unit -> number of items with an evidence finding (what the bulk summary and the app show per unit)."""
    items: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        if f.kind in EVIDENCE_KINDS and f.unit_id:
            items[f.unit_id].add(f.code or "")
    return {unit: len(codes) for unit, codes in items.items()}
