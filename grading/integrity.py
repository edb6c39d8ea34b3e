"""The integrity report: evidence for a person to read, never a penalty (nothing here changes a score).

    OUT/integrity.csv   kind,lesson,student,other,similarity,functions,detail
    OUT/integrity.txt   the same in words

- `identical file`: two learners handed in the same bytes for a lesson;
- `same code` / `similar code`: the graded functions of two learners' hand-ins, compared after normalising
  names (every variable and argument renamed by its order of appearance), comments, strings and spacing, are
  identical (similarity 1.00) or nearly so (at least SIMILAR). Code that many would write alike is left out of
  the comparison: the lesson's own solution, the student edition's stub, and any code that more than
  COMMON_AT_LEAST learners (or COMMON_SHARE of the class, if more) handed in, such as a frequent mistake:
  learners who made the same common slip did not copy one another. Short code is no evidence either: a pair
  is reported when the code compared holds at least SAME_TOKENS tokens (SIMILAR_TOKENS for similar code) on
  each side. `functions` names the functions compared, `similarity` is their mean, weighted by length;
- `attempt`: a graded function tried to use the library's solutions or to leave the jail (the jail stopped it);
- `missing` / `unreadable`: whose hand-in of a lesson was not found, or could not be read.
"""
import builtins
import collections
import difflib
import io
import itertools
import keyword
import math
import tokenize
from pathlib import Path

from .classbook import GRADED, MISSING, UNREADABLE, csv_text, lessons, write_atomic
from .notebooks import (NOTEBOOKS, UnreadableCell, exercise_name, python_source, read_notebook, reading_limit,
                        strip_solutions)
from .reading import read_handin
from .untrusted import clean

SIMILAR = 0.9
COMMON_AT_LEAST, COMMON_SHARE = 3, 0.05  # code handed in by more learners than this is common, not copied
SAME_TOKENS, SIMILAR_TOKENS = 30, 60     # the least code, in tokens on each side, that is evidence of a copy
COMPARED_TOKENS = 1500  # the most of a function compared (a lesson's is 30 to 300 tokens): difflib's time grows
#                         with the square of the length, a second a pair at 10 000 tokens
HEADER = ["kind", "lesson", "student", "other", "similarity", "functions", "detail"]
KEPT = set(keyword.kwlist) | set(dir(builtins)) | {"np", "numpy", "self"}


def normalised(source):
    """The code's tokens with comments, strings and spacing dropped and every name that is not a keyword, a
    builtin, numpy or an attribute renamed by its order of first appearance (v0, v1, ...); the first
    COMPARED_TOKENS of them."""
    names, tokens, after_dot = {}, [], False
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER):
                continue
            if token.type == tokenize.STRING:
                text = "STR"
            elif token.type == tokenize.NAME and token.string not in KEPT and not after_dot:
                text = names.setdefault(token.string, f"v{len(names)}")
            elif token.type in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
                text = tokenize.tok_name[token.type]
            else:
                text = token.string
            after_dot = token.string == "."
            tokens.append(text)
            if len(tokens) == COMPARED_TOKENS:
                break
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return tuple(source.split()[:COMPARED_TOKENS])
    return tuple(tokens)


def _function_code(nb):
    """{function: its normalised code}, from the last exercise cell defining each, if the grader read it as
    code (within the hand-in's limits: a cell it did not read is not compared either)."""
    code = {}
    for cell in nb.cells:
        name = exercise_name(cell)
        if name:
            try:
                python_source(cell.source)
                code[name] = normalised(cell.source)
            except UnreadableCell:
                code.pop(name, None)
    return code


def _common(lesson):
    """{function: the normalised codes everyone shares: the lesson's solution and the student edition's stub}."""
    common = {}
    for cell in read_notebook(NOTEBOOKS / f"{lesson}.ipynb").cells:
        name = exercise_name(cell)
        if name:
            common[name] = {normalised(cell.source), normalised(strip_solutions(cell.source))}
    return common


def similarity(mine, theirs, common, at_least=0.0):
    """(mean similarity weighted by length, the functions compared) of two hand-ins' {function: code}.

    A pair that cannot reach `at_least` is given 0.0 without its exact ratios: bounds are tried first (from the
    lengths, then from the tokens in common, as difflib offers them), so a class of hundreds stays quick."""
    pairs = [(name, mine[name], theirs[name]) for name in sorted(set(mine) & set(theirs))
             if mine[name] and theirs[name] and not {mine[name], theirs[name]} & common.get(name, set())]
    names = [name for name, _, _ in pairs]
    length = sum(len(a) + len(b) for _, a, b in pairs)
    if not pairs or 2 * sum(min(len(a), len(b)) for _, a, b in pairs) < at_least * length:
        return 0.0, names
    matchers = [(a == b, difflib.SequenceMatcher(None, a, b, autojunk=False), len(a) + len(b))
                for _, a, b in pairs]
    for bound in ("quick_ratio", "ratio"):
        score = sum((1.0 if same else getattr(matcher, bound)()) * size for same, matcher, size in matchers) / length
        if score < at_least:
            return 0.0, names
    return score, names


