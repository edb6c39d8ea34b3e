"""What a jail holds, and what the grader does with what comes out of one (docs/grading.md, "What a jail holds").

Hostile hand-ins against the mechanism that keeps the library's code out of every jail (grading/support),
against the bounded judging of a jail's results (verdict.judge_run) and against learner ids that name no
folder (feedback.folder). Each attack is shown to work where the defence is missing, then stopped by it, and
the machine is checked afterwards: no process of the grader's left (the answering process beside each jail,
the judging child), no cgroup, no file descriptor.
"""
import base64
import dataclasses
import hashlib
import inspect
import os
import sys
import types
import zlib
from pathlib import Path

import pytest

import dnn_utils
import grading
import testCases
from companion import plain
from grading import feedback, gradebook, verdict
from grading import jail as jails
from grading.confine import probe
from mutants import library_source

PROJECT = Path(grading.__file__).resolve().parents[1]
LIMITS = jails.Limits(memory_mb=1024, cpu_seconds=30, wall_seconds=40, processes=24, file_mb=4, disk_mb=16,
                      output_kb=64)


class Machine:
    """The grader's own process before and after: its children, its open files, the jails' cgroups."""

    def __init__(self, jail):
        self.jail = jail
        self.before = self.state()

    def state(self):
        children = sorted(entry.name for entry in Path("/proc").iterdir() if entry.name.isdigit() and
                          _parent(entry) == os.getpid())
        cgroups = sorted(path.name for path in Path(self.jail.cgroup_parent).iterdir() if path.is_dir() and
                         path.name.startswith(f"dnn-jail-{os.getpid()}-")) if self.jail.memory else []
        return {"children": children, "fds": sorted(os.listdir("/proc/self/fd")), "cgroups": cgroups}

    def assert_untouched(self):
        after = self.state()
        after["fds"] = [fd for fd in after["fds"] if fd in self.before["fds"] or os.path.exists(f"/proc/self/fd/{fd}")
                        and not os.readlink(f"/proc/self/fd/{fd}").startswith(("pipe:", "socket:"))]
        assert after == self.before, (self.before, after)


def _parent(entry):
    try:
        return int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


@pytest.fixture(scope="module")
def jail():
    """A jail (the tests fail, never skip, without one: hostile hand-ins never run unjailed)."""
    assert probe.problem() is None, f"no jail on this machine: {probe.problem()}"
    with jails.Jail(LIMITS) as made:
        yield made


@pytest.fixture
def machine(jail):
    watched = Machine(jail)
    yield watched
    watched.assert_untouched()


def graded_with_results(jail, name, source, seed=3):
    """(the Verdict, the run's decoded results, the request's text) of `source` checked as `name` in `jail`."""
    seen = {}
    run, judge = jail.run, verdict.judge_run

    def recording_run(argv, request=b"", *args, **kwargs):
        seen["request"] = bytes(request)
        return run(argv, request, *args, **kwargs)

    def recording_judge(limits, name, cases, sent, done):
        seen["done"] = done
        return judge(limits, name, cases, sent, done)

    jail.run, verdict.judge_run = recording_run, recording_judge
    try:
        graded = verdict.check_function(jail, name, source, seed)
    finally:
        jail.run, verdict.judge_run = run, judge
    return graded, plain.decode(seen["done"].results.decode()), seen["request"].decode()


# ----------------------------------------------------------------------------------------------------------
# Reference code: the library's source, bytecode and functions, as hashes (none of it is sent in)

def _reference_functions():
    modules = [dnn_utils, testCases] + [module for name, module in sorted(sys.modules.items())
                                        if name.startswith("companion.solutions")]
    found = []
    for module in modules:
        for value in vars(module).values():
            function = inspect.unwrap(value) if callable(value) else None
            if isinstance(function, types.FunctionType) and function.__module__ == module.__name__:
                found.append(function)
    return found


