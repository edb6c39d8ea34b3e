"""Grading a whole class: every learner's hand-ins, matched to their lessons, graded in parallel, cached.

    python -m grading grade-class DIR OUT [--workers N | --scheduler tcp://host:8786] [--full] [jail options]

DIR holds one folder per learner (its name is the learner's id) with that learner's notebooks anywhere inside
it. Each hand-in is matched to its lesson by the exercises it holds, not by its file name, and graded as
`python -m grading grade` grades one notebook (grade.py), in a jail, by worker processes that each keep one
jail (jail.py: one per process) and hand back plain data only; classrun/running.py gives them the hand-ins
(each under a deadline, one learner's at a time, under the learner's budget per lesson). The results are kept in OUT/.cache, one file
per hand-in, keyed by the hand-in's content, the grader's version and the grading options: a second run
grades only what changed, and a run cut short loses nothing already graded. gradebook.py writes the files.
"""
import csv
import dataclasses
import functools
import hashlib
import io
import json
import multiprocessing
import multiprocessing.util
import os
import re
import secrets
import shutil
import signal
import stat
import sys
import tempfile
import threading
from pathlib import Path

from . import jail as jails
from .classrun import budget as budgets
from .notebooks import (MAX_NOTEBOOK_MB, NOTEBOOKS, PROJECT, read_notebook, reading_limit, trusted, exercise_name,
                        checked_name)
from .reading import UnreadableNotebook, read_handin

CLASS_WALL, CLASS_CPU = 10, 10  # seconds per function when a class is graded (docs/grading.md)
CONNECT_SECONDS = 10            # how long a Dask scheduler has to answer
SKIPPED_FOLDERS = (".ipynb_checkpoints", "__MACOSX")  # Jupyter's autosaves, macOS's zip leftovers
GRADED, MISSING, UNREADABLE, NOT_A_LESSON = "graded", "missing", "unreadable", "not a lesson"
STOPPED, NOT_RUN = "stopped", "not run"  # past its job's deadline; past its learner's budget for the lesson
RANK = {GRADED: 3, "error": 2, UNREADABLE: 1}  # which of a learner's hand-ins of one lesson counts


class ClassError(ValueError):
    """Bad input for grade-class: names the argument, what was seen and what was expected."""


@dataclasses.dataclass(frozen=True)
class HandIn:
    """One notebook found in a learner's folder: `relative` is its path inside that folder."""
    student: str
    relative: str
    path: Path
    digest: str
    size: int
    submitted: float = None  # when it was handed in (epoch seconds) by the platform's record; None: unknown
    late: bool = None        # whether the platform marked it late (Canvas's LATE); None: it did not say


@dataclasses.dataclass(frozen=True)
class Settings:
    """How every hand-in of a run is graded; all of it goes into the cache key."""
    limits: dict
    isolated: bool = True
    full: bool = False
    cell_timeout: int = 300
    timeout: int = 900

    def limits_object(self):
        return jails.Limits(**self.limits)


# ----------------------------------------------------------------------------------------------------------
# The lessons, and matching a hand-in to one

@functools.lru_cache(maxsize=None)
def lessons():
    """{lesson: its graded functions, in order}, lesson being the notebook's name without .ipynb."""
    with trusted():  # the project's notebooks, whichever hand-in is being read
        return {path.stem: tuple(name for name in map(exercise_name, read_notebook(path).cells) if name)
                for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))}


def lesson_by_name(file_name):
    """The lesson a file's name points to, or None: its number first (`02_...`), its words
    (`forward_propagation`), or the only number of one or two digits in the name that is a lesson's
    (`jdoe_lab2`, `learner005_04`)."""
    stem = Path(file_name).stem.lower()
    for lesson in lessons():
        number, _, words = lesson.partition("_")
        if stem.startswith(f"{number}_") or words in stem:
            return lesson
    numbered = {int(lesson[:2]): lesson for lesson in lessons()}
    found = {numbered[int(digits)] for digits in re.findall(r"\d+", stem)
             if len(digits) <= 2 and int(digits) in numbered}
    return found.pop() if len(found) == 1 else None


def match_lesson(nb, file_name):
    """The lesson whose exercises the notebook holds most of (defined or checked); when it holds none, the
    lesson its file name points to; None when neither says."""
    found = {exercise_name(cell) or checked_name(cell) for cell in nb.cells}
    overlap = {lesson: len(found & set(names)) for lesson, names in lessons().items()}
    best = max(overlap.values(), default=0)
    if best == 0:
        return lesson_by_name(file_name)
    candidates = [lesson for lesson, count in overlap.items() if count == best]
    named = lesson_by_name(file_name)
    return named if named in candidates else candidates[0]


