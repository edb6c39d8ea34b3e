"""Where a failing check puts the fault, so that it never blames right code.

When the checked function raises inside a function of the learner's it calls, either that function is wrong
(its own check says so, see Checks.upstream) or it is called wrongly: `called_wrongly` looks at the
arguments each graded function on the way down received (with the argument checks of companion/arguments.py)
and names the first call that gave a wrong one, with the line of the caller it came from. A name the checked function
reads from the notebook's globals instead of its arguments (`train_x` for X) is named as such
(`notebook_names`). Lines are counted from the function's `def` line (line 1), the same in a notebook's cell
and in your_functions.py.
"""
import dis
import inspect
import linecache
import numbers
import traceback

import numpy as np

from companion import arguments


def _line(frame, lineno):
    """(line number counted from the def line, the line's code) of `lineno` in the function of `frame`."""
    code = frame.f_code
    text = linecache.getline(code.co_filename, lineno, frame.f_globals).strip()
    return lineno - code.co_firstlineno + 1, text


def _parameters(code):
    return code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


def _rebinds_a_parameter(code):
    """True when the function assigns to one of its own parameters (then its locals no longer show what it
    was given)."""
    given = set(_parameters(code))
    return any(instruction.opname in ("STORE_FAST", "DELETE_FAST") and instruction.argval in given
               for instruction in dis.get_instructions(code))


# The graded functions whose argument check is another's (as dnn_utils.py decorates them)
SHARED_CHECKS = {"sigmoid_backward": arguments.activation_backward_args,
                 "relu_backward": arguments.activation_backward_args,
                 "initialize_parameters_deep_scaled": arguments.initialize_parameters_deep_args}


def _wrong_argument(name, frame):
    """The argument check's error (TypeError or ValueError) when the graded function `name`, running in
    `frame`, was given a wrong argument; None when its arguments are right (or cannot be told)."""
    check = SHARED_CHECKS.get(name) or getattr(arguments, f"{name}_args", None)
    code = frame.f_code
    if check is None or _rebinds_a_parameter(code):
        return None
    try:
        given = [frame.f_locals[parameter] for parameter in _parameters(code)]
    except KeyError:
        return None
    try:
        check(name, *given)
    except (TypeError, ValueError) as wrong:
        return wrong
    return None


def _learners_frames(error, outside):
    return [(frame, lineno) for frame, lineno in traceback.walk_tb(error.__traceback__)
            if not frame.f_code.co_filename.startswith(outside)]


def called_wrongly(error, outside):
    """When `error` was raised inside a graded function of the learner's that was given a wrong argument: the
    argument check's error instead (the one the course's own function raises on that call, so a mistake is
    recognised the same whoever wrote the function called), with `.called_at` naming the call; else `error`.
    `outside`: the folders of code that is not the learner's."""
    frames = _learners_frames(error, outside)
    for (caller, at), (callee, _) in zip(frames, frames[1:]):
        name = callee.f_code.co_name
        wrong = _wrong_argument(name, callee)
        if wrong is not None:
            number, text = _line(caller, at)
            wrong.called_at = (f"the call at line {number} of {caller.f_code.co_name}: {text}; {name} itself is "
                               f"not at fault")
            return wrong.with_traceback(error.__traceback__)
    return error


def place(error, outside):
    """Where the error raised by a checked function lies, as the words after 'raised X: message': '(line 3
    of linear_forward: Z = ...)', counted from the def line, or the call that gave a graded function a wrong
    argument (see called_wrongly). None when the traceback holds no code of the learner's."""
    if getattr(error, "called_at", None):
        return f"({error.called_at})"
    frames = _learners_frames(error, outside)
    if not frames:
        return None
    frame, lineno = frames[-1]
    number, text = _line(frame, lineno)
    return f"(line {number} of {frame.f_code.co_name}: {text})"


# ----------------------------------------------------------------------------------------------------------
# Names read from the notebook instead of the arguments

CONSTANTS = (numbers.Number, str, bytes, bool, type(None), np.generic)


def _is_data(value):
    """A notebook's data (an array, a list, a dict, ...), not a constant, a module or a function."""
    if isinstance(value, CONSTANTS) or inspect.ismodule(value) or callable(value):
        return False
    if isinstance(value, (tuple, frozenset)):
        return not all(isinstance(item, CONSTANTS) for item in value)
    return True


def notebook_names(name, fn):
    """A finding for each variable of the notebook (data, not a constant) that `fn` reads from its globals:
    it gets the value the notebook has now, not what the check passes in."""
    code, space = getattr(fn, "__code__", None), getattr(fn, "__globals__", None)
    if code is None or space is None:
        return []
    found, pending, named = [], [code], set()
    while pending:
        current = pending.pop(0)
        for instruction in dis.get_instructions(current):
            variable = instruction.argval
            if instruction.opname not in ("LOAD_GLOBAL", "LOAD_NAME") or variable in named:
                continue
            if variable in space and _is_data(space[variable]):
                named.add(variable)
                line = (instruction.positions.lineno or code.co_firstlineno) - code.co_firstlineno + 1
                given = ", ".join(_parameters(code))
                found.append(f"`{variable}` is a variable of the notebook, not an argument: {name} reads it at "
                             f"line {line}, so it works on the notebook's {variable} whatever it is given; use "
                             f"its arguments ({given}) instead")
        pending += [const for const in current.co_consts if inspect.iscode(const)]
    return found
