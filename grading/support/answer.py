"""The trusted process beside a jail that answers the calls its code makes to the functions it is given.

The grader forks it (it has numpy and dnn_utils imported already: no start-up cost) just before the jail
starts. It joins the jail's cgroup, so what it holds and uses counts against that jail, takes limits of its
own (address space, CPU time), and dies with the grader (PR_SET_PDEATHSIG) or when the run ends (the grader
kills it; the jail's end closes its pipe first). Between them, two pipes: the jail writes calls, one frame
each (companion/plain.py `pack`: [name, arguments, keyword arguments]); the answerer writes back, for each,

    {"value": what the library's function returned}                      and, when the call changed them,
    {"value": ..., "args": [arguments, keyword arguments] after the call} (so the jail applies the change)
    {"error": [type, message]}                                           when it raised

Only the functions the graded one is given are answered; a call of any other name is a NameError, as in a
notebook where it is not defined. A call's frame larger than CALL_BYTES is not read: the answerer stops,
and every later call in the jail fails.
"""
import os
import resource
import signal
import warnings

import numpy as np

from companion import plain

CALL_BYTES = 64 << 20    # a call's arguments: far more than any case of the lessons (their largest are ~1 MB)
ANSWER_BYTES = 256 << 20  # what the jail accepts back (outputs, and arguments when changed)
MESSAGE = 200            # characters of an error's message sent back


class Answerer:
    """The answering process of one jailed run: `start` (in the grader, before the jail starts) forks it and
    returns the two file descriptors the jail gets (calls to write, answers to read); `stop` ends it."""

    def __init__(self, names, memory_mb, cpu_seconds):
        self.names, self.memory_mb, self.cpu_seconds = sorted(names), memory_mb, cpu_seconds
        self.pid, self.fds, self.ends = None, (), ()

    def open(self):
        """Make the two pipes; returns the jail's ends, (calls to write, answers to read), whose numbers the
        jail keeps (the request tells the runner them)."""
        calls_read, calls_write = os.pipe()
        answers_read, answers_write = os.pipe()
        self.fds, self.ends = (calls_write, answers_read), (calls_read, answers_write)
        return self.fds

    def start(self, join=None):
        """Fork the answerer (after `open`); `join`, called in it first, moves it into the jail's cgroups.
        Returns the jail's ends of the pipes: the caller passes them into the jail and then calls close_fds."""
        if not self.ends:
            self.open()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 1
            try:
                for fd in self.fds:
                    os.close(fd)
                self._settle(join, self.ends, parent)
                serve(_functions(self.names), *self.ends)
                code = 0
            finally:
                os._exit(code)
        self._close("ends")
        self.pid = pid
        return self.fds

    def _settle(self, join, keep, parent):
        """In the child: killed with the grader, its cgroups, its limits, no file of the grader's left open."""
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the grader died before that
            os._exit(1)
        for which in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(which, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        for name in os.listdir("/proc/self/fd"):
            if int(name) > 2 and int(name) not in keep:
                try:
                    os.close(int(name))
                except OSError:
                    pass
        if join is not None:
            join()
        size = int(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmSize:")))
        memory = (size << 10) + (self.memory_mb << 20)
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (int(self.cpu_seconds), int(self.cpu_seconds) + 1))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        warnings.simplefilter("ignore")

    def close_fds(self):
        """Close the grader's copies of the jail's ends (once the jail has them)."""
        self._close("fds")

    def _close(self, which):
        for fd in getattr(self, which):
            os.close(fd)
        setattr(self, which, ())

    def stop(self):
        """End the answerer and close every pipe left (it ends by itself when the jail's end of its pipe
        closes; this makes sure). Safe to call more than once."""
        self._close("fds")
        self._close("ends")
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = None


def _functions(names):
    import dnn_utils
    return {name: getattr(dnn_utils, name) for name in names}


def serve(functions, calls, answers):
    """Answer each call read from `calls` on `answers`, until `calls` closes."""
    while True:
        try:
            frame = plain.receive(calls, CALL_BYTES)
        except plain.PlainDataError:
            return
        if frame is None:
            return
        plain.send(answers, answer(functions, frame))


def answer(functions, frame):
    """The frame that answers the call in `frame` with the library's function (see the module's docstring)."""
    try:
        call = plain.unpack(frame)
        if not (isinstance(call, list) and len(call) == 3 and isinstance(call[0], str) and
                isinstance(call[1], list) and isinstance(call[2], dict)):
            raise plain.PlainDataError("a call that is not [name, arguments, keyword arguments]")
        name, args, kwargs = call
        if name not in functions:
            raise NameError(f"name '{name[:80]}' is not defined")
        before = _state(args) + _state(kwargs)
        value = functions[name](*args, **kwargs)
        changed = _state(args) + _state(kwargs) != before
        return plain.pack({"value": value, "args": [args, kwargs]} if changed else {"value": value})
    except BaseException as error:  # noqa: BLE001 (the jail's arguments, not the grader, are at fault)
        return plain.pack({"error": [type(error).__name__[:80], str(error)[:MESSAGE]]})


def _state(value):
    """What the arguments are, to tell whether a call changed them: every container's identity and items, every
    array's bytes (an argument is plain data: unpack made it)."""
    found, todo = [], [value]
    while todo:
        item = todo.pop()
        if type(item) is dict:
            found.append((id(item), [(key, id(other)) for key, other in item.items()]))
            todo += item.values()
        elif type(item) in (list, tuple):
            found.append((id(item), [id(other) for other in item]))
            todo += item
        elif type(item) is np.ndarray:
            found.append((id(item), item.dtype.str, item.shape, item.tobytes()))
    return found
