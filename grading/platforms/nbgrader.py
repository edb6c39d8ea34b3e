"""nbgrader's exchange: `submitted/<student>/<assignment>/` holds a learner's files of one assignment and the
`timestamp.txt` nbgrader wrote when it collected them (`2024-10-14 23:12:05.123456 UTC`). Only that exact place
is nbgrader's: a timestamp.txt anywhere else (beside a notebook in a plain or Moodle folder, deeper inside an
assignment) is a learner's file and dates nothing."""
from pathlib import Path


def stamp_of(root, path):
    """The path of nbgrader's timestamp.txt for the notebook at `path` in the learner's folder `root`, or None
    when the notebook is not directly inside `root/<assignment>/`."""
    relative = Path(path).relative_to(root)
    return Path(root, relative.parts[0], "timestamp.txt") if len(relative.parts) == 2 else None


def parse(text):
    """The epoch seconds of a timestamp.txt's text, or None. A time without a zone is UTC, as nbgrader writes."""
    import datetime
    from dateutil import parser
    try:
        found = parser.parse(text.strip())
    except (ValueError, OverflowError):
        return None
    return (found if found.tzinfo else found.replace(tzinfo=datetime.timezone.utc)).timestamp()
