"""Grading a whole class (grading/classbook.py, grading/gradebook.py): a small class in a temporary folder with
right, one-mistake, unreadable, renamed, missing and hostile hand-ins gives exactly the expected gradebook,
functions and feedback; a run cut short keeps what it graded; a second run grades nothing and writes the same
files; a changed hand-in is graded again; the same class graded on a Dask cluster (a scheduler and two workers
on 127.0.0.1) gives the same files."""
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

import grading
from grading import classbook, feedback, gradebook
from grading.classrun import running
from grading.jail import Limits
from mutants import MUTANTS, edited, library_source

PROJECT = Path(grading.__file__).resolve().parents[1]
LESSON_01, LESSON_02 = (PROJECT / "notebooks" / f"{name}.ipynb" for name in ("01_initialization",
                                                                            "02_forward_propagation"))
SETTINGS = classbook.Settings(dataclasses.asdict(Limits(wall_seconds=5, cpu_seconds=5)))
SEED = 11
LOOP = "def relu(Z):\n    while True:\n        pass"
IMPORT = "def sigmoid(Z):\n    import dnn_utils\n    return dnn_utils.sigmoid(Z)"
FORWARD = list(classbook.lessons()["02_forward_propagation"])


def handed_in(path, lesson, **sources):
    """The lesson notebook with the exercise cells of `sources` ({function: code}) replaced, written to path."""
    nb = grading.read_notebook(lesson)
    for cell in nb.cells:
        name = grading.exercise_name(cell)
        if name in sources:
            cell.source = sources[name]
        if grading.checked_name(cell) in sources:  # a changed function: what its check printed is not known
            cell.outputs = []
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def unwritten(path, lesson):
    """The lesson notebook as the student edition hands it out (every exercise a stub), written to path."""
    nb = grading.read_notebook(lesson)
    stubs = {grading.exercise_name(cell): grading.strip_solutions(cell.source) for cell in nb.cells
             if grading.exercise_name(cell)}
    return handed_in(path, lesson, **stubs)


def make_class(root):
    """The class: ann (right, nbgrader's layout), bob (a mistake in a renamed notebook; lesson 01 under
    lesson 02's name), cat (hostile; an unreadable notebook; a notebook of no lesson; a link to a file outside
    its folder), dan (nothing written,
    under the same file name as ann's), eve (nothing handed in)."""
    mutant = next(m for m in MUTANTS if (m.name, m.id) == ("linear_forward", "b_left_out"))
    handed_in(root / "ann" / "dnn_step_by_step" / "02_forward_propagation.ipynb", LESSON_02)
    handed_in(root / "bob" / "lab 2" / "jdoe_lab2.ipynb", LESSON_02,
              linear_forward=edited(mutant.name, mutant.edits))
    handed_in(root / "bob" / "02_forward_propagation (1).ipynb", LESSON_01)
    handed_in(root / "cat" / "forward.ipynb", LESSON_02, relu=LOOP, sigmoid=IMPORT)
    (root / "cat" / "03_backward_propagation.ipynb").write_text("{ this is not a notebook")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("my notes")]),
                   str(root / "cat" / "notes.ipynb"))
    (root.parent / "secret.txt").write_text("the instructor's secret")
    (root / "cat" / "01_initialization.ipynb").symlink_to(root.parent / "secret.txt")
    unwritten(root / "dan" / "dnn_step_by_step" / "02_forward_propagation.ipynb", LESSON_02)
    (root / "eve").mkdir()
    return root


def run(handins, out, settings=SETTINGS, **options):
    """grade_class on the class; returns (rows, graded now), the printed lines in `printed`."""
    printed = []
    rows, graded, _ = gradebook.grade_class(handins, out, settings, seed=SEED, workers=2, echo=printed.append,
                                            **options)
    return rows, graded, printed


def files(out):
    """{path inside OUT: bytes} of every file of OUT but its cache."""
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*"))
            if path.is_file() and ".cache" not in path.parts}


class Interrupt(KeyboardInterrupt):
    pass


