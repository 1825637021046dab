"""Small helpers shared by the workbench's widget modules: CSS classes on widgets (the browser test's selectors)."""

from __future__ import annotations

import html
import re
from typing import Any

import ipywidgets as W


def css_name(text: str) -> str:
    """A code or unit id as a CSS class fragment (``PRE3A.wajib_total`` -> ``PRE3A-wajib_total``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)


def cls(widget: Any, *classes: str) -> Any:
    """Add CSS classes to a widget and return it."""
    for c in classes:
        widget.add_class(c)
    return widget


def sec(text: str) -> W.HTML:
    """A small section title."""
    return W.HTML(f'<div class="zi-sec">{html.escape(text)}</div>')


def mark(widget: Any, wanted: dict[str, bool], prefix: str = "") -> None:
    """Set ``_dom_classes`` in one message: keep the others, add/remove the ``wanted`` ones."""
    classes = [c for c in widget._dom_classes if c not in wanted and not (prefix and c.startswith(prefix))]
    classes += [c for c, on in wanted.items() if on]
    if tuple(classes) != tuple(widget._dom_classes):
        widget._dom_classes = tuple(classes)


class Quiet:
    """While entered (``with self.quiet:``), widget values set by the program are not the user's: observers check
    ``if self.quiet:`` and ignore the change. Nesting keeps it quiet until the outermost block ends."""

    def __init__(self) -> None:
        self.depth = 0

    def __bool__(self) -> bool:
        return self.depth > 0

    def __enter__(self) -> Quiet:
        self.depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self.depth -= 1
