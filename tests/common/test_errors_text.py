"""Operating-system and library errors reach users as Indonesian phrases; the library's English text only with
ZI_NB_DEBUG."""

from __future__ import annotations

import errno

from zi_nb.common.text import debug_detail, os_error_text
from zi_nb.lke.inputs import read_inputs


def test_os_errors_are_said_in_indonesian(monkeypatch):
    monkeypatch.delenv("ZI_NB_DEBUG", raising=False)
    denied = PermissionError(errno.EACCES, "Permission denied")
    assert os_error_text(denied) == "izin membaca atau menulis berkas ditolak"
    assert "Permission" not in os_error_text(denied)
    assert os_error_text(OSError(errno.EIO, "Input/output error")) == f"galat sistem berkas nomor {errno.EIO}"
    monkeypatch.setenv("ZI_NB_DEBUG", "1")
    assert os_error_text(denied).endswith("(" + str(denied) + ")")
    assert debug_detail(ValueError("x")) == " (x)"


def test_an_unreadable_file_is_named_without_english(tmp_path, monkeypatch):
    monkeypatch.delenv("ZI_NB_DEBUG", raising=False)
    path = tmp_path / "lke.csv"
    path.write_text("unit_id,code,answer\nu1,PPA1A,Ya\n", encoding="utf-8")
    path.chmod(0o000)
    try:
        import os

        if os.access(path, os.R_OK):  # root reads anything: make the error another way
            path.chmod(0o644)
            path = tmp_path / "folder.csv"
            path.mkdir()
        data = read_inputs([path])
    finally:
        if path.is_file():
            path.chmod(0o644)
    messages = [f.render() for f in data.findings]
    assert data.fatal_files == [str(path)] and messages
    assert not any("Permission" in m or "Is a directory" in m or "Errno" in m for m in messages), messages


def test_css_string_cannot_end_the_string_or_the_style_element():
    from zi_nb.common.text import css_string

    assert css_string("Unit Kerja · Dinas") == "Unit Kerja · Dinas"
    hostile = css_string('a"; } body { display:none } </style><script>x()</script>\\\n')
    assert '"' not in hostile and "<" not in hostile and ">" not in hostile and "\n" not in hostile
    assert hostile.count("\\") == 9  # one CSS hex escape per quote, angle bracket, backslash and line break
