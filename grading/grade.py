"""Grading a handed-in notebook: each graded function checked on its own code, in the jail, and the scorecard.

By default no kernel is started: the code of each exercise cell is taken from the notebook and checked on its
own (verdict.py), in a jail of its own. With `full=True` the whole notebook first runs in a kernel, in the
jail too, next to the student edition's files; an exercise whose cell did not run there scores 0.
"""
import ast
import atexit
import contextlib
import dataclasses
import io
import json
import secrets
import shutil
import tempfile
from pathlib import Path

from . import jail as jails
from .confine import probe
from .notebooks import (NOTEBOOKS, read_notebook, reading_limit, trusted, unread_note, once, exercise_name,
                        checked_name, graded_functions, read_code)
from .reading import read_handin
from .untrusted import PATH, clean
from .verdict import FORBIDDEN_MODULES, Verdict, check_function

CELL_TIMEOUT, TIMEOUT = 300, 900  # seconds, for a full run
NOT_ISOLATED = ("NOT ISOLATED: graded with --no-jail, so the hand-in ran with the grader's rights (files, "
                "network, processes); only the limits applied")


class Scorecard:
    """The grade of one notebook: one line per graded function (name, points, comment), the outcome of each
    (ok, wrong, not written, out of time, memory, disk, output, attempt, crashed, missing, did not run) and
    the notes about the run."""

    def __init__(self, notebook, verdicts, notes, seed=None):
        self.notebook, self.seed = notebook, seed
        self.verdicts = {name: dataclasses.replace(verdict, comment=clean(verdict.comment)) for name, verdict
                         in dict(verdicts).items()}  # a hand-in's words: capped, no control characters
        self.notes = [clean(note) for note in notes]

    @property
    def lines(self):
        return [(name, verdict.points, verdict.comment) for name, verdict in self.verdicts.items()]

    @property
    def score(self):
        return sum(verdict.points for verdict in self.verdicts.values())

    @property
    def total(self):
        return len(self.verdicts)

    def comment(self, name):
        return self.verdicts[name].comment

    def points(self, name):
        return self.verdicts[name].points

    def text(self):
        width = max([len(name) for name in self.verdicts] + [10])
        rows = [clean(self.notebook, PATH)] + [f"  {note}" for note in self.notes]
        rows += [f"{name:<{width}}  {points}/1  {comment}" for name, points, comment in self.lines]
        return "\n".join(rows + [f"score: {self.score}/{self.total}"])


def expected_exercises(nb, path):
    """The graded functions a notebook should hold: those its cells define or check, and those of the
    project's notebook of the same name (so that a deleted exercise still counts)."""
    names = [exercise_name(cell) or checked_name(cell) for cell in nb.cells]
    lesson = NOTEBOOKS / Path(path).name
    if lesson.exists() and lesson.resolve() != Path(path).resolve():
        with trusted():
            names += [exercise_name(cell) for cell in read_notebook(lesson).cells]
    return list(dict.fromkeys(name for name in names if name))


def make_jail(limits=None, isolated=True, files=None, kernel_sockets=False):
    """A Jail, or JailUnavailable saying why there is none and what to do (grade with --no-jail)."""
    if isolated:
        why = probe.problem()
        if why:
            raise jails.JailUnavailable(f"cannot grade in a jail: {why}. To grade without one (only on hand-ins "
                                        f"you trust), pass --no-jail; every scorecard will then say so")
    return jails.Jail(limits, isolated, files, kernel_sockets)


def grade(path, full=False, limits=None, isolated=True, seed=None, cell_timeout=CELL_TIMEOUT, timeout=TIMEOUT,
          executed=None, exercises=None, jail=None):
    """The Scorecard of the notebook at `path`. `full`: run the whole notebook first (in the jail), and save
    the executed notebook to `executed` if given. `seed`: of the fresh cases (drawn at random when None).
    `exercises`: the graded functions (by default expected_exercises); `jail`: a Jail to check them in (made
    with the same `limits` and `isolated`; by default a new one)."""
    with reading_limit():  # the reading of the hand-in's cells, in this process: bounded in all
        return _grade(Path(path), full, limits, isolated, seed, cell_timeout, timeout, executed, exercises, jail)


