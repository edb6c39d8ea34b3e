"""What a graded class becomes: the gradebook, each learner's feedback, the summary and its figures.

    OUT/gradebook.csv            student,lesson,score,total,status (one row per learner and lesson)
    OUT/functions.csv            student,lesson,function,points,comment (one row per graded function)
    OUT/feedback/<student>/<lesson>.md and .html   what a learner can be sent: what went wrong, a hint, never
                                 the solution (feedback.py)
    OUT/summary.txt              the summary printed at the end (also in the terminal), with the integrity
                                 report (summary.py)
    OUT/totals.png, OUT/scores.png, OUT/mistakes.png   the learners' totals, the scores per lesson, the lost
                                 points per function by cause (figures.py)
    OUT/learners.csv, OUT/canvas_import.csv, OUT/moodle_import.csv   one row per learner (exports.py)
    OUT/integrity.csv, OUT/integrity.txt                            evidence to read (integrity.py)

With a course file (term.py) or OUT/adjustments.csv (adjustments.py), gradebook.csv has three more columns:
submitted, days_late, notes. LMS downloads and the roster are read by lms.py.

Every file is written to a temporary file, then renamed (classbook.write_atomic): a run cut short leaves the
previous files whole. The same hand-ins give the same files, byte for byte. Every cell of the CSV files is
made safe (untrusted.cell): a learner's id or file name is cleaned and never read as a formula.
"""
import collections
import dataclasses
import time
from pathlib import Path

from . import classbook, feedback, figures, summary
from .classbook import GRADED, MISSING, csv_text, lessons, write_atomic
from .classrun import running
from .grade import make_jail
from .summary import counted
from .untrusted import PATH, clean

@dataclasses.dataclass
class Entry:
    """One row of the gradebook: a learner's result for a lesson, from the hand-in that counts."""
    student: str
    lesson: str
    status: str
    score: int
    total: int
    handin: str = None           # its path inside the learner's folder
    result: dict = None
    others: list = dataclasses.field(default_factory=list)  # (path, result) of the other hand-ins of the lesson
    handin_object: object = None  # the HandIn that counts
    counts: str = "the best one counts"  # why it counts, of several
    submitted: float = None      # when it was handed in (epoch seconds), with a course file
    late_days: int = 0
    notes: list = dataclasses.field(default_factory=list)  # what the course file and adjustments did, in words
    adjustments: list = dataclasses.field(default_factory=list)
    weights: dict = dataclasses.field(default_factory=dict)  # {function: its weight} where not 1 (course file)

    def weight(self, function):
        return self.weights.get(function, 1)


# ----------------------------------------------------------------------------------------------------------
# From results to rows

def entries(students, results, choose=None):
    """(the Entries, sorted by student then lesson; the hand-ins matched to no lesson as (student, path, why)).
    `results`: {HandIn: result}. Of several hand-ins of one lesson, the best graded one counts, unless
    `choose` (term.chooser) says otherwise."""
    from .term import chooser
    choose = choose or chooser(None)
    found, unmatched = collections.defaultdict(list), []
    for handin, result in sorted(results.items(), key=lambda item: (item[0].student, item[0].relative)):
        if result["lesson"] in lessons():
            found[handin.student, result["lesson"]].append((handin, result))
        else:
            unmatched.append((handin.student, handin.relative, result["why"]))
    rows = []
    for student in students:
        for lesson, names in lessons().items():
            candidates = found.get((student, lesson), [])
            if not candidates:
                rows.append(Entry(student, lesson, MISSING, 0, len(names)))
                continue
            (handin, result), counts = choose(student, lesson, candidates)
            status = result["why"] if result["status"] == "error" else result["status"]
            rows.append(Entry(student, lesson, status, result["score"], result["total"], handin.relative, result,
                              [(other.relative, done) for other, done in candidates if other is not handin],
                              handin, counts, handin.submitted))
    return rows, unmatched


# ----------------------------------------------------------------------------------------------------------
# The CSV files

