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
