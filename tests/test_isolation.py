"""Nothing passes from one jailed run to the next, and a jail's memory is all counted (grading/jail.py,
seccomp.py, cgroup.py); and what the grader does with a hand-in in its own process is bounded (notebooks.py).

Each attack is a hostile hand-in, run as root as in CI, that got through before the defence: stashing a
string in a keyring for a later hand-in to read, holding memory in System V shared memory, in a memfd or in
several processes under a per-process limit, nesting a user and mount namespace to mount a tmpfs. Each test
then checks the machine: no key, no shared memory segment, no process, no file and no cgroup left behind.
"""
import ctypes
import errno
import json
import os
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from grading import jail as jails
from grading import notebooks, seccomp
from grading.confine import probe
from mutants import library_source
from test_jail import LIMITS, Machine, grade_code, jail  # noqa: F401  (jail: the checked jail, a fixture)

CALLS = {"x86_64": {"add_key": 248, "request_key": 249, "keyctl": 250, "shmget": 29, "shmat": 30, "shmdt": 67,
                    "memfd_create": 319, "unshare": 272, "mount": 165, "clone": 56},
         "aarch64": {"add_key": 217, "request_key": 218, "keyctl": 219, "shmget": 194, "shmat": 196,
                     "shmdt": 197, "memfd_create": 279, "unshare": 97, "mount": 40, "clone": 220}}
RIGHT_RELU = "    return np.maximum(0, Z), Z\n"
WRONG_RELU = "    return Z, Z\n"


def syscalls():
    """Hand-in code that defines sys_call(name, *args): the raw system call, raising OSError when refused."""
    return textwrap.dedent(f"""\
        import ctypes, os
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
        _NUMBERS = {CALLS[os.uname().machine]!r}
        def sys_call(name, *args):
            done = _libc.syscall(ctypes.c_long(_NUMBERS[name]), *args)
            if done == -1:
                number = ctypes.get_errno()
                raise OSError(number, f"{{name}}: {{os.strerror(number)}}")
            return done
        """)


class Leftovers(Machine):
    """The Machine of test_jail, and what the kernel keeps: keys, System V segments, the jails' cgroups."""

    def keys(self):
        return [line for line in Path("/proc/keys").read_text().splitlines() if self.marker in line]

    def key_users(self, uids):
        return [line for line in Path("/proc/key-users").read_text().splitlines()
                if int(line.split(":")[0]) in uids]

    def segments(self, uids):
        lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
        return [line for line in lines if int(line.split()[7]) in uids]  # the segment's owner (uid)

    def cgroups(self, jail):
        if not jail.memory:
            return []
        return sorted(path.name for path in Path(jail.cgroup_parent).glob(f"dnn-jail-{os.getpid()}-*"))

    def assert_nothing_left(self, jail):
        uids = set(jail.uids) | {jail.uid}
        assert self.keys() == [], "a hand-in's key is still in the kernel"
        assert self.key_users(uids) == [], "the kernel still keeps keys for a jail's user"
        assert self.segments(uids) == [], "a hand-in's System V shared memory is still there"
        assert self.cgroups(jail) == [], "a jail's cgroup was not removed"
        self.assert_untouched(jail)


@pytest.fixture
def machine(tmp_path, jail):  # noqa: F811
    watched = Leftovers(tmp_path)
    yield watched
    watched.assert_nothing_left(jail)


def hand_in(body, returns=RIGHT_RELU):
    return syscalls() + "def relu(Z):\n" + textwrap.indent(textwrap.dedent(body), "    ") + returns


# ----------------------------------------------------------------------------------------------------------
# Keyrings: a lesson-01 hand-in stashes a string, a later one reads it back

