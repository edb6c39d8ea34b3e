"""Blackboard: the files of its "Download assignment" zip and their receipts.

Blackboard names each file `<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>_<file name>` and writes beside
them one receipt per attempt, `<assignment>_<username>_attempt_<time>.txt`, whose first lines say who (`Name:
Anna Smith (asmith)`) and when. The receipt is Blackboard's own: a file that starts with a receipt's name and
`_` is that attempt's, whatever the learner's own file name holds after it. A learner's own `.txt` upload is
named after its attempt too (`<assignment>_<username>_attempt_<time>_<their name>.txt`), so a receipt is only
a name with one attempt in it. Without a receipt only the leftmost `_<username>_attempt_<time>_` counts, the
part Blackboard wrote before the learner's file name.
"""
import datetime
import re

STAMP = r"\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d"
ASSIGNMENT = rf"(?:(?!_attempt_{STAMP}).)+?"  # an assignment's title never holds an attempt of its own
FILE = re.compile(rf"(?P<assignment>{ASSIGNMENT})_(?P<login>[^_\s]+)_attempt_(?P<stamp>{STAMP})_(?P<file>.+\.ipynb)")
RECEIPT = re.compile(rf"(?P<assignment>{ASSIGNMENT})_(?P<login>[^_\s]+)_attempt_(?P<stamp>{STAMP})\.txt")


def receipts(names):
    """{receipt's stem: (username, stamp)} of the receipts among the file names `names`."""
    found = {}
    for name in names:
        receipt = RECEIPT.fullmatch(name)
        if receipt:
            found[name[:-len(".txt")]] = (receipt["login"], receipt["stamp"])
    return found


def parse(file_name, known):
    """{login, stamp, receipt} of a file of Blackboard's download (`known`: receipts()), or None."""
    for stem in sorted(known, key=len, reverse=True):
        if file_name.startswith(f"{stem}_") and file_name.endswith(".ipynb"):
            login, stamp = known[stem]
            return {"login": login, "stamp": stamp, "receipt": f"{stem}.txt"}
    found = FILE.fullmatch(file_name)
    return {"login": found["login"], "stamp": found["stamp"], "receipt": ""} if found else None


def when(stamp, zone=None):
    """The epoch seconds of an attempt's time (Blackboard writes the server's local time: `zone`, else this
    machine's)."""
    naive = datetime.datetime.strptime(stamp, "%Y-%m-%d-%H-%M-%S")
    return (naive.replace(tzinfo=zone) if zone else naive.astimezone()).timestamp()
