"""What runs inside the jail: one graded function of a hand-in, on the cases the grader sends, and nothing else.

    python -I runner.py < request          (request and results: plain data, see companion/plain.py)

The request holds the function's name, the code of the learner's exercise cell, the learner's helpers it calls
(functions of earlier cells), the code of the functions it builds on (the library's versions of those only),
and the cases' arguments. The runner defines the function
from that code in a fresh namespace (numpy as np and the functions it builds on), calls it on each case, and
writes back for each case what it returned, its arguments after the call, or the error it raised; then the
attempts the hand-in made to leave its folder, reach the network or start programs, as Python's audit hooks
saw them. It judges nothing: the grader compares what comes back with its own reference, outside the jail.

Everything the learner's code prints goes to stderr (the grader keeps a limited amount of it); the results go
to the stdout the runner started with, once, at the end. The runner imports nothing of the project but
companion/plain.py, and companion/arguments.py for the argument checks of the functions it builds on, which sit
beside it.
"""
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
        self.readable, self.forbidden = request["readable"], set(request["forbidden"])
        # the grader's own folders (its project, its home), never shown in the jail, save Python's folders in them
        self.hidden, self.python = request["hidden"], request["python"]

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
        elif not writes and (not inside((self.home, *self.readable)) or
                             (inside(self.hidden) and not inside(self.python))):
            self.note("outside", f"read {path[:120]}")

    def note(self, kind, what):
        self.events.append([kind, what])


def describe(error, filename):
    """An error as plain data: its type, arguments, text and the line of the learner's code it came from."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == filename]
    last = frames[-1] if frames else None
    args = [arg if isinstance(arg, (str, int, float, bool, type(None))) else repr(arg)[:300] for arg in error.args]
    kind = "memory" if isinstance(error, MemoryError) else \
        "disk" if isinstance(error, OSError) and error.errno in DISK_ERRORS else "error"
    return {"type": type(error).__name__, "module": type(error).__module__, "args": args,
            "text": str(error)[:1000], "line": [last.lineno, (last.line or "")[:300]] if last else None,
            "kind": kind}


def run(request, watch):
    """Define the learner's function and call it on each case: the results as plain data."""
    namespace = {"np": np, "__name__": "__exercise__", "__builtins__": __builtins__}
    if request["support"]:
        import companion.arguments as check  # the argument checks of the library's functions (no solutions in it)
        namespace.update(check=check, checked=check.checked)
        exec(compile(request["support"], "<functions it builds on>", "exec"), namespace)
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
