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


def test_the_lesson_notebooks_carry_no_raises_exception_tag():
    """The solutions run without errors; the student edition tags the cells that need an exercise itself
    (grading.student_notebook), so a tag here would only hide a real error from nbval."""
    for path in NOTEBOOKS:
        tagged = [cell.get("id") for cell in json.loads(path.read_text())["cells"]
                  if "raises-exception" in cell.get("metadata", {}).get("tags", [])]
        assert not tagged, f"{path.name}: cells {tagged} carry raises-exception"


# ----------------------------------------------------------------------------------------------------------
# What the prose quotes is what the stored outputs show. Cells are found by their ids.

ALL_NOTEBOOKS = sorted((PROJECT / "notebooks").glob("*.ipynb"))
LOG2 = 0.6931471805599453


def cell(name, cell_id):
    cells = json.loads((PROJECT / "notebooks" / name).read_text())["cells"]
    found = [c for c in cells if c.get("id") == cell_id]
    assert found, f"{name} has no cell {cell_id}"
    return found[0]


def markdown(name, cell_id):
    """The text of a Markdown cell, its line breaks and runs of spaces made single spaces."""
    return " ".join(source(cell(name, cell_id)).split())


def printed(name, cell_id):
    return "".join("".join(out.get("text", "")) for out in cell(name, cell_id)["outputs"]
                   if out["output_type"] == "stream" and out["name"] == "stdout")


def printed_costs(name, cell_id):
    return {int(i): float(c) for i, c in re.findall(r"Cost after iteration (\d+): (\S+)", printed(name, cell_id))}


def accuracy(name, cell_id):
    return float(re.fullmatch(r"Accuracy: (\S+)\n", printed(name, cell_id))[1])


def rises(costs):
    """The printed iterations whose cost is higher than the one printed before."""
    iterations = sorted(costs)
    return [i for previous, i in zip(iterations, iterations[1:]) if costs[i] > costs[previous]]


def test_the_first_costs_are_the_ones_the_prose_quotes():
    two, deep = printed_costs("04_two_layer_model.ipynb", "nb04-24"), printed_costs("05_L_layer_model.ipynb", "nb05-29")
    assert abs(two[0] - LOG2) < 5e-4 and "about $0.693 = \\log 2$" in markdown("04_two_layer_model.ipynb", "nb04-23")
    assert "the first cost it prints is close to this number" in markdown("02_forward_propagation.ipynb", "fwd-37")
    assert deep[0] > LOG2 + 0.01
    assert "its first cost is higher than $\\log 2$" in markdown("02_forward_propagation.ipynb", "fwd-37")
    assert "Its first cost is not $\\log 2 \\approx 0.6931$" in markdown("05_L_layer_model.ipynb", "nb05-28")
    first_iterations = printed("05_L_layer_model.ipynb", "nb05-25")
    assert f"randn / sqrt(n[l-1])  cost {deep[0]:.4f} ->" in first_iterations


def test_the_accuracies_are_the_ones_the_prose_quotes():
    nb4, nb5 = "04_two_layer_model.ipynb", "05_L_layer_model.ipynb"
    two_train, two_test = accuracy(nb4, "nb04-28"), accuracy(nb4, "nb04-29")
    deep_train, deep_test = accuracy(nb5, "nb05-32"), accuracy(nb5, "nb05-33")
    assert f"({two_train:.0%})" in markdown(nb4, "nb04-32") and f"({two_test:.0%})" in markdown(nb4, "nb04-32")
    quoted = markdown(nb5, "nb05-34")
    for value in (deep_train, deep_test, two_train, two_test):
        assert f"{value:.1%}".replace(".0%", "%") in quoted, value
    row = json.loads((PROJECT / "datasets" / "depth_margin.json").read_text())["rows"][0]
    assert row["seed"] == 1 and (row["two_layer_test"], row["four_layer_test"]) == (two_test, deep_test)
    assert (row["two_layer_train"], row["four_layer_train"]) == (two_train, deep_train)


