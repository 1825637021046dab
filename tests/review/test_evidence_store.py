"""The evidence store: content-addressed, read-only, refusing what filetypes refuses with nothing written, and
"simpan salinan" of a link (a fake opener, refused schemes and hosts, a real local HTTP server)."""

from __future__ import annotations

import hashlib
import http.server
import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from tests.common.test_filetypes import PDF, REFUSED, docx, png, refused_sample
from zi_nb.common import limits
from zi_nb.errors import EvidenceError
from zi_nb.review import evidence_store
from zi_nb.review.evidence_store import EVIDENCE_ENV, EvidenceStore, StoredFile, default_store_path, save_copy

SHA_PDF = hashlib.sha256(PDF).hexdigest()


@pytest.fixture
def store(tmp_path):
    return EvidenceStore(tmp_path / "bukti")


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_default_store_path(tmp_path, monkeypatch):
    monkeypatch.delenv(EVIDENCE_ENV, raising=False)
    assert default_store_path(tmp_path / "outputs" / "ledger.sqlite") == tmp_path / "outputs" / "bukti-dukung"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(EVIDENCE_ENV, "bersama/bukti")
    assert default_store_path(tmp_path / "ledger.sqlite") == (tmp_path / "bersama" / "bukti").resolve()


def test_put_has_read_round_trip_and_layout(store):
    assert not store.root.exists()  # created lazily
    stored = store.put("laporan.pdf", PDF)
    assert stored == StoredFile(SHA_PDF, len(PDF), "pdf", "PDF", "application/pdf")
    assert store.has(SHA_PDF) and store.read(SHA_PDF) == PDF
    path = store.path_of(SHA_PDF)
    assert path == store.root / "sha256" / SHA_PDF[:2] / SHA_PDF
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert "sha256" in (store.root / "README.txt").read_text(encoding="utf-8")
    assert list((store.root / "tmp").iterdir()) == []  # nothing left in flight
    assert not store.has("0" * 64)


def test_storing_the_same_content_twice_is_a_no_op(store):
    first = store.put("laporan.pdf", PDF)
    before = store.path_of(SHA_PDF).stat()
    second = store.put("salinan laporan.pdf", PDF)
    assert first == second
    after = store.path_of(SHA_PDF).stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert len(files_under(store.root / "sha256")) == 1


def test_real_office_and_image_files_are_stored(store):
    for name, content, ext in (("sk.docx", docx(), "docx"), ("foto.png", png(), "png")):
        stored = store.put(name, content)
        assert stored.extension == ext and store.read(stored.sha256) == content


@pytest.mark.parametrize("key", list(REFUSED))
def test_a_refused_file_writes_nothing(store, key):
    name, content, why = refused_sample(key)
    with pytest.raises(EvidenceError, match="ditolak") as exc:
        store.put(name, content)
    assert why in str(exc.value)
    assert not store.root.exists()


def test_oversized_file_writes_nothing(store, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EVIDENCE_BYTES", 64)
    with pytest.raises(EvidenceError, match="melebihi batas 64 bayt"):
        store.put("scan.pdf", PDF)
    assert not store.root.exists()


@pytest.mark.parametrize("bad", ["../x", "../" + "a" * 61, "A" * 64, "g" * 64, "a" * 63, "a" * 65, "a" * 64 + "\n",
                                 "", "/etc/passwd", "ab/" + "c" * 61, 12])
def test_path_of_refuses_anything_but_64_lowercase_hex(store, bad):
    with pytest.raises(EvidenceError, match="bukan hash sha256 yang sah"):
        store.path_of(bad)
    with pytest.raises(EvidenceError):
        store.read(bad)
    assert "bukan hash sha256 yang sah" in (store.verify(bad) or "")


def test_verify_catches_a_changed_and_a_missing_file(store):
    store.put("laporan.pdf", PDF)
    other = store.put("foto.png", png()).sha256
    assert store.verify(SHA_PDF) is None and store.verify_all([SHA_PDF, other, SHA_PDF]) == []
    path = store.path_of(SHA_PDF)
    path.chmod(0o644)
    changed = bytearray(PDF)
    changed[-2] ^= 1
    path.write_bytes(bytes(changed))
    now = hashlib.sha256(bytes(changed)).hexdigest()
    assert store.verify(SHA_PDF) == f"berkas bukti {SHA_PDF} telah berubah (hash isinya kini {now})"
    with pytest.raises(EvidenceError, match="telah berubah"):
        store.read(SHA_PDF)
    missing = "f" * 64
    assert store.verify(missing) == f"berkas bukti {missing} tidak ada di penyimpanan {store.root}"
    with pytest.raises(EvidenceError, match="tidak ada di penyimpanan"):
        store.read(missing)
    assert store.verify_all([SHA_PDF, other, missing]) == [store.verify(SHA_PDF), store.verify(missing)]
    # storing the original again restores it
    store.put("laporan.pdf", PDF)
    assert store.verify(SHA_PDF) is None


def test_the_users_file_name_never_becomes_a_path(tmp_path):
    root = tmp_path / "a" / "b" / "bukti"
    store = EvidenceStore(root)
    stored = store.put("../../etc/passwd.pdf", PDF)
    assert stored.sha256 == SHA_PDF
    everything = sorted(p for p in tmp_path.rglob("*"))
    assert all(p == root or root in p.parents or p in root.parents for p in everything), everything
    assert not any("passwd" in str(p) or ".." in p.parts for p in everything)
    assert files_under(root) == sorted([root / "README.txt", store.path_of(SHA_PDF)])


def test_concurrent_puts_of_the_same_content_all_succeed(store):
    results: list[StoredFile] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def put() -> None:
        start.wait()
        try:
            for _ in range(5):
                results.append(store.put("laporan.pdf", PDF))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=put) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and len(results) == 40 and len(set(results)) == 1
    assert store.verify(SHA_PDF) is None
    assert list((store.root / "tmp").iterdir()) == []