def report(rows, learners=None):
    """The integrity report's lines, each a list of HEADER's fields, in a stable order."""
    names = {key: learner.name for key, learner in (learners or {}).items() if learner.name != key}
    found = []
    for lesson in lessons():
        counted = [entry for entry in rows if entry.lesson == lesson and entry.handin_object is not None
                   and entry.status == GRADED]
        code = {}
        for entry in counted:
            try:
                with reading_limit():  # read as grading read it: within the same limits
                    code[entry.student] = _function_code(read_handin(entry.handin_object.path))
            except Exception:  # a notebook that cannot be read was not graded either
                continue
        common = _common(lesson) if code else {}
        shared = collections.Counter(item for functions in code.values() for item in functions.items())
        limit = max(COMMON_AT_LEAST, math.ceil(COMMON_SHARE * len(code)))
        for (name, source), count in shared.items():
            if count > limit:
                common.setdefault(name, set()).add(source)
        own = {student: {name for name, source in functions.items() if source not in common.get(name, ())}
               for student, functions in code.items()}  # what is worth comparing in each hand-in
        for mine, theirs in itertools.combinations(sorted(counted, key=lambda e: e.student), 2):
            if mine.student == theirs.student:
                continue
            if mine.handin_object.digest == theirs.handin_object.digest:
                found.append(["identical file", lesson, mine.student, theirs.student, "1.00", "",
                              f"{mine.handin} and {theirs.handin} have the same bytes"])
                continue
            if not own.get(mine.student, set()) & own.get(theirs.student, set()):
                continue
            score, compared = similarity(code[mine.student], code[theirs.student], common, at_least=SIMILAR)
            evidence = sum(min(len(code[mine.student][name]), len(code[theirs.student][name])) for name in compared)
            if compared and score >= SIMILAR and evidence >= (SAME_TOKENS if score == 1.0 else SIMILAR_TOKENS):
                kind = "same code" if score == 1.0 else "similar code"
                found.append([kind, lesson, mine.student, theirs.student, f"{score:.2f}", " ".join(compared),
                              "compared with names, comments, strings and spacing set aside"])
    for entry in rows:
        for name, _, outcome, comment, _ in (entry.result or {}).get("verdicts", ()) if entry.status == GRADED \
                else ():
            if outcome == "attempt":
                found.append(["attempt", entry.lesson, entry.student, "", "", name, comment])
    for entry in rows:
        if entry.status in (MISSING, UNREADABLE):
            who = f"{names[entry.student]}" if entry.student in names else ""
            found.append([entry.status, entry.lesson, entry.student, "", "", "",
                          ("no hand-in found" if entry.status == MISSING else entry.result["why"]) +
                          (f" ({who})" if who else "")])
    return found


KINDS = ("identical file", "same code", "similar code", "attempt", "unreadable", "missing")


def text(found, kinds=KINDS):
    """integrity.txt: the report in words, grouped by kind (those of `kinds`)."""
    lines = ["Integrity report: evidence for a person to read, not a penalty (no score was changed).", ""]
    groups = {kind: [line for line in found if line[0] == kind] for kind in kinds}
    for kind, items in groups.items():
        lines.append(f"{kind}: {len(items)}")
        for line in items[:200]:
            pair = f"{line[2]} and {line[3]}" if line[3] else line[2]
            score = f", similarity {line[4]}" if line[4] and kind != "identical file" else ""
            functions = f" [{line[5]}]" if line[5] else ""
            lines.append(f"  {line[1]}: {pair}{score}{functions}: {line[6]}")
        if len(items) > 200:
            lines.append(f"  ... and {len(items) - 200} more in integrity.csv")
    return clean("\n".join(lines), 4 << 20, lines=True) + "\n"  # ids and file names come from learners


def write(rows, out, learners=None):
    """Write OUT/integrity.csv and OUT/integrity.txt; returns the report's lines."""
    found = report(rows, learners)
    write_atomic(Path(out) / "integrity.csv", csv_text(HEADER, found))
    write_atomic(Path(out) / "integrity.txt", text(found))
    return found
