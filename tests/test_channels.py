"""Jails that cannot meet: the system calls that serve a hand-in only as a channel to another jail or as a sensor
of the machine are refused (grading/seccomp.py), and the memory the kernel holds for a jail's sockets is
refused with them or counted (grading/cgroup.py).

Each attack runs as root, as in CI, first against a filter without the defence (it gets through: the message
arrives, the pattern is read, the memory is held) and then against the jail as it is (refused with EPERM);
afterwards the machine is checked: no process, key, file, cgroup or socket memory left.
"""
import contextlib
import errno
import json
import os
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

from grading import cgroup as cgroups
from grading import jail as jails
from grading import seccomp
from grading.confine import probe
from test_isolation import Leftovers
from test_jail import LIMITS, jail  # noqa: F401  (jail: the checked jail, a fixture)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the attacks run as root, as in CI")


@contextlib.contextmanager
def filter_without(kind):
    """The jails' filter without the rules of `kind` (REFUSED and REFUSED_IF), for as long as it is held."""
    kept = seccomp.REFUSED.get(kind), seccomp.REFUSED_IF.get(kind)
    seccomp.REFUSED.pop(kind, None)
    seccomp.REFUSED_IF.pop(kind, None)
    seccomp.program.cache_clear()
    try:
        yield
    finally:
        for table, value in zip((seccomp.REFUSED, seccomp.REFUSED_IF), kept):
            if value is not None:
                table[kind] = value
        seccomp.program.cache_clear()


class Watched(Leftovers):
    """Leftovers, with the jails' CPU cgroups and the kernel's TCP memory (counted for all network namespaces)."""

    def __init__(self, tmp_path):
        super().__init__(tmp_path)
        self.tcp_pages, self.others = tcp_pages(), []

    def watch(self, jail):  # noqa: F811
        """`jail`, another jail of the test's, whose users are checked too."""
        self.others.append(jail)
        return jail

    def cgroups(self, jail):
        found = super().cgroups(jail)
        for folder in set((jail.cpu_parents or {}).values()) if jail.cpu else ():
            found += sorted(path.name for path in Path(folder).glob(f"dnn-jail-{os.getpid()}-*"))
        return found

    def assert_nothing_left(self, jail):
        super().assert_nothing_left(jail)
        for other in self.others:
            uids = set(other.uids)
            assert [found for uid in uids for found in self.processes(uid)] == [], "a hand-in left processes"
            assert self.key_users(uids) == [], "the kernel still keeps keys for a jail's user"
        for _ in range(100):  # a dead network namespace's sockets are freed by the kernel a little later
            if tcp_pages() - self.tcp_pages < 16384:
                break
            time.sleep(0.05)
        assert tcp_pages() - self.tcp_pages < 16384, "the kernel still holds a jail's TCP buffers (64 MB or more)"


def tcp_pages():
    for line in Path("/proc/net/sockstat").read_text().splitlines():
        if line.startswith("TCP:"):
            fields = line.split()
            return int(fields[fields.index("mem") + 1])
    return 0


@pytest.fixture
def machine(tmp_path, jail):  # noqa: F811
    watched = Watched(tmp_path)
    yield watched
    watched.assert_nothing_left(jail)


def run(jail, code, *args):  # noqa: F811
    done = jail.run([sys.executable, "-I", "-c", code, *map(str, args)])
    assert done.status == "ok" and done.code == 0, done
    return json.loads(done.results)


CALLS = """
import ctypes, errno, json, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def call(name, *args):
    done = libc.syscall(ctypes.c_long(NUMBERS[name]), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    if done == -1:
        raise OSError(ctypes.get_errno(), name)
    return done
"""


def calls(*names):
    return CALLS + f"NUMBERS = {({name: seccomp.number(name) for name in names})!r}\n"


# ----------------------------------------------------------------------------------------------------------
# inotify: a jail hears another open a read-only file every jail shares (runner.py, at /jail/lib)

LISTEN = calls("inotify_init1", "inotify_add_watch") + """
import select
try:
    fd = call("inotify_init1", 0)
    call("inotify_add_watch", fd, b"/jail/lib/runner.py", 0x20)  # IN_OPEN
    print(json.dumps({"heard": bool(select.select([fd], [], [], 6)[0])}))
except OSError as error:
    print(json.dumps({"refused": error.errno}))
"""
SIGNAL = """
import json, os, sys, time
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:  # each open of the shared file is an event for a jail that watches it
    os.close(os.open("/jail/lib/runner.py", os.O_RDONLY))
    time.sleep(0.05)
print(json.dumps({"sent": True}))
"""


def listen_while_another_signals(jail, machine, seconds):  # noqa: F811
    heard = {}
    listener = threading.Thread(target=lambda: heard.update(run(jail, LISTEN)))
    listener.start()
    with machine.watch(jails.Jail(LIMITS)) as other:  # another jail, beside it (as `--workers 2` grades two hand-ins)
        assert run(other, SIGNAL, seconds) == {"sent": True}
    listener.join()
    return heard


