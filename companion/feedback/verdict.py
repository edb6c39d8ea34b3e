"""How a check reaches its verdict: run a function on cases, compare its outputs with the expected ones, say
what differs, and name the mistake behind it. Shared by both editions of testCases: the solution
edition's cases and mistakes come from the library (a reference implementation and mistaken versions of it,
companion/solutions/mistakes.py); the student edition's come from data stored when it was built (stored.py).
Nothing here knows how a graded function is written.

A case is one call of the function under test (Case). An Outcome is what one case gave: the arguments before
and after the call, the outputs or the error. A Mistake is recognised by a rule kept as data (rules.py).
`Checks` puts cases and mistakes together into the check API (examine, judge, report, check_<name>).
"""
import collections
import contextlib
import copy
import io
import numbers
import os
import sys
import traceback

import numpy as np

from companion import plain
from companion.feedback import blame
from companion.kept import NotWritten

RTOL, ATOL = 1e-5, 1e-7


def _tell_lab(*event):
    """A joined lab hears of every check (companion/lab.py). The lab's client is loaded only where a lab can be
    joined (a kernel given DNN_LAB, or one that imported it to join): the grader never loads it, and nothing
    of it takes part in a verdict."""
    if "companion.lab" in sys.modules or os.environ.get("DNN_LAB"):
        from companion import lab
        lab.checked(*event)


if os.environ.get("DNN_LAB"):  # a kernel a lab is set for joins it as soon as it loads the checks
    import companion.lab  # noqa: E402,F401
LESSON = "the lesson's inputs"  # the label of the cases that use the lesson's own inputs
LIBRARY_MODULES = ("dnn_utils", "testCases", "companion.arguments", "companion.kept", "companion.feedback.stored",
                   "companion.feedback.rules", "companion.solutions.mistakes")


class Case:
    """One call of the function under test: `inputs()` makes fresh arguments, `kwargs` the keyword
    arguments; `expected()` is what a correct implementation returns, named by `names` (the function's
    outputs, in order; None for an output that is not compared)."""

    def __init__(self, label, inputs, expected, names, kwargs=None, fresh=False):
        self.label, self.inputs, self.expected, self.names = label, inputs, expected, names
        self.kwargs, self.fresh, self.mistaken_runs = kwargs or {}, fresh, {}


Mistake = collections.namedtuple("Mistake", "id explanation recognise")
Mistake.__doc__ = "A mistake: `id` (short, for grading), `explanation` (for the learner), `recognise(outcomes)`."


# ----------------------------------------------------------------------------------------------------------
# Comparing what a function returned with what was expected

def _compare(where, got, expected, problems):
    """Append to `problems` a sentence for each way `got` differs from `expected`; `where` names the output."""
    if expected is None:
        return
    if isinstance(expected, np.ndarray):
        _compare_array(where, got, expected, problems)
    elif isinstance(expected, dict):
        _compare_dict(where, got, expected, problems)
    elif isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            problems.append(f"wrong type: {where} should be a {type(expected).__name__} of {len(expected)} items, "
                            f"got {_kind(got)}")
        elif len(got) != len(expected):
            problems.append(f"wrong length: {where} should have {len(expected)} items, got {len(got)}")
        else:
            for i, (g, e) in enumerate(zip(got, expected)):
                _compare(f"{where}[{i}]", g, e, problems)
    elif isinstance(expected, numbers.Real):
        _compare_array(where, got, np.asarray(expected, dtype=float), problems)


def _compare_dict(where, got, expected, problems):
    if not isinstance(got, dict):
        problems.append(f"wrong type: {where} should be a dict, got {_kind(got)}")
        return
    missing = [key for key in expected if key not in got]
    extra = [key for key in got if key not in expected]
    if missing:
        problems.append(f"wrong keys: {where} is missing {missing}")
    if extra:
        problems.append(f"wrong keys: {where} has unexpected {extra}")
    for key in expected:
        if key in got:
            _compare(f"{where}[{key!r}]", got[key], expected[key], problems)


