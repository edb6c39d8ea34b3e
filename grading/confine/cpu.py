"""A CPU cgroup per jailed run: its own share of the machine and a quota of one CPU for all its processes, whatever
sessions they make, and the CPU time they used, as the kernel counts it.

Without one, each process of a jail in a session of its own is a scheduling group of its own (the kernel's
autogroups): 32 of them took 32 shares of the CPUs where the right function of another jail beside them had
one. In a cgroup of its own the whole jail is one group, with the same share as any other jail (cpu.shares 1024
on cgroup v1, cpu.weight 100 on v2) and at most one CPU's time in each period (cpu.cfs_quota_us, cpu.max).

cgroup v1's cpu and cpuacct hierarchies (mounted together or apart) where the machine mounts them; cgroup v2
where its cpu controller can be had below the grader's cgroup: a process has one cgroup in v2, so there the
run's cgroup is its memory cgroup's folder when that is v2 too. Cgroups are named as the memory cgroups are
(`dnn-jail-<grader's pid>-<n>`), and one left by a killed grader is removed by the next.

Another process (one that serves the jail from outside it) can be counted with the jail: `join(pid)` moves it
in, `leave(pid)` back to where the grader's cgroups are, before the run's cgroup is removed.
"""
import itertools
import os
from pathlib import Path

from .. import cgroup as cgroups

PERIOD_US = 100_000          # the period of the quota
QUOTA_CPUS = 1               # the CPUs' time a jail may use in each period, all its processes together
SHARES, WEIGHT = 1024, 100   # its share beside the other jails (cgroup v1, v2): the kernel's defaults
_COUNTER = itertools.count()


def parent():
    """(version, {"cpu": folder, "cpuacct": folder}) where the jails' CPU cgroups are made (the same folder twice
    where cpu and cpuacct are mounted together, and on v2), or (None, why there is none)."""
    if os.geteuid() != 0:
        return None, "the grader is not root, and no cgroup is delegated to it"
    why, folders = [], {}
    for controller in ("cpu", "cpuacct"):
        mount = cgroups._mounts(controller)[1]
        if mount:
            folder = cgroups._below(*mount, cgroups._own(1, controller) or "/")
            if os.access(folder, os.W_OK):
                folders[controller] = folder
            else:
                why.append(f"{folder} is not writable")
    if len(folders) == 2:
        return 1, folders
    v2 = cgroups._mounts("cpu")[0]
    if v2:
        folder, missing = cgroups.enabled(v2, "cpu")
        if folder:
            return 2, {"cpu": folder, "cpuacct": folder}
        why.append(missing)
    return None, "; ".join(why) or "no cgroup hierarchy with a cpu controller is mounted"


class CpuCgroup:
    """One run's CPU cgroup. `folder`: on v2, the run's memory cgroup when it is a v2 cgroup too (then this one
    neither makes nor removes it)."""

    def __init__(self, version, parents, folder=None):
        self.version, self.parents = version, parents
        name = f"{cgroups.PREFIX}{os.getpid()}-cpu{next(_COUNTER)}"
        if folder is not None:
            self.folders, self.made = {"cpu": Path(folder), "cpuacct": Path(folder)}, []
        else:
            self.folders = {controller: Path(where, name) for controller, where in parents.items()}
            self.made = list(dict.fromkeys(self.folders.values()))
        try:
            for made in self.made:
                made.mkdir()
            if version == 1:
                self._write("cpu", "cpu.shares", SHARES)
                self._write("cpu", "cpu.cfs_period_us", PERIOD_US)
                self._write("cpu", "cpu.cfs_quota_us", PERIOD_US * QUOTA_CPUS)
            else:
                self._write("cpu", "cpu.weight", WEIGHT)
                self._write("cpu", "cpu.max", f"{PERIOD_US * QUOTA_CPUS} {PERIOD_US}")
        except BaseException:
            self.remove()
            raise
        self._procs = [str(folder / "cgroup.procs") for folder in dict.fromkeys(self.folders.values())]

    def _write(self, controller, name, value):
        (self.folders[controller] / name).write_text(str(value))

    def _read(self, controller, name):
        try:
            return (self.folders[controller] / name).read_text()
        except OSError:
            return ""

    def join(self, pid=None):
        """Move process `pid` (by default the calling one: a jail's first process, before it starts the jail)
        into the cgroup, in each hierarchy."""
        for procs in self._procs:
            cgroups.write_pid(procs, pid)

    def leave(self, pid):
        """Move process `pid` back to the cgroups the jails' cgroups are made in."""
        for where in dict.fromkeys(self.parents.values()):
            cgroups.write_pid(str(Path(where, "cgroup.procs")), pid)

    def usage(self):
        """The CPU time the cgroup's processes have used, in seconds, those that ended included."""
        if self.version == 1:
            text = self._read("cpuacct", "cpuacct.usage").strip()
            return int(text) / 1e9 if text.isdigit() else 0.0
        return _field(self._read("cpu", "cpu.stat"), "usage_usec") / 1e6

    def throttled(self):
        """How many periods the cgroup spent held at its quota."""
        return _field(self._read("cpu", "cpu.stat"), "nr_throttled")

    def waited(self):
        """The time the cgroup's threads still running have waited for a CPU in all (the kernel's schedstat), in
        seconds: a busy machine, or a jail with more runnable threads than its quota."""
        tasks = self._read("cpu", "tasks" if self.version == 1 else "cgroup.threads").split()
        total = 0
        for task in tasks:
            try:
                total += int(Path(f"/proc/{task}/schedstat").read_text().split()[1])
            except (OSError, IndexError, ValueError):
                pass
        return total / 1e9

    def processes(self):
        found = []
        for procs in self._procs:
            try:
                found += [int(pid) for pid in Path(procs).read_text().split()]
            except OSError:
                pass
        return sorted(set(found))

    def remove(self, seconds=2.0):
        """Remove the cgroup's folders once its processes are gone: True when they are gone."""
        return all([cgroups.remove_folder(made, seconds) for made in self.made])


def _field(text, key):
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == key and parts[1].isdigit():
            return int(parts[1])
    return 0
