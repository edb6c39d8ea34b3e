"""Your own functions, kept for the later notebooks (student edition).

When a function passes its check in a notebook, the check keeps its code (`keep`) in your_functions.py next
to the notebooks; the later notebooks import it from dnn_utils, which hands out the version kept there
(`learned`). What the function uses from the notebook is kept with it: the helpers it calls (from its cell or
an earlier one), the modules and names it imported, the constants it reads; each kept function runs in a
namespace of its own, as it ran in its notebook. A notebook that needs a function you have not written yet,
or that has not passed its check, stops with one line naming the function and the notebook to write it in
(NotWritten). Edit your functions in the notebooks, not in your_functions.py: each passing check rewrites it.
"""
import ast
import functools
import inspect
import json
import re
import sys
import textwrap
import types
from pathlib import Path

import numpy as np

EDITION = Path(__file__).resolve().parents[1]  # the edition's folder: the notebooks, dnn_utils.py, testCases.py
LEARNED = EDITION / "your_functions.py"
DATA_FILE = Path(__file__).resolve().parent / "feedback" / "checks_data.json"
HEADER = '''"""Your functions: each one passed its check in a notebook and was kept here by that check, as you wrote it.
The later notebooks use them (through dnn_utils). Change them in the notebooks, not here: each passing check
rewrites this file."""
import numpy as np

from companion.kept import not_written

'''


class NotWritten(RuntimeError):
    """A later notebook needs a function the learner has not written (or not yet passed its check)."""


@functools.lru_cache(maxsize=1)
def notebooks():
    """{function name: the notebook its exercise is in}, from the data the student edition was built with."""
    if not DATA_FILE.is_file():
        raise FileNotFoundError(f"companion.kept: {DATA_FILE} is missing; expected the checks' data written with "
                                f"the student edition (python -m grading student)")
    return json.loads(DATA_FILE.read_text())["notebooks"]


_failing = set()  # the functions whose check has failed in this session since they last passed


def check_failed(name):
    """Note that the check of `name` failed on a written function (so a cell that needs it says so)."""
    _failing.add(name)


def why_missing(name):
    """Why a cell cannot have the function `name`: 'is not written yet', or 'has not passed its check yet'."""
    return "has not passed its check yet" if name in _failing else "is not written yet"


def not_written_message(name):
    """The one line a cell shows when it needs the function `name` and you have not written it yet (or it
    has not passed its check yet)."""
    where = notebooks().get(name, "its notebook")
    if name in _failing:
        return (f"{name} has not passed its check yet, and this cell needs it: fix it in {where} and run its "
                f"check until it passes (that keeps it for the later notebooks), then run this cell again.")
    return (f"{name} is not written yet, and this cell needs it: write it in {where} and run its check "
            f"until it passes (that keeps it for the later notebooks), then run this cell again.")


def not_written(name):
    """A stand-in for the function `name` that stops with one line when called."""
    def stand_in(*args, **kwargs):
        raise NotWritten(not_written_message(name))
    stand_in.__name__ = stand_in.__qualname__ = name
    stand_in.not_written = True
    return stand_in


# ----------------------------------------------------------------------------------------------------------
# Keeping a function that passed its check, with what it uses from the learner's cells

MARK = "# ---- your {name}, as it passed its check, with what it uses from your notebook"
_MARKED = re.compile(r"^# ---- your (\w+), as it passed its check", re.MULTILINE)
LITERALS = (bool, int, float, complex, str, bytes, type(None))


def _blocks(text):
    """(preamble, [(name, start, block)]) of your_functions.py's text: a block is the code kept for one
    function, starting at the offset `start` of the text."""
    found = list(_MARKED.finditer(text))
    if not found:
        return text, []
    ends = [match.start() for match in found[1:]] + [len(text)]
    return text[:found[0].start()], [(match[1], match.start(), text[match.start():end].rstrip() + "\n")
                                     for match, end in zip(found, ends)]


def _sources(path=LEARNED):
    """{name: code} kept for each function in the file `path` (empty when there is none): the block that
    holds the function and what it uses, or (in a file written without blocks) the function alone."""
    if not path.is_file():
        return {}
    text = path.read_text()
    preamble, blocks = _blocks(text)
    if blocks:
        return {name: block for name, _, block in blocks}
    try:
        tree = ast.parse(preamble)
    except SyntaxError:
        return {}
    return {node.name: MARK.format(name=node.name) + "\n" + ast.get_source_segment(preamble, node, padded=False)
            for node in tree.body if isinstance(node, ast.FunctionDef)}


