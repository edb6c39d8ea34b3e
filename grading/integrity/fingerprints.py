"""A hand-in's code as plagiarism detectors compare it: one fingerprint per statement of its normalised syntax
tree, so that renaming, reordering, spacing, comments and dead code do not hide a copy.

A statement's fingerprint is its text after parsing (so spacing, parentheses and comments are gone) with every
name the learner chooses written `V` (variables, arguments, their own helpers' names), every string `S` and every
number `N`; what the lesson fixes is kept: keywords, builtins, numpy, attributes, keyword arguments and the graded
functions' names. A compound statement (`if`, `for`, ...) gives its header, then the statements of its body one
level deeper. Since a fingerprint names no variable, statements can be compared as a multiset: their order does
not matter.

Dead code is removed first: docstrings and other expressions that do nothing, `pass`, what follows a `return`,
`raise`, `break` or `continue`, a branch a constant condition never takes, and an assignment inside a function
to a name the function never reads. Then what the lesson gives is left out: the statements of the student
edition's exercise cell (its scaffold) and of the lesson's own solution (see `lesson_given`).
"""
import ast
import builtins
import collections
import keyword

KEPT = set(keyword.kwlist) | set(dir(builtins)) | {"np", "numpy"}
Statement = collections.namedtuple("Statement", "function fingerprint first last")  # lines of the cell, from 1


class _Normalise(ast.NodeTransformer):
    def __init__(self, kept):
        self.kept = kept

    def visit_Name(self, node):
        return ast.copy_location(ast.Name("V" if node.id not in self.kept else node.id, node.ctx), node)

    def visit_arg(self, node):
        return ast.copy_location(ast.arg("V"), node)

    def visit_Constant(self, node):
        if isinstance(node.value, str):
            value = "S"
        elif isinstance(node.value, (int, float, complex)) and not isinstance(node.value, bool):
            value = 0
        else:
            value = node.value
        return ast.copy_location(ast.Constant(value), node)

    def visit_JoinedStr(self, node):  # f"W{l}": a string built from names
        values = [self.visit(value.value) for value in node.values if isinstance(value, ast.FormattedValue)]
        return ast.copy_location(ast.Call(ast.Name("fstr", ast.Load()), values, []), node)


def _header(node):
    """The text of a compound statement's own line (without its body)."""
    if isinstance(node, (ast.If, ast.While)):
        return f"{type(node).__name__.lower()} {ast.unparse(node.test)}"
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return f"for {ast.unparse(node.target)} in {ast.unparse(node.iter)}"
    if isinstance(node, (ast.With, ast.AsyncWith)):
        return "with " + ", ".join(ast.unparse(item) for item in node.items)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return f"def V({len(node.args.args)})"
    return type(node).__name__.lower()  # try, class, match


def _does_nothing(node):
    if isinstance(node, ast.Pass):
        return True
    return isinstance(node, ast.Expr) and not any(isinstance(part, (ast.Call, ast.Await, ast.Yield, ast.YieldFrom))
                                                  for part in ast.walk(node.value))


def _live(body):
    """The statements of a block that can run and do something, in order."""
    kept = []
    for node in body:
        if _does_nothing(node):
            continue
        if isinstance(node, (ast.If, ast.While)) and isinstance(node.test, ast.Constant):
            if isinstance(node, ast.If):
                kept += _live(node.body if node.test.value else node.orelse)
            elif node.test.value:
                kept.append(node)
            continue
        kept.append(node)
        if isinstance(node, (ast.Return, ast.Raise, ast.Break, ast.Continue)):
            break
    return kept


def _stored(node):
    """The plain names an assignment statement binds, or None if it binds anything else (an item, an attribute)."""
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
        targets = [node.target]
    else:
        return None
    names = []
    for target in targets:
        for part in ast.walk(target):
            if isinstance(part, (ast.Subscript, ast.Attribute, ast.Starred)):
                return None
            if isinstance(part, ast.Name):
                names.append(part.id)
    return names


def _unread(function):
    """The names a function assigns and never reads."""
    read = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            read.add(node.id)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            read.update(node.names)
    return lambda names: names is not None and not set(names) & read


def _walk(body, depth, out, unread):
    """Append (depth, statement, whether only its header counts) for each live statement of `body` to `out`."""
    for node in _live(body):
        if unread and unread(_stored(node)):
            continue
        nested = [field for field in ("body", "orelse", "finalbody") if isinstance(getattr(node, field, None), list)
                  and getattr(node, field) and isinstance(getattr(node, field)[0], ast.stmt)]
        if isinstance(node, ast.Try):
            nested.append("handlers")
        out.append((depth, node, bool(nested)))
        for field in nested:
            if field == "handlers":
                for handler in node.handlers:
                    _walk(handler.body, depth + 1, out, unread)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                _walk(node.body, depth + 1, out, _unread(node))
            else:
                _walk(getattr(node, field), depth + 1, out, unread)


def statements(source, function, kept_names=()):
    """The Statements of an exercise cell's live code, each with its fingerprint and its lines in the cell, or
    None if the cell is not Python (a learner's syntax error: nothing to compare)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    live, out = [], []
    try:
        for node in tree.body:  # which statements count is decided on the learner's own names
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                _walk(node.body, 1, live, _unread(node))
            else:
                _walk([node], 0, live, None)
        _Normalise(KEPT | set(kept_names)).visit(tree)  # then every statement's parts are normalised in place
        for depth, node, header in live:
            if header:
                end = max(node.lineno, node.body[0].lineno - 1 if getattr(node, "body", None) else node.lineno)
                out.append(Statement(function, f"{depth}:{_header(node)}", node.lineno, end))
            else:
                out.append(Statement(function, f"{depth}:{ast.unparse(node)}", node.lineno, node.end_lineno))
    except RecursionError:
        return None
    return out


def without(found, given):
    """`found` (Statements) less what `given` (a Counter of fingerprints) holds, each given statement taking away
    one found statement with its fingerprint."""
    left, kept = collections.Counter(given), []
    for statement in found:
        if left[statement.fingerprint] > 0:
            left[statement.fingerprint] -= 1
        else:
            kept.append(statement)
    return kept
