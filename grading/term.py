"""The term's settings: a course file (TOML) with the due dates, extensions, late and resubmission policies and
weights, read by `grade-class --course FILE` and applied to the gradebook's rows.

    resubmission = "best"          # best | latest: which of a learner's hand-ins of one lesson counts
    timezone = "Europe/Paris"      # for dates written without an offset (without it, every date needs one)

    [late]
    policy = "penalty"             # accept | flag | penalty | refuse
    per_day = 10                   # penalty: percent of the lesson's points lost per day (or part of a day) late
    grace_minutes = 15             # a hand-in this close after the due time is on time

    [due]                          # one due date per lesson (a lesson without one is never late)
    "01_initialization" = 2024-10-07T23:59:00+02:00

    [extensions]                   # days added to a learner's due dates: every lesson, or some
    ann = 2
    bob = { "02_forward_propagation" = 3 }

    [weights."02_forward_propagation"]   # points per function (1 by default)
    linear_activation_forward = 2

    [canvas_assignments]           # each lesson's Canvas assignment id: its import column is "lesson (id)"
    "01_initialization" = 12345

    submission_times = ["submissions.json", "Grades-DNN-Lab 2-4242.csv"]   # beside the course file

A hand-in's time is the one its platform recorded (lms.py): nbgrader's timestamp, Blackboard's receipt, the
submission time of a Canvas or Moodle export named in `submission_times` (platforms/times.py: Canvas's
Submissions API JSON, Moodle's grading worksheet), else only Canvas's LATE mark (counted as one day late). A
hand-in nobody dates is "time unknown": never penalised, said in its feedback and the summary. A file's modification time is never used. Extensions and adjustments name
learners of the roster or the hand-ins, else the run stops. Everything here only changes the rows' scores,
statuses and notes; grading itself is the same.
"""
import dataclasses
import datetime
import math
import tomllib
from pathlib import Path

from .adjustments import tidy
from .classbook import RANK, ClassError, lessons

POLICIES = ("accept", "flag", "penalty", "refuse")
RESUBMISSIONS = ("best", "latest")
DAY = 86400


@dataclasses.dataclass(frozen=True)
class Course:
    """The term's settings, checked."""
    path: str
    due: dict                     # {lesson: aware datetime}
    extensions: dict              # {student: {lesson or "*": days}}
    policy: str = "accept"
    per_day: float = 0
    grace: float = 0              # seconds
    resubmission: str = "best"
    weights: dict = dataclasses.field(default_factory=dict)   # {lesson: {function: weight}}
    canvas_assignments: dict = dataclasses.field(default_factory=dict)  # {lesson: Canvas's assignment id}
    submitted_at: dict = dataclasses.field(default_factory=dict)  # the exports' times (platforms/times.py)
    zone: object = None           # the course file's timezone, if any

    def time_of(self, handin, lesson):
        """When `handin` (of `lesson`) was submitted, in epoch seconds: the platform's time in the download
        (nbgrader's, Blackboard's), else the one of a submissions export, else None."""
        if handin.submitted is not None or not self.submitted_at:
            return handin.submitted
        from .lms import MOODLE
        from .platforms import canvas
        folder = Path(handin.path).parents[len(Path(handin.relative).parts) - 1].name
        moodle = MOODLE.fullmatch(folder)
        if moodle:
            return self.submitted_at.get(("moodle", moodle["id"]))
        on_canvas = canvas.parse(handin.relative) if handin.late is not None else None  # Canvas says late or not
        if on_canvas and lesson in self.canvas_assignments:
            return self.submitted_at.get(("canvas", on_canvas["id"], str(self.canvas_assignments[lesson])))
        return None

    def due_for(self, student, lesson):
        """The due datetime of `lesson` for `student`, extension included, or None."""
        due = self.due.get(lesson)
        if due is None:
            return None
        days = self.extensions.get(student, {})
        return due + datetime.timedelta(days=days.get(lesson, days.get("*", 0)))

    def days_late(self, student, lesson, submitted, marked=None):
        """Whole days (each part of a day counting as one) a hand-in made at `submitted` (epoch seconds) is
        late, 0 when on time or when the lesson has no due date. Without a time, `marked` decides: the
        platform's mark (Canvas's LATE) is one day, its absence none; no time and no mark: 0 (time unknown)."""
        due = self.due_for(student, lesson)
        if due is None:
            return 0
        if submitted is None:
            return 1 if marked else 0
        late = submitted - due.timestamp() - self.grace
        return math.ceil(late / DAY) if late > 0 else 0

    def undated(self, entry):
        """What the row says when its hand-in's time is not known, or "" (no due date, a time, or a mark)."""
        handin = entry.handin_object
        if handin is None or self.due_for(entry.student, entry.lesson) is None or entry.submitted is not None:
            return ""
        if handin.late:
            return "marked late by Canvas (its time is not in the download): counted as 1 day late"
        if handin.late is None:
            return "time unknown: no platform dated this hand-in, so it was not checked for lateness"
        return ""

    def weight(self, lesson, function):
        return self.weights.get(lesson, {}).get(function, 1)


