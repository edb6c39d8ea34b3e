"""Adjustments that last: OUT/adjustments.csv, kept by the instructor, applied on every run of grade-class.

    student,lesson,function,points,reason,who,when
    uma,03_backward_propagation,linear_backward,1,regrade request: right up to rounding,ta,2024-10-20T10:00:00

`function` empty: the adjustment is the lesson's score (after weights and any late penalty); else it is that
function's point, from 0 to 1 (before weights). `points` with a sign (+1, -0.5) changes the score or point by
that much; without one (6, 0.5) it sets it. Adjustments apply in the file's order. `python -m grading adjust`
adds one line (and checks it); the file can also be edited by hand. The gradebook, functions.csv and the
learner's feedback show each adjustment with its reason.
"""
import csv
import dataclasses
import datetime
import getpass
import io
import re
from pathlib import Path

from .classbook import ClassError, csv_text, lessons, write_atomic
from .untrusted import FORMULA

FILE = "adjustments.csv"
HEADER = ["student", "lesson", "function", "points", "reason", "who", "when"]
POINTS = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


@dataclasses.dataclass(frozen=True)
class Adjustment:
    student: str
    lesson: str
    function: str      # "" for the whole lesson
    points: str        # "+1", "-0.5" (a change) or "6", "0.5" (a value)
    reason: str
    who: str = ""
    when: str = ""

    @property
    def relative(self):
        return self.points[0] in "+-"

    def applied(self, value):
        """The score or point after this adjustment, from `value` before it."""
        return value + float(self.points) if self.relative else float(self.points)

    def words(self):
        """The adjustment in words, for the gradebook and the feedback."""
        what = f"{self.function} " if self.function else ""
        change = f"{self.points}" if self.relative else f"set to {self.points}"
        by = ", ".join(part for part in (self.who, self.when) if part)
        return f"adjusted {what}{change}: {self.reason}" + (f" ({by})" if by else "")


def check(adjustment, where):
    """The Adjustment, or ClassError naming `where` (the file and line, or the command's argument)."""
    if adjustment.lesson not in lessons():
        raise ClassError(f"{where}: lesson {adjustment.lesson!r}; expected one of {', '.join(lessons())}")
    if adjustment.function and adjustment.function not in lessons()[adjustment.lesson]:
        raise ClassError(f"{where}: function {adjustment.function!r}; {adjustment.lesson} grades "
                         f"{', '.join(lessons()[adjustment.lesson])} (or none, for the whole lesson)")
    if not POINTS.fullmatch(adjustment.points):
        raise ClassError(f"{where}: points {adjustment.points!r}; expected a number, with a sign to change the "
                         f"score by it (+1, -0.5) or without one to set it (6, 0.5)")
    if adjustment.function and not adjustment.relative and not 0 <= float(adjustment.points) <= 1:
        raise ClassError(f"{where}: points {adjustment.points!r} for the function {adjustment.function}; "
                         f"expected a function's point from 0 to 1")
    if not adjustment.student.strip():
        raise ClassError(f"{where}: student is empty; expected the learner's id as in gradebook.csv")
    if not adjustment.reason.strip():
        raise ClassError(f"{where}: reason is empty; expected why (the learner is shown it)")
    return adjustment


def load(out):
    """The Adjustments of OUT/adjustments.csv in the file's order ([] when there is no such file)."""
    path = Path(out, FILE)
    if not path.exists():
        return []
    try:
        lines = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ClassError(f"{path}: cannot be read ({error}); expected a CSV file with {','.join(HEADER)}") from None
    if not lines or [name.strip().lower() for name in lines[0]] != HEADER:
        raise ClassError(f"{path}: header {lines[0] if lines else 'missing'}; expected {','.join(HEADER)}")
    found = []
    for number, line in enumerate(lines[1:], start=2):
        if not any(field.strip() for field in line):
            continue
        if len(line) != len(HEADER):
            raise ClassError(f"{path}, line {number}: {len(line)} fields; expected {len(HEADER)} "
                             f"({','.join(HEADER)})")
        found.append(check(Adjustment(*map(_unquoted, line)), f"{path}, line {number}"))
    return found