def test_the_depth_margin_is_quoted_from_its_table():
    output = printed("05_L_layer_model.ipynb", "nb05-34a")
    numbers = re.search(r"^margin in points, test: mean (\S+), from (\S+) to (\S+); "
                        r"held out: mean (\S+), from (\S+) to (\S+)$", output, flags=re.M)
    assert numbers, output
    means = re.search(r"^held out, mean accuracy: two layers (\S+), four layers (\S+); "
                      r"answering \"cat\" to every picture: (\S+) \(test pictures: (\S+)\)$", output, flags=re.M)
    assert means, output
    prose = markdown("05_L_layer_model.ipynb", "nb05-34b")
    test_mean, test_low, test_high, held_mean, held_low, held_high = numbers.groups()
    assert f"{test_low} to {test_high} points" in prose and f"mean {test_mean}" in prose
    assert f"{held_low} to {held_high} points" in prose and f"mean {held_mean}" in prose
    assert float(test_low) > 0 and float(held_low) > 0
    two_mean, four_mean, majority, test_majority = means.groups()
    assert majority == test_majority and f"scores {majority}." in prose
    assert f"on average ({two_mean})" in prose and f"a few points better ({four_mean})" in prose
    assert float(two_mean[:-1]) < float(majority[:-1]) < float(four_mean[:-1])


def test_the_cost_bumps_are_the_ones_the_prose_explains():
    assert rises(printed_costs("04_two_layer_model.ipynb", "nb04-24")) == []
    assert "Here it falls at every printed line" in markdown("04_two_layer_model.ipynb", "nb04-25")
    bumps = rises(printed_costs("05_L_layer_model.ipynb", "nb05-29"))
    assert bumps, "notebook 05 explains bumps that its stored training does not show"
    assert f"rose at iterations {bumps}" in printed("05_L_layer_model.ipynb", "nb05-30b")
    rising = int(re.match(r"(\d+) of the 2499 steps raised the cost", printed("05_L_layer_model.ipynb", "nb05-30b"))[1])
    assert 0.4 < rising / 2499 < 0.5 and "Almost half of the steps raise the cost" in markdown("05_L_layer_model.ipynb", "nb05-30c")
    named = [int(i) for i in re.findall(r"(\d+) to \d+", markdown("05_L_layer_model.ipynb", "nb05-30c"))]
    assert sorted(named) == [i - 100 for i in bumps]


def replayed_runs(name, cell_id):
    """{run number: (outcome, lowest test cost, its iteration)} from the stored output of show_runs."""
    pattern = r"^run (\d+): [^\n]*?: (\w+); lowest test cost (\S+) at iteration (\d+)"
    return {int(n): (outcome, float(cost), int(i))
            for n, outcome, cost, i in re.findall(pattern, printed(name, cell_id), flags=re.M)}


def test_the_trainers_stored_runs_are_the_ones_the_prose_describes():
    runs = replayed_runs("04_two_layer_model.ipynb", "nb04-34a")
    prose = markdown("04_two_layer_model.ipynb", "e80c53ff")
    assert [runs[n][0] for n in (1, 2, 3, 4)] == ["finished", "finished", "dead", "dead"]
    assert f"the test cost is lowest after about {runs[1][2]} iterations" in prose
    assert f"the test cost is lowest after about {runs[2][2]} iterations" in prose
    assert "the same happens within the first 100 iterations" in prose
    assert "Run 4 stopped at iteration 100:" in printed("04_two_layer_model.ipynb", "nb04-34a")
    runs = replayed_runs("05_L_layer_model.ipynb", "nb05-45a")
    prose = markdown("05_L_layer_model.ipynb", "0b5a4896")
    assert [runs[n][0] for n in (1, 2, 3, 4)] == ["finished", "finished", "finished", "dead"]
    assert f"two-layer network's test cost is lowest after about {runs[2][2]} iterations" in prose
    assert f"four-layer network's is lowest after about {runs[1][2]} iterations" in prose
    stored = json.loads((PROJECT / "datasets" / "trainer_runs.json").read_text())["05_L_layer_model"]
    four, two = (dict(map(tuple, stored[k]["test_costs"])) for k in (0, 1))
    above = [i for i in four if four[i] > two[i]]
    assert above == [700] and "apart from the jump near 700 it stays below the two-layer network's" in prose
    jumps = [i for i in sorted(four)[1:] if four[i] > four[i - 100] + 0.1]
    assert jumps == [700, 1100, 1700] and "near iterations 700, 1100 and 1700" in prose
    runs = replayed_runs("demo.ipynb", "demo-07a")
    assert [runs[n][0] for n in (1, 2, 3)] == ["finished", "dead", "dead"]