def gradebook_csv(rows, term=False):
    """One row per learner and lesson; `term` (a course file or adjustments in use): with when each was
    handed in, how late, and the notes (adjustments with their reasons, late flags and penalties)."""
    if not term:
        return csv_text(["student", "lesson", "score", "total", "status"],
                        [[e.student, e.lesson, e.score, e.total, e.status] for e in rows])
    return csv_text(["student", "lesson", "score", "total", "status", "submitted", "days_late", "notes"],
                    [[e.student, e.lesson, e.score, e.total, e.status, _when(e.submitted), e.late_days,
                      "; ".join(e.notes)] for e in rows])


def _when(seconds):
    import datetime
    return "" if seconds is None else datetime.datetime.fromtimestamp(seconds).astimezone().isoformat("T", "seconds")


def functions_csv(rows):
    return csv_text(["student", "lesson", "function", "points", "comment"],
                    [[e.student, e.lesson, name, points, _adjusted(e, name, comment)] for e in rows
                     if e.status == GRADED for name, points, _, comment, _ in e.result["verdicts"]])


def _adjusted(entry, name, comment):
    """A function's comment, with the adjustments made to its point."""
    return "; ".join([comment] + [item.words() for item in entry.adjustments if item.function == name])


# ----------------------------------------------------------------------------------------------------------
# The whole run

def write_all(rows, unmatched, out, isolated, loose=(), term=False, remarks=(), integrity_text="", learners=None):
    """Write every file of OUT but the exports and the integrity files (each then renamed into place); remove
    feedback files of earlier runs that no row has any more. `term`: the gradebook has the term's columns;
    `remarks`: lines at the end of the summary, before `integrity_text`. Returns the summary's text."""
    out = Path(out)
    write_atomic(out / "gradebook.csv", gradebook_csv(rows, term))
    write_atomic(out / "functions.csv", functions_csv(rows))
    written = set()
    for entry in rows:
        written.update(feedback.write(entry, feedback.folder(out, entry.student), isolated))
    for stale in [*(out / "feedback").glob("*/*.md"), *(out / "feedback").glob("*/*.html")]:
        if stale not in written:
            stale.unlink()
    text = summary.text(rows, unmatched, isolated, loose, "".join(f"{clean(line)}\n" for line in remarks) +
                        ("\n" if remarks and integrity_text else "") + integrity_text, learners)
    write_atomic(out / "summary.txt", text)
    figures.write(rows, out)
    return text


