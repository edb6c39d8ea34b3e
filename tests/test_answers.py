"""Hints, not answers: no prose, no hint and no cell before an exercise gives away a line of its solution, neither
as it is written nor in another form of the same code (other names for the same variables, the same calls in
the same order)."""
import ast
import io
import json
import keyword
import re
import textwrap
import tokenize
from pathlib import Path

import pytest

import companion.feedback.hints
import grading
import testCases

PROJECT = Path(grading.__file__).resolve().parents[1]
LESSONS = sorted((PROJECT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
TOO_GENERIC = 12  # characters, spaces left out: shorter solution lines say nothing about a solution


def squeezed(text):
    return re.sub(r"\s+", "", text)


def solution_lines():
    """The lines between the solution markers of the lesson notebooks, spaces left out, less those too
    generic to be a solution and those the lesson itself shows elsewhere (its prose, its other code, the
    stub)."""
    solutions, shown = set(), set()
    for path in LESSONS:
        for cell in grading.read_notebook(path).cells:
            inside = False
            for line in cell.source.split("\n"):
                marker = line.strip()
                inside = (inside or marker == grading.BEGIN) and marker != grading.END
                if marker in (grading.BEGIN, grading.END):
                    continue
                (solutions if inside and cell.cell_type == "code" else shown).add(squeezed(line))
    return {line for line in solutions - shown if len(line) >= TOO_GENERIC}


# ----------------------------------------------------------------------------------------------------------
# A solution line as written

def _graded_call(node):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in testCases.FUNCTIONS


def given_away(line):
    """What a solution line gives away, spaces left out: the line itself, the right-hand side of its
    assignment (unless it only calls a graded function), and each method call in it (such as `W.dot(A)`)."""
    found = {squeezed(line)} if len(squeezed(line)) >= TOO_GENERIC else set()
    try:
        tree = ast.parse(line.strip())
    except SyntaxError:
        return found
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign)) and not _graded_call(node.value):
            found.add(squeezed(ast.unparse(node.value)))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            found.add(squeezed(ast.unparse(node)))
    return {text for text in found if len(text) >= 8}


# ----------------------------------------------------------------------------------------------------------
# A solution line in another form: its shape, the exercise's own variables written as "_"

PUNCTUATION = set("()[]{},:=.")
WEIGHTY = 4        # tokens other than "_" and punctuation: a lighter line (`_ = _[_]`) is any code's shape
WINDOW = 4         # solution lines taken together ...
FOUND_TOGETHER = 3  # ... of which this many, within WINDOW + 1 lines of one cell, give the steps away


