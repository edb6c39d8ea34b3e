"""What a graded class becomes: the gradebook, each learner's feedback, the summary and its two figures.

    OUT/gradebook.csv            student,lesson,score,total,status (one row per learner and lesson)
    OUT/functions.csv            student,lesson,function,points,comment (one row per graded function)
    OUT/feedback/<student>/<lesson>.md   what a learner can be sent: what went wrong, a hint, never the solution
    OUT/summary.txt              the summary printed at the end (also in the terminal)
    OUT/scores.png, OUT/mistakes.png     the score distribution per lesson, the lost points per function
    OUT/learners.csv, OUT/canvas_import.csv, OUT/moodle_import.csv   one row per learner (exports.py)
    OUT/integrity.csv, OUT/integrity.txt                            evidence to read (integrity.py)

With a course file (term.py) or OUT/adjustments.csv (adjustments.py), gradebook.csv has three more columns:
submitted, days_late, notes. LMS downloads and the roster are read by lms.py.

Every file is written to a temporary file, then renamed (classbook.write_atomic): a run cut short leaves the
previous files whole. The same hand-ins give the same files, byte for byte.
"""
import collections
import dataclasses
import io
import re
import time
from pathlib import Path

from companion.feedback import hints

from . import classbook
from .classbook import GRADED, MISSING, UNREADABLE, csv_text, lessons, write_atomic
from .grade import NOT_ISOLATED, make_jail

CODE = re.compile(r"np\.|\w\s*[-+*/]?=[^=]|\bfor \w+ in |\bdef |\breturn\b")  # a line to paste, not a shape
WHAT_TO_DO = {  # the hint for a lost point, by outcome: what to look at, never the answer
    "wrong": "run its check cell in your notebook: it shows which case fails and how; then compare each step "
             "of your code with the lesson's formulas and the shapes they give",
    "not written": "the exercise cell still holds the stub that raises NotImplementedError: write the function "
                   "in place of those two lines",
    "out of time": "it did not finish in time: look for a loop that never ends, or a loop over the examples "
                   "where one numpy operation on the whole array does the job",
    "memory": "it used far more memory than the exercise needs: look for arrays much larger than its inputs",
    "disk": "the exercise writes no file: remove what writes to files",
    "output": "remove the prints, above all those inside loops",
    "attempt": "the function only computes its result from its arguments: no import of the course's modules, "
               "no network, no files outside its folder, no other programs",
    "crashed": "it raised an error: run its check cell in your notebook to see the error and its line",
    "missing": "no cell of your notebook defines this function: keep the exercise cell, with its def line, "
               "and write your code in it",
    "did not run": "its cell did not run when the whole notebook ran: restart the kernel and run all the cells "
                   "before handing the notebook in",
}


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
# Feedback: what went wrong and a hint, never the solution

def without_code(text):
    """The clauses of an explanation that hold no line of code (what follows a colon is often the right line);
    shapes and the lesson's notation stay."""
    clauses = [clause.strip() for clause in re.split(r"(?<=\S)[:;] ", text)]
    kept = [clause for clause in clauses if clause and not CODE.search(clause)]
    return "; ".join(kept)


def what_went_wrong(name, verdict):
    """The learner-facing account of a lost point: the mistake in words, or the comment."""
    _, _, outcome, comment, mistake = verdict
    if outcome == "wrong" and mistake:
        words = without_code(hints.EXPLANATIONS.get(name, {}).get(mistake, ""))
        return f"the likely mistake: {words or mistake.replace('_', ' ')}"
    return comment.removeprefix("wrong: ")


def hint(name, verdict):
    """A hint for a lost point: the project's first hint for the function where there is one, else by outcome."""
    outcome = verdict[2]
    first = hints.HINTS.get(name)
    if first and outcome in ("wrong", "crashed"):
        return f"{first[0]} ({WHAT_TO_DO[outcome]})"
    return WHAT_TO_DO.get(outcome, WHAT_TO_DO["crashed"])


def _plain(text):
    """A learner's text on one line of markdown, with no backquote to close ours."""
    return " ".join(str(text).replace("`", "'").split())


