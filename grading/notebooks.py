"""Reading lesson notebooks: their exercise cells, check cells, solutions, and the names each cell uses."""
import ast
import contextlib
import os
import re
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
NOTEBOOKS = PROJECT / "notebooks"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
CORE_MODULES = ("testCases.py", "dnn_utils.py")  # the checks and the library they check against
PACKAGE = "companion"  # the companion's machinery: one package beside the course's two modules
DATA_FILES = ("datasets/train_drawncat.h5", "datasets/test_drawncat.h5", "datasets/make_drawncat.py",
              "datasets/depth_margin.json", "datasets/trainer_runs.json", "datasets/every_cost.json")
ALLOWED_ERRORS_TAG = "raises-exception"  # Jupyter's tag: an error in this cell does not stop "Run All"

MAX_NOTEBOOK_MB = 64  # a lesson notebook with its pictures is under 1 MB; a larger hand-in is not read
# A hand-in's cells are read within limits: a lesson's cells are a few KB and IPython reads each in milliseconds
MAX_CELL_KB = 256            # larger cells are not read as code
TRANSFORM_SECONDS = 2        # IPython's transformation of one cell (time and CPU)
TRANSFORM_MB = 256           # ... and the memory it may add
READ_SECONDS = 10            # all of one hand-in's cells, within reading_limit()
MAX_CODE_KB = 256            # ... and the code read of them in all: a lesson's is about 15 KB, parsed in ms
READ_CACHE = 4096            # cells kept read, per grader process
READ_CACHE_MB = 64           # ... and their text in all
BOUNDED_OUTPUT_MB = 16
_READ, _CACHED = {}, {"text": 0}
_HANDIN = {"left": None}  # within reading_limit: what is left of one hand-in's limits, and what was read of it


def read_notebook(path):
    """The notebook at `path` (nbformat 4); ValueError for a file too large to be a hand-in."""
    import nbformat
    size = Path(path).stat().st_size
    if size > MAX_NOTEBOOK_MB << 20:
        raise ValueError(f"{path} is {size / 2 ** 20:.0f} MB; expected a notebook of at most {MAX_NOTEBOOK_MB} MB")
    return nbformat.read(str(path), as_version=4)


def graded_functions():
    from testCases import FUNCTIONS
    return FUNCTIONS


class UnreadableCell(SyntaxError):
    """A cell the grader does not read as Python: too large, too deeply nested, past its hand-in's code in
    all, or IPython's reading of it went past its limits."""


def python_source(source):
    """A cell's code as plain Python (IPython's %magics and !commands turned into calls). A hand-in's cell is
    read within limits (size, time, memory: MAX_CELL_KB, TRANSFORM_SECONDS, TRANSFORM_MB; within
    reading_limit, the hand-in's code in all: MAX_CODE_KB), once per grader process; UnreadableCell (a
    SyntaxError) when it cannot be."""
    return _read(source)[0]


def read_code(source):
    """(python_source(source), its syntax tree): UnreadableCell, or the SyntaxError, RecursionError or
    MemoryError of Python's parser, when it cannot be had."""
    code, tree = _read(source)
    return code, tree if tree is not None else ast.parse(code)


def _read(source):
    """(python_source(source), its syntax tree when it was parsed just now to read it, else None)."""
    size = len(source.encode("utf-8", errors="replace"))
    if size > MAX_CELL_KB << 10:
        raise UnreadableCell(f"the cell is {size / 1024:.0f} KB; expected at most {MAX_CELL_KB} KB of code")
    _count(source, size)
    found, tree = _READ.get(source), None
    if found is None:
        found, keep, tree = _read_cell(source)
        if keep:
            _READ[source] = found
            _CACHED["text"] += len(source)
            while len(_READ) > READ_CACHE or _CACHED["text"] > READ_CACHE_MB << 20:
                oldest = next(iter(_READ))
                del _READ[oldest]
                _CACHED["text"] -= len(oldest)
    code, why = found
    if code is None:
        raise UnreadableCell(why)
    return code, tree


@contextlib.contextmanager
def reading_limit(seconds=READ_SECONDS, code_kb=None):
    """Within it (one hand-in's reading), the time IPython may spend on cells not yet read is `seconds` in all,
    and the code of the cells read `code_kb` KB in all (MAX_CODE_KB by default): a cell past it is not read
    (unread_note says so); within an outer one, the outer one's limits hold."""
    before = dict(_HANDIN)
    if before["left"] is not None:
        yield
        return
    code_kb = MAX_CODE_KB if code_kb is None else code_kb
    _HANDIN.update(left=seconds, code_kb=code_kb, code=code_kb << 10, counted=set(), unread=set(), known={})
    try:
        yield
    finally:
        _HANDIN.clear()
        _HANDIN.update(before)


def once(function, source):
    """function(source), a fact about a cell's code; within reading_limit, found once for each distinct code of
    the hand-in (grading asks for each cell's several times, and a hand-in may repeat a cell many times). What
    it gives is shared: never to be changed."""
    known = _HANDIN.get("known")
    if known is None:
        return function(source)
    key = (function, source)
    if key not in known:
        known[key] = function(source)
    return known[key]


