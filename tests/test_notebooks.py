"""The notebooks and the library say the same thing: one source of truth for every graded function.

Each exercise cell of a notebook (a code cell with `### BEGIN SOLUTION` ... `### END SOLUTION`) defines one
function; with its decorators left out, it must be the very same code as the function of that name in
dnn_utils.py (compared as syntax trees, so only comments and layout may differ). Each exercise is followed
by a check cell that runs its checker, and the stored verdict of the solution is "passed".
"""
import ast
import json
import re
from pathlib import Path

import pytest

import testCases

PROJECT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((PROJECT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXPECTED_NOTEBOOKS = ["01_initialization.ipynb", "02_forward_propagation.ipynb", "03_backward_propagation.ipynb",
                      "04_two_layer_model.ipynb", "05_L_layer_model.ipynb"]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def library_functions():
    tree = ast.parse((PROJECT / "dnn_utils.py").read_text())
    return {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}


def code_cells(path):
    cells = json.loads(path.read_text())["cells"]
    return [cell for cell in cells if cell["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"])


def exercises(path):
    """(function name, its FunctionDef, the code cells after it) for every exercise cell of a notebook."""
    cells = code_cells(path)
    for i, cell in enumerate(cells):
        if BEGIN in source(cell):
            tree = ast.parse(source(cell))
            yield tree, cells[i + 1:]


def comparable(function):
    function = ast.FunctionDef(**{field: getattr(function, field) for field in function._fields})
    function.decorator_list = []
    return ast.dump(function, include_attributes=False)


def test_the_five_notebooks_exist():
    assert [path.name for path in NOTEBOOKS] == EXPECTED_NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_cells_are_the_library_code(path):
    library = library_functions()
    found = list(exercises(path))
    assert found, f"{path.name} has no exercise cells"
    for tree, _ in found:
        assert len(tree.body) == 1 and isinstance(tree.body[0], ast.FunctionDef), \
            f"{path.name}: an exercise cell must hold exactly one function definition"
        function = tree.body[0]
        assert function.name in library, f"{path.name}: {function.name} is not in dnn_utils.py"
        assert comparable(function) == comparable(library[function.name]), \
            f"{path.name}: {function.name} differs from dnn_utils.py; change both together"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_markers_stand_alone_and_pair_up(path):
    for cell in code_cells(path):
        lines = [line.strip() for line in source(cell).splitlines()]
        markers = [line for line in lines if "SOLUTION" in line]
        assert all(line in (BEGIN, END) for line in markers), markers
        assert markers == [BEGIN, END] * (len(markers) // 2), f"{path.name}: unpaired markers {markers}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_exercise_is_checked_right_after_and_passes(path):
    for tree, following in exercises(path):
        name = tree.body[0].name
        check = next(cell for cell in following if source(cell).strip())
        assert re.search(rf"\bcheck_{name}\({name}\)", source(check)), \
            f"{path.name}: the cell after {name} should call check_{name}({name})"
        printed = "".join("".join(output.get("text", "")) for output in check["outputs"])
        assert printed.startswith(f"{name}: ") and "passed" in printed, f"{path.name}: stored verdict {printed!r}"


def test_every_graded_function_is_an_exercise_exactly_once():
    names = [tree.body[0].name for path in NOTEBOOKS for tree, _ in exercises(path)]
    assert sorted(names) == sorted(testCases.FUNCTIONS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_stored_executed(path):
    cells = [cell for cell in code_cells(path) if source(cell).strip()]
    assert all(cell["execution_count"] for cell in cells), f"{path.name} has cells that were not run"
    counts = [cell["execution_count"] for cell in cells]
    assert counts == list(range(1, len(counts) + 1)), f"{path.name} was not run top to bottom in one go"


# Where the widgets teach: the shapes table in 01/02 (with the same table printed as text next to it, which
# nbval compares and a static page shows), the live trainer in 04/05.
WIDGETS_USED = {"01_initialization.ipynb": ("shape_explorer(", "print_shapes("),
                "02_forward_propagation.ipynb": ("shape_explorer(", "print_shapes("),
                "04_two_layer_model.ipynb": ("cost_trainer(",),
                "05_L_layer_model.ipynb": ("cost_trainer(",)}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("name", sorted(WIDGETS_USED))
def test_the_widgets_are_shown_where_they_teach(name):
    cells = code_cells(PROJECT / "notebooks" / name)
    for call in WIDGETS_USED[name]:
        showing = [cell for cell in cells if call in source(cell)]
        assert showing, f"{name} does not call {call[:-1]}"
        assert all(cell["outputs"] for cell in showing), f"{name}: a cell calling {call[:-1]} shows nothing"
    widget_cell = next(cell for cell in cells if WIDGETS_USED[name][0] in source(cell))
    assert source(widget_cell).strip().endswith(")"), f"{name}: the widget must be the cell's last expression"
    assert [out["output_type"] for out in widget_cell["outputs"]] == ["execute_result"]


@pytest.mark.parametrize("path", sorted((PROJECT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_no_widget_views_are_stored(path):
    """A stored widget view without its model shows an error when the notebook is opened before it is run;
    stored as text (its repr) it says what will appear there."""
    notebook = json.loads(path.read_text())
    views = [cell for cell in code_cells(path) for out in cell.get("outputs", []) if WIDGET_VIEW in out.get("data", {})]
    assert not views and "widgets" not in notebook["metadata"], f"{path.name} stores widget views or their state"