def feedback(entry):
    """The markdown a learner is sent for one lesson."""
    title = f"# {entry.lesson}: {entry.score}/{entry.total}\n\n"
    if entry.status == MISSING:
        notes = "".join(f"- {_plain(note)}\n" for note in entry.notes)
        return title + f"Learner `{_plain(entry.student)}`: no hand-in of this lesson was found.\n" + (
            f"\n## Changes to your score\n\n{notes}" if notes else "")
    lines = [title + f"Learner `{_plain(entry.student)}`, hand-in `{_plain(entry.handin)}`."]
    if entry.status != GRADED:
        why = entry.result["why"].removeprefix("not graded: ")
        lines.append(f"\nIt was not graded: {_plain(why)}." + (" Save it again from Jupyter (File > Save "
                     "Notebook), check that it opens, and hand it in again." if entry.status == UNREADABLE else ""))
    lines += [""] * bool(entry.result["notes"]) + [f"- {_plain(note)}" for note in entry.result["notes"]]
    if entry.status == GRADED:
        lines += ["", "| function | point | result |", "| --- | --- | --- |"]
        lines += [f"| {name} | {points}/1 | {outcome}{' (adjusted)' * _touched(entry, name)} |"
                  for name, points, outcome, _, _ in entry.result["verdicts"]]
        lost = [verdict for verdict in entry.result["verdicts"] if verdict[1] == 0]
        if lost:
            lines += ["", "## What to look at again"]
        for verdict in lost:
            lines += ["", f"**{verdict[0]}** (0/1)",
                      f"- What went wrong: {_plain(what_went_wrong(verdict[0], verdict))}",
                      f"- Hint: {_plain(hint(verdict[0], verdict))}"]
    for relative, other in entry.others:
        shown = f"graded {other['score']}/{other['total']}" if other["status"] == GRADED else other["status"]
        lines += ["", f"Also handed in for this lesson: `{_plain(relative)}` ({_plain(shown)}); {entry.counts}."]
    if entry.notes:
        lines += ["", "## Changes to your score", ""] + [f"- {_plain(note)}" for note in entry.notes]
    return "\n".join(lines) + "\n"


def _touched(entry, name):
    return any(item.function == name for item in entry.adjustments)


# ----------------------------------------------------------------------------------------------------------
# The summary and its figures

def counted(count, word):
    """`1 notebook`, `2 notebooks`."""
    return f"{count} {word}{'s' if count != 1 else ''}"


def lost_points(rows):
    """{function: Counter of the causes of its lost points}, a cause being a mistake's id or an outcome."""
    causes = collections.defaultdict(collections.Counter)
    for entry in (entry for entry in rows if entry.status == GRADED):
        for name, points, outcome, _, mistake in entry.result["verdicts"]:
            if points == 0:
                causes[name][mistake or outcome] += 1
    return causes


def summary(rows, unmatched, isolated, loose=(), top=3):
    """The summary's text: what was graded, the mean per lesson, the most frequent mistakes per function."""
    statuses = collections.Counter(e.status if e.status in (GRADED, MISSING, UNREADABLE) else "error" for e in rows)
    students = len({e.student for e in rows})
    lines = [] if isolated else [NOT_ISOLATED, ""]
    lines.append(f"{counted(statuses[GRADED], 'hand-in')} graded for {counted(students, 'learner')}; "
                 f"{statuses[UNREADABLE]} unreadable, "
                 f"{statuses[MISSING]} missing, {statuses['error']} not graded, {len(unmatched)} not a lesson")
    lines += ["", "Mean score per lesson:"]
    for lesson, names in lessons().items():
        scores = [e.score for e in rows if e.lesson == lesson and e.status == GRADED]
        mean = f"{sum(scores) / len(scores):.2f}" if scores else "-"
        lines.append(f"  {lesson:<26} {mean:>5} / {len(names)}   ({len(scores)} graded)")
    lines += ["", f"Most frequent mistakes per function (lost points; at most {top} causes each):"]
    causes = lost_points(rows)
    for names in lessons().values():
        for name in names:
            if causes.get(name):
                shown = ", ".join(f"{cause} x{count}" for cause, count in
                                  sorted(causes[name].items(), key=lambda item: (-item[1], item[0]))[:top])
                lines.append(f"  {name:<34} {shown}")
    if not causes:
        lines.append("  none: every graded function scored its point")
    for student, relative, why in unmatched:
        lines.append(f"Not matched to a lesson: {student}/{relative} ({why})")
    for name in loose:
        lines.append(f"Not graded: {name}")
    return "\n".join(lines) + "\n"


