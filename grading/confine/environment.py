"""The Python a jail runs, laid out where no path of the grading machine shows.

A jail does not see the grader's own installation: its virtual environment sits in the project (its
`pyvenv.cfg`, scripts, editable finder and every compiled module name the project's folder) and Python itself
often in a home folder. Instead each jail sees, at JAIL_PYTHON, an environment of its own:

    /jail/python/pyvenv.cfg                      home = /usr/bin (the system's Python of the same version)
    /jail/python/bin/python3.X                   -> /usr/bin/python3.X
    /jail/python/lib/python3.X/site-packages/    the packages a jail needs (NEEDED and what they require),
                                                 copied from the grader's environment, with the file names
                                                 inside their compiled modules rewritten to where the jail
                                                 sees them, and nothing of the project itself
    /jail/lib/                                   runner.py, execute.py and the few companion modules they use

Both are built once per content (a key of the packages' versions and the files' bytes), in STORE on the
machine (`/var/lib/dnn-jail` as root, `/var/tmp/dnn-jail-UID` otherwise), and bound read-only into every jail:
what a jail reads of its mounts (/proc/self/mountinfo) and its first process's command line names only those
folders. Where the machine has no Python of the grader's version under /usr/bin, the grader's own interpreter
is used at its own path (that path shows in the jail; the project's does not).
"""
import fcntl
import hashlib
import importlib.metadata
import importlib.util
import marshal
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from packaging.requirements import Requirement

JAIL_PYTHON, JAIL_LIB = "/jail/python", "/jail/lib"
VERSION = f"python{sys.version_info.major}.{sys.version_info.minor}"
SITE = f"lib/{VERSION}/site-packages"
# What a jail imports: numpy for the lessons' functions, and a notebook's full run its kernel and client
NEEDED = ("numpy", "matplotlib", "h5py", "pillow", "ipykernel", "ipywidgets", "nbclient", "nbformat")
GRADING = Path(__file__).resolve().parents[1]
# what the jail sees of the project at /jail/lib: these files only
LIB_FILES = {"runner.py": GRADING / "runner.py", "execute.py": GRADING / "execute.py",
             **{f"companion/{name}": GRADING.parent / "companion" / name
                for name in ("__init__.py", "plain.py", "arguments.py")}}
KEEP_DAYS = 14  # a built environment no jail has used for this long is removed when another is built
LAYOUT = 1      # the version of this layout: a change to how a store's folder is made makes new ones


def store():
    """The folder that holds the jails' environments on this machine (made, and checked to be this user's)."""
    folder = Path(os.environ.get("DNN_JAIL_STORE") or
                  ("/var/lib/dnn-jail" if os.geteuid() == 0 else f"/var/tmp/dnn-jail-{os.getuid()}"))
    folder.mkdir(mode=0o755, parents=True, exist_ok=True)
    seen = folder.stat()
    if seen.st_uid != os.geteuid() or seen.st_mode & 0o022:
        raise PermissionError(f"the jails' store {folder} must belong to user {os.geteuid()} and be writable by "
                              f"no one else; it belongs to {seen.st_uid} with mode {oct(seen.st_mode & 0o777)}")
    return folder


def interpreter():
    """The Python a jail runs: the system's, of the grader's version, else the grader's own (its real path)."""
    system = Path("/usr/bin") / VERSION
    if system.is_file() and os.access(system, os.X_OK):
        return str(system)
    return os.path.realpath(sys._base_executable if hasattr(sys, "_base_executable") else sys.executable)


def distributions(names=None):
    """The installed distributions `names` (NEEDED) need, with everything they require (extras left out), by
    name."""
    found, todo = {}, list(NEEDED if names is None else names)
    while todo:
        key = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if key in found:
            continue
        found[key] = importlib.metadata.distribution(key)
        for line in found[key].requires or ():
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return found


def _key(*parts):
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


_PREPARED = {}


