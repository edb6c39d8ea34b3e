"""What runs inside the jail: one graded function of a hand-in, on the cases the grader sends, and nothing else.

    python -I runner.py < request          (request and results: plain data, see companion/plain.py)

The request holds the function's name, the code of the learner's exercise cell, the learner's helpers it calls
(functions of earlier cells), the names of the functions it builds on, and the cases' arguments. Those
functions are not here: each name is a stub that sends its arguments over a pipe to the grader's answering
process beside the jail (grading/support/answer.py), which runs the library's function and sends back its
outputs (and the arguments after the call, when it changed them: the stub applies the change to the objects
here), or its error's type and message. The runner defines the function
from that code in a fresh namespace (numpy as np and the stubs), calls it on each case, and
writes back for each case what it returned, its arguments after the call, or the error it raised; then the
attempts the hand-in made to leave its folder, reach the network or start programs, as Python's audit hooks
saw them. It judges nothing: the grader compares what comes back with its own reference, outside the jail.

Everything the learner's code prints goes to stderr (the grader keeps a limited amount of it); the results go
to the stdout the runner started with, once, at the end. The runner imports nothing of the project but
companion/plain.py, which sits beside it.
"""
import builtins
import errno
import os
import sys
import traceback

RESULTS_FD = os.dup(1)  # the results go here; fd 1 (print, os.write(1, ...)) is sent to stderr below
os.dup2(2, 1)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402  (imported before the learner's code runs: numpy's own files are not flagged)

from companion import plain  # noqa: E402

PROCESS_EVENTS = ("os.system", "subprocess.Popen", "os.fork", "os.forkpty", "os.posix_spawn", "os.exec",
                  "os.spawn", "pty.spawn")
NETWORK_EVENTS = ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo")
DISK_ERRORS = (errno.EFBIG, errno.ENOSPC, errno.EDQUOT)


class Watch:
    """The audit hook: notes the hand-in's attempts, once the learner's code starts (`on`)."""

    def __init__(self, home, request):
        self.on, self.events, self.home = False, [], home
        self.forbidden = set(request["forbidden"])
        # Python's own folders: as the jail shows them (the request holds none of the grader's paths)
        self.readable = [*request["readable"], *{os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}]

    def __call__(self, event, args):
        if not self.on or len(self.events) > 50:
            return
        if event in NETWORK_EVENTS:
            host, port = args[:2] if event == "socket.getaddrinfo" else (args[1], None)
            if isinstance(host, tuple) and len(host) >= 2:
                host, port = host[:2]
            self.note("network", f"{event.split('.')[1]} {host}" + (f":{port}" if port is not None else ""))
        elif event in PROCESS_EVENTS:
            self.note("process", event)
        elif event == "import" and any(args[0] == name or args[0].startswith(name + ".") for name in self.forbidden):
            self.note("solutions", f"import {args[0]}")
        elif event == "open" and isinstance(args[0], (str, bytes)):
            self.opened(os.fsdecode(args[0]), args[1], args[2])

    def opened(self, path, mode, flags):
        path = os.path.abspath(path)
        writes = (mode is not None and any(c in str(mode) for c in "wax+")) or bool(
            flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC))
        inside = lambda roots: any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)
        if writes and not inside((self.home, "/tmp", "/dev/null")):
            self.note("outside", f"write {path[:120]}")
        elif not writes and not inside((self.home, *self.readable)):
            self.note("outside", f"read {path[:120]}")

    def note(self, kind, what):
        self.events.append([kind, what])


class Library:
    """The functions the graded one builds on, as stubs: each call is answered outside the jail."""

    def __init__(self, calls, answers):
        self.calls, self.answers = calls, answers

    def function(self, name):
        def call(*args, **kwargs):
            return self.call(name, args, kwargs)
        call.__name__ = call.__qualname__ = name
        return call

    def call(self, name, args, kwargs):
        try:
            frame = plain.pack([name, list(args), kwargs])
        except (TypeError, ValueError, RecursionError) as error:
            raise TypeError(f"{name}: its arguments cannot be passed on: {str(error)[:200]}") from None
        try:
            plain.send(self.calls, frame)
            reply = plain.receive(self.answers, 1 << 28)
        except (OSError, plain.PlainDataError):
            reply = None
        if reply is None:
            raise RuntimeError(f"{name} gave no answer (the process that answers its calls has ended)")
        reply = plain.unpack(reply)
        if "error" in reply:
            kind, text = reply["error"]
            cls = getattr(builtins, kind, None)
            raise (cls if isinstance(cls, type) and issubclass(cls, Exception) else RuntimeError)(text)
        if "args" in reply:  # the arguments after the call: the call changed them
            update(list(args), reply["args"][0])
            update(kwargs, reply["args"][1])
        return reply["value"]