def figures(rows, out):
    """OUT/scores.png (the score distribution per lesson) and OUT/mistakes.png (lost points per function)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams["svg.hashsalt"] = "dnn"
    names = list(lessons())
    figure, axes = plt.subplots(1, len(names), figsize=(3 * len(names), 2.8), squeeze=False)
    for axis, lesson in zip(axes[0], names):
        total = len(lessons()[lesson])
        scores = collections.Counter(e.score for e in rows if e.lesson == lesson and e.status == GRADED)
        axis.bar(range(total + 1), [scores.get(score, 0) for score in range(total + 1)], color="#4c72b0")
        axis.set_title(lesson, fontsize=9)
        axis.set_xlabel(f"score (of {total})", fontsize=8)
        axis.set_xticks(range(total + 1))
    axes[0][0].set_ylabel("hand-ins")
    figure.suptitle("Scores per lesson", fontsize=10)
    figure.tight_layout()
    _save(figure, out / "scores.png")
    causes = lost_points(rows)
    functions = [name for lesson in names for name in lessons()[lesson]]
    kinds = ["recognised mistake", "other wrong result", "not written", "crashed or over a limit", "missing"]
    figure, axis = plt.subplots(figsize=(8, 0.3 * len(functions) + 1.2))
    left = [0] * len(functions)
    for kind in kinds:
        counts = [sum(n for cause, n in causes.get(name, {}).items() if _kind(cause) == kind) for name in functions]
        axis.barh(functions, counts, left=left, label=kind)
        left = [a + b for a, b in zip(left, counts)]
    axis.invert_yaxis()
    axis.set_xlabel("lost points (hand-ins)")
    axis.set_title("Lost points per function, by cause", fontsize=10)
    axis.margins(x=0.05)
    axis.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.5 / len(functions) - 0.06), ncol=3)
    figure.tight_layout()
    _save(figure, out / "mistakes.png")
    plt.close("all")


def _kind(cause):
    if cause in ("not written",):
        return "not written"
    if cause in ("missing", "did not run"):
        return "missing"
    if cause == "wrong":
        return "other wrong result"
    if cause in ("crashed", "out of time", "memory", "disk", "output", "attempt"):
        return "crashed or over a limit"
    return "recognised mistake"


def _save(figure, path):
    data = io.BytesIO()
    figure.savefig(data, format="png", dpi=100, metadata={"Software": None}, bbox_inches="tight")
    write_atomic(path, data.getvalue())


# ----------------------------------------------------------------------------------------------------------
# The whole run

def write_all(rows, unmatched, out, isolated, loose=(), term=False, remarks=()):
    """Write every file of OUT (each then renamed into place); remove feedback files of earlier runs that no
    row has any more. `term`: the gradebook has the term's columns; `remarks`: lines at the end of the summary.
    Returns the summary's text."""
    out = Path(out)
    write_atomic(out / "gradebook.csv", gradebook_csv(rows, term))
    write_atomic(out / "functions.csv", functions_csv(rows))
    written = set()
    for entry in rows:
        path = out / "feedback" / entry.student / f"{entry.lesson}.md"
        text = feedback(entry)
        write_atomic(path, text if isolated else f"**{NOT_ISOLATED}**\n\n{text}")
        written.add(path)
    for stale in (out / "feedback").glob("*/*.md"):
        if stale not in written:
            stale.unlink()
    text = summary(rows, unmatched, isolated, loose) + "".join(f"{line}\n" for line in remarks)
    write_atomic(out / "summary.txt", text)
    figures(rows, out)
    return text


