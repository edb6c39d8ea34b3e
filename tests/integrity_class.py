"""A labelled class of lesson 02 for the integrity report's tests: honest learners who fill in the student edition
each in their own way (every line drawn from the natural ways of writing it, the most natural one written by
many; small slips on the scaffold's lines) and copiers of three kinds (renamed variables with statements
reordered, one dead line added per function, a byte copy of the notebook). Generated, not graded."""
import ast
import random

from grading.notebooks import BEGIN, END, NOTEBOOKS, exercise_name, read_notebook

LESSON = "02_forward_propagation"
W = ('parameters["W" + str({l})]', 'parameters[f"W{{{l}}}"]', 'parameters["W%d" % {l}]',
     'parameters["W{{}}".format({l})]')


def _layer(a, l, activation):
    """The ways of writing one layer of L_model_forward: (first line variants, second line variants)."""
    calls = [f"A{a}, cache = linear_activation_forward({a}, {w.format(l=l)}, {w.format(l=l).replace('W', 'b', 1)}, "
             f'"{activation}")' for w in W]
    calls += [f'W, b = {W[0].format(l=l)}, {W[0].format(l=l).replace("W", "b", 1)}\n'
              f'A{a}, cache = linear_activation_forward({a}, W, b, activation="{activation}")']
    calls = [call.replace(f"A{a},", "AL," if a == "A" else "A,") for call in calls]
    return calls, ["caches.append(cache)", "caches += [cache]", "caches = caches + [cache]", "caches.extend([cache])"]


# each solution block of the lesson, in order: the ways of writing each of its lines (the first the most natural)
LINES = {
    "sigmoid": [["A = 1 / (1 + np.exp(-Z))", "A = 1.0 / (1.0 + np.exp(-Z))", "A = 1 / (np.exp(-Z) + 1)",
                 "A = np.reciprocal(1 + np.exp(-Z))", "A = (1 + np.exp(-Z)) ** -1", "A = 0.5 * (1 + np.tanh(Z / 2))"]],
    "relu": [["A = np.maximum(0, Z)", "A = np.maximum(Z, 0)", "A = Z * (Z > 0)", "A = np.where(Z > 0, Z, 0)",
              "A = np.clip(Z, 0, None)", "A = Z.clip(min=0)"]],
    "linear_forward": [["Z = W.dot(A) + b", "Z = np.dot(W, A) + b", "Z = W @ A + b", "Z = np.matmul(W, A) + b",
                        "Z = np.add(np.dot(W, A), b)"]],
    "linear_activation_forward": [
        ["Z, linear_cache = linear_forward(A_prev, W, b)", "Z, linear_cache = linear_forward(A=A_prev, W=W, b=b)",
         "Z, linear_cache = linear_forward(A_prev, W, b=b)"],
        ["A, activation_cache = sigmoid(Z)", "A, activation_cache = sigmoid(Z=Z)"],
        ["Z, linear_cache = linear_forward(A_prev, W, b)", "Z, linear_cache = linear_forward(A=A_prev, W=W, b=b)",
         "Z, linear_cache = linear_forward(A_prev, W, b=b)"],
        ["A, activation_cache = relu(Z)", "A, activation_cache = relu(Z=Z)"]],
    "compute_cost": [["cost = (1. / m) * (-np.dot(Y, np.log(AL).T) - np.dot(1 - Y, np.log(1 - AL).T))",
                      "cost = -np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m",
                      "cost = -(1 / m) * np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))",
                      "cost = -np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL), axis=1, keepdims=True)",
                      "cost = -(np.dot(Y, np.log(AL).T) + np.dot(1 - Y, np.log(1 - AL).T)) / m"]],
    "L_model_forward": [*_layer("A_prev", "l", "relu"), *_layer("A", "L", "sigmoid")],
}
# blocks of two lines: line by line (the variants of a block's lines are drawn each on its own)
BLOCKS = {"linear_activation_forward": [[0, 1], [2, 3]], "L_model_forward": [[0, 1], [2, 3]]}
SLIPS = [('    """', '    """'), ("    return A, cache", "    return (A, cache)"),
         ("    cache = Z\n", "    cache = (Z)\n"),
         ("L = len(parameters) // 2", "L = int(len(parameters) / 2)"), ("caches = []", "caches = list()"),
         ("    cache = (A, W, b)", "    cache = A, W, b"), ("(2 lines)", "")]