def check_students(adjustments, learners, where=FILE):
    """ClassError for the first adjustment whose learner is not one of `learners` (ids)."""
    for adjustment in adjustments:
        if adjustment.student not in learners:
            shown = ", ".join(list(learners)[:5]) + (", ..." if len(learners) > 5 else "")
            raise ClassError(f"{where}: student {adjustment.student!r} is no learner of the roster or the hand-ins; "
                             f"expected a learner's id as in gradebook.csv ({shown})")


def graded_students(out):
    """The learners' ids in OUT/gradebook.csv, or ClassError when OUT holds none."""
    try:
        text = Path(out, "gradebook.csv").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise ClassError(f"OUT: {out} holds no gradebook.csv; expected the OUT of a run of grade-class") from None
    return {_unquoted(row["student"]): None for row in csv.DictReader(io.StringIO(text)) if row.get("student")}


def add(out, adjustment):
    """Check `adjustment` (its learner one of OUT/gradebook.csv's) and append it to OUT/adjustments.csv (made
    with its header when missing)."""
    if not Path(out).is_dir():
        raise ClassError(f"OUT: {out} is not a folder; expected the OUT of grade-class")
    adjustment = check(adjustment, "adjust")
    check_students([adjustment], graded_students(out), "adjust")
    if not adjustment.when:
        adjustment = dataclasses.replace(adjustment, when=datetime.datetime.now().isoformat(timespec="seconds"))
    if not adjustment.who:
        adjustment = dataclasses.replace(adjustment, who=getpass.getuser())
    rows = [dataclasses.astuple(item) for item in load(out) + [adjustment]]
    write_atomic(Path(out, FILE), csv_text(HEADER, rows))  # a learner id like =HYPERLINK(...) stays text
    return adjustment


def _unquoted(field):
    """A field as written before csv_text put an apostrophe before a leading = + - @ (see untrusted.cell)."""
    field = field.strip()
    return field[1:] if field.startswith("'") and field[1:2] in FORMULA else field


# ----------------------------------------------------------------------------------------------------------
# Applying them to the gradebook's rows

def apply_functions(rows, adjustments):
    """Each function adjustment changes that function's point in its row (a copy of the cached result), and
    the row's score is the sum of its points again. Returns the adjustments that found no graded row."""
    index = {(entry.student, entry.lesson): entry for entry in rows}
    unused = []
    for adjustment in (item for item in adjustments if item.function):
        entry = index.get((adjustment.student, adjustment.lesson))
        if entry is None or entry.status != "graded":
            unused.append((adjustment, "no graded hand-in of that lesson" if entry else "no such learner"))
            continue
        verdicts = [list(verdict) for verdict in entry.result["verdicts"]]
        for verdict in verdicts:
            if verdict[0] == adjustment.function:
                verdict[1] = tidy(min(1, max(0, adjustment.applied(verdict[1]))))
        entry.result = dict(entry.result, verdicts=verdicts)
        entry.score = tidy(sum(verdict[1] for verdict in verdicts))
        entry.adjustments.append(adjustment)
        entry.notes.append(adjustment.words())
    return unused


def apply_lessons(rows, adjustments):
    """Each lesson adjustment changes the row's score (kept between 0 and the total), after weights and late
    penalties: the last word. Returns the adjustments that found no row."""
    index = {(entry.student, entry.lesson): entry for entry in rows}
    unused = []
    for adjustment in (item for item in adjustments if not item.function):
        entry = index.get((adjustment.student, adjustment.lesson))
        if entry is None:
            unused.append((adjustment, "no such learner"))
            continue
        entry.score = tidy(min(entry.total, max(0, adjustment.applied(entry.score))))
        entry.adjustments.append(adjustment)
        entry.notes.append(adjustment.words())
    return unused


def tidy(number):
    """An int when whole, else rounded to 2 decimals (so that scores print as 5, not 5.0)."""
    number = round(float(number), 2)
    return int(number) if number == int(number) else number
