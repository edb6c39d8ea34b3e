"""Hostile hand-ins against the jail (grading/jail.py, runner.py, verdict.py): each kind of attack gets its
outcome on the scorecard, scores 0, and leaves the grading machine as it was: no file, no process, no
connection. Every test first checks that the jail and its limits are in force and fails (never skips) when
they are not, so that a broken jail cannot let a fork bomb or a memory hog loose on the machine."""
import os
import resource
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

import grading
import testCases
from grading import jail as jails
from grading.confine import probe
from grading.verdict import check_function
from mutants import library_source

PROJECT = Path(grading.__file__).resolve().parents[1]
LIMITS = jails.Limits(memory_mb=768, cpu_seconds=20, wall_seconds=8, processes=24, file_mb=4, disk_mb=16,
                      output_kb=64)
PROBE = """
import os, resource, json
print(json.dumps({"uid": os.getuid(), "euid": os.geteuid(), "pid": os.getpid(),
                  "nproc": resource.getrlimit(resource.RLIMIT_NPROC)[0], "as": resource.getrlimit(resource.RLIMIT_AS)[0],
                  "fsize": resource.getrlimit(resource.RLIMIT_FSIZE)[0],
                  "interfaces": sorted(line.split(":")[0].strip() for line in open("/proc/net/dev").readlines()[2:]),
                  "project": os.path.exists(%r), "root_home": os.path.exists(os.path.expanduser("~root")),
                  "cap": open("/proc/self/status").read().split("CapEff:")[1].split()[0],
                  "seccomp": open("/proc/self/status").read().split("Seccomp:")[1].split()[0]}))
""" % str(PROJECT / "dnn_utils.py")


@pytest.fixture(scope="module")
def jail():
    """A jail whose isolation and limits were checked from inside it; the tests fail without one."""
    why = probe.problem()
    if why:
        pytest.fail(f"no jail on this machine, and the hostile hand-ins must never run without one: {why}")
    with jails.Jail(LIMITS) as made:
        done = made.run([sys.executable, "-I", "-c", PROBE])
        assert done.status == "ok" and done.code == 0, done
        seen = __import__("json").loads(done.results)
        assert seen["uid"] != 0 and seen["euid"] != 0 and seen["cap"] == "0000000000000000", seen
        assert seen["seccomp"] == "2", f"the jail has no seccomp filter: Seccomp {seen['seccomp']}; expected 2"
        if os.geteuid() == 0:  # a user id of the run's own, and a memory cgroup (this kind of machine has one)
            assert seen["uid"] == made.uids[-1] >= jails.FIRST_UID, (seen, made.uids)
            assert made.memory and done.peak_bytes > 0, (made.memory, made.cgroup_parent, done)
        assert seen["nproc"] == LIMITS.processes or os.geteuid() != 0, seen
        assert seen["as"] == LIMITS.memory_mb << 20 and seen["fsize"] == LIMITS.file_mb << 20, seen
        assert seen["interfaces"] == ["lo"] and not seen["project"] and seen["pid"] < 10, seen
        yield made


class Machine:
    """What a hand-in could leave behind: files named with a marker, processes of the jail's user or naming
    the marker, connections to a server of the test's on 127.0.0.1."""

    def __init__(self, tmp_path):
        self.marker = f"dnn_hostile_{uuid.uuid4().hex[:12]}"
        self.places = [Path("/tmp"), Path.home(), PROJECT, tmp_path]
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port, self.connections = self.server.getsockname()[1], []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.connections.append(self.server.accept())
            except OSError:
                return

    def processes(self, uid):
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and (entry.stat().st_uid == uid or
                                             self.marker.encode() in (entry / "cmdline").read_bytes()):
                    found.append((entry.name, (entry / "cmdline").read_bytes()[:100]))
            except OSError:
                pass
        return found

    def files(self):
        return [path for place in self.places for path in place.glob(f"*{self.marker}*")]

    def assert_untouched(self, jail):
        self.server.close()
        assert self.files() == [], "a hand-in left files on the machine"
        assert [found for uid in set(jail.uids) | {jail.uid} for found in self.processes(uid)] == [], \
            "a hand-in left processes running"
        assert self.connections == [], "a hand-in reached a server on the grading machine"


@pytest.fixture
def machine(tmp_path, jail):
    watched = Machine(tmp_path)
    yield watched
    watched.assert_untouched(jail)


