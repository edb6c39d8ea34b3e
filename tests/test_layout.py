"""The layout: the top level shows the course and holds only what README's layout table lists; the companion's
machinery is one package; its imports run one way, with no circle, in the project and in the student edition."""
import ast
import fnmatch
import re
import subprocess

from conftest import PROJECT


def layout_table():
    """The paths of the first table under README's "## Layout": {name, with a "/" for a folder}."""
    section = (PROJECT / "README.md").read_text().split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    table = re.search(r"\| path \| what it is \|\n\| --- \| --- \|\n((?:\|.*\|\n)+)", section)[1]
    return {path for row in table.splitlines() for path in re.findall(r"`([^`]+)`", row.split(" | ")[0])}


def top_level():
    """What the project holds at its top: tracked files and folders (folders with a "/")."""
    if (PROJECT / ".git").exists():
        listed = subprocess.run(["git", "ls-files"], cwd=PROJECT, capture_output=True, text=True, check=True).stdout
        return {line.split("/")[0] + ("/" if "/" in line else "") for line in listed.splitlines()}
    ignored = [line.strip().rstrip("/") for line in (PROJECT / ".gitignore").read_text().splitlines()
               if line.strip() and not line.startswith("#") and "/" not in line.strip().rstrip("/")]
    return {path.name + ("/" if path.is_dir() else "") for path in PROJECT.iterdir()
            if path.name != ".git" and not any(fnmatch.fnmatch(path.name, pattern) for pattern in ignored)}


def test_the_top_level_holds_only_what_the_layout_table_lists():
    listed, present = layout_table(), top_level()
    assert {"notebooks/", "dnn_utils.py", "testCases.py", "datasets/", "tests/", "companion/", "grading/"} <= listed
    assert present - {".gitignore"} == listed, (f"not in README's layout table: {sorted(present - listed)}; "
                                                 f"listed but not there: {sorted(listed - present)}")
    assert sorted(name for name in present if name.endswith(".py")) == ["dnn_utils.py", "testCases.py"]


def test_every_module_of_the_package_opens_with_the_idea_that_lives_there():
    for path in sorted((PROJECT / "companion").rglob("*.py")):
        docstring = ast.get_docstring(ast.parse(path.read_text()))
        assert docstring and len(docstring.split("\n", 1)[0]) > 20, path
        assert not path.name.startswith("dnn_"), f"{path}: the package is the namespace; no dnn_ prefix"


# ----------------------------------------------------------------------------------------------------------
# The import graph

def module_files(root):
    """{module name: file} for the course's two modules and the packages companion and grading under `root`."""
    found = {name: root / f"{name}.py" for name in ("dnn_utils", "testCases") if (root / f"{name}.py").is_file()}
    for package in ("companion", "grading"):
        for path in sorted((root / package).rglob("*.py")) if (root / package).is_dir() else ():
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name, path, modules):
    """The project's modules that module `name` imports anywhere in its code (lazy imports included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()

    def project_module(dotted):
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {project_module(alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else project_module(base))
    return found - {None, name}


def import_graph(root):
    modules = module_files(root)
    return {name: imports(name, path, modules) for name, path in modules.items()}


def circles(graph):
    """The strongly connected components of more than one module (or a module importing itself)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.add(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_the_projects_imports_run_one_way():
    graph = import_graph(PROJECT)
    assert {"dnn_utils", "testCases", "companion.solutions.engine", "companion.widgets.trainer",
            "grading.classbook"} <= set(graph)
    assert circles(graph) == []
    # the course's API at the bottom of what the notebooks use: on the argument checks only
    assert graph["dnn_utils"] == {"companion.arguments"}
    for bottom in ("companion.arguments", "companion.plain", "companion.kept"):
        assert graph[bottom] == set(), (bottom, graph[bottom])
    # the engine and the feedback beside it, above it; the widgets, the plots and grading above them
    for name, imported in graph.items():
        if name.startswith(("companion.feedback", "companion.solutions")) or name == "testCases":
            assert not {other for other in imported if other.startswith(("companion.widgets", "companion.plots",
                                                                         "grading"))}, (name, imported)
        if name.startswith("companion"):
            assert not {other for other in imported if other.startswith("grading")}, (name, imported)


def test_the_lazy_import_of_an_engine_back_would_be_found(tmp_path):
    """The graph reads imports inside functions too: the old circle (dnn_utils importing the engine lazily)."""
    (tmp_path / "companion" / "solutions").mkdir(parents=True)
    (tmp_path / "dnn_utils.py").write_text("def model():\n    from companion.solutions import engine\n")
    (tmp_path / "companion" / "__init__.py").write_text("")
    (tmp_path / "companion" / "solutions" / "__init__.py").write_text("")
    (tmp_path / "companion" / "solutions" / "engine.py").write_text("from dnn_utils import model\n")
    assert circles(import_graph(tmp_path)) == [["companion.solutions.engine", "dnn_utils"]]
