"""Your own functions, kept for the later notebooks (student edition).

When a function passes its check in a notebook, the check keeps its code (`keep`) in your_functions.py next
to the notebooks; the later notebooks import it from dnn_utils, which hands out the version kept there
(`learned`). A notebook that needs a function you have not written yet, or that has not passed its check,
stops with one line naming the function and the notebook to write it in (NotWritten). Edit your functions
in the notebooks, not in your_functions.py: each passing check rewrites it.
"""
import ast
import functools
import importlib.util
import inspect
import json
import sys
import textwrap
from pathlib import Path

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


def not_written_message(name):
    """The one line a cell shows when it needs the function `name` and you have not written it yet."""
    where = notebooks().get(name, "its notebook")
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
# Keeping a function that passed its check

def _sources(path=LEARNED):
    """{name: code} of the functions defined in the file `path` (empty when there is none)."""
    if not path.is_file():
        return {}
    text = path.read_text()
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}
    return {node.name: ast.get_source_segment(text, node, padded=False)
            for node in tree.body if isinstance(node, ast.FunctionDef)}


def _module_text(sources):
    """your_functions.py holding `sources` ({name: code}), with a stand-in for every other function."""
    names = list(notebooks())
    lines = [f"{name} = not_written({name!r})" for name in names if name not in sources]
    ordered = sorted(sources, key=lambda name: names.index(name) if name in names else len(names))
    return HEADER + "\n".join(lines) + "\n\n\n" + "\n\n\n".join(sources[name] for name in ordered) + "\n"


def keep(name, fn):
    """Keep the code of `fn`, which passed the check of `name`, in your_functions.py; return True when
    it could be kept (its code must be readable: a function defined with def in a cell or a file)."""
    if getattr(fn, "__module__", None) == __name__:  # handed out from here: already kept
        return False
    try:
        source = textwrap.dedent(inspect.getsource(fn))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        print(f"  (your {name} passed, but its code could not be read to keep it for the later notebooks: "
              f"define it with def in its cell)")
        return False
    node = next((n for n in tree.body if isinstance(n, ast.FunctionDef)), None)
    if node is None:
        return False
    code = ast.get_source_segment(source, node, padded=False)
    if node.name != name:
        code = code.replace(f"def {node.name}(", f"def {name}(", 1)
    sources = _sources()
    sources[name] = code
    temporary = LEARNED.with_name(LEARNED.name + ".partial")
    temporary.write_text(_module_text(sources))
    temporary.replace(LEARNED)
    print(f"  kept in {LEARNED.name}: the later notebooks use your {name}")
    return True


# ----------------------------------------------------------------------------------------------------------
# Handing out the kept functions

_loaded = {"stamp": None, "module": None}


def _module():
    """your_functions.py as a module, loaded again whenever the file has changed (None when it is missing)."""
    if not LEARNED.is_file():
        return None
    stat = LEARNED.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    if stamp != _loaded["stamp"]:
        spec = importlib.util.spec_from_file_location("your_functions", LEARNED)
        module = importlib.util.module_from_spec(spec)
        sys.modules["your_functions"] = module
        spec.loader.exec_module(module)
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
