"""A learner in order: the student edition filled in one notebook at a time, with right answers written
differently from the lessons' (tests/mutants.py VARIANTS), some with helpers, imports and constants of their
own cells or earlier ones (WITH_HELPERS), each notebook run in the edition's folder right
after it is written, with only the notebooks before it done. No cell may fail or wait for a function, every
check passes, and the trainer of 04 and 05 trains on the learner's own functions when its Train button is
pressed.

The lessons' long trainings run with fewer iterations here (SHORTER): their numbers are checked on the
solution notebooks (tests/test_notebooks.py, nbval); here what matters is that every cell works.
"""
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import grading
from mutants import VARIANTS, WITH_HELPERS, edited, library_source, with_helpers

LESSONS = sorted((Path(grading.__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SHORTER = [("num_iterations=2500", "num_iterations=100"), ("range(2500)", "range(101)"),
           ("np.arange(2500)", "np.arange(101)"), ("range(100, 2500, 100)", "range(100, 101, 100)"),
           ("np.arange(0, 2500, 100)", "np.arange(0, 101, 100)"), ("num_iterations=150", "num_iterations=20")]
# After the trainer's cell: press its Train button, as a learner would, for a short run on their functions
PRESS_TRAIN = """trainer = cost_trainer((train_x, train_y), (test_x, test_y), classes, hidden_units={units})
trainer.iterations.value = 100
trainer.train_button.click()
assert trainer.wait(900), "the run did not end"
print(trainer.runs[-1].outcome, trainer.runs[-1].message, trainer.accuracy.value)"""
TIMES = {}


def learners_answer(name):
    """The learner's code of `name`: written with helpers, imports or constants of its cells (WITH_HELPERS),
    else the first correct rewrite of it when there is one, else the lesson's."""
    if name in WITH_HELPERS:
        return with_helpers(name)
    variant = next((variant for variant in VARIANTS if variant.name == name), None)
    return edited(name, variant.edits) if variant else library_source(name)


def filled_in(path):
    """The student notebook `path` with every exercise written by the learner, shortened, the Train button
    pressed after each trainer."""
    nb = grading.read_notebook(path)
    cells = []
    for cell in nb.cells:
        name = grading.exercise_name(cell)
        if name:
            cell.source = learners_answer(name)
        elif cell.cell_type == "code":
            for old, new in SHORTER:
                cell.source = cell.source.replace(old, new)
        cells.append(cell)
        last = cell.source.strip().splitlines()[-1] if cell.cell_type == "code" and cell.source.strip() else ""
        if last.startswith("cost_trainer("):
            units = last.split("hidden_units=", 1)[1].rstrip(")")
            cells.append(nbformat.v4.new_code_cell(PRESS_TRAIN.format(units=units)))
    nb.cells = cells
    return nb


def outputs_text(cell):
    return "".join(output.get("text", "") + str(output.get("evalue", "")) + "".join(output.get("traceback", []))
                   for output in cell.get("outputs", []))


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    """The edition after each notebook: {notebook name: the executed notebook}, walked 01 to 05 in one folder."""
    folder = grading.build_student(tmp_path_factory.mktemp("learner") / "student")
    return folder, {}


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.name[:2])
def test_a_learner_in_order_meets_no_wall(path, walk):
    folder, done = walk
    before = [lesson.name for lesson in LESSONS[:LESSONS.index(path)]]
    assert sorted(done) == before, f"the notebooks before {path.name} were not all walked: {sorted(done)}"
    nb = filled_in(folder / path.name)
    started = time.perf_counter()
    NotebookClient(nb, timeout=1800, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    TIMES[path.name] = time.perf_counter() - started
    print(f"{path.name}: {TIMES[path.name]:.0f} s in the student edition, filled in, shortened")
    done[path.name] = nb
    errors = [(cell.source[:60], outputs_text(cell)[-300:]) for cell in nb.cells
              if any(output.output_type == "error" for output in cell.get("outputs", []))]
    assert not errors, errors
    waiting = [(cell.source[:60], outputs_text(cell)[:200]) for cell in nb.cells
               if "not written yet" in outputs_text(cell) or "not implemented yet" in outputs_text(cell)
               or "NameError" in outputs_text(cell)]
    assert not waiting, waiting
    checks = [outputs_text(cell) for cell in nb.cells if grading.checked_name(cell)]
    assert checks and all("passed" in text and "kept in your_functions.py" in text for text in checks), checks
    trained = [outputs_text(cell) for cell in nb.cells if cell.source.startswith("trainer = cost_trainer(")]
    if path.name[:2] in ("04", "05"):
        assert len(trained) == 1 and trained[0].startswith("finished "), trained
        assert "Train accuracy:" in trained[0] and "Test accuracy:" in trained[0]


def test_the_walk_kept_every_function_as_the_learner_wrote_it(walk):
    folder, done = walk
    if len(done) < len(LESSONS):
        pytest.skip("the walk did not reach the last notebook")
    kept = (folder / "your_functions.py").read_text()
    assert "= not_written(" not in kept
    first = {}
    for variant in VARIANTS:
        first.setdefault(variant.name, variant)
    for name, variant in first.items():
        if name not in WITH_HELPERS:
            assert variant.edits[0][1].split("\n")[0].strip() in kept, name
    blocks = {name: kept.split(f"# ---- your {name}, ", 1)[1].split("# ---- your ", 1)[0] for name in WITH_HELPERS}
    for name, (above, edits) in WITH_HELPERS.items():  # kept with what it uses from the cells, in a block of its own
        assert all(line in blocks[name] for line in edited(name, edits).splitlines()), (name, blocks[name])
        uses = blocks["L_model_forward"] if name == "linear_forward" else blocks[name]  # layer_count: used there
        assert all(line in uses for line in above.splitlines()), (name, uses)
