"""What a learning platform gives: the hand-ins of its download, mapped to learner ids, with an optional roster.

DIR can hold, side by side:
- one folder per learner, named by the learner's id (nbgrader's `submitted/` is such a DIR: a hand-in in
  `<student>/<assignment>/` is dated by nbgrader's `timestamp.txt` there, platforms/nbgrader.py);
- Canvas's "Download Submissions", flat: `smithanna_LATE_1001_48212_02_forward_propagation.ipynb`
  (platforms/canvas.py);
- Moodle's "Download all submissions", one folder per learner and assignment:
  `Anna Smith_2001_assignsubmission_file_/` (full name, participant id, the submission plugin); the participant
  id differs from one assignment to the next, so a learner is their name;
- Blackboard's "Download assignment", flat: `Lab 2_asmith_attempt_2024-10-14-23-12-05_lab2.ipynb` beside its
  receipt `Lab 2_asmith_attempt_2024-10-14-23-12-05.txt` (platforms/blackboard.py).

The roster (CSV, `id,name,email,section`, optionally `login` and `lms_id`, or Canvas's gradebook export) gives
each learner the id the gradebook uses: a hand-in is a row's when the platform's user id, then the username or
email, then the name (platforms/names.py) matches that row and no other. Without a roster the id is the
download's name. Only what the platform wrote decides a hand-in's owner and time, never the learner's own file
name, a file beside it or a file's modification time: a hand-in nobody dates has no time (None).
"""
import csv
import dataclasses
import io
import re
from pathlib import Path

from . import classbook
from .classbook import ClassError, HandIn
from .platforms import blackboard, canvas, nbgrader
from .platforms.names import altered, keys, normal

MOODLE = re.compile(r"(?P<name>.+)_(?P<id>\d+)_assign(?:submission|feedback)_\w*")
ROSTER_COLUMNS = ("id", "name", "email", "section")


@dataclasses.dataclass(frozen=True)
class Learner:
    """A learner: the id the gradebook uses, and what the roster or the LMS says of them."""
    id: str
    name: str = ""
    email: str = ""
    section: str = ""
    login: str = ""
    lms_id: str = ""        # Canvas's user id, from the roster or the download
    sortable: str = ""      # Canvas's "Last, First" (its gradebook export's Student), when known


@dataclasses.dataclass(frozen=True)
class Seen:
    """Who a download says handed a file in: the layout, a name, the platform's user id, a username."""
    layout: str
    name: str = ""
    lms_id: str = ""
    login: str = ""

    def fallback(self):
        return self.login or normal(self.name)

    def identity(self):
        """What tells two people apart in this layout: Canvas's user id; Moodle's name as written (its ids
        change with each assignment); else the username."""
        return {"canvas": self.lms_id, "moodle": self.name}.get(self.layout, self.login)


# ----------------------------------------------------------------------------------------------------------
# The roster

