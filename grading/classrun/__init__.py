"""Running a class's grading: worker processes with a deadline per hand-in (pool.py), and the time a hand-in
and a learner's hand-ins of one lesson may take (budget.py)."""