def _pick(rng, variants):
    weights = [3] + [1] * (len(variants) - 1)  # the natural way is written by about as many as all others
    return rng.choices(variants, weights)[0]


def _filled(source, lines):
    """An exercise cell with its solution blocks replaced by `lines` (one text per block)."""
    out, blocks, inside = [], iter(lines), False
    for line in source.split("\n"):
        if line.strip() == BEGIN:
            indent = line[:line.index(BEGIN)]
            out += [indent + text for text in next(blocks).split("\n")]
            inside = True
        elif line.strip() == END:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def honest(rng):
    """{function: its cell} for one honest learner."""
    cells = {}
    for cell in read_notebook(NOTEBOOKS / f"{LESSON}.ipynb").cells:
        name = exercise_name(cell)
        if not name:
            continue
        chosen = [_pick(rng, variants) for variants in LINES[name]]
        blocks = ["\n".join(chosen[i] for i in block) for block in BLOCKS.get(name, [[i] for i in range(len(chosen))])]
        source = _filled(cell.source, blocks)
        for old, new in SLIPS:
            if rng.random() < 0.25:
                if old == '    """':  # the docstring left out
                    start = source.find('    """')
                    source = source[:start] + source[source.find('"""\n', start + 7) + 4:] if start >= 0 else source
                else:
                    source = source.replace(old, new)
        if rng.random() < 0.3:
            source = "\n".join(line for line in source.split("\n") if not line.strip().startswith("#"))
        cells[name] = source
    return cells


class _Rename(ast.NodeTransformer):
    def __init__(self, names):
        self.names = names

    def visit_Name(self, node):
        node.id = self.names.get(node.id, node.id)
        return node


def _touches(node):
    stored = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    loaded = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return stored, loaded


def _reorder(body):
    """Each pair of neighbouring simple statements that do not depend on each other, swapped."""
    i = 0
    while i + 1 < len(body):
        one, two = body[i], body[i + 1]
        (s1, l1), (s2, l2) = _touches(one), _touches(two)
        simple = all(isinstance(n, (ast.Assign, ast.AugAssign, ast.Expr)) for n in (one, two))
        if simple and not (s1 & (l2 | s2)) and not (s2 & l1) and not isinstance(one.value, ast.Constant):
            body[i], body[i + 1] = two, one
            i += 2
        else:
            i += 1
    for node in body:
        for field in ("body", "orelse"):
            if isinstance(getattr(node, field, None), list) and not isinstance(node, ast.FunctionDef):
                _reorder(getattr(node, field))


def renamed_reordered(cells):
    """A copy with every local variable renamed (consistently across the lesson; the arguments are the
    lesson's) and its independent statements reordered."""
    names = {"A": "act", "Z": "pre", "W": "weights", "b": "bias", "cache": "saved", "A_prev": "prev_act",
             "linear_cache": "lin_saved", "activation_cache": "act_saved", "caches": "all_saved", "L": "depth",
             "l": "layer", "X": "inputs", "parameters": "params", "AL": "out", "activation": "kind"}
    copied = {}
    for name, source in cells.items():
        tree = ast.parse(source)
        for function in tree.body:
            arguments = {arg.arg for arg in function.args.args}
            _Rename({old: new for old, new in names.items() if old not in arguments}).visit(function)
            _reorder(function.body)
        copied[name] = ast.unparse(tree)
    return copied


DEAD = {"sigmoid": "checked = Z.shape", "relu": "unused = np.zeros((1, 1))", "linear_forward": "n = A.shape[1]",
        "linear_activation_forward": "tmp = W.T", "compute_cost": "n = Y.size", "L_model_forward": "debug = False"}


def dead_line_added(cells):
    """A copy with one line that does nothing added to each function (an assignment never read), before its
    return."""
    copied = {}
    for name, source in cells.items():
        lines = source.split("\n")
        at = max(i for i, line in enumerate(lines) if line.startswith("    return"))
        copied[name] = "\n".join(lines[:at] + ["    " + DEAD[name]] + lines[at:])
    return copied
