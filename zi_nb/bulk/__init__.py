"""``zi-nb bulk``: plan (units, resume keys), executors (:class:`.executor.Executor`: local warm kernels or Dask),
the warm report workers, the run record and the summary page."""
