"""Keyboard shortcuts of the workbench: a small script in the page that clicks the workbench's own buttons.

An ``ipywidgets.HTML`` with a ``<script>`` does not run it (the widget sets ``innerHTML``), so the script is an
``application/javascript`` output of the notebook cell (:func:`install`): voila 0.5 marks the executed notebook's
outputs as trusted and renders that output as a script when the page loads. It listens to ``keydown`` on the
document in the capture phase (ipywidgets' text fields stop the event from bubbling), is installed once per page,
and finds the buttons by their ``zi-*`` classes when a key is pressed, so it keeps working when the evaluator opens
another unit. Keys typed in a text field are left alone, except Ctrl+S (the field's value is sent first: blur).
The shortcuts are listed on the page (:func:`zi_nb.app.view.shortcuts`).
"""

from __future__ import annotations

SCRIPT = r"""
(function () {
  if (window.ziKeys) { return; }
  window.ziKeys = true;
  function visible(el) { return el && el.offsetParent !== null; }
  function first(sel) {
    var all = document.querySelectorAll(sel);
    for (var i = 0; i < all.length; i++) { if (visible(all[i])) { return all[i]; } }
    return null;
  }
  function option(text) {
    var all = document.querySelectorAll('.zi-card .zi-answer .widget-toggle-button');
    for (var i = 0; i < all.length; i++) {
      if (visible(all[i]) && all[i].textContent.trim().toLowerCase() === text) { all[i].click(); return true; }
    }
    return false;
  }
  document.addEventListener('keydown', function (e) {
    var card = first('.zi-app .zi-card');
    if (!card) { return; }
    var t = e.target, tag = ((t && t.tagName) || '').toLowerCase();
    var typing = tag === 'input' || tag === 'textarea' || tag === 'select' || (t && t.isContentEditable);
    var key = e.key || '';
    var lower = key.toLowerCase();
    var save = first('.zi-app .zi-save');
    if ((e.ctrlKey || e.metaKey) && lower === 's') {
      e.preventDefault();
      if (typing && t.blur) { t.blur(); }
      if (save) { save.click(); }
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var done = false;
    if (lower.length === 1 && 'abcde'.indexOf(lower) >= 0) { done = option(lower); }
    else if (lower === 'y') { done = option('ya'); }
    else if (lower === 't') { done = option('tidak'); }
    else if (lower === 'j' || key === 'ArrowRight' || key === 'ArrowDown') {
      var next = first('.zi-app .zi-next'); if (next) { next.click(); done = true; }
    } else if (lower === 'k' || key === 'ArrowLeft' || key === 'ArrowUp') {
      var prev = first('.zi-app .zi-prev'); if (prev) { prev.click(); done = true; }
    } else if (lower === 's' && save) { save.click(); done = true; }
    if (done) { e.preventDefault(); }
  }, true);
})();
"""


def install() -> None:
    """Display the shortcut script as the current cell's output (runs once per page in voila and Jupyter)."""
    from IPython.display import Javascript, display

    display(Javascript(SCRIPT))