def test_a_key_stashed_by_one_hand_in_is_not_there_for_the_next(jail, machine):  # noqa: F811
    marker = machine.marker.encode()
    stash = hand_in(f"""\
        payload, stored = b"the support code: def sigmoid(Z): ...", []
        for keyring in (-3, -4, -5):  # the session's keyring, the user's, the user's session keyring
            try:
                stored.append(sys_call("add_key", b"user", {marker!r}, payload, ctypes.c_size_t(len(payload)),
                                       keyring))
            except OSError as error:
                refused = error
        if not stored:
            raise refused
        """)
    stashed = grade_code(jail, "relu", stash)
    # the filter refused add_key: EPERM, raised by the hand-in itself
    assert (stashed.points, stashed.outcome) == (0, "wrong") and "[Errno 1] add_key" in stashed.comment, stashed
    read_back = hand_in(f"""\
        found, refused = [], 0
        for keyring in (-3, -4, -5):
            try:  # KEYCTL_SEARCH
                found.append(sys_call("keyctl", 10, keyring, b"user", {marker!r}, 0))
            except OSError as error:
                refused = error.errno
        if not found:
            return Z * refused, Z  # no key: a wrong answer
        """)
    later = grade_code(jail, "relu", read_back)
    assert (later.points, later.outcome) == (0, "wrong"), later
    assert len(set(jail.uids)) == len(jail.uids) >= 2 or os.geteuid() != 0, jail.uids


def test_each_run_has_a_user_id_and_a_session_keyring_no_run_had(jail):  # noqa: F811
    probe = ("import ctypes, json, os\n"
             "print(json.dumps([os.getuid(), open('/proc/self/status').read().split('Seccomp:')[1].split()[0]]))")
    seen = [json.loads(jail.run([sys.executable, "-I", "-c", probe]).results) for _ in range(3)]
    with jails.Jail(LIMITS) as other:
        seen.append(json.loads(other.run([sys.executable, "-I", "-c", probe]).results))
    assert all(mode == "2" for _, mode in seen), seen
    if os.geteuid() == 0:
        uids = [uid for uid, _ in seen]
        assert len(set(uids)) == 4 and min(uids) >= jails.FIRST_UID, uids
        assert int(Path(jails.UID_FILE).read_text()) > max(uids)


# ----------------------------------------------------------------------------------------------------------
# Memory outside the address-space limit: System V shared memory, memfds, several processes

HOLD_SHM = """\
    held = [] if getattr(relu, "held", False) else [0] * 6
    relu.held = True
    for _ in held:  # once  # 6 x 256 MB = 1.5 GB, each segment attached, filled and detached
        segment = sys_call("shmget", 0, ctypes.c_size_t(256 << 20), 0o1600)
        address = sys_call("shmat", segment, None, 0)
        ctypes.memset(address, 1, 256 << 20)
        sys_call("shmdt", ctypes.c_void_p(address))
    """
HOLD_MEMFD = """\
    block, held = b"x" * (4 << 20), 0 if getattr(relu, "held", False) else 240
    relu.held = True
    for _ in range(held):  # once: 240 x 4 MB (the file size limit), 960 MB that no address space counts
        os.write(sys_call("memfd_create", b"hoard", 0), block)
    """
HOLD_PROCESSES = """\
    children = [] if getattr(relu, "held", False) else [0, 1, 2]
    relu.held = True
    for index in children:  # once: 3 processes of 400 MB each, each under the 768 MB limit of a process
        children[index] = _libc.fork()
        if children[index] == 0:
            hog = np.ones(50 << 20)
            import time
            time.sleep(2)
            os._exit(0)
    for pid in children:
        _libc.waitpid(pid, None, 0)
    """


@pytest.mark.parametrize("how, body, outcome, fragment", [
    ("System V shared memory", HOLD_SHM, "wrong", "[Errno 1] shmget"),
    ("a memfd", HOLD_MEMFD, "wrong", "[Errno 1] memfd_create"),
    ("several processes", HOLD_PROCESSES, "memory", "used too much memory: more than 768 MB"),
])
def test_memory_held_outside_a_process_is_refused_or_counted(how, body, outcome, fragment, jail, machine):  # noqa: F811
    if how == "several processes" and not jail.memory:
        pytest.fail(f"no memory cgroup for the jail ({jail.cgroup_parent}): several processes could hold more "
                    f"than the limit together")
    verdict = grade_code(jail, "relu", hand_in(body))
    assert (verdict.points, verdict.outcome) == (0, outcome) and fragment in verdict.comment, verdict


def test_a_jail_is_held_to_its_memory_limit_as_a_whole(jail):  # noqa: F811
    if not jail.memory:
        pytest.fail(f"no memory cgroup for the jail: {jail.cgroup_parent}")
    code = ("import ctypes, os, time, numpy as np\nlibc = ctypes.CDLL(None)\n"
            "for _ in range(3):\n    if libc.fork() == 0:\n        hog = np.ones(50 << 20)\n"
            "        time.sleep(2)\n        os._exit(0)\nfor _ in range(3):\n    os.wait()\n")
    done = jail.run([sys.executable, "-I", "-c", code])
    assert done.status == "memory", done
    assert 0 < done.peak_bytes <= LIMITS.memory_mb << 20, (done.peak_bytes, LIMITS.memory_mb)


