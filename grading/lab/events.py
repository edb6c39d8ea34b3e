"""What a check cell sends: one event per check, validated field by field before anything is stored.

A request carries {"events": [event, ...]} (at most MAX_EVENTS). An event is
    id        32 hex digits chosen by the sender: a resent event is stored once
    notebook  the lesson notebook, e.g. "02_forward_propagation.ipynb"
    function  a graded function, e.g. "linear_forward"
    outcome   "passed", "failed", "not_written", or "joined" (then without function)
    mistakes  [{"id": "transposed_W", "words": "..."}]: the mistakes the check named (empty when it named none)
    problems  ["wrong shape", ...]: the kinds of problem found, never a line of code
    attempt   the how-many-th check of this function in the learner's kernel (1, 2, ...)
    time      when it was checked, seconds since the epoch
    learner   optional: when present it must be the learner the join code is for
The learner is the one the join code names: never taken from the body.
"""
import dataclasses
import re

from companion.feedback.hints import NOTEBOOKS

MAX_BODY = 32 * 1024        # bytes of one request
MAX_EVENTS = 50             # events in one request
MAX_MISTAKES = 5
MAX_PROBLEMS = 10
MAX_WORDS = 400             # characters of a mistake's words
MAX_PROBLEM = 80            # characters of a kind of problem
MAX_ATTEMPT = 100_000
OUTCOMES = ("passed", "failed", "not_written", "joined")
FUNCTIONS = tuple(NOTEBOOKS)
LESSONS = tuple(sorted(set(NOTEBOOKS.values())))
EVENT_ID = re.compile(r"[0-9a-f]{32}")
MISTAKE_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
FIELDS = {"id", "notebook", "function", "outcome", "mistakes", "problems", "attempt", "time", "learner"}
PAST = 24 * 3600            # an event's time is kept within a day before its arrival, and never after it


class BadEvent(ValueError):
    """An event or a request that is not as expected: the message names the field, what was seen and what was
    expected."""


@dataclasses.dataclass(frozen=True)
class Event:
    id: str
    learner: str
    notebook: str
    function: str
    outcome: str
    mistakes: tuple = ()    # ((id, words), ...)
    problems: tuple = ()
    attempt: int = 1
    time: float = 0.0       # when it was checked (the sender's clock, kept within PAST of `received`)
    received: float = 0.0   # when the server stored it


def _shown(value, limit=40):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _text(where, value, limit, pattern=None, allowed=None):
    if not isinstance(value, str):
        raise BadEvent(f"{where}: got {type(value).__name__}; expected a string")
    if len(value) > limit:
        raise BadEvent(f"{where}: {len(value)} characters; expected at most {limit}")
    if allowed is not None and value not in allowed:
        raise BadEvent(f"{where}: got {_shown(value)}; expected one of {', '.join(allowed)}")
    if pattern is not None and not pattern.fullmatch(value):
        raise BadEvent(f"{where}: got {_shown(value)}; expected {pattern.pattern}")
    if any(ord(character) < 32 for character in value):
        raise BadEvent(f"{where}: holds control characters; expected one line of text")
    return value


def _list(where, value, limit):
    if not isinstance(value, list):
        raise BadEvent(f"{where}: got {type(value).__name__}; expected a list")
    if len(value) > limit:
        raise BadEvent(f"{where}: {len(value)} items; expected at most {limit}")
    return value


def _number(where, value, low, high, kind=(int, float)):
    if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
        raise BadEvent(f"{where}: got {_shown(value)}; expected a number from {low} to {high}")
    return value


def event(data, learner, received, where="event"):
    """The Event of one sent dict `data` from `learner` (the join code's), arrived at `received` (epoch
    seconds); BadEvent when any field is missing, unknown or out of bounds."""
    if not isinstance(data, dict):
        raise BadEvent(f"{where}: got {type(data).__name__}; expected an object")
    unknown = sorted(set(data) - FIELDS, key=str)
    if unknown:
        raise BadEvent(f"{where}: unknown field {_shown(unknown[0])}; expected only {', '.join(sorted(FIELDS))}")
    missing = [name for name in ("id", "outcome", "time") if name not in data]
    if missing:
        raise BadEvent(f"{where}: no field {missing[0]!r}; expected id, function, outcome and time")
    outcome = _text(f"{where}.outcome", data["outcome"], 20, allowed=OUTCOMES)
    if outcome == "joined":  # the learner joined: no function yet
        function = _text(f"{where}.function", data.get("function", ""), 0)
        notebook = _text(f"{where}.notebook", data.get("notebook", ""), 100, allowed=("",) + LESSONS)
    else:
        if "function" not in data:
            raise BadEvent(f"{where}: no field 'function'; expected the function checked")
        function = _text(f"{where}.function", data["function"], 64, allowed=FUNCTIONS)
        notebook = _text(f"{where}.notebook", data.get("notebook", NOTEBOOKS[function]), 100, allowed=LESSONS)
    mistakes = []
    for index, mistake in enumerate(_list(f"{where}.mistakes", data.get("mistakes", []), MAX_MISTAKES)):
        place = f"{where}.mistakes[{index}]"
        if not isinstance(mistake, dict) or set(mistake) != {"id", "words"}:
            raise BadEvent(f"{place}: got {_shown(mistake)}; expected {{\"id\": ..., \"words\": ...}}")
        mistakes.append((_text(f"{place}.id", mistake["id"], 64, MISTAKE_ID),
                         _text(f"{place}.words", mistake["words"], MAX_WORDS)))
    problems = tuple(_text(f"{where}.problems[{index}]", problem, MAX_PROBLEM) for index, problem in
                     enumerate(_list(f"{where}.problems", data.get("problems", []), MAX_PROBLEMS)))
    sent = _number(f"{where}.time", data["time"], 0, 2 ** 40)
    return Event(id=_text(f"{where}.id", data["id"], 32, EVENT_ID), learner=learner, notebook=notebook,
                 function=function, outcome=outcome,
                 mistakes=tuple(mistakes), problems=problems,
                 attempt=_number(f"{where}.attempt", data.get("attempt", 1), 1, MAX_ATTEMPT, int),
                 time=float(min(max(sent, received - PAST), received)), received=received)


def request_events(body, learner, received):
    """The Events of a request's parsed JSON body, all valid, or BadEvent for the first that is not (then none
    is stored)."""
    if not isinstance(body, dict) or set(body) != {"events"}:
        raise BadEvent(f"body: got {_shown(body)}; expected {{\"events\": [...]}}")
    events = _list("events", body["events"], MAX_EVENTS)
    if not events:
        raise BadEvent("events: empty; expected at least one event")
    return [event(item, learner, received, f"events[{index}]") for index, item in enumerate(events)]


def forged(body, learner):
    """True when an event of the body names a learner other than the join code's."""
    events = body.get("events") if isinstance(body, dict) else None
    return isinstance(events, list) and any(isinstance(item, dict) and "learner" in item and
                                            item["learner"] != learner for item in events)
