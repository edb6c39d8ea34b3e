"""One graded function of a hand-in: run in the jail on the lesson's cases and on fresh ones, judged here.

The jail sends back only plain data: what the function returned on each case, its arguments after the call,
or the error it raised, and the attempts it made to get out. The verdict is computed outside the jail by
testCases, against the library (the reference implementation), which the jail never sees: in a child of the
grader's process with limits of its own (notebooks.bounded), since what it decodes and compares is the
hand-in's. The functions the graded one builds on (those the lesson's own solution calls) are answered from
outside the jail (grading/support): the jail holds their names, never their code; only those: never the
graded function itself, anything that contains it, nor a function that gives its outputs by another name.
"""
import ast
import builtins
import dataclasses
import functools
import inspect
import re
import signal
import textwrap

import numpy as np

from companion import plain

from .notebooks import bounded, python_source
from .support import Answerer
from .untrusted import NAME, clean

FORBIDDEN_MODULES = ("dnn_utils", "testCases", "companion.solutions", "grading")
ATTEMPTS = {  # what an attempt to get out is called on a scorecard, most serious first
    "solutions": "tried to use the library's solutions",
    "network": "tried to reach the network",
    "outside": "tried to read or write outside its folder",
    "process": "tried to start other programs",
}


@dataclasses.dataclass
class Verdict:
    """What happened to one function: its point, an outcome word, and the comment a learner reads."""
    points: int
    outcome: str   # ok, wrong, not written, out of time, memory, disk, output, results, attempt, crashed, missing...
    comment: str
    mistake: str = None


# ----------------------------------------------------------------------------------------------------------
# The functions a graded function builds on, as the library writes them

@functools.lru_cache(maxsize=None)
def _library():
    """{name: (source, names it reads)} for every graded function of the library. The source keeps its
    argument checks (@checked, from companion/arguments.py, which the jail has): a mistaken version run in the grader
    then fails the same way as the learner's code in the jail."""
    import dnn_utils
    from testCases import FUNCTIONS
    tree = ast.parse(inspect.getsource(dnn_utils))
    source = inspect.getsource(dnn_utils).splitlines(True)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name in FUNCTIONS:
            first = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
            text = textwrap.dedent("".join(source[first - 1:node.end_lineno]))
            reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & set(FUNCTIONS)
            found[node.name] = (text, reads - {node.name})
    return found


# Functions that give another one's outputs by another name: an initialization with other sizes, another seed or
# another scale (initialize_parameters(n_x, n_h, n_y) is initialize_parameters_deep([n_x, n_h, n_y], seed=1),
# initialize_parameters_deep is initialize_parameters_deep_scaled rescaled). None of them is sent to another.
SAME_OUTPUTS = (frozenset({"initialize_parameters", "initialize_parameters_deep", "initialize_parameters_deep_scaled"}),)


@functools.lru_cache(maxsize=None)
def _solution_calls():
    """{graded function: the graded functions its exercise cell in the lesson's notebook (its solution) calls}."""
    from .notebooks import NOTEBOOKS, read_notebook, exercise_name, parse, trusted
    found = {}
    with trusted():  # the project's notebooks, whichever hand-in is being graded
        for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
            for cell in read_notebook(path).cells:
                name = exercise_name(cell)
                for node in parse(cell.source).body if name else ():
                    if isinstance(node, ast.FunctionDef) and node.name == name:
                        found[name] = {call.func.id for call in ast.walk(node) if isinstance(call, ast.Call)
                                       and isinstance(call.func, ast.Name)} & set(_library()) - {name}
    return found


@functools.lru_cache(maxsize=None)
def _available():
    """{graded function: {graded function: why}} of what the lesson's notebook makes available to the learner
    where the exercise of the first is written: the graded functions its cells import before it (from dnn_utils,
    the library or the learner's kept functions) and those its earlier exercises define."""
    from .notebooks import NOTEBOOKS, read_notebook, exercise_name, parse, trusted
    found = {}
    with trusted():  # the project's notebooks, whichever hand-in is being graded
        for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
            given = {}
            for cell in read_notebook(path).cells:
                if cell.cell_type != "code":
                    continue
                name = exercise_name(cell)
                if name:
                    found[name] = dict(given)
                    given[name] = "its notebook defines it in an earlier exercise"
                    continue
                try:
                    tree = parse(cell.source)
                except SyntaxError:
                    continue
                for node in ast.walk(tree):
                    if isinstance(node, ast.ImportFrom):
                        for alias in node.names:
                            if alias.name in _library() and alias.asname in (None, alias.name):
                                given.setdefault(alias.name, f"its notebook imports it from {node.module}")
    return found


