"""What the grader does with a hand-in's content in its own process is bounded (grading/reading.py,
grading/notebooks.py): a hand-in is parsed as a notebook in a child process under a time and memory limit,
the code of one hand-in is read up to MAX_CODE_KB in all, and code too deep for Python's parser is an
unreadable cell, never the grader's crash.

Each attack is a hostile hand-in that got through before the defence. Measured with the grader as it was
(`python -m grading grade`, 2 cores; a plain hand-in takes it 3.5 s): DICTS, 60 MB of `{}` in a cell's
metadata, took it 171 s and 9.9 GB in its own process (nbformat alone: 87 s, 10 GB); 20 MB of zeros take
nbformat 3.5 s, and 200 000 empty cells (13 MB) 9.5 s and 350 MB; 30 cells of 255 KB of `a=1`, each its own,
took it 147 s (each cell parsed 3 to 4 times, once more for each graded function), and the same cell 30
times 123 s; a chain of 20 000 `+a` stopped it with a RecursionError's traceback. Now: 3.9 s (exit 2, the
grader at 118 MB), 6.2 s, 6.7 s, 3.1 s.
"""
import json
import re
import subprocess
import sys
import time

import nbformat
import pytest

import grading
from grading import classbook, feedback, notebooks, reading
from grading.grade import Definitions, expected_exercises
from mutants import library_source

SETUP = "import numpy as np\nfrom testCases import *"
RELU = library_source("relu")
BIG = "a=1\n" * (255 * 1024 // 4)  # a cell just under MAX_CELL_KB: Python's parser takes about 1 s on it
SMALLER = "a=1\n" * (24 * 1024)     # 96 KB of it
DEEP = "x = a" + "+a" * 20_000     # a left-deep chain of 20 000 additions: 40 KB
# `python -m grading ...`, then the most memory the grader's own process held (its children not counted): the
# high-water mark of its own memory map (VmHWM). Not ru_maxrss, which also keeps that of the process it was
# forked from before exec (pytest's, hundreds of MB late in the suite).
DRIVER = ("import sys\nfrom grading.__main__ import main\ncode = main(sys.argv[1:])\n"
          "peak = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
          "print(f'peak MB: {peak >> 10}', file=sys.stderr)\n"
          "sys.exit(code)")


def code_notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, str(path))
    return path


def metadata_notebook(path, items, count):
    """A notebook of one cell whose metadata holds `count` times the JSON `items` (written as text)."""
    head, tail = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "id": "c0", "metadata": {"k": ["HOLE"]}, "source": ""}]}).split('"HOLE"')
    with open(path, "w") as file:
        file.write(head)
        file.write(",".join([items] * count))
        file.write(tail)
    return path


def grading_command(*args, cwd):
    """(the finished `python -m grading ...`, its seconds, the most MB the grader's own process held)."""
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", DRIVER, *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)
    seconds = time.monotonic() - start
    peak = re.search(r"peak MB: (\d+)", done.stderr)
    assert peak, done.stdout + done.stderr
    return done, seconds, int(peak[1])


# ----------------------------------------------------------------------------------------------------------
# Reading the notebook

def test_a_notebook_that_takes_gigabytes_to_read_is_not_read_and_the_grader_stays_small(tmp_path):
    path = metadata_notebook(tmp_path / "dicts.ipynb", "{}", 20_000_000)  # 60 MB: 10 GB for nbformat
    done, seconds, peak = grading_command("grade", path, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{path}: not read: reading it as a notebook needed more than {reading.READ_NOTEBOOK_MB} MB of " \
           f"memory; expected a lesson's hand-in" in done.stderr, done.stderr
    assert seconds < 60 and peak < 500, (seconds, peak)


def test_a_notebook_slow_to_read_is_not_read_past_its_time(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "READ_NOTEBOOK_SECONDS", 1)
    path = metadata_notebook(tmp_path / "zeros.ipynb", "0", 10_000_000)  # 20 MB: 3.5 s for nbformat
    start = time.monotonic()
    with pytest.raises(reading.UnreadableNotebook, match=r"zeros.ipynb: not read: reading it as a notebook "
                                                         r"took more than 1 s; expected a lesson's hand-in"):
        reading.read_handin(path)
    assert time.monotonic() - start < 10


def test_a_notebook_of_too_many_cells_is_not_read(tmp_path):
    cells = [{"cell_type": "markdown", "id": f"c{i}", "metadata": {}, "source": ""} for i in range(20_000)]
    (tmp_path / "cells.ipynb").write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                                      "cells": cells}))
    with pytest.raises(reading.UnreadableNotebook, match=f"holds 20000 cells; expected at most "
                                                         f"{reading.MAX_CELLS}"):
        reading.read_handin(tmp_path / "cells.ipynb")


