"""Which files may be attached as evidence (bukti dukung), checked on their bytes: :func:`check_file`.

Pure: it reads only the bytes it is given (a zip's central directory through :mod:`zipfile` over
:class:`io.BytesIO`), never the disk or the network.

Accepted (:data:`ALLOWED_KINDS`): PDF; images PNG, JPG/JPEG, GIF, WEBP, TIF/TIFF; Office documents without macros
DOCX, XLSX, PPTX; OpenDocument ODT, ODS, ODP (without Basic macros or scripts); UTF-8 text TXT and CSV. The content
must be what the extension says (a ``.pdf`` starts with ``%PDF-``, a ``.docx`` is an OOXML zip holding
``word/document.xml``, a ``.txt`` decodes as UTF-8 without NUL bytes...).

Refused, each with an Indonesian message naming the file, saying why and what is accepted (:class:`EvidenceError`):

* an empty file, or one above :data:`zi_nb.common.limits.MAX_EVIDENCE_BYTES`;
* programs: by extension (:data:`EXECUTABLE_EXTENSIONS`: exe, dll, bat, ps1, js, jar, apk...) whatever the
  content, and by content whatever the extension (Windows PE ``MZ``, ELF, Mach-O, a script starting ``#!``);
* Office files with macros: by extension (:data:`MACRO_EXTENSIONS`: docm, xlsm, xlsb...), and any zip holding
  ``vbaProject.bin`` or declaring a ``macroEnabled`` content type, whatever its extension;
* archives: by extension (:data:`ARCHIVE_EXTENSIONS`) and by content (a zip that is no OOXML/ODF document, RAR, 7z,
  gzip, bzip2, xz, tar), since what an archive holds is not checked;
* legacy Office files ``.doc``/``.xls``/``.ppt`` (:data:`LEGACY_OFFICE_EXTENSIONS`), always, with the advice to
  save them as DOCX/XLSX/PPTX: their macros cannot be found reliably (a ``.ppt`` keeps its VBA compressed inside the
  "PowerPoint Document" stream, and searching the bytes for ``VBA`` names refuses honest documents that mention
  them), and the old binary formats are the ones document exploits target;
* content that does not match the extension, including a zip that cannot be read;
* any other extension (the message lists the accepted ones).

Zip bombs: a zip is never decompressed; only the names of its central directory are read, plus
``[Content_Types].xml`` (OOXML) or ``mimetype`` (ODF) when their declared size is below
:data:`MAX_MANIFEST_BYTES` (a larger one is refused).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from zi_nb.common import limits
from zi_nb.common.findings import one_line
from zi_nb.errors import EvidenceError

#: extension -> what users call it
ALLOWED_KINDS: dict[str, str] = {
    "pdf": "PDF", "png": "gambar PNG", "jpg": "gambar JPG", "jpeg": "gambar JPG", "gif": "gambar GIF",
    "webp": "gambar WEBP", "tif": "gambar TIFF", "tiff": "gambar TIFF",
    "docx": "dokumen Word (DOCX)", "xlsx": "lembar kerja Excel (XLSX)", "pptx": "presentasi PowerPoint (PPTX)",
    "odt": "dokumen OpenDocument (ODT)", "ods": "lembar kerja OpenDocument (ODS)",
    "odp": "presentasi OpenDocument (ODP)", "txt": "teks (TXT)", "csv": "tabel teks (CSV)",
}
MIME_TYPES: dict[str, str] = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
    "webp": "image/webp", "tif": "image/tiff", "tiff": "image/tiff",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation", "txt": "text/plain", "csv": "text/csv",
}
#: what the refusals say is accepted
ALLOWED_TEXT = ("PDF, gambar (PNG, JPG, GIF, WEBP, TIFF), dokumen Office tanpa makro (DOCX, XLSX, PPTX), "
                "OpenDocument (ODT, ODS, ODP), teks (TXT, CSV)")
EXECUTABLE_EXTENSIONS = frozenset({"exe", "dll", "com", "bat", "cmd", "ps1", "sh", "js", "vbs", "jar", "msi", "scr",
                                   "apk", "app", "bin", "cpl", "hta", "jse", "lnk", "msp", "pif", "psm1", "reg",
                                   "vbe", "wsf", "wsh", "py", "pl", "rb", "elf", "deb", "rpm", "dmg", "iso"})
MACRO_EXTENSIONS = frozenset({"docm", "dotm", "xlsm", "xltm", "xlam", "xlsb", "pptm", "potm", "ppsm", "ppam"})
ARCHIVE_EXTENSIONS = frozenset({"zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "tbz2", "xz", "txz", "cab", "arj",
                                "lz", "lzma", "zst"})
LEGACY_OFFICE_EXTENSIONS = frozenset({"doc", "dot", "xls", "xlt", "ppt", "pps", "pot"})
MAX_MANIFEST_BYTES = 1024 * 1024  # [Content_Types].xml or mimetype larger than this is refused (zip bomb)

_OOXML_MAIN = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
_ODF_MIME = {ext: MIME_TYPES[ext] for ext in ("odt", "ods", "odp")}
_TEXT = frozenset({"txt", "csv"})
_MACHO = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
_IMAGES = {"png": (b"\x89PNG\r\n\x1a\n",), "jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",),
           "gif": (b"GIF87a", b"GIF89a"), "tif": (b"II*\x00", b"MM\x00*"), "tiff": (b"II*\x00", b"MM\x00*")}


@dataclass(frozen=True)
class FileKind:
    """What an accepted file is: ``extension`` (lower case, no dot), ``label`` (as users call it), ``mime``."""

    extension: str
    label: str
    mime: str


def extension_of(name: str) -> str:
    """The lower-case extension of the last segment of ``name`` (``"a/b.PDF"`` -> ``"pdf"``), ``""`` without one."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(". ")
    stem, dot, ext = base.rpartition(".")
    return ext.lower() if dot and stem else ""


