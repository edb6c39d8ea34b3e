"""A memory cgroup per jailed run: all the memory the jail holds (its processes, its files in memory, what the
kernel holds for it, its TCP buffers included) counted against one limit, and the cgroup removed when the run
ends.

cgroup v2 where its memory controller can be had below the grader's own cgroup; cgroup v1's memory hierarchy
where that is what the machine mounts. Each run's cgroup is made below the grader's own, named
`dnn-jail-<grader's pid>-<n>`; one left by a grader that was killed is removed by the next one.
"""
import errno
import itertools
import os
import signal
import time
from pathlib import Path

PREFIX = "dnn-jail-"
_COUNTER = itertools.count()


def _mounts(controller="memory"):
    """(cgroup v2 mount, its root) and (cgroup v1 mount of `controller`, its root), each None when absent."""
    v2 = v1 = None
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return None, None
    for line in lines:
        fields = line.split()
        if " - " not in line:
            continue
        after = line.split(" - ", 1)[1].split()
        kind, options = after[0], after[2] if len(after) > 2 else ""
        if kind == "cgroup2" and v2 is None:
            v2 = (fields[4], fields[3])
        elif kind == "cgroup" and controller in options.split(",") and v1 is None:
            v1 = (fields[4], fields[3])
    return v2, v1


def _own(version, controller="memory"):
    """This process's cgroup path in hierarchy `version` (2, or 1 for `controller`)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        number, controllers, path = line.split(":", 2)
        if (version == 2 and number == "0" and controllers == "") or \
                (version == 1 and controller in controllers.split(",")):
            return path
    return None


def _below(mount, root, path):
    """The folder of cgroup `path` (as /proc/self/cgroup names it) under a mount whose root is `root`."""
    if root != "/" and (path == root or path.startswith(root.rstrip("/") + "/")):
        path = path[len(root.rstrip("/")):]
    return Path(mount, path.lstrip("/"))


def parent():
    """(version, folder) where the jails' cgroups are made, or (None, why there is none)."""
    if os.geteuid() != 0:
        return None, "the grader is not root, and no cgroup is delegated to it"
    v2, v1 = _mounts()
    why = []
    if v1:
        folder = _below(*v1, _own(1) or "/")
        if os.access(folder, os.W_OK):
            return 1, folder
        why.append(f"{folder} is not writable")
    if v2:
        folder, missing = enabled(v2, "memory")
        if folder:
            return 2, folder
        why.append(missing)
    return None, "; ".join(why) or "no cgroup hierarchy with a memory controller is mounted"


def enabled(v2, controller):
    """(the grader's own cgroup v2 folder, None) once `controller` is enabled for the cgroups made below it, or
    (None, why it cannot be). `v2`: the cgroup v2 mount and its root."""
    folder = _below(*v2, _own(2) or "/")
    try:
        if controller not in (folder / "cgroup.controllers").read_text().split():
            return None, f"cgroup v2 at {folder} has no {controller} controller"
        if controller not in (folder / "cgroup.subtree_control").read_text().split():
            (folder / "cgroup.subtree_control").write_text(f"+{controller}")
        return folder, None
    except OSError as error:
        return None, f"cgroup v2 at {folder}: {error.strerror}"


class MemoryCgroup:
    """One run's memory cgroup. `join()` (in the child, before it starts the jail) moves the calling process
    into it; `oom_kills()` counts the processes the kernel killed at the limit; `remove()` removes it."""

    def __init__(self, version, folder, limit_bytes):
        self.version, self.limit = version, limit_bytes
        self.folder = Path(folder, f"{PREFIX}{os.getpid()}-{next(_COUNTER)}")
        self.folder.mkdir()
        try:
            if version == 1:
                self._write("memory.limit_in_bytes", limit_bytes)
                if (self.folder / "memory.memsw.limit_in_bytes").exists():  # swap counted too, where it is
                    self._write("memory.memsw.limit_in_bytes", limit_bytes)
                self._write("memory.swappiness", 0, missing_ok=True)
                # What the kernel holds for the jail: on cgroup v1 its TCP buffers count only once this limit is
                # set, and kernel memory as a whole is limited apart only on kernels before 5.16 (later ones
                # count it with the rest, and ignore the limit)
                for name in ("memory.kmem.tcp.limit_in_bytes", "memory.kmem.limit_in_bytes"):
                    try:
                        self._write(name, limit_bytes, missing_ok=True)
                    except OSError:  # a kernel that no longer lets it be set
                        pass
            else:
                self._write("memory.max", limit_bytes)
                self._write("memory.swap.max", 0, missing_ok=True)
        except BaseException:
            self.remove()
            raise
        self._procs = str(self.folder / "cgroup.procs")

    def _write(self, name, value, missing_ok=False):
        try:
            (self.folder / name).write_text(str(value))
        except FileNotFoundError:
            if not missing_ok:
                raise

    def join(self, pid=None):
        """Move process `pid` (by default the calling one) into the cgroup (async-signal-safe enough for a child
        before exec)."""
        write_pid(self._procs, pid)

    def _field(self, name, key):
        try:
            for line in (self.folder / name).read_text().splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[0] == key:
                    return int(parts[1])
        except (OSError, ValueError):
            pass
        return 0

    def oom_kills(self):
        return self._field("memory.oom_control" if self.version == 1 else "memory.events", "oom_kill")

    def peak(self):
        """The most memory the run held at once, in bytes (0 where the kernel does not say)."""
        name = "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak"
        try:
            return int((self.folder / name).read_text())
        except (OSError, ValueError):
            return 0

    def processes(self):
        try:
            return [int(pid) for pid in (self.folder / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def remove(self, seconds=2.0):
        """Remove the cgroup once its processes are gone (they are being killed): True when it is gone."""
        return remove_folder(self.folder, seconds)


def write_pid(procs, pid=None):
    """Move process `pid` (by default the calling one) into the cgroup whose cgroup.procs is `procs`."""
    fd = os.open(procs, os.O_WRONLY)
    try:
        os.write(fd, str(os.getpid() if pid is None else pid).encode())
    finally:
        os.close(fd)


def remove_folder(folder, seconds=2.0):
    """Remove the cgroup `folder` once its processes are gone (they are being killed): True when it is gone."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            os.rmdir(folder)
            return True
        except FileNotFoundError:
            return True
        except OSError as error:
            if error.errno != errno.EBUSY or time.monotonic() > deadline:
                return False
            time.sleep(0.005)


def sweep(folder):
    """Remove the cgroups left below `folder` by graders that no longer run, killing what is left in them (a
    jail's processes only: a cgroup of a jail holds nothing else)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(PREFIX):
            continue
        pid = entry.name[len(PREFIX):].split("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not os.path.exists(f"/proc/{pid}"):
            try:
                for left in Path(entry.path, "cgroup.procs").read_text().split():
                    os.kill(int(left), signal.SIGKILL)
            except (OSError, ValueError):
                pass
            for _ in range(100):
                try:
                    os.rmdir(entry.path)
                    break
                except OSError as error:
                    if error.errno != errno.EBUSY:
                        break
                    time.sleep(0.01)
