"""Joining a live lab: each check then tells the instructor's page what it found, never your code.

    from companion.lab import join; join("http://127.0.0.1:8765/", "YOUR-JOIN-CODE")

(one line in the first cell of a notebook; your instructor gives you the code), or the environment variable
DNN_LAB="URL CODE" (a JupyterHub may set it), and every kernel that imports testCases joins. On joining, one
line says what is shared and how to leave: `from companion.lab import leave; leave()`. On a JupyterHub whose
lab runs as a hub service, the code is the word `hub` (DNN_LAB="URL hub"): the kernel then shows the lab its
server's JUPYTERHUB_API_TOKEN and the hub tells the lab who you are.

Each check sends one event: the function, whether it passed or the mistake it named (its id and words) and
the kinds of problem it found ("wrong shape", never a line of code), the attempt and the time. The event is
queued and sent by a thread of its own with a short timeout: a check is not slowed and prints the same,
joined or not. When the lab cannot be reached the queue is kept (up to QUEUE events) and sent again every few
seconds, so a server restarted meanwhile gets everything; without a lab nothing is sent and nothing is said.
"""
import atexit
import collections
import json
import os
import threading
import time
import urllib.error
import urllib.request
import uuid

ENV = "DNN_LAB"
HUB = "hub"         # the code that says: I am who the JupyterHub says (its JUPYTERHUB_API_TOKEN)
TIMEOUT = 2.0       # seconds one request may take
QUEUE = 1000        # events kept while the lab cannot be reached (the oldest are dropped first)
BATCH = 20          # events per request
RETRY = (1, 2, 4, 5)  # seconds between tries while the lab cannot be reached
MAX_WORDS, MAX_PROBLEM, MAX_PROBLEMS = 400, 80, 10

_lab = None


