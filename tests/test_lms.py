"""LMS in and out (grading/lms.py, grading/exports.py): Canvas's flat download and Moodle's folders are graded
under the roster's ids; learners.csv has one row per learner with totals; the Canvas and Moodle import files
have the columns their documentation asks for; a download that matches nothing stops with what it saw."""
import csv
import io
import json
import os
import subprocess
import sys

import pytest

from grading import classbook, exports, gradebook, lms
from conftest import assert_each_refused
from mutants import MUTANTS, edited
from test_classbook import LESSON_01, SEED, SETTINGS, handed_in

ROSTER = """id,name,email,section
s001,Anna Smith,anna.smith@uni.example,A
s002,Bob Jones,bjones@uni.example,B
s003,Cat Lee,cat.lee@uni.example,A
"""
WRONG = next(edited(m.name, m.edits) for m in MUTANTS if (m.name, m.id) == ("initialize_parameters", "no_scale"))


def run(handins, out, roster=None, **options):
    rows, now, _ = gradebook.grade_class(handins, out, SETTINGS, seed=SEED, workers=2, echo=lambda text: None,
                                         roster=roster, **options)
    return rows


def read(path):
    return list(csv.DictReader(io.StringIO(path.read_text())))


@pytest.fixture(scope="module")
def roster(tmp_path_factory):
    path = tmp_path_factory.mktemp("roster") / "roster.csv"
    path.write_text(ROSTER)
    return path


def test_a_canvas_download_is_graded_under_the_rosters_ids(tmp_path, roster):
    handins = tmp_path / "canvas"
    handed_in(handins / "annasmith_1001_123456_01_initialization.ipynb", LESSON_01)
    handed_in(handins / "jonesbob_late_1002_123457_lab1-2.ipynb", LESSON_01, initialize_parameters=WRONG)
    out = tmp_path / "grades"
    rows = run(handins, out, roster)
    graded = {(e.student, e.lesson): (e.score, e.handin) for e in rows if e.status == "graded"}
    assert graded == {("s001", "01_initialization"): (3, "annasmith_1001_123456_01_initialization.ipynb"),
                      ("s002", "01_initialization"): (2, "jonesbob_late_1002_123457_lab1-2.ipynb")}
    assert {e.student for e in rows} == {"s001", "s002", "s003"}  # cat handed nothing in: missing
    learners = read(out / "learners.csv")
    assert [(row["student"], row["name"], row["section"], row["total"], row["out_of"]) for row in learners] == [
        ("s001", "Anna Smith", "A", "3", "18"), ("s002", "Bob Jones", "B", "2", "18"),
        ("s003", "Cat Lee", "A", "", "18")]  # not found at all: empty, never a zero
    # Canvas's Gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then the assignments' columns
    canvas = list(csv.reader(io.StringIO((out / "canvas_import.csv").read_text())))
    assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert canvas[0][5:] == list(classbook.lessons())
    assert canvas[1][:6] == ["Smith, Anna", "1001", "s001", "", "A", "3"]
    assert canvas[2][:6] == ["Jones, Bob", "1002", "s002", "", "B", "2"]
    assert canvas[3] == ["Lee, Cat", "", "s003", "", "A"] + [""] * len(classbook.lessons())
    assert "Not on the roster" not in (out / "summary.txt").read_text()


def test_a_moodle_download_is_graded_under_the_rosters_ids(tmp_path, roster):
    handins = tmp_path / "moodle"
    handed_in(handins / "Anna Smith_2001_assignsubmission_file_" / "lab1.ipynb", LESSON_01)
    handed_in(handins / "Cat Lee_2003_assignsubmission_file_" / "work" / "01.ipynb", LESSON_01,
              initialize_parameters=WRONG)
    handed_in(handins / "Dan Brown_2004_assignsubmission_file_" / "01.ipynb", LESSON_01)
    out = tmp_path / "grades"
    with pytest.raises(classbook.ClassError, match="1 download matches no single learner of the roster: Dan Brown "
                                                   r"\(moodle\); .* or --allow-unmatched"):
        run(handins, out, roster)
    assert not (out / "gradebook.csv").exists()
    rows = run(handins, out, roster, allow_unmatched=True)
    graded = {e.student: e.score for e in rows if e.status == "graded"}
    assert graded == {"s001": 3, "s003": 2, "Dan Brown": 3}
    assert "Not on the roster: Dan Brown (moodle)" in (out / "summary.txt").read_text()
    # Moodle's CSV grade import: a column to identify the user by (Email address -> useremail, ID number ->
    # useridnumber), then one column per grade item
    moodle = read(out / "moodle_import.csv")
    assert list(moodle[0])[:4] == ["First name", "Last name", "ID number", "Email address"]
    assert list(moodle[0])[4:] == list(classbook.lessons())
    by_email = {row["Email address"]: row for row in moodle}
    assert by_email["anna.smith@uni.example"]["01_initialization"] == "3"
    assert by_email["cat.lee@uni.example"]["ID number"] == "s003"
    assert by_email["cat.lee@uni.example"]["01_initialization"] == "2"
    assert all(float(row[lesson]) >= 0 for row in moodle for lesson in classbook.lessons() if row["ID number"] !=
               "s002")
    assert [row[lesson] for row in moodle if row["ID number"] == "s002" for lesson in classbook.lessons()] == \
        [""] * len(classbook.lessons())  # Bob handed nothing in: left empty