@contextlib.contextmanager
def trusted():
    """Within it, the cells read are the project's own (its lessons'), read whole: not counted against a
    hand-in whose reading_limit it is within."""
    before = dict(_HANDIN)
    _HANDIN.clear()
    _HANDIN["left"] = None
    try:
        yield
    finally:
        _HANDIN.clear()
        _HANDIN.update(before)


def unread_note(nb):
    """Within reading_limit: a note saying how many of the notebook's code cells were not read for coming after
    the hand-in's MAX_CODE_KB of code, or None."""
    unread = _HANDIN.get("unread") or ()
    unread = sum(cell.cell_type == "code" and cell.source in unread for cell in nb.cells) if unread else 0
    if not unread:
        return None
    return f"{unread} code cell{'s' * (unread > 1)} not read: {_past_the_code()}"


def _past_the_code():
    return (f"the hand-in holds more than {_HANDIN['code_kb']} KB of code (expected a lesson's hand-in: about "
            f"15 KB), and the grader reads its cells in order up to that")


def _count(source, size):
    """Count a cell's code against its hand-in's (within reading_limit); UnreadableCell past it."""
    counted = _HANDIN.get("counted")
    if counted is None or source in counted:
        return
    if size > _HANDIN["code"]:
        _HANDIN["unread"].add(source)
        _HANDIN["code"] = -1  # and none after it
        raise UnreadableCell(f"not read: {_past_the_code()}")
    _HANDIN["code"] -= size
    counted.add(source)


def _read_cell(source):
    """((code, None) or (None, why), whether to keep it, its syntax tree or None): plain Python is read (parsed)
    here; a cell with IPython's syntax is transformed by IPython in a child process under a time and memory
    limit (its token transforms take time that grows with the square of the number of %magic lines). Code
    nested too deeply for Python's parser (a chain of thousands of `+`) is not read."""
    from IPython.core import inputtransformer2 as transformer
    lines = (source if source.endswith("\n") else source + "\n").splitlines(keepends=True)
    for transform in (transformer.leading_empty_lines, transformer.leading_indent, transformer.classic_prompt,
                      transformer.ipython_prompt, transformer.cell_magic):
        lines = transform(lines)
    code = "".join(lines)
    try:
        return (code, None), True, ast.parse(code)  # plain Python: IPython's token transforms would leave it
    except (RecursionError, MemoryError) as error:
        return (None, f"Python's parser cannot read it ({type(error).__name__}: {error}); expected a lesson's "
                      f"code, nested a few levels deep"), True, None
    except (SyntaxError, ValueError):
        pass
    left = _HANDIN["left"]
    seconds = TRANSFORM_SECONDS if left is None else min(TRANSFORM_SECONDS, left)
    if seconds <= 0:
        return (None, f"IPython's reading of the hand-in's cells took more than {READ_SECONDS} s in all; this "
                      f"cell was not read"), False, None
    start = time.monotonic()
    found = bounded(_ipython_transform, source, seconds, TRANSFORM_MB)
    if left is not None:
        _HANDIN["left"] = left - (time.monotonic() - start)
    if isinstance(found, str):
        return (found, None), True, None
    why = {"time": f"IPython's reading of the cell took more than {seconds:g} s (expected a cell of a lesson: its "
                   f"%magics take milliseconds)",
           "memory": f"IPython's reading of the cell needed more than {TRANSFORM_MB} MB"}.get(found[0], found[1])
    return (None, why), seconds == TRANSFORM_SECONDS, None


def _ipython_transform(source):
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(source)