def test_two_jails_cannot_signal_through_file_watches(jail, machine):  # noqa: F811
    with filter_without("file watches"):
        assert listen_while_another_signals(jail, machine, 5) == {"heard": True}  # the channel, undefended
    assert listen_while_another_signals(jail, machine, 0.5) == {"refused": errno.EPERM}


# ----------------------------------------------------------------------------------------------------------
# The page cache: one run reads chosen parts of a read-only file, a later one reads which are cached

SLOT, SLOTS, SENT = 1 << 20, 8, [1, 4, 6]  # slots 1 MB apart: the kernel's readahead stays within one
SEND = """
import json, os, sys
fd = os.open("/jail/files/shared.bin", os.O_RDONLY)
for slot in json.loads(sys.argv[1]):
    os.pread(fd, 1, slot * %d)
print(json.dumps({"sent": True}))
""" % SLOT
# A read that fails rather than wait for the disk (RWF_NOWAIT) tells which parts are cached. (mincore would too,
# but the kernel itself answers "all cached" for a file the caller may not write; the filter refuses it anyway.)
SENSE = calls("preadv2") + """
fd = os.open("/jail/files/shared.bin", os.O_RDONLY)
buffer = ctypes.create_string_buffer(1)
vector = (ctypes.c_void_p * 2)(ctypes.addressof(buffer), 1)  # one struct iovec
cached = []
try:
    for slot in range(%d):
        try:
            call("preadv2", fd, vector, 1, slot * %d, 0, 8)
            cached.append(slot)
        except OSError as error:
            if error.errno != errno.EAGAIN:
                raise
    print(json.dumps({"cached": cached}))
except OSError as error:
    print(json.dumps({"refused": error.errno}))
""" % (SLOTS, SLOT)


@pytest.fixture
def shared_file(tmp_path):
    """A read-only folder for the jails, on the disk, holding an 8 MB file none of whose pages is cached."""
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / "shared.bin"
    path.write_bytes(os.urandom(SLOT * SLOTS))
    folder.chmod(0o755)
    path.chmod(0o644)
    return path


