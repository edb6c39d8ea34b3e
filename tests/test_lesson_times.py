"""The times the lessons quote for their training cells are the ones docs/benchmarks.md records, and the
benchmark behind them (benchmarks/lesson_times.py) times the code a learner runs: the notebooks' own."""
import importlib.util
import json
import re

import pytest

import dnn_utils
import testCases
from conftest import PROJECT

DOCS = PROJECT / "docs" / "benchmarks.md"
HEADER = "| notebook | training cell | its prose | nothing else running | busy |"
RANGE = re.compile(r"from about (.+?) on a 2-core machine with nothing else running,? to about (.+?) on (?:a|one) "
                   r"busy")


def lesson_times():
    spec = importlib.util.spec_from_file_location("lesson_times", PROJECT / "benchmarks" / "lesson_times.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recorded():
    """{training cell id: (notebook, prose cell id, quiet, busy)} from docs/benchmarks.md's table."""
    text = DOCS.read_text()
    assert HEADER in text, f"docs/benchmarks.md has no table starting {HEADER!r}"
    rows = text.split(HEADER, 1)[1].split("\n\n", 1)[0].strip().splitlines()[1:]
    found = {}
    for row in rows:
        notebook, cell, prose, quiet, busy = [part.strip().strip("`") for part in row.strip("|").split("|")]
        found[cell] = (notebook, prose, quiet, busy)
    return found


def words(notebook, cell_id):
    cells = json.loads((PROJECT / "notebooks" / f"{notebook}.ipynb").read_text())["cells"]
    cell = next(cell for cell in cells if cell.get("id") == cell_id)
    return " ".join("".join(cell["source"]).split())


def test_every_training_cell_has_its_times_recorded():
    measured = {cell: lesson for lesson, cells in lesson_times().TRAINING_CELLS.items() for cell in cells}
    assert set(recorded()) == set(measured)
    assert all(recorded()[cell][0] == lesson for cell, lesson in measured.items())


@pytest.mark.parametrize("cell", sorted(recorded()))
def test_the_prose_quotes_the_recorded_range(cell):
    notebook, prose, quiet, busy = recorded()[cell]
    quoted = RANGE.findall(words(notebook, prose))
    assert (quiet, busy) in quoted, f"{notebook} {prose} quotes {quoted}; docs/benchmarks.md records {(quiet, busy)}"


def test_the_benchmark_runs_the_notebooks_own_code():
    """What a learner who wrote every exercise right runs: the exercise cells' functions, not the library's
    (which checks its arguments), each defined in its notebook."""
    benchmark = lesson_times()
    functions = benchmark.learners_functions()
    assert sorted(functions) == sorted(testCases.FUNCTIONS)
    for name, function in functions.items():
        assert function is not getattr(dnn_utils, name)
        lesson, cell_id = function.__code__.co_filename.split(":")
        assert lesson in benchmark.LESSONS and f"def {name}(" in words(lesson, cell_id), (name, lesson, cell_id)
    assert functions["L_layer_model"].__globals__ is functions["sigmoid"].__globals__


MEASURED = "| run | notebook | cell | what | wall | CPU | others | load before | load after |"


def seconds(text):
    """'1 min 05.8 s' or '3.1 s' (a measured time), '2.5 minutes' or '15 seconds' (a quoted one), in seconds."""
    measured = re.fullmatch(r"(?:(\d+) min )?(\d+(?:\.\d+)?) s", text)
    if measured:
        return 60 * int(measured[1] or 0) + float(measured[2])
    quoted = re.fullmatch(r"(\d+(?:\.\d+)?) (second|minute)s?", text)
    assert quoted, f"not a time: {text!r}"
    return float(quoted[1]) * (60 if quoted[2] == "minute" else 1)


def measured_rows():
    """[(cell, wall in seconds, others' share or None)] of every table of measurements in the section."""
    section = DOCS.read_text().split("\n# Training cells on a learner's functions\n", 1)[1].split("\n# ", 1)[0]
    rows = []
    for table in section.split(MEASURED)[1:]:
        for row in table.split("\n\n", 1)[0].strip().splitlines()[1:]:
            _, _, cell, _, wall, _, others, _, _ = [part.strip() for part in row.strip("|").split("|")]
            rows.append((cell, seconds(wall), None if others == "-" else float(others.rstrip("%")) / 100))
    return rows


@pytest.mark.parametrize("cell", sorted(recorded()))
def test_each_quoted_time_is_within_a_quarter_of_a_measured_one(cell):
    """The quiet end: the quickest run with the other processes at 5% of the cores or less; the busy end: the
    longest run measured."""
    _, _, quiet, busy = recorded()[cell]
    runs = [(wall, others) for measured, wall, others in measured_rows() if measured == cell]
    quiet_runs = [wall for wall, others in runs if others is not None and others <= 0.05]
    assert quiet_runs, f"{cell}: no run on a quiet machine is recorded"
    assert abs(seconds(quiet) - min(quiet_runs)) <= 0.25 * min(quiet_runs), (cell, quiet, min(quiet_runs))
    longest = max(wall for wall, _ in runs)
    assert abs(seconds(busy) - longest) <= 0.25 * longest, (cell, busy, longest)