def grade_code(jail, name, source):
    return check_function(jail, name, source, seed=7)


# ----------------------------------------------------------------------------------------------------------
# The catalogue: (what the hand-in does, the function, its code, the outcome, a fragment of the comment)

def hostile(machine):
    m, port, home = machine.marker, machine.port, Path.home()
    relu_body = "    A = np.maximum(0, Z)\n    return A, Z\n"
    return {
        "import the library": ("relu", "def relu(Z):\n    import dnn_utils\n    return dnn_utils.relu(Z)",
                               "attempt", "tried to use the library's solutions (import dnn_utils)"),
        "import the engine": ("relu", "def relu(Z):\n    from companion.solutions import engine\n"
                              "    return engine.relu(Z)", "attempt",
                              "tried to use the library's solutions (import companion.solutions)"),
        "__import__ the checks": ("relu", "def relu(Z):\n    t = __import__('testCases')\n"
                                  "    return t.reference.relu(Z)", "attempt", "import testCases"),
        "sys.modules": ("L_model_forward", "import sys\ndef L_model_forward(X, parameters):\n"
                        "    return sys.modules['dnn_utils'].L_model_forward(X, parameters)", "wrong",
                        "raised KeyError"),
        "the graded function from the functions it builds on": (
            "L_model_forward", "import gc\ndef L_model_forward(X, parameters):\n"
            "    mine = L_model_forward.__code__\n"
            "    found = [f for f in gc.get_objects() if getattr(f, '__name__', '') == 'L_model_forward'\n"
            "             and getattr(f, '__code__', mine) is not mine]\n"
            "    found += [v for v in linear_activation_forward.__globals__.values()\n"
            "              if getattr(v, '__name__', '') == 'L_model_forward' and v.__code__ is not mine]\n"
            "    return found[0](X, parameters)", "wrong", "raised IndexError"),
        "read the library's file": ("relu", f"def relu(Z):\n    exec(open({str(PROJECT / 'dnn_utils.py')!r}).read())\n"
                                    + relu_body, "attempt", "tried to read or write outside its folder (read "),
        "patch numpy's comparisons": ("relu", "np.isclose = lambda *a, **k: np.ones((1, 1), bool)\n"
                                      "np.allclose = np.array_equal = lambda *a, **k: True\n"
                                      "def relu(Z):\n    return Z, Z", "wrong", "wrong"),
        "forge the results": ("relu", "import os, json\ndef relu(Z):\n"
                              "    forged = json.dumps({'defined': True, 'cases': [], 'events': []}).encode()\n"
                              "    for fd in range(3, 20):\n        try:\n            os.write(fd, forged)\n"
                              "        except OSError:\n            pass\n    os._exit(0)", "crashed", "crashed"),
        "hard-code the lesson's values": ("linear_forward", hard_coded("linear_forward"), "wrong",
                                          "on fresh inputs drawn at grading time"),
        "write in /tmp and $HOME": ("relu", f"def relu(Z):\n    open('/tmp/{m}', 'w').write('x')\n"
                                    f"    open({str(home / m)!r}, 'w').write('x')\n" + relu_body, "attempt",
                                    "tried to read or write outside its folder (write "),
        "connect to 127.0.0.1": ("relu", f"import socket\ndef relu(Z):\n"
                                 f"    socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'hi')\n"
                                 + relu_body, "attempt", "tried to reach the network"),
        "a detached, double-forked process": (
            "relu", f"import os, time\ndef relu(Z):\n    if os.fork() == 0:\n        os.setsid()\n"
            f"        if os.fork() == 0:\n            os.execv('/bin/sh', ['sh', '-c', 'sleep 300; touch /tmp/{m}'])\n"
            f"        os._exit(0)\n" + relu_body, "attempt", "tried to start other programs"),
        "fork bomb": ("relu", "import os\ndef relu(Z):\n    while True:\n        try:\n            os.fork()\n"
                      "        except OSError:\n            pass", "out of time", "ran out of time"),
        "memory exhaustion": ("relu", "def relu(Z):\n    hog = [np.ones(10 ** 7) for _ in range(10 ** 4)]\n"
                              + relu_body, "memory", "used too much memory: more than 768 MB"),
        "a file past the size limit": ("relu", "def relu(Z):\n    with open('big', 'wb') as f:\n"
                                       "        while True:\n            f.write(b'x' * 2 ** 20)\n", "disk",
                                       "wrote too much"),
        "disk exhaustion": ("relu", "def relu(Z):\n    for i in range(10 ** 6):\n"
                            "        open(f'/tmp/part{i}', 'wb').write(b'x' * 2 ** 20)\n", "disk", "wrote too much"),
        "print 1 GB": ("relu", "import os\ndef relu(Z):\n    for _ in range(1024):\n"
                       "        os.write(1, b'x' * 2 ** 20)\n" + relu_body, "output",
                       "printed too much: more than 64 KB"),
        "an endless loop that ignores signals": (
            "relu", "import signal\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGXCPU, signal.SIGALRM):\n"
            "    signal.signal(s, signal.SIG_IGN)\ndef relu(Z):\n    while True:\n        pass", "out of time",
            "ran out of time: still running after 8 s"),
        "kill the process that checks it": ("relu", "import os, signal\ndef relu(Z):\n"
                                            "    os.kill(os.getpid(), signal.SIGKILL)", "crashed",
                                            "crashed the process that ran it (killed by signal SIGKILL)"),
    }


