"""How long grading may take: one hand-in (its job's deadline), and all of one learner's hand-ins of a lesson
(the learner's budget for that lesson).

A hand-in's functions are each checked in a jail under a CPU and a wall-clock limit; a function that loops
forever takes at least the smaller of the two. The budget of one learner's hand-ins of a lesson, all of them
together, is that for each of the lesson's functions: what one hand-in whose every function loops forever
takes at least. A learner's hand-ins are graded one at a time, newest first; once what they took reaches the
budget, the rest of that lesson's are not run and say so. So sixteen copies of a notebook whose functions loop
forever cost what one costs, while a right hand-in, which takes a second or two, leaves room for many more. A
job's deadline is twice the most the largest lesson's hand-in may take (a function may be run again alone),
plus the reading of the hand-in, plus a full run's time when there is one: a worker still busy then is stopped.
"""
import collections

JAIL_SECONDS = 2      # a function's jail beside its limit: started, its results read and judged
READING_SECONDS = 15  # a hand-in read and matched to its lesson (reading.py's and notebooks.py's limits)
EVERY_LESSON = None   # what a job stopped before its lesson was known took counts against each lesson


def lesson_seconds(functions, limits):
    """The budget of a learner's hand-ins of a lesson of `functions` graded functions, each checked under
    `limits` ({"wall_seconds", "cpu_seconds", ...}): what one hand-in whose every function loops takes at least."""
    return functions * min(float(limits["wall_seconds"]), float(limits["cpu_seconds"]))


def job_seconds(most_functions, limits, full_seconds=0):
    """The deadline of one job: a hand-in of the largest lesson (`most_functions`), each function run twice to
    its larger limit, read, and its full run (`full_seconds`, 0 without one)."""
    longest = max(float(limits["wall_seconds"]), float(limits["cpu_seconds"]))
    return READING_SECONDS + 2 * most_functions * (longest + JAIL_SECONDS) + full_seconds


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
