"""The evaluator app on the team server in the tests: the real ledger service in a thread (a fake hub resolving
``tok-<username>``, :func:`tests.team.test_service_api.serving`), the app opened as one of the team's users, and
nothing ever written to a local ledger."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.team.test_service_api import serving
from zi_nb.app.session import resolve_parameters
from zi_nb.app.workbench import Root
from zi_nb.review.ledger import Ledger

__all__ = ["app_on_service", "rows_of", "walk"]


@contextmanager
def app_on_service(tmp_path: Path, monkeypatch: Any, data: Any, team: str, unit: str = "",
                   service_data: bool = True) -> Iterator[tuple[Callable[..., Root], str, Ledger, Path]]:
    """(open the app as a user -> :class:`Root` (on ``unit``, else the unit list), the service's address, its
    ledger, the local ledger path that must stay absent). ``data``: the inputs the app reads (read once by the
    test module), also given to the service unless ``service_data`` is False."""
    import zi_nb.app.workbench as wb

    monkeypatch.setattr(wb, "load_data", lambda *a, **k: data)
    monkeypatch.delenv("ZI_NB_EVIDENCE", raising=False)
    local = tmp_path / "lokal" / "ledger.sqlite"
    with serving(tmp_path, team, data=data if service_data else None) as (url, ledger):
        monkeypatch.setenv("ZI_NB_SERVICE_URL", url)

        def app(user: str, unit: str = unit) -> Root:
            monkeypatch.setenv("JUPYTERHUB_API_TOKEN", f"tok-{user}")
            return Root(resolve_parameters({"unit_id": unit, "ledger_path": str(local)}))

        yield app, url, ledger, local
    assert not local.exists()  # nothing written beside the service


def walk(widget: Any) -> Iterator[Any]:
    """The widget and every widget under it."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def rows_of(root: Root) -> dict[str, Any]:
    """unit id -> its row in the unit list."""
    rows = root.widget.children[1].children[-1].children
    return {r._dom_classes[-1].removeprefix("zi-unit-"): r for r in rows}