# ----------------------------------------------------------------------------------------------------------
# Finding the hand-ins

def check_folders(folder, out):
    """(DIR, OUT) as resolved paths, or ClassError naming the one that is wrong."""
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        seen = "a file" if folder.exists() else "nothing"
        raise ClassError(f"DIR: found {seen} at {folder}; expected a folder holding one folder per learner")
    folder, out = folder.resolve(), out.resolve()
    if out == folder or folder in out.parents:
        raise ClassError(f"OUT: {out} is inside DIR ({folder}); expected a folder outside the hand-ins, so that "
                         f"the gradebook is never taken for a learner's files")
    if out.exists() and not out.is_dir():
        raise ClassError(f"OUT: {out} is a file; expected a folder (it is created when missing)")
    return folder, out


NOT_IN_A_FOLDER = "not in a learner's folder"


def readable(name):
    """A file name as text, whatever the encoding of its bytes: UTF-8 when it is, else Windows' cp1252, else
    Latin-1 (a zip made on Windows and unpacked here keeps its names' bytes). Text from it encodes as UTF-8."""
    raw = os.fsencode(name)
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def learner_folders(folder):
    """[(learner id, folder)] for DIR's folders, sorted by id; the id is the folder's name as readable text."""
    found = [(readable(entry.name), Path(entry.path)) for entry in os.scandir(folder)
             if entry.is_dir() and not _skipped(entry.name)]
    return sorted(found, key=lambda item: item[0])


def learners(folder):
    """The learners' ids: the names of DIR's folders, sorted."""
    return [student for student, _ in learner_folders(folder)]


def not_plain(path, root=None):
    """Why the file at `path` is not read, or None for a plain file: a link (symbolic, or a folder on the way
    that is one, out of `root`), a hard link (it may be a file outside DIR under another name) or a special
    file (a pipe, a device, a socket)."""
    try:
        status = os.lstat(path)
    except OSError as error:
        return f"not read: {error.strerror or error}"
    if stat.S_ISLNK(status.st_mode):
        return "a link, not followed"
    if root is not None and (path.resolve().parent != path.parent.resolve() or Path(root).resolve() not in
                             path.resolve().parents):
        return "a link, not followed"
    if not stat.S_ISREG(status.st_mode):
        return "a special file, not read"
    if status.st_nlink > 1:
        return "a hard link, not read"
    return None


def open_plain(path):
    """The file at `path` opened for reading, only if it is a plain file (see not_plain): no link is followed,
    a pipe does not block the open. OSError otherwise."""
    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    file = os.fdopen(handle, "rb")
    status = os.fstat(handle)
    if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1:
        file.close()
        raise OSError(f"{readable(path)} is not a plain file (a hard link or a special file): not read")
    return file


def find_handins(folder):
    """(every HandIn of every learner, the notebooks left aside: each as "path (why)"). A link, a hard link or
    a special file is never read: it could be a file outside the learner's folder that the learner must not
    see. Names are kept as readable text, whatever their encoding (readable)."""
    handins = []
    aside = [f"{readable(path.name)} ({NOT_IN_A_FOLDER})" for path in sorted(Path(folder).glob("*.ipynb"))]
    for student, root in learner_folders(folder):
        if root.is_symlink():
            aside.append(f"{student}/ (a link, not followed)")
            continue
        for path in sorted(root.rglob("*.ipynb")):
            relative = path.relative_to(root)
            if any(_skipped(part) for part in relative.parts) or (path.is_dir() and not path.is_symlink()):
                continue
            shown = readable(relative.as_posix())
            why = not_plain(path, root)
            try:
                if not why:
                    handins.append(HandIn(student, shown, path, *_digest(path)))
            except OSError as error:
                why = f"not read: {error.strerror or error}"
            if why:
                aside.append(f"{student}/{shown} ({why})")
    return handins, aside


def _skipped(name):
    return name in SKIPPED_FOLDERS or name.startswith(".")


def _digest(path):
    """(sha256 of the plain file's bytes, its size), read in blocks; for a file larger than a notebook can be
    (by its size or by the space it takes on disk: see file_size), nothing is read and the digest is a mark
    of that file alone, so that grade_all leaves it aside unread."""
    with open_plain(path) as file:
        status = os.fstat(file.fileno())
        size = file_size(status)
        if size > MAX_NOTEBOOK_MB << 20:
            return f"not read:{status.st_dev}:{status.st_ino}:{size}", size
        digest, size = hashlib.sha256(), 0
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
            if size > MAX_NOTEBOOK_MB << 20:  # it grew since it was looked at
                return f"not read:{status.st_dev}:{status.st_ino}:{size}", size
    return digest.hexdigest(), size


