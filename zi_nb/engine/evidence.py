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

import numpy as np
import pandas as pd

from zi_nb.common.domain import VERDICT_ABSENT, VERDICT_PRESENT, VERDICT_WRONG
from zi_nb.common.findings import Finding
from zi_nb.engine.rubric import Rubric

__all__ = ["EVIDENCE_KINDS", "LINK_PROBLEMS", "evidence_counts", "evidence_findings", "link_problem", "links_of"]

EVIDENCE_KINDS: tuple[str, ...] = ("evidence_rejected", "evidence_none", "evidence_reused", "evidence_unreachable")
_URL = re.compile(r"(?:https?|file)://[^\s<>\"']*", re.IGNORECASE)
# a Windows drive path or network share; folders may contain spaces, and the path ends at its file's extension
_LOCAL_PATH = re.compile(r"(?<![\w/])(?:[A-Za-z]:\\|\\\\[\w.$-]+\\)(?:[^\\\n\r<>\"'|?*]*\\)*"
                         r"(?:[^\\\n\r<>\"'|?*]*?\.[A-Za-z0-9]{1,5}(?!\w)|[^\s<>\"'|\\]*)")
_LINK = re.compile(f"(?i:{_URL.pattern})|{_LOCAL_PATH.pattern}")  # either, in the order they appear
# a URL's parts, to compare and check many links at once (scheme, authority, path, query; the fragment is dropped)
_PARTS = r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?P<netloc>[^/?#]*)(?P<path>[^?#]*)(?P<query>\?[^#]*)?"
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
VERDICT_EN = {VERDICT_PRESENT: "present", VERDICT_ABSENT: "missing", VERDICT_WRONG: "wrong or draft"}
_SHOWN = 3  # items or units named in one message; the rest are counted


def links_of(text: object) -> list[str]:
    """The links and local paths in an evidence field, in order (``https://...``, ``file://...``, ``C:\\...``)."""
    if not isinstance(text, str):
        return []
    return [link.rstrip(".,;)") for link in _LINK.findall(text)]


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


def _checked(links: pd.Series) -> pd.DataFrame:
    """For many links at once: ``problem`` (:func:`link_problem`, decided once per distinct scheme and host) and
    ``key``, what is compared for reuse (the case of scheme and host, a trailing slash and a fragment do not
    matter; a local path is compared as written, ignoring case)."""
    parts = links.str.extract(_PARTS)
    scheme, netloc = parts["scheme"].str.lower(), parts["netloc"].str.lower()
    origin = (scheme + "://" + netloc + "/").fillna("")
    problem = {o: link_problem(o) if o else "local_path" for o in origin.unique()}
    key = scheme + "://" + netloc + parts["path"].str.rstrip("/") + parts["query"].fillna("")
    key = key.fillna(links.str.lower())
    return pd.DataFrame({"problem": origin.map(problem), "key": key}, index=links.index)


def _names(values: list[str]) -> str:
    shown = "; ".join(values[:_SHOWN])
    return shown + (f" dan {len(values) - _SHOWN} lainnya" if len(values) > _SHOWN else "")


def evidence_findings(rubric: Rubric, answers: pd.DataFrame, values: pd.DataFrame,
                      verdicts: pd.DataFrame | None = None, attachments: pd.DataFrame | None = None) -> list[Finding]:
    """Every evidence finding of the units in ``values`` (index unit_id, one column per item, 0..1 or NaN).

    Work is done on whole frames: each distinct evidence text is searched for links once, and only the (unit, item)
    pairs with a finding are visited one by one."""
    units = [str(u) for u in values.index]
    rows = answers.loc[answers["unit_id"].isin(units), ["unit_id", "tier", "code", "evidence", "file", "sheet",
                                                         "cell", "line"]]
    rows = rows.assign(unit_id=rows["unit_id"].astype(str), item=rows["code"].astype(str).str.split(".", n=1).str[0])
    text = rows["evidence"].astype(object).where(rows["evidence"].map(lambda x: isinstance(x, str)), "")
    given = rows.loc[text.astype(str).str.strip().str.len().gt(0), ["unit_id", "item", "evidence"]]
    att = (attachments if attachments is not None else pd.DataFrame(columns=["unit_id", "code", "sha256", "name"]))
    att = att[att["unit_id"].isin(units)].astype({"unit_id": str, "code": str})
    findings: list[Finding] = []
    places: dict[tuple[str, str], dict] = {}

    def add(kind: str, unit: str, item: str, tier: str | None, **params: object) -> None:
        if not places and not rows.empty:  # where each item's unit-tier answer is, built once when first needed
            first = rows[rows["tier"].eq("unit")].drop_duplicates(["unit_id", "item"])
            for rec in first.itertuples(index=False):
                places[(str(rec.unit_id), str(rec.item))] = {
                    "file": rec.file if isinstance(rec.file, str) else None,
                    "sheet": rec.sheet if isinstance(rec.sheet, str) else None,
                    "cell": rec.cell if isinstance(rec.cell, str) else None,
                    "line": int(rec.line) if isinstance(rec.line, (int, float)) and not pd.isna(rec.line) else None}
        findings.append(Finding(kind, "warning", **places.get((unit, item), {}), code=item, unit_id=unit, tier=tier,
                                params=params))

    claimed = values.fillna(0.0).gt(0.0)
    claimed.index = claimed.index.astype(str)
    stacked = claimed.stack()
    claimed_keys = stacked.index[stacked.to_numpy(dtype=bool)]
    covered = pd.MultiIndex.from_arrays([pd.concat([given["unit_id"], att["unit_id"]]),
                                         pd.concat([given["item"], att["code"]])])
    for unit, item in claimed_keys[~claimed_keys.isin(covered)]:
        docs = rubric.documents_of(str(item))
        add("evidence_none", str(unit), str(item), "unit",
            expected=_names(docs) if docs else "bukti dukung sesuai kriteria butir ini",
            expected_en=_names(docs) if docs else "evidence matching the item's criteria")
    if verdicts is not None and not verdicts.empty:
        bad = verdicts[verdicts["verdict"].isin((VERDICT_ABSENT, VERDICT_WRONG)) & verdicts["unit_id"].isin(units)]
        for group_key, group in bad.groupby(["unit_id", "code"], sort=False):
            unit, code = str(group_key[0]), str(group_key[1])
            if code in claimed.columns and bool(claimed.at[unit, code]):
                docs = rubric.documents_of(code)
                pairs = sorted(zip(group["doc"].astype(int), group["verdict"]))
                named = [(docs[d - 1] if 0 < d <= len(docs) else str(d), str(v)) for d, v in pairs]
                add("evidence_rejected", unit, code, str(group["tier"].iloc[-1]),
                    detail="; ".join(f"{name} ({v})" for name, v in named),
                    detail_en="; ".join(f"{name} ({VERDICT_EN.get(v, v)})" for name, v in named))
    _link_findings(rubric, given, att, add)
    return findings


def _link_findings(rubric: Rubric, given: pd.DataFrame, att: pd.DataFrame, add: Callable[..., None]) -> None:
    """Unreachable links, and the same link or file used for items of different indicators or by several units."""
    codes, texts = pd.factorize(given["evidence"])
    found = [links_of(t) for t in texts]
    counts = np.array([len(x) for x in found], dtype=int)[codes] if len(texts) else np.zeros(0, dtype=int)
    flat = [link for per_row in (found[c] for c in codes) for link in per_row]
    links = pd.DataFrame({"unit": np.repeat(given["unit_id"].to_numpy(), counts),
                          "item": np.repeat(given["item"].to_numpy(), counts), "link": flat},
                         columns=["unit", "item", "link"]).drop_duplicates()
    checked = _checked(links["link"].astype(str))
    bad = checked["problem"].notna()
    for rec, reason in zip(links[bad].itertuples(index=False), checked.loc[bad, "problem"]):
        why = LINK_PROBLEMS[str(reason)]
        add("evidence_unreachable", rec.unit, rec.item, "unit", found=rec.link, detail=why[0], detail_en=why[1])
    ok = links[~bad]
    used = pd.concat([pd.DataFrame({"unit": ok["unit"], "item": ok["item"], "key": checked.loc[~bad, "key"],
                                    "shown": ok["link"]}),
                      pd.DataFrame({"unit": att["unit_id"], "item": att["code"], "key": "sha256:" + att["sha256"],
                                    "shown": att["name"] + " (sha256 " + att["sha256"].str[:12] + "…)"})],
                     ignore_index=True).drop_duplicates(["unit", "item", "key"])
    if used.empty:
        return
    indicator = {i.code: i.indicator for i in rubric.items}
    used["indicator"] = used["item"].map(indicator).fillna(used["item"])
    spread = used.groupby(["key", "unit"])["indicator"].transform("nunique").gt(1)
    shared = used.groupby("key")["unit"].transform("nunique").gt(1)
    for _, group in used[spread | shared].groupby("key", sort=False):
        shown = str(group["shown"].iloc[0])
        by_unit = {str(u): g for u, g in group.groupby("unit", sort=False)}
        for unit, g in by_unit.items():
            pairs = list(zip(g["item"], g["indicator"]))
            if len({ind for _, ind in pairs}) > 1:
                for item, ind in pairs:
                    others = [i for i, other in pairs if other != ind]
                    add("evidence_reused", unit, str(item), "unit", found=shown,
                        expected=f"butir {_names(others)} (indikator lain)",
                        expected_en=f"item {_names(others)} (another indicator)")
            if len(by_unit) > 1:
                add("evidence_reused", unit, str(pairs[0][0]), "unit", found=shown,
                    expected=f"unit lain: {_names([u for u in by_unit if u != unit])}",
                    expected_en=f"other units: {_names([u for u in by_unit if u != unit])}")


def evidence_counts(findings: list[Finding]) -> dict[str, int]:
    """unit -> number of items with an evidence finding (what the bulk summary and the app show per unit)."""
    items: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        if f.kind in EVIDENCE_KINDS and f.unit_id:
            items[f.unit_id].add(f.code or "")
    return {unit: len(codes) for unit, codes in items.items()}
