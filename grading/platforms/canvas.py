"""Canvas: the names of its "Download Submissions" zip and the columns of its gradebook export.

Canvas names each file of the zip `<name>_<LATE>_<user id>_<attachment id>_<display name>`: the name is the
learner's sortable name ("Smith, Anna") in lower case with every character that is not a word character
removed (letters outside ASCII are kept: `müllerhannah`, `vandykemaryann`), `LATE` only when Canvas marked the
submission late (older Canvas wrote `late`), the Canvas user id (`anon_<id>` when the assignment is anonymous,
and then no name), the id of the uploaded file, and the name the learner gave the file. Only what comes before
the file's id is Canvas's: the learner's own file name never decides owner or time.

The gradebook export (Grades > Export) has the columns Student ("Smith, Anna"), ID (the Canvas user id),
SIS User ID, SIS Login ID and Section, then one column per assignment; its second line may be Canvas's
"Points Possible" row, and "Student, Test" is Canvas's test student: neither is a learner.
"""
import re

from .names import display, normal

FILE = re.compile(r"(?:(?!(?:late|LATE)_(?:\d|anon_))(?P<name>\w*?)_)?(?:(?P<late>late|LATE)_)?"
                  r"(?P<id>\d+|anon_[A-Za-z0-9]+)_(?P<attachment>\d+)_(?P<file>.+\.ipynb)")
GRADEBOOK = ("student", "id", "sis user id", "sis login id", "section")
NOT_LEARNERS = ("points possible", "student, test")


def parse(file_name):
    """{name, late, id, file} of a file of Canvas's download, or None when the name is not Canvas's."""
    found = FILE.fullmatch(normal(file_name))
    if not found:
        return None
    return {"name": found["name"] or "", "late": bool(found["late"]), "id": found["id"], "file": found["file"]}


def is_gradebook(header):
    """Whether a CSV header (lower case) is Canvas's gradebook export."""
    return {"student", "id"} <= set(header) and "name" not in header


def learner(row):
    """(roster id, {name, email, section, login, lms_id, sortable}) of a gradebook export's row, or None for a
    row that is no learner. The roster id is the SIS User ID when there is one, else the Canvas user id."""
    student = normal(row.get("student", ""))
    if student.lower() in NOT_LEARNERS or not row.get("id", "").strip():
        return None
    canvas_id = row["id"].strip()
    return (row.get("sis user id", "").strip() or canvas_id,
            {"name": display(student), "email": "", "section": row.get("section", "").strip(),
             "login": row.get("sis login id", "").strip(), "lms_id": canvas_id, "sortable": student})