def _compare_array(where, got, expected, problems):
    if expected.ndim == 0:
        if isinstance(got, np.ndarray) and got.ndim > 0:
            problems.append(f"wrong shape: {where} should be a number (a 0-d array, e.g. from np.squeeze), "
                            f"got an array of shape {got.shape}")
            return
        if not isinstance(got, (numbers.Real, np.ndarray)):
            problems.append(f"wrong type: {where} should be a number, got {_kind(got)}")
            return
    elif not isinstance(got, np.ndarray):
        problems.append(f"wrong type: {where} should be a numpy array of shape {expected.shape}, got {_kind(got)}")
        return
    got = np.asarray(got)
    if got.shape != expected.shape:
        hint = " (it looks transposed)" if got.shape == expected.shape[::-1] and got.ndim == 2 else ""
        problems.append(f"wrong shape: {where} should have shape {expected.shape}, got {got.shape}{hint}")
        return
    if got.dtype.kind not in "fiub":
        problems.append(f"wrong type: {where} should hold numbers, got dtype {got.dtype}")
        return
    slip = _dtype_slip(where, got.dtype, expected.dtype)
    if slip:
        problems.append(slip)
    if np.array_equal(got, expected):  # the same numbers (NaN is never equal): close, and quicker to tell
        return
    close = np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    if not close.all():
        bad = np.argwhere(~close)
        if expected.ndim == 0:
            problems.append(f"wrong values: {where} should be {_num(expected)}, got {_num(got)}")
        else:
            first = tuple(int(i) for i in bad[0])
            problems.append(f"wrong values: {where} differs in {len(bad)} of {expected.size} entries; at index "
                            f"{first} expected {_num(expected[first])}, got {_num(got[first])}")


def _dtype_slip(where, got, expected):
    """The sentence naming a dtype slip: floats of less precision (float32, float16) or booleans or integers
    where float64 numbers are expected; None when there is none."""
    if expected.kind != "f" or (got.kind == "f" and got.itemsize >= expected.itemsize):
        return None
    if got.kind == "f":
        return (f"wrong dtype: {where} is {got.name}, expected {expected.name}: numpy computes in float64 unless "
                f"told otherwise; leave out the cast to {got.name} (with {got.name} the gradient check and "
                f"the costs lose most of their digits)")
    seen = "booleans (True/False)" if got.kind == "b" else f"integers ({got.name})"
    return f"wrong dtype: {where} holds {seen}, expected {expected.name} numbers (e.g. 0.0 and 1.0): convert with " \
           f".astype(float)"


def _num(value):
    return f"{float(value):.8g}"