@pytest.mark.parametrize("text, message", [
    ("{ not a notebook", "not a notebook (NotJSONError"),
    ("[" * 100_000 + "]" * 100_000, "not a notebook (RecursionError"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "metadata": {}, '
     '"source": 7}]}', "not a notebook (cell 0 has no cell_type or no source text"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": 3}', "not a notebook (TypeError"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": {}}', "not a notebook (its cells are not a list"),
])
def test_what_is_not_a_notebook_is_named(tmp_path, text, message):
    (tmp_path / "bad.ipynb").write_text(text)
    with pytest.raises(reading.UnreadableNotebook) as error:
        reading.read_handin(tmp_path / "bad.ipynb")
    assert str(error.value).startswith(f"{tmp_path / 'bad.ipynb'}: {message}"), error.value


def test_a_lesson_reads_as_grading_needs_it_and_a_second_reading_forks_nothing(monkeypatch):
    calls = []
    real = reading.bounded
    monkeypatch.setattr(reading, "bounded", lambda *args: calls.append(args[0]) or real(*args))
    monkeypatch.setattr(reading, "_KEPT", {})
    for path in sorted(notebooks.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        whole, read = grading.read_notebook(path), reading.read_handin(path)
        assert [cell.cell_type for cell in read.cells] == [cell.cell_type for cell in whole.cells]
        assert [cell.source for cell in read.cells if cell.cell_type == "code"] == \
               [cell.source for cell in whole.cells if cell.cell_type == "code"]
        checks = feedback.notebook_checks(read)
        assert checks and checks == feedback.notebook_checks(whole) and all(c.passed for c in checks.values())
        assert reading.read_handin(path).cells == read.cells
    assert len(calls) == 5


def test_what_a_child_sends_back_past_its_output_limit_is_refused():
    assert notebooks.bounded(_print_much, 17, 5, 256) == ("output", f"more than {notebooks.BOUNDED_OUTPUT_MB} MB")
    assert notebooks.bounded(_print_much, 1, 5, 256) == "x" * (1 << 20)


def _print_much(megabytes):
    return "x" * (megabytes << 20)


# ----------------------------------------------------------------------------------------------------------
# Reading its code

def test_many_large_cells_of_code_cost_the_first_256_KB_only(tmp_path):
    cells = [f"# {i}\n{BIG}" for i in range(30)]  # 7.5 MB of code, each cell its own: 100 s before
    path = code_notebook(tmp_path / "big.ipynb", SETUP, *cells, RELU, "check_relu(relu)")
    done, seconds, peak = grading_command("grade", path, cwd=tmp_path)
    past = f"not read: the hand-in holds more than {notebooks.MAX_CODE_KB} KB of code"
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].startswith(f"  31 code cells not read: {past[len('not read: '):]}"), lines
    assert lines[2].startswith(f"relu        0/1  its cell does not run: UnreadableCell: {past}"), lines
    assert seconds < 45 and peak < 1000, (seconds, peak)


def test_a_cell_repeated_many_times_is_read_once(tmp_path, monkeypatch):
    parsed = _count_parsing(monkeypatch)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in
                                         [SETUP] + [SMALLER] * 30 + [RELU, "check_relu(relu)"]])
    assert _read_as_grading_does(nb) == ["relu"]
    assert sum(parsed) < 4 * len(SMALLER), sum(parsed)  # before: 30 times as much


def test_a_hand_ins_code_is_parsed_up_to_its_limit_in_all(monkeypatch):
    parsed = _count_parsing(monkeypatch)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in
                                         [SETUP, RELU] + [f"# {i}\n{SMALLER}" for i in range(10)]])
    with notebooks.reading_limit(code_kb=200):
        assert _read_as_grading_does(nb) == ["relu"]
        assert notebooks.unread_note(nb).startswith("8 code cells not read: the hand-in holds more than 200 KB")
    assert sum(parsed) < 4 * (200 << 10), sum(parsed)  # before: 4 times the 960 KB


