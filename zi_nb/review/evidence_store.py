"""The evidence store: files attached as bukti dukung, kept content-addressed so none can change after a decision.

Layout (under the store root, :func:`default_store_path`)::

    README.txt                      what this folder is (written on the first put)
    sha256/ab/abcdef…(64 hex)       one file per distinct content, named by the sha256 of its bytes, read-only (0444)
    tmp/                            files being written (a leftover here is an interrupted write, safe to delete)

* A file is checked first (:func:`zi_nb.common.filetypes.check_file`: kind, size up to
  :data:`zi_nb.common.limits.MAX_EVIDENCE_BYTES`, no programs, macros or archives); a refused file writes nothing.
* The user's file name never becomes part of a path: the only name in the store is the hash of the content, and
  :meth:`EvidenceStore.path_of` builds a path only from exactly 64 lower-case hex digits. The name and the hash
  belong in the ledger record that refers to the file (kind ``lampiran``).
* A write goes to a temporary file in ``tmp/`` (fsynced), is made read-only and renamed into place with
  :func:`os.replace`, then the folder is fsynced: a reader sees the whole file or none, and a crash leaves at most
  a stray temporary file. Storing the same content twice changes nothing and returns the same
  :class:`StoredFile`; several writers storing it at once all succeed.
* Files are immutable: the store has no delete or overwrite API, :meth:`EvidenceStore.read` refuses a file whose
  content no longer hashes to its name, and :meth:`EvidenceStore.verify` / :meth:`EvidenceStore.verify_all` report
  changed or missing files (as the ledger's own verify reports a broken chain).
* Because names are hashes and writes are rename-atomic, the root may sit on a shared network folder used by several
  evaluators at once (an fsync that the network file system does not support is skipped).

:func:`save_copy` ("simpan salinan") stores what an http(s) link shows: only http and https, never a host that
resolves to a loopback, private, link-local or unspecified address unless ``allow_private``, redirects checked the
same way, at most ``MAX_EVIDENCE_BYTES`` read, each read within :data:`FETCH_TIMEOUT` seconds and all within
:data:`FETCH_DEADLINE`. The host is checked when the
link is resolved before fetching; a name server answering differently a moment later (DNS rebinding) is not
prevented.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.client
import ipaddress
import os
import re
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from zi_nb.common import limits
from zi_nb.common.filetypes import ALLOWED_KINDS, check_file, extension_for_mime, extension_of, is_known_extension
from zi_nb.common.findings import one_line
from zi_nb.common.text import debug_detail, os_error_text, strip_hidden
from zi_nb.errors import EvidenceError

EVIDENCE_ENV = "ZI_NB_EVIDENCE"
STORE_FOLDER = "bukti-dukung"
FETCH_TIMEOUT = 20.0  # seconds for connecting and for each read of a link in save_copy
FETCH_DEADLINE = 120.0  # seconds for the whole download (a server sending a byte every few seconds is cut off)
_HEX64 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20
README = """Penyimpanan bukti dukung zi-nb (evidence store).

Setiap berkas disimpan satu kali di sha256/<2 huruf pertama>/<sha256 isi berkas>, hanya-baca, tanpa nama aslinya;
nama asli dan hash-nya dicatat di ledger (rekaman 'lampiran'). Jangan mengubah, mengganti nama atau menghapus berkas
di sini: zi-nb memeriksa bahwa isi setiap berkas masih sesuai dengan namanya. Folder tmp/ berisi berkas yang sedang
ditulis; sisa di sana dari penulisan yang terputus boleh dihapus.

