"""What a learning platform gives: the hand-ins of its download, mapped to learner ids, with an optional roster.

DIR can hold, side by side:
- one folder per learner, named by the learner's id (nbgrader's `submitted/` is such a DIR: each hand-in's
  time is then nbgrader's `timestamp.txt`);
- Canvas's "Download submissions", flat: `annasmith_1001_123456_01_initialization.ipynb` (the learner's name
  in lower case, `_late` when Canvas marked it late, the Canvas user id, the submission id, the file's name);
- Moodle's "Download all submissions", one folder per learner: `Anna Smith_1001_assignsubmission_file_/`
  (full name, participant id, the submission plugin);
- Blackboard's "Download assignment", flat: `Lab 2_asmith_attempt_2024-10-14-23-12-05_lab2.ipynb` (the
  assignment, the username, the attempt's time, the file's name) beside its `.txt` receipt.

The roster (CSV, `id,name,email,section`, optionally `login`) gives each learner the id the gradebook uses: a
hand-in is that learner's when the LMS id, the username, the email or the name (in either order, case and
spaces aside) of the download matches the roster's row. Without a roster the id is the download's name.
"""
import csv
import dataclasses
import datetime
import io
import re
from pathlib import Path

from . import classbook
from .classbook import ClassError, HandIn

CANVAS = re.compile(r"(?P<name>[a-z0-9-]+?)(?P<late>_late)?_(?P<id>\d+)_(?P<submission>\d+)_(?P<file>.+\.ipynb)")
MOODLE = re.compile(r"(?P<name>.+)_(?P<id>\d+)_assign(?:submission|feedback)_\w*")
BLACKBOARD = re.compile(r"(?P<assignment>.+)_(?P<login>[^_\s]+)_attempt_"
                        r"(?P<stamp>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)(?:_(?P<file>.+))?\.(?:ipynb|txt)")
ROSTER_COLUMNS = ("id", "name", "email", "section")


@dataclasses.dataclass(frozen=True)
class Learner:
    """A learner: the id the gradebook uses, and what the roster or the LMS says of them."""
    id: str
    name: str = ""
    email: str = ""
    section: str = ""
    login: str = ""
    lms_id: str = ""        # Canvas's user id or Moodle's participant id, from the download


@dataclasses.dataclass(frozen=True)
class Seen:
    """Who a download says handed a file in: the layout, a name, an LMS id, a username."""
    layout: str
    name: str = ""
    lms_id: str = ""
    login: str = ""
    late: bool = False

    def fallback(self):
        return self.login or self.name


# ----------------------------------------------------------------------------------------------------------
# The roster

