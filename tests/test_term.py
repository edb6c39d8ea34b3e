"""A whole term (grading/adjustments.py, grading/term.py): an adjustment made with `python -m grading adjust`
survives every re-run and is shown with its reason; a course file's due dates, extensions, late policies
(flag, penalty per day, refuse), resubmission policies (best, latest) and weights change the gradebook as it
says; a hand-in's time is nbgrader's or Blackboard's record where there is one, else the file's."""
import csv
import re
import datetime
import io
import os

import pytest

from grading import adjustments, classbook, gradebook, lms
from grading.__main__ import main
from conftest import assert_each_refused
from mutants import MUTANTS, edited
from test_classbook import LESSON_01, SEED, SETTINGS, handed_in

WRONG = edited("initialize_parameters", next(m for m in MUTANTS if (m.name, m.id) == ("initialize_parameters",
                                                                                     "no_scale")).edits)

DUE = datetime.datetime(2024, 10, 7, 23, 59, tzinfo=datetime.timezone.utc)
HOUR, DAY = 3600, 86400


def at(path, hours_after_due):
    """Date the hand-in at `path` (in <student>/<assignment>/, nbgrader's exchange) `hours_after_due` after DUE by
    nbgrader's timestamp.txt, and give the file a modification time that must not count (a download's)."""
    when = DUE + datetime.timedelta(hours=hours_after_due)
    (path.parent / "timestamp.txt").write_text(when.strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    os.utime(path, (DUE.timestamp() + 40 * DAY, DUE.timestamp() + 40 * DAY))
    return path


def run(handins, out, course_file=None, **options):
    rows, now, _ = gradebook.grade_class(handins, out, SETTINGS, seed=SEED, workers=2, echo=lambda text: None,
                                         course=course_file, **options)
    return {(e.student, e.lesson): e for e in rows}, now


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    """ann: right, on time; bob: one mistake, 36 h late; cat: right, 30 h late with a 2-day extension; dan: a
    right hand-in 2 h late after a wrong one on time."""
    root = tmp_path_factory.mktemp("term")
    mutant = next(m for m in MUTANTS if (m.name, m.id) == ("initialize_parameters", "no_scale"))
    wrong = edited(mutant.name, mutant.edits)
    handins = root / "handins"
    at(handed_in(handins / "ann" / "01" / "01_initialization.ipynb", LESSON_01), -5)
    at(handed_in(handins / "bob" / "01" / "lab1.ipynb", LESSON_01, initialize_parameters=wrong), 36)
    at(handed_in(handins / "cat" / "01" / "01_initialization.ipynb", LESSON_01), 30)
    at(handed_in(handins / "dan" / "first" / "01.ipynb", LESSON_01, initialize_parameters=wrong), -1)
    at(handed_in(handins / "dan" / "second" / "01.ipynb", LESSON_01), 2)
    return root, handins


def settings(root, late, resubmission="best", extra=""):
    path = root / f"course_{abs(hash((late, resubmission, extra)))}.toml"
    path.write_text(f'resubmission = "{resubmission}"\n\n[late]\n{late}\n\n[due]\n'
                    f'"01_initialization" = 2024-10-07T23:59:00Z\n\n[extensions]\ncat = 2\n{extra}')
    return path


def test_an_adjustment_survives_every_rerun_and_shows_its_reason(term, tmp_path):
    root, handins = term
    out = tmp_path / "grades"
    rows, _ = run(handins, out)
    assert rows["bob", "01_initialization"].score == 2
    assert main(["adjust", str(out), "bob", "01_initialization", "1", "--function", "initialize_parameters",
                 "--reason", "regrade request: the scale was in the text", "--by", "ta"]) == 0
    assert main(["adjust", str(out), "ann", "01_initialization", "-0.5", "--reason", "late cover page"]) == 0
    for _ in range(2):  # applied on every run, the second one grading nothing
        rows, now = run(handins, out)
        assert rows["bob", "01_initialization"].score == 3 and rows["ann", "01_initialization"].score == 2.5
    assert now == 0
    book = (out / "gradebook.csv").read_text().splitlines()
    assert book[0] == "student,lesson,score,total,status,submitted,days_late,notes"
    bob = next(line for line in book if line.startswith("bob,01_"))
    assert bob.startswith("bob,01_initialization,3,3,graded,") and \
        "adjusted initialize_parameters set to 1: regrade request: the scale was in the text (ta, " in bob
    feedback = (out / "feedback" / "bob" / "01_initialization.md").read_text()
    assert "| `initialize_parameters` | 1/1 | wrong result (adjusted) |" in feedback
    assert "## Changes to your score\n\n- adjusted initialize_parameters set to 1: regrade request" in feedback
    assert "adjusted -0.5: late cover page" in (out / "feedback" / "ann" / "01_initialization.md").read_text()
    functions = (out / "functions.csv").read_text()
    assert "adjusted initialize_parameters set to 1" in functions
    assert "bob,bob,,,3,0,0,0,0,3,18,16.7" in (out / "learners.csv").read_text().splitlines()


def test_bad_adjustments_are_named(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "gradebook.csv").write_text("student,lesson,score,total,status\nann,01_initialization,3,3,"
                                                    "graded\n")
    cases = [(["ann", "07_nothing", "1"], "lesson '07_nothing'; expected one of 01_initialization"),
             (["bea", "01_initialization", "1"], "student 'bea' is no learner of the roster or the hand-ins; "
                                                 "expected a learner's id as in gradebook.csv (ann)"),
             (["ann", "01_initialization", "2", "--function", "initialize_parameters"],
              "points '2' for the function initialize_parameters; expected a function's point from 0 to 1"),
             (["ann", "01_initialization", "lots"], "points 'lots'; expected a number"),
             (["ann", "01_initialization", "1", "--function", "relu"], "function 'relu'; 01_initialization grades")]
    for args, message in cases:
        assert main(["adjust", str(tmp_path / "out")] + args + ["--reason", "why"]) == 2
        assert message in capsys.readouterr().err, args
    assert not (tmp_path / "out" / "adjustments.csv").exists()
    (tmp_path / "out" / "adjustments.csv").write_text("who,what\n")
    with pytest.raises(classbook.ClassError, match="header .* expected student,lesson,function,points"):
        adjustments.load(tmp_path / "out")


def test_a_late_hand_in_is_flagged_or_penalised_per_day_and_an_extension_counts(term, tmp_path):
    root, handins = term
    out = tmp_path / "grades"
    rows, _ = run(handins, out, settings(root, 'policy = "flag"'))
    assert [rows[s, "01_initialization"].late_days for s in ("ann", "bob", "cat", "dan")] == [0, 2, 0, 1]
    assert rows["bob", "01_initialization"].score == 2
    assert "late by 2 days" in rows["bob", "01_initialization"].notes[0]
    assert rows["dan", "01_initialization"].score == 3  # best: the late one, 2 h late: a day
    rows, now = run(handins, out, settings(root, 'policy = "penalty"\nper_day = 10'))
    assert now == 0
    assert rows["bob", "01_initialization"].score == 1.4  # 2 - 2 days x 10% of 3
    assert rows["dan", "01_initialization"].score == 2.7 and rows["dan", "01_initialization"].late_days == 1
    assert rows["ann", "01_initialization"].score == 3 and rows["cat", "01_initialization"].score == 3
    bob = (out / "feedback" / "bob" / "01_initialization.md").read_text()
    assert "late by 2 days (due 2024-10-07 23:59:00+00:00): -0.6 (10% of 3 per day)" in bob
    assert ",1.4,3,graded," in (out / "gradebook.csv").read_text()


def test_refused_and_latest_hand_ins(term, tmp_path):
    root, handins = term
    out = tmp_path / "grades"
    rows, _ = run(handins, out, settings(root, 'policy = "refuse"'))
    assert (rows["bob", "01_initialization"].status, rows["bob", "01_initialization"].score) == ("late: refused", 0)
    dan = rows["dan", "01_initialization"]
    assert (dan.handin, dan.score, dan.status) == ("first/01.ipynb", 2, "graded")  # the one on time
    assert "late hand-ins are refused" in (out / "feedback" / "dan" / "01_initialization.md").read_text()
    rows, _ = run(handins, out, settings(root, 'policy = "accept"', "latest"))
    assert rows["dan", "01_initialization"].handin == "second/01.ipynb"
    said = (out / "feedback" / "dan" / "01_initialization.md").read_text()
    assert re.search(r'Also handed in for this lesson: `first/01.ipynb` \(graded 2/3\); "second/01.ipynb" counts: it '
                     r"is the one you handed in last \(at 2024-10-\d\d \d\d:\d\d \(UTC\+00:00\), as the platform "
                     r"recorded it\)\.", said), said
    rows, _ = run(handins, out, settings(root, 'policy = "accept"', "latest", '\n[weights."01_initialization"]\n'
                                                                             'initialize_parameters = 3\n'))
    assert (rows["bob", "01_initialization"].score, rows["bob", "01_initialization"].total) == (2, 5)
    assert (rows["ann", "01_initialization"].score, rows["ann", "02_forward_propagation"].total) == (5, 6)


def test_the_time_and_owner_of_a_hand_in_are_only_what_the_platform_wrote(tmp_path):
    """nbgrader's timestamp.txt in <student>/<assignment>/ and Blackboard's receipt date a hand-in; a learner's
    own file name, a timestamp.txt they upload anywhere else and a file's modification time date nothing and
    give no hand-in to anyone else."""
    handins = tmp_path / "handins"
    at(handed_in(handins / "ann" / "01" / "01_initialization.ipynb", LESSON_01), 34)  # nbgrader: 2 days late
    early = DUE.timestamp() - 10 * HOUR
    for path in (handins / "dora" / "lab1.ipynb", handins / "eve" / "01" / "deep" / "lab1.ipynb"):
        os.utime(handed_in(path, LESSON_01), (early, early))  # a forged time beside it, and an early mtime
        (path.parent / "timestamp.txt").write_text("2024-10-01 10:00:00.000000 UTC")
    receipt = "Lab 1_bjones_attempt_2024-10-08-10-00-00"
    handed_in(handins / f"{receipt}_lab1.ipynb", LESSON_01)
    (handins / f"{receipt}.txt").write_text("Name: Bob Jones (bjones)\n")
    forged = "Lab 1_cmal_attempt_2024-10-09-10-00-00"  # cmal's upload, named as if bjones handed it in early
    handed_in(handins / f"{forged}_x_bjones_attempt_2024-10-06-12-00-00_lab1.ipynb", LESSON_01,
              initialize_parameters=WRONG)
    (handins / f"{forged}.txt").write_text("Name: Carl Mal (cmal)\n")
    (handins / f"{forged}_x_bjones_attempt_2024-10-06-12-00-00.txt").write_text("Name: Bob Jones (bjones)\n")
    path = settings(tmp_path, 'policy = "flag"').read_text().replace("cat = 2", "ann = 0")
    (tmp_path / "course.toml").write_text(path)
    rows, _ = run(handins, tmp_path / "grades", tmp_path / "course.toml")
    assert rows["ann", "01_initialization"].late_days == 2
    local = datetime.datetime(2024, 10, 8, 10).astimezone().timestamp()
    assert (rows["bjones", "01_initialization"].submitted, rows["bjones", "01_initialization"].score) == (local, 3)
    assert rows["cmal", "01_initialization"].submitted == local + DAY and rows["cmal", "01_initialization"].score == 2
    assert not rows["bjones", "01_initialization"].others  # the forged upload is not bjones's
    for student in ("dora", "eve"):
        entry = rows[student, "01_initialization"]
        assert (entry.submitted, entry.late_days) == (None, 0)
        assert "time unknown: no platform dated this hand-in" in entry.notes[0]
    assert "time unknown" in (tmp_path / "grades" / "feedback" / "dora" / "01_initialization.md").read_text()
    assert "Time unknown, so not checked for lateness (no platform dated them): dora 01_initialization, eve " \
        "01_initialization" in (tmp_path / "grades" / "summary.txt").read_text()


def test_bad_course_files_are_named(tmp_path):
    from grading import term
    cases = {'[late]\npolicy = "later"': "late.policy is 'later'; expected one of accept, flag, penalty, refuse",
             '[late]\npolicy = "penalty"': "late.per_day is 0; expected the percent",
             '[due]\n"09_x" = 2024-10-07': "due.09_x: no lesson '09_x'; expected one of 01_initialization",
             'resubmission = "first"': "resubmission is 'first'; expected one of best, latest",
             '[due]\n"01_initialization" = "monday"': "due.01_initialization is 'monday'; expected a date-time",
             'deadline = 3': "unknown setting deadline",
             '[weights."01_initialization"]\nrelu = 2': "weights.01_initialization.relu: 01_initialization grades "
                                                       "no function 'relu'",
             'late = [': "cannot be read",
             '[due]\n"01_initialization" = 2024-10-07T23:59:00': "due.01_initialization is 2024-10-07T23:59:00, "
                                                                  "without an offset, and the course file names no "
                                                                  "timezone"}
    assert_each_refused(tmp_path, "course.toml", term.load, cases, "--course")
    with pytest.raises(classbook.ClassError, match="no such file"):
        term.load(tmp_path / "nowhere.toml")
    zoned = tmp_path / "zoned.toml"
    zoned.write_text('timezone = "Europe/Paris"\n[due]\n"01_initialization" = 2024-10-07T23:59:00\n'
                     '[extensions]\nasmith = 1\nzed = 2\n')
    course = term.load(zoned)
    assert course.due["01_initialization"].utcoffset() == datetime.timedelta(hours=2)
    learners = {"s001": lms.Learner("s001", "Anna Smith", login="asmith"), "s002": lms.Learner("s002")}
    with pytest.raises(classbook.ClassError, match="extensions.zed is no learner of the roster or the hand-ins"):
        term.check_students(course, learners)
    del learners["s002"], course.extensions["zed"]
    assert term.check_students(course, learners).extensions == {"s001": {"*": 1}}  # by login


def test_a_settings_mistake_stops_the_run_before_anything_is_written(term, tmp_path, capsys):
    root, handins = term
    out = tmp_path / "grades"
    course = settings(root, 'policy = "flag"', extra="zed = 1\n")
    assert main(["grade-class", str(handins), str(out), "--course", str(course), "--no-jail"]) == 2
    assert "extensions.zed is no learner of the roster or the hand-ins" in capsys.readouterr().err
    assert not out.exists()
    out.mkdir()
    (out / "adjustments.csv").write_text("student,lesson,function,points,reason,who,when\n"
                                         "zed,01_initialization,,+1,typo,ta,2024-10-10\n")
    assert main(["grade-class", str(handins), str(out), "--no-jail"]) == 2
    assert "student 'zed' is no learner of the roster or the hand-ins" in capsys.readouterr().err
    assert not (out / "gradebook.csv").exists()
    assert main(["adjust", str(out), "ann", "01_initialization", "1", "--reason", "x"]) == 2
    assert "holds no gradebook.csv" in capsys.readouterr().err


def test_adjustments_csv_keeps_a_formula_as_text_and_reads_it_back(tmp_path):
    """A learner id from a hostile folder name (=HYPERLINK(...)) or a reason starting with @ is written behind an
    apostrophe, so that a spreadsheet shows it as text, and read back as it was (it still matches the learner)."""
    hostile = adjustments.Adjustment('=HYPERLINK("http://x.example","open")', "01_initialization", "", "+1",
                                     "@once: a formula in the reason", who="ta", when="2026-10-01T10:00:00")
    (tmp_path / "gradebook.csv").write_text(classbook.csv_text(["student", "lesson"], [[hostile.student, "x"],
                                                                                   ["bob", "x"]]))
    adjustments.add(tmp_path, hostile)
    adjustments.add(tmp_path, adjustments.Adjustment("bob", "01_initialization", "", "-0.5", "late", "ta", "x"))
    rows = list(csv.reader(io.StringIO((tmp_path / adjustments.FILE).read_text())))
    assert rows[1][0].startswith("'=") and rows[1][4].startswith("'@") and rows[2][3] == "-0.5"
    assert not [field for row in rows for field in row if field[:1] in ("=", "+", "-", "@") and
                field not in ("+1", "-0.5")]  # signed numbers stay numbers
    assert adjustments.load(tmp_path) == [hostile, adjustments.Adjustment("bob", "01_initialization", "", "-0.5",
                                                                          "late", "ta", "x")]