Evidence files of zi-nb, named by the sha256 of their content (sharded by its first two hex digits), read-only and
never changed; their names and hashes are recorded in the ledger. tmp/ holds writes in progress.
"""

Opener = Callable[[str, int], tuple[bytes, str | None, str | None]]


def default_store_path(ledger_path: Path) -> Path:
    """The store of a ledger: the :data:`EVIDENCE_ENV` environment variable when set (absolute), else the folder
    ``bukti-dukung`` beside the ledger file."""
    chosen = os.environ.get(EVIDENCE_ENV, "").strip()
    if chosen:
        return Path(chosen).expanduser().resolve()
    return Path(ledger_path).parent / STORE_FOLDER


@dataclass(frozen=True)
class StoredFile:
    """A file in the store: ``sha256`` (64 lower-case hex digits, its name there), ``size`` in bytes, and its kind
    (``extension``, ``label``, ``mime``) as :func:`zi_nb.common.filetypes.check_file` found it."""

    sha256: str
    size: int
    extension: str
    label: str
    mime: str


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable; skipped where folders cannot be opened or synced (Windows, some network
    file systems)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


class EvidenceStore:
    """The evidence store under ``root`` (created on the first :meth:`put`). Safe to use from several threads and
    processes at once."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        """Where the file with this hash is kept; :class:`EvidenceError` unless ``sha256`` is exactly 64 lower-case
        hex digits (no other text ever becomes part of a path)."""
        if not isinstance(sha256, str) or not _HEX64.fullmatch(sha256):
            raise EvidenceError(f"'{one_line(str(sha256))}' bukan hash sha256 yang sah (harus tepat 64 digit "
                                "heksadesimal huruf kecil).")
        return self.root / "sha256" / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def put(self, name: str, content: bytes) -> StoredFile:
        """Check and store ``content`` (the file the user named ``name``); :class:`EvidenceError` when refused (then
        nothing is written) or when the store cannot be written."""
        kind = check_file(name, content)
        sha = hashlib.sha256(content).hexdigest()
        stored = StoredFile(sha, len(content), kind.extension, kind.label, kind.mime)
        target = self.path_of(sha)
        try:
            if target.is_file() and target.stat().st_size == len(content) and _hash_file(target) == sha:
                return stored
            self._prepare()
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._write(target, content)
            except PermissionError:
                # Windows and some network shares refuse to rename onto a read-only file that another writer has
                # just put in place: that file is as good as ours
                if not (target.is_file() and _hash_file(target) == sha):
                    raise
        except OSError as exc:
            raise EvidenceError(f"Berkas '{one_line(str(name))}' tidak dapat disimpan di penyimpanan bukti "
                                f"{self.root}: {os_error_text(exc)}.") from None
        return stored

    def _prepare(self) -> None:
        """The root, ``tmp/`` and ``README.txt`` (written once, atomically)."""
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)
        readme = self.root / "README.txt"
        if not readme.exists():
            try:
                self._write(readme, README.encode("utf-8"))
            except PermissionError:  # another writer's README is already in place (Windows, network shares)
                if not readme.exists():
                    raise

    def _write(self, target: Path, content: bytes) -> None:
        fd, temp = tempfile.mkstemp(dir=self.root / "tmp", prefix="put-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temp, 0o444)
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        _fsync_dir(target.parent)

    def read(self, sha256: str) -> bytes:
        """The content of a stored file; :class:`EvidenceError` when it is missing or no longer matches its hash."""
        path = self.path_of(sha256)
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            raise EvidenceError(f"Berkas bukti {sha256} tidak ada di penyimpanan {self.root}.") from None
        except OSError as exc:
            raise EvidenceError(f"Berkas bukti {sha256} tidak dapat dibaca: {os_error_text(exc)}.") from None
        actual = hashlib.sha256(content).hexdigest()
        if actual != sha256:
            raise EvidenceError(f"Berkas bukti {sha256} telah berubah (hash isinya kini {actual}); berkas tidak "
                                "dipakai. Pulihkan berkas aslinya dari cadangan.")
        return content

    def verify(self, sha256: str) -> str | None:
        """``None`` when the file exists and its content hashes to its name, else the problem in Bahasa Indonesia."""
        try:
            path = self.path_of(sha256)
        except EvidenceError as exc:
            return str(exc)
        try:
            actual = _hash_file(path)
        except FileNotFoundError:
            return f"berkas bukti {sha256} tidak ada di penyimpanan {self.root}"
        except OSError as exc:
            return f"berkas bukti {sha256} tidak dapat dibaca: {os_error_text(exc)}"
        return None if actual == sha256 else f"berkas bukti {sha256} telah berubah (hash isinya kini {actual})"

    def verify_all(self, hashes: Iterable[str]) -> list[str]:
        """The problem of every file in ``hashes`` (each hash checked once, in order), ``[]`` when all are intact."""
        problems = []
        for sha in dict.fromkeys(hashes):
            problem = self.verify(sha)
            if problem:
                problems.append(problem)
        return problems


# -- save_copy: a copy of what a link shows ----------------------------------------------------------------------
def _shown(url: str) -> str:
    return one_line(url)


def check_url(url: str, *, allow_private: bool = False) -> None:
    """:class:`EvidenceError` unless ``url`` is http(s) with a host that (unless ``allow_private``) resolves only to
    public addresses (not localhost, loopback, private, link-local, unspecified, multicast or reserved)."""
    parts = urllib.parse.urlsplit(str(url).strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise EvidenceError(f"Tautan '{_shown(url)}' ditolak: hanya tautan http:// atau https:// yang dapat disimpan "
                            "salinannya.")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host:
        raise EvidenceError(f"Tautan '{_shown(url)}' ditolak: alamat server (host) tidak ada atau tidak sah.")
    if allow_private:
        return
    refused = (f"Tautan '{_shown(url)}' ditolak: alamatnya menunjuk ke komputer ini atau jaringan internal; hanya "
               "tautan ke server publik yang dapat disimpan salinannya.")
    if host.lower().rstrip(".") == "localhost" or host.lower().rstrip(".").endswith(".localhost"):
        raise EvidenceError(refused)
    try:
        answers = socket.getaddrinfo(host, port or (443 if scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise EvidenceError(f"Tautan '{_shown(url)}' tidak dapat dibuka: nama server '{one_line(host)}' tidak "
                            "dikenal (periksa tautannya atau koneksi internet).") from None
    for answer in answers:
        address = ipaddress.ip_address(str(answer[4][0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if (address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified
                or address.is_multicast or address.is_reserved):
            raise EvidenceError(refused)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to a link :func:`check_url` accepts."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: http.client.HTTPMessage, newurl: str) -> urllib.request.Request | None:
        check_url(newurl, allow_private=self.allow_private)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _network_text(exc: BaseException) -> str:
    """A network failure as a short Indonesian phrase (the library's English text only under ZI_NB_DEBUG)."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"server menjawab dengan status HTTP {exc.code}"
    reason: Any = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError):
        return f"server tidak menjawab dalam {FETCH_TIMEOUT:.0f} detik"
    if isinstance(reason, ssl.SSLError):
        return "sambungan aman (HTTPS) gagal; sertifikat server tidak dapat diperiksa" + debug_detail(exc)
    if isinstance(reason, socket.gaierror):
        return "nama server tidak dikenal (periksa tautannya atau koneksi internet)"
    if isinstance(reason, ConnectionRefusedError):
        return "server menolak sambungan"
    if isinstance(reason, ConnectionError):
        return "sambungan ke server terputus"
    return "sambungan ke server gagal" + debug_detail(exc)