def _module_text(sources):
    """your_functions.py holding `sources` ({name: code}), with a stand-in for every other function."""
    names = list(notebooks())
    lines = [f"{name} = not_written({name!r})" for name in names if name not in sources]
    ordered = sorted(sources, key=lambda name: names.index(name) if name in names else len(names))
    return HEADER + "\n".join(lines) + "\n\n\n" + "\n\n".join(sources[name].rstrip() + "\n" for name in ordered)


def _names_read(code):
    """The global names a code object (and the functions, lambdas and comprehensions inside it) reads."""
    used, pending = [], [code]
    while pending:
        current = pending.pop()
        used += [name for name in current.co_names if name not in used]
        pending += [const for const in current.co_consts if inspect.iscode(const)]
    return used


def _code_of(fn, name=None):
    """The def of `fn` as written (renamed to `name` when given), or None when it cannot be read."""
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return None
    node = next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))), None)
    if node is None:
        return None
    code = ast.get_source_segment(source, node, padded=False)
    if node.decorator_list:  # keep the decorators written above the def
        code = "\n".join("@" + ast.get_source_segment(source, d) for d in node.decorator_list) + "\n" + code
    if name and node.name != name:
        code = code.replace(f"def {node.name}(", f"def {name}(", 1)
    return code


def _import_line(alias, value):
    """`import ...` or `from ... import ...` that binds `alias` to `value` again, or None."""
    if inspect.ismodule(value):
        module = value.__name__
        if alias == module:
            return f"import {module}"
        parent, _, last = module.rpartition(".")
        return f"from {parent} import {last}" if parent and last == alias else f"import {module} as {alias}"
    module_name, own_name = getattr(value, "__module__", None), getattr(value, "__name__", None)
    module = sys.modules.get(module_name or "")
    if module is None or module_name == "__main__" or not own_name:
        return None
    try:
        same = getattr(module, own_name) is value or getattr(module, own_name) == value
    except Exception:  # a comparison that does not give a truth value
        same = False
    if not same:
        return None
    return f"from {module_name} import {own_name}" + ("" if own_name == alias else f" as {alias}")


def _literal(alias, value):
    """`alias = <value written out>` for a constant: a number, a string, a tuple or list of them, a numpy
    number, a small array; None for anything else."""
    def written(value, depth=0):
        if isinstance(value, np.generic):
            return f"np.{type(value).__name__}({value.item()!r})"
        if isinstance(value, LITERALS):
            return repr(value)
        if isinstance(value, np.ndarray) and value.size <= 1000 and value.dtype.kind in "biuf":
            return f"np.array({value.tolist()!r}, dtype=np.{value.dtype.name})"
        if isinstance(value, (tuple, list, frozenset, set)) and len(value) <= 100 and depth < 3:
            items = [written(item, depth + 1) for item in value]
            if None in items:
                return None
            if isinstance(value, tuple):
                return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
            inner = "[" + ", ".join(items) + "]"
            return inner if isinstance(value, list) else f"{type(value).__name__}({inner})"
        if isinstance(value, dict) and len(value) <= 100 and depth < 3:
            items = [(written(k, depth + 1), written(v, depth + 1)) for k, v in value.items()]
            if any(None in pair for pair in items):
                return None
            return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
        return None
    text = written(value)
    return None if text is None else f"{alias} = {text}"


def _support(fn, skip):
    """(imports, constants, helpers, left_out) that the function `fn` uses from its notebook's globals, its
    helpers' own needs included: the lines that bind them again in your_functions.py, and the names that
    cannot be written out (a notebook's data, an object made in a cell)."""
    imports, constants, helpers, left_out = [], [], [], []
    seen = set(skip)
    pending = [fn]
    while pending:
        current = pending.pop(0)
        space = getattr(current, "__globals__", {})
        code = getattr(current, "__code__", None)
        for alias in _names_read(code) if code is not None else ():
            if alias in seen or alias not in space:
                continue
            seen.add(alias)
            value = space[alias]
            if alias == "np" and value is np:
                continue
            line = _import_line(alias, value)
            if line:
                imports.append(line)
                continue
            if (inspect.isfunction(value) or inspect.isclass(value)) and \
                    getattr(value, "__module__", None) in ("__main__", getattr(current, "__module__", None)):
                helper = _code_of(value)
                if helper:
                    if value.__name__ != alias:  # made under another name, then bound to this one
                        helper += f"\n\n\n{alias} = {value.__name__}"
                    helpers.append(helper)
                    pending.append(value)
                    continue
            line = _literal(alias, value)
            if line:
                constants.append(line)
                continue
            left_out.append(alias)
    return imports, constants, helpers[::-1], left_out


