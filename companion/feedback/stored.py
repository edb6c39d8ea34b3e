"""The checks of the student edition: the same verdicts as the solution edition's testCases, from data.

checks_data.json (written by `python -m grading student` from testCases.stored_checks) holds, for every
graded function, the fixed cases (inputs, keyword arguments, the names of the outputs and the expected
outputs) and the mistakes' rules, where a "like" rule carries the outputs (or the error) of each mistaken
version on those cases: its fingerprint. No reference implementation and no mistaken version is needed,
so none is here. A function that passes its check is kept for the later notebooks (companion.kept.keep).
"""
import functools
import json

from companion import kept
from companion.feedback.hints import EXPLANATIONS, hint, hints_note
from companion.feedback.rules import Recogniser
from companion.feedback.display import one_line_for_unwritten_functions
from companion.feedback.gradients import gradient_check, numerical_gradient, relative_error
from companion.feedback.verdict import (LESSON, Case, CheckFailed, Checks, Mistake, NotWritten, Outcome, decode,
                                        decode_run)
from companion.kept import keep


@functools.lru_cache(maxsize=1)
def _data():
    path = kept.DATA_FILE
    if not path.is_file():
        raise FileNotFoundError(f"testCases: {path} is missing; expected the checks' data written with the "
                                f"student edition (python -m grading student)")
    return json.loads(path.read_text())


FUNCTIONS = tuple(_data()["functions"])


def _stored(name):
    if name not in FUNCTIONS:
        raise ValueError(f"testCases: name={name!r} is not a graded function; expected one of "
                         f"{', '.join(FUNCTIONS)}")
    return _data()["functions"][name]


def cases(name, fresh=None):
    """The fixed cases `name` is checked on (the lesson's, then those of other sizes), as stored."""
    if fresh is not None:
        raise ValueError(f"cases: fresh={fresh!r}, but the student edition has only the fixed cases; expected "
                         f"None (the grader draws fresh cases)")
    return [Case(stored["label"], functools.partial(decode, stored["inputs"]),
                 functools.partial(decode, stored["expected"]), tuple(stored["names"]), decode(stored["kwargs"]))
            for stored in _stored(name)["cases"]]


def _spec(stored):
    """A stored rule, its runs decoded."""
    if stored["rule"] == "like":
        return {"rule": "like", "runs": [[decode_run(run) for run in runs] for runs in stored["runs"]]}
    if stored["rule"] == "any":
        return {"rule": "any", "of": [_spec(part) for part in stored["of"]]}
    return stored


@functools.lru_cache(maxsize=None)
def mistakes(name):
    """The Mistake list of `name`, most likely first, recognised from the stored rules."""
    return [Mistake(stored["id"], EXPLANATIONS[name][stored["id"]], Recogniser(_spec(stored)))
            for stored in _stored(name)["mistakes"]]


def _failed(name):
    """The last line of a failing verdict on a written function; noted, so that the cells needing it say so."""
    kept.check_failed(name)
    return [hints_note(name)]


CHECKS = Checks(cases, mistakes, passed=keep, failed=_failed, names=FUNCTIONS,
                where=lambda name: kept.notebooks().get(name, "its notebook"))
examine, judge, problems, diagnose, report = CHECKS.examine, CHECKS.judge, CHECKS.problems, CHECKS.diagnose, \
    CHECKS.report
globals().update({f"check_{name}": CHECKS.checker(name) for name in FUNCTIONS})

__all__ = ["FUNCTIONS", "LESSON", "Case", "CheckFailed", "Mistake", "NotWritten", "Outcome", "cases", "mistakes",
           "examine", "judge", "problems", "diagnose", "report", "hint", "gradient_check", "numerical_gradient",
           "relative_error"] + [f"check_{name}" for name in FUNCTIONS]

one_line_for_unwritten_functions()
