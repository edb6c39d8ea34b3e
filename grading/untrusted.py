"""Text that comes from a hand-in is data, never instructions to a terminal, a spreadsheet or a page.

Names, messages, tracebacks, file names, learner ids and printed output all come from learners. Before any of
it reaches a scorecard, the terminal, a CSV file or a feedback file it goes through `clean`: capped to a
length (the work is bounded before anything else is done), escape sequences removed whole (ANSI CSI and OSC,
which could move the cursor and print "1/1 ok" over a real line), every other control or format character
dropped (carriage returns, backspaces, bidirectional overrides), lone surrogates (a file name that is not
UTF-8) shown as U+FFFD. `cell` makes a CSV cell of a value: clean, and never read as a formula by a
spreadsheet (a text starting with = + - @ gets a leading apostrophe, as OWASP advises). The feedback's own
escaping (Markdown, HTML) is in feedback.py.
"""
import re
import unicodedata

NAME = 120    # an identifier: an exception's class, a function, a learner's id
PATH = 240    # a file name, with its folders
LINE = 600    # a message, a comment on a scorecard
TEXT = 4000   # printed output, a traceback (kept on several lines)
ELLIPSIS = "…"

_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?"
                     r"|[ -/]*[0-~]?)|\x9b[0-?]*[ -/]*[@-~]?|\x9d[^\x07\x9c]*[\x07\x9c]?")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
FORMULA = tuple("=+-@")


def clean(value, limit=LINE, lines=False):
    """`value` as text a person can be shown: at most `limit` characters (the last one "…" when cut), no
    escape sequence, no control or format character; `lines`: keep its line breaks and its spacing (else each
    run of spacing, line breaks included, is one space)."""
    if not isinstance(limit, int) or limit < 1:
        raise ValueError(f"clean: limit={limit!r}; expected a whole number of characters, at least 1")
    text = value if isinstance(value, str) else str(value)
    text = text[:4 * limit + 64]  # a 40 MB name costs no more than a short one
    text = _ESCAPE.sub("", text)
    kept = []
    for character in text:
        if character == "\n" and lines:
            kept.append(character)
        elif character in "\t\n\r\x0b\x0c" or unicodedata.category(character) in ("Zl", "Zp"):
            kept.append(" ")
        elif "\ud800" <= character <= "\udfff":
            kept.append("\ufffd")
        elif unicodedata.category(character) not in ("Cc", "Cf", "Co", "Cn"):
            kept.append(character)
    text = "".join(kept)
    text = "\n".join(line.rstrip() for line in text.split("\n")) if lines else " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + ELLIPSIS


def cell(value, limit=LINE):
    """A CSV cell: numbers as they are; text cleaned and, when a spreadsheet would take it for a formula
    (= + - @ first, and not a plain number), behind an apostrophe."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = clean(value, limit)
    if text.startswith(FORMULA) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text

