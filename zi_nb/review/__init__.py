"""What evaluators decide: the hash-chained reviewer ledger (answers, notes, undo) and decisions/revocations."""
