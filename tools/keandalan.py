"""Rewrite the README's "Keandalan" table from the figures the robustness suite measured (outputs/keandalan.json).

Run the suite first (``make test`` or ``pytest tests/robustness``); the tests fail while the README disagrees.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.robustness.figures import END, FIGURES, FIGURES_JSON, README, START, fmt


def main() -> int:
    if not FIGURES_JSON.is_file():
        print(f"{FIGURES_JSON} belum ada: jalankan dulu `pytest tests/robustness`.", file=sys.stderr)
        return 2
    doc = json.loads(FIGURES_JSON.read_text(encoding="utf-8"))
    lines = [START, "| Ukuran | Angka |", "|---|---:|"]
    lines += [f"| {label} | {fmt(doc[key])} |" for key, label in FIGURES.items() if key in doc]
    lines.append(END)
    text = README.read_text(encoding="utf-8")
    if START in text:
        head, rest = text.split(START, 1)
        text = head + "\n".join(lines) + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Keandalan\n\n" + "\n".join(lines) + "\n"
    README.write_text(text, encoding="utf-8")
    missing = [k for k in FIGURES if k not in doc]
    if missing:
        print("belum diukur: " + ", ".join(missing), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