def logical_lines(code):
    """[[token, ...]] of each logical line of `code` (comments and layout left out); [] when it is no Python."""
    lines, line = [], []
    try:
        for token in tokenize.generate_tokens(io.StringIO(textwrap.dedent(code) + "\n").readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if line:
                    lines.append(line)
                line = []
            elif token.type not in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
                line.append(token)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return []
    return lines


def shape(tokens, kept):
    """The tokens of a line as a tuple, every name that is not in `kept`, a keyword or an attribute written "_"."""
    out = []
    for token in tokens:
        text = token.string
        if token.type == tokenize.NAME and not keyword.iskeyword(text) and text not in kept \
                and not (out and out[-1] == "."):
            text = "_"
        out.append(text)
    return tuple(out)


def weight(shaped):
    return sum(text != "_" and text not in PUNCTUATION for text in shaped)


def right_hand_side(shaped):
    """What an assignment's shape assigns (after its first top-level "="), or None."""
    depth = 0
    for index, text in enumerate(shaped):
        depth += (text in "([{") - (text in ")]}")
        if text == "=" and depth == 0:
            return shaped[index + 1:]
    return None


def forms(shaped):
    """The forms of a shaped line that give it away: the line, and the right-hand side of an assignment."""
    rhs = right_hand_side(shaped)
    return {shaped} | ({rhs} if rhs is not None and weight(rhs) >= WEIGHTY else set())


def exercise_names(source, name):
    """The names the exercise's function binds: its arguments and every variable it assigns."""
    function = next(node for node in ast.walk(ast.parse(grading.python_source(source)))
                    if isinstance(node, ast.FunctionDef) and node.name == name)
    own = {arg.arg for arg in function.args.args + function.args.kwonlyargs}
    return own | {node.id for node in ast.walk(function) if isinstance(node, ast.Name)
                  and isinstance(node.ctx, ast.Store)}


def code_in_prose(markdown):
    """The code a markdown cell shows: its fenced blocks and its inline `code`, one piece per line."""
    fenced = re.findall(r"```[a-z]*\n(.*?)```", markdown, flags=re.S)
    rest = re.sub(r"```.*?```", "", markdown, flags=re.S)
    return fenced + re.findall(r"`([^`\n]+)`", rest)


def shapes_given_away(solution, own, shown):
    """[(where, what)] where `shown` ([(where, code)]) holds a solution line of `solution` in another form: one
    weighty line (or what it assigns), or FOUND_TOGETHER lines of any WINDOW of the solution's within
    WINDOW + 1 lines of one piece of code. `own`: the exercise's own variables, the names that may differ."""
    lines = logical_lines(solution)
    kept = {token.string for line in lines for token in line if token.type == tokenize.NAME} - own
    steps = [shape(line, kept) for line in lines]
    single = {form for step in steps if weight(step) >= WEIGHTY for form in forms(step)}
    found = []
    for where, code in shown:
        seen = [shape(line, kept) for line in logical_lines(code)]
        for step in seen:
            if forms(step) & single:
                found.append((where, " ".join(step)))
        for start in range(max(len(steps) - WINDOW + 1, 1)):
            window = {step for step in steps[start:start + WINDOW] if weight(step)}
            for at in range(max(len(seen) - WINDOW, 1)):
                together = window & set(seen[at:at + WINDOW + 1])
                if len(together) >= FOUND_TOGETHER:
                    found.append((where, " | ".join(" ".join(step) for step in sorted(together))))
    return sorted(set(found))


# ----------------------------------------------------------------------------------------------------------
# Every exercise against what came before it

def exercises_and_what_came_before():
    """(notebook, exercise, its solution lines, its own variables, [(where, text)] of the prose of its notebook
    and of every cell before it, the notebooks before included, with the solutions left out, and [(where,
    code)] of the same cells' code)."""
    before, code_before = [], []
    for path in LESSONS:
        cells = grading.read_notebook(path).cells
        prose = [(f"{path.name} cell {i}", cell.source) for i, cell in enumerate(cells) if cell.cell_type == "markdown"]
        prose_code = [(where, piece) for where, text in prose for piece in code_in_prose(text)]
        for index, cell in enumerate(cells):
            name = grading.exercise_name(cell)
            if name:
                inside, lines = False, []
                for line in cell.source.split("\n"):
                    marker = line.strip()
                    if marker in (grading.BEGIN, grading.END):
                        inside = marker == grading.BEGIN
                    elif inside and marker and not marker.startswith("#"):
                        lines.append(line)
                yield (path.name, name, lines, exercise_names(cell.source, name),
                       before + [(where, squeezed(text)) for where, text in prose], code_before + prose_code)
            where = f"{path.name} cell {index}"
            if cell.cell_type == "code":
                text = grading.strip_solutions(cell.source)
                code_before.append((where, grading.python_source(text)))
            else:
                text = cell.source
            before.append((where, squeezed(text)))


EXERCISES = list(exercises_and_what_came_before())


@pytest.mark.parametrize("notebook, name, lines, own, shown, code", EXERCISES, ids=[item[1] for item in EXERCISES])
def test_no_prose_and_no_cell_before_an_exercise_gives_its_answer(notebook, name, lines, own, shown, code):
    assert lines, f"{notebook}: {name} has no solution lines"
    leaks = sorted({(where, text) for line in lines for text in given_away(line) for where, seen in shown
                    if text in seen})
    assert not leaks, f"{name}: the prose or an earlier cell gives away {leaks}"
    in_other_words = shapes_given_away("\n".join(lines), own, code)
    assert not in_other_words, f"{name}: the prose or an earlier cell gives away, in other words, {in_other_words}"


def test_the_answer_search_finds_what_the_prose_gave_away():
    assert squeezed("np.maximum(0, Z)") in given_away("    A = np.maximum(0, Z)")
    assert squeezed("W.dot(A)") in given_away("    Z = W.dot(A) + b")
    assert not given_away("    A, activation_cache = sigmoid(Z)") - {squeezed("A, activation_cache = sigmoid(Z)")}


def _exercise(name):
    return next(item for item in EXERCISES if item[1] == name)


def test_the_search_finds_an_answer_written_with_other_names():
    """A training loop before L_layer_model with its four steps under other names (as notebook 03 once had),
    and the sigmoid's formula on another variable, are found; calling the graded functions one at a time is not."""
    _, _, lines, own, _, _ = _exercise("L_layer_model")
    loop = ("def gradient_descent(parameters, X, Y, learning_rate=0.5, num_iterations=1000):\n"
            "    costs = []\n"
            "    for i in range(num_iterations):\n"
            "        output, caches = L_model_forward(X, parameters)\n"
            "        costs.append(float(compute_cost(output, Y)))\n"
            "        gradients = L_model_backward(output, Y, caches)\n"
            "        parameters = update_parameters(parameters, gradients, learning_rate)\n"
            "    return parameters, costs\n")
    assert shapes_given_away("\n".join(lines), own, [("a loop", loop)])
    one_call = "AL, caches = L_model_forward(X, parameters)\nprint(compute_cost(AL, Y))\n"
    assert not shapes_given_away("\n".join(lines), own, [("a check", one_call)])
    _, _, lines, own, _, _ = _exercise("sigmoid")
    assert shapes_given_away("\n".join(lines), own, [("prose", "s = 1 / (1 + np.exp(-x))")])
    assert not shapes_given_away("\n".join(lines), own, [("prose", "s = 1 / (1 + x)")])


def test_no_explanation_or_hint_quotes_a_solution_line():
    words = squeezed(json.dumps([companion.feedback.hints.HINTS, companion.feedback.hints.EXPLANATIONS],
                                ensure_ascii=False))
    assert not [line for line in solution_lines() if line in words]
    assert "np." not in json.dumps(companion.feedback.hints.EXPLANATIONS)
