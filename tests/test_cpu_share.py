"""Jails that cannot starve each other (grading/confine/): each run has a CPU cgroup of its own, with one share
and a quota of one CPU for all its processes whatever sessions they make; its CPU time is what the kernel
counted for them; a run out of wall-clock time for want of a CPU is run again alone; the scorecard says which
limit a function met.

The assertions are on the kernel's accounting, the cgroups' settings and the verdicts, never on how long
anything took: the machine may be busy with other work.
"""
import fcntl
import signal
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grading import cgroup as cgroups
from grading import jail as jails
from grading.confine import alone, cpu as cpus
from grading.verdict import check_function
from mutants import library_source
from test_channels import Watched
from test_jail import LIMITS, jail  # noqa: F401  (jail: the checked jail, a fixture)

ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="CPU cgroups are made by a grader run as root (CI)")
LOOP = "import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\ndef relu(Z):\n    while True:\n        pass\n"
# 32 processes, each in a session of its own (its own scheduling group without a cgroup), spinning
HOG = """
import os
for _ in range(31):
    if os.fork() == 0:
        os.setsid()
        break
os.setsid() if os.getpid() != os.getsid(0) else None
while True:
    pass
"""
HOG_LIMITS = jails.Limits(memory_mb=768, cpu_seconds=20, wall_seconds=3, processes=40, file_mb=4, disk_mb=16,
                          output_kb=64)


@pytest.fixture
def machine(tmp_path, jail):  # noqa: F811
    watched = Watched(tmp_path)
    yield watched
    watched.assert_nothing_left(jail)


def without_cpu_cgroups(monkeypatch):
    monkeypatch.setattr(cpus, "parent", lambda: (None, "no CPU cgroup (the defence taken away)"))


@ROOT
def test_a_loop_that_ignores_sigxcpu_is_out_of_cpu_time(machine, monkeypatch):
    limits = jails.Limits(**{**vars(LIMITS), "cpu_seconds": 1, "wall_seconds": 60})
    verdict = check_function(machine.watch(jails.Jail(limits)), "relu", LOOP, seed=7)
    assert (verdict.points, verdict.outcome, verdict.comment) == \
        (0, "out of time", "ran out of time: used more than 1 s of CPU time"), verdict
    without_cpu_cgroups(monkeypatch)  # the CPU time of the jail's processes is not known: a crash, it seemed
    verdict = check_function(machine.watch(jails.Jail(limits)), "relu", LOOP, seed=7)
    assert verdict.comment == "crashed the process that ran it (killed by signal SIGKILL)", verdict


@ROOT
def test_the_cpu_time_of_processes_in_sessions_of_their_own_is_counted_and_held_to_one_cpu(machine, monkeypatch):
    hog = machine.watch(jails.Jail(HOG_LIMITS))
    assert hog.cpu == "cgroup v1" or hog.cpu, hog.cpu_parents
    before = jails._children_cpu()
    done = hog.run([sys.executable, "-I", "-c", HOG])
    seen_as_children = jails._children_cpu() - before
    assert done.status == "time", done
    # the kernel counted all 32 (what the grader's children's usage saw is a small part of it, if anything)...
    assert done.cpu_seconds > 0.1 and seen_as_children < done.cpu_seconds / 2, (done, seen_as_children)
    # ... and held them together to one CPU at most (the quota), however many sessions they made
    assert done.cpu_seconds <= cpus.QUOTA_CPUS * done.seconds + 0.3, done
    without_cpu_cgroups(monkeypatch)
    unseen = machine.watch(jails.Jail(HOG_LIMITS)).run([sys.executable, "-I", "-c", HOG])
    assert unseen.status == "time" and unseen.cpu_seconds < done.cpu_seconds / 2, (unseen, done)


@ROOT
def test_a_right_function_beside_a_cpu_hog_scores_its_point(jail, machine):  # noqa: F811
    """Two workers side by side: a classmate's hog of 32 sessions in one, a right sigmoid in the other."""
    hogged = {}
    hog = machine.watch(jails.Jail(HOG_LIMITS))
    worker = threading.Thread(target=lambda: hogged.update(done=hog.run([sys.executable, "-I", "-c", HOG])))
    worker.start()
    try:
        right = check_function(jail, "sigmoid", library_source("sigmoid"), seed=7)
    finally:
        worker.join()
    assert (right.points, right.outcome) == (1, "ok"), right
    assert hogged["done"].status == "time" and hogged["done"].cpu_seconds > 0, hogged