def _kind(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"{type(value).__name__}"


def unchanged(before, after):
    """True when two nested structures of arrays hold the same values."""
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and before.shape == after.shape and np.array_equal(before, after)
    if isinstance(before, dict):
        return isinstance(after, dict) and before.keys() == after.keys() and all(
            unchanged(before[k], after[k]) for k in before)
    if isinstance(before, (tuple, list)):
        return len(before) == len(after) and all(unchanged(b, a) for b, a in zip(before, after))
    return before == after


def differences(case, got, expected):
    """How the outputs `got` of a case differ from `expected`, output by output (named as in case.names)."""
    names = case.names
    if len(names) == 1:
        got, expected = (got,), (expected,)
    elif not isinstance(got, tuple) or len(got) != len(names):
        return [f"wrong outputs: expected {len(names)} outputs ({', '.join(n for n in names if n)}), got "
                f"{_kind(got)}" + (f" of {len(got)}" if isinstance(got, tuple) else "")]
    elif not isinstance(expected, tuple) or len(expected) != len(names):  # a mistaken version's outputs
        return [] if unchanged(expected, got) else ["different outputs"]
    found = []
    for output_name, g, e in zip(names, got, expected):
        if output_name:
            _compare(output_name, g, e, found)
    return found


# ----------------------------------------------------------------------------------------------------------
# Running a case

class Outcome:
    """One case run on a function: its arguments before (`kept`) and after the call (`args`), then the
    outputs (`got`) or the error raised (`error`). `Outcome.of_call` makes one by calling the function here;
    a grader that ran the function elsewhere (in a jail) builds one from what came back."""

    def __init__(self, name, index, case, kept, args, got=None, error=None):
        self.name, self.index, self.case = name, index, case
        self.kept, self.args, self.got, self.error = kept, args, got, error
        self.modified = not unchanged(self.kept, self.args)
        self._expected = self._findings = None

    @classmethod
    def of_call(cls, name, index, case, fn):
        """Call `fn` on the case's inputs here. A NotImplementedError is let through: nothing to check."""
        args = case.inputs()
        kept = copy.deepcopy(args)
        got = error = None
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # keep the verdict readable
                got = fn(*args, **case.kwargs)
        except (NotImplementedError, NotWritten):
            raise
        except Exception as raised:  # a learner's bug: report it, don't crash the notebook
            error = blame.called_wrongly(raised, _not_the_learners())
        return cls(name, index, case, kept, args, got, error)

    @property
    def expected(self):
        """What a correct implementation returns on this case."""
        if self._expected is None:
            with contextlib.redirect_stdout(io.StringIO()):
                self._expected = (self.case.expected(),)
        return self._expected[0]

    @property
    def findings(self):
        """The sentences saying how this run differs from a correct one (empty when it does not)."""
        if self._findings is None:
            self._findings = _findings(self)
        return self._findings


def _findings(outcome):
    case, error = outcome.case, outcome.error
    if error is not None:
        where = None if getattr(error, "learners_line", None) else blame.place(error, _not_the_learners())
        if where is None:
            lineno, line = getattr(error, "learners_line", None) or _learners_line(error)
            where = f"(line {lineno}: {line})"
        return [f"raised {type(error).__name__}: {error} {where} on {case.label}"]
    found = differences(case, outcome.got, outcome.expected)
    if found and found[0].startswith("wrong outputs: "):  # nothing more to compare
        return [f"wrong outputs on {case.label}: {found[0][len('wrong outputs: '):]}"]
    found = [f"{finding} on {case.label}" for finding in found]
    if outcome.modified:
        found.append(f"modified its inputs on {case.label}: work on copies (e.g. parameters.copy()) or "
                     f"build new arrays instead of changing the arguments in place")
    return found


def _not_the_learners():
    """Where code that is not the learner's lives: numpy, Python's library, the course's own modules."""
    places = [os.path.dirname(np.__file__), os.path.dirname(copy.__file__)]
    return tuple(places + [getattr(sys.modules[name], "__file__", None) or "<none>"
                           for name in LIBRARY_MODULES + (__name__,) if name in sys.modules])


def _learners_line(error):
    """The innermost line of the traceback in the learner's code (not in numpy, Python or the library),
    where the mistake is; the innermost line of all when there is none."""
    frames = traceback.extract_tb(error.__traceback__)
    outside = _not_the_learners()
    mine = [frame for frame in frames if not frame.filename.startswith(outside)]
    last = (mine or frames)[-1] if frames else None
    return (last.lineno, last.line) if last else (None, "")


# ----------------------------------------------------------------------------------------------------------
# The check API over a set of cases and mistakes

class CheckFailed(AssertionError):
    """Raised by a checker called with strict=True when a check fails (for autograders such as nbgrader)."""


def _not_implemented(name):
    return (f"not implemented yet: {name} raises NotImplementedError; write your code where it says "
            f"YOUR CODE HERE")


UPSTREAM_SHOWN = 3  # the findings a verdict shows when the fault is in a function the checked one calls


def _from_the_library(fn):
    """True for a function of the course's modules (the reference, or a kept function handed out by dnn_utils),
    which has passed its check: only the learner's own callees are checked again."""
    module = getattr(fn, "__module__", None) or ""
    return module in LIBRARY_MODULES or module.startswith("companion.solutions")


def graded_callees(fn, names):
    """[(name, function)] for the graded functions `names` that `fn` calls by name and finds among its globals,
    written by the learner, in the order of `names`."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return []
    used, pending = set(), [code]
    while pending:
        current = pending.pop()
        used |= set(current.co_names)
        pending += [const for const in current.co_consts if hasattr(const, "co_names")]
    found = getattr(fn, "__globals__", {})
    return [(name, found[name]) for name in names
            if name in used and name != code.co_name and callable(found.get(name))
            and not _from_the_library(found[name])]


class Checks:
    """examine, judge, report and the checkers of one edition: `cases(name, fresh)` gives the Case objects
    of a function (fresh: a seed for cases of random sizes, or None), `mistakes(name)` its Mistake list,
    most likely first; `passed(name, fn)` is called when `fn` passes every check, `failed(name)` gives the
    last lines of a failing verdict; `names` are the graded functions and `where(name)` the notebook of each
    one's exercise, so that a verdict can point to a function called by the one checked."""

    def __init__(self, cases, mistakes, passed=None, failed=None, names=(), where=None):
        self.cases, self.mistakes = cases, mistakes
        self.passed = passed or (lambda name, fn: None)
        self.failed = failed or (lambda name: [])
        self.names, self.where = tuple(names), where or (lambda name: "its notebook")

    def upstream(self, name, fn, seen=None):
        """(callee, why) for the first graded function of the learner's that `fn` calls and that fails its own
        check (the deepest such one, following the calls), or None when there is none."""
        seen = set() if seen is None else seen
        for callee, function in graded_callees(fn, self.names):
            if callee in seen:
                continue
            seen.add(callee)
            deeper = self.upstream(callee, function, seen)
            if deeper:
                return deeper
            try:
                outcomes = self.outcomes(callee, function)
            except NotWritten:
                return callee, "is not written yet"
            if outcomes is None:
                return callee, "is not written yet"
            if self.judge(callee, outcomes)[0]:
                return callee, "does not pass its own check"
        return None

    def outcomes(self, name, fn, fresh=None):
        """Every case of `name` run on `fn`, or None when `fn` is not implemented yet."""
        try:
            return [Outcome.of_call(name, index, case, fn) for index, case in enumerate(self.cases(name, fresh))]
        except NotImplementedError:
            return None

    def examine(self, name, fn, fresh=None):
        """Run the checks of `name` on `fn`: (findings, mistake), the list of findings (empty when all is
        right) and the most likely mistake behind them (a Mistake, or None when none is recognised).
        `fresh`: a seed, to add cases of random sizes drawn from it."""
        return self.judge(name, self.outcomes(name, fn, fresh), fn)

    def judge(self, name, outcomes, fn=None):
        """(findings, mistake) for the runs `outcomes` (Outcome objects, one per case; None: not implemented)
        of the function `fn` (when given, a variable of the notebook it reads is named first)."""
        if outcomes is None:
            return [_not_implemented(name)], None
        found = [finding for outcome in outcomes for finding in outcome.findings]
        if found and fn is not None:
            found = blame.notebook_names(name, fn) + found
        recognised_first = next((m for m in self.mistakes(name) if m.recognise(outcomes)), None) if found else None
        return found, recognised_first

    def problems(self, name, fn):
        """Run every case of function `name` on `fn`; return a list of findings (empty when all is right)."""
        return self.examine(name, fn)[0]

    def diagnose(self, name, fn):
        """The id of the most likely mistake in `fn` as an implementation of `name`, or None (right, not
        implemented yet, or wrong in a way not in the catalogue)."""
        found = self.examine(name, fn)[1]
        return found.id if found else None

    def report(self, name, fn):
        """Print the verdict on `fn` as an implementation of `name`; return True when every check passed."""
        try:
            outcomes = self.outcomes(name, fn)
        except NotWritten as missing:  # it calls a function of an earlier notebook not written yet
            print(f"{name}: cannot be checked yet: {missing}")
            return False
        found, likely = self.judge(name, outcomes, fn)
        _tell_lab(name, self.where, outcomes is not None, found, likely)
        if found and outcomes is None and self._report_upstream(name, fn, found):  # a callee's stub raised
            return False
        if not found:
            count = len(self.cases(name, None))
            print(f"{name}: all {count} checks passed." if count > 1 else f"{name}: the check passed.")
            self.passed(name, fn)
            return True
        if self._report_upstream(name, fn, found):
            return False
        print(f"{name}: {len(found)} problem(s) found:")
        for finding in found:
            print(f"  - {finding}")
        if likely:
            print(f"  - likely mistake: {likely.explanation}")
        for line in self.failed(name) if outcomes is not None else ():  # written, but wrong
            print(f"  {line}")
        return False

    def _report_upstream(self, name, fn, found):
        """When `fn` fails because a function of the learner's it calls fails its own check, print so first,
        then the first findings and their count; return True when it did."""
        upstream = self.upstream(name, fn)
        if not upstream:
            return False
        callee, why = upstream
        print(f"{name}: it calls your {callee}, which {why}: fix {callee} first ({self.where(callee)}), "
              f"then run this check again. What {name} gives meanwhile:")
        for finding in found[:UPSTREAM_SHOWN]:
            print(f"  - {finding}")
        if len(found) > UPSTREAM_SHOWN:
            print(f"  - ... and {len(found) - UPSTREAM_SHOWN} more problem(s)")
        return True

    def checker(self, name):
        """check_<name>(fn, strict=False): print the verdict on fn; with strict=True, raise CheckFailed when
        a check fails."""
        def check(fn, strict=False):
            if not self.report(name, fn) and strict:
                raise CheckFailed(f"{name} does not pass its checks yet (see above)")
        check.__name__ = f"check_{name}"
        check.__doc__ = (f"Run the checks of {name} on the function `fn` and print the verdict; with strict=True, "
                         f"also raise CheckFailed when a check fails.")
        return check


# ----------------------------------------------------------------------------------------------------------
# Cases and runs as plain data (JSON): arrays, numbers, strings, None, tuples, lists and dicts

# One plain-data encoding for the stored checks and for the grader's jail (companion/plain.py)
encode, decode = plain.to_data, plain.from_data


def encode_run(outcome):
    """A run of a mistaken version as data: {"error": [type name, message]} or {"got": outputs}."""
    if outcome.error is not None:
        return {"error": [type(outcome.error).__name__, str(outcome.error)]}
    return {"got": encode(outcome.got)}


def decode_run(data):
    return {"error": data["error"]} if "error" in data else {"got": decode(data["got"])}
