"""nbgrader for real: `python -m grading nbgrader` writes one source assignment per lesson that nbgrader's own
`generate_assignment` accepts; a learner's copy of the released notebooks, filled in, is scored by
`nbgrader autograde` with the expected points, and grade-class, given nbgrader's submitted/ folder, agrees.
The source and release folders hold the student edition's modules and data, never a solution: a hand-in that
calls the library's functions gets nothing from them."""
import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import grading
import grading.autograde
from grading import classbook, gradebook
from grading.jail import Limits
from mutants import MUTANTS, edited
from test_answers import solution_lines
from test_student import edition_texts

PROJECT = Path(grading.__file__).resolve().parents[1]
LESSONS = [path.stem for path in sorted((PROJECT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]  # one assignment each
NBGRADER = str(Path(sys.executable).with_name("nbgrader"))
MISTAKE = ("compute_cost", "no_minus")  # a function no other check of its notebook calls


def nbgrader(course, *args):
    """nbgrader's command line, from the project's environment (it runs alembic and jupyter from PATH)."""
    env = dict(os.environ, PATH=f"{Path(NBGRADER).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    done = subprocess.run([NBGRADER, *args], cwd=course, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    return done


def answered(release, source, name, answers):
    """The released notebook `name` with each solution cell holding the source's code (markers left out) or,
    for a function of `answers`, that code."""
    solutions = {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in nbformat.read(
        source / f"{name}.ipynb", as_version=4).cells if cell.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(release / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            text = answers.get(grade_id, solutions[grade_id])
            cell.source = "\n".join(line for line in text.split("\n") if "### " not in line)
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with the exported assignment generated, and alice's submission autograded."""
    course = tmp_path_factory.mktemp("course")
    subprocess.run([sys.executable, "-m", "grading", "nbgrader", str(course)], check=True, capture_output=True)
    (course / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.course_id = 'dnn'\n"
                                               f"c.CourseDirectory.root = {str(course)!r}\n"
                                               f"{grading.student.NBGRADER_IGNORE}\n"
                                               f"{grading.autograde.NBGRADER_AUTOGRADE}\n")
    nbgrader(course, "generate_assignment", "[0-9][0-9]_*", "--force")  # nbgrader takes a glob: every lesson
    release, source = course / "release", course / "source"
    first, second = LESSONS[:2]
    mutant = next(m for m in MUTANTS if (m.name, m.id) == MISTAKE)
    look_up = {lesson: {function: LOOK_UP.format(name=function) for function in classbook.lessons()[lesson]}
               for lesson in (first, second)}
    for lesson, hand_ins in ((first, {"alice": {}, "bob": CALLS_THE_LIBRARY, "dee": look_up[first]}),
                             (second, {"alice": {mutant.name: edited(mutant.name, mutant.edits)},
                                       "dee": look_up[second]})):
        for learner, answers in hand_ins.items():
            submitted = course / "submitted" / learner / lesson
            shutil.copytree(release / lesson, submitted)
            nb = answered(release / lesson, source / lesson, lesson, answers)
            if learner == "dee":  # a cell that leaves a file wherever a kernel runs the notebook
                nb.cells.insert(1, nbformat.v4.new_code_cell(f"open({str(course / 'ran_in_a_kernel')!r}, 'w').close()"))
            nbformat.write(nb, submitted / f"{lesson}.ipynb")
    nbgrader(course, "autograde", "[0-9][0-9]_*", "--create", "--force")  # each submitted lesson, in one run
    return course


# dee's notebooks: each function hands back the expected output of the case it recognises (testCases, as
# released, holds every fixed case and its expected output), and nothing for any other input
LOOK_UP = """def {name}(*args, **kwargs):
    import numpy as np
    import testCases

    def same(given, expected):
        try:
            return np.shape(given) == np.shape(expected) and np.allclose(given, expected)
        except Exception:
            return given == expected
    for case in testCases.cases("{name}"):
        inputs = case.inputs()
        if len(inputs) == len(args) and all(map(same, args, inputs)) and case.kwargs == kwargs:
            return case.expected()
    raise ValueError("not a case I know")"""


# bob's notebook 01: each exercise hands back the library's own function
CALLS_THE_LIBRARY = {name: f"def {name}(*args, **kwargs):\n    import dnn_utils\n    return dnn_utils.{name}(*args, **kwargs)"
                     for name in ("initialize_parameters", "initialize_parameters_deep",
                                  "initialize_parameters_deep_scaled")}


def test_the_export_is_generated_by_nbgrader_without_solutions(course):
    release = course / "release"
    assert sorted(path.relative_to(release).as_posix() for path in release.glob("*/*.ipynb")) == [
        f"{lesson}/{lesson}.ipynb" for lesson in LESSONS]  # one assignment per lesson
    for path in release.glob("*/*.ipynb"):
        text = path.read_text()
        assert "### BEGIN SOLUTION" not in text and "raise NotImplementedError()" in text


def test_the_source_and_release_folders_hold_the_student_edition_and_no_solution(course):
    source, release = course / "source" / LESSONS[2], course / "release" / LESSONS[2]
    edition = grading.build_student(course.parent / "edition" / "student")
    for folder in (source, release):
        for name in grading.student.student_modules() + grading.student.GENERATED + (grading.student.DATA_FILE,):
            assert (folder / name).read_bytes() == (edition / name).read_bytes(), (folder, name)
        assert not (folder / "companion" / "solutions").exists()
        assert not (folder / "grading").exists()
    lines = solution_lines()
    found = {(str(path), line) for path, text in edition_texts(release).items() for line in lines if line in text}
    assert not found, sorted(found)
    library = (release / "dnn_utils.py").read_text()
    assert "def relu(" not in library and "module_getattr as __getattr__" in library


def autograded_points(course, learner):
    """{notebook: {grade id: score}} of a learner's submissions, as nbgrader's autograde recorded them."""
    from nbgrader.api import Gradebook, MissingEntry
    points = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as book:
        for lesson in LESSONS:
            try:
                submission = book.find_submission(lesson, learner)
            except MissingEntry:
                continue
            points.update({nb.name: {grade.name: grade.score for grade in nb.grades} for nb in submission.notebooks})
    return points


def test_autograde_of_a_hand_in_that_calls_the_library_scores_0(course):
    points = autograded_points(course, "bob")
    assert points["01_initialization"] == {"check_initialize_parameters": 0.0, "check_initialize_parameters_deep": 0.0,
                                           "check_initialize_parameters_deep_scaled": 0.0}


def test_autograde_of_a_filled_in_copy_gives_the_expected_points(course):
    points = autograded_points(course, "alice")
    assert points["01_initialization"] == {"check_initialize_parameters": 1.0, "check_initialize_parameters_deep": 1.0,
                                           "check_initialize_parameters_deep_scaled": 1.0}
    forward = {f"check_{name}": float(name != MISTAKE[0]) for name in classbook.lessons()["02_forward_propagation"]}
    assert points["02_forward_propagation"] == forward
    assert "03_backward_propagation" not in points  # not handed in


def test_grade_class_reads_nbgraders_submitted_folder_and_agrees(course, tmp_path):
    settings = classbook.Settings(dataclasses.asdict(Limits(wall_seconds=10, cpu_seconds=10)))
    rows, graded, _ = gradebook.grade_class(course / "submitted", tmp_path / "grades", settings, seed=1, workers=2,
                                            echo=lambda text: None)
    assert [(e.lesson, e.score, e.total, e.status) for e in rows][:3] == [
        ("01_initialization", 3, 3, "graded"), ("02_forward_propagation", 5, 6, "graded"),
        ("03_backward_propagation", 0, 6, "missing")]
    assert f"alice,02_forward_propagation,{MISTAKE[0]},0," in (tmp_path / "grades" / "functions.csv").read_text()


def test_the_export_hands_autograde_to_the_jailed_grader(tmp_path):
    subprocess.run([sys.executable, "-m", "grading", "nbgrader", str(tmp_path)], check=True, capture_output=True)
    config = (tmp_path / "nbgrader_config.py").read_text()
    assert grading.autograde.NBGRADER_AUTOGRADE in config and "grading.autograde.jailed.JailedChecks" in config


def test_autograde_of_a_look_up_table_scores_0_and_runs_no_kernel(course):
    """dee's notebooks score full marks with nbgrader's own autograde (measured: 3 of 3 on lesson 01), which runs
    them in a kernel beside the checks on the fixed cases; checked in jails on fresh cases, 0. No cell of theirs
    ran outside a jail: the file their first cell writes is not there."""
    points = autograded_points(course, "dee")
    assert points["01_initialization"] == {f"check_{name}": 0.0 for name in classbook.lessons()["01_initialization"]}
    assert points["02_forward_propagation"] == {f"check_{name}": 0.0
                                                for name in classbook.lessons()["02_forward_propagation"]}
    assert not (course / "ran_in_a_kernel").exists()
    nb = nbformat.read(course / "autograded" / "dee" / "01_initialization" / "01_initialization.ipynb", as_version=4)
    said = [output for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")
            for output in cell.outputs]
    assert len(said) == 3 and all(output.output_type == "error" and output.ename == "CheckFailed" for output in said)


def test_autograde_without_a_jail_fails_and_says_why(tmp_path, monkeypatch):
    """Where no jail can be made, autograde's step raises (nbgrader reports the notebook as failed) rather than
    run the notebook in a kernel."""
    from grading.autograde.jailed import JailedChecks
    from grading.jail import JailUnavailable
    nb = nbformat.read(PROJECT / "notebooks" / "01_initialization.ipynb", as_version=4)
    monkeypatch.setenv("PATH", str(tmp_path))  # no bwrap to be found
    with pytest.raises(JailUnavailable, match="bubblewrap"):
        JailedChecks().preprocess(nb, {"nbgrader": {"notebook": "01_initialization"}})
