"""Small text helpers shared across modules."""

from __future__ import annotations

import re
import unicodedata


def slug(text: str, fallback: str = "unit") -> str:
    """A safe identifier for a unit or a file name: ``"KPPN Tipe A1 Lembah Hijau"`` -> ``"kppn-tipe-a1-lembah-hijau"``.

    Only ASCII letters, digits and ``-`` remain, so the result can never contain a path separator, a control or a
    right-to-left character.
    """
    normal = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    cleaned = re.sub(r"[^a-z0-9]+", "-", normal.lower()).strip("-")
    return cleaned[:80].strip("-") or fallback


def squash(text: object) -> str:
    """Lower-case text with runs of whitespace collapsed, for matching labels and questions."""
    return re.sub(r"\s+", " ", str(text or "")).strip().lower()