def file_size(status):
    """The larger of a file's size and the space it takes on disk (a file may take more than its size: space
    allocated past its end), from its os.stat_result."""
    return max(status.st_size, getattr(status, "st_blocks", 0) * 512)


# ----------------------------------------------------------------------------------------------------------
# The cache: one JSON file per graded hand-in, written then renamed

# Every module that decides a verdict, besides the grading package: the checks and the library they check
# against, and the companion's modules they run on (how a verdict is reached, its rules and hints, the plain
# data that crosses the jail, the argument checks, the catalogue of mistakes).
VERDICT_FILES = ("testCases.py", "dnn_utils.py", "companion/__init__.py", "companion/feedback/*.py",
                 "companion/plain.py", "companion/arguments.py", "companion/kept.py",
                 "companion/solutions/__init__.py", "companion/solutions/mistakes.py")


def verdict_files(project=PROJECT):
    """The files whose content goes into the grader's version: the grading package (its sub-packages too),
    VERDICT_FILES, the lessons."""
    project = Path(project)
    files = sorted(Path(project, "grading").rglob("*.py"))  # with its sub-packages
    files += sorted(Path(project, "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for pattern in VERDICT_FILES:
        files += sorted(project.glob(pattern))
    return files


def version_of(project=PROJECT):
    """A digest of every file of verdict_files(project), each with its path inside the project."""
    digest = hashlib.sha256()
    for path in verdict_files(project):
        digest.update(path.relative_to(project).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@functools.lru_cache(maxsize=None)
def grader_version():
    """A digest of everything a verdict depends on (version_of the project), computed once per process."""
    return version_of(PROJECT)


class Cache:
    """OUT/.cache: the class's seed (drawn once, unless given) and the results, one file per key."""

    def __init__(self, out, seed=None):
        self.folder = Path(out, ".cache")
        self.folder.mkdir(parents=True, exist_ok=True)
        seed_file = self.folder / "seed"
        if seed is None and seed_file.exists():
            seed = int(seed_file.read_text())
        elif seed is None:
            seed = secrets.randbelow(2 ** 31)
            write_atomic(seed_file, f"{seed}\n")
        self.seed = seed

    def key(self, handin, settings):
        """The key of a hand-in's result: its content and name, the grader's version, the settings, the seed."""
        options = dict(dataclasses.asdict(settings), limits={k: float(v) for k, v in settings.limits.items()})
        text = json.dumps([grader_version(), handin.digest, Path(handin.relative).name, options, self.seed],
                          sort_keys=True)  # a limit of 5 and one of 5.0 are the same
        return hashlib.sha256(text.encode()).hexdigest()

    def handin_seed(self, handin):
        """The seed of a hand-in's fresh cases: from the class's seed and its content, so a re-run draws the same."""
        return int(hashlib.sha256(f"{self.seed}:{handin.digest}".encode()).hexdigest()[:8], 16) % 2 ** 31

    def get(self, key):
        try:
            result = json.loads((self.folder / f"{key}.json").read_text())
        except (OSError, ValueError):
            return None
        return result if isinstance(result, dict) and result.get("version") == grader_version() else None

    def put(self, key, result):
        write_atomic(self.folder / f"{key}.json", json.dumps(result, sort_keys=True))


def csv_text(header, rows):
    """A CSV file's text: the header, then the rows, each cell made safe (untrusted.cell: clean, no formula)."""
    from .untrusted import cell
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return text.getvalue()


def write_atomic(path, data):
    """Write `data` (text or bytes) to a temporary file beside `path`, flush it to disk, then rename it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data.encode() if isinstance(data, str) else data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ----------------------------------------------------------------------------------------------------------
# Grading one hand-in (in a worker: a process of the pool, or a Dask worker)

_WORKER = {"lock": threading.Lock()}


def worker_jail(settings):
    """This process's Jail (one per process; each of its runs gets a user id and a memory cgroup of its own),
    made on first use; JailUnavailable where none can be made (a Dask worker without bubblewrap: its hand-ins
    are not graded)."""
    from .grade import make_jail, student_files
    made = _WORKER.get("jail")
    if made is None or made[0] != os.getpid() or made[1] != settings:
        jail = make_jail(settings.limits_object(), settings.isolated)
        if settings.full:  # the student edition a full run needs, built once per process and removed with it
            edition = student_files()
            multiprocessing.util.Finalize(None, shutil.rmtree, (edition.parent,), {"ignore_errors": True},
                                          exitpriority=10)
        _WORKER["jail"] = made = (os.getpid(), settings, jail)
    return made[2]


def grade_job(job, settings):
    """The result (plain data) of grading one hand-in. `job` = (content, file name, seed[, what the learner's
    hand-ins took so far, {lesson: seconds}])."""
    with _WORKER["lock"]:  # a process grades one hand-in at a time, whatever its number of threads
        try:
            return grade_content(*job[:3], settings, *job[3:])
        finally:
            if _WORKER.get("stopping"):
                _exit_worker()


def grade_content(content, file_name, seed, settings, spent=None):
    """Read the notebook from its bytes, match it to its lesson, grade that lesson's functions in the jail;
    not when `spent` ({lesson: seconds} of the learner's hand-ins graded before) is past the lesson's budget."""
    with reading_limit():  # the reading of its cells, in this process: bounded for the whole hand-in
        return _grade_content(content, file_name, seed, settings, spent)


def _grade_content(content, file_name, seed, settings, spent=None):
    from .grade import grade
    try:
        nb = read_handin(file_name, content)  # in a child process, within limits; kept for grade() below
        lesson = match_lesson(nb, file_name)
    except UnreadableNotebook as error:
        return result(UNREADABLE, lesson_by_name(file_name), why=error.why)
    except Exception as error:  # not JSON, not a notebook, not UTF-8: the learner's file, not the grader
        return result(UNREADABLE, lesson_by_name(file_name), why=f"not a notebook ({_short(error)})")
    if lesson is None:
        return result(NOT_A_LESSON, None, why="it holds no exercise of any lesson")
    allowed = budgets.lesson_seconds(len(lessons()[lesson]), settings.limits)
    if budgets.used(spent, lesson) >= allowed:
        return result(NOT_RUN, lesson, why=f"the hand-ins of this lesson graded before it took "
                                          f"{budgets.used(spent, lesson):.0f} s, all the time one hand-in of it "
                                          f"may take ({allowed:.0f} s)")
    with tempfile.TemporaryDirectory(prefix="dnn_class_") as folder:
        path = Path(folder, f"{lesson}.ipynb")
        path.write_bytes(content)
        card = grade(path, settings.full, settings.limits_object(), settings.isolated, seed, settings.cell_timeout,
                     settings.timeout, exercises=lessons()[lesson], jail=worker_jail(settings))
    verdicts = [[name, v.points, v.outcome, v.comment, v.mistake] for name, v in card.verdicts.items()]
    return result(GRADED, lesson, card.score, card.total, verdicts, card.notes)


def result(status, lesson, score=0, total=None, verdicts=(), notes=(), why=""):
    """A hand-in's result as plain data (what the cache keeps and a worker sends back)."""
    total = len(lessons().get(lesson, ())) if total is None else total
    return {"version": grader_version(), "status": status, "lesson": lesson, "score": score, "total": total,
            "verdicts": list(verdicts), "notes": list(notes), "why": why}


def _short(error):
    return f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}".rstrip(": ")


# ----------------------------------------------------------------------------------------------------------
# A worker's life (the pool of processes that run the workers, on this machine or on a Dask cluster, and
# what a run does with their results: classrun/running.py)

def start_worker(settings, parent):
    """A pool worker: Ctrl-C is for the parent; SIGTERM (the parent stopping it, or the parent's death) kills
    the jail and exits."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)
    _die_with(parent)
    worker_jail(settings)


def _die_with(parent):
    """Have the kernel send this process SIGTERM when its parent dies (Linux), and exit if it already has."""
    import ctypes
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        _exit_worker()


def _stop_worker(signum, frame):
    _WORKER["stopping"] = True
    if _WORKER["lock"].locked():  # grading: unwinding through Jail.run kills the jail, then grade_job exits
        raise SystemExit(1)
    _exit_worker()


def _exit_worker():
    """Exit at once: a jail leaves nothing between runs, and the one running is killed with its namespace."""
    os._exit(1)


def default_workers():
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def progress_bar(stream=sys.stderr):
    """A `progress` for grade_all: a tqdm bar (done / total, rate, time left)."""
    from tqdm import tqdm

    def start(total, cached):
        bar = tqdm(total=total, unit="notebook", desc="grading", file=stream, dynamic_ncols=True,
                   disable=total == 0)
        return lambda: (bar.update(1), bar.n == total and bar.close())
    return start