def update(old, new):
    """Make the argument `old` what the call made of it, `new`, in place where it can be changed in place."""
    if type(old) is np.ndarray and type(new) is np.ndarray and old.shape == new.shape and old.flags.writeable:
        old[...] = new
    elif type(old) is dict and type(new) is dict:
        for key in [key for key in old if key not in new]:
            del old[key]
        for key, value in new.items():
            if key in old and _changeable(old[key], value):
                update(old[key], value)
            else:
                old[key] = value
    elif type(old) is list and type(new) is list:
        for index, value in enumerate(new[:len(old)]):
            if _changeable(old[index], value):
                update(old[index], value)
            else:
                old[index] = value
        old[len(new):] = new[len(old):]
    elif type(old) is tuple and type(new) is tuple:
        for item, value in zip(old, new):
            update(item, value)


def _changeable(old, new):
    return type(old) is type(new) and type(old) in (np.ndarray, dict, list, tuple) and (
        type(old) is not np.ndarray or old.shape == new.shape)


def describe(error, filename):
    """An error as plain data: its type, arguments, text and the line of the learner's code it came from."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == filename]
    last = frames[-1] if frames else None
    args = [arg if isinstance(arg, (str, int, float, bool, type(None))) else repr(arg)[:300] for arg in error.args]
    kind = "memory" if isinstance(error, MemoryError) else \
        "disk" if isinstance(error, OSError) and error.errno in DISK_ERRORS else "error"
    return {"type": type(error).__name__[:200], "module": str(type(error).__module__)[:200], "args": args,
            "text": str(error)[:1000], "line": [last.lineno, (last.line or "")[:300]] if last else None,
            "kind": kind}


def run(request, watch):
    """Define the learner's function and call it on each case: the results as plain data."""
    namespace = {"np": np, "__name__": "__exercise__", "__builtins__": __builtins__}
    if request["support"]:
        library = Library(*request["calls"])
        namespace.update({name: library.function(name) for name in request["support"]})
    filename, helpers = f"<exercise {request['name']}>", request.get("helpers") or ""
    import linecache
    linecache.cache[filename] = (len(request["source"]), None, request["source"].splitlines(True), filename)
    watch.on = True
    try:
        if helpers:  # the learner's own functions from earlier cells, as they stood when the exercise ran
            exec(compile(helpers, f"<your earlier cells, for {request['name']}>", "exec"), namespace)
        exec(compile(request["source"], filename, "exec"), namespace)
    except BaseException as error:  # SystemExit and KeyboardInterrupt too: the learner's code is not trusted
        return {"defined": False, "error": describe(error, filename)}
    fn = namespace.get(request["name"])
    if not callable(fn):
        return {"defined": False}
    cases = []
    for args, kwargs in request["cases"]:
        try:
            got = fn(*args, **kwargs)
        except NotImplementedError as error:
            cases.append({"error": describe(error, filename), "not_implemented": True})
            break
        except BaseException as error:
            cases.append({"error": describe(error, filename), "args": args})
            if isinstance(error, MemoryError):
                break
            continue
        cases.append({"got": got, "args": args})
    return {"defined": True, "cases": cases}


def main():
    request = plain.decode(sys.stdin.read())
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # nothing more comes from the grader
    watch = Watch(os.getcwd(), request)
    sys.addaudithook(watch)
    try:
        result = run(request, watch)
    except MemoryError:
        result = {"defined": True, "cases": [{"error": {"type": "MemoryError", "module": "builtins", "args": [],
                                                        "text": "", "line": None, "kind": "memory"}}]}
    watch.on = False
    try:
        text = plain.encode({**result, "events": watch.events})
    except (ValueError, RecursionError, MemoryError) as error:
        text = plain.encode({"defined": True, "unreadable": str(error)[:200], "events": watch.events})
    data = text.encode()
    while data:
        data = data[os.write(RESULTS_FD, data):]
    os._exit(0)  # no atexit handlers, no threads of the learner's left to write anything


if __name__ == "__main__":
    main()