# ----------------------------------------------------------------------------------------------------------
# Nested namespaces and mounts, and every call the filter refuses

def test_a_nested_user_and_mount_namespace_is_refused(jail, machine):  # noqa: F811
    nest = hand_in("""\
        if not getattr(relu, "nested", False):
            relu.nested, uid, gid = True, os.getuid(), os.getgid()
            sys_call("unshare", 0x10000000 | 0x00020000)  # CLONE_NEWUSER | CLONE_NEWNS
            for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
                fd = _libc.open(f"/proc/self/{name}".encode(), os.O_WRONLY)  # uid 0 there, every capability
                _libc.write(fd, text.encode(), len(text))
                _libc.close(fd)
            os.makedirs("/tmp/roomy", exist_ok=True)
            sys_call("mount", b"none", b"/tmp/roomy", b"tmpfs", 0, b"size=1g")  # a disk past the disk limit
        """, returns="    return (np.maximum(0, Z) if os.path.ismount('/tmp/roomy') else Z), Z\n")
    verdict = grade_code(jail, "relu", nest)
    assert (verdict.points, verdict.outcome) == (0, "wrong") and "[Errno 1] unshare" in verdict.comment, verdict
    clone = hand_in("""\
        pid = sys_call("clone", 0x10000000 | 17, 0, 0, 0, 0)  # CLONE_NEWUSER | SIGCHLD
        if pid == 0:
            os._exit(0)
        """)
    verdict = grade_code(jail, "relu", clone)
    assert (verdict.points, verdict.outcome) == (0, "wrong") and "[Errno 1] clone" in verdict.comment, verdict


def test_the_filter_refuses_every_call_it_names_and_lets_threads_and_processes_start(jail):  # noqa: F811
    lib = seccomp._libseccomp()
    numbers = {name: lib.seccomp_syscall_resolve_name(name.encode()) for name in seccomp.refused_calls() + ["clone3"]}
    numbers = {name: number for name, number in numbers.items() if number >= 0}
    code = ("import ctypes, json, os, sys, threading\nlibc = ctypes.CDLL(None, use_errno=True)\nseen = {}\n"
            "for name, number in json.loads(sys.argv[1]).items():\n    ctypes.set_errno(0)\n"
            "    done = libc.syscall(ctypes.c_long(number), 0, 0, 0, 0, 0, 0)\n"
            "    seen[name] = ctypes.get_errno() if done == -1 else 'allowed'\n"
            "thread = threading.Thread(target=lambda: seen.update(thread='ran'))\nthread.start()\nthread.join()\n"
            "pid = os.fork()\nif pid == 0:\n    os._exit(7)\nseen['fork'] = os.waitpid(pid, 0)[1] >> 8\n"
            "print(json.dumps(seen))")
    done = jail.run([sys.executable, "-I", "-c", code, json.dumps(numbers)])
    seen = json.loads(done.results)
    expected = {name: errno.ENOSYS if name == "clone3" else errno.EPERM for name in numbers}
    assert {name: seen[name] for name in numbers} == expected
    assert (seen["thread"], seen["fork"]) == ("ran", 7), seen
    assert {"add_key", "keyctl", "unshare", "setns", "mount", "shmget", "memfd_create", "bpf", "perf_event_open",
            "userfaultfd", "ptrace", "process_vm_readv", "init_module", "kexec_load"} <= set(numbers)


def test_the_self_probe_fails_without_the_filter(monkeypatch):
    monkeypatch.setattr(seccomp, "program_fd", lambda *sockets: None)  # bwrap without --seccomp
    why = probe.problem()
    assert why and "seccomp filter is not in force" in why and "'seccomp': '0'" in why, why


def test_the_self_probe_fails_when_the_cgroup_counts_nothing(monkeypatch):
    if os.geteuid() != 0 or not jails.Jail().memory:
        pytest.skip("no memory cgroup on this machine for a normal user")  # root, as in CI, has one
    monkeypatch.setattr(jails.cgroups.MemoryCgroup, "join", lambda self: None)
    why = probe.problem()
    assert why and "counted nothing" in why, why


