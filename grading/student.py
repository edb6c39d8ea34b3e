"""The student edition of the lesson notebooks, and the same notebooks as an nbgrader source assignment."""
import re
import shutil
import sys
from pathlib import Path

from .notebooks import (NOTEBOOKS, PROJECT, DATA_FILES, ALLOWED_ERRORS_TAG, read_notebook, strip_solutions,
                        cells_needing_exercises, project_modules, exercise_name, checked_name)

STUDENT_STAMP = ".student_edition"


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
    (out / STUDENT_STAMP).write_text("written by python -m grading student; rewritten every time\n")
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


