"""The next-predikat plan: which items to improve, cheapest first (greedy candidates, then a MILP)."""

from zi_nb.engine.improve.plan import plan_improvements

__all__ = ["plan_improvements"]