def _codes(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def _signature(code):
    """A code object's bytecode with the names and variables it uses (what the dump computes in the jail)."""
    return hashlib.sha256(code.co_code + repr((code.co_names, code.co_varnames)).encode()).hexdigest()


def _lines(text):
    """The lines of `text` long enough to tell its code from any other, imports left out."""
    return {line.strip() for line in text.splitlines() if len(line.strip()) >= 24 and
            not line.strip().startswith(("import ", "from "))}


def reference_markers(allowed_text):
    """(hashes of the reference's distinctive source lines, hashes of its functions' bytecode): lines of
    dnn_utils.py, testCases.py and companion/solutions/ that appear in no file a jail is meant to hold."""
    import companion.solutions
    files = [PROJECT / "dnn_utils.py", PROJECT / "testCases.py",
             *Path(companion.solutions.__file__).parent.glob("*.py")]
    lines = set().union(*(_lines(path.read_text()) for path in files)) - _lines(allowed_text)
    codes = {_signature(code) for function in _reference_functions() for code in _codes(function.__code__)
             if len(code.co_code) >= 24}
    return sorted(hashlib.sha256(line.encode()).hexdigest() for line in lines), sorted(codes)


# The hand-in: L_layer_model, which is given the most functions (11), searches everything it can reach and
# returns what it found: reference source lines (by hash), reference bytecode (by hash), the library's modules
# or functions, files named like the library's, file descriptors and /proc entries pointing at them.
DUMP = '''
import gc, hashlib, os, sys, types

LINES, CODES = set(%r), set(%r)
NAMES = ("dnn_utils", "testCases", "companion.solutions", "companion/solutions")
PYTHON = tuple(sorted({os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), "/usr"}))

def _text_hits(text, where, found):
    for line in text.splitlines():
        line = line.strip()
        if len(line) >= 24 and hashlib.sha256(line.encode()).hexdigest() in LINES:
            found.append(f"source line in {where}: {line[:80]}")
            return

def _object_hits(value, found):
    if isinstance(value, str):
        _text_hits(value, "a str", found)
    elif isinstance(value, (bytes, bytearray)):
        _text_hits(bytes(value).decode("latin-1"), "bytes", found)
    elif isinstance(value, types.CodeType):
        if hashlib.sha256(value.co_code + repr((value.co_names, value.co_varnames)).encode()).hexdigest() in CODES:
            found.append(f"bytecode of {value.co_name}")
        if any(name in value.co_filename for name in NAMES):
            found.append(f"code from {value.co_filename}")
    elif isinstance(value, types.FunctionType):
        if any(str(value.__module__).startswith(name) for name in NAMES):
            found.append(f"function {value.__module__}.{value.__name__}")
    elif isinstance(value, types.ModuleType) and any(value.__name__.startswith(name) for name in NAMES):
        found.append(f"module {value.__name__}")

def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    found, seen, counts = [], set(), {"objects": 0, "files": 0, "read": 0}
    initialize_parameters_deep_scaled(layers_dims)  # a call of each kind answered: their traces are here if any
    todo = [globals(), sys.modules, __builtins__] + gc.get_objects()
    while todo and counts["objects"] < 3_000_000:
        value = todo.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        counts["objects"] += 1
        _object_hits(value, found)
        if not isinstance(value, (str, bytes, bytearray, int, float)):
            todo += gc.get_referents(value)  # a function's closure cells, a cell's contents, a frame's locals...
    for root, folders, files in os.walk("/"):
        if root in ("/proc", "/sys"):
            folders[:] = []
            continue
        for name in folders + files:
            counts["files"] += 1
            path = os.path.join(root, name)
            if any(marker in path for marker in ("dnn_utils", "testCases", "companion/solutions")):
                found.append(f"file {path}")
        for name in files:
            path = os.path.join(root, name)
            inside_python = path.startswith(tuple(p + "/" for p in PYTHON))
            if inside_python and not (name.endswith((".pth", ".cfg")) or "__editable__" in name):
                continue
            try:
                if os.path.isfile(path) and os.path.getsize(path) < 4 << 20:
                    _text_hits(open(path, "rb").read().decode("latin-1"), path, found)
                    counts["read"] += 1
            except OSError:
                pass
    for name in ("environ", "cmdline", "mountinfo", "maps", "status", "mounts"):
        try:
            _text_hits(open(f"/proc/self/{name}", "rb").read().replace(b"\\0", b"\\n").decode("latin-1"),
                       f"/proc/self/{name}", found)
        except OSError:
            pass
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if any(marker in target for marker in ("dnn_utils", "testCases", "solutions")):
            found.append(f"fd {fd} -> {target}")
    return sorted(set(found)), counts
'''


def test_nothing_a_jailed_function_can_reach_holds_reference_code(jail, machine):
    """Globals, closures, everything the garbage collector knows, every file of the jail (names everywhere;
    contents outside Python's own folders and the environment's .pth and .cfg files), /proc/self and the open
    file descriptors: no line of the library's source, no bytecode of its functions, no module or function of
    it. The same search in a namespace given the library's functions as the old jail gave them finds them."""
    from grading.jail import LIB_FILES
    allowed = "\n".join(path.read_text() for path in LIB_FILES.values())
    source = DUMP % reference_markers(allowed + DUMP)  # the hand-in's own lines are its own (its def line)
    # without the defence: the library's functions themselves in the namespace (as a notebook has them)
    namespace = {"np": __import__("numpy"),
                 **{name: getattr(dnn_utils, name) for name in grading.builds_on("L_layer_model")}}
    exec(source, namespace)
    hits = _search_here(namespace)
    assert any(hit.startswith(("bytecode of", "function dnn_utils.")) for hit in hits), hits

    graded, results, request = graded_with_results(jail, "L_layer_model", source)
    case = results["cases"][0]
    assert "got" in case, case
    found, counts = case["got"]
    assert found == [], found
    assert counts["objects"] > 10_000 and counts["files"] > 1_000 and counts["read"] > 5, counts  # it looked
    assert graded.points == 0


def _search_here(namespace):
    """What the dump's object search finds in this process's own namespace (the library's functions given)."""
    found = []
    for value in list(namespace.values()):
        namespace["_object_hits"](value, found)
        if isinstance(value, types.FunctionType):
            namespace["_object_hits"](inspect.unwrap(value).__code__, found)
    return found


def test_the_request_a_jail_gets_holds_no_path_of_the_graders_and_no_library_code(jail, machine):
    source = "def L_model_forward(X, parameters):\n    return linear_activation_forward(X, parameters['W1'], " \
             "parameters['b1'], 'sigmoid')\n"
    graded, _, request = graded_with_results(jail, "L_model_forward", source)
    assert str(PROJECT) not in request and str(Path.home()) not in request
    assert "def linear_forward" not in request and "np.dot" not in request
    assert plain.decode(request)["support"] == grading.builds_on("L_model_forward") == [
        "initialize_parameters_deep", "initialize_parameters_deep_scaled", "linear_activation_forward",
        "linear_forward", "relu", "sigmoid"]  # names only: the calls are answered outside the jail
    assert graded.outcome == "wrong"  # one layer of the network's two: it ran, on the stubs' answers


# The attack that carried the support code out before: find it wherever it sits in the jail's memory, compress
# it, encode it and raise it: the learner's feedback carries it out.
EXFILTRATE = '''
import base64, gc, types, zlib
def L_model_forward(X, parameters):
    needle = "def linear_" + "forward(A, W, b)"  # made here: the hand-in's own text does not hold it
    found = [value for held in gc.get_objects() for value in gc.get_referents(held)
             if isinstance(value, str) and needle in value and value is not needle]
    found += [value.__code__.co_code.hex() for value in gc.get_objects()
              if isinstance(value, types.FunctionType) and value.__name__ == "linear_forward"
              and value.__code__.co_name == "linear_forward"]
    raise ValueError("SECRET" + base64.b64encode(zlib.compress("\\n".join(found).encode(), 9)).decode())
'''


def test_an_error_that_carries_out_the_support_code_carries_out_nothing(jail, machine):
    # without the defence: the library's source run in the function's namespace, as the old jail did
    request = {"support": library_source("linear_forward")}  # the old runner's request, alive as it ran
    namespace = {"np": __import__("numpy")}
    exec(request["support"] + EXFILTRATE, namespace)
    with pytest.raises(ValueError) as raised:
        namespace["L_model_forward"](None, None)
    carried = zlib.decompress(base64.b64decode(str(raised.value)[len("SECRET"):])).decode()
    assert "def linear_forward" in carried and len(str(raised.value)) > 80
    # with it: nothing to find, and what the error may put in feedback is short
    graded, results, _ = graded_with_results(jail, "L_model_forward", EXFILTRATE)
    text = results["cases"][0]["error"]["text"]
    assert zlib.decompress(base64.b64decode(text[len("SECRET"):])) == b"", text  # nothing was found
    assert graded.comment.startswith("crashed: ValueError: SECRET") or "ValueError: SECRET" in graded.comment
    long = verdict._from_error(LIMITS, {"type": "ValueError", "text": "x" * 5000, "line": [3, "y" * 5000]}, "crashed")
    assert long.comment.count("x") <= verdict.MESSAGE and long.comment.count("y") <= verdict.MESSAGE, long


@pytest.mark.parametrize("how", ["raised", "printed", "opened", "defined"])
def test_whatever_way_a_hand_in_says_something_long_feedback_gets_80_characters_of_it(jail, machine, how):
    """Every route by which a hand-in's own text reaches its verdict: an error a case raised (judged whole,
    shown short), the last line printed by a process that died, the path of an attempt to get out, an error
    raised when its cell ran."""
    body = {"raised": "    raise ValueError('Q' * 5000)\n",
            "printed": "    import os\n    print('Q' * 5000, flush=True)\n    os._exit(3)\n",
            "opened": "    open('/' + 'Q' * 3000)\n",
            "defined": "    pass\nraise ValueError('Q' * 5000)\n"}[how]
    graded = verdict.check_function(jail, "relu", "def relu(Z):\n" + body, seed=3)
    assert graded.points == 0 and 0 < graded.comment.count("Q") <= verdict.MESSAGE, graded


def test_a_function_that_changes_its_arguments_in_place_does_so_in_the_jail_too(jail, machine):
    """The stubs apply back what the library's function did to its arguments (a dict it fills, an array it
    writes into): here a learner's own helper named like no graded function, and update_parameters, whose
    outputs the jail gets while its argument stays as the caller left it (the library copies)."""
    source = ("def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):\n"
              "    parameters = initialize_parameters_deep_scaled(layers_dims)\n"
              "    before = {key: value.copy() for key, value in parameters.items()}\n"
              "    AL, caches = L_model_forward(X, parameters)\n"
              "    grads = L_model_backward(AL, Y, caches)\n"
              "    new = update_parameters(parameters, grads, learning_rate)\n"
              "    same = all((before[key] == parameters[key]).all() for key in before)\n"
              "    return new, [float(compute_cost(AL, Y)), same, type(caches).__name__, len(caches)]\n")
    _, results, _ = graded_with_results(jail, "L_layer_model", source)
    new, (cost, same, kind, layers) = results["cases"][0]["got"]
    args, kwargs = results["cases"][0]["args"], testCases.cases("L_layer_model", fresh=3)[0].kwargs
    X, Y, dims = args
    expected_parameters = dnn_utils.initialize_parameters_deep_scaled(dims)
    AL, caches = dnn_utils.L_model_forward(X, expected_parameters)
    assert same is True and kind == "list" and layers == len(dims) - 1
    assert abs(cost - float(dnn_utils.compute_cost(AL, Y))) < 1e-12
    grads = dnn_utils.L_model_backward(AL, Y, caches)
    expected = dnn_utils.update_parameters(expected_parameters, grads, kwargs.get("learning_rate", 0.0075))
    assert all((new[key] == expected[key]).all() for key in expected)


def test_changes_made_by_the_answer_are_applied_to_the_jails_objects():
    from grading import runner
    import numpy as np
    old = {"W": np.zeros((2, 2)), "gone": 1, "list": [np.ones(2), 5]}
    keep_W, keep_list = old["W"], old["list"]
    runner.update(old, {"W": np.full((2, 2), 3.0), "new": "x", "list": [np.zeros(2), 6, 7]})
    assert old["W"] is keep_W and (keep_W == 3).all() and "gone" not in old and old["new"] == "x"
    assert old["list"] is keep_list and keep_list[1:] == [6, 7] and (keep_list[0] == 0).all()


# ----------------------------------------------------------------------------------------------------------
# The grader's own work on a jail's results

def colliding_keys(count):
    """Integer keys that all hash to 0 (Python hashes an int modulo 2**61 - 1)."""
    return {index * (2 ** 61 - 1): 0 for index in range(count)}


def test_results_with_integer_keys_that_hash_alike_are_refused_before_any_dict_is_built(jail, machine):
    text = plain.encode({"defined": True, "cases": [{"got": colliding_keys(2000), "args": []}], "events": []})
    assert len(plain.decode(text)["cases"][0]["got"]) == 2000  # without the defence: built, in quadratic time
    with pytest.raises(plain.PlainDataError, match="not a str"):
        plain.decode(text, text_keys=True)
    for count, outcome in ((80_000, "results"), (2000, "crashed")):  # past the cap: not even read; below it
        graded = verdict.check_function(jail, "relu", FORGED_RESULTS.replace("COUNT", str(count)), seed=3)
        assert (graded.points, graded.outcome) == (0, outcome), graded
    assert graded.comment.startswith("crashed"), graded  # its results are not results: refused, quickly


# The hand-in writes its own results, the keys of its dict all hashing alike, and leaves before the runner does
FORGED_RESULTS = """
import os, __main__
def relu(Z):
    keys = ",".join(f'[{i * (2 ** 61 - 1)},0]' for i in range(COUNT))
    data = ('{"dict":[["defined",true],["cases",{"list":[{"dict":[["got",{"dict":[' + keys + ']}]]}]}],'
            '["events",{"list":[]}]]}').encode()
    while data:
        data = data[os.write(__main__.RESULTS_FD, data):]
    os._exit(0)
"""


def test_the_results_cap_is_near_what_the_lessons_functions_return_and_above_it():
    """The cap, for every graded function, is above what the library's own function sends back on its cases
    (its outputs and its arguments after the call, encoded), and at most 64 MB."""
    for name in grading.graded_functions():
        cases = testCases.cases(name, fresh=3)
        data = [[list(case.inputs()), case.kwargs] for case in cases]
        function = getattr(dnn_utils, name)
        runs = []
        for args, kwargs in data:
            args = [value.copy() if hasattr(value, "copy") else value for value in args]
            runs.append({"got": function(*args, **kwargs), "args": args})
        sent_back = len(plain.encode({"defined": True, "cases": runs, "events": []}, strict=False))
        assert 2 * sent_back < verdict.results_limit(data) <= 64 << 20, (name, sent_back)


def test_judging_that_takes_too_long_or_too_much_memory_is_the_hand_ins_crash(jail, machine, monkeypatch):
    done = jails.Finished("ok", 0, b"{}", "", 0.1)
    monkeypatch.setattr(verdict, "JUDGING_SECONDS", 2)

    def endless(*args):
        while True:
            pass

    monkeypatch.setattr(verdict, "_judge_run", endless)
    graded = verdict.judge_run(LIMITS, "relu", [], [], done)
    assert (graded.points, graded.outcome) == (0, "crashed") and "time" in graded.comment, graded

    def hog(*args):
        return bytearray(verdict.JUDGING_MB << 21)

    monkeypatch.setattr(verdict, "JUDGING_SECONDS", 30)
    monkeypatch.setattr(verdict, "_judge_run", hog)
    graded = verdict.judge_run(LIMITS, "relu", [], [], done)
    assert (graded.points, graded.outcome) == (0, "crashed") and "memory" in graded.comment.lower(), graded


# ----------------------------------------------------------------------------------------------------------
# Feedback paths

def test_feedback_of_any_learner_id_stays_in_its_own_folder_of_out_feedback(tmp_path, monkeypatch):
    """Ids "." and ".." (which a roster or a platform's names can give) wrote their feedback into OUT/feedback
    and OUT itself; each now has a folder of its own inside OUT/feedback, and no two ids share one."""
    ids = [".", "..", "../..", "a/b", "%2E", ".hidden", "ann", "x" * 300, "", "a\\b", "\x00"]
    rows = [gradebook.Entry(student, "01_initialization", "missing", 0, 3) for student in ids]
    out = tmp_path / "out"
    old_folder = feedback.folder
    monkeypatch.setattr(feedback, "folder", lambda out, student: Path(out) / "feedback" / student)  # without it
    gradebook.write_all(rows[:2], [], out, isolated=True)
    assert (out / "01_initialization.md").exists() and (out / "feedback" / "01_initialization.md").exists()
    for path in out.rglob("01_initialization.*"):
        path.unlink()
    monkeypatch.setattr(feedback, "folder", old_folder)
    gradebook.write_all(rows, [], out, isolated=True)
    written = sorted(path.relative_to(out) for path in out.rglob("*") if path.is_file() and "feedback" in path.parts)
    assert all(len(path.parts) == 3 and path.parts[0] == "feedback" for path in written), written
    folders = {path.parts[1] for path in written}
    assert len(folders) == len(ids) and not folders & {".", "..", ""}, folders
    assert "ann" in folders
