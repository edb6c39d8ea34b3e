"""What goes back to the learning platform: one row per learner with totals, and grade import files.

    OUT/learners.csv        student,name,email,section,<one column per lesson>,total,out_of,percent
    OUT/canvas_import.csv   Canvas's Gradebook import: Student,ID,SIS User ID,SIS Login ID,Section, then one
                            column per lesson (Canvas matches a row by ID, SIS User ID or SIS Login ID; a column
                            it does not know becomes a new assignment)
    OUT/moodle_import.csv   Moodle's gradebook "Import > CSV file": First name,Last name,ID number,Email address,
                            then one column per lesson (on import, map "Email address" to useremail or
                            "ID number" to useridnumber, and each lesson's column to its grade item)

ID is Canvas's user id from its download (empty without one); SIS User ID is the roster's id; SIS Login ID is
the roster's login when it has that column. The lessons' columns hold the scores of gradebook.csv (after
weights, late penalties and adjustments); a learner of the roster with no hand-in at all is left empty there
(never a zero), and named in the summary.
"""
from .classbook import csv_text, lessons, write_atomic

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["First name", "Last name", "ID number", "Email address"]


def table(rows, learners):
    """[(Learner, {lesson: score}, total, out of)] in the learners' order, every lesson present."""
    scores = {(entry.student, entry.lesson): entry for entry in rows}
    done = []
    for learner in learners.values():
        found = {lesson: scores[learner.id, lesson] for lesson in lessons() if (learner.id, lesson) in scores}
        if not any(entry.handin for entry in found.values()):  # not found at all: left empty, never zeros
            done.append((learner, {}, "", _tidy(sum(entry.total for entry in found.values()))))
            continue
        total = sum(entry.score for entry in found.values())
        out_of = sum(entry.total for entry in found.values())
        done.append((learner, {lesson: entry.score for lesson, entry in found.items()}, _tidy(total),
                     _tidy(out_of)))
    return done


def learners_csv(rows, learners):
    names = list(lessons())
    return csv_text(["student", "name", "email", "section"] + names + ["total", "out_of", "percent"],
                    [[learner.id, learner.name, learner.email, learner.section] +
                     [scores.get(lesson, "") for lesson in names] +
                     [total, out_of, f"{100 * total / out_of:.1f}" if out_of and total != "" else ""]
                     for learner, scores, total, out_of in table(rows, learners)])


def canvas_csv(rows, learners, assignments=None):
    """Canvas's import file; `assignments` ({lesson: Canvas's assignment id}, from the course file) makes a
    lesson's column `01_initialization (12345)`, which Canvas matches to that assignment by its id."""
    names = list(lessons())
    titles = [f"{lesson} ({assignments[lesson]})" if lesson in (assignments or {}) else lesson for lesson in names]
    return csv_text(CANVAS_COLUMNS + titles,
                    [[learner.sortable or _sortable(learner.name or learner.id), learner.lms_id, learner.id,
                      learner.login, learner.section] + [scores.get(lesson, "") for lesson in names]
                     for learner, scores, _, _ in table(rows, learners)])


def moodle_csv(rows, learners):
    names = list(lessons())
    lines = []
    for learner, scores, _, _ in table(rows, learners):
        first, _, last = (learner.name or learner.id).rpartition(" ")
        lines.append([first or last, last if first else "", learner.id, learner.email] +
                     [scores.get(lesson, "") for lesson in names])
    return csv_text(MOODLE_COLUMNS + names, lines)


def write(rows, learners, out, assignments=None):
    """Write the three files into OUT (`assignments`: Canvas's assignment ids, see canvas_csv)."""
    write_atomic(out / "learners.csv", learners_csv(rows, learners))
    write_atomic(out / "canvas_import.csv", canvas_csv(rows, learners, assignments))
    write_atomic(out / "moodle_import.csv", moodle_csv(rows, learners))


def _sortable(name):
    """Canvas's "Last, First" form of a name."""
    first, _, last = name.rpartition(" ")
    return f"{last}, {first}" if first else name


def _tidy(number):
    from .adjustments import tidy
    return tidy(number)
