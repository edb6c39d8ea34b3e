"""Submission times from the platforms' exports (grading/platforms/times.py, the course file's submission_times):
Canvas's Submissions API JSON and Moodle's grading worksheet, with their real names and date formats, date the
hand-ins of a download whose files carry only the download's time; anything else stops with the file, column
and value named. No grading here: the hand-ins are found as grade-class finds them."""
import datetime
import json
import os
from zoneinfo import ZoneInfo

import pytest

from grading import lms, term
from grading.classbook import ClassError
from grading.platforms import times
from test_classbook import LESSON_01, LESSON_02

PARIS = ZoneInfo("Europe/Paris")
# Moodle's grading worksheet (English), as "Download grading worksheet" writes it
WORKSHEET = ('"Identifier","Full name","Email address","Status","Grade","Maximum Grade","Grade can be changed",'
             '"Last modified (submission)","File submissions","Last modified (grade)","Feedback comments"\n'
             '"Participant 2001","Anna Smith",anna@example.edu,"Submitted for grading",,3.00,Yes,'
             '"Monday, 7 October 2024, 11:58 PM",02_forward_propagation.ipynb,-,\n'
             '"Participant 2002","Bob Jones",bob@example.edu,"Submitted for grading - Late",,3.00,Yes,'
             '"Tuesday, 8 October 2024, 9:05 AM",02_forward_propagation.ipynb,-,\n'
             '"Participant 2003","Cat Lee",cat@example.edu,"No submission",,3.00,Yes,-,,-,\n')
# Canvas's Submissions API, saved as it comes (fields it always sends, some left out for brevity)
SUBMISSIONS = [
    {"id": 1, "user_id": 1001, "assignment_id": 12345, "submitted_at": "2024-10-07T21:58:00Z", "late": False,
     "seconds_late": 0, "workflow_state": "submitted", "attempt": 1},
    {"id": 2, "user_id": 1002, "assignment_id": 12345, "submitted_at": "2024-10-09T08:00:00Z", "late": True,
     "seconds_late": 115260, "workflow_state": "submitted", "attempt": 2},
    {"id": 3, "user_id": 1003, "assignment_id": 12345, "submitted_at": None, "late": False, "seconds_late": 0,
     "workflow_state": "unsubmitted", "attempt": None},
]


def test_moodles_worksheet_and_canvass_submissions_are_read_as_the_platforms_write_them(tmp_path):
    (tmp_path / "w.csv").write_text(WORKSHEET)
    assert times.read(tmp_path / "w.csv", PARIS) == {
        ("moodle", "2001"): datetime.datetime(2024, 10, 7, 23, 58, tzinfo=PARIS).timestamp(),
        ("moodle", "2002"): datetime.datetime(2024, 10, 8, 9, 5, tzinfo=PARIS).timestamp()}  # 2003: "-"
    (tmp_path / "s.json").write_text(json.dumps(SUBMISSIONS))
    assert times.read(tmp_path / "s.json", None) == {
        ("canvas", "1001", "12345"): datetime.datetime(2024, 10, 7, 21, 58, tzinfo=datetime.timezone.utc).timestamp(),
        ("canvas", "1002", "12345"): datetime.datetime(2024, 10, 9, 8, 0, tzinfo=datetime.timezone.utc).timestamp()}


@pytest.mark.parametrize("text, zone, said", [
    (WORKSHEET.replace("Monday, 7 October 2024, 11:58 PM", "2024-10-07 23:58"), PARIS,
     "w.csv: line 2, column 'Last modified (submission)' is '2024-10-07 23:58'; expected Moodle's date"),
    (WORKSHEET.replace("Monday, 7 October", "Tuesday, 7 October"), PARIS,  # 7 October 2024 was a Monday
     "w.csv: line 2, column 'Last modified (submission)' is 'Tuesday, 7 October 2024, 11:58 PM'"),
    (WORKSHEET.replace("Last modified (submission)", "Zuletzt geändert (Abgabe)"), PARIS,
     "w.csv: no column 'Last modified (submission)'"),
    (WORKSHEET.replace('"Participant 2002"', '"Bob"'), PARIS,
     "w.csv: line 3, column 'Identifier' is 'Bob'; expected Moodle's \"Participant 2001\""),
    (WORKSHEET, None, "w.csv: Moodle's worksheet gives times without an offset"),
    (json.dumps([dict(SUBMISSIONS[0], submitted_at="07/10/2024 21:58")]), None,
     "w.csv: submission 1, submitted_at is '07/10/2024 21:58'; expected Canvas's ISO 8601 time"),
    (json.dumps([{"user": 1001, "submitted_at": "2024-10-07T21:58:00Z"}]), None,
     "w.csv: submission 1 is"),
])
def test_an_export_that_is_not_the_platforms_is_named(tmp_path, text, zone, said):
    (tmp_path / "w.csv").write_text(text, encoding="utf-8")
    with pytest.raises(times.ExportError) as error:
        times.read(tmp_path / "w.csv", zone)
    assert said in str(error.value)