def bounded(function, argument, seconds, memory_mb):
    """function(argument) run in a child process of this one, forked, under `seconds` of CPU and wall-clock
    time and `memory_mb` more address space than this process has: its result (plain data: text, numbers,
    lists, dicts, sent back as JSON of at most BOUNDED_OUTPUT_MB), or ("time" | "memory" | "output" |
    "error", what happened)."""
    import json
    import resource
    import selectors
    import signal
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(read)
            for which in (signal.SIGINT, signal.SIGTERM):
                signal.signal(which, signal.SIG_DFL)
            size = int(next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmSize:")))
            limit = (size << 10) + (memory_mb << 20)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            cpu = max(int(seconds + 0.999), 1)
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            try:
                data = json.dumps({"value": function(argument)})
            except MemoryError:
                data = json.dumps({"memory": True})
            except Exception as error:
                data = json.dumps({"error": f"{type(error).__name__}: {str(error)[:300]}"})
            data = data.encode()
            while data:
                data = data[os.write(write, data):]
        finally:
            os._exit(0)
    os.close(write)
    chunks, size, deadline = [], 0, time.monotonic() + seconds
    selector = selectors.DefaultSelector()
    selector.register(read, selectors.EVENT_READ)
    try:
        while size <= BOUNDED_OUTPUT_MB << 20:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(timeout=left):
                break
            chunk = os.read(read, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        selector.close()
        os.close(read)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _, status = os.waitpid(pid, 0)
    if size > BOUNDED_OUTPUT_MB << 20:
        return "output", f"more than {BOUNDED_OUTPUT_MB} MB"
    try:
        result = json.loads(b"".join(chunks))
    except ValueError:
        if time.monotonic() >= deadline or os.WIFSIGNALED(status) and os.WTERMSIG(status) in (
                signal.SIGXCPU, signal.SIGKILL):
            return "time", f"stopped after {seconds:g} s"
        return "error", "the child process sent back nothing readable"
    if "value" in result:
        return result["value"]  # never a tuple: JSON has none
    if result.get("memory"):
        return "memory", f"more than {memory_mb} MB"
    return "error", str(result.get("error"))[:300]


def parse(source):
    """The syntax tree of a cell's code, or None when it does not parse (or is not read: UnreadableCell)."""
    try:
        return read_code(source)[1]
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # the last two: code IPython has rewritten
        return None


def exercise_name(cell):
    """The graded function a code cell defines (its exercise cell), or None."""
    return once(_defined_exercise, cell.source) if cell.cell_type == "code" else None


def _defined_exercise(source):
    tree = parse(source)
    if tree is not None:
        names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    else:  # a learner's syntax error: the cell is still the exercise it starts to define
        names = re.findall(r"^def\s+(\w+)\s*\(", source, flags=re.MULTILINE)
    return next((name for name in reversed(names) if name in graded_functions()), None)


def checked_name(cell):
    """The graded function a check cell checks (`check_<name>(<name>)`), or None."""
    match = re.match(r"\s*check_(\w+)\(\s*\1\s*[,)]", cell.source) if cell.cell_type == "code" else None
    return match[1] if match and match[1] in graded_functions() else None


def library_imports(nb):
    """{name bound in the notebook: graded function} for the graded functions a notebook imports from the
    library (`from dnn_utils import ...`)."""
    found = {}
    for cell in nb.cells:
        tree = parse(cell.source) if cell.cell_type == "code" else None
        for node in ast.walk(tree) if tree else ():
            if isinstance(node, ast.ImportFrom) and node.module == "dnn_utils":
                found.update({alias.asname or alias.name: alias.name for alias in node.names
                              if alias.name in graded_functions()})
    return found


def package_files(project=PROJECT, without=()):
    """The files of the companion's package (paths relative to the project, its modules first), less those in its
    sub-packages `without` (names such as "solutions")."""
    root = Path(project, PACKAGE)
    skipped = [root / name for name in without]
    files = [path for path in sorted(root.rglob("*.py"))
             if "__pycache__" not in path.parts and not any(path.is_relative_to(folder) for folder in skipped)]
    return tuple(str(path.relative_to(project)) for path in files)


def project_modules(project=PROJECT):
    """The project's modules the lesson notebooks run on: the course's two and the companion's package."""
    return CORE_MODULES + package_files(project)


def strip_solutions(source):
    """The code with every marked solution replaced by the stub, indented like its BEGIN marker (as nbgrader's
    ClearSolutions does); a marker without its pair is an error."""
    lines, inside = [], False
    for line in source.split("\n"):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f"nested {BEGIN!r} in:\n{source}")
            inside = True
            lines += [line[:line.index(BEGIN)] + stub for stub in STUB]
        elif marker == END:
            if not inside:
                raise ValueError(f"{END!r} without {BEGIN!r} in:\n{source}")
            inside = False
        elif not inside:
            lines.append(line)
    if inside:
        raise ValueError(f"{BEGIN!r} without {END!r} in:\n{source}")
    return "\n".join(lines)


class _Names(ast.NodeVisitor):
    """The names a cell's top-level code reads and binds, and the names each function it defines reads."""

    def __init__(self, tree):
        self.reads, self.binds, self.functions = set(), set(), {}
        for node in tree.body:
            self.visit(node)

    def visit_FunctionDef(self, node):
        self.binds.add(node.name)
        self.functions[node.name] = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        for default in node.args.defaults + node.args.kw_defaults + node.decorator_list:
            if default is not None:
                self.visit(default)

    visit_AsyncFunctionDef = visit_ClassDef = visit_FunctionDef

    def visit_Name(self, node):
        (self.reads if isinstance(node.ctx, ast.Load) else self.binds).add(node.id)

    def visit_alias(self, node):
        self.binds.add((node.asname or node.name).split(".")[0])


def cells_needing_exercises(nb, also=()):
    """The indices of the code cells (other than the exercise and check cells) that call, directly or through
    what earlier such cells define, a function written in an exercise of the notebook, or one of the names
    `also`: they fail while it is not written."""
    unwritten = {name for name in map(exercise_name, nb.cells) if name} | set(also)
    needing = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or exercise_name(cell) or checked_name(cell):
            continue
        tree = parse(cell.source)
        if tree is None:
            continue
        names = _Names(tree)
        unwritten |= {name for name, reads in names.functions.items() if reads & unwritten}
        if names.reads & unwritten:
            needing.append(index)
            unwritten |= names.binds
    return needing


