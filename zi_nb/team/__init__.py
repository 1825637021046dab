"""The evaluation team and its workflow: who may write what (the team file and its permission rules), where each
unit stands in the evaluation period (statuses as ledger events), and the deadlines of each stage."""
