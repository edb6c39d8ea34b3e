"""The class summary (OUT/summary.txt, also printed): what an instructor acts on.

What was graded; the distribution of the learners' totals; the mean per lesson; every cause of a lost point
per function, each recognised mistake named in words, with how many learners and what share of the class;
the empty hand-ins and the blocked attempts as what they are; whose hand-ins are missing or unreadable, by
name; what was left aside; then the integrity report (integrity.py). Every learner's text in it is cleaned
(untrusted.py): no line of it can move the terminal's cursor or hide another.
"""
import collections
import re

from companion.feedback import hints

from .classbook import GRADED, MISSING, UNREADABLE, lessons
from .grade import NOT_ISOLATED
from .untrusted import NAME, PATH, clean

CAUSES = {  # a lost point that is not a recognised mistake, for the instructor
    "wrong": "other wrong result (no known mistake)", "not written": "not written", "crashed": "raised an error",
    "out of time": "too slow (over the time limit)", "memory": "too much memory", "disk": "wrote too much",
    "output": "printed too much", "results": "returned too much", "attempt": "blocked: tried to use the library's solutions or leave the jail",
    "missing": "no cell defines it", "did not run": "its cell did not run",
}
LISTED = 60  # names listed on one line before "and N more"
WHOLE = 4 << 20  # characters: the longest summary


def counted(count, word):
    """`1 notebook`, `2 notebooks`."""
    return f"{count} {word}{'s' if count != 1 else ''}"


def short(name, mistake):
    """A recognised mistake in a few words: the first clause of its explanation."""
    words = hints.EXPLANATIONS.get(name, {}).get(mistake, "") or mistake.replace("_", " ")
    first = re.split(r"(?<=\S)[:;] ", words)[0]
    return first if len(first) <= 70 else first[:69] + "…"


def cause_words(name, cause):
    return CAUSES.get(cause) or short(name, cause)


def empty(entry):
    """A graded hand-in in which no function was written (every one a stub, or missing)."""
    return entry.status == GRADED and all(outcome in ("not written", "missing")
                                          for _, _, outcome, _, _ in entry.result["verdicts"])


def lost_points(rows):
    """{function: Counter of the causes of its lost points}, a cause being a mistake's id or an outcome; empty
    hand-ins are left out (they are counted as such)."""
    causes = collections.defaultdict(collections.Counter)
    for entry in (entry for entry in rows if entry.status == GRADED and not empty(entry)):
        for name, points, outcome, _, mistake in entry.result["verdicts"]:
            if points == 0:
                causes[name][mistake or outcome] += 1
    return causes


def totals(rows):
    """{learner: (total, out of)} over every lesson (a missing one counts 0)."""
    found = collections.defaultdict(lambda: [0, 0])
    for entry in rows:
        found[entry.student][0] += entry.score
        found[entry.student][1] += entry.total
    return {student: tuple(pair) for student, pair in found.items()}


def quantile(values, share):
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _names(students):
    students = [clean(student, NAME) for student in students]
    more = f", and {len(students) - LISTED} more" if len(students) > LISTED else ""
    return ", ".join(students[:LISTED]) + more


def _g(number):
    return f"{number:.4g}"


def text(rows, unmatched, isolated, loose=(), integrity_text="", learners=None):
    """The summary's text (`learners`: {id: Learner}, to name the learners)."""
    statuses = collections.Counter(e.status if e.status in (GRADED, MISSING, UNREADABLE) else "error" for e in rows)
    students = sorted({e.student for e in rows})
    lines = [] if isolated else [NOT_ISOLATED, ""]
    lines.append(f"{counted(statuses[GRADED], 'hand-in')} graded for {counted(len(students), 'learner')}; "
                 f"{statuses[UNREADABLE]} unreadable, {statuses[MISSING]} missing, {statuses['error']} not graded, "
                 f"{len(unmatched)} not a lesson")
    sums = totals(rows)
    if sums:
        values, out_of = [total for total, _ in sums.values()], max(top for _, top in sums.values())
        below = sum(1 for total, top in sums.values() if total < top / 2)
        lines += ["", f"Learners' totals (of {_g(out_of)} points, a missing lesson counting 0; totals.png): lowest "
                      f"{_g(min(values))}, lower quartile {_g(quantile(values, .25))}, median "
                      f"{_g(quantile(values, .5))}, upper quartile {_g(quantile(values, .75))}, highest "
                      f"{_g(max(values))}; {below} of {len(values)} below half"]
    lines += ["", "Mean score per lesson:"]
    for lesson in lessons():
        scores = [e.score for e in rows if e.lesson == lesson and e.status == GRADED]
        mean = f"{sum(scores) / len(scores):.2f}" if scores else "-"
        lines.append(f"  {lesson:<26} {mean:>5} / {_g(lesson_total(rows, lesson))}   ({len(scores)} graded)")
    lines += ["", "Points possible to give each assignment in your LMS (the import files' scores are out of "
                  "these): " + ", ".join(f"{lesson} {_g(lesson_total(rows, lesson))}" for lesson in lessons())]
    lines += next_lecture(rows, len(students))
    lines += ["", f"Lost points by function, every cause (learners, share of the {counted(len(students), 'learner')};"
                  f" mistake ids as in functions.csv):"]
    causes = lost_points(rows)
    share = max(len(students), 1)
    for names in lessons().values():
        for name in (name for name in names if causes.get(name)):
            lines.append(f"  {name}")
            for cause, count in sorted(causes[name].items(), key=lambda item: (-item[1], item[0])):
                label = cause_words(name, cause) + ("" if cause in CAUSES else f" [{cause}]")
                lines.append(f"    {label:<74} {count:>4}  {100 * count / share:3.0f}%")
    if not causes:
        lines.append("  none: every function of a hand-in with some work in it scored its point")
    lines += _who(rows, learners)
    aside = [f"Not matched to a lesson: {clean(student, NAME)}/{clean(relative, PATH)} ({clean(why)})"
             for student, relative, why in unmatched] + [f"Not graded: {clean(name, PATH + 200)}" for name in loose]
    lines += [""] * bool(aside) + aside
    if integrity_text:
        lines += ["", integrity_text.rstrip("\n")]
    return clean("\n".join(lines), WHOLE, lines=True) + "\n"