def read_roster(path):
    """{id: Learner} of the roster CSV at `path`, or ClassError naming what is wrong."""
    where = f"--roster {path}"
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ClassError(f"{where}: no such file; expected a CSV file with the columns "
                         f"{','.join(ROSTER_COLUMNS)}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ClassError(f"{where}: cannot be read ({error}); expected a UTF-8 CSV file") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if "id" not in header:
        raise ClassError(f"{where}: columns {header}; expected a header with id (and name, email, section)")
    roster = {}
    for number, row in enumerate(reader, start=2):
        row = {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
        if not row.get("id"):
            raise ClassError(f"{where}, line {number}: no id; expected each learner's id in the column id")
        if row["id"] in roster:
            raise ClassError(f"{where}, line {number}: id {row['id']!r} is there twice; expected one line per "
                             f"learner")
        roster[row["id"]] = Learner(row["id"], row.get("name", ""), row.get("email", ""), row.get("section", ""),
                                    row.get("login", ""))
    if not roster:
        raise ClassError(f"{where}: no learner; expected one line per learner under the header")
    return roster


def _name_keys(name):
    """The ways a download may write a name: its letters in lower case, the words in either order."""
    words = [re.sub(r"[^\w]", "", word.lower()) for word in re.split(r"[\s,]+", name) if word]
    words = [word for word in words if word]
    return {"".join(words), "".join(reversed(words))} if words else set()


def match(seen, roster):
    """The roster's id for what a download says, or None when no row (or more than one) fits."""
    for key in (seen.lms_id, seen.login):
        if key and key in roster:
            return key
    for key in (seen.lms_id, seen.login):
        if key:
            hits = [learner.id for learner in roster.values() if key.lower() in
                    (learner.login.lower(), learner.email.lower(), learner.email.lower().split("@")[0])]
            if len(hits) == 1:
                return hits[0]
    keys = _name_keys(seen.name)
    hits = [learner.id for learner in roster.values() if keys & _name_keys(learner.name)]
    return hits[0] if len(hits) == 1 else None


# ----------------------------------------------------------------------------------------------------------
# Finding the hand-ins of every layout

def find(folder, roster=None):
    """(HandIns with learner ids and times, the notebooks left aside, {id: Learner} of the class, the
    downloads' names matched to no roster row as "name (layout)")."""
    folder = Path(folder)
    found, aside = classbook.find_handins(folder)
    handins, seen_by = [], {}
    for handin in found:
        moodle = MOODLE.fullmatch(handin.student)
        seen = Seen("moodle", moodle["name"], moodle["id"]) if moodle else Seen("folder", login=handin.student)
        handins.append(handin)
        seen_by[handin] = seen
    kept_aside = [text for text in aside if not text.endswith(f"({classbook.NOT_IN_A_FOLDER})")]
    for path in sorted(folder.glob("*.ipynb")):  # the flat downloads: Canvas's, Blackboard's
        name = classbook.readable(path.name)
        canvas, blackboard = CANVAS.fullmatch(name), BLACKBOARD.fullmatch(name)
        why = classbook.not_plain(path) if canvas or blackboard else classbook.NOT_IN_A_FOLDER
        try:
            found_here = None if why else classbook._digest(path)
        except OSError as error:
            why = f"not read: {error.strerror or error}"
        if why:
            kept_aside.append(f"{name} ({why})")
            continue
        seen = Seen("canvas", canvas["name"], canvas["id"], late=bool(canvas["late"])) if canvas else \
            Seen("blackboard", _blackboard_name(folder, name), login=blackboard["login"])
        handin = HandIn(name, name, path, *found_here)
        handins.append(handin)
        seen_by[handin] = seen
    ids = _ids(seen_by, roster)
    learners = dict(roster or {})
    for student in classbook.learners(folder):
        if not MOODLE.fullmatch(student) and not any(h.student == student for h in found):
            ids.setdefault(Seen("folder", login=student), (roster and match(Seen("folder", login=student), roster))
                           or student)
    unmatched = []
    result = []
    for handin in handins:
        seen = seen_by[handin]
        student = ids[seen]
        if roster is not None and student not in roster:
            unmatched.append(f"{seen.fallback()} ({seen.layout})")
        learners.setdefault(student, Learner(student, seen.name or student, lms_id=seen.lms_id, login=seen.login))
        if seen.lms_id and not learners[student].lms_id:
            learners[student] = dataclasses.replace(learners[student], lms_id=seen.lms_id)
        result.append(dataclasses.replace(handin, student=student, submitted=handed_in_at(folder, handin)))
    for seen, student in ids.items():
        learners.setdefault(student, Learner(student, seen.name or student))
    return result, kept_aside, dict(sorted(learners.items())), sorted(set(unmatched))


def _ids(seen_by, roster):
    """{Seen: learner id}: the roster's id where one row fits; else the download's name, with its LMS id when
    two learners share a name."""
    ids, names = {}, {}
    for seen in set(seen_by.values()):
        matched = match(seen, roster) if roster else None
        ids[seen] = matched
        if matched is None:
            names.setdefault(seen.fallback(), set()).add(seen.lms_id)
    for seen in ids:
        if ids[seen] is None:
            shared = len(names[seen.fallback()]) > 1
            ids[seen] = f"{seen.fallback()}_{seen.lms_id}" if shared else seen.fallback()
    return ids


def _blackboard_name(folder, name):
    """The learner's name from Blackboard's receipt beside the file (`Name: Anna Smith (asmith)`), or ""."""
    stamp = BLACKBOARD.fullmatch(name)
    receipt = folder / f"{stamp['assignment']}_{stamp['login']}_attempt_{stamp['stamp']}.txt"
    try:
        with classbook.open_plain(receipt) as file:
            text = file.read(4096).decode("utf-8", errors="replace")
        for line in text.splitlines()[:5]:
            if line.startswith("Name:"):
                return re.sub(r"\s*\([^)]*\)\s*$", "", line.removeprefix("Name:")).strip()
    except OSError:
        pass
    return ""


def handed_in_at(folder, handin):
    """When a hand-in was handed in (epoch seconds): Blackboard's attempt time in its name, nbgrader's
    timestamp.txt beside it (or in a folder above it, inside the learner's), else the file's modification time."""
    blackboard = BLACKBOARD.fullmatch(handin.path.name)
    if blackboard:
        return datetime.datetime.strptime(blackboard["stamp"], "%Y-%m-%d-%H-%M-%S").astimezone().timestamp()
    parent, root = handin.path.parent, Path(folder)
    while parent != root and root in parent.parents:
        stamp = parent / "timestamp.txt"
        if not classbook.not_plain(stamp):
            when = _timestamp(stamp)
            if when is not None:
                return when
        parent = parent.parent
    return handin.path.stat().st_mtime


def _timestamp(path):
    """The time in nbgrader's timestamp.txt (`2024-10-14 23:12:05.123456 UTC`), or None."""
    try:
        from dateutil import parser
        with classbook.open_plain(path) as file:
            when = parser.parse(file.read(100).decode("utf-8", errors="replace").strip())
    except (OSError, ValueError, OverflowError):
        return None
    return (when if when.tzinfo else when.astimezone()).timestamp()