def keep(name, fn):
    """Keep the code of `fn`, which passed the check of `name`, in your_functions.py with what it uses from
    the notebook (its helpers, imports and constants); return True when it could be kept (its code must be
    readable: a function defined with def in a cell or a file)."""
    if getattr(fn, "__module__", None) == __name__:  # handed out from here: already kept
        return False
    code = _code_of(fn, name) if inspect.isfunction(fn) else None
    if code is None:
        print(f"  (your {name} passed, but its code could not be read to keep it for the later notebooks: "
              f"define it with def in its cell)")
        return False
    imports, constants, helpers, left_out = _support(fn, skip=set(notebooks()) | {name})
    parts = (["\n".join(dict.fromkeys(imports))] if imports else []) + (["\n".join(constants)] if constants else [])
    _failing.discard(name)
    sources = _sources()
    sources[name] = MARK.format(name=name) + "\n" + "\n\n\n".join(parts + helpers + [code])
    temporary = LEARNED.with_name(LEARNED.name + ".partial")
    temporary.write_text(_module_text(sources))
    temporary.replace(LEARNED)
    print(f"  kept in {LEARNED.name}: the later notebooks use your {name}")
    if left_out:
        names = ", ".join(f"`{alias}`" for alias in left_out)
        print(f"  note: your {name} reads {names} from the notebook, which the later notebooks do not have: "
              f"pass what it needs as an argument, or make it inside the function")
    return True


# ----------------------------------------------------------------------------------------------------------
# Handing out the kept functions

_loaded = {"stamp": None, "module": None}


def _load(text):
    """your_functions.py's text as a module: the part before the blocks run as one module, then each block in
    a namespace of its own (its imports, constants and helpers, and the other kept functions by name), so
    that each function runs as it ran in its notebook, whatever the other blocks define."""
    module = types.ModuleType("your_functions")
    module.__file__ = str(LEARNED)
    preamble, blocks = _blocks(text)
    exec(compile(preamble, str(LEARNED), "exec"), module.__dict__)
    for name, start, block in blocks:
        space = {"__name__": "your_functions", "__file__": str(LEARNED), "np": np}
        space.update({other: handed_out(other) for other in notebooks() if other != name})
        # padded with the lines before it, so that a traceback names the line of your_functions.py
        exec(compile("\n" * text.count("\n", 0, start) + block, str(LEARNED), "exec"), space)
        setattr(module, name, space.get(name, not_written(name)))
    return module


def _module():
    """your_functions.py as a module, loaded again whenever the file has changed (None when it is missing)."""
    if not LEARNED.is_file():
        return None
    stat = LEARNED.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    if stamp != _loaded["stamp"]:
        module = _load(LEARNED.read_text())
        sys.modules["your_functions"] = module
        _loaded.update(stamp=stamp, module=module)
    return _loaded["module"]


def learned(name):
    """Your function `name` as kept in your_functions.py now, or a stand-in that stops with one line."""
    module = _module()
    fn = getattr(module, name, None) if module is not None else None
    return fn if callable(fn) else not_written(name)


def handed_out(name):
    """What `from dnn_utils import name` gives: a function that calls your kept `name` when it is called
    (so a function that passes its check later is used without importing it again)."""
    def yours(*args, **kwargs):
        return learned(name)(*args, **kwargs)
    yours.__name__ = yours.__qualname__ = name
    yours.__doc__ = f"Your {name}, as kept in {LEARNED.name} when it passed its check ({notebooks()[name]})."
    return yours


def module_getattr(name):
    """A module's __getattr__ (PEP 562) that hands out your functions by name (see dnn_utils)."""
    if name in notebooks():
        return handed_out(name)
    raise AttributeError(f"module 'dnn_utils' has no attribute {name!r}")
