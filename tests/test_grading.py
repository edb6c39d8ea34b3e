"""The student edition and the grader, round trip: the lessons' notebooks score full marks, the student
edition untouched scores 0 with "not implemented" everywhere, a pasted mutant costs exactly its function's
point with its diagnosis, and a notebook that loops, crashes or deletes files neither stops the grader nor
touches the project (the grading package)."""
import ast
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import grading
import testCases
from mutants import MUTANTS, VARIANTS, edited, label, library_source

PROJECT = Path(grading.__file__).resolve().parents[1]
LESSONS = sorted((PROJECT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
DATA_SET = [PROJECT / name for name in grading.DATA_FILES if name.endswith(".h5")]
needs_data = pytest.mark.skipif(not all(path.exists() for path in DATA_SET),
                                reason="the drawn data set is not made yet (datasets/make_drawncat.py)")
SETUP = "import numpy as np\nfrom testCases import *"
FAST = {"cell_timeout": 60, "timeout": 300}  # limits for the small notebooks below
TRAINING = ("04", "05")  # the notebooks that load the pictures and train on them


def needs_data_for(path):
    return [needs_data] if Path(path).name[:2] in TRAINING else []


def lessons():
    return [pytest.param(path, id=path.name[:2], marks=needs_data_for(path)) for path in LESSONS]


def exercises(nb):
    return [name for name in map(grading.exercise_name, nb.cells) if name]


def small_notebook(path, *sources):
    """A notebook of code cells, written to `path`."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, str(path))
    return path


def exercise_and_check(name, source=None):
    return [source or library_source(name), f"check_{name}({name})"]


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    return grading.build_student(tmp_path_factory.mktemp("edition") / "student")


# ----------------------------------------------------------------------------------------------------------
# The student edition

def test_solutions_are_replaced_as_nbgrader_does():
    source = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    y = x\n    ### END SOLUTION\n    return y"
    assert grading.strip_solutions(source) == ("def f(x):\n    y = 1\n    # YOUR CODE HERE\n"
                                               "    raise NotImplementedError()\n    return y")
    for broken in ("### BEGIN SOLUTION\nx", "x\n### END SOLUTION", "### BEGIN SOLUTION\n### BEGIN SOLUTION"):
        with pytest.raises(ValueError):
            grading.strip_solutions(broken)


def test_only_cells_that_call_an_exercise_are_tagged(student):
    nb = grading.read_notebook(student / "02_forward_propagation.ipynb")
    tagged = [cell.source for cell in nb.cells if grading.ALLOWED_ERRORS_TAG in cell.metadata.get("tags", [])]
    assert any(source.startswith("t_Z = np.array") for source in tagged)  # it calls sigmoid and relu
    assert not any(grading.exercise_name(cell) or grading.checked_name(cell) for cell in nb.cells
                   if grading.ALLOWED_ERRORS_TAG in cell.metadata.get("tags", []))
    assert not any("import" in source.split("\n")[0] for source in tagged)


def test_the_nbgrader_copies_carry_nbgraders_metadata(tmp_path):
    folder = grading.build_nbgrader(tmp_path)
    ids = []
    for path in sorted(folder.glob("*/*.ipynb")):
        for cell in grading.read_notebook(path).cells:
            meta = cell.metadata.get("nbgrader")
            if grading.BEGIN in cell.source:  # nbgrader accepts solution regions in solution cells only
                assert meta and meta["solution"] and not meta["grade"] and meta["schema_version"] == 3
            if meta and meta["grade"]:
                assert meta["points"] == 1 and meta["locked"] and "strict=True" in cell.source
            ids += [meta["grade_id"]] if meta and meta["grade_id"] != "carry_your_functions" else []
    assert len(ids) == len(set(ids)) == 2 * len(testCases.FUNCTIONS)


def test_each_lesson_is_an_nbgrader_assignment_carrying_the_learners_functions(tmp_path):
    """`python -m grading nbgrader` writes one source assignment per lesson, each folder the student edition's
    files and that lesson's notebook. A notebook that builds on earlier lessons opens with a read-only cell that
    keeps, in its folder, the learner's own functions kept in the earlier lessons' folders (fetched beside it):
    run in a learner's folder, it carries them, and only what the lesson imports."""
    source = grading.build_nbgrader(tmp_path)
    assert sorted(path.name for path in source.iterdir()) == [path.stem for path in LESSONS]
    for path in LESSONS:
        assert [p.name for p in (source / path.stem).glob("*.ipynb")] == [path.name]
        assert (source / path.stem / "dnn_utils.py").is_file()
    first = [cell for cell in grading.read_notebook(source / "01_initialization" / "01_initialization.ipynb").cells
             if cell.cell_type == "code"][0]
    assert "carry" not in str(first.metadata)
    home = tmp_path / "home"  # where nbgrader fetch puts a learner's assignments, side by side
    for lesson in ("01_initialization", "02_forward_propagation"):
        shutil.copytree(source / lesson, home / lesson)
    (home / "01_initialization" / "your_functions.py").write_text(
        "import numpy as np\n\nfrom companion.kept import not_written\n\ninitialize_parameters = "
        "not_written('initialize_parameters')\n\n\ndef initialize_parameters_deep(layer_dims):\n"
        "    return 'mine'  # the learner's own\n\n\ndef initialize_parameters_deep_scaled(layer_dims):\n"
        "    return 'mine too'\n")
    nb = grading.read_notebook(home / "02_forward_propagation" / "02_forward_propagation.ipynb")
    carry = next(cell for cell in nb.cells if cell.cell_type == "code")
    assert carry.metadata["nbgrader"] == {"solution": False, "grade": False, "locked": True, "task": False,
                                          "grade_id": "carry_your_functions", "schema_version": 3}
    for _ in range(2):  # run twice: the second time changes nothing
        done = subprocess.run([sys.executable, "-c", carry.source], cwd=home / "02_forward_propagation",
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    kept = (home / "02_forward_propagation" / "your_functions.py").read_text()
    assert "return 'mine'\n" in kept and "return 'mine too'" in kept
    assert "def initialize_parameters(" not in kept  # lesson 02 does not import it
    handed = subprocess.run([sys.executable, "-c", "import dnn_utils; print(dnn_utils.initialize_parameters_deep([1]))"],
                            cwd=home / "02_forward_propagation", capture_output=True, text=True, timeout=60)
    assert handed.stdout.strip() == "mine", handed.stderr


# ----------------------------------------------------------------------------------------------------------
# Round trips through the grader

@pytest.mark.parametrize("path", lessons())
def test_a_lesson_notebook_scores_full_marks(path):
    card = grading.grade(path)
    assert card.total == len(exercises(grading.read_notebook(path))) > 0
    assert card.score == card.total, card.text()
    assert all(comment == "ok" for _, _, comment in card.lines)
    assert card.notes == []  # graded in the jail, without a kernel


@pytest.mark.parametrize("path", lessons())
def test_an_untouched_student_notebook_scores_0_and_runs_through(path, student, tmp_path):
    executed = tmp_path / "executed.ipynb"
    card = grading.grade(student / path.name, full=True, executed=executed)
    assert card.score == 0 and card.total == len(exercises(grading.read_notebook(path)))
    assert all(comment == "not written yet" for _, _, comment in card.lines), card.text()
    assert not any(note.startswith("stopped") for note in card.notes), card.notes
    nb = grading.read_notebook(executed)  # run in the jail beside the student edition, as a learner runs it
    errors = [(cell.source[:50], output.ename) for cell in nb.cells for output in cell.get("outputs", [])
              if output.output_type == "error"]
    assert not errors, errors  # a cell that waits for the learner says so in one line, and so do those after it
    checks = [cell for cell in nb.cells if grading.checked_name(cell)]
    for cell in checks:
        printed = "".join(output.get("text", "") for output in cell.outputs)
        assert "not implemented yet" in printed and "Traceback" not in printed
    notes = [output.text for cell in nb.cells for output in cell.get("outputs", [])
             if output.output_type == "stream" and output.name == "stderr" and "not written yet" in output.text]
    lines = [line for note in notes for line in note.splitlines()]
    assert all("not written yet" in line for line in lines), lines  # one line each, no traceback


PASTED = {"01": ("initialize_parameters_deep", "W_transposed"), "02": ("linear_forward", "b_left_out"),
          "03": ("linear_backward", "dW_no_1_over_m"), "04": ("two_layer_model", "not_updated"),
          "05": ("L_layer_model", "init_0_01")}


def one_mutant_per_notebook():
    """For each lesson notebook, a mutant of an exercise that later ones build on."""
    for path in LESSONS:
        mutant = next(mutant for mutant in MUTANTS if (mutant.name, mutant.id) == PASTED[path.name[:2]])
        yield pytest.param(path, mutant, id=f"{path.name[:2]}-{mutant.name}-{mutant.id}",
                           marks=needs_data_for(path))


@pytest.mark.parametrize("path, mutant", list(one_mutant_per_notebook()))
def test_a_pasted_mutant_costs_its_own_point_with_its_diagnosis(path, mutant, tmp_path):
    nb = grading.read_notebook(path)
    cell = next(cell for cell in nb.cells if grading.exercise_name(cell) == mutant.name)
    cell.source = edited(mutant.name, mutant.edits)
    nbformat.write(nb, str(tmp_path / path.name))
    card = grading.grade(tmp_path / path.name)
    assert card.score == card.total - 1, card.text()
    assert card.points(mutant.name) == 0 and card.verdicts[mutant.name].mistake == mutant.id
    assert card.comment(mutant.name).startswith("wrong: ") and card.comment(mutant.name).endswith(f"[{mutant.id}]")


@pytest.fixture(scope="module")
def jail():
    with grading.make_jail() as made:
        yield made


@pytest.mark.parametrize("item", MUTANTS + VARIANTS, ids=label)
def test_each_exercise_is_graded_on_its_own_code_in_the_jail(item, jail):
    """What the grader does with an exercise cell's code, for every mutant (0, its diagnosis) and every
    correct rewrite (1, ok), with fresh cases of their own."""
    source = edited(item.name, item.edits)
    verdict = grading.check_function(jail, item.name, source, seed=len(item.edits))
    called = {node.func.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
              and isinstance(node.func, ast.Name)}  # not the names in its docstring
    unknown = called & set(grading.graded_functions()) - {item.name} - set(grading.builds_on(item.name))
    if unknown:  # a library function its lesson does not give it: not defined, and named as the mistake it is
        assert all((item.name, other) in grading.verdict.CALLED_INSTEAD for other in unknown), unknown
    if hasattr(item, "id"):
        assert (verdict.points, verdict.outcome, verdict.mistake) == (0, "wrong", item.id), verdict
    else:
        assert (verdict.points, verdict.outcome, verdict.comment) == (1, "ok", "ok"), verdict


def test_a_graded_function_its_lesson_does_not_give_is_named_not_left_as_a_name_error(jail):
    """Support code holds what the lesson's notebook gives where the function is written: a call of another
    graded function is a NameError in the jail, which the verdict names truly (as the mistake it is, where the
    checks know one); a right function written on what its notebook gives scores its point."""
    verdict = grading.check_function(jail, "sigmoid", "def sigmoid(Z):\n    return 1 / (1 + np.exp(-Z)) + "
                                     "relu(Z)[0] * 0, Z\n", seed=1)
    assert (verdict.points, verdict.outcome) == (0, "wrong"), verdict
    assert verdict.comment == ("wrong: it calls relu, which its lesson's notebook neither imports nor defines before "
                               "sigmoid, so it is not defined there"), verdict
    written = "def sigmoid_backward(dA, cache):\n    s, _ = sigmoid(cache)\n    return dA * s * (1 - s)\n"
    assert grading.check_function(jail, "sigmoid_backward", written, seed=1).points == 1  # notebook 03 imports it
    relu = "def relu(Z):\n    return sigmoid(Z)[0] * 0 + np.maximum(0, Z), Z\n"  # sigmoid: notebook 02's earlier one
    assert grading.check_function(jail, "relu", relu, seed=1).points == 1
    source = edited("L_layer_model", [("initialize_parameters_deep_scaled(", "initialize_parameters_deep(")])
    verdict = grading.check_function(jail, "L_layer_model", source, seed=1)
    assert (verdict.points, verdict.mistake) == (0, "init_0_01") and "initialize_parameters_deep_scaled" in \
        verdict.comment, verdict


# ----------------------------------------------------------------------------------------------------------
# Notebooks that misbehave

UNSTOPPABLE = "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except KeyboardInterrupt:\n" \
              "        pass"


def test_a_loop_is_interrupted_at_the_cell_time_limit(tmp_path):
    path = small_notebook(tmp_path / "loop.ipynb", SETUP, *exercise_and_check("sigmoid"), "while True:\n    pass",
                          *exercise_and_check("relu"))
    card = grading.grade(path, full=True, cell_timeout=5, timeout=120)
    assert (card.score, card.total) == (2, 2), card.text()
    assert "(1 with an error or out of time)" in card.notes[0]


def test_a_loop_that_ignores_interrupts_stops_the_run(tmp_path):
    path = small_notebook(tmp_path / "stuck.ipynb", SETUP, *exercise_and_check("sigmoid"), UNSTOPPABLE,
                          *exercise_and_check("relu"))
    card = grading.grade(path, full=True, cell_timeout=5, timeout=120)  # 2 s to answer an interrupt
    assert (card.score, card.total) == (1, 2), card.text()
    assert card.comment("sigmoid") == "ok" and card.comment("relu").startswith("did not run")
    assert "stopped at cell 3: a cell ran out of time and went on after it was interrupted" in card.notes


def test_the_whole_run_has_a_time_limit(tmp_path):
    path = small_notebook(tmp_path / "slow.ipynb", SETUP, *exercise_and_check("sigmoid"),
                          *["import time\ntime.sleep(2)"] * 5, *exercise_and_check("relu"))
    card = grading.grade(path, full=True, cell_timeout=10, timeout=9)
    assert (card.score, card.total) == (1, 2), card.text()
    assert any("the time limit of the whole run" in note for note in card.notes), card.notes


def test_a_kernel_crash_is_reported_and_what_ran_is_graded(tmp_path):
    path = small_notebook(tmp_path / "crash.ipynb", SETUP, *exercise_and_check("sigmoid"),
                          "import os\nos._exit(1)", *exercise_and_check("relu"))
    card = grading.grade(path, full=True, **FAST)
    assert (card.score, card.total) == (1, 2), card.text()
    assert any("the kernel died" in note for note in card.notes), card.notes
    assert card.comment("relu").startswith("did not run: the run stopped before it (the kernel died")


def test_a_function_that_kills_the_checks_costs_its_own_point_only(tmp_path):
    killer = "def relu(Z):\n    import os\n    os._exit(3)"
    path = small_notebook(tmp_path / "killer.ipynb", SETUP, library_source("sigmoid"), killer,
                          library_source("linear_forward"))
    card = grading.grade(path)
    assert [line[:2] for line in card.lines] == [("sigmoid", 1), ("relu", 0), ("linear_forward", 1)], card.text()
    assert card.comment("relu") == "crashed the process that ran it (exit status 3)"


def test_a_vandal_notebook_only_deletes_its_own_copies_in_the_jail(tmp_path):
    handed_in = tmp_path / "handed_in"
    handed_in.mkdir()
    (handed_in / "sentinel.txt").write_text("keep me")
    before = {path: path.stat().st_mtime_ns for path in PROJECT.glob("*.py")}
    vandal = ("import os, shutil, testCases\nprint('cwd', os.getcwd())\nprint('module', testCases.__file__)\n"
              "for name in os.listdir('.'):\n    shutil.rmtree(name) if os.path.isdir(name) else os.remove(name)\n"
              f"for name in ('sentinel.txt', {str(handed_in / 'sentinel.txt')!r}, {str(PROJECT / 'dnn_utils.py')!r}):\n"
              "    try:\n        os.remove(name)\n    except OSError as error:\n        print(type(error).__name__)")
    path = small_notebook(handed_in / "vandal.ipynb", SETUP, *exercise_and_check("sigmoid"), vandal,
                          *exercise_and_check("relu"))
    card = grading.grade(path, full=True, executed=tmp_path / "executed.ipynb", **FAST)
    assert {path: path.stat().st_mtime_ns for path in PROJECT.glob("*.py")} == before
    assert (handed_in / "sentinel.txt").read_text() == "keep me"
    assert (card.score, card.total) == (2, 2), card.text()  # graded from the exercises' code, in jails of their own
    printed = grading.read_notebook(tmp_path / "executed.ipynb").cells[3].outputs[0].text.splitlines()
    assert printed[:2] == ["cwd /home/learner", "module /home/learner/testCases.py"], printed
    assert printed[2:] == ["FileNotFoundError", "FileNotFoundError", "FileNotFoundError"], printed


def test_the_command_line_prints_the_scorecard_and_exits_non_zero_below_full_marks(tmp_path):
    good = small_notebook(tmp_path / "good.ipynb", SETUP, *exercise_and_check("sigmoid"))
    bad = small_notebook(tmp_path / "bad.ipynb", SETUP,
                         *exercise_and_check("relu", "def relu(Z):\n    return Z, Z"))
    command = [sys.executable, "-m", "grading", "grade"]
    done = subprocess.run(command + [str(good)], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.splitlines()[-2:] == [
        "sigmoid     1/1  ok", "score: 1/1"], done.stdout + done.stderr
    done = subprocess.run(command + [str(bad)], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 1 and done.stdout.splitlines()[-1] == "score: 0/1", done.stdout + done.stderr
    assert done.stdout.splitlines()[-2].startswith("relu        0/1  wrong: wrong values: A differs")


def test_a_notebook_too_large_to_be_a_hand_in_is_not_read(tmp_path):
    huge = tmp_path / "huge.ipynb"
    with open(huge, "wb") as file:
        file.truncate((grading.notebooks.MAX_NOTEBOOK_MB << 20) + 1)
    done = subprocess.run([sys.executable, "-m", "grading", "grade", str(huge)], capture_output=True, text=True)
    assert done.returncode == 2 and "MB; expected a notebook of at most" in done.stderr, done.stderr
