"""The student edition of the notebooks, and a grader for the notebooks learners hand in.

    python grading.py student [OUT]        the student edition, in build/student unless OUT is given
    python grading.py nbgrader [OUT]       the notebooks as an nbgrader source assignment (build/nbgrader)
    python grading.py grade NOTEBOOK       run a handed-in notebook and print its scorecard
                                           (options: --quick, --cell-timeout S, --timeout S, --executed PATH)

`make student` and `make grade NB=path/to/notebook.ipynb` run the first and the last.

The exercise markers are nbgrader's: each exercise cell holds its solution between `### BEGIN SOLUTION`
and `### END SOLUTION`, which the student edition replaces, as nbgrader does, by `# YOUR CODE HERE` and
`raise NotImplementedError()`, indented like the markers.

Grading a notebook
    The notebook runs in a fresh kernel, in a separate process, inside a temporary folder that holds a copy
    of what it needs (the modules, the data set): its working directory, its imports and its HOME are in that
    folder, so a notebook that deletes or writes files by relative path only changes the copies, and one that
    crashes, loops forever or fills the time limit does not stop the grader. Each cell has a time limit and
    so has the whole run; what did not run by then scores 0.
    Then each graded function is checked on its own: the code of its exercise cell (the cell that defines it)
    runs again in a fresh namespace that holds numpy as np and the library's functions (dnn_utils), in
    another process with a time limit, and testCases checks it and names the most likely mistake. A function
    is thus graded on its own code only: a mistake in one exercise costs the points of that exercise, not of
    the later ones that call it. Each graded function is worth one point.
    The temporary folder keeps relative paths away from the project; it is no sandbox against code that
    means harm (absolute paths, the network): grade such notebooks in a container or as a user who cannot
    write to the project.
"""
import argparse
import ast
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent
NOTEBOOKS = PROJECT / "notebooks"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
CORE_MODULES = ("testCases.py", "dnn_utils.py")  # the checks and the library they check against
DATA_FILES = ("datasets/train_drawncat.h5", "datasets/test_drawncat.h5", "datasets/make_drawncat.py")
ALLOWED_ERRORS_TAG = "raises-exception"  # Jupyter's tag: an error in this cell does not stop "Run All"
STUDENT_STAMP = ".student_edition"
CELL_TIMEOUT, TIMEOUT, FUNCTION_TIMEOUT = 300, 900, 60  # seconds
INTERRUPT_WAIT = 10  # seconds a kernel has to stop a cell once interrupted


# ----------------------------------------------------------------------------------------------------------
# Reading notebooks: exercise cells, check cells, which names a cell uses and defines

def read_notebook(path):
    import nbformat
    return nbformat.read(str(path), as_version=4)


def graded_functions():
    from testCases import FUNCTIONS
    return FUNCTIONS


def python_source(source):
    """A cell's code as plain Python (IPython's %magics and !commands turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(source)


def parse(source):
    """The syntax tree of a cell's code, or None when it does not parse."""
    try:
        return ast.parse(python_source(source))
    except SyntaxError:
        return None


def exercise_name(cell):
    """The graded function a code cell defines (its exercise cell), or None."""
    if cell.cell_type != "code":
        return None
    tree = parse(cell.source)
    if tree is not None:
        names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    else:  # a learner's syntax error: the cell is still the exercise it starts to define
        names = re.findall(r"^def\s+(\w+)\s*\(", cell.source, flags=re.MULTILINE)
    return next((name for name in reversed(names) if name in graded_functions()), None)


def checked_name(cell):
    """The graded function a check cell checks (`check_<name>(<name>)`), or None."""
    match = re.match(r"\s*check_(\w+)\(\s*\1\s*[,)]", cell.source) if cell.cell_type == "code" else None
    return match[1] if match and match[1] in graded_functions() else None


def imported_names(tree):
    """The top-level module names a syntax tree imports."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def project_modules(project=PROJECT):
    """The project's modules the lesson notebooks import, directly or through one another, and the core ones."""
    trees = [parse(cell.source) for path in sorted(Path(project, "notebooks").glob("[0-9][0-9]_*.ipynb"))
             for cell in read_notebook(path).cells if cell.cell_type == "code"]
    wanted = {module.removesuffix(".py") for module in CORE_MODULES}
    for tree in trees:
        wanted |= imported_names(tree) if tree else set()
    found, todo = set(), [name for name in wanted if Path(project, f"{name}.py").is_file()]
    while todo:
        name = todo.pop()
        found.add(name)
        imports = imported_names(ast.parse(Path(project, f"{name}.py").read_text()))
        todo += [other for other in imports - found if Path(project, f"{other}.py").is_file()]
    return tuple(sorted(f"{name}.py" for name in found if name != "grading"))