def _closure(names):
    library, found, todo = _library(), set(), list(names)
    while todo:
        other = todo.pop()
        if other not in found:
            found.add(other)
            todo += list(library[other][1])
    return found


def support(name):
    """{function: why} for the graded functions `name` is given, as the library writes them: those its
    lesson's solution calls, those its notebook makes available to the learner where it is written (imports,
    earlier exercises: a right function may call them), and those the library's versions of these call in turn;
    never `name` itself, a function that calls it, nor one that gives its outputs by another name
    (SAME_OUTPUTS)."""
    same = set().union(*(family for family in SAME_OUTPUTS if name in family))
    given, todo = {}, [(called, "its lesson's solution calls it") for called in sorted(_solution_calls().get(name, ()))]
    todo += sorted(_available().get(name, {}).items())
    while todo:
        other, why = todo.pop(0)
        if other not in given:
            given[other] = why
            todo += [(deeper, f"the library's {other} calls it") for deeper in sorted(_library()[other][1])]
    return {other: why for other, why in given.items() if other not in same and name not in _closure([other])}


# A graded function its lesson's notebook does not make available is not defined where the learner's code runs
# (see support); a learner who calls one instead of the lesson's makes a mistake the checks know by name.
CALLED_INSTEAD = {("two_layer_model", "initialize_parameters_deep"): "wrong_init",
                  ("L_layer_model", "initialize_parameters_deep"): "init_0_01"}
_NOT_DEFINED = re.compile(r"name '(\w+)' is not defined")


def builds_on(name):
    """The graded functions the code of `name` may call (see support), sorted."""
    return sorted(support(name))


# ----------------------------------------------------------------------------------------------------------
# Running one function in the jail, and judging what comes back

def check_function(jail, name, source, seed, helpers=""):
    """The Verdict on the exercise code `source` as an implementation of `name`, with fresh cases from `seed`.
    `helpers`: the code of the learner's own functions it calls, from earlier cells (grade.Definitions)."""
    import testCases
    cases = testCases.cases(name, fresh=seed)
    sent = [case.inputs() for case in cases]
    try:
        code = python_source(source)
    except Exception as error:  # IPython's transformer on a broken cell
        return Verdict(0, "crashed", f"its cell does not run: {type(error).__name__}: {error}")
    given = builds_on(name)
    answerer = Answerer(given, jail.limits.memory_mb, jail.limits.cpu_seconds) if given else None
    cases_data = [[list(args), case.kwargs] for args, case in zip(sent, cases)]
    request = {"name": name, "source": code, "helpers": helpers, "support": given, "cases": cases_data,
               # the folders it may read, less Python's own (the runner knows them as the jail shows them)
               "readable": [path for path in jail.readable() if path not in jail.python_roots()],
               "forbidden": list(FORBIDDEN_MODULES)}
    if answerer is not None:
        request["calls"] = list(answerer.open())  # the pipes' numbers, the same in the jail
    try:
        done = jail.run(jail.runner(), plain.encode(request).encode(), results_limit=results_limit(cases_data),
                        beside=answerer)
    finally:
        if answerer is not None:
            answerer.stop()
    return judge_run(jail.limits, name, cases, sent, done)


# What comes back from a jail is capped near what the lesson's functions return: each case's outputs and its
# arguments after the call are at most a few times its arguments (a forward pass's caches hold its inputs and
# activations), the events and errors a few KB.
RESULTS_PER_ARGUMENT, RESULTS_MARGIN = 12, 1 << 20


def results_limit(cases_data):
    """The most bytes a jail may send back for cases whose arguments are `cases_data` (plain data)."""
    return min(RESULTS_PER_ARGUMENT * len(plain.encode(cases_data)) + RESULTS_MARGIN, 64 << 20)


JUDGING_SECONDS, JUDGING_MB = 60, 2048  # the bounded child that decodes and judges a jail's results


def judge_run(limits, name, cases, sent, done):
    """The Verdict from a finished jailed run (jail.Finished) of `name` on `cases` with arguments `sent`,
    decoded and judged in a child process under JUDGING_SECONDS and JUDGING_MB of its own (notebooks.bounded).
    What came back is the hand-in's data: whatever fails to decode or to compare (a number of 4400 digits, bad
    base64, an array of 100 dimensions, a name that is not text, a dict with integer keys...) or takes too long
    or too much memory to, is that hand-in's crash, never the grader's."""
    judged = bounded(_judged, (limits, name, cases, sent, done), JUDGING_SECONDS, JUDGING_MB)
    if isinstance(judged, dict):
        return Verdict(**judged)
    kind, what = judged
    return Verdict(0, "crashed", f"crashed: what it sent back cannot be judged ({clean(kind, NAME)}: "
                                 f"{clean(what, 200)})")