def test_a_store_that_cannot_be_written_says_so_in_indonesian(tmp_path):
    blocker = tmp_path / "bukan-folder"
    blocker.write_text("x")
    with pytest.raises(EvidenceError, match=r"tidak dapat disimpan di penyimpanan bukti .*: salah satu bagian jalur"):
        EvidenceStore(blocker / "bukti").put("laporan.pdf", PDF)


# -- save_copy ----------------------------------------------------------------------------------------------------
@pytest.fixture
def public_dns(monkeypatch):
    """Every host name resolves to a public address (the machine has no network)."""
    def fake(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def test_save_copy_with_a_fake_opener_names_the_file_from_the_content_type(store, public_dns):
    calls = []

    def opener(url, max_bytes):
        calls.append((url, max_bytes))
        return PDF, "application/pdf; charset=binary", None

    stored, name = save_copy(store, "https://contoh.go.id/unduh/laporan-2024", opener=opener)
    assert name == "laporan-2024.pdf" and stored.sha256 == SHA_PDF and store.read(SHA_PDF) == PDF
    assert calls == [("https://contoh.go.id/unduh/laporan-2024", limits.MAX_EVIDENCE_BYTES)]
    _, name = save_copy(store, "https://contoh.go.id/download.php?id=3", opener=lambda u, m: (PDF, "application/pdf",
                                                                                          None))
    assert name == "download.php.pdf"
    _, name = save_copy(store, "https://contoh.go.id/x", opener=lambda u, m: (PDF, None, "SK%20Tim.pdf"))
    assert name == "SK%20Tim.pdf"
    _, name = save_copy(store, "https://contoh.go.id/dokumen/SK%20Tim%20ZI.pdf", opener=lambda u, m: (PDF, None, None))
    assert name == "SK Tim ZI.pdf"
    _, name = save_copy(store, "https://contoh.go.id/", opener=lambda u, m: (PDF, "application/pdf", "a\u202efdp.pdf"))
    assert name == "afdp.pdf"
    _, name = save_copy(store, "https://contoh.go.id/", opener=lambda u, m: (PDF, "application/pdf", ".."))
    assert name == "unduhan.pdf"


def test_save_copy_refuses_what_the_store_refuses_and_web_pages(store, public_dns):
    with pytest.raises(EvidenceError, match=r"Berkas 'setup\.exe' ditolak: program"):
        save_copy(store, "https://contoh.go.id/setup.exe", opener=lambda u, m: (b"MZ\x00\x00", None, None))
    with pytest.raises(EvidenceError, match=r"menampilkan halaman web \(HTML\), bukan berkas bukti"):
        save_copy(store, "https://drive.contoh.id/file/d/abc/view",
                  opener=lambda u, m: (b"<!doctype html><html></html>", "text/html; charset=utf-8", None))
    with pytest.raises(EvidenceError, match="berisi berkas lebih dari 20 MB"):
        save_copy(store, "https://contoh.go.id/besar.pdf",
                  opener=lambda u, m: (PDF.ljust(m + 1, b"0"), "application/pdf", None))
    assert not store.root.exists()


@pytest.mark.parametrize("url, message", [
    ("ftp://contoh.go.id/laporan.pdf", "hanya tautan http:// atau https://"),
    ("file:///etc/passwd", "hanya tautan http:// atau https://"),
    ("javascript:alert(1)", "hanya tautan http:// atau https://"),
    ("http:///laporan.pdf", r"alamat server \(host\) tidak ada"),
    ("http://localhost/laporan.pdf", "komputer ini atau jaringan internal"),
    ("http://LOCALHOST./laporan.pdf", "komputer ini atau jaringan internal"),
    ("http://127.0.0.1/laporan.pdf", "komputer ini atau jaringan internal"),
    ("http://127.0.0.1:8888/laporan.pdf", "komputer ini atau jaringan internal"),
    ("http://10.1.2.3/", "komputer ini atau jaringan internal"),
    ("http://192.168.1.10/sk.pdf", "komputer ini atau jaringan internal"),
    ("http://169.254.169.254/latest/meta-data/", "komputer ini atau jaringan internal"),
    ("http://0.0.0.0/", "komputer ini atau jaringan internal"),
    ("http://[::1]/x.pdf", "komputer ini atau jaringan internal"),
    ("http://[::ffff:127.0.0.1]/x.pdf", "komputer ini atau jaringan internal"),
])
def test_save_copy_refuses_other_schemes_and_internal_hosts_without_fetching(store, url, message):
    calls = []
    with pytest.raises(EvidenceError, match=message) as exc:
        save_copy(store, url, opener=lambda u, m: calls.append(u) or (PDF, "application/pdf", None))
    assert str(exc.value).startswith("Tautan '")
    assert calls == [] and not store.root.exists()


def test_a_host_that_resolves_to_a_private_address_is_refused(store, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo",
                        lambda host, port, *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port))])
    with pytest.raises(EvidenceError, match="jaringan internal"):
        save_copy(store, "https://intranet.contoh.go.id/sk.pdf", opener=lambda u, m: pytest.fail("fetched"))