def load(path):
    """The Course of the TOML file at `path`, or ClassError naming what is wrong in it."""
    where = f"--course {path}"
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClassError(f"{where}: no such file; expected a course file in TOML (docs/grading.md)") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ClassError(f"{where}: cannot be read ({error}); expected a course file in TOML") from None
    known = {"resubmission", "timezone", "late", "due", "extensions", "weights", "canvas_assignments",
             "submission_times"}
    _no_unknown(where, "", data, known)
    zone = _zone(where, data.get("timezone"))
    late = _table(where, "late", data.get("late", {}))
    _no_unknown(where, "late.", late, {"policy", "per_day", "grace_minutes"})
    policy = late.get("policy", "accept")
    if policy not in POLICIES:
        raise ClassError(f"{where}: late.policy is {policy!r}; expected one of {', '.join(POLICIES)}")
    per_day = _number(where, "late.per_day", late.get("per_day", 0), 0, 100)
    if policy == "penalty" and not per_day:
        raise ClassError(f"{where}: late.policy is \"penalty\" but late.per_day is {per_day!r}; expected the "
                         f"percent of a lesson's points lost per day late (e.g. per_day = 10)")
    grace = _number(where, "late.grace_minutes", late.get("grace_minutes", 0), 0, 10 ** 6) * 60
    resubmission = data.get("resubmission", "best")
    if resubmission not in RESUBMISSIONS:
        raise ClassError(f"{where}: resubmission is {resubmission!r}; expected one of {', '.join(RESUBMISSIONS)}")
    due = {}
    for lesson, when in _table(where, "due", data.get("due", {})).items():
        _lesson(where, f"due.{lesson}", lesson)
        due[lesson] = _datetime(where, f"due.{lesson}", when, zone)
    extensions = {}
    for student, days in _table(where, "extensions", data.get("extensions", {})).items():
        if isinstance(days, dict):
            for lesson in days:
                if lesson != "*":
                    _lesson(where, f"extensions.{student}.{lesson}", lesson)
            extensions[student] = {lesson: _number(where, f"extensions.{student}.{lesson}", value, 0, 3650)
                                   for lesson, value in days.items()}
        else:
            extensions[student] = {"*": _number(where, f"extensions.{student}", days, 0, 3650)}
    weights = {}
    for lesson, table in _table(where, "weights", data.get("weights", {})).items():
        _lesson(where, f"weights.{lesson}", lesson)
        for function, value in _table(where, f"weights.{lesson}", table).items():
            if function not in lessons()[lesson]:
                raise ClassError(f"{where}: weights.{lesson}.{function}: {lesson} grades no function "
                                 f"{function!r}; expected one of {', '.join(lessons()[lesson])}")
            weights.setdefault(lesson, {})[function] = _number(where, f"weights.{lesson}.{function}", value, 0,
                                                               1000)
    canvas_assignments = {}
    for lesson, number in _table(where, "canvas_assignments", data.get("canvas_assignments", {})).items():
        _lesson(where, f"canvas_assignments.{lesson}", lesson)
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise ClassError(f"{where}: canvas_assignments.{lesson} is {number!r}; expected the Canvas assignment's "
                             f"id, a whole number (the one in its address, .../assignments/12345)")
        canvas_assignments[lesson] = number
    submitted_at = _submission_times(where, Path(path).parent, data.get("submission_times", []), zone,
                                     canvas_assignments)
    return Course(str(path), due, extensions, policy, per_day, grace, resubmission, weights, canvas_assignments,
                  submitted_at, zone)


