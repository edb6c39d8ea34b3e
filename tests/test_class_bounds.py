"""What grade-class spends on a class is bounded, whatever the hand-ins (grading/classbook.py,
grading/classrun/): a file larger than a notebook (by its size or by the space it takes on disk) is never read
or hashed; a worker stuck on one hand-in is stopped at the job's deadline and the run goes on; sixteen copies
of a notebook whose functions loop forever cost what one costs; two hand-ins of one learner are never graded
at the same time. Each is a hostile class run as root, and the machine is checked afterwards.

Measured with the grader as it was (2 cores): a sparse 4 GB `.ipynb` was hashed in full before its size was
looked at (16 s of reading on every run); a worker stuck in the grader's own work held the run forever; the
sixteen copies below took 16 times what one takes; with `--workers 2`, the two hand-ins of one learner below
ran side by side.
"""
import dataclasses
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grading import classbook, gradebook, reading
from grading import cgroup as cgroups
from grading import jail as jails
from grading.classrun import budget, running
from grading.jail import Limits
from test_classbook import LESSON_01, LESSON_02, handed_in

LOOP = "def {name}(*args, **kwargs):\n    # copy {copy}\n    while True:\n        pass"
INITIALIZATION = list(classbook.lessons()["01_initialization"])


def settings(seconds):
    return classbook.Settings(dataclasses.asdict(Limits(wall_seconds=seconds, cpu_seconds=seconds)))


def read_so_far():
    """The bytes this process has read with read(2) and its kin so far (the kernel's count)."""
    return int(next(line.split()[1] for line in open("/proc/self/io") if line.startswith("rchar:")))


def grade(handins, out, limits, workers=2):
    rows, now, _ = gradebook.grade_class(handins, out, limits, seed=3, workers=workers, echo=lambda text: None)
    return rows, now


def processes_with(marker):
    """The processes whose command line holds `marker`."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if marker.encode() in Path(entry.path, "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def parent_of(pid):
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


# ----------------------------------------------------------------------------------------------------------
# Sizes

def test_a_sparse_4_gb_notebook_and_a_preallocated_one_are_left_aside_unread(tmp_path):
    handins = tmp_path / "handins"
    sparse = handins / "ann" / "02_forward_propagation.ipynb"
    sparse.parent.mkdir(parents=True)
    subprocess.run(["truncate", "-s", "4G", str(sparse)], check=True)  # 4 GB long, nothing on disk
    allocated = handed_in(handins / "bob" / "01_initialization.ipynb", LESSON_01)  # a right notebook ...
    subprocess.run(["fallocate", "--keep-size", "-l", "80M", str(allocated)], check=True)  # ... taking 80 MB
    assert allocated.stat().st_size < 1 << 20 and allocated.stat().st_blocks * 512 >= 80 << 20
    before = read_so_far()
    rows, now = grade(handins, tmp_path / "grades", settings(5))
    assert read_so_far() - before < 1 << 30  # the sparse file not read: hashing it reads 4 GB (the grader reads
    # some 60 MB of its own files and libraries)
    assert now == 0
    found = {(e.student, e.lesson): e for e in rows}
    assert found["ann", "02_forward_propagation"].status == "unreadable"
    assert "4096 MB (its size or the space it takes on disk), larger than 64 MB" in found[
        "ann", "02_forward_propagation"].result["why"]
    assert found["bob", "01_initialization"].status == "unreadable"
    assert "80 MB" in found["bob", "01_initialization"].result["why"]
    assert "It was not graded: 4096 MB" in (tmp_path / "grades" / "feedback" / "ann" /
                                           "02_forward_propagation.md").read_text()
    with pytest.raises(reading.UnreadableNotebook, match="it is 4096 MB; expected a notebook of at most 64 MB"):
        reading.read_handin(sparse)  # the path every other reader of a hand-in takes
    assert read_so_far() - before < 1 << 30


# ----------------------------------------------------------------------------------------------------------
# A worker stuck forever

def test_a_worker_stuck_forever_is_stopped_at_the_deadline_and_the_run_goes_on(tmp_path, monkeypatch):
    """The grader's own work on one hand-in never ends (as in C code, deaf to SIGTERM) while that hand-in's jail
    runs: at the job's deadline the worker is killed, the jail with it, and the other hand-ins are graded."""
    marker, pids = f"stuck-{secrets.token_hex(8)}", tmp_path / "pids"
    graded = classbook.grade_content

    def stuck(content, file_name, seed, limits, spent=None):
        if file_name != "stuck.ipynb":
            return graded(content, file_name, seed, limits, spent)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        with open(pids, "a") as file:
            file.write(f"{os.getpid()}\n")
        jail = jails.Jail(Limits(wall_seconds=600, cpu_seconds=600))
        jail.run([sys.executable, "-c", f"import time; time.sleep(600)  # {marker}"])
        while True:
            time.sleep(1)
    monkeypatch.setattr(classbook, "grade_content", stuck)
    monkeypatch.setattr(running, "job_seconds", lambda limits: 10)  # a right hand-in: 2 to 5 s
    handins = tmp_path / "handins"
    handed_in(handins / "ann" / "stuck.ipynb", LESSON_02)
    handed_in(handins / "bob" / "01_initialization.ipynb", LESSON_01)
    handed_in(handins / "cat" / "02_forward_propagation.ipynb", LESSON_02)
    started = time.monotonic()
    rows, now = grade(handins, tmp_path / "grades", settings(5))
    assert time.monotonic() - started < 120  # before: never
    found = {(e.student, e.lesson): e for e in rows if e.status != "missing"}
    assert [(e.student, e.lesson, e.score, e.status) for e in found.values()] == [
        ("bob", "01_initialization", 3, "graded"), ("cat", "02_forward_propagation", 6, "graded")]
    stopped = classbook.Cache(tmp_path / "grades").folder.glob("*.json")
    assert any('"status": "stopped"' in path.read_text() and "more than 10 s, the most one hand-in may take" in
               path.read_text() for path in stopped)
    # the machine afterwards: the stuck worker, its jail and the jail's cgroup are gone
    worker = int(pids.read_text().split()[0])
    assert not os.path.exists(f"/proc/{worker}") and processes_with(marker) == []
    version, folder = cgroups.parent()
    if version:
        assert [name for name in os.listdir(folder) if name.startswith(f"{cgroups.PREFIX}{worker}-")] == []


