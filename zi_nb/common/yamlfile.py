"""Where a value of a YAML file is, and what pydantic's refusal of it means in Bahasa Indonesia: shared by the files
users write by hand (evaluation settings, the team file), whose errors name the line and what was expected."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_DATE = "harus berupa tanggal TTTT-BB-HH (mis. 2026-06-11)"
_INTEGER = "harus berupa bilangan bulat"
# pydantic error type -> what was expected
MESSAGES: dict[str, str] = {
    "missing": "wajib diisi", "extra_forbidden": "tidak dikenal", "string_type": "harus berupa teks",
    "list_type": "harus berupa daftar", "dict_type": "harus berupa pemetaan nama: nilai",
    "model_type": "harus berupa pemetaan nama: nilai", "int_type": _INTEGER, "int_parsing": _INTEGER,
    "int_from_float": _INTEGER, "greater_than_equal": "tidak boleh negatif", "string_too_short": "tidak boleh kosong",
    "too_short": "tidak boleh kosong", "date_from_datetime_parsing": _DATE, "date_parsing": _DATE, "date_type": _DATE,
}


def line_of(node: Any, loc: tuple[Any, ...]) -> int | None:
    """The line (1-based) of the YAML node at ``loc`` in the composed tree (``yaml.compose``), or of the nearest
    node above it."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == key), None)
            if found is None:
                found = next((k for k, _ in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            found = node.value[key]
        else:
            found = None
        if found is None:
            break
        node, line = found, found.start_mark.line + 1
    return line


def explain(error: Any) -> str:
    """What a pydantic error (one item of ``ValidationError.errors()``) expected, in Bahasa Indonesia."""
    if error["type"] == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"harus salah satu dari {expected.replace(' or ', ', ')}"
    return MESSAGES.get(error["type"], "tidak sah")


def read_yaml(path: Path, what: str, error: type[Exception]) -> tuple[Any, Any]:
    """The value and the composed node tree (for :func:`line_of`) of a hand-written YAML file; ``error`` with a
    message naming ``what`` ("Berkas tim"), the file and, for bad YAML, its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{what} '{path}' tidak ditemukan.") from None
    except (OSError, UnicodeDecodeError):
        raise error(f"{what} '{path}' tidak dapat dibaca sebagai teks UTF-8.") from None
    try:
        return yaml.safe_load(text), yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" baris {mark.line + 1}" if mark is not None else ""
        raise error(f"{path.name}{where}: bukan YAML yang sah (periksa titik dua, indentasi dan tanda "
                    "kutip).") from None
