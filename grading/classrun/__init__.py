"""Running a class's grading (running.py): worker processes with a deadline per hand-in, never two of one
learner's at once (pool.py), and the time a hand-in and a learner's hand-ins of one lesson may take
(budget.py)."""
