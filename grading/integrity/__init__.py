"""The integrity report: evidence for a person to read, never a penalty (nothing here changes a score).

    OUT/integrity.csv   kind,lesson,student,other,similarity,functions,detail
    OUT/integrity.txt   the same in words
    OUT/integrity.html  each pair of learners reported for their code, with the matching fragments side by side

- `identical file`: two learners handed in the same bytes for a lesson;
- `same code` / `similar code`: the graded functions of two learners' hand-ins hold the same statements once
  compared as plagiarism detectors compare code (fingerprints.py: normalised syntax trees, so that renamed
  variables, reordered statements, comments, spacing and dead code hide nothing). Left out of the comparison is
  what does not tell one learner from another: what the lesson gives (the scaffold of the student edition's
  exercise cells and the lesson's own solution) and any statement that more than COMMON_AT_LEAST learners (or
  COMMON_SHARE of the class, if more) wrote, such as the natural way of writing a line or a frequent mistake.
  Each statement left counts the more, the fewer learners wrote it (log of the class size over their number). A
  pair is reported when what is left of their hand-ins is mostly the same (the weight of the statements in
  common over that of the statements either wrote, at least SIMILAR) and what they have in common is at least
  STATEMENTS statements weighing EVIDENCE (two statements that fewer than a third of the class wrote): one line
  alike, or a few lines many wrote, is no evidence. A class smaller than WEIGHED_AS is weighed as one of that
  size. `similarity` is that share (1.00: `same code`), `functions` names the functions the
  shared statements are in;
- `attempt`: a graded function tried to use the library's solutions or to leave the jail (the jail stopped it);
- `missing` / `unreadable`: whose hand-in of a lesson was not found, or could not be read.
"""
import collections
import functools
import itertools
import math
from pathlib import Path

from ..classbook import GRADED, MISSING, UNREADABLE, csv_text, lessons, write_atomic
from ..notebooks import (NOTEBOOKS, UnreadableCell, exercise_name, graded_functions, python_source, read_notebook,
                         reading_limit, strip_solutions, trusted)
from ..reading import read_handin
from ..untrusted import clean
from . import fingerprints, page

SIMILAR = 0.8
EVIDENCE, STATEMENTS = 2.5, 2  # the least weight, and number of statements, in common that is evidence
WEIGHED_AS = 20  # a smaller class is weighed as a class of this size: two of three is not "most learners"
COMMON_AT_LEAST, COMMON_SHARE = 3, 0.5  # a statement more learners than this wrote is common: left out
HEADER = ["kind", "lesson", "student", "other", "similarity", "functions", "detail"]


def _exercises(nb):
    """{function: (its cell's source, its Statements)}, from the last exercise cell defining each, if the grader
    read it as code (within the hand-in's limits: a cell it did not read is not compared either)."""
    code = {}
    for cell in nb.cells:
        name = exercise_name(cell)
        if name:
            try:
                python_source(cell.source)
                found = fingerprints.statements(cell.source, name, graded_functions())
            except UnreadableCell:
                found = None
            if found is None:
                code.pop(name, None)
            else:
                code[name] = (cell.source, found)
    return code


@functools.lru_cache(maxsize=None)
def lesson_given(lesson):
    """{function: Counter of the fingerprints the lesson gives}: its student edition's exercise cell (the
    scaffold) and its own solution, each counted once."""
    given = {}
    with trusted():
        cells = read_notebook(NOTEBOOKS / f"{lesson}.ipynb").cells
    for cell in cells:
        name = exercise_name(cell)
        if name:
            counts = collections.Counter()
            for source in (strip_solutions(cell.source), cell.source):
                found = collections.Counter(s.fingerprint for s in
                                            fingerprints.statements(source, name, graded_functions()) or ())
                counts |= found
            given[name] = counts
    return given


