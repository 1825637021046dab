"""The README's Keandalan table states only figures the suite measures (each measured one is checked by its test)."""

from __future__ import annotations

from tests.robustness.figures import FIGURES, fmt, readme_rows


def test_every_readme_row_is_a_measured_figure() -> None:
    rows = readme_rows()
    assert rows, "README has no Keandalan table between the keandalan markers"
    unknown = set(rows) - set(FIGURES.values())
    assert not unknown, f"README Keandalan rows no test measures: {sorted(unknown)}"
    assert set(rows) == set(FIGURES.values()), f"figures missing from README: {set(FIGURES.values()) - set(rows)}"


def test_number_format_is_indonesian() -> None:
    assert fmt(1234) == "1.234"
    assert fmt(12.5) == "12,5"
    assert fmt("0") == "0"