def _grade(path, full, limits, isolated, seed, cell_timeout, timeout, executed, exercises, jail):
    nb = read_handin(path)
    seed = secrets.randbelow(2 ** 31) if seed is None else seed
    notes = [] if isolated else [NOT_ISOLATED]
    run = None
    if full:
        run = run_notebook(path, limits, isolated, cell_timeout, timeout)
        notes += run.notes(nb)
        if executed and run.executed:
            Path(executed).write_text(run.executed)
    with contextlib.nullcontext(jail) if jail else make_jail(limits, isolated) as jail:
        verdicts, defined = {}, Definitions(nb)
        for name in exercises or expected_exercises(nb, path):
            index, why_not = exercise_cell(nb, name, run)
            verdicts[name] = why_not if index is None else check_function(
                jail, name, nb.cells[index].source, seed, helpers=defined.helpers(index, name))
    unread = unread_note(nb)  # cells past the hand-in's code in all
    return Scorecard(path, verdicts, notes + ([unread] if unread else []), seed)


def exercise_cell(nb, name, run=None):
    """(the index of the exercise cell of `name` that counts, None) or (None, the Verdict why none does).

    The one that counts is the one the learner's own check ran on, top to bottom: the last cell defining `name`
    before the last cell that checks it (`check_<name>(<name>)`); with no such check, the last cell defining
    it. A scratch cell further down that defines `name` again does not replace the checked function. In a
    full run, only the cells that ran count."""
    indices = [index for index, cell in enumerate(nb.cells) if exercise_name(cell) == name]
    if not indices:
        return None, Verdict(0, "missing", "missing: no cell defines it")
    candidates = indices if run is None else [index for index in indices if run.cells.get(index) in ("ok", "error")]
    if not candidates:  # an error after the def is fine: the function was defined
        return None, Verdict(0, "did not run", f"did not run: {run.why_not(indices[-1])}")
    checks = [index for index, cell in enumerate(nb.cells) if checked_name(cell) == name]
    checked = [index for index in candidates if checks and index < checks[-1]]
    return (checked or candidates)[-1], None


class Definitions:
    """The top-level functions and imports of a notebook's code cells, to give an exercise the helpers the
    learner wrote for it in earlier cells."""

    def __init__(self, nb):
        self.cells = [[(binds, reads, code) for binds, reads, code in once(self._top_level, cell.source)]
                      if cell.cell_type == "code" else [] for cell in nb.cells]  # each item its own (helpers())

    @staticmethod
    def _top_level(source):
        """[(names it binds, names it reads, code)] for each function definition and import of a cell."""
        try:
            code, tree = read_code(source)  # within the hand-in's limits: UnreadableCell past them
        except Exception:  # a cell that does not parse, or is not read, defines nothing
            return []
        lines, found = code.splitlines(True), []
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                binds = {node.name}
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and not _forbidden(node):
                binds = {(alias.asname or alias.name).split(".")[0] for alias in node.names} - {"*"}
            else:
                continue
            first = min([node.lineno] + [decorator.lineno for decorator in getattr(node, "decorator_list", [])])
            reads = {name.id for name in ast.walk(node) if isinstance(name, ast.Name)}
            found.append((binds, reads, "".join(lines[first - 1:node.end_lineno])))
        return found

    def helpers(self, index, name):
        """The code of the helpers the exercise cell `index` (of `name`) calls, directly or through each
        other: the last top-level definition of each in the cells before it (as they stood when it ran, top to
        bottom), never one with a graded function's name, nor one its own cell defines again."""
        latest = {}
        for cell in self.cells[:index]:
            for item in cell:
                latest.update({bound: item for bound in item[0]})
        own = self.cells[index]
        for item in own:
            for bound in item[0]:
                latest.pop(bound, None)
        for graded in graded_functions():
            latest.pop(graded, None)
        wanted, todo, seen = [], [read for item in own for read in item[1]], set()
        while todo:
            read = todo.pop()
            item = latest.get(read)
            if item is not None and id(item) not in seen:
                seen.add(id(item))
                wanted.append(item)
                todo += list(item[1])
        order = {id(item): position for position, item in enumerate(item for cell in self.cells for item in cell)}
        return "".join(item[2] if item[2].endswith("\n") else item[2] + "\n"
                       for item in sorted(wanted, key=lambda item: order[id(item)]))