def hard_coded(name):
    """Code that returns the expected outputs of every fixed case of `name` (looked up by the inputs' shapes,
    as a learner who copied the values would), and zeros otherwise."""
    table = {}
    for case in testCases.cases(name):
        args = case.inputs()
        table[tuple(arg.shape for arg in args)] = (case.expected()[0].tolist(), tuple(args))
    entries = ", ".join(f"{key!r}: np.array({value[0]!r})" for key, value in table.items())
    return (f"TABLE = {{{entries}}}\n"
            f"def {name}(A, W, b):\n    Z = TABLE.get((A.shape, W.shape, b.shape), np.zeros((W.shape[0], A.shape[1])))\n"
            "    return Z, (A, W, b)")


KINDS = sorted(hostile(type("M", (), {"marker": "m", "port": 1})()))


@pytest.mark.parametrize("kind", KINDS)
def test_a_hostile_hand_in_gets_its_outcome_and_leaves_nothing_behind(kind, jail, machine):
    name, source, outcome, fragment = hostile(machine)[kind]
    verdict = grade_code(jail, name, source)
    assert (verdict.points, verdict.outcome) == (0, outcome), verdict
    assert fragment in verdict.comment, verdict


def test_the_catalogue_has_at_least_twelve_kinds():
    assert len(KINDS) >= 12


def test_the_same_code_written_honestly_scores(jail, machine):
    assert grade_code(jail, "relu", library_source("relu")).points == 1
    assert grade_code(jail, "L_model_forward", library_source("L_model_forward")).points == 1


def test_limits_are_checked():
    with pytest.raises(ValueError, match="memory_mb must be a positive number, got 0"):
        jails.Limits(memory_mb=0)


def test_without_a_jail_the_grader_refuses_unless_told(tmp_path):
    notebook = tmp_path / "relu.ipynb"
    import nbformat
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(library_source("relu"))]
    nbformat.write(nb, str(notebook))
    command = [sys.executable, "-m", "grading", "grade", str(notebook)]
    env = dict(os.environ, PATH=str(tmp_path))  # no bwrap to be found
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 3 and "bubblewrap (bwrap) is not installed" in done.stderr, done.stderr
    assert "--no-jail" in done.stderr and done.stdout == ""
    done = subprocess.run(command + ["--no-jail"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "NOT ISOLATED" in done.stdout and done.stdout.splitlines()[-2:] == ["relu        1/1  ok", "score: 1/1"]


def test_limits_come_from_the_command_line(tmp_path):
    import nbformat
    notebook = tmp_path / "hog.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("def relu(Z):\n    hog = np.ones(400 * 2 ** 20 // 8)\n"
                                          "    return np.maximum(0, Z), Z")]
    nbformat.write(nb, str(notebook))
    command = [sys.executable, "-m", "grading", "grade", str(notebook), "--seed", "3"]
    roomy = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert roomy.returncode == 0, roomy.stdout + roomy.stderr
    tight = subprocess.run(command + ["--memory", "330"], capture_output=True, text=True, cwd=tmp_path)
    assert tight.returncode == 1 and "relu        0/1  used too much memory: more than 330 MB" in tight.stdout, \
        tight.stdout + tight.stderr
