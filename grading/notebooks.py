"""Reading lesson notebooks: their exercise cells, check cells, solutions, and the names each cell uses."""
import ast
import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
NOTEBOOKS = PROJECT / "notebooks"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
CORE_MODULES = ("testCases.py", "dnn_utils.py")  # the checks and the library they check against
PACKAGE = "companion"  # the companion's machinery: one package beside the course's two modules
DATA_FILES = ("datasets/train_drawncat.h5", "datasets/test_drawncat.h5", "datasets/make_drawncat.py",
              "datasets/depth_margin.json", "datasets/trainer_runs.json")
ALLOWED_ERRORS_TAG = "raises-exception"  # Jupyter's tag: an error in this cell does not stop "Run All"

MAX_NOTEBOOK_MB = 64  # a lesson notebook with its pictures is under 1 MB; a larger hand-in is not read


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


def python_source(source):
    """A cell's code as plain Python (IPython's %magics and !commands turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(source)


def parse(source):
    """The syntax tree of a cell's code, or None when it does not parse."""
    try:
        return ast.parse(python_source(source))
    except SyntaxError:
        return None


def exercise_name(cell):
    """The graded function a code cell defines (its exercise cell), or None."""
    if cell.cell_type != "code":
        return None
    tree = parse(cell.source)
    if tree is not None:
        names = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    else:  # a learner's syntax error: the cell is still the exercise it starts to define
        names = re.findall(r"^def\s+(\w+)\s*\(", cell.source, flags=re.MULTILINE)
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


