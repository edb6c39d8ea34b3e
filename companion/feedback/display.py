"""In a notebook, a function not written yet (or not passing its check) stops a cell with one line that names it,
and the cells after it say so in one line too, instead of a traceback (both editions install it)."""
import inspect
import sys
import traceback

from companion.kept import NotWritten, why_missing


def one_line_for_unwritten_functions():
    """In Jupyter, show the NotImplementedError of a function not written yet (`raise NotImplementedError()`
    in an exercise), and a NotWritten error, as one line that names the function, instead of a traceback; and
    after such a stop, a NameError at the top of a later cell (a name the stopped cell was to make) as one line
    that says so. Other errors are shown as usual. Outside IPython it does nothing."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    stopped = {}  # the function the last failing cell stopped on
    missing = {}  # {name a stopped cell was to bind: the function it stopped on}

    def show(shell, etype, value, tb, tb_offset=None):
        frames = traceback.extract_tb(tb)
        if isinstance(value, NameError):
            name = getattr(value, "name", None)
            if name in missing:
                function, why = missing[name]
                print(f"NameError: {value}: the cell that makes {name} stopped because {function} {why}; "
                      f"{'fix' if why.startswith('has not') else 'write'} it, then run the cells again from "
                      f"there.", file=sys.stderr)
                stopped["name"] = function
                return None
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
            return None
        if isinstance(value, NotWritten):
            print(f"{value}", file=sys.stderr)
            stopped["name"] = str(value).split(" ", 1)[0]
            return None
        if str(value) or not frames or frames[-1].name == "<module>":  # not an exercise's stub: as usual
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
            return None
        print(f"NotImplementedError: {frames[-1].name} is not written yet, and this cell needs it: write it "
              f"where it says YOUR CODE HERE, run its cell, then run this cell again.", file=sys.stderr)
        stopped["name"] = frames[-1].name
        return None

    def remember(result):  # the names a stopped cell was to bind wait for the function it stopped on
        bound = _bound_names(shell.transform_cell(result.info.raw_cell or "")) if result.info else set()
        if result.error_in_exec is not None and "name" in stopped:
            function = stopped.pop("name")
            missing.update(dict.fromkeys(bound, (function, why_missing(function))))
            for name in bound:  # half made (a dict the loop was filling): a later cell must not use it
                if not callable(shell.user_ns.get(name)) and not inspect.ismodule(shell.user_ns.get(name)):
                    shell.user_ns.pop(name, None)
        elif result.error_in_exec is None:
            for name in bound:
                missing.pop(name, None)
        stopped.clear()

    shell.set_custom_exc((NotImplementedError, NotWritten, NameError), show)
    shell.events.register("post_run_cell", remember)


def _bound_names(code):
    """The names the top level of a cell's code binds (assignments, definitions, imports, loops)."""
    import ast
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                names.add(inner.id)
            elif isinstance(inner, ast.alias):
                names.add((inner.asname or inner.name).split(".")[0])
    return names
