"""The seccomp filter of every jail: the system calls a hand-in never needs, refused by the kernel.

The filter is compiled by libseccomp (Debian's libseccomp2, which apt itself depends on), driven here through
ctypes, into a classic BPF program that bwrap loads (`--seccomp FD`) just before it starts the jailed command,
so that it holds for every process of the jail and cannot be removed. A refused call fails with EPERM (clone3
with ENOSYS, so that the C library falls back to clone, whose flags the filter can read); a call made with
another architecture's numbering (32-bit calls from a 64-bit process) kills the process.

Besides what could change the machine, it refuses what serves a hand-in only as a channel to another jail or
as a sensor of the machine's state: file watches (inotify, fanotify, which see a read-only file every jail
shares being opened), the page cache's state (mincore, cachestat, reads that fail rather than wait for the
disk) and the hints that steer it (fadvise, readahead, madvise's), and sockets of every family: a function
needs none. A notebook's full run needs the sockets of its kernel and of the client that drives it (ZeroMQ over
TCP on the jail's own loopback, which it finds by netlink): its jail may make Unix, IPv4 and netlink sockets,
and no other (`program(kernel_sockets=True)`); its TCP buffers count in its memory cgroup (cgroup.py).
"""
import ctypes
import ctypes.util
import errno
import functools
import os
import tempfile

# What a hand-in never needs, by kind (the kinds are named in docs/grading.md)
REFUSED = {
    "keys": ("add_key", "request_key", "keyctl"),
    "namespaces": ("unshare", "setns"),
    "mounts": ("mount", "umount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
               "fsconfig", "fsmount", "fspick", "mount_setattr"),
    "System V IPC": ("shmget", "shmat", "shmctl", "shmdt", "msgget", "msgsnd", "msgrcv", "msgctl", "semget",
                     "semop", "semtimedop", "semctl", "ipc"),
    "memfd": ("memfd_create", "memfd_secret"),
    "bpf": ("bpf",),
    "perf events": ("perf_event_open",),
    "userfaultfd": ("userfaultfd",),
    "other processes": ("ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp"),
    "modules": ("init_module", "finit_module", "delete_module"),
    "kexec": ("kexec_load", "kexec_file_load"),
    "io_uring": ("io_uring_setup", "io_uring_enter", "io_uring_register"),
    "file watches": ("inotify_init", "inotify_init1", "inotify_add_watch", "inotify_rm_watch", "fanotify_init",
                     "fanotify_mark"),
    "page cache": ("mincore", "cachestat", "fadvise64", "fadvise64_64", "arm_fadvise64_64", "readahead",
                   "process_madvise"),
    "sockets": ("socket", "socketpair"),  # of every family; a notebook's full run may make Unix sockets
}
# Numbers of the calls newer than the libseccomp of some machines (every architecture numbers them alike)
NEWER_CALLS = {"cachestat": 451}
# madvise's hints that steer or reveal the page cache, or merge pages across processes (a timing channel):
# MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_MERGEABLE, MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ and
# _WRITE. Those the C library and numpy use (MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE...) stay allowed.
MADVISE_HINTS = {"MADV_RANDOM": 1, "MADV_SEQUENTIAL": 2, "MADV_WILLNEED": 3, "MADV_MERGEABLE": 12,
                 "MADV_COLD": 20, "MADV_PAGEOUT": 21, "MADV_POPULATE_READ": 22, "MADV_POPULATE_WRITE": 23}
# preadv2 and pwritev2 with RWF_NOWAIT fail at once when the data is not in the page cache: a sensor of it
RWF_NOWAIT = 0x00000008
# Calls refused by kind when one of their arguments has a value: (call, argument, mask, value), refused when
# (argument & mask) == value (an int argument is compared on the low 32 bits the kernel reads)
REFUSED_IF = {
    "page cache": [("madvise", 2, 0xFFFFFFFF, hint) for hint in MADVISE_HINTS.values()]
                  + [(name, 5, RWF_NOWAIT, RWF_NOWAIT) for name in ("preadv2", "pwritev2")],
}
# The socket families a notebook's kernel needs: AF_UNIX, AF_INET, AF_NETLINK (libzmq lists the interfaces)
KERNEL_FAMILIES = (1, 2, 16)
FAMILIES = 64  # the kernel knows fewer (AF_MAX): it refuses the others itself
# clone's flags that make a new namespace: clone itself is how threads and processes start
NAMESPACE_FLAGS = {"CLONE_NEWNS": 0x00020000, "CLONE_NEWCGROUP": 0x02000000, "CLONE_NEWUTS": 0x04000000,
                   "CLONE_NEWIPC": 0x08000000, "CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000,
                   "CLONE_NEWNET": 0x40000000}