def prepare():
    """{"python": the folder bound at JAIL_PYTHON, "lib": the one bound at JAIL_LIB, "interpreter": the real
    interpreter the jail's python links to}, built when missing (looked up once a process)."""
    if not _PREPARED or not all(os.path.isdir(_PREPARED[kind]) for kind in ("python", "lib")):
        _PREPARED.update(_prepare())
    return dict(_PREPARED)


def _prepare():
    found = distributions()
    python = interpreter()
    versions = sorted((key, dist.version) for key, dist in found.items())
    lib_bytes = sorted((name, hashlib.sha256(path.read_bytes()).hexdigest()) for name, path in LIB_FILES.items())
    root = store()
    folders = {"python": root / f"python-{_key(LAYOUT, python, sys.version, versions)}",
               "lib": root / f"lib-{_key(LAYOUT, lib_bytes)}"}
    for kind, folder in folders.items():
        if not folder.is_dir():
            with _locked(root):
                if not folder.is_dir():
                    _build(folder, (lambda to: _lay_out_python(to, python, found)) if kind == "python" else _lay_out_lib)
                    _prune(root, keep=set(folders.values()))
        os.utime(folder)  # in use
    return {"python": str(folders["python"]), "lib": str(folders["lib"]), "interpreter": python}


class _locked:
    def __init__(self, root):
        self.path = root / ".lock"

    def __enter__(self):
        self.file = open(self.path, "a")
        fcntl.flock(self.file, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        self.file.close()


def _build(folder, lay_out):
    """Make `folder` by `lay_out(into)` in a folder beside it, renamed when whole."""
    building = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
    old = os.umask(0o022)
    try:
        lay_out(building)
        building.chmod(0o755)
        building.rename(folder)
    finally:
        os.umask(old)
        shutil.rmtree(building, ignore_errors=True)


def _lay_out_lib(into):
    for name, source in LIB_FILES.items():
        (into / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, into / name)


def _lay_out_python(into, python, found):
    (into / "bin").mkdir()
    for name in (VERSION, "python3", "python"):
        (into / "bin" / name).symlink_to(python)
    (into / "pyvenv.cfg").write_text(f"home = {os.path.dirname(python)}\ninclude-system-site-packages = false\n"
                                     f"version = {sys.version.split()[0]}\n")
    site = into / SITE
    site.mkdir(parents=True)
    for dist in found.values():
        for file in dist.files or ():
            if file.parts[0] == ".." or file.suffix == ".pyc" or file.name == "direct_url.json":
                continue  # scripts and data outside site-packages; compiled modules are rewritten below
            source = Path(file.locate())
            if not source.is_file():
                continue
            target = site / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            if file.suffix == ".py":
                _move_compiled(source, target, f"{JAIL_PYTHON}/{SITE}/{file.as_posix()}")


def _move_compiled(source, target, seen_as):
    """The compiled module of `source` (when there is one) beside `target`, naming `seen_as` as its file."""
    try:
        compiled = Path(importlib.util.cache_from_source(str(source)))
        data = compiled.read_bytes()
    except (OSError, NotImplementedError, ValueError):
        return  # imported from its source in the jail
    header, code = data[:16], marshal.loads(data[16:])
    into = Path(importlib.util.cache_from_source(str(target)))
    into.parent.mkdir(exist_ok=True)
    into.write_bytes(header + marshal.dumps(_renamed(code, seen_as)))


def _renamed(code, filename):
    consts = tuple(_renamed(const, filename) if isinstance(const, type(code)) else const for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def _prune(root, keep):
    """Remove environments and lib folders no jail has used for KEEP_DAYS, and builds left half made."""
    now = time.time()
    for folder in root.iterdir():
        if folder in keep or not folder.is_dir():
            continue
        stale = now - folder.stat().st_mtime > (3600 if folder.name.startswith(".building-") else KEEP_DAYS * 86400)
        if stale and folder.name.startswith((".building-", "python-", "lib-")):
            shutil.rmtree(folder, ignore_errors=True)