def test_a_stopped_hand_in_says_so_in_the_gradebook_and_its_feedback(tmp_path, monkeypatch):
    monkeypatch.setattr(classbook, "grade_content", lambda *args: time.sleep(600))
    monkeypatch.setattr(running, "job_seconds", lambda limits: 2)
    handed_in(tmp_path / "handins" / "ann" / "02_forward_propagation.ipynb", LESSON_02)
    rows, _ = grade(tmp_path / "handins", tmp_path / "grades", settings(5), workers=1)
    assert [(e.lesson, e.score, e.status) for e in rows if e.status != "missing"] == [
        ("02_forward_propagation", 0, "stopped")]  # its lesson by its file's name
    assert "It was not graded: grading it took more than 2 s, the most one hand-in may take, so it was stopped." \
        in (tmp_path / "grades" / "feedback" / "ann" / "02_forward_propagation.md").read_text()


def test_a_worker_that_dies_is_replaced_and_its_hand_in_tried_again_next_time(tmp_path, monkeypatch):
    graded = classbook.grade_content

    def dies(content, file_name, seed, limits, spent=None):
        if file_name == "lab2.ipynb":
            os._exit(1)
        return graded(content, file_name, seed, limits, spent)
    monkeypatch.setattr(classbook, "grade_content", dies)
    handed_in(tmp_path / "handins" / "ann" / "lab2.ipynb", LESSON_02)
    handed_in(tmp_path / "handins" / "ann" / "lab1.ipynb", LESSON_01)
    rows, _ = grade(tmp_path / "handins", tmp_path / "grades", settings(5), workers=1)
    assert [(e.lesson, e.score, e.status) for e in rows if e.status != "missing"] == [
        ("01_initialization", 3, "graded"),
        ("02_forward_propagation", 0, "not graded: the process grading it ended without an answer")]
    assert len(list((tmp_path / "grades" / ".cache").glob("*.json"))) == 1  # lab1's only: lab2 is tried again


# ----------------------------------------------------------------------------------------------------------
# Copies of a slow notebook