_ALLOW = 0x7FFF0000          # SCMP_ACT_ALLOW
_ERRNO = 0x00050000          # SCMP_ACT_ERRNO(x) = _ERRNO | x
_CMP_MASKED_EQ = 7           # SCMP_CMP_MASKED_EQ: (argument & datum_a) == datum_b


class SeccompUnavailable(RuntimeError):
    """No filter can be made here: why, and what to do."""


class _ArgumentTest(ctypes.Structure):  # struct scmp_arg_cmp
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


@functools.lru_cache(maxsize=None)
def _libseccomp():
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError as error:
        raise SeccompUnavailable(f"libseccomp could not be loaded ({error}); expected Debian's libseccomp2 "
                                 f"package (`make jail` installs it)") from None
    lib.seccomp_init.restype, lib.seccomp_init.argtypes = ctypes.c_void_p, [ctypes.c_uint32]
    lib.seccomp_release.restype, lib.seccomp_release.argtypes = None, [ctypes.c_void_p]
    lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.restype = ctypes.c_int
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgumentTest)]
    lib.seccomp_export_bpf.restype, lib.seccomp_export_bpf.argtypes = ctypes.c_int, [ctypes.c_void_p, ctypes.c_int]
    return lib


def number(name):
    """The number of system call `name` on this machine (SeccompUnavailable when it has none)."""
    found = _libseccomp().seccomp_syscall_resolve_name(name.encode())
    found = NEWER_CALLS.get(name, found) if found < 0 else found
    if found < 0:
        raise SeccompUnavailable(f"this machine has no system call {name}")
    return found


def refused_calls():
    """Every system call name the filter refuses outright."""
    return [name for names in REFUSED.values() for name in names]


@functools.lru_cache(maxsize=None)
def program(kernel_sockets=False):
    """The filter as a BPF program (bytes, as bwrap reads it), made once per process. `kernel_sockets`: the
    sockets a notebook's kernel needs may be made (KERNEL_FAMILIES); otherwise no socket of any family."""
    lib = _libseccomp()
    context = lib.seccomp_init(_ALLOW)
    if not context:
        raise SeccompUnavailable("libseccomp could not start a filter (seccomp_init failed)")
    try:
        def add(name, action, tests=()):
            try:
                found = number(name)
            except SeccompUnavailable:  # not a call of this architecture (ipc, umount on x86-64): nothing to refuse
                return
            array = (_ArgumentTest * max(len(tests), 1))(*tests)
            status = lib.seccomp_rule_add_array(context, action, found, len(tests), array)
            if status < 0:
                raise SeccompUnavailable(f"libseccomp refused the rule for {name} ({os.strerror(-status)})")

        for kind, names in REFUSED.items():
            for name in names:
                if kind == "sockets" and kernel_sockets:  # every other family, on the int the kernel reads
                    for family in sorted(set(range(FAMILIES)) - set(KERNEL_FAMILIES)) if name == "socket" else ():
                        add(name, _ERRNO | errno.EPERM, [_ArgumentTest(0, _CMP_MASKED_EQ, 0xFFFFFFFF, family)])
                else:
                    add(name, _ERRNO | errno.EPERM)
        for rules in REFUSED_IF.values():
            for name, index, mask, value in rules:
                add(name, _ERRNO | errno.EPERM, [_ArgumentTest(index, _CMP_MASKED_EQ, mask, value)])
        add("clone3", _ERRNO | errno.ENOSYS)  # its flags sit in memory the filter cannot read
        for flag in NAMESPACE_FLAGS.values():
            add("clone", _ERRNO | errno.EPERM, [_ArgumentTest(0, _CMP_MASKED_EQ, flag, flag)])
        with tempfile.TemporaryFile() as file:
            status = lib.seccomp_export_bpf(context, file.fileno())
            if status < 0:
                raise SeccompUnavailable(f"libseccomp could not write the filter ({os.strerror(-status)})")
            file.seek(0)
            return file.read()
    finally:
        lib.seccomp_release(context)


def program_fd(kernel_sockets=False):
    """A file descriptor to read the filter from (bwrap --seccomp FD reads it to its end); the caller closes it."""
    data = program(kernel_sockets)
    read, write = os.pipe()
    try:
        if len(data) > 60000:  # more than a pipe holds before someone reads it
            raise SeccompUnavailable(f"the filter is {len(data)} bytes; expected at most 60000")
        os.write(write, data)
    except BaseException:
        os.close(read)
        raise
    finally:
        os.close(write)
    return read