def _count_parsing(monkeypatch):
    """The lengths of the code Python's parser is given from now on, as a list."""
    import ast
    parsed, real = [], ast.parse
    monkeypatch.setattr(ast, "parse", lambda source, *args, **kwargs: parsed.append(len(source)) or
                        real(source, *args, **kwargs))
    return parsed


def _read_as_grading_does(nb):
    """What grading a hand-in does with its code in the grader's process (matching it to a lesson, the
    helpers, the exercises, the feedback): the exercises it holds."""
    with notebooks.reading_limit():
        assert classbook.match_lesson(nb, "x.ipynb") == "02_forward_propagation"
        Definitions(nb)
        feedback.notebook_checks(nb), feedback.top_level_names(nb)
        return expected_exercises(nb, "x.ipynb")


def test_code_too_deep_for_the_parser_is_an_unreadable_cell_not_the_graders_crash(tmp_path):
    deep_sigmoid = "def sigmoid(Z):\n    " + DEEP + "\n    return 1 / (1 + np.exp(-Z)), Z\n"
    path = code_notebook(tmp_path / "deep.ipynb", SETUP, DEEP, RELU, "check_relu(relu)", deep_sigmoid)
    done, seconds, _ = grading_command("grade", path, cwd=tmp_path)  # before: a RecursionError's traceback
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == "relu        1/1  ok", lines
    assert lines[2].startswith("sigmoid     0/1  its cell does not run: UnreadableCell: Python's parser cannot "
                               "read it (RecursionError"), lines
    assert seconds < 60


@pytest.mark.parametrize("length", [1_000, 2_900, 3_000, 5_000, 100_000])
def test_the_graders_reading_takes_chains_of_any_depth_at_any_depth_of_its_own(length):
    chain = "x = a" + "+a" * length
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in
                                         [SETUP, f"# {length}\n{chain}", RELU, "check_relu(relu)",
                                          f"def sigmoid(Z):\n    {chain}\n    return Z, Z"]])
    for depth in (0, 300, 600):  # the parser's limit is counted from where it is called
        assert _nested(depth, _read_as_grading_does, nb) == ["relu", "sigmoid"]


def _nested(depth, function, *args):
    return function(*args) if depth == 0 else _nested(depth - 1, function, *args)


# ----------------------------------------------------------------------------------------------------------
# A class

def test_a_class_of_hostile_hand_ins_is_graded_and_each_is_named(tmp_path):
    learner = tmp_path / "handins" / "mal"
    learner.mkdir(parents=True)
    metadata_notebook(learner / "01_initialization.ipynb", "{}", 20_000_000)
    code_notebook(learner / "02_forward_propagation.ipynb", SETUP, *[f"# {i} " + "-" * 100_000 for i in range(3)],
                  RELU, "check_relu(relu)")  # comments, quick to parse: the first two read
    code_notebook(learner / "03_backward_propagation.ipynb", SETUP, "def relu_backward(dA, cache):\n    "
                  + DEEP + "\n    return dA", "check_relu_backward(relu_backward)")
    out = tmp_path / "grades"
    done, seconds, peak = grading_command("grade-class", tmp_path / "handins", out, "--workers", 2, cwd=tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
    rows = (out / "gradebook.csv").read_text().splitlines()
    assert rows[1:4] == ["mal,01_initialization,0,3,unreadable", "mal,02_forward_propagation,0,6,graded",
                         "mal,03_backward_propagation,0,6,graded"], rows
    summary = (out / "summary.txt").read_text()
    assert "01_initialization.ipynb (not read: reading it as a notebook needed more than" in summary, summary
    lesson_02 = (out / "feedback" / "mal" / "02_forward_propagation.md").read_text()
    assert "3 code cells not read: the hand-in holds more than 256 KB of code" in lesson_02, lesson_02
    lesson_03 = (out / "feedback" / "mal" / "03_backward_propagation.md").read_text()
    assert "Python's parser cannot read it (RecursionError" in lesson_03, lesson_03
    assert seconds < 90 and peak < 1000, (seconds, peak)
