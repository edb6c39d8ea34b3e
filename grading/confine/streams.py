"""A jailed run seen from the grader: its request fed in, its results and output read under their caps and its
deadline, and its whole process namespace killed at the end (grading/jail.py starts it)."""
import json
import os
import selectors
import signal
import subprocess
import time
from pathlib import Path


def feed(stdin, data):
    try:
        stdin.write(data)
        stdin.close()
    except (BrokenPipeError, OSError):  # it did not read its request: it ends however it ends
        pass


def collect(process, chunks, deadline, caps, over=None):
    """Read stdout and stderr until both close; stop early at the deadline, when one passes its cap, or when
    `over()` says the run used its CPU time ("cpu": asked at least four times a second)."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ, "results")
    selector.register(process.stderr, selectors.EVENT_READ, "output")
    sizes = {"results": 0, "output": 0}
    try:
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                return "time"
            if over is not None and over():
                return "cpu"
            for key, _ in selector.select(timeout=min(left, 0.25)):
                data = os.read(key.fd, 1 << 16)
                if not data:
                    selector.unregister(key.fileobj)
                    continue
                name = key.data
                keep = caps[name] - sizes[name]
                chunks[name].append(data[:max(keep, 0)])
                sizes[name] += len(data)
                if sizes[name] > caps[name]:
                    return name
        while True:  # both closed: it may still run
            try:
                process.wait(timeout=min(max(deadline - time.monotonic(), 0.1), 0.25))
                return "ok"
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    raise
                if over is not None and over():
                    return "cpu"
    except subprocess.TimeoutExpired:
        return "time"
    finally:
        selector.close()


def namespace_pid(info_read, deadline):
    """The pid (as the grader sees it) of the first process of the jail's process namespace, which bwrap
    writes on its info fd: when it dies, the kernel kills every process of the namespace."""
    data = b""
    with os.fdopen(info_read, "rb") as info:
        selector = selectors.DefaultSelector()
        selector.register(info, selectors.EVENT_READ)
        while time.monotonic() < deadline and selector.select(timeout=max(deadline - time.monotonic(), 0)):
            chunk = os.read(info.fileno(), 4096)
            if not chunk:
                break
            data += chunk
        selector.close()
    try:
        return int(json.loads(data)["child-pid"])
    except (ValueError, KeyError, TypeError):
        return None


def kill(process, namespace=None):
    """Kill the run and everything it started: in the jail, its whole process namespace (and wait until it is
    gone); without one, its session."""
    if namespace:
        try:
            os.kill(namespace, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            namespace = None
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for stream in (process.stdin, process.stdout, process.stderr):
        try:
            stream.close()
        except OSError:
            pass
    process.wait()
    for _ in range(500):  # once the namespace's first process is dead, the kernel has killed all the others
        if not namespace or dead(namespace):
            break
        time.sleep(0.01)


def dead(pid):
    """Whether process `pid` has ended (gone, or a zombie waiting for whoever adopted it to reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True