def test_without_a_roster_the_downloads_names_are_the_ids(tmp_path):
    handins = tmp_path / "handins"
    for name in ("annasmith_1001_1_01_initialization.ipynb", "annasmith_1009_2_lab.ipynb",
                 "Bob Jones_2002_assignsubmission_file_/x.ipynb", "ann/lab1.ipynb"):
        (handins / name).parent.mkdir(parents=True, exist_ok=True)
        (handins / name).write_text("{}")
    seen = lms.find(handins)
    assert sorted(h.student for h in seen.handins) == ["Bob Jones", "ann", "annasmith_1001", "annasmith_1009"]
    assert seen.aside == [] and seen.strangers == [] and "Bob Jones" in seen.learners


def test_a_download_that_matches_nothing_stops_and_says_what_it_saw(tmp_path):
    handins = tmp_path / "handins"
    handed_in(handins / "Anna Smith - lab 1.ipynb", LESSON_01)
    handed_in(handins / "lab1 (2).ipynb", LESSON_01)
    done = subprocess.run([sys.executable, "-m", "grading", "grade-class", str(handins), str(tmp_path / "out"),
                           "--workers", "1"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "DIR: found 2 notebooks in" in done.stderr and "matched none to a learner and a lesson" in done.stderr
    assert "Anna Smith - lab 1.ipynb (not in a learner's folder)" in done.stderr
    assert "Canvas's flat download" in done.stderr


def test_bad_rosters_are_named(tmp_path):
    cases = {"name,email\nAnn,a@x\n": "expected a header with id",
             "id,name\ns1,Ann\ns1,Bob\n": "line 3: id 's1' is there twice",
             "id,name\n,Ann\n": "line 2: no id",
             "id,name\n": "no learner"}
    assert_each_refused(tmp_path, "roster.csv", lms.read_roster, cases, "--roster")


def test_the_import_files_columns():
    assert exports.CANVAS_COLUMNS == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert {"ID number", "Email address"} <= set(exports.MOODLE_COLUMNS)


CANVAS_GRADEBOOK = """Student,ID,SIS User ID,SIS Login ID,Section,01_initialization (5001)
    Points Possible,,,,,3
"Smith, Anna",1001,s001,asmith,A,
"Müller, Hannah",1004,s004,hmuller,A,
"van Dyke, Mary Ann",1018,,mvandyke,B,
"Jones, Bob",1002,s002,bjones,B,
"Student, Test",9999,,,,
"""


def test_a_canvas_download_as_canvas_names_it_is_graded_with_its_gradebook_export(tmp_path):
    """Canvas's names (the sortable name with every non-word character removed, letters outside ASCII kept;
    LATE or late; the user id; the file's id), every file dated at the download's time: each learner is found
    by their Canvas id, and late exactly where Canvas marked it."""
    roster = tmp_path / "gradebook.csv"
    roster.write_text(CANVAS_GRADEBOOK, encoding="utf-8")
    handins = tmp_path / "canvas"
    names = {"smithanna_1001_48211_01_initialization.ipynb": "s001",
             "müllerhannah_LATE_1004_48250_lab-1.ipynb": "s004",
             "vandykemaryann_late_1018_48290_01_initialization-1.ipynb": "1018"}
    for name in names:
        os.utime(handed_in(handins / name, LESSON_01), (1.75e9, 1.75e9))  # the download (2025), after the due date
    course = tmp_path / "course.toml"
    course.write_text('[late]\npolicy = "flag"\n[due]\n"01_initialization" = 2024-10-07T23:59:00Z\n')
    out = tmp_path / "grades"
    rows, _, _ = gradebook.grade_class(handins, out, SETTINGS, seed=SEED, workers=2, echo=lambda text: None,
                                       roster=roster, course=course)
    got = {e.student: (e.score, e.late_days) for e in rows if e.lesson == "01_initialization"}
    assert got == {"s001": (3, 0), "s004": (3, 1), "1018": (3, 1), "s002": (0, 0)}
    assert {e.student for e in rows} == {"s001", "s004", "1018", "s002"}  # the test student and points row: none
    canvas = read(out / "canvas_import.csv")
    assert [(row["Student"], row["ID"], row["SIS User ID"], row["SIS Login ID"]) for row in canvas] == [
        ("van Dyke, Mary Ann", "1018", "1018", "mvandyke"), ("Smith, Anna", "1001", "s001", "asmith"),
        ("Jones, Bob", "1002", "s002", "bjones"), ("Müller, Hannah", "1004", "s004", "hmuller")]
    assert "marked late by Canvas" in (out / "feedback" / "s004" / "01_initialization.md").read_text()
    assert "not in a learner's folder" not in (out / "summary.txt").read_text()
    # with Canvas's own submission times (its Submissions API), the lateness is theirs (a re-run grades nothing)
    (tmp_path / "submissions.json").write_text(json.dumps([
        {"user_id": 1001, "assignment_id": 777, "submitted_at": "2024-10-07T23:58:59Z", "late": False},
        {"user_id": 1004, "assignment_id": 777, "submitted_at": "2024-10-10T09:00:00Z", "late": True},
        {"user_id": 1018, "assignment_id": 777, "submitted_at": None, "late": False}]))
    course.write_text('submission_times = ["submissions.json"]\n[late]\npolicy = "flag"\n[due]\n'
                      '"01_initialization" = 2024-10-07T23:59:00Z\n[canvas_assignments]\n"01_initialization" = 777\n')
    rows, graded, _ = gradebook.grade_class(handins, out, SETTINGS, seed=SEED, workers=2, echo=lambda text: None,
                                            roster=roster, course=course)
    got = {e.student: (e.late_days, e.submitted is not None) for e in rows if e.lesson == "01_initialization"}
    assert got == {"s001": (0, True), "s004": (3, True), "1018": (1, False), "s002": (0, False)}  # 1018: LATE
    assert "s004,01_initialization,3,3,graded,2024-10-10" in (out / "gradebook.csv").read_text()


def test_a_name_with_an_invisible_character_is_a_conflict_never_a_classmates_hand_in(tmp_path, roster):
    handins = tmp_path / "moodle"
    for folder in ("Anna Smith_2001_assignsubmission_file_", "Anna Smith\u200b_2009_assignsubmission_file_",
                   "Anna Smith_3001_assignsubmission_file_", "Bob Jones_2002_assignsubmission_file_"):
        (handins / folder).mkdir(parents=True)
        (handins / folder / "lab1.ipynb").write_text("{}")
    seen = lms.find(handins, lms.read_roster(roster))
    assert seen.conflicts == ["Anna Smith (s001): the downloads of Anna Smith (moodle) and Anna Smith\\u200b "
                              "(moodle) all match this row"]
    assert sorted(h.student for h in seen.handins) == ["Anna Smith", "Anna Smith", "Anna Smith_2009", "s002"]
    with pytest.raises(classbook.ClassError, match=r"Anna Smith \(s001\): the downloads of Anna Smith \(moodle\) "):
        gradebook.check_matches(seen, roster, allow_unmatched=True)  # 1 of 4 matched: stopped, the conflict named


def test_one_learner_across_moodle_assignments_is_one_learner(tmp_path):
    handins = tmp_path / "moodle"
    for folder in ("Anna Smith_2001_assignsubmission_file_", "Anna Smith_3001_assignsubmission_file_"):
        (handins / folder).mkdir(parents=True)
        (handins / folder / "lab.ipynb").write_text("{}")
    assert {h.student for h in lms.find(handins).handins} == {"Anna Smith"}


def test_a_folder_of_many_learners_or_a_roster_of_another_class_stops(tmp_path, roster):
    top = tmp_path / "top"
    for folder in ("Anna Smith_2001_assignsubmission_file_", "Bob Jones_2002_assignsubmission_file_"):
        (top / "submissions" / folder).mkdir(parents=True)
        (top / "submissions" / folder / "lab.ipynb").write_text("{}")
    with pytest.raises(classbook.ClassError, match="the folder 'submissions' holds the hand-ins of many learners"):
        lms.find(top)
    nbgrader = tmp_path / "course"
    for student in ("ann", "bob"):
        (nbgrader / "submitted" / student / "01").mkdir(parents=True)
        (nbgrader / "submitted" / student / "01" / "lab.ipynb").write_text("{}")
        (nbgrader / "submitted" / student / "01" / "timestamp.txt").write_text("2024-10-01 10:00:00 UTC")
    with pytest.raises(classbook.ClassError, match="the folder 'submitted' holds the hand-ins of many learners"):
        lms.find(nbgrader)
    assert {h.student for h in lms.find(nbgrader / "submitted").handins} == {"ann", "bob"}
    others = tmp_path / "others"
    for name in ("Zed Zee_1_assignsubmission_file_", "Yan Yu_2_assignsubmission_file_",
                 "Cat Lee_3_assignsubmission_file_"):
        (others / name).mkdir(parents=True)
        (others / name / "lab.ipynb").write_text("{}")
    seen = lms.find(others, lms.read_roster(roster))
    with pytest.raises(classbook.ClassError, match="only 1 of 3 hand-ins match a learner of the roster"):
        gradebook.check_matches(seen, roster, allow_unmatched=True)
