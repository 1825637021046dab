"""Which evidence files (bukti dukung) are accepted: real small files of every kind, and every refusal saying why in
Bahasa Indonesia. The sample builders here are shared with ``tests/review/test_evidence_store.py``."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zipfile
import zlib

import pytest

from zi_nb.common import filetypes, limits
from zi_nb.common.filetypes import ALLOWED_KINDS, FileKind, check_file, extension_for_mime, extension_of
from zi_nb.errors import EvidenceError, ZiError

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 44
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00" + b"PE\0\0"
MACHO = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 24


def png() -> bytes:
    """A real 1x1 PNG (signature, IHDR, IDAT, IEND with their CRCs)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def jpg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "JPEG")
    return out.getvalue()


def docx() -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("SK Tim Pembangunan Zona Integritas")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Kode", "Jawaban"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezip(content: bytes, add: dict[str, bytes] | None = None, change: dict[str, bytes] | None = None) -> bytes:
    """``content`` (a zip) with entries added or changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (change or {}).get(info.filename, src.read(info)))
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def make_zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def pptx() -> bytes:
    types = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             b'<Override PartName="/ppt/presentation.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             b'presentationml.presentation.main+xml"/></Types>')
    return make_zip({"[Content_Types].xml": types, "ppt/presentation.xml": b"<p:presentation/>"})


def odf(mime: str, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", mime)  # stored, first, as ODF requires
        archive.writestr("content.xml", "<office:document-content/>", zipfile.ZIP_DEFLATED)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def tar() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        info = tarfile.TarInfo("laporan.pdf")
        info.size = len(PDF)
        archive.addfile(info, io.BytesIO(PDF))
    return out.getvalue()


def macro_docx() -> bytes:
    """A .docx with ``word/vbaProject.bin`` added (what Word writes for a .docm)."""
    return rezip(docx(), add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 60})


def macro_content_type_docx() -> bytes:
    content = docx()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        types = archive.read("[Content_Types].xml")
    macro = types.replace(b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
    assert macro != types
    return rezip(content, change={"[Content_Types].xml": macro})


ODT = "application/vnd.oasis.opendocument.text"

# name, content, what the message must say: one per refused kind
REFUSED = {
    "empty": ("kosong.pdf", lambda: b"", "kosong"),
    "exe extension": ("laporan.exe", lambda: PDF, "program yang dapat dijalankan (exe)"),
    "bat extension": ("jalankan.bat", lambda: b"echo halo\r\n", "program yang dapat dijalankan (bat)"),
    "js extension": ("skrip.js", lambda: b"alert(1)", "program yang dapat dijalankan (js)"),
    "ELF content": ("foto.png", lambda: ELF, "program Linux (ELF)"),
    "MZ content": ("laporan.pdf", lambda: MZ, "program Windows (MZ/PE)"),
    "Mach-O content": ("data.csv", lambda: MACHO, "program macOS (Mach-O)"),
    "shebang script named txt": ("catatan.txt", lambda: b"#!/bin/sh\nrm -rf ~\n", "skrip (diawali #!)"),
    "docm extension": ("sk.docm", docx, "dokumen Office dengan makro (docm)"),
    "xlsb extension": ("rekap.xlsb", xlsx, "dokumen Office dengan makro (xlsb)"),
    "vbaProject.bin in docx": ("sk.docx", macro_docx, "berisi vbaProject.bin"),
    "vbaProject.bin named pdf": ("sk.pdf", macro_docx, "berisi vbaProject.bin"),
    "macroEnabled content type": ("sk.docx", macro_content_type_docx, "macroEnabled"),
    "ODF with Basic macro": ("sk.odt", lambda: odf(ODT, {"Basic/Standard/Module1.xml": b"<script/>"}),
                             "OpenDocument dengan makro"),
    "zip extension": ("bukti.zip", lambda: make_zip({"a.pdf": PDF}), "arsip terkompresi (zip)"),
    "zip named pdf": ("bukti.pdf", lambda: make_zip({"a.pdf": PDF}), "arsip ZIP"),
    "rar content": ("bukti.pdf", lambda: b"Rar!\x1a\x07\x01\x00" + b"\x00" * 20, "arsip terkompresi (RAR)"),
    "7z content": ("bukti.png", lambda: b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 20, "arsip terkompresi (7z)"),
    "gzip content": ("bukti.pdf", lambda: gzip.compress(PDF), "arsip terkompresi (gzip)"),
    "bzip2 content": ("bukti.txt", lambda: bz2.compress(PDF), "arsip terkompresi (bzip2)"),
    "xz content": ("bukti.pdf", lambda: lzma.compress(PDF), "arsip terkompresi (xz)"),
    "tar content": ("bukti.pdf", tar, "arsip terkompresi (tar)"),
    "gz extension": ("bukti.tar.gz", lambda: gzip.compress(PDF), "arsip terkompresi (gz)"),
    "legacy doc": ("sk.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "format Office lama"),
    "pdf that is a png": ("laporan.pdf", png, "tampak seperti gambar PNG"),
    "png that is a pdf": ("foto.png", lambda: PDF, "tampak seperti PDF"),
    "jpg that is text": ("foto.jpg", lambda: b"bukan gambar", "tidak sesuai ekstensi .jpg"),
    "docx that is xlsx": ("sk.docx", xlsx, "tampak seperti lembar kerja Excel (XLSX)"),
    "docx that is a plain zip": ("sk.docx", lambda: make_zip({"a.txt": b"x"}), "tidak sesuai ekstensi .docx"),
    "xlsx without workbook": ("r.xlsx", lambda: make_zip({"[Content_Types].xml": b"<T/>", "xl/x.xml": b"<x/>"}),
                              "tidak sesuai ekstensi .xlsx"),
    "broken zip": ("sk.docx", lambda: b"PK\x03\x04" + b"\x00" * 40, "arsipnya rusak"),
    "odt with wrong mimetype": ("sk.odt", lambda: odf("application/vnd.oasis.opendocument.spreadsheet"),
                                "tampak seperti lembar kerja OpenDocument (ODS)"),
    "txt not utf-8": ("catatan.txt", lambda: "catatan évaluasi".encode("latin-1"), "bukan teks UTF-8"),
    "csv with NUL": ("data.csv", lambda: "a,b\n".encode("utf-16-le"), "bayt NUL"),
    "oversized manifest": ("sk.docx", lambda: make_zip({"[Content_Types].xml": b" " * (2 * 1024 * 1024),
                                                        "word/document.xml": b"<w/>"}), "mengembang berlebihan"),
    "unknown extension": ("halaman.html", lambda: b"<html></html>", "tidak dikenal"),
    "no extension": ("README", lambda: b"teks", "tanpa ekstensi"),
}


def refused_sample(key: str) -> tuple[str, bytes, str]:
    name, make, why = REFUSED[key]
    return name, make(), why


@pytest.mark.parametrize("key", list(REFUSED))
def test_every_refusal_says_why_in_indonesian_and_what_is_accepted(key):
    name, content, why = refused_sample(key)
    with pytest.raises(EvidenceError) as exc:
        check_file(name, content)
    message = str(exc.value)
    assert message.startswith(f"Berkas '{name}' ditolak: "), message
    assert why in message, message
    # every message says what to do or what is accepted
    assert any(word in message for word in ("Yang diterima", "Simpan ulang", "Lampirkan", "Beri berkas")), message
    assert isinstance(exc.value, ZiError)


def test_executable_message_lists_what_is_accepted():
    with pytest.raises(EvidenceError) as exc:
        check_file("laporan.exe", b"MZ")
    assert str(exc.value) == (
        "Berkas 'laporan.exe' ditolak: program yang dapat dijalankan (exe) tidak boleh dilampirkan sebagai bukti "
        "dukung. Yang diterima: PDF, gambar (PNG, JPG, GIF, WEBP, TIFF), dokumen Office tanpa makro (DOCX, XLSX, "
        "PPTX), OpenDocument (ODT, ODS, ODP), teks (TXT, CSV).")


def test_oversized_file_is_refused_with_both_sizes(monkeypatch):
    monkeypatch.setattr(limits, "MAX_EVIDENCE_BYTES", 1024)
    with pytest.raises(EvidenceError, match=r"ukurannya 2 KB, melebihi batas 1 KB") as exc:
        check_file("scan.pdf", PDF.ljust(2048, b"0"))
    assert "Perkecil berkasnya" in str(exc.value)
    assert check_file("kecil.pdf", PDF).extension == "pdf"  # below the limit


def test_the_limit_is_20_mb():
    assert limits.MAX_EVIDENCE_BYTES == 20 * 1024 * 1024
    assert limits.size(limits.MAX_EVIDENCE_BYTES) == "20 MB"


@pytest.mark.parametrize("name, make, ext, mime", [
    ("laporan.pdf", lambda: PDF, "pdf", "application/pdf"),
    ("Foto Kegiatan.PNG", png, "png", "image/png"),
    ("foto.jpg", jpg, "jpg", "image/jpeg"),
    ("foto.jpeg", jpg, "jpeg", "image/jpeg"),
    ("animasi.gif", lambda: b"GIF89a\x01\x00\x01\x00", "gif", "image/gif"),
    ("foto.webp", lambda: b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp", "image/webp"),
    ("scan.tif", lambda: b"II*\x00\x08\x00\x00\x00", "tif", "image/tiff"),
    ("sk.docx", docx, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("rekap.xlsx", xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("paparan.pptx", pptx, "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("sk.odt", lambda: odf(ODT), "odt", ODT),
    ("rekap.ods", lambda: odf("application/vnd.oasis.opendocument.spreadsheet", {"Basic/script-lc.xml": b"<x/>"}),
     "ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("catatan.txt", lambda: "Catatan évaluasi: sudah sesuai.\n".encode(), "txt", "text/plain"),
    ("data.csv", lambda: "\ufeffkode,jawaban\nPPA1B,Ya\n".encode(), "csv", "text/csv"),
    ("mz.txt", lambda: b"MZ adalah singkatan di catatan ini\n", "txt", "text/plain"),  # letters, not a program
    ("BZh.txt", lambda: b"BZh9 bukan arsip\n", "txt", "text/plain"),
])
def test_accepted_kinds(name, make, ext, mime):
    kind = check_file(name, make())
    assert kind == FileKind(ext, ALLOWED_KINDS[ext], mime)


def test_a_hostile_name_cannot_drive_the_terminal():
    with pytest.raises(EvidenceError) as exc:
        check_file("a\x1b[2J\u202egnp.exe", b"x")
    message = str(exc.value)
    assert "\x1b" not in message and "\u202e" not in message
    assert "\\x1b[2J\\u202egnp.exe" in message


def test_zip_parts_are_never_inflated(monkeypatch):
    """Only the central directory (and a small [Content_Types].xml) is read: a bomb-sized part is never opened."""
    bomb = make_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"\x00" * (5 * 1024 * 1024)})
    assert len(bomb) < 100_000
    opened = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(name if isinstance(name, str) else name.filename)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    assert check_file("sk.docx", bomb).extension == "docx"
    assert opened == ["[Content_Types].xml"]


def test_extension_helpers():
    assert extension_of("a/b/Laporan.Final.PDF") == "pdf"
    assert extension_of("..\\..\\x.exe") == "exe"
    assert extension_of(".bashrc") == "" and extension_of("README") == "" and extension_of("a.pdf. ") == "pdf"
    assert extension_for_mime("application/pdf; charset=binary") == "pdf"
    assert extension_for_mime("image/png") == "png" and extension_for_mime("image/jpeg") == "jpg"
    assert extension_for_mime("text/html") == "" and extension_for_mime(None) == ""


def test_every_allowed_kind_has_a_mime_type_and_no_extension_is_both_allowed_and_refused():
    assert set(ALLOWED_KINDS) == set(filetypes.MIME_TYPES)
    refused = (filetypes.EXECUTABLE_EXTENSIONS | filetypes.MACRO_EXTENSIONS | filetypes.ARCHIVE_EXTENSIONS
               | filetypes.LEGACY_OFFICE_EXTENSIONS)
    assert not refused & set(ALLOWED_KINDS)
    assert {"exe", "dll", "com", "bat", "cmd", "ps1", "sh", "js", "vbs", "jar", "msi", "scr", "apk",
            "app"} <= filetypes.EXECUTABLE_EXTENSIONS
    assert {"docm", "xlsm", "pptm", "dotm", "xltm", "potm", "xlsb"} <= filetypes.MACRO_EXTENSIONS
    assert {"zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz"} <= filetypes.ARCHIVE_EXTENSIONS
