"""Grading a handed-in notebook: each graded function checked on its own code, and the scorecard."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from .notebooks import PROJECT, NOTEBOOKS, DATA_FILES, read_notebook, exercise_name, checked_name, \
    project_modules, python_source, graded_functions
from .execute import Run
from .student import copy_support_files

CELL_TIMEOUT, TIMEOUT, FUNCTION_TIMEOUT = 300, 900, 60  # seconds


class Sandbox:
    """A temporary folder for one grading: lib/ holds pristine copies of the modules for the grader's own
    processes, work/ the notebook's copy of everything it needs (its working directory and import path)."""

    def __init__(self, project=PROJECT):
        self.root = Path(tempfile.mkdtemp(prefix="dnn_grading_"))
        self.lib, self.work, self.home = self.root / "lib", self.root / "work", self.root / "home"
        for folder in (self.lib, self.work, self.home):
            folder.mkdir()
        modules = project_modules(project)
        copy_support_files(self.lib, modules, project)
        shutil.copytree(Path(__file__).resolve().parent, self.lib / "grading",
                        ignore=shutil.ignore_patterns("__pycache__"))
        copy_support_files(self.work, modules + DATA_FILES, project)
        (self.work / "datasets").mkdir(exist_ok=True)
        self.stderr = self.root / "stderr"

    def environment(self):
        env = dict(os.environ, HOME=str(self.home), PYTHONPATH=str(self.work), MPLBACKEND="Agg",
                   JUPYTER_RUNTIME_DIR=str(self.home / "runtime"), IPYTHONDIR=str(self.home / "ipython"),
                   PYTHONDONTWRITEBYTECODE="1")
        env.pop("PYTHONSTARTUP", None)
        if "MPLCONFIGDIR" not in os.environ:  # keep matplotlib's font cache, rebuilt otherwise
            env["MPLCONFIGDIR"] = _matplotlib_config_dir()
        return env

    def run(self, args, timeout):
        """Run `python -m grading *args` from lib/ in work/, in a process group of its own, killed (with whatever it
        started in that group) after `timeout` seconds. Returns the exit code, or None when it was killed."""
        with open(self.stderr, "wb") as stderr:  # a file, not a pipe: a kernel left behind cannot hold it
            command = ("import sys; sys.path.insert(0, sys.argv.pop(1)); from grading.__main__ import main; "
                       "sys.exit(main(sys.argv[1:]))")
            process = subprocess.Popen([sys.executable, "-c", command, str(self.lib), *map(str, args)],
                                       cwd=self.work, env=self.environment(), start_new_session=True,
                                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
            try:
                return process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return None
            finally:
                _kill_group(process.pid)
                process.wait()

    def remove(self):
        shutil.rmtree(self.root, ignore_errors=True)


def _matplotlib_config_dir():
    try:
        import matplotlib
        return matplotlib.get_configdir()
    except ImportError:
        return tempfile.gettempdir()


def _kill_group(group):
    if group:
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass



# ----------------------------------------------------------------------------------------------------------
# Grading: each graded function checked on its own code

def check_exercises(exercises_file, results_file, function_timeout):
    """Check each exercise of `exercises_file` ([{"name", "source"}]): define it from its code in a fresh
    namespace and run testCases on it, appending one JSON line per function to `results_file`. (Run in its
    own process: an exercise that kills it loses its own point only, and the others are checked again.)"""
    import testCases

    def out_of_time(signum, frame):
        raise _OutOfTime()

    signal.signal(signal.SIGALRM, out_of_time)
    with open(results_file, "a") as results:
        for exercise in json.loads(Path(exercises_file).read_text()):
            signal.alarm(function_timeout)
            try:
                result = _check_one(testCases, exercise["name"], exercise["source"])
            except _OutOfTime:
                result = {"comment": f"timed out: still running after {function_timeout} s"}
            finally:
                signal.alarm(0)
            results.write(json.dumps({"name": exercise["name"], **result}) + "\n")
            results.flush()


class _OutOfTime(BaseException):
    """The time limit of one function's checks (a BaseException, so that `except Exception` cannot hide it)."""


def _check_one(testCases, name, source):
    """Define `name` from its exercise's code and check it: {"points": 0 or 1, "comment": ...}."""
    try:
        fn = define(name, source)
    except Exception as error:
        return {"comment": f"its cell does not run: {type(error).__name__}: {error}"}
    if not callable(fn):
        return {"comment": f"its cell does not define a function {name}"}
    try:
        found, mistake = testCases.examine(name, fn)
    except (Exception, SystemExit) as error:
        return {"comment": f"the checks could not run it: {type(error).__name__}: {error}"}
    if not found:
        return {"points": 1, "comment": "ok"}
    if found[0].startswith("not implemented yet"):
        return {"comment": "not implemented"}
    if mistake:
        return {"comment": f"{mistake.id}: {mistake.explanation}", "mistake": mistake.id}
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return {"comment": f"wrong: {found[0]}{more}"}


def define(name, source):
    """Run an exercise cell's code in a fresh namespace holding numpy as np and the library's functions, and
    return what it defines as `name` (None when it does not)."""
    import linecache
    import numpy as np
    import dnn_utils
    code = python_source(source)
    filename = f"<exercise {name}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    namespace = {"np": np, "__name__": "__exercise__",
                 **{key: value for key, value in vars(dnn_utils).items() if callable(value) and key[0] != "_"}}
    namespace.pop(name, None)
    exec(compile(code, filename, "exec"), namespace)
    return namespace.get(name)


