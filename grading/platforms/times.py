"""When each hand-in was submitted, as the platform recorded it in an export the course file names
(`submission_times`): a download's files carry the time of the download, these exports the submission's.

- Canvas: the Submissions API's JSON (`GET /api/v1/courses/<course>/students/submissions?student_ids[]=all`, or
  `.../assignments/<assignment>/submissions`), saved as it comes: a list of submissions, each with `user_id`,
  `assignment_id` and `submitted_at` (ISO 8601 in UTC, `2024-10-14T21:12:05Z`; null when nothing was
  submitted). A hand-in is dated by its Canvas user id (in its file name) and its lesson's Canvas assignment id
  (the course file's `canvas_assignments`).
- Moodle: the assignment's grading worksheet (Grading action > Download grading worksheet, with "Offline grading
  worksheet" on), in English: its `Identifier` is `Participant <id>`, the id in the download's folder names
  (`Anna Smith_2001_assignsubmission_file_`), and `Last modified (submission)` Moodle's date
  (`Monday, 14 October 2024, 11:12 PM`, or `-` when nothing was submitted), written in the timezone of the account
  that downloaded it without an offset: the course file's `timezone` says which.
Anything else is an error naming the file, the column and the value.
"""
import csv
import datetime
import io
import json
import re

MOODLE_COLUMNS = ("Identifier", "Last modified (submission)")
MOODLE_DATE = re.compile(r"(?P<weekday>[A-Z][a-z]+), (?P<day>\d{1,2}) (?P<month>[A-Z][a-z]+) (?P<year>\d{4}), "
                         r"(?P<hour>\d{1,2}):(?P<minute>\d{2}) (?P<half>AM|PM)")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ExportError(ValueError):
    """An export that is not what the platform writes: says what was seen and what was expected."""


def read(path, zone):
    """{("canvas", user id, assignment id) or ("moodle", participant id): epoch seconds} of the export at `path`;
    `zone`: the course's timezone (a ZoneInfo) or None. ExportError when the file is neither platform's."""
    try:
        text = open(path, encoding="utf-8-sig").read()
    except (OSError, UnicodeDecodeError) as error:
        raise ExportError(f"{path}: cannot be read ({error}); expected Canvas's submissions (JSON) or Moodle's "
                          f"grading worksheet (CSV)") from None
    if text.lstrip().startswith("["):
        return canvas(path, text)
    return moodle(path, text, zone)


def canvas(path, text):
    try:
        items = json.loads(text)
    except ValueError as error:
        raise ExportError(f"{path}: not JSON ({error}); expected the list Canvas's Submissions API returns") from None
    times = {}
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict) or not {"user_id", "assignment_id", "submitted_at"} <= set(item):
            raise ExportError(f"{path}: submission {number} is {str(item)[:80]!r}; expected an object with user_id, "
                              f"assignment_id and submitted_at, as Canvas's Submissions API returns")
        when = item["submitted_at"]
        if when is None:
            continue
        found = None
        if isinstance(when, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", when):
            found = datetime.datetime.fromisoformat(when.replace("Z", "+00:00"))
        if found is None:
            raise ExportError(f"{path}: submission {number}, submitted_at is {when!r}; expected Canvas's ISO 8601 "
                              f"time such as \"2024-10-14T21:12:05Z\", or null")
        times["canvas", str(item["user_id"]), str(item["assignment_id"])] = found.timestamp()
    return times


def moodle(path, text, zone):
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0] if rows else []
    missing = [column for column in MOODLE_COLUMNS if column not in header]
    if missing:
        raise ExportError(f"{path}: no column {missing[0]!r} (its columns: {', '.join(header[:8]) or 'none'}); "
                          f"expected Moodle's grading worksheet in English, or Canvas's submissions (JSON)")
    if zone is None:
        raise ExportError(f"{path}: Moodle's worksheet gives times without an offset, in the timezone of the "
                          f"account that downloaded it, and the course file names no timezone; expected "
                          f"timezone = \"Europe/Paris\" (that account's) in the course file")
    who, when = header.index("Identifier"), header.index("Last modified (submission)")
    times = {}
    for line, row in enumerate(rows[1:], 2):
        if not any(row):
            continue
        identifier = row[who] if who < len(row) else ""
        participant = re.fullmatch(r"Participant (\d+)", identifier)
        if not participant:
            raise ExportError(f"{path}: line {line}, column 'Identifier' is {identifier!r}; expected Moodle's "
                              f"\"Participant 2001\"")
        value = row[when] if when < len(row) else ""
        if value.strip() == "-":
            continue
        times["moodle", participant[1]] = _moodle_time(path, line, value, zone)
    return times


def _moodle_time(path, line, value, zone):
    found = MOODLE_DATE.fullmatch(value.strip())
    moment = None
    if found and found["month"] in MONTHS and found["weekday"] in WEEKDAYS and 1 <= int(found["hour"]) <= 12:
        hour = int(found["hour"]) % 12 + (12 if found["half"] == "PM" else 0)
        try:
            moment = datetime.datetime(int(found["year"]), MONTHS.index(found["month"]) + 1, int(found["day"]), hour,
                                       int(found["minute"]), tzinfo=zone)
        except ValueError:
            moment = None
        if moment and WEEKDAYS[moment.weekday()] != found["weekday"]:
            moment = None
    if moment is None:
        raise ExportError(f"{path}: line {line}, column 'Last modified (submission)' is {value!r}; expected "
                          f"Moodle's date such as \"Monday, 14 October 2024, 11:12 PM\", or \"-\"")
    return moment.timestamp()
