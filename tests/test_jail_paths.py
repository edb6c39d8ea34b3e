"""Nothing of the grading machine's paths reaches a jail (docs/grading.md, "What a jail holds").

A jail runs a Python laid out for it (grading/confine/environment.py): the system's interpreter and a copy of
the packages a jail needs, bound at /jail/python, with /jail/lib beside it. A hand-in that looks everywhere it
can (its interpreter's prefixes and paths, every module's file, every code object's file name, its mounts and
its first process's command line, every file of the jail's own folders read whole but the shared libraries,
which are their wheels' bytes, made elsewhere) finds neither the project's folder, nor the grader's environment
or Python, nor the home folder. Unjailed, the same hand-in finds them.
"""
import importlib.util
import marshal
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from companion import plain
from grading import jail as jails
from grading.confine import environment
from test_jail_reach import LIMITS, PROJECT, graded_with_results, jail, machine  # noqa: F401 (fixtures)

# The hand-in: sigmoid, which looks for the strings MARKERS (the test's own, written into its source) and
# returns where it saw each, with how much it looked at.
LOOK = '''
import gc, os, re, sys, types

MARKERS = %r
SHARED_LIBRARY = re.compile(r"[.]so([.][0-9.]+)?$")

def _hits(text, where, found):
    for marker in MARKERS:
        if marker in text:
            found.append([marker, where])

def sigmoid(Z):
    found, counts = [], {"codes": 0, "files": 0, "bytes": 0}
    _hits(repr([sys.prefix, sys.base_prefix, sys.exec_prefix, sys.executable, sys.path,
                getattr(sys, "_base_executable", "")]), "sys", found)
    for name, module in list(sys.modules.items()):
        _hits(str(getattr(module, "__file__", "")), f"module {name}", found)
    for value in gc.get_objects():
        if isinstance(value, types.FunctionType):
            counts["codes"] += 1
            _hits(value.__code__.co_filename, f"code of {value.__qualname__}", found)
    for name in ("/proc/self/mountinfo", "/proc/self/mounts", "/proc/self/cmdline", "/proc/self/environ",
                 "/proc/self/maps", "/proc/1/cmdline", "/proc/1/environ", "/proc/1/mountinfo"):
        try:
            _hits(open(name, "rb").read().decode("latin-1"), name, found)
        except OSError:
            pass
    for top in ("/jail", "/etc", "/home", "/tmp") if os.path.isdir("/jail/python") else ():  # not the grader's /tmp
        for root, folders, files in os.walk(top):
            for name in folders + files:
                path = os.path.join(root, name)
                _hits(path, "a path", found)
                if os.path.islink(path):
                    _hits(os.readlink(path), f"the link {path}", found)
            for name in files:
                path = os.path.join(root, name)
                if SHARED_LIBRARY.search(name):
                    continue  # as its wheel holds it, byte for byte: made elsewhere
                try:
                    data = open(path, "rb").read()
                except OSError:
                    continue
                counts["files"] += 1
                counts["bytes"] += len(data)
                _hits(data.decode("latin-1"), path, found)
    return [found[:200], counts]
'''


def _markers():
    """The grading machine's paths a jail must not learn: the project, the grader's environment and Python, and
    the home folder (as a folder, "/home/ann/"; not root's "/root/", which every wheel built as root names in
    its compiled modules: that is the wheel builder's folder, not this machine's)."""
    home = str(Path.home()).rstrip("/") + "/"
    return sorted({str(PROJECT), os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)} |
                  ({home} if home != "/root/" else set()))


def test_nothing_of_the_graders_paths_reaches_a_jail(jail, machine):
    source = LOOK % (_markers(),)
    # without the defence: the same hand-in run without a jail, in the grader's own Python
    with jails.Jail(LIMITS, isolated=False) as unjailed:
        _, results, _ = graded_with_results(unjailed, "sigmoid", source)
    assert "got" in results["cases"][0], str(results)[:1500]
    found, _ = results["cases"][0]["got"]
    assert {marker for marker, _ in found} >= {str(PROJECT), os.path.realpath(sys.prefix)}, found
    # in a jail: nothing, though it looked at every module and every file of the jail's Python
    _, results, request = graded_with_results(jail, "sigmoid", source)
    found, counts = results["cases"][0]["got"]
    assert found == [], sorted({(marker, where.rsplit(".", 1)[-1]) for marker, where in found})
    assert counts["codes"] > 1_000 and counts["files"] > 5_000 and counts["bytes"] > 50 << 20, counts
    sent = {key: value for key, value in plain.decode(request).items() if key != "source"}  # the hand-in's own
    assert sent["name"] == "sigmoid" and not any(marker in repr(sent) for marker in _markers()), sent


