"""The student edition (python -m grading student): no answers in any of its files, checks that judge from
stored data exactly as the solution edition's do, the learner's own functions kept and used by the later
notebooks, expected values after each check, hints."""
import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import companion.feedback.hints
import companion.kept
import grading
import testCases
from mutants import (MUTANTS, VARIANTS, build, edited, label, library_source, mutant_function,
                     with_helpers)
from test_answers import solution_lines, squeezed
from test_layout import circles, import_graph

PROJECT = Path(grading.__file__).resolve().parents[1]
LESSONS = sorted((PROJECT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    return grading.build_student(tmp_path_factory.mktemp("edition") / "student")


@pytest.fixture
def fresh_student(tmp_path, student):
    """A copy of the student edition of one's own, with no function kept yet."""
    import shutil
    return Path(shutil.copytree(student, tmp_path / "student"))


@pytest.fixture(scope="module")
def stored_checks(student):
    """The student edition's check module (the same file as the project's), on the edition's data."""
    for name in ("feedback/stored.py", "feedback/verdict.py", "feedback/rules.py", "feedback/hints.py", "kept.py"):
        assert (student / "companion" / name).read_text() == (PROJECT / "companion" / name).read_text(), name
    kept = companion.kept
    saved = kept.DATA_FILE, kept.LEARNED
    kept.DATA_FILE, kept.LEARNED = student / grading.student.DATA_FILE, student / "your_functions.py"
    kept.notebooks.cache_clear()
    sys.modules.pop("companion.feedback.stored", None)
    module = importlib.import_module("companion.feedback.stored")
    yield module
    kept.DATA_FILE, kept.LEARNED = saved
    kept.notebooks.cache_clear()
    sys.modules.pop("companion.feedback.stored", None)


# A learner's Python has not installed the project: leave out its editable install's module finder
AS_A_LEARNER = "import sys\nsys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f)]\n"


# ----------------------------------------------------------------------------------------------------------
# What the edition holds

def test_the_student_edition_holds_what_the_notebooks_need_and_no_reference(student):
    assert sorted(path.name for path in student.glob("*.ipynb")) == [path.name for path in LESSONS]
    for name in grading.student.student_modules() + grading.student.GENERATED + (
            grading.student.DATA_FILE, "requirements.txt", "README.md", "datasets/make_drawncat.py"):
        assert (student / name).is_file(), name
    for name in ("companion/solutions", "grading.py", "grading"):
        assert not (student / name).exists(), name
    assert (student / "requirements.txt").read_text() == grading.student.STUDENT_REQUIREMENTS.read_text()
    assert {"companion/solutions/engine.py", "companion/solutions/mistakes.py"} <= set(grading.project_modules())
    assert not set(grading.student.student_modules()) & {name for name in grading.project_modules()
                                                         if name.startswith("companion/solutions/")}


def test_the_student_edition_shows_the_course_at_its_top(student):
    """The five notebooks, the course's two modules, the package, the data and the README: nothing else."""
    top = sorted(path.name for path in student.iterdir() if not path.name.startswith("."))
    assert top == sorted([path.name for path in LESSONS] + ["README.md", "companion", "datasets", "dnn_utils.py",
                                                             "requirements.txt", "testCases.py"]), top
    package = sorted(str(path.relative_to(student / "companion")) for path in (student / "companion").rglob("*.py"))
    assert package == sorted(name.removeprefix("companion/") for name in grading.student.student_modules())
    assert not any(name.startswith("solutions") for name in package)


def test_the_student_editions_imports_run_one_way(student):
    graph = import_graph(student)
    assert not any(name.startswith("companion.solutions") for name in graph)
    assert circles(graph) == []
    assert graph["dnn_utils"] == {"companion.arguments", "companion.kept"}
    assert not any(other.startswith("companion.solutions") for imported in graph.values() for other in imported)


def edition_texts(folder):
    """{path: text} of every text file of the edition; a notebook's text is its cells' sources and outputs."""
    texts = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix in (".h5", ".npz", ".png"):
            continue
        text = path.read_text(errors="replace")
        if path.suffix == ".ipynb":
            nb = nbformat.reads(text, as_version=4)
            text = "\n".join([cell.source for cell in nb.cells] + [json.dumps(cell.get("outputs", []))
                                                                   for cell in nb.cells])
        texts[path.relative_to(folder)] = squeezed(text)
    return texts


def test_no_file_of_the_student_edition_holds_a_solution_line(student):
    lines = solution_lines()
    assert len(lines) >= 30 and squeezed("A = 1 / (1 + np.exp(-Z))") in lines
    found = {(str(path), line) for path, text in edition_texts(student).items() for line in lines if line in text}
    assert not found, sorted(found)


def test_the_search_finds_a_solution_where_there_is_one(student, tmp_path):
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "notes.py").write_text("def relu(Z):\n    A = np.maximum(0, Z)\n    return A, Z\n")
    texts = edition_texts(leak)
    assert any(line in text for text in texts.values() for line in solution_lines())


def test_the_student_modules_load_no_reference(student):
    code = (AS_A_LEARNER + "import numpy as np, testCases, dnn_utils, companion.widgets, companion.plots\n"
            "assert not {'companion.solutions', 'your_functions'} & set(sys.modules), sys.modules.keys()\n"
            "assert companion.widgets.runs.engine is None\n"
            "try:\n    dnn_utils.linear_forward(np.ones((2, 1)), np.ones((1, 2)), np.ones((1, 1)))\n"
            "except testCases.NotWritten as error:\n    print(error)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=student, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("linear_forward is not written yet, and this cell needs it: write it in "
                                  "02_forward_propagation.ipynb")


def test_both_editions_name_the_same_notebook_for_each_exercise(student):
    data = json.loads((student / grading.student.DATA_FILE).read_text())
    assert data["notebooks"] == companion.feedback.hints.NOTEBOOKS


def test_the_stored_data_is_plain_json(student):
    data = json.loads((student / grading.student.DATA_FILE).read_text())
    assert set(data) == {"functions", "notebooks"} and tuple(data["functions"]) == testCases.FUNCTIONS
    assert data["notebooks"]["L_model_backward"] == "03_backward_propagation.ipynb"
    rules = {stored["rule"] for entry in data["functions"].values() for stored in entry["mistakes"]}
    assert "like" in rules and "versions" not in json.dumps(data)


# ----------------------------------------------------------------------------------------------------------
# The same verdicts as the solution edition's

def verdict(checks, name, fn):
    found, mistake = checks.examine(name, fn)
    return found, mistake.id if mistake else None


@pytest.mark.parametrize("mutant", MUTANTS, ids=label)
def test_a_mutant_gets_the_same_verdict_from_the_stored_checks(mutant, stored_checks):
    fn = mutant_function(mutant)
    expected = verdict(testCases, mutant.name, fn)
    assert expected[1] == mutant.id
    assert verdict(stored_checks, mutant.name, fn) == expected


@pytest.mark.parametrize("variant", VARIANTS, ids=label)
def test_a_correct_rewrite_passes_the_stored_checks_too(variant, stored_checks):
    fn = build(variant.name, edited(variant.name, variant.edits))
    assert verdict(stored_checks, variant.name, fn) == verdict(testCases, variant.name, fn) == ([], None)


@pytest.mark.parametrize("name", testCases.FUNCTIONS)
def test_the_lessons_code_passes_the_stored_checks(name, stored_checks):
    assert verdict(stored_checks, name, build(name, library_source(name))) == ([], None)


def test_the_stored_checks_have_no_fresh_cases(stored_checks):
    with pytest.raises(ValueError, match="fresh=3"):
        stored_checks.cases("relu", fresh=3)
    with pytest.raises(ValueError, match="name='softmax'"):
        stored_checks.cases("softmax")


# ----------------------------------------------------------------------------------------------------------
# Expected values and hints

def test_each_check_cell_is_followed_by_its_expected_values(student):
    for path in LESSONS:
        cells = grading.read_notebook(student / path.name).cells
        checked = [(index, grading.checked_name(cell)) for index, cell in enumerate(cells) if grading.checked_name(cell)]
        assert checked, path.name
        for index, name in checked:
            after = cells[index + 1]
            assert after.cell_type == "markdown" and after.metadata["expected_values"] == name
            assert after.source.startswith(f"**Expected output** of `check_{name}({name})`")
    nb = grading.read_notebook(student / "02_forward_propagation.ipynb")
    shown = next(cell.source for cell in nb.cells if cell.metadata.get("expected_values") == "linear_forward")
    assert "Z = [[ 3.26295337 -1.23429987]]" in shown and "all 2 checks passed" in shown
    shown = next(cell.source for cell in nb.cells if cell.metadata.get("expected_values") == "L_model_forward")
    assert shown.count("AL = ") == 1  # the lesson's AL once, though two cases use the lesson's inputs
    nb = grading.read_notebook(student / "03_backward_propagation.ipynb")
    shown = next(cell.source for cell in nb.cells if cell.metadata.get("expected_values") == "L_model_backward")
    assert re.findall(r"grads\['(\w+)'\]", shown) == ["dW1", "db1", "dA1"]  # what print_grads prints


def test_a_student_notebook_is_the_lesson_without_solutions_and_outputs(student):
    for path in LESSONS:
        lesson = grading.read_notebook(path)
        copy = [cell for cell in grading.read_notebook(student / path.name).cells
                if "expected_values" not in cell.metadata]
        assert len(copy) == len(lesson.cells)
        for original, cell in zip(lesson.cells, copy):
            assert cell.cell_type == original.cell_type
            if cell.cell_type == "code":
                assert cell.source == grading.strip_solutions(original.source)
                assert cell.outputs == [] and cell.execution_count is None
            else:
                assert cell.source == original.source


def test_hints_grow_in_detail_one_per_call(capsys):
    companion.feedback.hints._given.clear()
    returned = [companion.feedback.hints.hint("linear_forward") for _ in range(4)]
    assert returned == [None] * 4  # printed once, not shown again as a cell's value
    texts = capsys.readouterr().out.splitlines()
    assert len(texts) == 4
    assert [text.split(" (")[1].split(")")[0] for text in texts[:3]] == ["idea", "formula", "shapes"]
    assert texts[3] == texts[2] and "that is the last hint" in texts[2]
    assert "W^[l] A^[l-1] + b^[l]" in texts[1]
    with pytest.raises(ValueError, match="name='softmax' is not an exercise"):
        companion.feedback.hints.hint("softmax")


def test_every_mistake_and_function_has_its_words():
    assert set(companion.feedback.hints.HINTS) == set(companion.feedback.hints.EXPLANATIONS) == set(testCases.FUNCTIONS)
    for name, mistakes in testCases.MISTAKES.items():
        assert [m.id for m in mistakes] == list(companion.feedback.hints.EXPLANATIONS[name]), name
    assert all(len(hints) == 3 for hints in companion.feedback.hints.HINTS.values())


# ----------------------------------------------------------------------------------------------------------
# The learner's functions, kept and used by the later notebooks

def run_notebook(path, cells):
    """Run code cells `cells` as a notebook in the folder of `path`; return the executed notebook."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def texts_of(cell):
    return "".join(output.get("text", "") for output in cell.outputs)


def with_learners_code(student_path, marker="# written by the learner"):
    """The cells of a student notebook with each exercise filled in with the lesson's code plus a marker."""
    lesson = {grading.exercise_name(cell): cell.source for cell in grading.read_notebook(
        PROJECT / "notebooks" / student_path.name).cells if grading.exercise_name(cell)}
    cells = []
    for cell in grading.read_notebook(student_path).cells:
        name = grading.exercise_name(cell)
        if cell.cell_type == "code":
            source = lesson[name].replace(grading.BEGIN, marker).replace(grading.END, "") if name else cell.source
            cells.append(source)
    return cells


def test_a_passing_function_is_kept_and_the_later_notebook_uses_it(fresh_student):
    run = run_notebook(fresh_student / "02_forward_propagation.ipynb",
                       with_learners_code(fresh_student / "02_forward_propagation.ipynb"))
    checks = [texts_of(cell) for cell in run.cells if cell.source.startswith("check_")]
    assert len(checks) == 6 and all("passed" in text and "kept in your_functions.py" in text for text in checks)
    kept = (fresh_student / "your_functions.py").read_text()
    written = ("sigmoid", "relu", "linear_forward", "linear_activation_forward", "L_model_forward", "compute_cost")
    for name in written:
        code = kept.split(f"\ndef {name}(", 1)[1].split("\ndef ", 1)[0]
        assert "# written by the learner" in code, name
    assert "L_model_backward = not_written('L_model_backward')" in kept
    later = run_notebook(fresh_student / "03_backward_propagation.ipynb", [
        grading.read_notebook(fresh_student / "03_backward_propagation.ipynb").cells[1].source,
        "import inspect, companion.kept\nX, parameters = L_model_forward_test_case_2hidden()\n"
        "AL, caches = L_model_forward(X, parameters)\nprint(AL.round(8), len(caches))\n"
        "print(inspect.getsource(companion.kept.learned('L_model_forward')).count('# written by the learner'))"])
    printed, markers = texts_of(later.cells[1]).split("\n")[:2]
    assert printed == "[[0.03921668 0.70498921 0.19734387 0.04728177]] 3" and int(markers) >= 1


def test_a_kept_function_keeps_its_helpers_imports_and_constants(fresh_student):
    """Written as learners write them: a helper in the same cell, a helper in an earlier cell, `import math`,
    `from numpy import exp`, a module-level constant; a later notebook runs each function as it ran. Two
    functions whose cells bind the same name differently each keep their own."""
    notebook = fresh_student / "02_forward_propagation.ipynb"
    first = grading.read_notebook(notebook).cells[1].source
    cells = [first, with_helpers("sigmoid"), "check_sigmoid(sigmoid)",
             "import math\nSCALE = 1.0\n\n\n" + edited("relu", [("np.maximum(0, Z)", "np.maximum(0, Z) * SCALE")])
             + "\n\nSCALE = 2.0  # rebound later in the notebook", "SCALE = 1.0\ncheck_relu(relu)",
             with_helpers("linear_forward"), "check_linear_forward(linear_forward)",
             library_source("linear_activation_forward"), "check_linear_activation_forward(linear_activation_forward)",
             with_helpers("L_model_forward"), "check_L_model_forward(L_model_forward)"]
    run = run_notebook(notebook, cells)
    checks = [texts_of(cell) for cell in run.cells if cell.source.split("\n")[-1].startswith("check_")]
    assert len(checks) == 5 and all("passed" in text and "kept in your_functions.py" in text for text in checks), checks
    kept = (fresh_student / "your_functions.py").read_text()
    for line in ("from numpy import exp", "def stable_logistic(Z):", "def layer_count(parameters):", "SCALE = 1.0"):
        assert line in kept, line
    later = run_notebook(fresh_student / "03_backward_propagation.ipynb", [
        grading.read_notebook(fresh_student / "03_backward_propagation.ipynb").cells[1].source,
        "from dnn_utils import relu, sigmoid\nSCALE, exp = 'of this notebook', None\n"
        "X, parameters = L_model_forward_test_case_2hidden()\n"
        "AL, caches = L_model_forward(X, parameters)\nprint(AL.round(8), len(caches))\n"
        "print(relu(np.array([[-1.0, 2.0]]))[0], sigmoid(np.array([[0.0]]))[0])"])
    assert texts_of(later.cells[1]).split("\n")[:2] == ["[[0.03921668 0.70498921 0.19734387 0.04728177]] 3",
                                                         "[[0. 2.]] [[0.5]]"], later.cells[1].outputs


def test_a_later_notebook_stops_with_one_line_when_a_function_is_missing(fresh_student):
    nb = grading.read_notebook(fresh_student / "03_backward_propagation.ipynb")
    run = run_notebook(fresh_student / "03_backward_propagation.ipynb", [
        nb.cells[1].source, "X, parameters = L_model_forward_test_case_2hidden()\nL_model_forward(X, parameters)"])
    outputs = run.cells[1].outputs
    assert [output.output_type for output in outputs] == ["stream"] and outputs[0].name == "stderr"
    assert outputs[0].text.startswith("L_model_forward is not written yet, and this cell needs it: write it in "
                                      "02_forward_propagation.ipynb and run its check")
    assert outputs[0].text.count("\n") == 1


def test_a_name_a_stopped_cell_was_to_make_is_one_line_too(fresh_student):
    nb = grading.read_notebook(fresh_student / "03_backward_propagation.ipynb")
    run = run_notebook(fresh_student / "03_backward_propagation.ipynb", [
        nb.cells[1].source, "X, parameters = L_model_forward_test_case_2hidden()\nAL, caches = L_model_forward(X, parameters)",
        "print(AL.shape)", "AL = np.zeros((1, 4))\nprint(AL.shape)", "print(never_made)"])
    stopped, waiting, made, typo = (cell.outputs for cell in run.cells[1:])
    assert [output.output_type for output in stopped + waiting] == ["stream", "stream"]
    assert waiting[0].text == ("NameError: name 'AL' is not defined: the cell that makes AL stopped because "
                               "L_model_forward is not written yet; write it, then run the cells again from there.\n")
    assert made[0].text == "(1, 4)\n"
    assert typo[0].output_type == "error" and typo[0].ename == "NameError"  # a name no stopped cell makes


@pytest.mark.parametrize("name", ["update_parameters", "L_model_backward"])
def test_a_written_but_failing_function_leads_to_one_line_notes_never_a_traceback(fresh_student, name):
    """Notebook 03 with every exercise right but `name`, written with a mistake: its check fails, and every
    cell after it that needs it (directly, through the trainer's loop, or through a name a stopped cell was
    to make) says so in one line."""
    earlier = [function for function, notebook in companion.feedback.hints.NOTEBOOKS.items()
               if notebook[:2] in ("01", "02")]
    (fresh_student / "your_functions.py").write_text(companion.kept.HEADER + "\n\n".join(
        library_source(function) for function in earlier))
    notebook = fresh_student / "03_backward_propagation.ipynb"
    mutant = next(mutant for mutant in MUTANTS if mutant.name == name)
    cells = [edited(name, mutant.edits) if f"def {name}(" in cell else cell for cell in with_learners_code(notebook)]
    run = run_notebook(notebook, cells)
    errors = [(cell.source[:60], output.get("ename")) for cell in run.cells for output in cell.outputs
              if output.output_type == "error"]
    assert not errors, errors
    notes = [output.text for cell in run.cells for output in cell.outputs
             if output.output_type == "stream" and output.name == "stderr"]
    assert notes and all(note.count("\n") == 1 and name in note and "has not passed its check yet" in note
                         for note in notes), notes


def learner_has_written_everything(folder):
    """your_functions.py in `folder` as it is once every function has passed its check (the lesson's code)."""
    sources = {name: library_source(name) for name in testCases.FUNCTIONS}
    text = companion.kept.HEADER + "\n\n".join(sources.values())
    (folder / "your_functions.py").write_text(text)


TRAIN_AND_CHECK = AS_A_LEARNER + """
import numpy as np, companion.widgets, dnn_utils, testCases
rng = np.random.RandomState(0)
X = rng.rand(12, 40)
Y = (X[:1] + X[1:2] > 1).astype(int)
trainer = companion.widgets.cost_trainer((X, Y), hidden_units=(4,))
trainer.iterations.value, trainer.learning_rate.value = 200, 0.5
trainer.train_button.click()
assert trainer.wait(120)
run = trainer.runs[-1]
print(run.outcome, run.message)
print(type(companion.widgets.descent(X, Y, run.parameters, 0.1)).__name__, run.outcome, len(run.train_costs) > 1,
      run.train_costs[-1][1] < run.train_costs[0][1])
parameters = dnn_utils.initialize_parameters_deep([12, 3, 1])
print(max(testCases.gradient_check(X[:, :5], Y[:, :5], parameters).values()) < 1e-6)
"""


def test_the_trainer_and_the_gradient_check_run_on_the_learners_functions(fresh_student):
    stopped = subprocess.run([sys.executable, "-c", TRAIN_AND_CHECK], cwd=fresh_student, capture_output=True,
                             text=True, timeout=300)
    assert stopped.stdout.startswith("failed Run 1 failed at iteration 0: NotWritten: "
                                     "initialize_parameters_deep_scaled is not written yet")
    learner_has_written_everything(fresh_student)
    done = subprocess.run([sys.executable, "-c", TRAIN_AND_CHECK], cwd=fresh_student, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[1:3] == ["LessonDescent finished True True", "True"]
