"""Runs side by side, and a run alone: a function that ran out of wall-clock time while it waited for a CPU (the
machine was busy) is run again with no other jail of any grader on the machine running, before it scores 0.

Every run holds the room shared; a run alone holds it exclusively. The gate keeps a run alone from waiting
for ever behind new runs: each run passes it (holding it for an instant) before it enters the room, and a
run alone holds it while it waits for the room to empty and while it runs. Both are flock(2) locks on files
in /run (as root; the temporary folder otherwise), which the kernel releases when a grader dies. A process
forked while a lock is held (a worker, a child that reads a hand-in) closes its copy at once, so that only the
grader's own run ever holds it.
"""
import contextlib
import fcntl
import os
import tempfile

GATE, ROOM = "dnn-jail-gate.lock", "dnn-jail-room.lock"
_HELD = set()  # the lock files' descriptors open in this process


def _forget():
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_forget)


def folder():
    return "/run" if os.geteuid() == 0 and os.access("/run", os.W_OK) else tempfile.gettempdir()


def _open(name):
    fd = os.open(os.path.join(folder(), name), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    _HELD.add(fd)
    return fd


def _close(fd):
    _HELD.discard(fd)
    os.close(fd)


@contextlib.contextmanager
def _room(how, keep_gate):
    gate, room = _open(GATE), _open(ROOM)
    try:
        fcntl.flock(gate, fcntl.LOCK_EX)
        fcntl.flock(room, how)
        if not keep_gate:
            _close(gate)
            gate = None
        yield
    finally:
        for fd in (room, gate):
            if fd is not None:
                _close(fd)


def beside():
    """Held by every run: others may run at the same time, but not a run alone."""
    return _room(fcntl.LOCK_SH, keep_gate=False)


def alone():
    """Held by a run alone: it waits for the runs under way to end, and no other starts until it is done."""
    return _room(fcntl.LOCK_EX, keep_gate=True)