def strip_solutions(source):
    """The code with every marked solution replaced by the stub, indented like its BEGIN marker (as nbgrader's
    ClearSolutions does); a marker without its pair is an error."""
    lines, inside = [], False
    for line in source.split("\n"):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f"nested {BEGIN!r} in:\n{source}")
            inside = True
            lines += [line[:line.index(BEGIN)] + stub for stub in STUB]
        elif marker == END:
            if not inside:
                raise ValueError(f"{END!r} without {BEGIN!r} in:\n{source}")
            inside = False
        elif not inside:
            lines.append(line)
    if inside:
        raise ValueError(f"{BEGIN!r} without {END!r} in:\n{source}")
    return "\n".join(lines)


class _Names(ast.NodeVisitor):
    """The names a cell's top-level code reads and binds, and the names each function it defines reads."""

    def __init__(self, tree):
        self.reads, self.binds, self.functions = set(), set(), {}
        for node in tree.body:
            self.visit(node)

    def visit_FunctionDef(self, node):
        self.binds.add(node.name)
        self.functions[node.name] = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        for default in node.args.defaults + node.args.kw_defaults + node.decorator_list:
            if default is not None:
                self.visit(default)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Name(self, node):
        (self.reads if isinstance(node.ctx, ast.Load) else self.binds).add(node.id)

    def visit_alias(self, node):
        self.binds.add((node.asname or node.name).split(".")[0])


def cells_needing_exercises(nb):
    """The indices of the code cells (other than the exercise and check cells) that call, directly or through
    what earlier such cells define, a function written in an exercise of the notebook: they fail while it
    is not written."""
    unwritten = {name for name in map(exercise_name, nb.cells) if name}
    needing = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or exercise_name(cell) or checked_name(cell):
            continue
        tree = parse(cell.source)
        if tree is None:
            continue
        names = _Names(tree)
        unwritten |= {name for name, reads in names.functions.items() if reads & unwritten}
        if names.reads & unwritten:
            needing.append(index)
            unwritten |= names.binds
    return needing


# ----------------------------------------------------------------------------------------------------------
# The student edition

def student_notebook(nb):
    """A copy of a lesson notebook for learners: solutions replaced by the stub, outputs and execution counts
    cleared, and the cells that need an exercise tagged so that "Run All" goes on past them."""
    import copy
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source)
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
    allow_errors(nb, cells_needing_exercises(nb))
    return nb


def allow_errors(nb, indices):
    """Tag the cells `indices` of `nb` with Jupyter's raises-exception: "Run All" goes on past their errors."""
    for index in indices:
        tags = nb.cells[index].metadata.setdefault("tags", [])
        if ALLOWED_ERRORS_TAG not in tags:
            tags.append(ALLOWED_ERRORS_TAG)


STUDENT_README = """# Deep Neural Network, step by step: your notebooks

Build a deep neural network from scratch in numpy, one function at a time, and train it to tell cats from
other pictures. Work through the notebooks in order:

1. `01_initialization.ipynb`
2. `02_forward_propagation.ipynb`
3. `03_backward_propagation.ipynb`
4. `04_two_layer_model.ipynb`
5. `05_L_layer_model.ipynb`

## Setting up

With Python 3.11, in this folder:

    python -m venv .venv
    .venv/bin/python -m pip install -r requirements.txt
    .venv/bin/jupyter lab

## How the exercises work

Each exercise cell holds one function with `# YOUR CODE HERE` and `raise NotImplementedError()` where your
code goes: replace both with your code and run the cell. The cell after it checks your function and says
what is wrong, and when it can, the mistake you most likely made ("likely mistake: ..."). Until you write a
function its check says "not implemented yet", and the cells that need it stop with a one-line note; they
are tagged `raises-exception`, so "Run All" carries on past them to the next exercise.

The modules next to the notebooks are the ones they import ({modules}): `testCases.py` holds the
checks, and `dnn_utils.py` the building blocks that the later notebooks import once you have written them
yourself. The pictures are in `datasets/` (`python datasets/make_drawncat.py` draws them again if they are
missing).
"""


def build_student(out=PROJECT / "build" / "student"):
    """Write the student edition to `out`: the five notebooks and what they need to run on their own."""
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / STUDENT_STAMP).exists():
        raise SystemExit(f"{out} exists and is not a student edition: choose another folder")
    shutil.rmtree(out, ignore_errors=True)
    (out / "datasets").mkdir(parents=True)
    import nbformat
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        nbformat.write(student_notebook(read_notebook(path)), str(out / path.name))
    missing = copy_support_files(out, project_modules() + DATA_FILES + ("requirements.txt",))
    (out / "README.md").write_text(STUDENT_README.format(modules=", ".join(project_modules())))
    (out / STUDENT_STAMP).write_text("written by grading.py student; rewritten every time\n")
    print(f"wrote the student edition to {out}")
    for name in missing:
        print(f"  not copied, missing from the project: {name}", file=sys.stderr)
    return out