def grade_class(folder, out, settings, seed=None, workers=None, scheduler=None, echo=print, progress=None,
                course=None, roster=None):
    """Grade every hand-in under `folder` into `out` (see the module's docstring); print the summary with
    `echo`. `course`: a course file (term.py); `roster`: a roster CSV (lms.py). Returns (the Entries, how many
    hand-ins were graded now, the seconds it took)."""
    from . import adjustments, exports, integrity, lms, term
    folder, out = classbook.check_folders(folder, out)
    course = term.load(course) if course else None
    roster = lms.read_roster(roster) if roster else None
    adjusted = adjustments.load(out)
    if scheduler:
        classbook.check_scheduler(scheduler)
    else:
        make_jail(settings.limits_object(), settings.isolated).close()  # JailUnavailable here, not in each worker
    start = time.monotonic()
    handins, loose, learners, strangers = lms.find(folder, roster)
    if not handins and loose:
        raise classbook.ClassError(nothing_matched(folder, loose))
    if not handins:
        seen = f"the folders of {counted(len(learners), 'learner')} but" if learners else "no learner's folder and"
        raise classbook.ClassError(f"DIR: found {seen} no notebook (.ipynb) in {folder}, so nothing was graded; "
                                   f"expected one folder per learner holding that learner's notebooks")
    cache = classbook.Cache(out, seed)
    echo(f"{counted(len(handins), 'notebook')} in the folders of {counted(len(learners), 'learner')}"
         f" in {folder}")
    results, graded_now = classbook.grade_all(handins, settings, cache, workers, scheduler, progress)
    rows, unmatched = entries(list(learners), results, term.chooser(course))
    unused = adjustments.apply_functions(rows, adjusted)
    if course:
        term.weigh(rows, course)
        term.apply(rows, course)
    unused += adjustments.apply_lessons(rows, adjusted)
    remarks = [f"Not on the roster: {name}" for name in strangers]
    remarks += [f"Adjustment not applied ({why}): {item.student},{item.lesson},{item.function} "
                f"{item.words()}" for item, why in unused]
    text = write_all(rows, unmatched, out, settings.isolated, loose, bool(course or adjusted), remarks)
    exports.write(rows, learners, out)
    evidence = collections.Counter(line[0] for line in integrity.write(rows, out, learners))
    seconds = time.monotonic() - start
    rate = f": {graded_now / seconds * 60:.0f} notebooks a minute" if graded_now else ""
    echo(f"graded {graded_now} now and took {len(handins) - graded_now} from the cache, in {seconds:.1f} s{rate}")
    echo(text.rstrip("\n"))
    echo(f"written: {out}/gradebook.csv, functions.csv, summary.txt, scores.png, mistakes.png, feedback/, "
         f"learners.csv, canvas_import.csv, moodle_import.csv, integrity.csv and integrity.txt")
    echo("integrity (evidence to read, no penalty): " + ", ".join(f"{kind} {evidence[kind]}" for kind in
         ("identical file", "same code", "similar code", "attempt", "unreadable", "missing")))
    if handins and not any(entry.handin for entry in rows):
        raise classbook.ClassError(nothing_matched(folder, [f"{h.student}/{h.relative} ({why})" for h, why in
                                                            ((h, r["why"]) for h, r in results.items())]))
    return rows, graded_now, seconds


def nothing_matched(folder, seen, shown=5):
    """The message of a run that found notebooks but could match none to a learner and a lesson."""
    listed = "; ".join(seen[:shown]) + (f"; and {len(seen) - shown} more" if len(seen) > shown else "")
    return (f"DIR: found {counted(len(seen), 'notebook')} in {folder} but matched none to a learner and a lesson: "
            f"{listed}; expected one folder per learner, nbgrader's submitted/, Canvas's flat download "
            f"(name_1001_123456_file.ipynb), Moodle's folders (Name_1001_assignsubmission_file_) or "
            f"Blackboard's (Assignment_user_attempt_2024-10-14-23-12-05_file.ipynb)")