def lesson_total(rows, lesson):
    """A lesson's points possible: its rows' total (weighted by the course file), else one per function."""
    return max((e.total for e in rows if e.lesson == lesson), default=len(lessons()[lesson]))


def next_lecture(rows, learners, most=3):
    """The lines of "To go over in the next lecture": the recognised mistakes that cost the class the most
    points (weighted), each in words, with how many learners made it."""
    cost, who = collections.Counter(), collections.defaultdict(set)
    for entry in (entry for entry in rows if entry.status == GRADED and not empty(entry)):
        for name, points, _, _, mistake in entry.result["verdicts"]:
            if mistake and points < 1:
                cost[name, mistake] += (1 - points) * entry.weight(name) if hasattr(entry, "weight") else 1 - points
                who[name, mistake].add(entry.student)
    if not cost:
        return []
    lines = ["", "To go over in the next lecture (the mistakes that cost the class the most points):"]
    for rank, ((name, mistake), lost) in enumerate(sorted(cost.items(), key=lambda item: (-item[1], item[0]))[:most],
                                                   start=1):
        words = hints.EXPLANATIONS.get(name, {}).get(mistake, "") or mistake.replace("_", " ")
        lines.append(f"  {rank}. {name}: {words} ({counted(len(who[name, mistake]), 'learner')}, "
                     f"{100 * len(who[name, mistake]) / max(learners, 1):.0f}% of the class; {_g(lost)} points lost)")
    return lines


def _who(rows, learners=None):
    """The lines naming the empty hand-ins, the blocked attempts, and whose hand-ins are missing, unreadable
    or not graded."""
    lines = []
    emptied = [e for e in rows if empty(e)]
    if emptied:
        lines += ["", f"Empty hand-ins (nothing written; left out of the causes above): {len(emptied)}"]
        lines += [f"  {e.lesson}: {_names([x.student for x in emptied if x.lesson == e.lesson])}"
                  for e in _one_per_lesson(emptied)]
    blocked = [(e, name) for e in rows if e.status == GRADED for name, _, outcome, _, _ in e.result["verdicts"]
               if outcome == "attempt"]
    if blocked:
        lines += ["", f"Blocked attempts (the library's solutions, the network, files, programs): {len(blocked)}"]
        lines += [f"  {clean(e.student, NAME)}, {e.lesson}, {name}" for e, name in blocked[:LISTED]]
    absent = sorted({e.student for e in rows} - {e.student for e in rows if e.status != MISSING})
    if absent:
        lines += ["", f"Not found in the hand-ins at all (left empty in the import files): {len(absent)}",
                  f"  {_names([_named(student, learners) for student in absent])}"]
    missing = [e for e in rows if e.status == MISSING]
    if missing:
        lines += ["", f"Missing hand-ins: {len(missing)}"]
        lines += [f"  {e.lesson}: {_names([_named(x.student, learners) for x in missing if x.lesson == e.lesson])}"
                  for e in _one_per_lesson(missing)]
    for title, kept in (("Unreadable hand-ins", [e for e in rows if e.status == UNREADABLE]),
                        ("Not graded (the grader failed; tried again on the next run)",
                         [e for e in rows if e.status not in (GRADED, MISSING, UNREADABLE)])):
        if kept:
            lines += ["", f"{title}: {len(kept)}"]
            lines += [f"  {clean(e.student, NAME)}, {e.lesson}: {clean(e.handin, PATH)} ({clean(e.result['why'])})"
                      for e in kept[:LISTED]]
    return lines


def _named(student, learners):
    """A learner as "Name (id)" when the roster or the download gives a name other than the id."""
    name = getattr((learners or {}).get(student), "name", "")
    return f"{name} ({student})" if name and name != student else student


def _one_per_lesson(rows):
    seen = {}
    for entry in rows:
        seen.setdefault(entry.lesson, entry)
    return [seen[lesson] for lesson in lessons() if lesson in seen]