def _judged(arguments):
    """In the bounded child: the Verdict as a dict."""
    try:
        return dataclasses.asdict(_judge_run(*arguments))
    except Exception as error:  # noqa: BLE001 (what the learner's code sent back, not the grader, is at fault)
        return dataclasses.asdict(Verdict(0, "crashed", f"crashed: what it sent back cannot be read "
                                                        f"({type(error).__name__})"))


def _judge_run(limits, name, cases, sent, done):
    if done.status == "time":
        return Verdict(0, "out of time", f"ran out of time: still running after {limits.wall_seconds:g} s of "
                                         f"wall-clock time")
    if done.status == "cpu":  # the jail's CPU cgroup: all its processes together
        return _out_of_cpu(limits)
    if done.status == "output":
        return Verdict(0, "output", f"printed too much: more than {limits.output_kb} KB of output")
    if done.status == "results":
        return Verdict(0, "results", "sent back too much: its results are far larger than the lesson's")
    if done.status == "memory":  # the jail's memory cgroup: all its processes and what they hold, together
        return Verdict(0, "memory", f"used too much memory: more than {limits.memory_mb} MB")
    try:
        result = plain.decode(done.results.decode("utf-8", errors="replace"), text_keys=True)
        if not isinstance(result, dict):
            raise plain.PlainDataError("not a dict")
    except plain.PlainDataError:
        return _died(limits, done)
    attempts = [event for event in result.get("events", []) if isinstance(event, (list, tuple)) and
                len(event) == 2 and event[0] in ATTEMPTS]
    if attempts:
        kind = min((event[0] for event in attempts), key=list(ATTEMPTS).index)
        what = clean(next(str(event[1]) for event in attempts if event[0] == kind), MESSAGE)
        return Verdict(0, "attempt", f"{ATTEMPTS[kind]} ({what}): the jail stopped it")
    if not result.get("defined"):
        error = result.get("error")
        if isinstance(error, dict):
            return _from_error(limits, error, "its cell does not run")
        return Verdict(0, "crashed", f"its cell does not define a function {name}")
    return _judge_cases(limits, name, cases, sent, result.get("cases") or [])


def _judge_cases(limits, name, cases, sent, runs):
    import testCases
    outcomes = []
    for index, (case, args, run) in enumerate(zip(cases, sent, runs)):
        if not isinstance(run, dict):
            return Verdict(0, "crashed", "crashed: what it sent back is not a result")
        error = run.get("error")
        if isinstance(error, dict) and (run.get("not_implemented") or error.get("kind") in ("memory", "disk")):
            return (Verdict(0, "not written", "not written yet") if run.get("not_implemented")
                    else _from_error(limits, error, "crashed"))
        outcomes.append(testCases.Outcome(name, index, case, args, _arguments(run.get("args"), args),
                                          run.get("got"), rebuild(error) if isinstance(error, dict) else None))
    if len(outcomes) < len(cases):
        return Verdict(0, "crashed", "crashed: it stopped before every case was run")
    called = _graded_not_given(name, outcomes)
    if called:
        return _called_instead(name, called)
    found, mistake = testCases.judge(name, outcomes)  # the mistaken versions run here, on the inputs sent
    if not found:
        return Verdict(1, "ok", "ok")
    if mistake:
        return Verdict(0, "wrong", f"wrong: {mistake.explanation} [{mistake.id}]", mistake.id)
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return Verdict(0, "wrong", f"wrong: {_capped(found[0], outcomes)}{more}")


def _capped(text, outcomes):
    """`text` with each error's message and line that the hand-in raised cut to MESSAGE characters (they were
    judged whole; what reaches feedback of them is short)."""
    for outcome in outcomes:
        if outcome.error is not None:
            for said in (str(outcome.error), str(getattr(outcome.error, "learners_line", (None, ""))[1])):
                if len(said) > MESSAGE:
                    text = text.replace(said, clean(said, MESSAGE))
    return text