def grade_class(folder, out, settings, seed=None, workers=None, scheduler=None, echo=print, progress=None,
                course=None, roster=None, allow_unmatched=False):
    """Grade every hand-in under `folder` into `out` (see the module's docstring); print the summary with
    `echo`. `course`: a course file (term.py); `roster`: a roster CSV (lms.py); `allow_unmatched`: grade the
    hand-ins that match no roster row under their download's names instead of stopping. Returns (the Entries, how many
    hand-ins were graded now, the seconds it took)."""
    from . import adjustments, exports, integrity, lms, term
    folder, out = classbook.check_folders(folder, out)
    course = term.load(course) if course else None
    roster = lms.read_roster(roster) if roster else None
    adjusted = adjustments.load(out)
    if scheduler:
        running.check_scheduler(scheduler)
    else:
        make_jail(settings.limits_object(), settings.isolated).close()  # JailUnavailable here, not in each worker
    start = time.monotonic()
    seen = lms.find(folder, roster)
    handins, loose, learners, strangers = seen.handins, seen.aside, seen.learners, seen.strangers
    check_matches(seen, roster, allow_unmatched)
    if course:
        course = term.check_students(course, learners)
    adjustments.check_students(adjusted, learners)
    if not handins and loose:
        raise classbook.ClassError(nothing_matched(folder, loose))
    if not handins:
        seen = f"the folders of {counted(len(learners), 'learner')} but" if learners else "no learner's folder and"
        raise classbook.ClassError(f"DIR: found {seen} no notebook (.ipynb) in {folder}, so nothing was graded; "
                                   f"expected one folder per learner holding that learner's notebooks")
    cache = classbook.Cache(out, seed)
    echo(f"{counted(len(handins), 'notebook')} in the folders of {counted(len(learners), 'learner')}"
         f" in {folder}")
    results, graded_now = running.grade_all(handins, settings, cache, workers, scheduler, progress)
    rows, unmatched = entries(list(learners), results, term.chooser(course))
    unused = adjustments.apply_functions(rows, adjusted)
    if course:
        term.weigh(rows, course)
        term.apply(rows, course)
    unused += adjustments.apply_lessons(rows, adjusted)
    remarks = [f"Not on the roster: {name}" for name in strangers] + [f"Not matched: {text}" for text in
                                                                      seen.conflicts]
    undated = [f"{entry.student} {entry.lesson}" for entry in rows if any(note.startswith("time unknown")
                                                                         for note in entry.notes)]
    if undated:
        remarks.append(f"Time unknown, so not checked for lateness (no platform dated them): {', '.join(undated)}")
    remarks += [f"Adjustment not applied ({why}): {item.student},{item.lesson},{item.function} "
                f"{item.words()}" for item, why in unused]
    exports.write(rows, learners, out, course.canvas_assignments if course else None)
    found = integrity.write(rows, out, learners)
    evidence = collections.Counter(line[0] for line in found)
    text = write_all(rows, unmatched, out, settings.isolated, loose, bool(course or adjusted), remarks,
                     integrity.text(found, integrity.KINDS[:4]), learners)  # missing, unreadable: named above
    seconds = time.monotonic() - start
    rate = f": {graded_now / seconds * 60:.0f} notebooks a minute" if graded_now else ""
    echo(f"graded {graded_now} now and took {len(handins) - graded_now} from the cache, in {seconds:.1f} s{rate}")
    echo(text.rstrip("\n"))
    echo(f"written: {out}/gradebook.csv, functions.csv, summary.txt, totals.png, scores.png, mistakes.png, "
         f"feedback/ (Markdown and HTML), "
         f"learners.csv, canvas_import.csv, moodle_import.csv, integrity.csv and integrity.txt")
    echo("integrity (evidence to read, no penalty): " + ", ".join(f"{kind} {evidence[kind]}" for kind in
         ("identical file", "same code", "similar code", "attempt", "unreadable", "missing")))
    if handins and not any(entry.handin for entry in rows):
        raise classbook.ClassError(nothing_matched(folder, [f"{h.student}/{h.relative} ({why})" for h, why in
                                                            ((h, r["why"]) for h, r in results.items())]))
    return rows, graded_now, seconds


def check_matches(seen, roster, allow_unmatched):
    """ClassError when fewer than half of the hand-ins match the roster, or when some do not (or two people's
    downloads match one row) and `allow_unmatched` is not given."""
    if roster is None or not seen.handins:
        return
    if seen.matched * 2 < len(seen.handins):
        raise classbook.ClassError(
            f"--roster: only {seen.matched} of {counted(len(seen.handins), 'hand-in')} match a learner of the roster "
            f"({listed(seen.strangers + seen.conflicts)}); expected the roster of this class and DIR its download "
            f"(a roster with the platform's ids, logins or emails, or Canvas's gradebook export)")
    if (seen.strangers or seen.conflicts) and not allow_unmatched:
        number = len(seen.strangers) + len(seen.conflicts)
        raise classbook.ClassError(
            f"--roster: {counted(number, 'download')} {'matches' if number == 1 else 'match'} no single learner of "
            f"the roster: {listed(seen.conflicts + seen.strangers)}; expected each to match one row (add them to the "
            f"roster), or --allow-unmatched to grade them under their download's names")


def listed(items, shown=5):
    return "; ".join(clean(item, PATH + 200) for item in items[:shown]) + (
        f"; and {len(items) - shown} more" if len(items) > shown else "")


def nothing_matched(folder, seen, shown=5):
    """The message of a run that found notebooks but could match none to a learner and a lesson."""
    listed = "; ".join(clean(item, PATH + 200) for item in seen[:shown]) + (
        f"; and {len(seen) - shown} more" if len(seen) > shown else "")
    return (f"DIR: found {counted(len(seen), 'notebook')} in {folder} but matched none to a learner and a lesson: "
            f"{listed}; expected one folder per learner, nbgrader's submitted/, Canvas's flat download "
            f"(name_1001_123456_file.ipynb), Moodle's folders (Name_1001_assignsubmission_file_) or "
            f"Blackboard's (Assignment_user_attempt_2024-10-14-23-12-05_file.ipynb)")