def test_an_unknown_host_is_said_in_indonesian(store, monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror(-2, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    with pytest.raises(EvidenceError, match=r"nama server 'tidak-ada\.contoh' tidak dikenal") as exc:
        save_copy(store, "https://tidak-ada.contoh/sk.pdf")
    assert "Name or service" not in str(exc.value)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/dokumen/laporan.pdf":
            self._send(200, PDF, {"Content-Type": "application/pdf"})
        elif self.path == "/unduh?id=7":
            self._send(200, PDF, {"Content-Type": "application/octet-stream",
                                  "Content-Disposition": 'attachment; filename="SK Tim ZI.pdf"'})
        elif self.path == "/pindah":
            self._send(302, b"", {"Location": "/dokumen/laporan.pdf"})
        elif self.path == "/ke-ftp":
            self._send(302, b"", {"Location": "ftp://contoh.go.id/x.pdf"})
        else:
            self._send(404, b"not found", {"Content-Type": "text/plain"})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in {**headers, "Content-Length": str(len(body))}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def server(monkeypatch):
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def test_save_copy_from_a_real_http_server(store, server):
    stored, name = save_copy(store, f"{server}/dokumen/laporan.pdf", allow_private=True)
    assert (name, stored.sha256, stored.extension) == ("laporan.pdf", SHA_PDF, "pdf")
    assert store.read(SHA_PDF) == PDF
    _, name = save_copy(store, f"{server}/unduh?id=7", allow_private=True)
    assert name == "SK Tim ZI.pdf"
    _, name = save_copy(store, f"{server}/pindah", allow_private=True)
    assert name == "laporan.pdf"
    with pytest.raises(EvidenceError, match="hanya tautan http:// atau https://"):
        save_copy(store, f"{server}/ke-ftp", allow_private=True)
    # without allow_private the same server is refused before any request
    with pytest.raises(EvidenceError, match="jaringan internal"):
        save_copy(store, f"{server}/dokumen/laporan.pdf")


def test_a_missing_page_gives_an_indonesian_message(store, server):
    with pytest.raises(EvidenceError) as exc:
        save_copy(store, f"{server}/tidak-ada.pdf", allow_private=True)
    assert str(exc.value) == (f"Tautan '{server}/tidak-ada.pdf' tidak dapat dibuka: server menjawab dengan status "
                              "HTTP 404.")
    assert "Not Found" not in str(exc.value)


def test_a_refused_connection_gives_an_indonesian_message(store, monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(EvidenceError, match="server menolak sambungan"):
        save_copy(store, f"http://127.0.0.1:{port}/x.pdf", allow_private=True)


def test_the_default_opener_reads_at_most_the_limit(store, server, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EVIDENCE_BYTES", 16)
    with pytest.raises(EvidenceError, match="berisi berkas lebih dari 16 bayt"):
        save_copy(store, f"{server}/dokumen/laporan.pdf", allow_private=True)
    content, kind, _ = evidence_store.fetch_url(f"{server}/dokumen/laporan.pdf", 10_000, allow_private=True)
    assert (content, kind) == (PDF, "application/pdf")
    assert not store.root.exists() and os.environ.get("ZI_NB_DEBUG") is None