def _graded_not_given(name, outcomes):
    """The graded function, not among those `name` builds on, whose name was not defined when every case ran
    (NameError), or None."""
    from testCases import FUNCTIONS
    matches = [_NOT_DEFINED.fullmatch(str(outcome.error)) if type(outcome.error) is NameError else None
               for outcome in outcomes]
    found = {match.group(1) if match else None for match in matches}
    called = found.pop() if len(found) == 1 else None
    return called if called in FUNCTIONS and called != name and called not in support(name) else None


def _called_instead(name, called):
    """The Verdict on `name` calling the graded function `called`, which its lesson does not give it."""
    from companion.feedback.hints import EXPLANATIONS
    mistake = CALLED_INSTEAD.get((name, called))
    if mistake:
        return Verdict(0, "wrong", f"wrong: {EXPLANATIONS[name][mistake]} [{mistake}]", mistake)
    if any({name, called} <= family for family in SAME_OUTPUTS):
        why = f"which gives the outputs of {name} by another name, so the grader does not give it: {name} must " \
              f"compute them itself"
    elif called in _library() and name in _closure([called]):
        why = f"which itself uses {name}, so the grader does not give it: {name} must do its work itself"
    else:
        why = f"which its lesson's notebook neither imports nor defines before {name}, so it is not defined there"
    return Verdict(0, "wrong", f"wrong: it calls {called}, {why}")


def _arguments(back, sent):
    """The arguments after the call, as they came back (a list); the ones sent when they did not come back."""
    return tuple(back) if isinstance(back, (list, tuple)) and len(back) == len(sent) else sent


# What a hand-in's error may put in its feedback: its type and this many characters of its message (and of its
# line), so an error cannot carry out anything long (docs/grading.md, "What a jail holds").
MESSAGE = 80


def _from_error(limits, error, where):
    kind = error.get("kind")
    if kind == "memory":
        return Verdict(0, "memory", f"used too much memory: more than {limits.memory_mb} MB")
    if kind == "disk":
        return Verdict(0, "disk", f"wrote too much: more than {limits.file_mb} MB in a file or {limits.disk_mb} MB "
                                  f"in its folder")
    line = error.get("line")
    at = f" (line {clean(line[0], 12)}: {clean(line[1], MESSAGE)})" if isinstance(line, list) and len(line) == 2 \
        else ""
    return Verdict(0, "crashed", f"{where}: {clean(error.get('type'), 80)}: {clean(error.get('text'), MESSAGE)}{at}")


def _died(limits, done):
    """The Verdict on a run that sent no readable result: how it died."""
    code, output = done.code, done.output
    if "MemoryError" in output or "Cannot allocate memory" in output:
        return Verdict(0, "memory", f"used too much memory: more than {limits.memory_mb} MB")
    if code > 128 and code - 128 in signal.valid_signals():  # the jail reports a killed process as 128 + signal
        code = 128 - code
    if code == -signal.SIGXCPU or (code == -signal.SIGKILL and done.cpu_seconds >= limits.cpu_seconds):
        return _out_of_cpu(limits)  # SIGKILL: a process that ignored SIGXCPU, killed a second later
    how = f"killed by signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
    last = clean(output.strip().splitlines()[-1], MESSAGE) if output.strip() else ""
    return Verdict(0, "crashed", f"crashed the process that ran it ({how})" + (f": {last}" if last else ""))


def _out_of_cpu(limits):
    return Verdict(0, "out of time", f"ran out of time: used more than {limits.cpu_seconds} s of CPU time")


# ----------------------------------------------------------------------------------------------------------
# Errors raised in the jail, rebuilt as exceptions for testCases (type, arguments, text, learner's line)

_MADE = {}


def rebuild(error):
    """An exception like the one raised in the jail, with .learners_line = (line number, line)."""
    name, module = clean(error.get("type"), NAME), clean(error.get("module"), NAME)
    args = error.get("args") if isinstance(error.get("args"), list) else []
    cls = getattr(builtins, name, None) if module == "builtins" else None
    if cls is None and module.startswith("numpy"):
        cls = getattr(np.exceptions, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = _MADE.setdefault((module, name), type(name, (Exception,), {"__module__": module}))
    try:
        rebuilt = cls(*args)
        if str(rebuilt) != str(error.get("text")):
            raise ValueError
    except Exception:
        rebuilt = _MADE.setdefault((module, name), type(name, (Exception,), {"__module__": module}))(
            str(error.get("text")))
    line = error.get("line")
    rebuilt.learners_line = tuple(line) if isinstance(line, list) and len(line) == 2 else (None, "")
    return rebuilt
