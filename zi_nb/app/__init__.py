"""The evaluator app: the ipywidgets workbench over the ledger (:mod:`.workbench`, :mod:`.screens`, :mod:`.view`)
and ``zi-nb serve``, which serves it with voila (:mod:`.serve`)."""