def download(root):
    """A Canvas zip's files and a Moodle download's folders, every file's time the download's (after the due)."""
    canvas, moodle = root / "canvas", root / "moodle"
    canvas.mkdir(parents=True)
    for name in ("smithanna_1001_48211_01_initialization.ipynb", "jonesbob_LATE_1002_48212_lab1.ipynb",
                 "leecat_1003_48213_01_initialization.ipynb"):
        (canvas / name).write_bytes(LESSON_01.read_bytes())
    for folder in ("Anna Smith_2001_assignsubmission_file_", "Bob Jones_2002_assignsubmission_file_",
                   "Cat Lee_2003_assignsubmission_file_"):
        (moodle / folder).mkdir(parents=True)
        (moodle / folder / "02_forward_propagation.ipynb").write_bytes(LESSON_02.read_bytes())
    downloaded = datetime.datetime(2024, 10, 12, 10, 0, tzinfo=datetime.timezone.utc).timestamp()
    for path in [*canvas.iterdir(), *moodle.glob("*/*")]:
        os.utime(path, (downloaded, downloaded))
    return canvas, moodle


def course_file(root, exports, extra=""):
    (root / "Grades-DNN-Lab 2-4242.csv").write_text(WORKSHEET)
    (root / "submissions.json").write_text(json.dumps(SUBMISSIONS))
    path = root / "course.toml"
    path.write_text(f'timezone = "Europe/Paris"\nsubmission_times = {json.dumps(exports)}\n\n[late]\npolicy = "flag"\n'
                    f'\n[due]\n"01_initialization" = 2024-10-07T23:59:00\n"02_forward_propagation" = '
                    f'2024-10-08T00:00:00\n{extra}')
    return term.load(path)


def test_the_exports_date_the_hand_ins_of_a_download(tmp_path):
    """Canvas's and Moodle's times decide lateness, not the download's file times; a hand-in the export does not
    date (a Canvas file whose learner did not submit through Canvas) keeps Canvas's LATE mark or is "time
    unknown"."""
    canvas, moodle = download(tmp_path)
    course = course_file(tmp_path, ["submissions.json", "Grades-DNN-Lab 2-4242.csv"],
                         '\n[canvas_assignments]\n"01_initialization" = 12345\n')
    late = {}
    for folder, lesson in ((canvas, "01_initialization"), (moodle, "02_forward_propagation")):
        for handin in lms.find(folder).handins:
            assert handin.submitted is None  # nothing in the download dates it
            when = course.time_of(handin, lesson)
            who = (handin.relative if folder == canvas else handin.path.parent.name).split("_")[0]
            late[who] = (when is not None, course.days_late(handin.student, lesson, when, handin.late))
    assert late == {"smithanna": (True, 0), "jonesbob": (True, 2), "leecat": (False, 0),  # Canvas: 23:58 Paris
                    "Anna Smith": (True, 0), "Bob Jones": (True, 1), "Cat Lee": (False, 0)}


def test_a_canvas_export_without_assignment_ids_or_a_bad_export_stops(tmp_path):
    with pytest.raises(ClassError, match="is Canvas's, keyed by assignment id, and the course file has no "
                                         "canvas_assignments"):
        course_file(tmp_path, ["submissions.json"])
    with pytest.raises(ClassError, match=r"submission_times: .*nowhere.csv: cannot be read"):
        course_file(tmp_path, ["nowhere.csv"])
    with pytest.raises(ClassError, match="submission_times is 'submissions.json'; expected a list of file names"):
        course_file(tmp_path, "submissions.json")
