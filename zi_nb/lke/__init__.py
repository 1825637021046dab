"""Every reader and writer of spreadsheets: layout detection (:mod:`.inputs`), the long format (CSV/XLSX), the
zi-nb template, circulated LKE workbooks (columns, formulas, row mapping), the circulated-layout export and the
bundled/synthetic sample."""
