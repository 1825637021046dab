"""Small text helpers shared across modules."""

from __future__ import annotations

import re
import unicodedata


def ascii_fold(text: str) -> str:
    """``text`` in ASCII with accents dropped (``"Évaluasi"`` -> ``"Evaluasi"``); other non-ASCII characters go."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slug(text: str, fallback: str = "unit") -> str:
    """A safe identifier for a unit or a file name: ``"KPPN Tipe A1 Lembah Hijau"`` -> ``"kppn-tipe-a1-lembah-hijau"``.

    Only ASCII letters, digits and ``-`` remain, so the result can never contain a path separator, a control or a
    right-to-left character.
    """
    cleaned = re.sub(r"[^a-z0-9]+", "-", ascii_fold(str(text)).lower()).strip("-")
    return cleaned[:80].strip("-") or fallback


def squash(text: object) -> str:
    """Lower-case text with runs of whitespace collapsed, for matching labels and questions."""
    return re.sub(r"\s+", " ", str(text or "")).strip().lower()


_URL = re.compile(r"https?://[^\s<>\"']+")


def evidence_links(text: object) -> list[dict[str, object]]:
    """Lines of an evidence field (bukti dukung), each with its http(s) URL and its position in the line when it
    has one; only http and https ever become links."""
    if not isinstance(text, str):
        return []
    out: list[dict[str, object]] = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            match = _URL.search(line)
            out.append({"text": line, "url": match.group(0) if match else "",
                        "start": match.start() if match else 0, "end": match.end() if match else 0})
    return out
