"""Small text helpers shared across modules."""

from __future__ import annotations

import errno
import os
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


#: names Windows keeps for devices, whatever the extension (``CON.html`` cannot be created there)
WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                             *(f"lpt{i}" for i in range(10))})


def file_stem(unit_id: str) -> str:
    """The file name stem of a unit's outputs (``<stem>.html``), inside the output folder and unique per unit id.

    It is :func:`slug` when the id already is that slug (``"kanim-sukawangi"``); otherwise the slug followed by 8 hex
    digits of the id's sha256, so ids that slug alike never share a file (``"a b"`` and ``"a.b"``, ``"../../evil"``
    and ``"..\\\\..\\\\evil"``, long ids equal in their first 80 characters) and no stem is a Windows device name
    (``"CON"`` -> ``"con-..."``). Like the slug it holds only ``a-z``, ``0-9`` and ``-``.
    """
    import hashlib

    text = str(unit_id)
    base = slug(text)
    if base == text and base not in WINDOWS_DEVICES:
        return base
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{base[:71].strip('-')}-{digest}"


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


# C0 controls but tab, newline and carriage return; DEL and C1; bidirectional embeddings, overrides and isolates
# (the "Trojan source" characters that reorder what a terminal or a report shows); zero-width characters and BOM.
_HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def visible(text: str) -> str:
    """``text`` with hidden characters (controls, bidi overrides, zero-width) shown as escapes (``\\x1b``,
    ``\\u202e``), for messages printed to a terminal or a report: what the user typed, but never able to move the
    cursor, colour the terminal or reorder the line."""
    return _HIDDEN.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}",
                       text)


def strip_hidden(text: str) -> str:
    """``text`` without the hidden characters of :func:`visible` (for identifiers and names read from inputs)."""
    return _HIDDEN.sub("", text)


def debug_detail(exc: BaseException) -> str:
    """`` (the library's message)`` when the environment variable ``ZI_NB_DEBUG`` is set, else ``""``: a library's
    English error text is for developers, never for users."""
    return f" ({str(exc)[:160]})" if os.environ.get("ZI_NB_DEBUG") else ""


# what an operating-system error means for the user, in their language (the system's own text is English)
OS_ERRORS = {
    errno.ENOENT: "berkas tidak ditemukan",
    errno.EACCES: "izin membaca atau menulis berkas ditolak",
    errno.EPERM: "izin membaca atau menulis berkas ditolak",
    errno.EISDIR: "ini sebuah folder, bukan berkas",
    errno.ENOTDIR: "salah satu bagian jalurnya bukan folder",
    errno.ENOSPC: "ruang disk habis",
    errno.EROFS: "sistem berkas hanya dapat dibaca",
    errno.EMFILE: "terlalu banyak berkas terbuka",
    errno.ENAMETOOLONG: "nama berkas terlalu panjang",
}


def os_error_text(exc: OSError) -> str:
    """An operating-system error as a short Indonesian phrase (the system's English text only under ZI_NB_DEBUG)."""
    known = OS_ERRORS.get(exc.errno) if exc.errno is not None else None
    return (known or f"galat sistem berkas nomor {exc.errno}") + debug_detail(exc)


def css_string(value: object) -> str:
    """``value`` as the inside of a double-quoted CSS string (a page header's ``content``): backslashes, quotes, line
    breaks and ``<`` escaped, so no text can end the string or the ``<style>`` element it stands in."""
    out = []
    for ch in str(value):
        if ch in '\\"<>' or ord(ch) < 32 or ch == "\x7f":
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return "".join(out)