def extension_for_mime(content_type: str | None) -> str:
    """The accepted extension of a MIME type (``"application/pdf; x=y"`` -> ``"pdf"``), ``""`` when none."""
    mime = str(content_type or "").split(";", 1)[0].strip().lower()
    if mime in ("image/jpg", "image/pjpeg"):
        return "jpg"
    return next((ext for ext, m in MIME_TYPES.items() if m == mime), "")


def is_known_extension(ext: str) -> bool:
    """Whether :func:`check_file` has a rule of its own for ``ext`` (accepted or refused by extension)."""
    return ext in ALLOWED_KINDS or ext in (EXECUTABLE_EXTENSIONS | MACRO_EXTENSIONS | ARCHIVE_EXTENSIONS
                                           | LEGACY_OFFICE_EXTENSIONS)


def _refuse(name: str, reason: str, expected: str = "") -> EvidenceError:
    tail = expected or f"Yang diterima: {ALLOWED_TEXT}."
    return EvidenceError(f"Berkas '{one_line(str(name))}' ditolak: {reason}. {tail}")


def _macro(name: str, why: str) -> EvidenceError:
    return _refuse(name, f"dokumen Office dengan makro ({why}) tidak boleh dilampirkan karena makro dapat menjalankan "
                   "program", "Simpan ulang sebagai DOCX, XLSX atau PPTX tanpa makro, atau sebagai PDF.")


def _executable(content: bytes, ext: str) -> str:
    """The kind of program ``content`` is (``""`` when none)."""
    if content.startswith(b"#!"):
        return "skrip (diawali #!)"
    if content.startswith(b"\x7fELF"):
        return "program Linux (ELF)"
    if content.startswith(_MACHO):
        return "program macOS (Mach-O)"
    # a PE/DOS header always holds NUL bytes, so a text file starting with the letters "MZ" is not taken for one
    if content.startswith(b"MZ") and (ext not in _TEXT or b"\x00" in content[:64]):
        return "program Windows (MZ/PE)"
    return ""