def fetch_url(url: str, max_bytes: int, *, allow_private: bool = False) -> tuple[bytes, str | None, str | None]:
    """(content, Content-Type, file name) of ``url``, reading at most
    ``max_bytes + 1`` bytes; redirects go only where :func:`check_url` allows. The file name is the one of the
    Content-Disposition header, else the last path segment of the link redirected to, else ``None``. Network failures
    become :class:`EvidenceError`."""
    opener = urllib.request.build_opener(_CheckedRedirects(allow_private))
    request = urllib.request.Request(url, headers={"User-Agent": "zi-nb (simpan salinan bukti dukung)"})
    deadline = time.monotonic() + FETCH_DEADLINE
    try:
        with opener.open(request, timeout=FETCH_TIMEOUT) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > max_bytes:
                raise _too_large(url)
            chunks: list[bytes] = []
            received = 0
            while received <= max_bytes:
                if time.monotonic() > deadline:
                    raise EvidenceError(f"Tautan '{_shown(url)}' tidak dapat dibuka: unduhan tidak selesai dalam "
                                        f"{FETCH_DEADLINE:.0f} detik.")
                chunk = response.read(min(_CHUNK, max_bytes + 1 - received))
                if not chunk:
                    break
                chunks.append(chunk)
                received += len(chunk)
            final = response.geturl()
            name = response.headers.get_filename() or (_url_name(final) if final != url else None)
            return b"".join(chunks), response.headers.get("Content-Type"), name or None
    except EvidenceError:
        raise
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        raise EvidenceError(f"Tautan '{_shown(url)}' tidak dapat dibuka: {_network_text(exc)}.") from None


def _too_large(url: str) -> EvidenceError:
    return EvidenceError(f"Tautan '{_shown(url)}' berisi berkas lebih dari {limits.size(limits.MAX_EVIDENCE_BYTES)}, "
                         "batas satu berkas bukti dukung; unduh dan perkecil berkasnya (mis. kompres PDF) lalu "
                         "lampirkan.")


def _url_name(url: str) -> str:
    """The last segment of a link's path, unquoted (``".../SK%20Tim.pdf"`` -> ``"SK Tim.pdf"``)."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    return path.replace("\\", "/").rsplit("/", 1)[-1].strip()


def _file_name(url: str, content_type: str | None, disposition: str | None) -> str:
    """The file name of a fetched link: the Content-Disposition name, else the URL path's last segment (hidden
    characters dropped, at most 200 characters, ``unduhan`` when nothing is left), with the extension of the
    Content-Type added when the name has none (or one zi-nb does not know, like ``.php``)."""
    name = strip_hidden(str(disposition or "")).replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = name or strip_hidden(_url_name(url))
    name = name[-200:] if name.strip(". ") else "unduhan"
    ext = extension_of(name)
    inferred = extension_for_mime(content_type)
    if inferred and (not ext or not is_known_extension(ext)):
        name = f"{name.rstrip('.')}.{inferred}"
    return name


def save_copy(store: EvidenceStore, url: str, *, opener: Opener | None = None,
              allow_private: bool = False) -> tuple[StoredFile, str]:
    """Store a copy of what ``url`` shows ("simpan salinan"); returns the stored file and the file name used.

    ``opener(url, max_bytes)`` -> (content, Content-Type, Content-Disposition file name) fetches the link; the
    default is :func:`fetch_url`. The link is checked (:func:`check_url`) before any fetch."""
    check_url(url, allow_private=allow_private)
    fetch = opener or functools.partial(fetch_url, allow_private=allow_private)
    content, content_type, disposition = fetch(url, limits.MAX_EVIDENCE_BYTES)
    if len(content) > limits.MAX_EVIDENCE_BYTES:
        raise _too_large(url)
    name = _file_name(url, content_type, disposition)
    mime = str(content_type or "").split(";", 1)[0].strip().lower()
    if mime in ("text/html", "application/xhtml+xml") and extension_of(name) not in ALLOWED_KINDS:
        raise EvidenceError(f"Tautan '{_shown(url)}' menampilkan halaman web (HTML), bukan berkas bukti; salin "
                            "tautan unduhan langsung berkasnya, atau unduh berkasnya lalu lampirkan.")
    return store.put(name, content), name