@ROOT
def test_a_cpu_cgroup_holds_a_process_another_process_puts_there():
    version, parents = cpus.parent()
    assert version, parents
    made = cpus.CpuCgroup(version, parents)
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        folder = made.folders["cpu"]
        assert (folder / "cpu.cfs_quota_us").read_text().strip() == str(cpus.PERIOD_US * cpus.QUOTA_CPUS)
        assert (folder / "cpu.shares").read_text().strip() == str(cpus.SHARES)
        made.join(sleeper.pid)
        assert made.processes() == [sleeper.pid]
        assert f":{folder.name}" in Path(f"/proc/{sleeper.pid}/cgroup").read_text().replace("/", ":")
        made.leave(sleeper.pid)
        assert made.processes() == []
    finally:
        sleeper.kill()
        sleeper.wait()
        assert made.remove()
    assert not any(folder.exists() for folder in made.folders.values())


def test_a_run_out_of_wall_clock_time_for_want_of_a_cpu_is_run_again_alone(monkeypatch, tmp_path):
    """The first run holds the room shared (others may run beside it); its second runs with the room held."""
    monkeypatch.setattr(alone, "folder", lambda: str(tmp_path))
    limits = jails.Limits(wall_seconds=10, cpu_seconds=10)
    held = []

    def run_once(self, argv, request, results_limit, beside=None):
        taken = []
        for how in (fcntl.LOCK_SH, fcntl.LOCK_EX):  # what another run could take of the room meanwhile
            fd = os.open(tmp_path / alone.ROOM, os.O_RDWR)
            try:
                fcntl.flock(fd, how | fcntl.LOCK_NB)
                taken.append(True)
            except BlockingIOError:
                taken.append(False)
            finally:
                os.close(fd)
        held.append({(True, False): "beside", (False, False): "alone"}.get(tuple(taken), "no one"))
        if len(held) == 1:  # the first run: out of wall-clock time, having waited 4 s for a CPU, used 1 s of it
            return jails.Finished("time", -9, b"", "", 10.0, cpu_seconds=1.0, waited=4.0)
        return jails.Finished("ok", 0, b"{}", "", 2.0, cpu_seconds=1.5)

    monkeypatch.setattr(jails.Jail, "_run", run_once)
    done = jails.Jail(limits, isolated=False).run(["true"])
    assert held == ["beside", "alone"] and (done.status, done.alone) == ("ok", True), (held, done)
    # a run that sleeps (waits for no CPU), or that used its CPU (a hog at its own quota), is not run again
    for first in (jails.Finished("time", -9, b"", "", 10.0, cpu_seconds=0.1, waited=0.0),
                  jails.Finished("time", -9, b"", "", 10.0, cpu_seconds=9.5, waited=60.0)):
        assert not first.starved(limits), first


def test_a_cgroup_v2_gives_the_jails_a_cpu_share_and_quota(tmp_path, monkeypatch):
    root = tmp_path / "unified"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpu io memory pids\n")
    (root / "cgroup.subtree_control").write_text("memory\n")
    monkeypatch.setattr(cgroups, "_mounts", lambda controller="memory": ((str(root), "/"), None))
    monkeypatch.setattr(cgroups, "_own", lambda version, controller="memory": "/" if version == 2 else None)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert cpus.parent() == (2, {"cpu": root, "cpuacct": root})
    assert (root / "cgroup.subtree_control").read_text() == "+cpu"  # enabled for the jails' cgroups
    own = cpus.CpuCgroup(2, {"cpu": root, "cpuacct": root})
    folder = own.folders["cpu"]
    assert folder.parent == root and (folder / "cpu.max").read_text() == "100000 100000"
    assert (folder / "cpu.weight").read_text() == "100"
    (folder / "cpu.stat").write_text("usage_usec 2500000\nuser_usec 2000000\nnr_throttled 7\n")
    assert (own.usage(), own.throttled()) == (2.5, 7)
    (folder / "cpu.stat").unlink()
    for name in list(folder.iterdir()):  # the kernel empties a removed cgroup's folder itself
        name.unlink()
    assert own.remove() and not folder.exists()
    memory = root / "dnn-jail-1-0"
    memory.mkdir()
    shared = cpus.CpuCgroup(2, {"cpu": root, "cpuacct": root}, folder=memory)  # in the run's v2 memory cgroup
    assert shared.folders["cpu"] == memory and (memory / "cpu.max").exists()
    assert shared.remove() and memory.exists()  # the memory cgroup removes it


def test_a_process_forked_while_a_run_holds_the_room_does_not_keep_it(monkeypatch, tmp_path):
    """A worker or a reading child forked during a run would otherwise hold the room as long as it lives."""
    monkeypatch.setattr(alone, "folder", lambda: str(tmp_path))
    ready, told = os.pipe()
    with alone.beside():
        child = os.fork()
        if child == 0:  # what it runs is Python's: the fork's handlers have run
            os.write(told, b"x")
            time.sleep(30)
            os._exit(0)
    assert os.read(ready, 1) == b"x"
    os.close(ready)
    os.close(told)
    fd = os.open(tmp_path / alone.ROOM, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a run alone can have the room: no one holds it
    finally:
        os.close(fd)
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
