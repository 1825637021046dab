"""Proof for later: run manifests, run records and decisions per run, ``zi-nb audit verify`` and ``replay``."""