def test_the_widgets_are_followed_by_what_they_show_stored_in_the_notebook():
    for path in ALL_NOTEBOOKS:
        cells = code_cells(path)
        for i, code in enumerate(cells):
            last = source(code).strip().splitlines()[-1] if source(code).strip() else ""
            if not re.match(r"(shape_explorer|cost_trainer)\(", last) or "=" in last.split("(")[0]:
                continue
            static = cells[i + 1]
            kinds = {kind for out in static["outputs"] for kind in out.get("data", {})}
            assert any(out["output_type"] == "stream" for out in static["outputs"]), \
                f"{path.name}: the cell after {last[:30]}... prints nothing"
            if last.startswith("cost_trainer("):
                assert "image/png" in kinds, f"{path.name}: the cell after {last[:30]}... stores no figure"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_every_figure_is_stored_as_an_image(path):
    for code in code_cells(path):
        if re.search(r"^plt\.show\(\)", source(code), flags=re.M):   # a figure every time the cell runs
            kinds = {kind for out in code["outputs"] for kind in out.get("data", {})}
            assert "image/png" in kinds, f"{path.name}: a cell that shows a figure stores no image:\n{source(code)[:80]}"


def test_notebook_05_keeps_the_trained_parameters_apart():
    """Only the training cell binds `parameters` (the setup cell sets it to None), so the cells that classify
    pictures use the trained network or say that there is none."""
    binding = [c.get("id") for c in code_cells(PROJECT / "notebooks" / "05_L_layer_model.ipynb")
               if re.search(r"^parameters\b[^=\n]*=|^parameters, costs =", source(c), flags=re.M)]
    assert binding == ["nb05-02", "nb05-29"]
    assert "There is no trained network yet" in source(cell("05_L_layer_model.ipynb", "nb05-39"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_style_of_headings_references_and_spelling(path):
    """The title "# N · ...", unnumbered sections, exercises "## Exercise k · `name`" numbered from 1, other
    notebooks named "notebook 0N", and one spelling: "initialization" (as in the code's names)."""
    texts = [source(c) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown"]
    headings = [line for text in texts for line in text.splitlines() if line.startswith("#")]
    assert re.fullmatch(rf"# {int(path.name[:2])} · .+", headings[0]), headings[0]
    assert not [h for h in headings if re.match(r"#+ \d+\.", h)], "numbered sections"
    exercises = [h for h in headings if "Exercise" in h]
    assert all(re.fullmatch(r"## Exercise \d+ · `\w+`", h) for h in exercises), exercises
    assert [int(h.split()[2]) for h in exercises] == list(range(1, len(exercises) + 1))
    prose = "\n".join(texts)
    assert not re.search(r"\bnotebooks? [1-9]\b", prose), re.search(r".{30}\bnotebooks? [1-9]\b.{10}", prose)
    assert not re.search(r"[Ii]nitialis", prose + "".join(source(c) for c in code_cells(path)))


def test_the_layer_by_layer_claims_of_notebook_05_hold_for_its_outputs():
    """"A factor of a few tens" per hidden layer and "about ten times more" at the output (item: the factors
    the prose gives are those printed); W[1] matches 1/sqrt(n) closely, W[3] is the furthest off."""
    output = printed("05_L_layer_model.ipynb", "nb05-21")
    shrink = [float(v) for v in re.search(r"^std of A\[l-1\] / std of A\[l\].*?((?:\s+\d+)+)$", output, re.M)[1].split()]
    assert all(10 <= factor < 100 for factor in shrink[:-1]) and 5 <= shrink[-1] / max(shrink[:-1]) <= 20, shrink
    assert "a factor of a few tens" in markdown("05_L_layer_model.ipynb", "nb05-23")
    assert "it shrinks about ten times more" in markdown("05_L_layer_model.ipynb", "nb05-23")
    off = {int(l): abs(int(p)) for l, p in re.findall(r"^W(\d).*off by ([+-]\d+)%", printed("05_L_layer_model.ipynb", "nb05-19"), re.M)}
    assert max(off, key=off.get) == 3 and off[1] <= 1 and off[4] <= 1
    assert "$W^{[3]}$, with 35 entries, is the furthest off" in markdown("05_L_layer_model.ipynb", "nb05-18")