def _archive(content: bytes) -> str:
    """The archive format of ``content`` other than zip (``""`` when none)."""
    if content.startswith(b"Rar!\x1a\x07"):
        return "RAR"
    if content.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if content.startswith(b"\x1f\x8b"):
        return "gzip"
    if content.startswith(b"BZh") and content[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bzip2"
    if content.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if content[257:262] == b"ustar":
        return "tar"
    if content.startswith(b"MSCF"):
        return "CAB"
    return ""


def _looks_like(content: bytes) -> str:
    """What ``content`` seems to be, for a mismatch message (``""`` when unknown)."""
    if content.startswith(b"%PDF-"):
        return "PDF"
    for ext, magics in _IMAGES.items():
        if content.startswith(magics):
            return ALLOWED_KINDS[ext]
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "gambar WEBP"
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "dokumen Office lama (DOC/XLS/PPT)"
    if content.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "halaman web (HTML)"
    return ""


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    if info.file_size >= MAX_MANIFEST_BYTES:
        raise _refuse(name, f"bagian '{one_line(info.filename)}' di dalamnya berukuran {limits.size(info.file_size)}"
                      f" (batas {limits.size(MAX_MANIFEST_BYTES)}), tanda arsip yang mengembang berlebihan")
    with archive.open(info) as part:
        return part.read(MAX_MANIFEST_BYTES)


def _zip_kind(name: str, content: bytes) -> str:
    """``"docx"``/``"xlsx"``/``"pptx"``/``"odt"``/``"ods"``/``"odp"`` for an Office or OpenDocument zip, ``"zip"``
    for any other zip; :class:`EvidenceError` for one with macros; :class:`zipfile.BadZipFile` when unreadable."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        lower = {n.lower() for n in infos}
        if any(n.rsplit("/", 1)[-1] == "vbaproject.bin" for n in lower):
            raise _macro(name, "berisi vbaProject.bin")
        if "[Content_Types].xml" in infos:
            types = _read_small(archive, infos["[Content_Types].xml"], name)
            if b"macroenabled" in types.lower():
                raise _macro(name, "jenis isinya macroEnabled")
            return next((ext for ext, part in _OOXML_MAIN.items() if part in infos), "zip")
        if "mimetype" in infos:
            mime = _read_small(archive, infos["mimetype"], name).decode("ascii", "replace").strip()
            kind = next((ext for ext, m in _ODF_MIME.items() if m == mime), "zip")
            scripts = [n for n in lower if n.startswith("scripts/") or (
                n.startswith("basic/") and n.endswith(".xml") and n.rsplit("/", 1)[-1] not in ("script-lc.xml",
                                                                                               "script-lb.xml"))]
            if kind != "zip" and scripts:
                raise _refuse(name, "dokumen OpenDocument dengan makro atau skrip tidak boleh dilampirkan karena "
                              "makro dapat menjalankan program", "Simpan ulang tanpa makro, atau sebagai PDF.")
            return kind
    return "zip"


def _content_matches(ext: str, content: bytes) -> bool:
    if ext == "pdf":
        return content.startswith(b"%PDF-")
    if ext in _IMAGES:
        return content.startswith(_IMAGES[ext])
    if ext == "webp":
        return content[:4] == b"RIFF" and content[8:12] == b"WEBP"
    if ext in _TEXT:
        if b"\x00" in content:
            return False
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return False  # zip-based kinds are matched in check_file


def check_file(name: str, content: bytes) -> FileKind:
    """The kind of an evidence file named ``name`` with bytes ``content``, or :class:`EvidenceError` saying, in
    Bahasa Indonesia, why it is refused and what is accepted (see the module docstring)."""
    ext = extension_of(name)
    size = len(content)
    if size == 0:
        raise _refuse(name, "berkasnya kosong (0 bayt)", "Lampirkan berkas yang berisi bukti dukung.")
    if size > limits.MAX_EVIDENCE_BYTES:
        raise _refuse(name, f"ukurannya {limits.size(size)}, melebihi batas {limits.size(limits.MAX_EVIDENCE_BYTES)}"
                      " per berkas bukti dukung", "Perkecil berkasnya (mis. kompres PDF atau bagi menjadi beberapa "
                      "berkas) lalu lampirkan lagi.")
    if ext in EXECUTABLE_EXTENSIONS:
        raise _refuse(name, f"program yang dapat dijalankan ({ext}) tidak boleh dilampirkan sebagai bukti dukung")
    if ext in MACRO_EXTENSIONS:
        raise _macro(name, ext)
    if ext in ARCHIVE_EXTENSIONS:
        raise _refuse(name, f"arsip terkompresi ({ext}) tidak diterima karena isinya tidak dapat diperiksa",
                      f"Lampirkan berkas di dalamnya satu per satu. Yang diterima: {ALLOWED_TEXT}.")
    if ext in LEGACY_OFFICE_EXTENSIONS:
        raise _refuse(name, f"format Office lama ({ext}) tidak diterima karena makronya tidak dapat diperiksa dengan "
                      "andal", "Simpan ulang sebagai DOCX, XLSX atau PPTX (Simpan Sebagai > format terbaru), atau "
                      "sebagai PDF.")
    if ext not in ALLOWED_KINDS:
        shown = f"ekstensi '.{one_line(ext)}'" if ext else "tanpa ekstensi"
        raise _refuse(name, f"jenis berkas ({shown}) tidak dikenal sebagai bukti dukung")
    program = _executable(content, ext)
    if program:
        raise _refuse(name, f"isinya adalah {program}; program yang dapat dijalankan tidak boleh dilampirkan "
                      "sebagai bukti dukung")
    packed = _archive(content)
    if packed:
        raise _refuse(name, f"isinya adalah arsip terkompresi ({packed}), bukan {ALLOWED_KINDS[ext]}; isi arsip "
                      "tidak dapat diperiksa", f"Lampirkan berkas di dalamnya satu per satu. Yang diterima: "
                      f"{ALLOWED_TEXT}.")
    mismatch = f"isinya tidak sesuai ekstensi .{ext} (bukan {ALLOWED_KINDS[ext]} yang sah"
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            kind = _zip_kind(name, content)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, OSError):
            raise _refuse(name, mismatch + "; arsipnya rusak atau tidak dapat dibaca)",
                          f"Lampirkan berkas {ALLOWED_KINDS[ext]} yang utuh.") from None
        if kind == ext:
            return FileKind(ext, ALLOWED_KINDS[ext], MIME_TYPES[ext])
        if kind == "zip" and ext not in _OOXML_MAIN and ext not in _ODF_MIME:
            raise _refuse(name, f"isinya adalah arsip ZIP, bukan {ALLOWED_KINDS[ext]}; isi arsip tidak dapat "
                          "diperiksa", f"Lampirkan berkas di dalamnya satu per satu. Yang diterima: {ALLOWED_TEXT}.")
        actual = ALLOWED_KINDS.get(kind, "arsip ZIP biasa")
        raise _refuse(name, f"{mismatch}; isinya tampak seperti {actual})",
                      f"Beri berkas ekstensi yang sesuai isinya, atau lampirkan {ALLOWED_KINDS[ext]} yang sah.")
    if _content_matches(ext, content):
        return FileKind(ext, ALLOWED_KINDS[ext], MIME_TYPES[ext])
    seen = _looks_like(content)
    if ext in _TEXT:
        why = "berisi bayt NUL" if b"\x00" in content else "bukan teks UTF-8"
        raise _refuse(name, f"{mismatch}; {why}" + (f", isinya tampak seperti {seen})" if seen else ")"),
                      "Simpan ulang sebagai teks UTF-8 (CSV UTF-8) lalu lampirkan lagi.")
    raise _refuse(name, mismatch + (f"; isinya tampak seperti {seen})" if seen else ")"),
                  f"Beri berkas ekstensi yang sesuai isinya, atau lampirkan {ALLOWED_KINDS[ext]} yang sah.")