def test_sixteen_copies_of_a_notebook_that_loops_forever_cost_what_one_costs(tmp_path):
    handins = tmp_path / "handins"
    for copy in range(16):  # each copy its own content: none is a copy of another byte for byte
        handed_in(handins / "ann" / f"lab1_v{copy:02d}.ipynb", LESSON_01,
                  **{name: LOOP.format(name=name, copy=copy) for name in INITIALIZATION})
    same = handins / "ann" / "lab1_again.ipynb"
    same.write_bytes((handins / "ann" / "lab1_v00.ipynb").read_bytes())  # and one the same as another
    handed_in(handins / "bob" / "01_initialization.ipynb", LESSON_01)
    limits = settings(1)
    rows, now = grade(handins, tmp_path / "grades", limits)
    assert now == 17  # lab1_again is lab1_v00's twin: graded with it
    ann = next(e for e in rows if (e.student, e.lesson) == ("ann", "01_initialization"))
    results = [ann.result] + [result for _, result in ann.others]
    assert sorted(r["status"] for r in results) == ["graded"] * 2 + ["not run"] * 15  # the one run, its twin
    spent = sum(r.get("seconds", 0) for r in results if r["status"] == "graded") / 2
    allowed = budget.lesson_seconds(len(INITIALIZATION), limits.limits)
    assert spent >= allowed
    assert all(f"s, all the time one hand-in of it may take ({allowed:.0f} s)" in r["why"]
               for r in results if r["status"] == "not run")
    assert [(e.score, e.status) for e in rows if (e.student, e.lesson) == ("bob", "01_initialization")] == [
        (3, "graded")]  # another learner's budget is their own
    # a second run: the copies still not run (what the one run took is kept with its result), nothing graded
    # again but them, in a moment
    rows, now = grade(handins, tmp_path / "grades", limits)
    assert now == 15
    ann = next(e for e in rows if (e.student, e.lesson) == ("ann", "01_initialization"))
    assert sorted(r["status"] for r in [ann.result] + [r for _, r in ann.others]) == ["graded"] * 2 + [
        "not run"] * 15


# ----------------------------------------------------------------------------------------------------------
# Two jails of one learner never at once

def test_two_hand_ins_of_one_learner_never_run_at_the_same_time(tmp_path, monkeypatch):
    """Every jail run is timed (its start and end, and whose code it ran) in the workers; with two workers, a
    learner's two hand-ins are graded one after the other while two learners' run side by side."""
    log, run = tmp_path / "runs", jails.Jail.run

    def timed(self, argv, request=b"", *args, **kwargs):
        start = time.time()
        try:
            return run(self, argv, request, *args, **kwargs)
        finally:
            who = next((name for name in ("ann", "bob") if f"mark_{name}".encode() in request), "-")
            with open(log, "a") as file:
                file.write(f"{who} {start} {time.time()}\n")
    monkeypatch.setattr(jails.Jail, "run", timed)
    slow = "def sigmoid(Z):\n    import time\n    time.sleep(0.3)\n    mark_{who} = 1\n    return 1 / (1 + np.exp(-Z))"
    handins = tmp_path / "handins"
    for who in ("ann", "bob"):
        for lesson, path in (("02_forward_propagation", LESSON_02), ("lab2_again", LESSON_02)):
            handed_in(handins / who / f"{lesson}.ipynb", path,
                      sigmoid=slow.format(who=who) + f"\n# {lesson}")
    grade(handins, tmp_path / "grades", settings(5))
    runs = [line.split() for line in log.read_text().splitlines()]
    spans = {who: [(float(start), float(end)) for name, start, end in runs if name == who] for who in ("ann", "bob")}
    assert all(len(found) >= 2 for found in spans.values()), spans

    def overlap(one, other):
        return one[0] < other[1] and other[0] < one[1]
    for who, found in spans.items():  # a learner's own runs: one at a time
        assert not any(overlap(one, other) for i, one in enumerate(found) for other in found[i + 1:]), who
    assert any(overlap(one, other) for one in spans["ann"] for other in spans["bob"])  # two workers at work


def test_on_a_dask_worker_a_learners_hand_ins_are_graded_one_after_another_under_the_budget(tmp_path):
    """What a Dask worker runs for one learner (running.grade_learner): the learner's hand-ins, in order, by one
    process it starts and stops, under the learner's budget: four looping copies, one run."""
    jobs = {}
    for copy in range(4):
        path = handed_in(tmp_path / f"lab1_v{copy}.ipynb", LESSON_01,
                         **{name: LOOP.format(name=name, copy=copy) for name in INITIALIZATION})
        jobs[f"copy {copy}"] = (path.read_bytes(), path.name, 5)
    limits = settings(1)
    done = running.grade_learner(jobs, limits, {})
    assert [(key, result["status"]) for key, result in done] == [
        ("copy 0", "graded"), ("copy 1", "not run"), ("copy 2", "not run"), ("copy 3", "not run")]
    assert done[0][1]["seconds"] >= budget.lesson_seconds(len(INITIALIZATION), limits.limits)
    # what the learner's hand-ins took before (cached results) counts: none run then
    again = running.grade_learner(jobs, limits, {"01_initialization": done[0][1]["seconds"]})
    assert [result["status"] for _, result in again] == ["not run"] * 4
    assert [pid for pid in processes_with("grading.classrun.pool") if parent_of(pid) == os.getpid()] == []