def compare(code, given):
    """The pairs of learners whose code is alike, from {learner: {function: (source, Statements)}} and what the
    lesson gives ({function: Counter of fingerprints}): [(similarity, learner, other, [(function, their
    fragment, the other's fragment), ...], evidence)], by learner. A statement more than COMMON_SHARE of the
    class wrote is left out; each other statement counts log(class size / learners who wrote it), the class
    size being at least WEIGHED_AS: the fewer wrote it, the more it tells. `similarity` is the weight of the
    statements in common over that of the statements either wrote, `evidence` the weight in common."""
    own = {}
    for learner, functions in code.items():
        own[learner] = collections.defaultdict(list)
        for function, (source, found) in functions.items():
            for statement in fingerprints.without(found, given.get(function, ())):
                own[learner][function, statement.fingerprint].append(statement)
    holders = collections.defaultdict(list)
    for learner, keys in own.items():
        for key in keys:
            holders[key].append(learner)
    limit = max(COMMON_AT_LEAST, math.ceil(COMMON_SHARE * len(code)))
    weight, shared, count = {}, collections.Counter(), collections.Counter()
    for key, who in holders.items():
        if len(who) > limit:
            for learner in who:
                del own[learner][key]
            continue
        weight[key] = math.log(max(len(code), WEIGHED_AS) / len(who))  # the fewer wrote it, the more it tells
        for mine, theirs in itertools.combinations(sorted(who), 2):
            count[mine, theirs] += min(len(own[mine][key]), len(own[theirs][key]))
            shared[mine, theirs] += weight[key] * min(len(own[mine][key]), len(own[theirs][key]))
    found = []
    for (mine, theirs), common in sorted(shared.items()):
        either = sum(weight[key] * max(len(own[mine].get(key, ())), len(own[theirs].get(key, ())))
                     for key in set(own[mine]) | set(own[theirs]))
        score = round(common / either, 6) if either else 0.0
        if common >= EVIDENCE and count[mine, theirs] >= STATEMENTS and score >= SIMILAR:
            fragments = []
            for key in sorted(set(own[mine]) & set(own[theirs])):
                for one, other in zip(own[mine][key], own[theirs][key]):
                    fragments.append((key[0], _lines(code[mine][key[0]][0], one),
                                      _lines(code[theirs][key[0]][0], other), one.first, other.first))
            fragments.sort(key=lambda item: (item[0], item[3]))
            found.append((score, mine, theirs, [item[:3] for item in fragments], common))
    return found


def _lines(source, statement):
    return "\n".join(source.split("\n")[statement.first - 1:statement.last])


def report(rows, learners=None, evidence=None):
    """The integrity report's lines, each a list of HEADER's fields, in a stable order. `evidence`, a dict if
    given, receives {(lesson, student, other): [(function, student's fragment, other's fragment), ...]}."""
    names = {key: learner.name for key, learner in (learners or {}).items() if learner.name != key}
    found = []
    for lesson in lessons():
        counted = sorted((entry for entry in rows if entry.lesson == lesson and entry.handin_object is not None
                          and entry.status == GRADED), key=lambda e: e.student)
        code, identical = {}, set()
        for entry in counted:
            try:
                with reading_limit():  # read as grading read it: within the same limits
                    code[entry.student] = _exercises(read_handin(entry.handin_object.path))
            except Exception:  # a notebook that cannot be read was not graded either
                continue
        for mine, theirs in itertools.combinations(counted, 2):
            if mine.student != theirs.student and mine.handin_object.digest == theirs.handin_object.digest:
                identical.add((mine.student, theirs.student))
                found.append(["identical file", lesson, mine.student, theirs.student, "1.00", "",
                              f"{mine.handin} and {theirs.handin} have the same bytes"])
        for score, mine, theirs, fragments, _ in compare(code, lesson_given(lesson) if code else {}):
            if (mine, theirs) in identical:
                continue
            functions = sorted({function for function, _, _ in fragments})
            found.append(["same code" if score == 1.0 else "similar code", lesson, mine, theirs, f"{score:.2f}",
                          " ".join(functions), f"{len(fragments)} statements alike once names, literals, order, "
                          "comments and dead code are set aside (see integrity.html)"])
            if evidence is not None:
                evidence[lesson, mine, theirs] = fragments
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
    """Write OUT/integrity.csv, OUT/integrity.txt and OUT/integrity.html; returns the report's lines."""
    evidence = {}
    found = report(rows, learners, evidence)
    write_atomic(Path(out) / "integrity.csv", csv_text(HEADER, found))
    write_atomic(Path(out) / "integrity.txt", text(found))
    write_atomic(Path(out) / "integrity.html", page.render(found, evidence))
    return found
