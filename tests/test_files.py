"""Files of a class download as they come: names in any encoding are graded and reported, hard links and special
files are set aside like symbolic links (never read), and a run that grades nothing stops and says why."""
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import grading
from grading import classbook, gradebook
from grading.classrun import running
from grading.jail import Limits

PROJECT = Path(grading.__file__).resolve().parents[1]
SETTINGS = classbook.Settings(dataclasses.asdict(Limits(wall_seconds=10, cpu_seconds=10)))
SECRET = "the instructor's answer key: 42"


def relu_notebook(path):
    """A hand-in of lesson 02 holding one exercise (relu, right): quick to grade."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np"),
                nbformat.v4.new_code_cell(next(cell.source for cell in grading.read_notebook(
                    PROJECT / "notebooks" / "02_forward_propagation.ipynb").cells if grading.exercise_name(cell) == "relu"))]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as file:
        nbformat.write(nb, file)


def grade(folder, out):
    printed = []
    rows, _, _ = gradebook.grade_class(folder, out, SETTINGS, seed=1, workers=1, echo=printed.append)
    return rows, "\n".join(printed)


def everything(out):
    return b"".join(path.read_bytes() for path in Path(out).rglob("*") if path.is_file())


def test_names_in_any_encoding_are_graded_and_reported(tmp_path):
    """A Windows zip unpacked here: a learner's folder and a file named in cp1252 bytes, beside UTF-8 names."""
    folder = tmp_path / "handins"
    relu_notebook(os.fsencode(folder) + b"/jos\xe9/Lab 02 r\xe9sum\xe9.ipynb")
    relu_notebook(folder / "zoë" / "02_forward_propagation.ipynb")
    rows, printed = grade(folder, tmp_path / "out")
    graded = {(entry.student, entry.lesson): entry.score for entry in rows if entry.handin}
    assert graded == {("josé", "02_forward_propagation"): 1, ("zoë", "02_forward_propagation"): 1}
    gradebook_csv = (tmp_path / "out" / "gradebook.csv").read_text(encoding="utf-8")
    assert "josé,02_forward_propagation,1," in gradebook_csv and "zoë,02_forward_propagation,1," in gradebook_csv
    assert (tmp_path / "out" / "feedback" / "josé" / "02_forward_propagation.md").is_file()
    assert "2 hand-ins graded for 2 learners" in printed


def test_hard_links_and_special_files_are_never_read(tmp_path):
    outside = tmp_path / "outside.ipynb"
    outside.write_text(SECRET)
    folder = tmp_path / "handins"
    relu_notebook(folder / "ann" / "02_forward_propagation.ipynb")
    os.link(outside, folder / "ann" / "01_initialization.ipynb")
    os.mkfifo(folder / "ann" / "03_backward_propagation.ipynb")
    os.link(outside, folder / "annasmith_1001_123456_01_initialization.ipynb")  # a Canvas-like flat name
    os.mkfifo(folder / "annasmith_1001_123457_03_backward_propagation.ipynb")
    rows, printed = grade(folder, tmp_path / "out")  # nobody writes to the pipes: opening one would block
    summary = (tmp_path / "out" / "summary.txt").read_text()
    assert "ann/01_initialization.ipynb (a hard link, not read)" in summary
    assert "ann/03_backward_propagation.ipynb (a special file, not read)" in summary
    assert "annasmith_1001_123456_01_initialization.ipynb (a hard link, not read)" in summary
    assert "annasmith_1001_123457_03_backward_propagation.ipynb (a special file, not read)" in summary
    assert [(entry.lesson, entry.score) for entry in rows if entry.handin] == [("02_forward_propagation", 1)]
    assert SECRET.encode() not in everything(tmp_path / "out")
    assert outside.read_text() == SECRET and os.stat(outside).st_nlink == 3  # untouched, still linked


@pytest.mark.parametrize("layout", ["empty", "folders without notebooks"])
def test_a_run_that_grades_nothing_exits_non_zero_and_says_why(tmp_path, layout):
    folder = tmp_path / "handins"
    folder.mkdir()
    if layout != "empty":
        (folder / "ann").mkdir()
        (folder / "bob" / "notes").mkdir(parents=True)
        (folder / "bob" / "notes" / "todo.txt").write_text("read chapter 4")
    done = subprocess.run([sys.executable, "-m", "grading", "grade-class", str(folder), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stdout + done.stderr
    seen = "the folders of 2 learners but" if layout != "empty" else "no learner's folder and"
    assert f"grade-class: DIR: found {seen} no notebook (.ipynb) in {folder}, so nothing was graded; expected " \
           f"one folder per learner" in done.stderr


def test_a_file_swapped_for_a_hard_link_after_it_was_found_is_not_read(tmp_path):
    outside = tmp_path / "outside.ipynb"
    outside.write_text(SECRET)
    path = tmp_path / "handins" / "ann" / "02.ipynb"
    relu_notebook(path)
    handin = classbook.find_handins(tmp_path / "handins")[0][0]
    path.unlink()
    os.link(outside, path)
    with pytest.raises(OSError, match="not a plain file"):
        running._job(handin, classbook.Cache(tmp_path / "out", seed=1))