# ----------------------------------------------------------------------------------------------------------
# Grading: the whole of it, and the scorecard

class Scorecard:
    """The grade of one notebook: one line per graded function (name, points, comment) and the run's story."""

    def __init__(self, notebook, lines, notes):
        self.notebook, self.lines, self.notes = notebook, lines, notes

    @property
    def score(self):
        return sum(points for _, points, _ in self.lines)

    @property
    def total(self):
        return len(self.lines)

    def comment(self, name):
        return next(comment for line_name, _, comment in self.lines if line_name == name)

    def points(self, name):
        return next(points for line_name, points, _ in self.lines if line_name == name)

    def text(self):
        width = max([len(name) for name, _, _ in self.lines] + [10])
        rows = [f"{self.notebook}"] + [f"  {note}" for note in self.notes]
        rows += [f"{name:<{width}}  {points}/1  {comment}" for name, points, comment in self.lines]
        return "\n".join(rows + [f"score: {self.score}/{self.total}"])


def expected_exercises(nb, path):
    """The graded functions a notebook should hold: those its cells define or check, and those of the
    project's notebook of the same name (so that a deleted exercise still counts)."""
    names = [exercise_name(cell) or checked_name(cell) for cell in nb.cells]
    lesson = NOTEBOOKS / Path(path).name
    if lesson.exists() and lesson.resolve() != Path(path).resolve():
        names += [exercise_name(cell) for cell in read_notebook(lesson).cells]
    return list(dict.fromkeys(name for name in names if name))


def grade(path, quick=False, cell_timeout=CELL_TIMEOUT, timeout=TIMEOUT, function_timeout=FUNCTION_TIMEOUT,
          executed=None, project=PROJECT):
    """Run the notebook at `path` in a sandbox and check each of its graded functions; return its Scorecard.
    `quick` runs only the setup, exercise and check cells; `executed` is where to save the executed notebook."""
    path = Path(path)
    nb = read_notebook(path)
    sandbox = Sandbox(project)
    try:
        shutil.copy2(path, sandbox.work / path.name)
        code = sandbox.run(["_execute", path.name, sandbox.root / "executed.ipynb", sandbox.root / "progress",
                            cell_timeout, timeout, int(quick)], timeout + 60)
        run = Run(sandbox.root / "progress")
        run.errors = sandbox.stderr.read_text(errors="replace").strip()
        _kill_group(run.kernel_group)
        if code is None and not run.stopped:
            run.stopped = "the grader's time limit (the notebook's process had to be killed)"
        if executed and (sandbox.root / "executed.ipynb").exists():
            shutil.copy2(sandbox.root / "executed.ipynb", executed)
        results = _check_all(sandbox, nb, run, function_timeout)
        lines = [(name, *results[name]) for name in expected_exercises(nb, path)]
        return Scorecard(path, lines, _notes(nb, run, code))
    finally:
        sandbox.remove()


def _notes(nb, run, code):
    """What the scorecard says about the run itself."""
    code_cells = sum(1 for cell in nb.cells if cell.cell_type == "code" and cell.source.strip())
    notes = [f"ran {len(run.cells)} of {code_cells} code cells"
             + (f" ({sum(status != 'ok' for status in run.cells.values())} with an error or out of time)"
                if any(status != "ok" for status in run.cells.values()) else "")]
    if run.stopped:
        notes.append(f"stopped at cell {run.stopped_at}: {run.stopped}" if run.stopped_at is not None
                     else f"stopped: {run.stopped}")
    elif code not in (0, None):
        notes.append(f"the notebook's process failed: {run.errors[-600:]}")
    return notes


def _why_not(run, index):
    if run.cells.get(index) == "timeout":
        return "its cell ran out of time (the kernel was still busy, or the cell itself is too slow)"
    if run.stopped:
        return f"the run stopped before it ({run.stopped})"
    return "its cell was not executed"


def _exercise_cells(nb, run):
    """({name: the code of its last exercise cell that ran}, {name: why its exercise cell did not run})."""
    ran, not_run = {}, {}
    for index, cell in enumerate(nb.cells):
        name = exercise_name(cell)
        if name and run.cells.get(index) in ("ok", "error"):  # it ran (an error after the def does not matter)
            ran[name] = cell.source
        elif name:
            not_run.setdefault(name, _why_not(run, index))
    return ran, {name: why for name, why in not_run.items() if name not in ran}


def _check_all(sandbox, nb, run, function_timeout):
    """{name: (points, comment)} for every graded function."""
    ran, not_run = _exercise_cells(nb, run)
    results = {name: (0, "missing: no cell defines it") for name in graded_functions()}
    results.update({name: (0, f"did not run: {why}") for name, why in not_run.items()})
    todo = [{"name": name, "source": source} for name, source in ran.items()]
    while todo:  # each round checks what is left; a function that kills the process loses its point only
        exercises, answers = sandbox.root / "exercises.json", sandbox.root / "results"
        exercises.write_text(json.dumps(todo))
        answers.unlink(missing_ok=True)
        code = sandbox.run(["_check", exercises, answers, function_timeout], function_timeout * len(todo) + 60)
        done = [json.loads(line) for line in answers.read_text().splitlines()] if answers.exists() else []
        results.update({result["name"]: (result.get("points", 0), result["comment"]) for result in done})
        todo = todo[len(done):]
        if todo:
            results[todo[0]["name"]] = (0, "hung the grader's process while being checked" if code is None else
                                        f"crashed the grader's process while being checked (exit status {code})")
            todo = todo[1:]
    return results