def _forbidden(node):
    """An import of the library's solutions: never carried over (the lesson's later notebooks import the
    graded functions from dnn_utils; the grader gives them as support code instead)."""
    modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [alias.name for alias in node.names]
    return any(module == banned or module.startswith(banned + ".") for module in modules
               for banned in FORBIDDEN_MODULES)


# ----------------------------------------------------------------------------------------------------------
# The full run: the whole notebook in a kernel, in the jail, next to the student edition

class Run:
    """What happened when a notebook ran: the cells that ran (index -> "ok", "error" or "timeout") and, when
    the run stopped early, why and at which cell."""

    def __init__(self, lines, finished):
        self.cells, self.stopped, self.stopped_at, self.executed = {}, None, None, None
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if not isinstance(event, dict):
                continue
            if isinstance(event.get("cell"), int) and event.get("status") in ("ok", "error", "timeout"):
                self.cells[event["cell"]] = event["status"]
            if isinstance(event.get("stopped"), str):
                self.stopped, self.stopped_at = event["stopped"][:200], event.get("at")
            if isinstance(event.get("executed"), str):
                self.executed = event["executed"]
        if finished.status == "time" and not self.stopped:
            self.stopped = "the grader's time limit (the notebook's jail had to be killed)"
        elif finished.status == "cpu" and not self.stopped:
            self.stopped = "the CPU time of the whole run (the notebook's jail had to be killed)"
        elif finished.status == "output" and not self.stopped:
            self.stopped = "it printed too much"
        elif finished.status == "memory" and not self.stopped:
            self.stopped = "it used more memory than the jail's limit (the kernel killed a process)"
        self.failed = finished.output[-600:] if finished.code not in (0, None) and not self.stopped else ""

    def notes(self, nb):
        code_cells = sum(1 for cell in nb.cells if cell.cell_type == "code" and cell.source.strip())
        bad = sum(status != "ok" for status in self.cells.values())
        notes = [f"ran {len(self.cells)} of {code_cells} code cells"
                 + (f" ({bad} with an error or out of time)" if bad else "")]
        if self.stopped:
            notes.append(f"stopped at cell {self.stopped_at}: {self.stopped}" if isinstance(self.stopped_at, int)
                         else f"stopped: {self.stopped}")
        elif self.failed:
            notes.append(f"the notebook's process failed: {self.failed}")
        return notes

    def why_not(self, index):
        if self.cells.get(index) == "timeout":
            return "its cell ran out of time (the kernel was still busy, or the cell itself is too slow)"
        if self.stopped:
            return f"the run stopped before it ({self.stopped})"
        return "its cell was not executed"


_EDITION = {}


def student_files():
    """A folder holding the student edition (built once per process): what a notebook needs, no answers."""
    if "folder" not in _EDITION:
        from .student import build_student
        root = Path(tempfile.mkdtemp(prefix="dnn_edition_"))
        atexit.register(shutil.rmtree, root, ignore_errors=True)
        with contextlib.redirect_stdout(io.StringIO()):
            build_student(root / "student")
        _EDITION["folder"] = root / "student"
    return _EDITION["folder"]


def run_notebook(path, limits, isolated, cell_timeout, timeout):
    """Run the whole notebook in the jail, next to the student edition's files; return its Run."""
    limits = jails.Limits(**{**vars(limits or jails.Limits()), "wall_seconds": timeout + 60,
                             "cpu_seconds": timeout, "memory_mb": max((limits or jails.Limits()).memory_mb, 2048)})
    files = Path(tempfile.mkdtemp(prefix="dnn_handin_"))
    try:
        shutil.copytree(student_files(), files, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
        shutil.copy2(path, files / "handed_in.ipynb")
        with make_jail(limits, isolated, files, kernel_sockets=True) as jail:  # a kernel and its client
            folder = jails.FILES if isolated else str(files)
            script = f"{jails.LIB}/execute.py"
            done = jail.run([jail.runner()[0], "-I", script, folder, "handed_in.ipynb", str(cell_timeout),
                             str(timeout)])
        return Run(done.results.decode("utf-8", errors="replace").splitlines(), done)
    finally:
        shutil.rmtree(files, ignore_errors=True)