class _Sender:
    """The queue of one joined lab and the thread sending it."""

    def __init__(self, url, code):
        self.url, self.code = url.rstrip("/") + "/", code
        self.authorization = f"token {os.environ.get('JUPYTERHUB_API_TOKEN', '')}" if code == HUB \
            else f"Bearer {code}"
        self.queue, self.lock = collections.deque(), threading.Lock()
        self.wake, self.stopped = threading.Event(), False
        self.attempts = collections.Counter()
        self.opener = urllib.request.build_opener()
        self.thread = threading.Thread(target=self.run, name="companion.lab", daemon=True)

    def request(self, path, body=None):
        """(HTTP status, parsed JSON or None); status 0 when the lab cannot be reached."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data, {"Authorization": self.authorization,
                                                                 "Content-Type": "application/json"})
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as refused:
            return refused.code, None
        except Exception:  # refused, timed out, no network: try again later
            return 0, None

    def add(self, event):
        with self.lock:
            if len(self.queue) >= QUEUE:
                self.queue.popleft()
            self.queue.append(event)
        self.wake.set()

    def run(self):
        tries = 0
        while not self.stopped:
            self.wake.wait(RETRY[min(tries, len(RETRY) - 1)] if tries else None)
            self.wake.clear()
            while not self.stopped:
                with self.lock:
                    batch = list(self.queue)[:BATCH]
                if not batch:
                    tries = 0
                    break
                status, _ = self.request("api/events", {"events": batch})
                if status == 0 or status == 429 or status >= 500:  # away, busy or restarting: keep them
                    tries += 1
                    break
                with self.lock:  # sent (2xx), or refused for good (4xx): either way, not sent again
                    for event in batch:
                        if self.queue and self.queue[0] is event:
                            self.queue.popleft()

    def flush(self, timeout):
        deadline = time.monotonic() + timeout
        self.wake.set()
        while time.monotonic() < deadline:
            with self.lock:
                if not self.queue:
                    return True
            time.sleep(0.05)
        return False


def join(url, code):
    """Join the lab at `url` with your join code: from now on each check sends what it found (never code)."""
    global _lab
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError(f"join: url={url!r}; expected the lab's address, e.g. \"http://127.0.0.1:8765/\"")
    if not isinstance(code, str) or ("-" not in code and code != HUB) or not code.strip():
        raise ValueError(f"join: code={code!r}; expected the join code your instructor gave you, e.g. "
                         f"\"s001-abcdefgh12345678\", or \"hub\" on a JupyterHub")
    if code == HUB and not os.environ.get("JUPYTERHUB_API_TOKEN"):
        raise ValueError("join: code='hub' but JUPYTERHUB_API_TOKEN is not set: \"hub\" joins from a JupyterHub's "
                         "server only; elsewhere use the join code your instructor gave you")
    if _lab is not None:
        _lab.stopped = True
        _lab.wake.set()
    sender = _Sender(url, code.strip())
    status, answer = sender.request("api/hello")
    if status in (401, 403):
        _lab = None
        print(f"lab: {url} does not know " + ("your hub's token: is it this hub's lab?" if code == HUB else
                                              f"the join code {code!r}: ask your instructor for yours.")
              + " Nothing is sent.")
        return
    _lab = sender
    sender.thread.start()
    sender.add({"id": uuid.uuid4().hex, "outcome": "joined", "time": time.time()})
    who = f" as {answer['learner']}" if status == 200 and isinstance(answer, dict) else ""
    away = "" if status == 200 else " (it cannot be reached now: your checks are sent when it can)"
    print(f"Joined the lab at {url}{who}{away}. Each check shares its function, its outcome, the mistake it names "
          f"and the time, never your code. To leave: from companion.lab import leave; leave()")


def leave():
    """Stop sending: what was not sent yet is dropped."""
    global _lab
    if _lab is not None:
        _lab.stopped = True
        _lab.wake.set()
        _lab = None
        print("Left the lab: your checks are no longer shared.")


def flush(timeout=5.0):
    """Wait until every event was sent (True), at most `timeout` seconds (False); True when not joined."""
    return _lab.flush(timeout) if _lab is not None else True


def _kinds(found):
    """The kinds of problem of a check's findings ("wrong shape", "raised ValueError"), never their details
    (an error's line is the learner's code)."""
    kinds = []
    for finding in found:
        kind = "".join(ch for ch in finding.split(":", 1)[0] if ch.isprintable())[:MAX_PROBLEM]
        if kind and kind not in kinds:
            kinds.append(kind)
    return kinds[:MAX_PROBLEMS]


def checked(name, where, written, found, mistake):
    """Called by every check (companion/feedback/verdict.py): queue its event when a lab is joined. `where(name)`:
    the lesson of the function's exercise (asked only when joined); `written`: False for a function not written
    yet; `found`: the findings (empty: passed); `mistake`: the Mistake named or None. Never raises, never
    prints, never waits."""
    sender = _lab
    if sender is None:
        return
    try:
        notebook = where(name)
        if written:
            sender.attempts[name] += 1
        event = {"id": uuid.uuid4().hex, "function": name, "notebook": notebook,
                 "outcome": "failed" if found and written else "passed" if written else "not_written",
                 "mistakes": [{"id": mistake.id, "words": mistake.explanation[:MAX_WORDS]}] if mistake else [],
                 "problems": _kinds(found) if written else [], "attempt": max(1, sender.attempts[name]),
                 "time": time.time()}
        if not (isinstance(notebook, str) and notebook.endswith(".ipynb")):
            del event["notebook"]  # the lab knows each function's lesson
        sender.add(event)
    except Exception:
        pass


@atexit.register
def _last_chance():
    if _lab is not None:
        _lab.flush(1.0)


def _join_from_environment():
    """DNN_LAB="URL CODE" joins a kernel (IPython) when it imports the checks."""
    value = os.environ.get(ENV, "").split()
    if len(value) != 2:
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    if get_ipython() is not None:
        join(*value)


_join_from_environment()
