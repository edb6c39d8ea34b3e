"""The jail a hand-in's code runs in: bubblewrap (bwrap), an unprivileged user, limits, and nothing left behind.

Inside, the process sees a read-only view of the system (/usr, Python and the virtual environment, a few files
of /etc), its own writable home folder and /tmp (both in memory, of a limited size, gone when it ends), its
own /proc, /dev and process namespace, and a network of its own with only a loopback interface: nothing on
the grading machine answers there. It runs as an unprivileged user with no capabilities and no way to gain
any (no_new_privs), under limits on memory, CPU time, processes, file size and output; a run that goes past
its wall-clock time is killed with everything it started (the process namespace dies with it).

As root (CI, most grading machines) bwrap sets up the namespaces and setpriv drops to a user id that no run
has had since the machine started (drawn from a counter kept in /run, so the process limit counts this
run's processes only and nothing the kernel keeps by user id, such as keyrings, passes from one run to the
next); as a normal user, bwrap makes a new user namespace for each run and the code runs as that user.

Every jail also has a seccomp filter (seccomp.py: no keyrings, namespaces, mounts, System V IPC, memfd, bpf,
perf events, userfaultfd, ptrace, modules or kexec) and, where the machine has one, a memory cgroup of its
own (cgroup.py) that counts all the memory it holds against its limit, removed when the run ends.

Before it grades, the grader checks from inside a jail that all this holds (confine/probe.py).

Where no jail can be had (no bwrap, or a kernel that refuses the namespaces), `Jail(isolated=True)` raises
JailUnavailable; `Jail(isolated=False)` runs the same command with the same limits but without the namespaces,
and every scorecard says so.
"""
import contextlib
import dataclasses
import fcntl
import importlib.metadata
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import cgroup as cgroups
from . import seccomp
from .confine import alone, environment, streams
from .confine import cpu as cpus

# As root each run gets the next user id of this range, counted in UID_FILE (in /run: from one boot to the next,
# as long as the kernel keeps anything by user id)
FIRST_UID, LAST_UID = 2_000_000_000, 4_000_000_000
UID_FILE = "/run/dnn-jail-next-uid"
ETC_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/alternatives")
HOME, FILES = "/home/learner", "/jail/files"
LIB, PYTHON = environment.JAIL_LIB, environment.JAIL_PYTHON
PASSED_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL")
LIB_FILES = environment.LIB_FILES  # what the jail sees of the project, at /jail/lib


@dataclasses.dataclass
class Limits:
    """What one jailed run may use. The defaults are those of docs/grading.md."""
    memory_mb: int = 1024       # address space of each process (RLIMIT_AS)
    cpu_seconds: int = 60       # CPU time of all its processes together (its CPU cgroup), and of each (RLIMIT_CPU)
    wall_seconds: float = 60    # wall-clock time of the whole run
    processes: int = 32         # processes and threads of the jail's user (RLIMIT_NPROC)
    file_mb: int = 16           # size of any one file written (RLIMIT_FSIZE)
    disk_mb: int = 64           # the writable home folder and /tmp, each (size of their tmpfs)
    output_kb: int = 256        # what the code may print (stdout and stderr together)

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"Limits: {field.name} must be a positive number, got {value!r}")


@dataclasses.dataclass
class Finished:
    """How a jailed run ended: `status` is "ok" (it exited by itself), "time" (killed at the wall-clock limit),
    "cpu" (killed when its processes together had used their CPU time), "output" (killed for printing too much),
    "results" (killed for sending too much back) or "memory" (the kernel killed one of its processes at the
    jail's memory limit); `code` is its exit status (negative: the signal that killed it)."""
    status: str
    code: int
    results: bytes
    output: str
    seconds: float
    cpu_seconds: float = 0.0  # the CPU time of all the jail's processes (its CPU cgroup's count, where it has one)
    peak_bytes: int = 0     # the most memory the jail's cgroup held at once (0: no cgroup)
    waited: float = 0.0     # at the wall-clock limit, how long its threads had waited for a CPU (0: no CPU cgroup)
    alone: bool = False     # run again alone, as it ran out of wall-clock time on a busy machine

    def starved(self, limits):
        """Whether it ran out of wall-clock time for want of a CPU: its threads waited for one (a tenth of its
        time or more) and it used less than 90% of a CPU and less than its CPU time (a jail held at its own
        quota used it all; a run that sleeps or waits on something else waits for no CPU)."""
        return (self.status == "time" and not self.alone and self.waited >= 0.1 * limits.wall_seconds
                and self.cpu_seconds < min(0.9 * self.seconds, limits.cpu_seconds))