def test_the_jails_python_holds_the_packages_it_needs_and_nothing_of_the_project():
    made = environment.prepare()
    python, lib = Path(made["python"]), Path(made["lib"])
    site = python / environment.SITE
    assert {"numpy", "matplotlib", "ipykernel", "nbclient", "h5py", "PIL"} <= {path.name for path in site.iterdir()}
    assert not list(site.glob("__editable__*")) and not (site / "companion").exists() and not list(site.glob("*.pth"))
    assert not (site / "dnn_utils.py").exists() and not (site / "grading").exists()
    assert sorted(str(path.relative_to(lib)) for path in lib.rglob("*.py")) == sorted(environment.LIB_FILES)
    config = (python / "pyvenv.cfg").read_text()
    assert f"home = {os.path.dirname(made['interpreter'])}\n" in config and str(PROJECT) not in config
    assert os.readlink(python / "bin" / environment.VERSION) == made["interpreter"] == f"/usr/bin/{environment.VERSION}"
    # a compiled module names the file where the jail sees it
    compiled = Path(importlib.util.cache_from_source(str(site / "numpy" / "__init__.py")))
    assert marshal.loads(compiled.read_bytes()[16:]).co_filename == \
        f"{environment.JAIL_PYTHON}/{environment.SITE}/numpy/__init__.py"


def test_a_jails_python_is_built_once_and_again_when_what_it_holds_changes(tmp_path, monkeypatch):
    """Laid out in a store of its own with numpy alone (and what it needs), so it is quick."""
    monkeypatch.setenv("DNN_JAIL_STORE", str(tmp_path / "store"))
    monkeypatch.setattr(environment, "NEEDED", ("numpy",))
    monkeypatch.setattr(environment, "_PREPARED", {})
    made = environment.prepare()
    stamp = Path(made["python"]).stat().st_ino
    monkeypatch.setattr(environment, "_PREPARED", {})
    assert environment.prepare() == made and Path(made["python"]).stat().st_ino == stamp  # found, not rebuilt
    assert sorted(path.name for path in (tmp_path / "store").iterdir() if not path.name.startswith(".")) == \
        sorted([Path(made["python"]).name, Path(made["lib"]).name])
    # a changed file of /jail/lib makes a new lib folder; the old one stays while it is recent
    monkeypatch.setitem(environment.LIB_FILES, "runner.py", tmp_path / "runner.py")
    shutil.copyfile(environment.LIB_FILES["execute.py"], tmp_path / "runner.py")
    monkeypatch.setattr(environment, "_PREPARED", {})
    again = environment.prepare()
    assert again["python"] == made["python"] and again["lib"] != made["lib"] and Path(made["lib"]).exists()
    # one unused for longer than KEEP_DAYS is removed when another is built
    old = time.time() - (environment.KEEP_DAYS + 1) * 86400
    os.utime(made["lib"], (old, old))
    monkeypatch.setitem(environment.LIB_FILES, "runner.py", tmp_path / "execute.py")
    shutil.copyfile(environment.LIB_FILES["execute.py"], tmp_path / "execute.py")
    (tmp_path / "execute.py").write_text((tmp_path / "execute.py").read_text() + "\n")
    monkeypatch.setattr(environment, "_PREPARED", {})
    environment.prepare()
    assert not Path(made["lib"]).exists() and Path(again["lib"]).exists() and Path(made["python"]).exists()


def test_a_store_another_user_can_write_is_refused(tmp_path, monkeypatch):
    store = tmp_path / "open"
    store.mkdir()
    store.chmod(0o777)
    monkeypatch.setenv("DNN_JAIL_STORE", str(store))
    with pytest.raises(PermissionError, match="writable by no one else.*0o777"):
        environment.store()


def test_the_jail_runs_the_systems_python_with_its_own_packages(jail, machine):
    done = jail.run([sys.executable, "-I", "-c", "import sys, numpy; print(sys.prefix, sys.base_prefix, "
                                                 "sys.executable, numpy.__file__)"])
    assert done.status == "ok", done.output
    prefix, base, executable, numpy_file = done.results.decode().split()
    assert (prefix, executable) == (environment.JAIL_PYTHON, f"{environment.JAIL_PYTHON}/bin/{environment.VERSION}")
    assert base == "/usr" and numpy_file.startswith(f"{environment.JAIL_PYTHON}/{environment.SITE}/")
