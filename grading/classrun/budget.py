"""How long grading may take: one hand-in (its job's deadline), and all of one learner's hand-ins of a lesson
(the learner's budget for that lesson).

A hand-in's functions are each checked in a jail under the wall-clock limit, so a lesson's hand-in takes at
most about (its functions) x (the limit + the jail's own work): that is the budget of one learner's hand-ins of
that lesson, all copies together. A learner's hand-ins are graded one at a time, newest first; once what they
took reaches the budget, the rest of that lesson's are not run and say so. So sixteen copies of a notebook
whose functions loop forever cost about what one costs, not sixteen times that. A job's deadline is twice the
worst case of the largest lesson (a function may be run again alone), plus the reading of the hand-in, plus a
full run's time when there is one: a worker still busy then is stopped.
"""
import collections

JAIL_SECONDS = 2      # a function's jail beside its limit: started, its results read and judged
READING_SECONDS = 15  # a hand-in read and matched to its lesson (reading.py's and notebooks.py's limits)
EVERY_LESSON = None   # what a job stopped before its lesson was known took counts against each lesson


def lesson_seconds(functions, wall_seconds):
    """The most a lesson's hand-in of `functions` graded functions takes, each run under `wall_seconds`."""
    return functions * (float(wall_seconds) + JAIL_SECONDS)


def job_seconds(most_functions, wall_seconds, full_seconds=0):
    """The deadline of one job: a hand-in of the largest lesson, its functions run twice, read, and its full
    run (`full_seconds`, 0 without one)."""
    return READING_SECONDS + 2 * lesson_seconds(most_functions, wall_seconds) + full_seconds


class Spent:
    """The seconds each learner's hand-ins of each lesson took so far in this run (cached results count the
    seconds they took when they were graded)."""

    def __init__(self):
        self.seconds = collections.defaultdict(lambda: collections.defaultdict(float))

    def add(self, owner, lesson, seconds):
        self.seconds[owner][lesson] += max(float(seconds or 0), 0.0)

    def of(self, owner):
        """{lesson: seconds} of one learner, plain data (what a job is sent)."""
        return dict(self.seconds.get(owner, {}))


def used(spent, lesson):
    """The seconds counted against `lesson` in a learner's {lesson: seconds}."""
    return (spent or {}).get(lesson, 0.0) + (spent or {}).get(EVERY_LESSON, 0.0)