def _submission_times(where, folder, files, zone, canvas_assignments):
    """The times of the exports named by submission_times (paths relative to the course file's folder)."""
    from .platforms import times
    if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
        raise ClassError(f"{where}: submission_times is {files!r}; expected a list of file names, such as "
                         f"[\"submissions.json\"] (Canvas's) or [\"Grades-DNN-Lab 2-4242.csv\"] (Moodle's)")
    found = {}
    for name in files:
        try:
            read = times.read(folder / name, zone)
        except times.ExportError as error:
            raise ClassError(f"{where}: submission_times: {error}") from None
        if any(key[0] == "canvas" for key in read) and not canvas_assignments:
            raise ClassError(f"{where}: submission_times: {folder / name} is Canvas's, keyed by assignment id, and "
                             f"the course file has no canvas_assignments; expected each lesson's Canvas "
                             f"assignment id under [canvas_assignments]")
        found.update(read)
    return found


def check_students(course, learners):
    """The course with each extension under its learner's id (an extension may name a learner by id, login,
    email or platform id), or ClassError for one that names no learner of the roster or the hand-ins."""
    extensions = {}
    for key, days in course.extensions.items():
        hits = [key] if key in learners else sorted(
            learner.id for learner in learners.values() if key.lower() in
            {learner.login.lower(), learner.email.lower(), learner.email.lower().split("@")[0], learner.lms_id} - {""})
        if len(hits) != 1:
            shown = ", ".join(list(learners)[:5]) + (", ..." if len(learners) > 5 else "")
            seen = f"matches {len(hits)} learners ({', '.join(hits)})" if hits else "is no learner of the roster " \
                                                                                    "or the hand-ins"
            raise ClassError(f"--course {course.path}: extensions.{key} {seen}; expected a learner's id as in "
                             f"gradebook.csv ({shown}), login or email")
        extensions[hits[0]] = days
    return dataclasses.replace(course, extensions=extensions)


def _no_unknown(where, prefix, table, known):
    unknown = sorted(set(table) - known)
    if unknown:
        raise ClassError(f"{where}: unknown setting {prefix}{unknown[0]}; expected one of "
                         f"{', '.join(prefix + name for name in sorted(known))}")


def _table(where, name, value):
    if not isinstance(value, dict):
        raise ClassError(f"{where}: {name} is {value!r}; expected a table ([{name}])")
    return value


def _lesson(where, name, lesson):
    if lesson not in lessons():
        raise ClassError(f"{where}: {name}: no lesson {lesson!r}; expected one of {', '.join(lessons())}")