class JailUnavailable(RuntimeError):
    """No jail can be made on this machine: the reason, and what to do."""


def bwrap_path():
    return shutil.which("bwrap")


class Jail:
    """Runs commands jailed (isolated=True) or only under the limits (isolated=False)."""

    def __init__(self, limits=None, isolated=True, files=None, kernel_sockets=False):
        """`files`: a folder shown read-only at /jail/files (the notebook and what it needs, for a full run).
        `kernel_sockets`: the jail may make the sockets a notebook's kernel needs (seccomp.KERNEL_FAMILIES);
        otherwise no socket at all."""
        self.limits, self.isolated, self.files = limits or Limits(), isolated, files
        self.kernel_sockets = kernel_sockets
        self.root = os.geteuid() == 0
        self.uid = None if self.root else os.getuid()  # the user id of the latest run
        self.uids = []  # as root, the user id of each run, each new
        version, self.cgroup_parent = cgroups.parent()
        self.memory = f"cgroup v{version}" if version else None  # None: no cgroup (self.cgroup_parent says why)
        if version:
            cgroups.sweep(self.cgroup_parent)
        version, self.cpu_parents = cpus.parent()  # {controller: folder}, or why there is none
        self.cpu = f"cgroup v{version}" if version else None
        for folder in dict.fromkeys(self.cpu_parents.values()) if version else ():
            cgroups.sweep(folder)
        self.cpu_cgroup = None  # the CPU cgroup of the run under way: cpu_cgroup.join(pid) counts another process
        # the Python it runs and the files of /jail/lib, where no path of this machine shows (confine/environment.py)
        self.layout = _layout() if isolated else None
        self.python = f"{PYTHON}/bin/{environment.VERSION}" if isolated else sys.executable

    def close(self):
        """Nothing to release: a jail leaves nothing behind between runs (kept for `with`)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------------------------------------------
    # The command

    def runner(self):
        """The command that runs runner.py in the jail."""
        return [self.python, "-I", f"{LIB}/runner.py"]

    def python_roots(self):
        """The folders the jail's Python and its packages live in, as the jail sees them."""
        if not self.isolated:
            return python_roots()
        return sorted({PYTHON, os.path.dirname(os.path.dirname(self.layout["interpreter"]))})

    def readable(self):
        """The folders the jailed code may read, as it sees them (its own folder is always readable)."""
        return sorted({*self.python_roots(), "/usr", "/etc", "/dev", "/proc", "/bin", "/lib", "/lib64", LIB, FILES,
                       "/tmp"} if self.isolated else {*python_roots(), tempfile.gettempdir()})

    def command(self, argv, info_fd=None, lib=None, seccomp_fd=None):
        """bwrap's command line for `argv`; without isolation, `argv` itself with /jail/lib/ read as `lib`.
        `seccomp_fd`: where bwrap reads the filter (seccomp.program_fd()). In a jail, a command of this
        process's Python (sys.executable) runs the jail's."""
        if not self.isolated:
            return [lib + arg[len(LIB):] if arg.startswith(LIB + "/") else arg for arg in argv]
        if argv and argv[0] == sys.executable:
            argv = [self.python, *argv[1:]]
        limits = self.limits
        args = [bwrap_path()] + (["--info-fd", str(info_fd)] if info_fd is not None else []) + ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
        if seccomp_fd is not None:
            args += ["--seccomp", str(seccomp_fd)]
        if not self.root:
            args += ["--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
        args += ["--ro-bind", "/usr", "/usr"]
        for name in ("bin", "lib", "lib64", "sbin"):
            if os.path.islink(f"/{name}"):
                args += ["--symlink", os.readlink(f"/{name}"), f"/{name}"]
            elif os.path.isdir(f"/{name}"):
                args += ["--ro-bind", f"/{name}", f"/{name}"]
        for path in ETC_FILES:
            if os.path.exists(path):
                args += ["--ro-bind", path, path]
        # /tmp first: Python or the environment may live under /tmp, and a bind made before the tmpfs would
        # be hidden by it
        args += ["--proc", "/proc", "--dev", "/dev",
                 "--size", str(limits.disk_mb << 20), "--perms", "1777", "--tmpfs", "/tmp"]
        interpreter = self.layout["interpreter"]
        if not interpreter.startswith("/usr/"):  # the grader's own Python, at its own path (environment.py)
            root = os.path.dirname(os.path.dirname(interpreter))
            args += _parents(root) + ["--ro-bind", root, root]
        args += ["--perms", "0755", "--dir", "/home",
                 "--size", str(limits.disk_mb << 20), "--perms", "1777", "--tmpfs", HOME,
                 "--perms", "0755", "--dir", "/jail", "--ro-bind", self.layout["python"], PYTHON,
                 "--ro-bind", self.layout["lib"], LIB]
        if self.files:
            args += ["--ro-bind", str(self.files), FILES]
        for key, value in self.environment().items():
            args += ["--setenv", key, value]
        args += ["--chdir", HOME, "--"]
        if self.root:
            args += ["setpriv", f"--reuid={self.uid}", f"--regid={self.uid}", "--clear-groups",
                     "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
        return args + list(argv)

    def environment(self, home=HOME):
        env = {key: os.environ[key] for key in PASSED_ENV if key in os.environ}
        env.update(HOME=home, TMPDIR="/tmp", PATH="/usr/bin:/bin", MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1",
                   OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                   JUPYTER_RUNTIME_DIR=f"{home}/.runtime", IPYTHONDIR=f"{home}/.ipython",
                   MPLCONFIGDIR=f"{home}/.matplotlib", JUPYTER_PLATFORM_DIRS="1")
        return env

    def _start(self, cgroup, keyctl, cpu_cgroup=None):
        """In the child, before bwrap starts: a new session keyring of its own (not the grader's, which every
        run would share), into the run's memory and CPU cgroups, then the limits."""
        if _PRCTL.get("prctl") is not None:  # killed with the grader, even one that dies before bwrap starts
            _PRCTL["prctl"](PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != _PRCTL["parent"]:
                os._exit(1)
        if keyctl is not None:
            keyctl(KEYCTL_JOIN_SESSION_KEYRING, None)
        if cgroup is not None:
            cgroup.join()
        if cpu_cgroup is not None:
            cpu_cgroup.join()
        self._set_limits()

    def _set_limits(self):
        """In the child, before bwrap starts: the limits, inherited by everything in the jail."""
        limits = self.limits
        memory = limits.memory_mb << 20
        processes = limits.processes + (0 if self.root else _processes_of(self.uid))
        for which, value in ((resource.RLIMIT_AS, memory), (resource.RLIMIT_NPROC, processes),
                             (resource.RLIMIT_FSIZE, limits.file_mb << 20), (resource.RLIMIT_CORE, 0),
                             (resource.RLIMIT_NOFILE, 256)):
            resource.setrlimit(which, (value, value))
        # SIGXCPU at the limit, SIGKILL a second later if the code ignores it
        resource.setrlimit(resource.RLIMIT_CPU, (int(limits.cpu_seconds), int(limits.cpu_seconds) + 1))

    # ------------------------------------------------------------------------------------------------------
    # Running

    def run(self, argv, request=b"", results_limit=64 << 20, beside=None):
        """Run `argv` in the jail with `request` on its stdin; read its stdout (the results, up to
        `results_limit` bytes) and its stderr (its output, up to limits.output_kb). Returns a Finished.
        Without isolation it runs in a new temporary folder (its HOME), removed afterwards. A run that ran out
        of wall-clock time for want of a CPU (Finished.starved) is run again alone (confine/alone.py).
        `beside`: a process that runs beside the jail and counts against it (support.Answerer): started for
        each run, in the jail's cgroups, before the jail; the file descriptors its `start` returns are passed
        into the jail (at the same numbers); stopped when the run ends."""
        # a run alone waits for those under way: a long one (a notebook's full run) does not make it wait
        with alone.beside() if self.limits.wall_seconds <= ALONE_WAIT else contextlib.nullcontext():
            done = self._run(argv, request, results_limit, beside)
        if not done.starved(self.limits):
            return done
        with alone.alone():
            done = self._run(argv, request, results_limit, beside)
        done.alone = True
        return done

    def _cpu_cgroup(self, memory):
        """A new CPU cgroup for a run (None where there is none); on cgroup v2, in the run's memory cgroup
        `memory` when that is a v2 cgroup too (a process has one cgroup there)."""
        if not self.cpu:
            return None
        version = int(self.cpu[-1])
        shared = memory.folder if memory is not None and memory.version == 2 == version else None
        return cpus.CpuCgroup(version, self.cpu_parents, shared)

    def _run(self, argv, request, results_limit, beside):
        limits, start, cpu = self.limits, time.monotonic(), _children_cpu()
        if self.root:
            self.uid = fresh_uid()
            self.uids.append(self.uid)
        cgroup = cgroups.MemoryCgroup(int(self.memory[-1]), self.cgroup_parent, limits.memory_mb << 20) \
            if self.memory else None
        try:
            self.cpu_cgroup = cpu_cgroup = self._cpu_cgroup(cgroup)
        except BaseException:
            if cgroup is not None:
                cgroup.remove()
            raise
        work = None if self.isolated else tempfile.mkdtemp(prefix="dnn_unjailed_")
        env = None if self.isolated else dict(self.environment(work), PATH=os.environ.get("PATH", "/usr/bin:/bin"))
        lib = None if self.isolated else _copy_lib(Path(work) / ".jail_lib")
        info_read, info_write = os.pipe() if self.isolated else (None, None)
        seccomp_fd = seccomp.program_fd(self.kernel_sockets) if self.isolated else None
        keyctl = _keyctl()
        _prctl()
        process = None
        try:
            passed = beside.start(_joiner(cgroup, cpu_cgroup)) if beside is not None else ()
            process = subprocess.Popen(self.command(argv, info_write, lib, seccomp_fd), stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                       preexec_fn=lambda: self._start(cgroup, keyctl, cpu_cgroup), env=env,
                                       cwd=work, pass_fds=tuple(fd for fd in (info_write, seccomp_fd, *passed)
                                                                if fd is not None))
        finally:
            for fd in (info_write, seccomp_fd):
                if fd is not None:
                    os.close(fd)
            if beside is not None:
                beside.close_fds()
                if process is None:
                    beside.stop()
            if process is None:
                if info_read is not None:
                    os.close(info_read)
                for made in (cgroup, cpu_cgroup):
                    if made is not None:
                        made.remove()
        status, chunks, kills, peak, waited = "ok", {"results": [], "output": []}, 0, 0, 0.0
        over = (lambda: cpu_cgroup.usage() >= limits.cpu_seconds) if cpu_cgroup else None
        try:
            namespace = streams.namespace_pid(info_read, start + limits.wall_seconds) if self.isolated else None
            streams.feed(process.stdin, request)
            status = streams.collect(process, chunks, start + limits.wall_seconds,
                              {"results": results_limit, "output": limits.output_kb << 10}, over)
            waited = cpu_cgroup.waited() if cpu_cgroup and status == "time" else 0.0
        finally:
            streams.kill(process, namespace if self.isolated else None)
            if beside is not None:  # before the CPU time is read: the answers' CPU time is the jail's
                beside.stop()
            used = cpu_cgroup.usage() if cpu_cgroup is not None else _children_cpu() - cpu
            if cgroup is not None:
                kills, peak = cgroup.oom_kills(), cgroup.peak()
                _remove_cgroup(cgroup)
            if cpu_cgroup is not None:
                _remove_cgroup(cpu_cgroup)
                self.cpu_cgroup = None
            if work:
                shutil.rmtree(work, ignore_errors=True)
        if kills and status in ("ok", "time"):  # at its memory limit a jail may crawl before the kernel kills
            status = "memory"
        output = b"".join(chunks["output"]).decode("utf-8", errors="replace")
        return Finished(status, process.returncode, b"".join(chunks["results"]), output, time.monotonic() - start,
                        used, peak, waited)


def _joiner(*made):
    """What puts the calling process into the run's cgroups `made` (those that are not None), or None."""
    made = [cgroup for cgroup in made if cgroup is not None]
    return (lambda: [cgroup.join() for cgroup in made]) if made else None


KEYCTL_JOIN_SESSION_KEYRING = 1
ALONE_WAIT = 120  # seconds: runs with a longer wall-clock limit do not keep a run alone waiting (confine/alone.py)


def _keyctl():
    """libc's keyctl-by-syscall, looked up here (not in the child, between fork and exec); None off Linux."""
    if "keyctl" not in _LIBC:
        import ctypes
        number = {"x86_64": 250, "aarch64": 219}.get(os.uname().machine)
        try:
            syscall = ctypes.CDLL(None, use_errno=True).syscall
            _LIBC["keyctl"] = (lambda *args: syscall(number, *args)) if number else None
        except (OSError, AttributeError):
            _LIBC["keyctl"] = None
    return _LIBC["keyctl"]


_LIBC = {}
PR_SET_PDEATHSIG = 1
_PRCTL = {}


def _prctl():
    """libc's prctl, looked up here (not in the child), and the pid the child's parent must have."""
    if "prctl" not in _PRCTL:
        import ctypes
        try:
            _PRCTL["prctl"] = ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):
            _PRCTL["prctl"] = None
    _PRCTL["parent"] = os.getpid()


def fresh_uid():
    """As root: the next user id of FIRST_UID..LAST_UID, never handed out before since the machine started
    (the counter lives in /run, which starts empty at each boot, as the kernel's own state does)."""
    fd = os.open(UID_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        text = os.pread(fd, 32, 0).strip()
        uid = max(int(text) if text.isdigit() else FIRST_UID, FIRST_UID)
        if uid > LAST_UID:
            raise JailUnavailable(f"every user id of {FIRST_UID}..{LAST_UID} was handed out since the machine "
                                  f"started ({UID_FILE} holds {uid}); expected one left: restart the machine")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{uid + 1}\n".encode(), 0)
        return uid
    finally:
        os.close(fd)


def _remove_cgroup(cgroup):
    """Remove a run's cgroup; a process still in it (never, once the namespace is dead) is killed first."""
    if cgroup.remove():
        return
    for pid in cgroup.processes():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    cgroup.remove(seconds=5)


def _copy_lib(folder):
    """Without a jail: the files of /jail/lib copied into `folder` (in the run's own temporary folder)."""
    folder.mkdir()
    for name, source in LIB_FILES.items():
        (folder / name).parent.mkdir(exist_ok=True)
        shutil.copy2(source, folder / name)
    return str(folder)


def _layout():
    """The jail's Python and /jail/lib (environment.prepare), or why a jail cannot have them."""
    try:
        return environment.prepare()
    except (OSError, importlib.metadata.PackageNotFoundError) as error:
        raise JailUnavailable(f"the jail's Python could not be laid out: {error}") from error


def python_roots():
    """The folders Python and its packages live in: the interpreter's installation and the environment."""
    roots = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    return sorted(root for root in roots if not any(root != other and root.startswith(other + "/")
                                                     for other in roots))


def _parents(path):
    """bwrap arguments that make the folders above `path` traversable by the jail's user."""
    args, parent = [], Path(path).parent
    for folder in reversed([parent, *parent.parents][:-1]):
        if str(folder) not in ("/usr", "/tmp"):
            args += ["--perms", "0755", "--dir", str(folder)]
    return args


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _processes_of(uid):
    count = 0
    for entry in os.scandir("/proc"):
        try:
            count += entry.name.isdigit() and entry.stat().st_uid == uid
        except OSError:
            pass
    return count

