"""The instructor's view of a session, made from its events: per function how many learners passed, are
trying, have not started; the mistakes being made now, with how many learners make each; who has been stuck
longest, on which function and which mistake. And the whole session as CSV.

A learner's state on a function follows the checks in the order they were made (a resent event takes its
place by its time): "passed" after a check that passed, "trying" after one that failed, until one passes.
A check of a function not written yet counts as not started. Stuck: trying since the first failed check after
the last pass.
"""
import collections
import csv
import io
import re
import time as clock

from .events import FUNCTIONS
from companion.feedback.hints import EXPLANATIONS, NOTEBOOKS

STUCK_SHOWN = 15
FRESH = 10  # seconds a view is kept while no event comes
UNNAMED = "a mistake the checks do not name"
PLAIN_PROBLEM = re.compile(r"wrong (shape|values|type|keys|length|outputs)|raised [A-Za-z_][A-Za-z0-9_.]{0,60}")


class Track:
    """One learner's checks of one function."""

    def __init__(self):
        self.events = []
        self._state = None

    def add(self, event):
        self.events.append(event)
        self._state = None
        if len(self.events) > 1 and event.time < self.events[-2].time:
            self.events.sort(key=lambda e: e.time)

    def state(self):
        """(status: "passed", "trying" or None, since: when the current trying began, attempts, latest failed
        event or None)."""
        if self._state is None:
            self._state = self._follow()
        return self._state

    def _follow(self):
        status = since = failed = None
        attempts = 0
        for event in self.events:
            if event.outcome == "passed":
                status, since, failed = "passed", None, None
                attempts += 1
            elif event.outcome == "failed":
                if status != "trying":
                    since = event.time
                status, failed = "trying", event
                attempts += 1
        return status, since, attempts, failed


def mistake_words(event, projector=False):
    """What a failed check found, in words: the mistakes it named, else the kinds of problem it found. A
    mistake the catalogue knows is said in the catalogue's words, whatever was sent; on the projector, where
    the whole class reads it, nothing a learner's kernel wrote is shown but the plain kinds of problem."""
    known = EXPLANATIONS.get(event.function, {})
    words = [known.get(id) or (UNNAMED if projector else sent) for id, sent in event.mistakes]
    if words:
        return list(dict.fromkeys(words))
    problems = [kind for kind in event.problems if not projector or PLAIN_PROBLEM.fullmatch(kind)]
    return [f"{UNNAMED}: {', '.join(problems)}" if problems else UNNAMED]


class Board:
    """The events of one session, as they arrive, and the view made from them. `roster`: {id: Learner} or
    None (then the learners are those who joined)."""

    def __init__(self, session, roster=None):
        self.session, self.roster = session, roster or {}
        self.tracks = collections.defaultdict(Track)  # (learner, function): Track
        self.joined = set()
        self.seen = set()  # (learner, event id): an event read twice counts once
        self.checks = 0
        self.version = 0
        self.made = {}  # (section, projector): (version, time, view), the last view made

    def add(self, event):
        key = (event.learner, event.id)
        if key in self.seen:
            return False
        self.seen.add(key)
        self.joined.add(event.learner)
        if event.outcome != "joined":
            self.tracks[event.learner, event.function].add(event)
            self.checks += 1
        self.version += 1
        return True

    def sections(self):
        return sorted({learner.section for learner in self.roster.values() if learner.section})

    def section_of(self, learner):
        known = self.roster.get(learner)
        return known.section if known else ""

    def name_of(self, learner):
        known = self.roster.get(learner)
        return known.name if known and known.name else learner

    def learners(self, section=None):
        everyone = set(self.roster) | self.joined
        return {learner for learner in everyone if not section or self.section_of(learner) == section}

    def view(self, section=None, projector=False, now=None):
        """The view as plain data (what the page shows). `projector`: without names. Made again only when an
        event came or FRESH seconds passed (the minutes of the stuck move on)."""
        now = clock.time() if now is None else now
        key = (section, projector)
        made = self.made.get(key)
        if made and made[0] == self.version and now - made[1] < FRESH:
            return made[2]
        view = self._view(section, projector, now)
        self.made[key] = (self.version, now, view)
        return view

    def _view(self, section, projector, now):
        learners = self.learners(section)
        counts = {function: collections.Counter() for function in FUNCTIONS}
        mistakes = collections.Counter()
        stuck = []
        for (learner, function), track in self.tracks.items():
            if learner not in learners:
                continue
            status, since, attempts, failed = track.state()
            if status is None:
                continue
            counts[function][status] += 1
            if status == "trying":
                for words in mistake_words(failed, projector):
                    mistakes[function, words] += 1
                stuck.append((since, learner, function, attempts, failed))
        stuck.sort(key=lambda item: (item[0], item[1], item[2]))
        return {
            "session": self.session, "section": section or "", "sections": self.sections(), "projector": projector,
            "learners": len(learners), "checks": self.checks, "updated": now,
            "functions": [{"function": function, "notebook": NOTEBOOKS[function],
                           "passed": counts[function]["passed"], "trying": counts[function]["trying"],
                           "not_started": len(learners) - counts[function]["passed"] - counts[function]["trying"]}
                          for function in FUNCTIONS],
            "mistakes": [{"function": function, "words": words, "learners": count} for (function, words), count in
                         sorted(mistakes.items(), key=lambda item: (-item[1], FUNCTIONS.index(item[0][0]),
                                                                    item[0][1]))],
            "stuck": [] if projector else [
                {"learner": learner, "name": self.name_of(learner), "section": self.section_of(learner),
                 "function": function, "minutes": max(0, int((now - since) // 60)), "attempts": attempts,
                 "mistake": "; ".join(mistake_words(failed))}
                for since, learner, function, attempts, failed in stuck[:STUCK_SHOWN]],
        }


CSV_COLUMNS = ("time", "received", "learner", "name", "section", "notebook", "function", "outcome", "attempt",
               "mistake ids", "mistakes", "problems")


def _cell(value):
    """A CSV cell a spreadsheet shows as text: a learner's words never become a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _iso(seconds):
    return clock.strftime("%Y-%m-%dT%H:%M:%SZ", clock.gmtime(seconds))


def to_csv(board, events):
    """The events of a session as CSV text, in the order of their times, one row each."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for event in sorted(events, key=lambda e: (e.time, e.learner, e.id)):
        known = board.roster.get(event.learner)
        writer.writerow([_cell(value) for value in (
            _iso(event.time), _iso(event.received), event.learner, known.name if known else "",
            known.section if known else "", event.notebook, event.function, event.outcome, event.attempt,
            " ".join(id for id, _ in event.mistakes), " | ".join(words for _, words in event.mistakes),
            " | ".join(event.problems))])
    return out.getvalue()
