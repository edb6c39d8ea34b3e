"""The jail's self-probe: before it grades, the grader makes a jail and checks from inside it that it holds
(`problem()`), and refuses to grade when it does not."""
import json
import sys
from pathlib import Path

from .. import jail as jails
from .. import seccomp

# What a jail's first process checks: that the filter is in force, by calls that, were it not, would leave
# nothing behind or fail for another reason (the thread keyring's id is asked for without creating one, a hint
# on no memory, a read of no file...); and which of its mounts it may write, with their devices
PROBE = """
import ctypes, errno, json, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def refused(number, *args):
    ctypes.set_errno(0)
    args = [ctypes.c_char_p(arg.encode()) if isinstance(arg, str) else ctypes.c_long(arg) for arg in args]
    return libc.syscall(ctypes.c_long(number), *args) == -1 and ctypes.get_errno() == errno.EPERM
status = dict(line.split(":\\t", 1) for line in open("/proc/self/status").read().splitlines() if ":\\t" in line)
seen = {"uid": os.getuid(), "seccomp": status.get("Seccomp", "").strip()}
seen.update({key: refused(*call) for key, call in json.loads(sys.argv[1]).items()})
mounts = [line.split(" - ")[0].split() + line.split(" - ")[1].split()[:1]
          for line in open("/proc/self/mountinfo").read().splitlines()]
seen["writable"] = [[fields[4], fields[-1], fields[2], fields[3]] for fields in mounts
                    if "rw" in fields[5].split(",")]
print(json.dumps(seen))
"""
# {what: (system call, its arguments)}: each refused by the filter (str: a C string)
PROBE_CALLS = {"keys": ("keyctl", (0, -1, 0)), "unshare": ("unshare", (0x10000000,)),
               "shm": ("shmget", (0, 4096, 0o1600)), "memfd": ("memfd_create", ("probe", 0)),
               "inotify": ("inotify_init1", (0,)), "mincore": ("mincore", (0, 0, 0)),
               "cachestat": ("cachestat", (-1, 0, 0, 0)), "fadvise": ("fadvise64", (-1, 0, 0, 0)),
               "madvise hint": ("madvise", (0, 0, 3)), "non-blocking read": ("preadv2", (-1, 0, 0, 0, 0, 8)),
               "inet socket": ("socket", (2, 1, 0)), "netlink socket": ("socket", (16, 3, 0)),
               "vsock socket": ("socket", (40, 1, 0)), "socket pair": ("socketpair", (1, 1, 0, 0))}
PROBE_EXPECTED = {"seccomp": "2", **{key: True for key in PROBE_CALLS}}
# What a jail may write that is not its own: device nodes that keep nothing (bound from the machine's /dev)
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty")


def _probe_calls():
    """PROBE_CALLS with each call's number on this machine, as the probe reads them (JSON)."""
    numbers = {name: seccomp.number(name) for name, _ in PROBE_CALLS.values()}
    return json.dumps({key: [numbers[name], *args] for key, (name, args) in PROBE_CALLS.items()})


def shared_mounts(writable):
    """Of the mounts a jail's probe found writable ([mount point, type, device, root]), those that are not the
    jail's own: a file system also mounted outside it (by its device), other than the device nodes."""
    outside = {line.split()[2] for line in Path("/proc/self/mountinfo").read_text().splitlines()}
    return [mount for mount in writable if not (mount[0] in DEVICES and mount[3] == mount[0][len("/dev"):])
            and (mount[2] in outside or mount[1] not in ("tmpfs", "proc", "devpts"))]


def problem():
    """None when a jail can be made here, else why not (checked by making one, and checking from inside it that
    its filter refuses keyrings, namespaces, System V shared memory, memfd, file watches, the page cache's
    sensors and hints and every socket, that it can write nothing another jail could see, that it has a user
    id no run had before, and that its memory cgroup, where the machine has one, counted it)."""
    if not sys.platform.startswith("linux"):
        return f"the jail needs Linux (bubblewrap); this is {sys.platform}"
    if not jails.bwrap_path():
        return "bubblewrap (bwrap) is not installed: `make jail` installs Debian's bubblewrap package"
    try:
        seccomp.program()
        calls = _probe_calls()
    except seccomp.SeccompUnavailable as error:
        return f"no seccomp filter can be made: {error}"
    try:
        with jails.Jail(jails.Limits(wall_seconds=30)) as jail:
            before = set(jail.uids)
            done = jail.run([jail.python, "-I", "-c", PROBE, calls])
    except OSError as error:
        return f"bwrap could not start: {error}"
    except jails.JailUnavailable as error:
        return str(error)
    if done.status != "ok" or done.code != 0:
        return f"bwrap could not make a jail here (exit status {done.code}): {done.output.strip()[-300:]}"
    try:
        seen = json.loads(done.results)
    except ValueError:
        return f"the jail's probe sent back {done.results[:200]!r}; expected JSON"
    wrong = {key: seen.get(key) for key, value in PROBE_EXPECTED.items() if seen.get(key) != value}
    if wrong:
        return (f"the jail's seccomp filter is not in force: its probe saw {wrong}; expected {PROBE_EXPECTED} "
                f"(Seccomp 2: a filter; True: the call was refused)")
    shared = shared_mounts(seen.get("writable") or [])
    if shared:
        return (f"the jail can write where another jail could read: {shared} ([mount point, type, device, "
                f"root]); expected only file systems of its own and the device nodes {', '.join(DEVICES)}")
    if jail.root and (seen["uid"] in before or seen["uid"] < jails.FIRST_UID):
        return f"the jail ran as user {seen['uid']}; expected a user id of its own, at least {jails.FIRST_UID}"
    if jail.memory and done.peak_bytes <= 0:
        return f"the jail's memory cgroup ({jail.memory}) counted nothing; expected the memory of its processes"
    return None