def copy_support_files(out, names, project=PROJECT):
    """Copy the project's files `names` (paths relative to it) into `out`; return those that do not exist."""
    missing = []
    for name in names:
        source = Path(project) / name
        if source.exists():
            (out / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, out / name)
        else:
            missing.append(name)
    return missing


# ----------------------------------------------------------------------------------------------------------
# nbgrader

NBGRADER_HELP = """The notebooks as an nbgrader source assignment: {out}

nbgrader recognises the solution markers only in cells marked as solution cells, so these copies carry
nbgrader's cell metadata: each exercise cell is an "Autograded answer" (solution, grade_id = the function's
name) and each check cell an "Autograder tests" cell worth 1 point (grade_id check_<name>), which calls the
checker with strict=True so that a failing check raises an error, the way nbgrader scores a test cell (the
check cells and the cells that call an exercise are tagged raises-exception, so that "Run All" goes on).
Copy the folder source/{assignment} into your nbgrader course's source/ folder, with the modules and datasets/
next to the notebooks (they are copied here), then run `nbgrader generate_assignment {assignment}`.
"""


def nbgrader_notebook(nb):
    """A copy of a lesson notebook carrying nbgrader's metadata (schema 3) on its exercise and check cells."""
    import copy
    nb = copy.deepcopy(nb)
    allow_errors(nb, cells_needing_exercises(nb) + [i for i, cell in enumerate(nb.cells) if checked_name(cell)])
    for cell in nb.cells:
        exercise, checked = exercise_name(cell), checked_name(cell)
        if exercise:
            cell.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "task": False,
                                         "grade_id": exercise, "schema_version": 3}
        elif checked:
            cell.source = re.sub(rf"check_{checked}\({checked}\)", f"check_{checked}({checked}, strict=True)",
                                 cell.source)
            cell.metadata["nbgrader"] = {"solution": False, "grade": True, "locked": True, "task": False,
                                         "points": 1, "grade_id": f"check_{checked}", "schema_version": 3}
    return nb


def build_nbgrader(out=PROJECT / "build" / "nbgrader", assignment="dnn_step_by_step"):
    """Write the lesson notebooks, with nbgrader's metadata, and what they need to out/source/<assignment>."""
    import nbformat
    folder = Path(out) / "source" / assignment
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        nbformat.write(nbgrader_notebook(read_notebook(path)), str(folder / path.name))
    copy_support_files(folder, project_modules() + DATA_FILES)
    print(NBGRADER_HELP.format(out=folder, assignment=assignment))
    return folder


# ----------------------------------------------------------------------------------------------------------
# Grading: the notebook runs in a temporary folder, in a process of its own

class Run:
    """What happened when a notebook ran: the cells that ran (index -> "ok", "error" or "timeout") and, when
    the run stopped early, why and at which cell."""

    def __init__(self, progress_file):
        self.cells, self.stopped, self.stopped_at, self.kernel_group, self.errors = {}, None, None, None, ""
        if Path(progress_file).exists():
            for line in Path(progress_file).read_text().splitlines():
                self.record(json.loads(line))

    def record(self, event):
        if "kernel_group" in event:
            self.kernel_group = event["kernel_group"]
        if "cell" in event:
            self.cells[event["cell"]] = event["status"]
        if "stopped" in event:
            self.stopped, self.stopped_at = event["stopped"], event.get("at")


def _log(progress, **event):
    progress.write(json.dumps(event) + "\n")
    progress.flush()


def execute(notebook, executed, progress_file, cell_timeout, timeout, quick):
    """Run `notebook` in a fresh kernel whose working directory is the current one, cell by cell, logging each
    cell's fate to `progress_file`; write the executed notebook to `executed`. (Run in its own process.)"""
    import nbformat
    from jupyter_core.utils import run_sync
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = read_notebook(notebook)
    wanted = quick_cells(nb) if quick else range(len(nb.cells))
    client = NotebookClient(nb, timeout=cell_timeout, allow_errors=True, kernel_name="python3",
                            shutdown_kernel="immediate", resources={"metadata": {"path": os.getcwd()}})
    replies = {}  # cell index -> the kernel's status for it ("ok" or "error", even when no traceback is shown)
    client.on_cell_executed = lambda cell, cell_index, execute_reply: replies.update(
        {cell_index: (execute_reply or {}).get("content", {}).get("status")})
    deadline = time.monotonic() + timeout
    with open(progress_file, "a") as progress, client.setup_kernel():
        _log(progress, kernel_group=getattr(client.km.provisioner, "pgid", None))
        for index in wanted:
            cell = nb.cells[index]
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                _log(progress, stopped="the time limit of the whole run", at=index)
                break
            # rounded up: a cell cut short by the whole run's limit ends at or after the deadline, so the run
            # stops at the next cell instead of going on in the second that rounding down would leave
            client.timeout = math.ceil(min(cell_timeout, left))
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                _log(progress, cell=index, status="timeout")
                run_sync(client.km.interrupt_kernel)()
                if not _responds(client, cell, INTERRUPT_WAIT):
                    _log(progress, stopped="a cell ran out of time and went on after it was interrupted", at=index)
                    break
                continue
            except DeadKernelError:
                _log(progress, stopped="the kernel died: the notebook crashed it", at=index)
                break
            _log(progress, cell=index, status="ok" if replies.get(index) == "ok" else "error")
    nbformat.write(nb, str(executed))


