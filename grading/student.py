"""The student edition of the lesson notebooks, and the same notebooks as an nbgrader source assignment."""
import ast
import json
import re
import shutil
import sys
from pathlib import Path

from .autograde import NBGRADER_AUTOGRADE
from .notebooks import (NOTEBOOKS, PROJECT, DATA_FILES, ALLOWED_ERRORS_TAG, read_notebook, strip_solutions,
                        cells_needing_exercises, package_files, exercise_name, checked_name,
                        library_imports)

STUDENT_STAMP = ".student_edition"


def student_notebook(nb, stored=None):
    """A copy of a lesson notebook for learners: solutions replaced by the stub, outputs and execution counts
    cleared, the lesson's expected values in Markdown after each check cell (from `stored`, the checks'
    data: see expected_values), and the cells that need an exercise, of this notebook or of another one,
    tagged so that "Run All" goes on past them."""
    import copy
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source)
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
    # the graded functions it imports from dnn_utils are, in the student edition, the learner's own: not written
    # until their notebook's checks pass
    allow_errors(nb, cells_needing_exercises(nb, also=set(library_imports(nb))))
    if stored is not None:
        add_expected_values(nb, stored)
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

With Python 3.11, in this folder, set up once (a folder `.venv` with numpy, matplotlib, h5py, JupyterLab and
what they need, about 450 MB; a few minutes; its last step turns off JupyterLab's news pop-up):

    python3 -m venv .venv && .venv/bin/python -m pip install -r requirements.txt && .venv/bin/jupyter labextension disable --level=sys_prefix @jupyterlab/apputils-extension:announcements

then, each time, start JupyterLab (it opens in your browser; stop it with Ctrl-C in this terminal):

    .venv/bin/jupyter lab

## How the exercises work

Each exercise cell holds one function with `# YOUR CODE HERE` and `raise NotImplementedError()` where your
code goes: replace both with your code and run the cell. The cell after it checks your function and says
what is wrong, and when it can, the mistake you most likely made ("likely mistake: ..."); `hint("name")`
gives a hint, one more each time you ask (the idea, the formula, the shapes). Below each check, "Expected
output" shows what a right function gives on the lesson's inputs. Until you write a function its check
says "not implemented yet", and the cells that need it stop with a one-line note; they are tagged
`raises-exception`, so "Run All" carries on past them to the next exercise.

When a function passes its check, the check keeps it in `your_functions.py`: the later notebooks build on
your own functions (they import them from `dnn_utils`), and a notebook that needs one you have not written
yet says which function and which notebook to write it in. Change your functions in the notebooks, not in
`your_functions.py`, which each passing check rewrites.

## How your notebooks are graded

Each exercise is graded on its own: the function its cell defines is run, away from the rest of the notebook,
on the lesson's inputs and on new ones drawn at grading time, and compared with the course's own results.

- **Which definition counts.** The one your check ran on: the last cell defining the function before the
  last cell that checks it (`check_relu(relu)`). A cell further down that defines it again (a scratch cell, a
  variant from a video) does not replace it; to hand in a new version, run its check again after it. With no
  check cell, the last cell that defines the function counts.
- **Your helpers come with it.** Functions you define at top level in earlier cells and that your function
  calls (directly or through each other) are graded with it, as they stood when the exercise cell ran, with
  the imports they need. A helper must not have the name of a graded function: those are graded on their own.
- **The course's functions it builds on.** A function may call the graded functions its notebook gives you
  where you write it (what the notebook imports and the exercises before it: `L_model_forward` calls
  `linear_activation_forward`, `sigmoid_backward` may call `sigmoid`, ...); when it is graded, their calls are
  answered with the course's results. Never itself, a function that calls it, or one that gives its outputs
  another way: calling one of those from it fails (`NameError`), and the feedback says why.
- **Importing the library's solutions scores 0** for that function: `dnn_utils`, `testCases` or
  `companion.solutions`, in the exercise or in a helper it uses.

Next to the notebooks: `testCases.py` holds the checks, `dnn_utils.py` loads the data and hands out your
functions, `datasets/` holds the pictures (`python datasets/make_drawncat.py` draws them again if they are
missing), and `companion/` the machinery behind the checks (their expected values are in
`companion/feedback/checks_data.json`), the pictures and the widgets.
"""


STUDENT_REQUIREMENTS = Path(__file__).resolve().parent / "student_requirements.txt"  # the edition's requirements.txt
SOLUTIONS = "solutions"  # the package's sub-package built on the reference solutions: never in the student edition
GENERATED = ("testCases.py", "dnn_utils.py")  # written for the student edition from the project's own
DATA_FILE = "companion/feedback/checks_data.json"  # what the student edition's checks judge from


def student_modules(project=PROJECT):
    """The modules copied as they are into the student edition: the companion's package, less its solutions."""
    return package_files(project, without=(SOLUTIONS,))


def build_student(out=PROJECT / "build" / "student"):
    """Write the student edition to `out`: the five notebooks and what they need to run on their own, with no
    solution of a graded function in any file."""
    import nbformat
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not (out / STUDENT_STAMP).exists():
        raise SystemExit(f"{out} exists and is not a student edition: choose another folder")
    shutil.rmtree(out, ignore_errors=True)
    (out / "datasets").mkdir(parents=True)
    stored = checks_data()
    for path in lesson_notebooks():
        nbformat.write(student_notebook(read_notebook(path), stored), str(out / path.name))
    missing = copy_support_files(out, student_modules() + DATA_FILES)
    shutil.copy2(STUDENT_REQUIREMENTS, out / "requirements.txt")
    (out / DATA_FILE).write_text(json.dumps(stored, separators=(",", ":")))
    (out / "testCases.py").write_text(student_testcases())
    (out / "dnn_utils.py").write_text(student_library())
    (out / "README.md").write_text(STUDENT_README)
    (out / STUDENT_STAMP).write_text("written by python -m grading student; rewritten every time\n")
    print(f"wrote the student edition to {out}")
    for name in missing:
        print(f"  not copied, missing from the project: {name}", file=sys.stderr)
    return out


def lesson_notebooks():
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def checks_data():
    """What the student edition's checks judge from (see companion/feedback/stored.py): {"functions": the fixed cases
    and the mistakes' rules of every graded function (testCases.stored_checks), "notebooks": {function:
    the notebook of its exercise}}."""
    import testCases
    where = {}
    for path in lesson_notebooks():
        for cell in read_notebook(path).cells:
            name = exercise_name(cell)
            if name:
                where.setdefault(name, path.name)
    return {"functions": testCases.stored_checks(), "notebooks": {name: where.get(name, "its notebook")
                                                                 for name in testCases.FUNCTIONS}}


# ----------------------------------------------------------------------------------------------------------
# The modules written for the student edition

TESTCASES_HEADER = '''"""The lesson's inputs, and the checks of every exercise (the student edition's testCases).

check_<name>(fn) runs your function on fixed cases and compares its outputs with the expected ones, stored
in checks_data.json; it says what is wrong and the mistake you most likely made, and hint(name) gives hints.
A function that passes its check is kept in your_functions.py for the later notebooks.
Written by `python -m grading student` from the project's testCases.py.
"""
import numpy as np

from companion.feedback.stored import *  # check_<name>, hint, examine, gradient_check, ...


'''

LIBRARY_HEADER = '''"""A deep neural network, step by step, in numpy: the course's data and helpers (the student edition).

The graded functions (sigmoid, linear_forward, ..., L_layer_model, predict) are yours: `from dnn_utils import
linear_forward` gives the linear_forward you wrote in notebook 02, as kept in your_functions.py when it
passed its check (see companion/kept.py); until then, calling it stops with one line saying where to write it.
Written by `python -m grading student` from the project's dnn_utils.py, without its graded functions.
"""
'''


def _top_level(path):
    """(source text, top-level nodes of its syntax tree) of the Python file `path`."""
    text = Path(path).read_text()
    return text, ast.parse(text).body


def _node_lines(node):
    """The 1-based (first, last) lines of a top-level node, its decorators included."""
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    return first, node.end_lineno


def student_testcases(project=PROJECT):
    """The student edition's testCases.py: the lesson's inputs and published outputs, copied from the
    project's testCases.py (from the first *_test_case function to EXPECTED), and the checks from data."""
    text, nodes = _top_level(Path(project) / "testCases.py")
    named = [node for node in nodes if isinstance(node, ast.FunctionDef) and node.name.endswith("_test_case")]
    expected = [node for node in nodes if isinstance(node, ast.Assign)
                and any(getattr(target, "id", None) == "EXPECTED" for target in node.targets)]
    if not named or not expected:
        raise ValueError(f"{project}/testCases.py: expected *_test_case functions and EXPECTED, found "
                         f"{len(named)} and {len(expected)}")
    lines = text.splitlines()
    first, last = _node_lines(named[0])[0], expected[-1].end_lineno
    return TESTCASES_HEADER + "\n".join(lines[first - 1:last]) + "\n"


def student_library(project=PROJECT):
    """The student edition's dnn_utils.py: the project's, less the graded functions and what builds on them,
    whose names hand out the learner's own functions instead (companion.kept.module_getattr)."""
    from .notebooks import graded_functions
    text, nodes = _top_level(Path(project) / "dnn_utils.py")
    dropped = [node for node in nodes if isinstance(node, ast.FunctionDef) and node.name in graded_functions()]
    lines = text.splitlines()
    keep = [True] * len(lines)
    for node in dropped + [nodes[0]]:  # nodes[0]: the module's docstring, replaced
        first, last = _node_lines(node)
        keep[first - 1:last] = [False] * (last - first + 1)
    kept = _without_unused_imports(_without_empty_sections("\n".join(line for line, wanted in zip(lines, keep)
                                                                      if wanted)))
    return (LIBRARY_HEADER + kept + "\n\n\n# " + "-" * 106 + "\n# The graded functions: yours\n\n"
            "from companion.kept import module_getattr as __getattr__  # noqa: E402\n")


def _without_unused_imports(text):
    """`text` (Python) less its top-level imports of names that nothing in it uses any more."""
    tree = ast.parse(text)
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    lines = text.split("\n")
    for node in reversed(tree.body):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound = {(alias.asname or alias.name).split(".")[0] for alias in node.names}
            if not bound & used:
                del lines[node.lineno - 1:node.end_lineno]
    return "\n".join(lines)


def _without_empty_sections(text, rule="# " + "-" * 106):
    """`text` less its sections (a `rule` line, a title, code) that hold no code any more."""
    sections = text.split(rule + "\n")
    kept = [sections[0]] + [section for section in sections[1:] if section.split("\n", 1)[-1].strip()]
    return re.sub(r"\n{4,}", "\n\n\n", (rule + "\n").join(kept)).strip("\n")


# ----------------------------------------------------------------------------------------------------------
# The lesson's expected values next to each check

# The outputs the lesson's cell after a check prints, where it prints only some of them
PRINTED = {"L_model_backward": {"grads": ("dW1", "db1", "dA1")}}


def expected_values(name, stored):
    """Markdown showing what a right `name` gives on the lesson's inputs (or on the first case when the
    lesson publishes none), as the course's "Expected output" blocks do, from the checks' own data: each
    value once, and only those the lesson's cell prints (PRINTED)."""
    from companion.feedback.verdict import LESSON, decode
    cases = stored["functions"][name]["cases"]
    shown = [case for case in cases if case["label"].startswith(LESSON)] or cases[:1]
    parts = [f"**Expected output** of `check_{name}({name})`: `{name}: "
             f"{'all %d checks passed.' % len(cases) if len(cases) > 1 else 'the check passed.'}`"]
    blocks = {}
    for case in shown:
        values = decode(case["expected"])
        values = (values,) if len(case["names"]) == 1 else values
        lines = [_shown(output, _printed(name, output, value)) for output, value in zip(case["names"], values)
                 if output and output not in ("cache", "caches")]
        blocks.setdefault("\n".join(lines), case["label"])
    for lines, label in blocks.items():
        parts.append(f"On {label}, a right {name} gives:\n\n```\n" + lines + "\n```")
    return "\n\n".join(parts)


def _printed(name, output, value):
    """The part of an output the lesson's cell prints (a dict's printed keys, in the order printed)."""
    keys = PRINTED.get(name, {}).get(output)
    return {key: value[key] for key in keys} if keys else value


def _shown(output, value):
    """One output as the lesson prints it: arrays with 8 digits, long ones shortened, dicts key by key."""
    import numpy as np
    if isinstance(value, dict):
        return "\n".join(_shown(f"{output}[{key!r}]", item) for key, item in value.items())
    if isinstance(value, list):
        value = np.array([float(item) for item in value])
    text = np.array2string(np.asarray(value), precision=8, threshold=20, edgeitems=3)
    return f"{output} =" + ("\n" if "\n" in text else " ") + text


def add_expected_values(nb, stored):
    """Insert after each check cell of `nb` a Markdown cell with its expected values (see expected_values)."""
    import nbformat
    for index in reversed(range(len(nb.cells))):
        name = checked_name(nb.cells[index])
        if name:
            cell = nbformat.v4.new_markdown_cell(expected_values(name, stored))
            cell.metadata["expected_values"] = name
            nb.cells.insert(index + 1, cell)


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

NBGRADER_HELP = """The notebooks as nbgrader source assignments, one per lesson: {out}/<lesson>

Each lesson is an assignment of its own, with its own due date and nbgrader's own submission time: copy the
folders of source/ into your nbgrader course's source/ folder, then run `nbgrader generate_assignment <lesson>`
for each (01_initialization, 02_forward_propagation, ...).
nbgrader recognises the solution markers only in cells marked as solution cells, so these copies carry
nbgrader's cell metadata: each exercise cell is an "Autograded answer" (solution, grade_id = the function's
name) and each check cell an "Autograder tests" cell worth 1 point (grade_id check_<name>), which calls the
checker with strict=True so that a failing check raises an error, the way nbgrader scores a test cell (the
check cells and the cells that call an exercise are tagged raises-exception, so that "Run All" goes on).
Next to each notebook are the student edition's modules and data (as `python -m grading student` writes
them): nbgrader releases every file of the folder, so none holds a solution; the graded functions a notebook
imports from dnn_utils are the learner's own, kept in the your_functions.py of their folder. A notebook that
builds on earlier lessons opens with a read-only cell (grade_id carry_your_functions) that keeps, in this
folder's your_functions.py, the functions the learner's checks kept in the folders of those lessons, which
nbgrader fetches beside this one: the learner's own functions reach the later lessons, and are handed in (and
autograded) with them. nbgrader leaves out of what it copies any folder named feedback,
companion/feedback/ (the checks) among them.

`nbgrader autograde` must not run these notebooks as nbgrader does by default: it runs a notebook in one kernel
and scores each check cell by its output, and the checks there can only use the fixed cases the learners have
(a hand-in that returns each case's expected value scores full marks); nbgrader's hidden tests would put the
code that draws and checks fresh cases into the learner's kernel, where the learner's code, run first, can
read it or replace it. So autograde hands each submitted notebook to the jailed grader instead
(grading.autograde: each graded function checked in a jail on fresh cases drawn then, as grade-class does; no
kernel is started), and nbgrader saves the points, late penalties and feedback as usual. Run nbgrader from the
project's environment (where `import grading` works).

Put these lines in your course's nbgrader_config.py (written here when there was none):

    {ignore}
    {autograde}
"""
CARRY = """# Your functions from the earlier lessons: {lessons}.
# Each lesson is an assignment of its own, fetched into a folder beside this one. The functions your checks
# kept there are kept here too, so that this notebook (and its grading) uses your own. Run it first; once they
# are here it changes nothing.
import importlib.util
import pathlib
from companion import kept
for _lesson, _names in {needed!r}.items():
    _there = pathlib.Path("..", _lesson, "your_functions.py")
    if _there.is_file() and _there.resolve() != kept.LEARNED.resolve():
        _spec = importlib.util.spec_from_file_location(f"kept_{{_lesson}}", _there)
        _module = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_module)
        for _name in _names:
            _fn = getattr(_module, _name, None)
            if callable(_fn) and not getattr(_fn, "not_written", False) and \\
                    getattr(kept.learned(_name), "not_written", False):
                kept.keep(_name, _fn)"""
# nbgrader's default CourseDirectory.ignore, less "feedback" (the name of the package that holds the checks)
NBGRADER_IGNORE = 'c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__"]'


def nbgrader_notebook(nb):
    """A copy of a lesson notebook carrying nbgrader's metadata (schema 3) on its exercise and check cells."""
    import copy
    nb = copy.deepcopy(nb)
    allow_errors(nb, cells_needing_exercises(nb, also=set(library_imports(nb))) +
                 [i for i, cell in enumerate(nb.cells) if checked_name(cell)])
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


def carry_cell(nb):
    """The read-only first code cell of a lesson's nbgrader notebook that keeps, here, the learner's functions of
    the earlier lessons it imports (from those lessons' folders), or None when it imports none."""
    import nbformat
    imported = set(library_imports(nb).values())
    needed = {path.stem: [name for name in map(exercise_name, read_notebook(path).cells) if name in imported]
              for path in lesson_notebooks()}
    needed = {lesson: names for lesson, names in needed.items() if names}
    if not needed:
        return None
    cell = nbformat.v4.new_code_cell(CARRY.format(lessons=", ".join(needed), needed=needed))
    cell.metadata["nbgrader"] = {"solution": False, "grade": False, "locked": True, "task": False,
                                 "grade_id": "carry_your_functions", "schema_version": 3}
    return cell


def build_nbgrader(out=PROJECT / "build" / "nbgrader"):
    """Write each lesson notebook, with nbgrader's metadata, to out/source/<lesson>/, next to the student
    edition's modules and data: nbgrader releases every file of a source folder to the learners, so none of
    them holds a solution (its dnn_utils hands out the learner's own functions, its checks judge from data).
    Returns out/source."""
    import contextlib
    import io
    import tempfile
    import nbformat
    source = Path(out) / "source"
    with tempfile.TemporaryDirectory(prefix="dnn_nbgrader_") as scratch:
        with contextlib.redirect_stdout(io.StringIO()):
            edition = build_student(Path(scratch) / "student")
        for path in lesson_notebooks():
            folder = source / path.stem
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(edition, folder, ignore=shutil.ignore_patterns("*.ipynb", STUDENT_STAMP, "__pycache__"))
            nb = nbgrader_notebook(read_notebook(path))
            carry = carry_cell(nb)
            if carry is not None:
                first = next(index for index, cell in enumerate(nb.cells) if cell.cell_type == "code")
                nb.cells.insert(first, carry)
            nbformat.write(nb, str(folder / path.name))
    config = Path(out) / "nbgrader_config.py"
    if not config.exists():
        config.write_text(f"c = get_config()\n{NBGRADER_IGNORE}\n{NBGRADER_AUTOGRADE}\n")
    print(NBGRADER_HELP.format(out=source, ignore=NBGRADER_IGNORE, autograde=NBGRADER_AUTOGRADE))
    return source