def interrupt_after_first(total, cached):
    def tick():
        raise Interrupt
    return tick


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class, graded after a first run cut short at its first result; (handins, out, printed, first)."""
    root = tmp_path_factory.mktemp("class")
    handins, out = make_class(root / "handins"), root / "grades"
    with pytest.raises(Interrupt):
        run(handins, out, progress=interrupt_after_first)
    first = {"cached": len(list((out / ".cache").glob("*.json"))), "files": files(out)}
    rows, now, printed = run(handins, out)
    first["graded after"] = now
    return handins, out, printed, first


# ----------------------------------------------------------------------------------------------------------
# The files

GRADEBOOK = """student,lesson,score,total,status
ann,01_initialization,0,3,missing
ann,02_forward_propagation,6,6,graded
ann,03_backward_propagation,0,6,missing
ann,04_two_layer_model,0,2,missing
ann,05_L_layer_model,0,1,missing
bob,01_initialization,3,3,graded
bob,02_forward_propagation,5,6,graded
bob,03_backward_propagation,0,6,missing
bob,04_two_layer_model,0,2,missing
bob,05_L_layer_model,0,1,missing
cat,01_initialization,0,3,missing
cat,02_forward_propagation,4,6,graded
cat,03_backward_propagation,0,6,unreadable
cat,04_two_layer_model,0,2,missing
cat,05_L_layer_model,0,1,missing
dan,01_initialization,0,3,missing
dan,02_forward_propagation,0,6,graded
dan,03_backward_propagation,0,6,missing
dan,04_two_layer_model,0,2,missing
dan,05_L_layer_model,0,1,missing
"""
GRADEBOOK += "".join(f"eve,{lesson},0,{len(names)},missing\n" for lesson, names in classbook.lessons().items())


def test_the_gradebook_has_one_row_per_learner_and_lesson(graded):
    _, out, _, _ = graded
    assert (out / "gradebook.csv").read_text() == GRADEBOOK


def test_the_functions_file_has_one_row_per_graded_function(graded):
    _, out, _, _ = graded
    comments = {
        "ann": {name: "ok" for name in FORWARD},
        "bob": {**{name: "ok" for name in FORWARD},
                "linear_forward": "wrong: b is left out: Z = W A + b [b_left_out]"},
        "cat": {**{name: "ok" for name in FORWARD}, "relu": "ran out of time: still running after 5 s of wall-clock time",
                "sigmoid": "tried to use the library's solutions (import dnn_utils): the jail stopped it"},
        "dan": {name: "not written yet" for name in FORWARD},
    }
    rows = {(student, "02"): [f"{student},02_forward_propagation,{name},{int(found[name] == 'ok')},{found[name]}"
                              for name in FORWARD] for student, found in comments.items()}
    rows["bob", "01"] = ["bob,01_initialization,initialize_parameters,1,ok",
                         "bob,01_initialization,initialize_parameters_deep,1,ok",
                         "bob,01_initialization,initialize_parameters_deep_scaled,1,ok"]
    expected = ["student,lesson,function,points,comment"] + [row for key in sorted(rows) for row in rows[key]]
    lines = (out / "functions.csv").read_text().splitlines()
    assert [line.replace('"', "") for line in lines] == expected


def test_feedback_says_what_went_wrong_with_a_hint_and_never_the_solution(graded):
    _, out, _, _ = graded
    folder = out / "feedback"
    assert sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.*")) == sorted(
        f"{student}/{lesson}.{kind}" for student in ("ann", "bob", "cat", "dan", "eve")
        for lesson in classbook.lessons() for kind in ("md", "html"))
    bob = (folder / "bob" / "02_forward_propagation.md").read_text()
    assert bob.startswith("# 02_forward_propagation: 5 / 6\n\nLearner `bob`, hand-in `lab 2/jdoe_lab2.ipynb`.\n")
    assert "| `linear_forward` | 0/1 | wrong result |" in bob and "| `sigmoid` | 1/1 | right |" in bob
    told = feedback.what_went_wrong("linear_forward", ["linear_forward", 0, "wrong", "", "b_left_out"])
    assert f"**linear_forward** (0/1)\n- What went wrong: {told}\n- Hint: " in bob
    assert "b is left out" in told and "np.dot" not in bob  # the mistake, not the line of code to paste
    assert told.startswith("the likely mistake: ") and "b_left_out" not in bob
    assert bob.count(feedback.CHECK_CELL.split(":")[0]) == 1
    cat = (folder / "cat" / "02_forward_propagation.md").read_text()
    assert "**relu** (0/1)\n- What went wrong: ran out of time: still running after 5 s of wall-clock time\n" in cat
    assert "tried to use the library's solutions" in cat and "| `sigmoid` | 0/1 | blocked |" in cat
    assert "attempt" not in cat
    unreadable = (folder / "cat" / "03_backward_propagation.md").read_text()
    assert "It was not graded: not a notebook (NotJSONError" in unreadable
    assert (folder / "eve" / "01_initialization.md").read_text() == (
        "# 01_initialization: 0 / 3\n\nLearner `eve`: no hand-in of this lesson was found.\n")
    assert "What to look at again" not in (folder / "ann" / "02_forward_propagation.md").read_text()
    dan = (folder / "dan" / "02_forward_propagation.md").read_text()
    assert dan.count("NotImplementedError") == 1 and "**Not written:** `sigmoid`, `relu`, " in dan


def test_the_summary_names_every_cause_and_whose_hand_ins_are_missing_and_the_figures_exist(graded):
    _, out, printed, _ = graded
    text = (out / "summary.txt").read_text()
    assert text.splitlines()[0] == "5 hand-ins graded for 5 learners; 1 unreadable, 19 missing, 0 not graded, " \
                                   "1 not a lesson"
    assert "  02_forward_propagation      3.75 / 6   (4 graded)" in text
    assert "  linear_forward\n    b is left out [b_left_out]" in text and " 1   20%\n" in text
    assert "Empty hand-ins (nothing written; left out of the causes above): 1\n  02_forward_propagation: dan" in text
    assert "Blocked attempts (the library's solutions, the network, files, programs): 1\n" \
           "  cat, 02_forward_propagation, sigmoid" in text
    assert "Missing hand-ins: 19\n  01_initialization: ann, cat, dan, eve\n" in text
    assert "Unreadable hand-ins: 1\n  cat, 03_backward_propagation: 03_backward_propagation.ipynb (not a notebook" \
        in text
    assert "Learners' totals (of 18 points, a missing lesson counting 0; totals.png): lowest 0," in text
    assert "Not matched to a lesson: cat/notes.ipynb (it holds no exercise of any lesson)" in text
    assert "Not graded: cat/01_initialization.ipynb (a link, not followed)" in text
    assert "\nIntegrity report: evidence for a person to read" in text and "\nattempt: 1\n" in text
    assert not any(b"secret" in data for data in files(out).values())
    assert text.rstrip("\n") in "\n".join(printed)
    for name in ("totals.png", "scores.png", "mistakes.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------------------------------------------------
# Resuming

def test_a_run_cut_short_keeps_what_it_graded_and_writes_no_half_file(graded):
    _, _, _, first = graded
    assert first["cached"] >= 1 and first["files"] == {}  # nothing written but the cache
    assert first["graded after"] == 7 - first["cached"]  # 7 notebooks, each graded once


def test_a_second_run_grades_nothing_and_writes_the_same_files_then_a_change_is_graded(graded):
    handins, out, _, _ = graded
    before = files(out)
    rows, now, _ = run(handins, out)
    assert now == 0 and files(out) == before
    handed_in(handins / "dan" / "dnn_step_by_step" / "02_forward_propagation.ipynb", LESSON_02,
              relu=library_source("relu"))  # right, written otherwise than ann's
    rows, now, _ = run(handins, out)
    assert now == 1
    assert "dan,02_forward_propagation,6,6,graded" in (out / "gradebook.csv").read_text().splitlines()
    assert (out / "feedback" / "ann" / "02_forward_propagation.md").read_bytes() == \
        before["feedback/ann/02_forward_propagation.md"]


# ----------------------------------------------------------------------------------------------------------
# Bad input

def test_bad_folders_and_schedulers_are_named(tmp_path):
    (tmp_path / "handins").mkdir()
    command = [sys.executable, "-m", "grading", "grade-class"]
    cases = [([str(tmp_path / "nowhere"), str(tmp_path / "out")], "DIR: found nothing at"),
             ([str(tmp_path / "handins"), str(tmp_path / "handins" / "out")], "OUT: "),
             ([str(tmp_path / "handins"), str(tmp_path / "out"), "--scheduler", "localhost:8786"],
              "--scheduler: got 'localhost:8786'; expected a Dask scheduler's address, tcp://host:port"),
             ([str(tmp_path / "handins"), str(tmp_path / "out"), "--workers", "0"], "--workers must be at least 1")]
    for args, message in cases:
        done = subprocess.run(command + args, capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)
    assert "is inside DIR" in subprocess.run(command + cases[1][0], capture_output=True, text=True).stderr


def test_a_scheduler_that_does_not_answer_is_named(tmp_path, monkeypatch):
    handed_in(tmp_path / "handins" / "ann" / "01.ipynb", LESSON_01)
    monkeypatch.setattr(classbook, "CONNECT_SECONDS", 2)
    with pytest.raises(classbook.ClassError, match=r"--scheduler: no Dask scheduler answered at tcp://127.0.0.1:"):
        run(tmp_path / "handins", tmp_path / "out", scheduler=f"tcp://127.0.0.1:{free_port()}")


# ----------------------------------------------------------------------------------------------------------
# Dask: a scheduler and two workers on 127.0.0.1

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def cluster(tmp_path):
    """The address of a Dask scheduler with two single-threaded worker processes, all on 127.0.0.1."""
    dask = str(Path(sys.executable).with_name("dask"))
    address = f"tcp://127.0.0.1:{free_port()}"
    started = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                 "--no-dashboard"], cwd=tmp_path, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        time.sleep(1)
        for _ in range(2):
            started.append(subprocess.Popen([dask, "worker", address, "--nthreads", "1", "--no-dashboard",
                                             "--host", "127.0.0.1"], cwd=PROJECT, start_new_session=True,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(started):
            os.killpg(process.pid, signal.SIGTERM)
        for process in reversed(started):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_a_dask_cluster_grades_the_class_as_this_machine_does(tmp_path, cluster):
    handins = tmp_path / "handins"
    mutant = next(m for m in MUTANTS if (m.name, m.id) == ("initialize_parameters", "no_scale"))
    handed_in(handins / "ann" / "01_initialization.ipynb", LESSON_01)
    handed_in(handins / "bob" / "lab1.ipynb", LESSON_01, initialize_parameters=edited(mutant.name, mutant.edits))
    handed_in(handins / "cat" / "01_initialization.ipynb", LESSON_01, initialize_parameters_deep=LOOP.replace(
        "relu(Z)", "initialize_parameters_deep(layer_dims)"))
    # cat's endless loop runs to the CPU limit on both: 2 s here (a right function of lesson 01 needs under 0.5 s)
    settings = classbook.Settings(dataclasses.asdict(Limits(wall_seconds=5, cpu_seconds=2)))
    rows, now, _ = run(handins, tmp_path / "on_dask", settings, scheduler=cluster)
    assert now == 3
    assert [(e.student, e.score) for e in rows if e.status == "graded"] == [("ann", 3), ("bob", 2), ("cat", 2)]
    rows, now, _ = run(handins, tmp_path / "here", settings)
    assert files(tmp_path / "on_dask") == files(tmp_path / "here")


def test_the_command_without_a_jail_says_so_in_every_feedback_and_the_summary(tmp_path):
    handed_in(tmp_path / "handins" / "ann" / "lab1.ipynb", LESSON_01)
    done = subprocess.run([sys.executable, "-m", "grading", "grade-class", str(tmp_path / "handins"),
                           str(tmp_path / "grades"), "--no-jail", "--workers", "1", "--seed", "2"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "1/1" in done.stderr and "notebook" in done.stderr  # the progress bar
    assert done.stdout.count("NOT ISOLATED") == 1 and "1 hand-in graded for 1 learner;" in done.stdout
    for path in (tmp_path / "grades" / "feedback" / "ann").glob("*.*"):
        assert "Graded without isolation (--no-jail)" in path.read_text(), path
    assert "ann,01_initialization,3,3,graded" in (tmp_path / "grades" / "gradebook.csv").read_text()


def gone(pid):
    """Whether process `pid` has ended (no longer there, or a zombie left for its new parent to reap)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def test_ctrl_c_stops_the_workers_keeps_what_was_graded_and_the_same_command_goes_on(tmp_path):
    handins, out = tmp_path / "handins", tmp_path / "grades"
    handed_in(handins / "ann" / "02.ipynb", LESSON_02, relu=LOOP)
    handed_in(handins / "bob" / "01.ipynb", LESSON_01)
    handed_in(handins / "cat" / "01.ipynb", LESSON_01, initialize_parameters=LOOP.replace("relu(Z)", "f()"))
    command = [sys.executable, "-m", "grading", "grade-class", str(handins), str(out), "--workers", "2",
               "--wall", "5", "--cpu", "5", "--seed", str(SEED)]  # the settings of run()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    children, deadline = [], time.monotonic() + 60
    while time.monotonic() < deadline and not (len(children) == 2 and list(out.glob(".cache/*.json"))):
        time.sleep(0.2)
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    assert len(children) == 2 and list(out.glob(".cache/*.json")), "the run did not get going"
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130 and "interrupted; what was graded is kept in" in stderr, stderr[-500:]
    assert not (out / "gradebook.csv").exists()
    deadline = time.monotonic() + 10
    while not all(gone(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(gone(pid) for pid in children), "a worker outlived the interrupted run"
    kept = len(list(out.glob(".cache/*.json")))
    rows, now, _ = run(handins, out)
    assert kept >= 1 and now == 3 - kept


def test_a_failure_of_the_grader_is_reported_in_the_row_and_tried_again(tmp_path, monkeypatch):
    handed_in(tmp_path / "handins" / "ann" / "lab2.ipynb", LESSON_02)

    class Failed:
        """A finished job whose worker raised."""
        def result(self):
            raise RuntimeError("no room left")
    monkeypatch.setattr(running, "run_local", lambda jobs, *args: ((key, running._outcome(Failed()))
                                                                     for key in jobs))
    rows, now, _ = run(tmp_path / "handins", tmp_path / "grades")
    assert [(e.lesson, e.status) for e in rows if e.lesson.startswith("02")] == [
        ("02_forward_propagation", "not graded: the grader failed (RuntimeError: no room left)")]
    assert "It was not graded: the grader failed (RuntimeError: no room left)." in (
        tmp_path / "grades" / "feedback" / "ann" / "02_forward_propagation.md").read_text()
    assert list((tmp_path / "grades" / ".cache").glob("*.json")) == []  # tried again next time


def test_without_a_jail_the_class_is_not_graded_unless_told(tmp_path):
    handed_in(tmp_path / "handins" / "ann" / "lab1.ipynb", LESSON_01)
    env = dict(os.environ, PATH=str(tmp_path))  # no bwrap to be found
    done = subprocess.run([sys.executable, "-m", "grading", "grade-class", str(tmp_path / "handins"),
                           str(tmp_path / "grades")], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 3 and "bubblewrap (bwrap) is not installed" in done.stderr, done.stderr
    assert "--no-jail" in done.stderr and not (tmp_path / "grades").exists()


def test_no_account_of_a_mistake_holds_a_line_of_code():
    import testCases
    for name, mistakes in testCases.MISTAKES.items():
        for mistake in mistakes:
            told = feedback.what_went_wrong(name, [name, 0, "wrong", "", mistake.id])
            assert told and not feedback.CODE.search(told), (name, mistake.id, told)


def test_full_runs_each_notebook_in_a_kernel_and_leaves_no_edition_behind(tmp_path):
    handed_in(tmp_path / "handins" / "ann" / "lab1.ipynb", LESSON_01)
    editions = set(Path(tempfile.gettempdir()).glob("dnn_edition_*"))
    settings = dataclasses.replace(SETTINGS, full=True, cell_timeout=60, timeout=300)
    rows, now, _ = gradebook.grade_class(tmp_path / "handins", tmp_path / "grades", settings, seed=SEED, workers=1,
                                         echo=lambda text: None)
    assert [(e.lesson, e.score, e.status) for e in rows][0] == ("01_initialization", 3, "graded")
    assert "\n- ran " in (tmp_path / "grades" / "feedback" / "ann" / "01_initialization.md").read_text()
    assert set(Path(tempfile.gettempdir()).glob("dnn_edition_*")) <= editions