def _number(where, name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ClassError(f"{where}: {name} is {value!r}; expected a number from {low} to {high}")
    return value


def _zone(where, name):
    if name is None:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ClassError(f"{where}: timezone is {name!r}; expected a name such as \"Europe/Paris\"") from None


def _datetime(where, name, value, zone):
    """An aware datetime from a TOML date-time (a bare date is due at its end, 23:59:59)."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time(23, 59, 59))
    if not isinstance(value, datetime.datetime):
        raise ClassError(f"{where}: {name} is {value!r}; expected a date-time such as 2024-10-07T23:59:00+02:00")
    if value.tzinfo is None and zone is None:
        raise ClassError(f"{where}: {name} is {value.isoformat()}, without an offset, and the course file names no "
                         f"timezone; expected an offset (2024-10-07T23:59:00+02:00) or timezone = \"Europe/Paris\"")
    return value if value.tzinfo else value.replace(tzinfo=zone)


# ----------------------------------------------------------------------------------------------------------
# Which hand-in counts, and what lateness does to a row

def chooser(course):
    """choose(student, lesson, [(HandIn, result)]) -> ((HandIn, result), why the others do not count) by the
    course's resubmission and late policies (the best graded one when there is no course file)."""

    def best(candidates):
        return max(candidates, key=lambda item: (RANK.get(item[1]["status"], 0), item[1]["score"]))

    def choose(student, lesson, candidates):
        when = (lambda handin: course.time_of(handin, lesson)) if course else (lambda handin: handin.submitted)
        latest = course and course.resubmission == "latest"
        kept, refused = candidates, ""
        if course and course.policy == "refuse":
            on_time = [item for item in candidates if not course.days_late(student, lesson, when(item[0]),
                                                                           item[0].late)]
            if on_time and len(on_time) < len(candidates):
                kept, refused = on_time, "; late hand-ins are refused"
        if not latest:
            pick = max(kept, key=lambda item: (RANK.get(item[1]["status"], 0), item[1]["score"]))
            return pick, f'"{pick[0].relative}" counts: it scored best{" of those on time" * bool(refused)}{refused}'
        dated = [item for item in kept if when(item[0]) is not None]
        if dated:
            pick = max(dated, key=lambda item: (when(item[0]), item[0].relative))
            zone = course.due[lesson].tzinfo if lesson in course.due else course.zone or datetime.timezone.utc
            return pick, (f'"{pick[0].relative}" counts: it is the one you handed in last{" on time" * bool(refused)} '
                          f"(at {_at(when(pick[0]), zone)}, as the platform recorded it){refused}")
        pick = max(kept, key=lambda item: item[0].relative)
        return pick, (f'"{pick[0].relative}" counts: the platform recorded no time for these hand-ins, so the last '
                      f'by name counts; tell your instructor if another should{refused}')
    return choose


def _at(seconds, zone):
    """A time as a learner reads it: 2024-10-14 23:12 (UTC+02:00)."""
    moment = datetime.datetime.fromtimestamp(seconds, zone)
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


def apply(rows, course):
    """Mark each row's lateness and apply the late policy: a note, a penalty, or a refusal."""
    for entry in rows:
        if entry.handin is None:
            continue
        entry.submitted = course.time_of(entry.handin_object, entry.lesson)
        days = course.days_late(entry.student, entry.lesson, entry.submitted, entry.handin_object.late)
        entry.late_days = days
        if course.undated(entry):
            entry.notes.append(course.undated(entry))
        if not days or course.policy == "accept":
            continue
        late = f"late by {days} day{'s' if days != 1 else ''} (due {course.due_for(entry.student, entry.lesson)})"
        if course.policy == "flag":
            entry.notes.append(late)
        elif course.policy == "penalty":
            lost = min(entry.score, round(entry.total * course.per_day * days / 100, 2))
            entry.score = tidy(entry.score - lost)
            entry.notes.append(f"{late}: -{tidy(lost)} ({course.per_day:g}% of {entry.total} per day)")
        else:  # refuse: only late hand-ins (chooser took an on-time one when there was one)
            entry.notes.append(f"{late}: refused, late hand-ins are not accepted")
            entry.status, entry.score = "late: refused", 0
    return rows


def weigh(rows, course):
    """Scores and totals by the course's weights (a function without one weighs 1)."""
    for entry in rows:
        weights = course.weights.get(entry.lesson)
        if not weights:
            continue
        entry.weights = dict(weights)
        entry.total = tidy(sum(course.weight(entry.lesson, name) for name in lessons()[entry.lesson]))
        if entry.status == "graded":
            entry.score = tidy(sum(course.weight(entry.lesson, verdict[0]) * verdict[1]
                                    for verdict in entry.result["verdicts"]))
    return rows
