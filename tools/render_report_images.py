"""Render report HTML (and PDF) files to PNG images to look at them: ``python tools/render_report_images.py FILE...``.

HTML pages are captured by headless Chromium at A4-like width; PDF pages with pdftoppm (Debian poppler-utils) when
present. Images are written beside each file as ``<name>-page-N.png`` / ``<name>-screen.png``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from zi_nb.report.pdf import CHROMIUM_FLAGS, chromium


def render(path: Path) -> list[Path]:
    if path.suffix == ".pdf":
        if not shutil.which("pdftoppm"):
            print("pdftoppm missing: apt-get install poppler-utils", file=sys.stderr)
            return []
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(path.with_suffix("")) + "-page"], check=True)
        return sorted(path.parent.glob(path.stem + "-page-*.png"))
    out = path.with_name(path.stem + "-screen.png")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium() or "chromium", *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--hide-scrollbars",
                        "--window-size=1100,6000", f"--screenshot={out}", path.resolve().as_uri()],
                       capture_output=True, timeout=120, check=True)
    return [out]


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        for image in render(Path(arg)):
            print(image)