def evict(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def test_a_later_run_cannot_read_what_an_earlier_one_left_in_the_page_cache(shared_file, machine):
    with machine.watch(jails.Jail(LIMITS, files=shared_file.parent)) as jail:
        with filter_without("page cache"):
            evict(shared_file)
            assert run(jail, SEND, json.dumps(SENT)) == {"sent": True}
            assert run(jail, SENSE) == {"cached": SENT}  # the channel, without the defence
        evict(shared_file)
        assert run(jail, SEND, json.dumps(SENT)) == {"sent": True}
        assert run(jail, SENSE) == {"refused": errno.EPERM}


def test_the_page_cache_hints_are_refused_and_those_numpy_uses_are_not(jail):  # noqa: F811
    code = calls("madvise", "fadvise64", "readahead", "cachestat", "mincore") + """
import mmap
import numpy as np
region = mmap.mmap(-1, 1 << 20)
address = ctypes.addressof(ctypes.c_char.from_buffer(region))
seen = {}
for name, advice in (("WILLNEED", 3), ("PAGEOUT", 21), ("COLD", 20), ("MERGEABLE", 12), ("SEQUENTIAL", 2),
                     ("WILLNEED, high bits set", 3 | 1 << 32), ("DONTNEED", 4), ("HUGEPAGE", 14)):
    try:
        seen[name] = call("madvise", address, 1 << 20, advice)
    except OSError as error:
        seen[name] = error.errno
fd = os.open(sys.executable, os.O_RDONLY)
vector = ctypes.create_string_buffer(256)
for name, args in (("fadvise64", (fd, 0, 0, 4)), ("readahead", (fd, 0, 4096)), ("cachestat", (fd, 0, 0, 0)),
                   ("mincore", (address, 1 << 20, vector))):
    try:
        seen[name] = call(name, *args)
    except OSError as error:
        seen[name] = error.errno
seen["numpy"] = float(np.ones((600, 600)).dot(np.ones((600, 600))).sum())  # large arrays: numpy's own hints
print(json.dumps(seen))
"""
    seen = run(jail, code)
    assert seen == {"WILLNEED": errno.EPERM, "PAGEOUT": errno.EPERM, "COLD": errno.EPERM,
                    "MERGEABLE": errno.EPERM, "SEQUENTIAL": errno.EPERM, "WILLNEED, high bits set": errno.EPERM,
                    "DONTNEED": 0, "HUGEPAGE": 0, "fadvise64": errno.EPERM, "readahead": errno.EPERM,
                    "cachestat": errno.EPERM, "mincore": errno.EPERM, "numpy": 600.0 ** 3}, seen


# ----------------------------------------------------------------------------------------------------------
# Sockets: every family refused; TCP buffers counted in the jail's memory cgroup even were they not

FAMILIES = """
import json, socket
seen = {}
for name, family, kind in (("AF_INET", socket.AF_INET, socket.SOCK_STREAM), ("AF_INET6", socket.AF_INET6,
                           socket.SOCK_STREAM), ("AF_NETLINK", socket.AF_NETLINK, socket.SOCK_RAW),
                           ("AF_VSOCK", 40, socket.SOCK_STREAM), ("AF_UNIX", socket.AF_UNIX, socket.SOCK_STREAM),
                           ("AF_PACKET", socket.AF_PACKET, socket.SOCK_RAW)):
    try:
        socket.socket(family, kind).close()
        seen[name] = "made"
    except OSError as error:
        seen[name] = error.errno
try:
    [end.close() for end in socket.socketpair()]
    seen["socketpair"] = "made"
except OSError as error:
    seen["socketpair"] = error.errno
print(json.dumps(seen))
"""


def test_no_socket_of_any_family_can_be_made(jail, machine):  # noqa: F811
    with filter_without("sockets"):
        before = run(jail, FAMILIES)
    assert {name: before[name] for name in ("AF_INET", "AF_NETLINK", "AF_UNIX", "socketpair")} == \
        dict.fromkeys(("AF_INET", "AF_NETLINK", "AF_UNIX", "socketpair"), "made"), before
    assert run(jail, FAMILIES) == dict.fromkeys(before, errno.EPERM)
    with machine.watch(jails.Jail(LIMITS, kernel_sockets=True)) as notebook:  # a notebook's full run: a kernel's
        seen = run(notebook, FAMILIES)
    assert seen == {**dict.fromkeys(before, errno.EPERM), "AF_UNIX": "made", "AF_INET": "made", "AF_NETLINK": "made",
                    "socketpair": "made"}, seen


HOLD_TCP = """
import json, socket
server = socket.create_server(("127.0.0.1", 0), backlog=64)
held, block, kept = 0, b"x" * (1 << 20), []
for _ in range(80):  # each connection: megabytes queued to send, and received but never read
    try:
        client = socket.create_connection(server.getsockname())
        accepted, _ = server.accept()
        kept += [client, accepted]
        accepted.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 20)
        client.setblocking(False)
        while True:
            held += client.send(block)
    except BlockingIOError:
        continue
    except OSError:
        break
print(json.dumps({"held": held}))
"""


def test_tcp_buffers_are_refused_and_would_count_against_the_memory_limit(jail, machine, monkeypatch):  # noqa: F811
    limits = jails.Limits(**{**vars(LIMITS), "memory_mb": 256})
    with machine.watch(jails.Jail(limits)) as tight, filter_without("sockets"):
        with monkeypatch.context() as unlimited:  # without the defence: no limit on TCP buffers (cgroup v1)
            write = cgroups.MemoryCgroup._write
            unlimited.setattr(cgroups.MemoryCgroup, "_write", lambda self, name, *args, **kwargs: None
                              if "kmem" in name else write(self, name, *args, **kwargs))
            held = run(tight, HOLD_TCP)["held"]
        assert held > 300 << 20, f"{held >> 20} MB held in TCP buffers; expected more than the 256 MB limit"
        counted = tight.run([sys.executable, "-I", "-c", HOLD_TCP])  # TCP buffers counted in the cgroup
        assert counted.status == "memory" or json.loads(counted.results)["held"] < 256 << 20, counted
    refused = machine.watch(jails.Jail(limits)).run([sys.executable, "-I", "-c", HOLD_TCP])
    assert "PermissionError: [Errno 1] Operation not permitted" in refused.output, refused


def test_the_memory_cgroup_limits_the_kernels_tcp_buffers():
    version, parent = cgroups.parent()
    if version != 1:
        pytest.skip(f"TCP buffers are counted apart only on cgroup v1 (here: {version or parent})")
    made = cgroups.MemoryCgroup(1, parent, 256 << 20)
    try:
        assert int((made.folder / "memory.kmem.tcp.limit_in_bytes").read_text()) // 4096 == (256 << 20) // 4096
    finally:
        made.remove()


# ----------------------------------------------------------------------------------------------------------
# The self-probe (probe.problem) sees a filter without the new refusals, and a mount two jails could share

@pytest.mark.parametrize("kind, key", [("file watches", "inotify"), ("page cache", "mincore"),
                                       ("sockets", "vsock socket")])
def test_the_self_probe_fails_without_a_refusal(kind, key):
    with filter_without(kind):
        why = probe.problem()
    assert why and "seccomp filter is not in force" in why and f"'{key}': False" in why, why


def test_the_self_probe_fails_when_a_jail_could_write_where_another_reads(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    command = jails.Jail.command

    def with_a_shared_folder(self, argv, *args, **kwargs):
        made = command(self, argv, *args, **kwargs)
        at = made.index("--chdir")
        return made[:at] + ["--bind", str(shared), "/jail/shared"] + made[at:]

    monkeypatch.setattr(jails.Jail, "command", with_a_shared_folder)
    why = probe.problem()
    assert why and "the jail can write where another jail could read: [['/jail/shared'," in why, why