def _responds(client, cell, seconds):
    """Whether the kernel answers within `seconds` (it does not while `cell` is still running)."""
    from jupyter_core.utils import ensure_async, run_sync
    from nbclient.exceptions import CellTimeoutError
    client.timeout = seconds
    try:
        return client.wait_for_reply(run_sync(ensure_async)(client.kc.kernel_info()), cell) is not None
    except CellTimeoutError:
        return False


def quick_cells(nb):
    """The cells a quick run executes: those before the first exercise (the setup), the exercises and their
    checks; the demonstrations and the training are left out."""
    exercises = [index for index, cell in enumerate(nb.cells) if exercise_name(cell)]
    first = exercises[0] if exercises else len(nb.cells)
    return [index for index, cell in enumerate(nb.cells)
            if index < first or exercise_name(cell) or checked_name(cell)]


class Sandbox:
    """A temporary folder for one grading: lib/ holds pristine copies of the modules for the grader's own
    processes, work/ the notebook's copy of everything it needs (its working directory and import path)."""

    def __init__(self, project=PROJECT):
        self.root = Path(tempfile.mkdtemp(prefix="dnn_grading_"))
        self.lib, self.work, self.home = self.root / "lib", self.root / "work", self.root / "home"
        for folder in (self.lib, self.work, self.home):
            folder.mkdir()
        modules = project_modules(project)
        copy_support_files(self.lib, modules + ("grading.py",), project)
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
        """Run `python lib/grading.py *args` in work/, in a process group of its own, killed (with whatever it
        started in that group) after `timeout` seconds. Returns the exit code, or None when it was killed."""
        with open(self.stderr, "wb") as stderr:  # a file, not a pipe: a kernel left behind cannot hold it
            process = subprocess.Popen([sys.executable, str(self.lib / "grading.py"), *map(str, args)],
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


# ----------------------------------------------------------------------------------------------------------
# Command line

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{student,nbgrader,grade}")
    student = commands.add_parser("student", help="write the student edition")
    student.add_argument("out", nargs="?", default=PROJECT / "build" / "student")
    nbgrader = commands.add_parser("nbgrader", help="write the notebooks as an nbgrader source assignment")
    nbgrader.add_argument("out", nargs="?", default=PROJECT / "build" / "nbgrader")
    grader = commands.add_parser("grade", help="grade a handed-in notebook")
    grader.add_argument("notebook")
    grader.add_argument("--quick", action="store_true",
                        help="run only the setup, exercise and check cells (no demonstrations, no training)")
    grader.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT, help="seconds per cell")
    grader.add_argument("--timeout", type=int, default=TIMEOUT, help="seconds for the whole notebook")
    grader.add_argument("--executed", help="save the executed notebook here")
    run = commands.add_parser("_execute")  # the grader's own processes
    run.add_argument("args", nargs=6)
    check = commands.add_parser("_check")
    check.add_argument("args", nargs=3)
    options = parser.parse_args(argv)
    if options.command == "student":
        build_student(options.out)
    elif options.command == "nbgrader":
        build_nbgrader(options.out)
    elif options.command == "grade":
        try:
            read_notebook(options.notebook)
        except Exception as error:
            print(f"cannot read {options.notebook} as a notebook: {error}", file=sys.stderr)
            return 2
        card = grade(options.notebook, options.quick, options.cell_timeout, options.timeout,
                     executed=options.executed)
        print(card.text())
        return 0 if card.score == card.total else 1
    elif options.command == "_execute":
        notebook, executed, progress, cell_timeout, timeout, quick = options.args
        execute(notebook, executed, progress, int(cell_timeout), int(timeout), quick == "1")
    else:
        exercises, results, function_timeout = options.args
        check_exercises(exercises, results, int(function_timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())