def read_roster(path):
    """{id: Learner} of the roster CSV at `path` (ours or Canvas's gradebook export), or ClassError."""
    where = f"--roster {path}"
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ClassError(f"{where}: no such file; expected a CSV file with the columns "
                         f"{','.join(ROSTER_COLUMNS)}, or Canvas's gradebook export") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ClassError(f"{where}: cannot be read ({error}); expected a UTF-8 CSV file") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    exported = canvas.is_gradebook(header)
    if "id" not in header:
        raise ClassError(f"{where}: columns {header}; expected a header with id (and name, email, section), or "
                         f"Canvas's gradebook export (Student, ID, SIS User ID, SIS Login ID, Section)")
    roster = {}
    for number, row in enumerate(reader, start=2):
        row = {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
        if exported:
            found = canvas.learner(row)
            if found is None:
                continue
            key, fields = found
        else:
            key = row.get("id", "")
            fields = {name: row.get(name, "") for name in ("name", "email", "section", "login", "lms_id")}
            fields["sortable"] = ""
        if not key:
            raise ClassError(f"{where}, line {number}: no id; expected each learner's id in the column id")
        if key in roster:
            raise ClassError(f"{where}, line {number}: id {key!r} is there twice; expected one line per learner")
        roster[key] = Learner(key, **{name: normal(value) for name, value in fields.items()})
    if not roster:
        raise ClassError(f"{where}: no learner; expected one line per learner under the header")
    return roster


def match(seen, roster):
    """The roster's id for what a download says, or None when no row (or more than one) fits: the platform's
    user id first, then the username or email, then the name."""
    def only(hits):
        return hits[0] if len(set(hits)) == 1 else None

    if seen.lms_id and seen.layout == "canvas":
        hit = only([learner.id for learner in roster.values() if learner.lms_id == seen.lms_id])
        if hit or seen.lms_id in roster:
            return hit or seen.lms_id
    login = normal(seen.login).lower()
    if login:
        if seen.login in roster:
            return seen.login
        hit = only([learner.id for learner in roster.values() if login in
                    (learner.login.lower(), learner.email.lower(), learner.email.lower().split("@")[0])])
        if hit:
            return hit
    names = keys(seen.name)
    return only([learner.id for learner in roster.values() if names & keys(learner.name)]) if names else None


# ----------------------------------------------------------------------------------------------------------
# Finding the hand-ins of every layout

@dataclasses.dataclass
class Found:
    """What find() saw: the hand-ins (learner ids and times set), the notebooks left aside as "name (why)",
    {id: Learner} of the class, the downloads matched to no roster row as "name (layout)", the roster rows two
    people's downloads landed on (in words), and how many hand-ins matched the roster."""
    handins: list
    aside: list
    learners: dict
    strangers: list
    conflicts: list
    matched: int


def find(folder, roster=None):
    """Found of DIR (see Found); ClassError when one "learner" holds many people's hand-ins."""
    folder = Path(folder)
    found, aside = classbook.find_handins(folder)
    many_people(folder, found)
    seen_by, times = {}, {}
    for handin in found:
        moodle = MOODLE.fullmatch(handin.student)
        seen_by[handin] = Seen("moodle", moodle["name"], moodle["id"]) if moodle else \
            Seen("folder", login=handin.student)
        times[handin] = None if moodle else _nbgrader_time(folder / handin.path.relative_to(folder).parts[0],
                                                           handin.path)
    kept_aside = [text for text in aside if not text.endswith(f"({classbook.NOT_IN_A_FOLDER})")]
    flat = sorted(folder.glob("*.ipynb"))
    receipts = blackboard.receipts(classbook.readable(path.name) for path in folder.glob("*.txt"))
    for path in flat:  # the flat downloads: Canvas's, Blackboard's
        name = classbook.readable(path.name)
        on_canvas, on_blackboard = canvas.parse(name), blackboard.parse(name, receipts)
        why = classbook.not_plain(path) if on_canvas or on_blackboard else classbook.NOT_IN_A_FOLDER
        try:
            digest = None if why else classbook._digest(path)
        except OSError as error:
            why = f"not read: {error.strerror or error}"
        if why:
            kept_aside.append(f"{name} ({why})")
            continue
        if on_canvas:
            seen, late, when = Seen("canvas", on_canvas["name"], on_canvas["id"]), on_canvas["late"], None
        else:
            seen = Seen("blackboard", _blackboard_name(folder / on_blackboard["receipt"]) if
                        on_blackboard["receipt"] else "", login=on_blackboard["login"])
            late, when = None, blackboard.when(on_blackboard["stamp"])
        handin = HandIn(name, name, path, *digest, late=late)
        seen_by[handin], times[handin] = seen, when
    ids, conflicts = _ids(seen_by, roster)
    learners = dict(roster or {})
    for student in classbook.learners(folder):
        if not MOODLE.fullmatch(student) and not any(h.student == student for h in found):
            seen = Seen("folder", login=student)
            ids.setdefault(seen, (roster and match(seen, roster)) or student)
    strangers, result, matched = set(), [], 0
    for handin, seen in seen_by.items():
        student = ids[seen]
        if roster is not None and student not in roster:
            strangers.add(f"{seen.fallback()} ({seen.layout})")
        else:
            matched += 1
        learners.setdefault(student, Learner(student, normal(seen.name) or student, login=seen.login,
                                             lms_id=seen.lms_id if seen.layout == "canvas" else ""))
        if seen.layout == "canvas" and not learners[student].lms_id:
            learners[student] = dataclasses.replace(learners[student], lms_id=seen.lms_id)
        result.append(dataclasses.replace(handin, student=student, submitted=times[handin]))
    for seen, student in ids.items():
        learners.setdefault(student, Learner(student, normal(seen.name) or student))
    return Found(result, kept_aside, dict(sorted(learners.items())), sorted(strangers), conflicts, matched)


def _ids(seen_by, roster):
    """({Seen: learner id}, conflicts in words): the roster's id where one row fits and no one else's download
    lands on it; else the download's name (with the platform's user id when two people share a name)."""
    ids, on_row = {}, {}
    for seen in set(seen_by.values()):
        ids[seen] = match(seen, roster) if roster else None
        if ids[seen] is not None:
            on_row.setdefault(ids[seen], {}).setdefault(seen.identity(), []).append(seen)
    conflicts = []
    for student, people in sorted(on_row.items()):
        if len(people) > 1:  # two people's downloads on one row: reported, never merged
            names = sorted(f"{_shown(group[0])} ({group[0].layout})" for group in people.values())
            conflicts.append(f"{roster[student].name or student} ({student}): the downloads of {' and '.join(names)} "
                             f"all match this row")
            for group in people.values():
                for seen in group:
                    ids[seen] = None
    by_name = {}
    for seen in ids:
        if ids[seen] is None:
            by_name.setdefault(seen.fallback(), set()).add(seen.identity())
    for seen in ids:
        if ids[seen] is None:
            shared = len(by_name[seen.fallback()]) > 1 and (seen.layout != "moodle" or altered(seen.name))
            ids[seen] = f"{seen.fallback()}_{seen.lms_id or seen.login}" if shared else seen.fallback()
    return ids, conflicts


def _shown(seen):
    """A download's name as it was written, its invisible characters made visible."""
    name = seen.name or seen.login
    return ascii(name)[1:-1] if altered(name) else name


def many_people(folder, handins):
    """ClassError when one learner's folder holds what a platform writes for many learners (DIR one folder too
    high: Moodle's folders, Canvas's files or nbgrader's `<student>/<assignment>/timestamp.txt` inside it)."""
    for student, root in classbook.learner_folders(folder):
        mine = [handin for handin in handins if handin.student == student]
        if MOODLE.fullmatch(student) or not mine:
            continue
        parts = [Path(handin.relative).parts for handin in mine]
        signs = sorted({part[0] for part in parts if len(part) > 1 and MOODLE.fullmatch(part[0])} |
                       {"_".join(canvas.parse(part[-1])[key] for key in ("name", "id")) for part in parts
                        if canvas.parse(part[-1])} |
                       {part[0] for part in parts if len(part) > 2 and (root / part[0] / part[1] /
                                                                       "timestamp.txt").is_file()})
        if len(signs) > 1:
            listed = ", ".join(signs[:3]) + (f" and {len(signs) - 3} more" if len(signs) > 3 else "")
            raise ClassError(f"DIR: the folder {student!r} holds the hand-ins of many learners ({listed}), so it "
                             f"would be graded as one learner; expected DIR to be the folder that holds one folder "
                             f"(or file) per learner: {root}")


def _nbgrader_time(root, path):
    """nbgrader's time of the hand-in at `path` in the learner's folder `root`, or None (platforms/nbgrader.py)."""
    stamp = nbgrader.stamp_of(root, path)
    if stamp is None or classbook.not_plain(stamp):
        return None
    try:
        with classbook.open_plain(stamp) as file:
            return nbgrader.parse(file.read(100).decode("utf-8", errors="replace"))
    except OSError:
        return None


def _blackboard_name(receipt):
    """The learner's name from Blackboard's receipt (`Name: Anna Smith (asmith)`), or ""."""
    try:
        with classbook.open_plain(receipt) as file:
            text = file.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return ""
    for line in text.splitlines()[:5]:
        if line.startswith("Name:"):
            return re.sub(r"\s*\([^)]*\)\s*$", "", line.removeprefix("Name:")).strip()
    return ""