# ----------------------------------------------------------------------------------------------------------
# Bounded work in the grader's own process: IPython's reading of a hand-in's cells

MAGICS = "\n".join(["%time 1"] * 499)  # 4 KB: IPython's token transforms take time in the square of the lines


def test_a_cell_ipython_cannot_read_in_time_is_unreadable_and_read_once(monkeypatch):
    monkeypatch.setattr(notebooks, "TRANSFORM_SECONDS", 0.5)
    calls = []
    real = notebooks.bounded
    monkeypatch.setattr(notebooks, "bounded", lambda *args: calls.append(args[1]) or real(*args))
    source = MAGICS + f"\n# {uuid.uuid4().hex}"  # not read before in this process
    for _ in range(3):
        with pytest.raises(notebooks.UnreadableCell, match=r"IPython's reading of the cell took more than 0.5 s"):
            notebooks.python_source(source)
    assert len(calls) == 1 and notebooks.parse(source) is None


def test_a_hand_in_of_many_slow_cells_costs_its_reading_time_only(monkeypatch):
    import nbformat
    monkeypatch.setattr(notebooks, "TRANSFORM_SECONDS", 0.5)
    monkeypatch.setattr(notebooks, "READ_SECONDS", 1)
    calls = []
    real = notebooks.bounded
    monkeypatch.setattr(notebooks, "bounded", lambda *args: calls.append(args[1]) or real(*args))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(MAGICS + f"\n# {uuid.uuid4().hex}") for _ in range(20)]
    nb.cells.append(nbformat.v4.new_code_cell("%matplotlib inline\n" + library_source("relu")))
    with notebooks.reading_limit(notebooks.READ_SECONDS):
        names = [notebooks.exercise_name(cell) for cell in nb.cells]
        assert names[-1] == "relu"  # the unread cell is still found by its `def` line
    assert len(calls) <= 3, len(calls)  # 0.5 s each until the second is spent: the others are not read


def test_bounded_stops_what_runs_too_long_or_takes_too_much_memory():
    assert notebooks.bounded(str.upper, "ok", 2, 64) == "OK"
    assert notebooks.bounded(_forever, "", 0.5, 64)[0] == "time"
    assert notebooks.bounded(_hoard, "", 5, 64)[0] == "memory"
    assert notebooks.bounded(_fail, "", 5, 64) == ("error", "ValueError: no")


def _forever(_):
    while True:
        pass


def _hoard(_):
    return "x" * (1 << 30)


def _fail(_):
    raise ValueError("no")


def test_the_plain_python_reading_agrees_with_ipython():
    from IPython.core.inputtransformer2 import TransformerManager
    sources = [cell.source for path in sorted(notebooks.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
               for cell in notebooks.read_notebook(path).cells if cell.cell_type == "code"]
    sources += ["x = 1 # ok?", "x?", "!ls", "a = !ls", ">>> x = 1", "In [1]: x = 1", "\n\n  x = 1\n  y = 2",
                "%%time\nx = 1", "s = '''\n%time\n'''", ""]
    for source in sources:
        assert notebooks.python_source(source) == TransformerManager().transform_cell(source), source


def test_a_cgroup_left_by_a_killed_grader_is_removed_with_what_is_in_it():
    if os.geteuid() != 0:
        pytest.skip("memory cgroups are made by a grader run as root (as in CI)")
    version, parent = jails.cgroups.parent()
    assert version, f"no memory cgroup as root on this machine: {parent}"
    dead = os.fork()
    if dead == 0:
        os._exit(0)
    os.waitpid(dead, 0)  # a grader's pid that no longer runs
    left = jails.cgroups.MemoryCgroup(version, parent, 64 << 20)
    stale = left.folder.rename(left.folder.with_name(f"dnn-jail-{dead}-0"))
    import subprocess
    orphan = subprocess.Popen(["sleep", "300"], preexec_fn=lambda: Path(stale, "cgroup.procs").write_text("0"))
    try:
        jails.Jail(LIMITS)  # a new grader's jail sweeps the old one's cgroups
        assert orphan.wait(timeout=10) == -9 and not stale.exists()
    finally:
        orphan.kill()
        orphan.wait()
