"""cgroup v2 (grading/cgroup.py): where a machine mounts the unified hierarchy, the jails' memory cgroups are made
there when its memory controller can be had, and the grader says why not when it cannot.

This kind of machine binds the memory controller to cgroup v1, so a cgroup v2 mounted here has none: the test
mounts one and checks that the grader finds it, reads its controllers and names what is missing. The folder
work of a v2 memory cgroup (enabling the controller for the children, memory.max, memory.swap.max, the oom
count in memory.events, memory.peak) is checked on a folder laid out as the kernel lays out cgroupfs."""
import os
import subprocess
from pathlib import Path

import pytest

from grading import cgroup

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="memory cgroups are made by a grader run as root (CI)")


def only_v2(monkeypatch, mount, own="/"):
    """The grader sees one cgroup v2 mount (its root "/") at `mount`, itself at `own`, and no cgroup v1."""
    monkeypatch.setattr(cgroup, "_mounts", lambda: ((str(mount), "/"), None))
    monkeypatch.setattr(cgroup, "_own", lambda version: own if version == 2 else None)


def test_a_cgroup_v2_without_its_memory_controller_is_named(tmp_path, monkeypatch):
    mount = tmp_path / "unified"
    mount.mkdir()
    subprocess.run(["mount", "-t", "cgroup2", "none", str(mount)], check=True)
    try:
        controllers = (mount / "cgroup.controllers").read_text().split()
        if "memory" in controllers:
            pytest.skip("this machine's cgroup v2 has the memory controller: the jails' own tests use it")
        only_v2(monkeypatch, mount)
        assert cgroup.parent() == (None, f"cgroup v2 at {mount} has no memory controller")
        assert "memory" not in (mount / "cgroup.subtree_control").read_text()
    finally:
        subprocess.run(["umount", str(mount)], check=True)
    assert not any(line.split()[4] == str(mount) for line in Path("/proc/self/mountinfo").read_text().splitlines())


def cgroupfs(folder):
    """A folder laid out as cgroup v2 lays out a cgroup whose memory controller can be enabled; new folders
    below it get the files a child cgroup has (a kernel makes them itself)."""
    folder.mkdir()
    (folder / "cgroup.controllers").write_text("cpu io memory pids\n")
    (folder / "cgroup.subtree_control").write_text("\n")
    return folder


@pytest.fixture
def kernel_files(monkeypatch):
    """Path.mkdir below a fake cgroupfs makes a child cgroup's files, as the kernel would."""
    made = Path.mkdir

    def mkdir(self, *args, **kwargs):
        made(self, *args, **kwargs)
        if self.name.startswith(cgroup.PREFIX):
            for name, text in (("memory.max", "max\n"), ("memory.swap.max", "max\n"), ("cgroup.procs", ""),
                               ("memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n"),
                               ("memory.peak", "52428800\n")):
                (self / name).write_text(text)
    monkeypatch.setattr(Path, "mkdir", mkdir)


def test_a_cgroup_v2_with_its_memory_controller_holds_the_jails(tmp_path, monkeypatch, kernel_files):
    root = cgroupfs(tmp_path / "unified")
    only_v2(monkeypatch, root)
    assert cgroup.parent() == (2, root)
    assert (root / "cgroup.subtree_control").read_text() == "+memory"  # enabled for the jails' cgroups
    made = cgroup.MemoryCgroup(2, root, 256 << 20)
    assert made.folder.parent == root and made.folder.name.startswith(f"{cgroup.PREFIX}{os.getpid()}-")
    assert (made.folder / "memory.max").read_text() == str(256 << 20)
    assert (made.folder / "memory.swap.max").read_text() == "0"
    assert (made.oom_kills(), made.peak(), made.processes()) == (1, 50 << 20, [])
    for name in list(made.folder.iterdir()):  # the kernel empties a removed cgroup's folder itself
        name.unlink()
    assert made.remove() and not made.folder.exists()


def test_the_grader_finds_its_own_cgroup_below_the_v2_root(tmp_path, monkeypatch, kernel_files):
    """A grader in a service's cgroup (as systemd starts one) makes the jails' cgroups below its own."""
    root = cgroupfs(tmp_path / "unified")
    own = cgroupfs(root / "system.slice")
    only_v2(monkeypatch, root, own="/system.slice")
    assert cgroup.parent() == (2, own)
    assert (own / "cgroup.subtree_control").read_text() == "+memory"
    assert (root / "cgroup.subtree_control").read_text() == "\n"


def test_a_cgroup_v2_the_grader_cannot_write_is_named(tmp_path, monkeypatch):
    root = cgroupfs(tmp_path / "unified")
    only_v2(monkeypatch, root)
    # the refusal is the kernel's: a read-only bind of the folder, as a container may give one
    subprocess.run(["mount", "--bind", "-o", "ro", str(root), str(root)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(root)], check=True)
        version, why = cgroup.parent()
        assert version is None and why == f"cgroup v2 at {root}: Read-only file system", why
    finally:
        subprocess.run(["umount", str(root)], check=True)
