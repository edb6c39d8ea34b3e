"""How fast a whole class is graded: a generated class of 200 notebooks, graded by grade-class.

    python benchmarks/bench_grading.py [--learners 40] [--workers N] [--before 10] [--keep DIR]

The class: `--learners` learners, each handing in the five lessons, so 200 notebooks by default. Each hand-in
is one of (drawn with a fixed seed, the same class every time): right (the lesson's code), wrong (one
learner-style mistake of tests/mutants.py pasted into an exercise), not written (the student edition), broken
(a file that is not a notebook, or an exercise with a syntax error) or hostile (an endless loop, a fork bomb,
a memory hog, the network, 1 GB printed, a full disk, importing the library). Every notebook also carries a
note with its learner's name, so no two are the same file. It is graded with the class defaults (one worker
per core, the class limits of docs/grading.md) and the rate is printed in notebooks a minute, then graded
again (everything from the cache). `--before N`
also times `python -m grading grade` (what `make grade` runs) on N right or wrong notebooks of the class,
one at a time, as a class was graded before grade-class.
"""
import argparse
import collections
import itertools
import dataclasses
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT), str(PROJECT / "tests")]

import nbformat  # noqa: E402

import grading  # noqa: E402
from grading import classbook, gradebook  # noqa: E402
from grading.jail import Limits  # noqa: E402
from mutants import MUTANTS, edited  # noqa: E402

KINDS = {"right": 45, "wrong": 30, "not written": 5, "broken": 10, "hostile": 10}  # percent of the hand-ins
HOSTILE = {
    "endless loop": "def {name}(*args, **kwargs):\n    while True:\n        pass",
    "fork bomb": "import os\ndef {name}(*args, **kwargs):\n    while True:\n        try:\n            os.fork()\n"
                 "        except OSError:\n            pass",
    "memory hog": "def {name}(*args, **kwargs):\n    hog = [np.ones(10 ** 7) for _ in range(10 ** 4)]",
    "network": "import socket\ndef {name}(*args, **kwargs):\n    socket.create_connection(('example.org', 80), "
               "timeout=2)",
    "1 GB printed": "import os\ndef {name}(*args, **kwargs):\n    for _ in range(1024):\n"
                    "        os.write(1, b'x' * 2 ** 20)",
    "full disk": "def {name}(*args, **kwargs):\n    for i in range(10 ** 6):\n"
                 "        open(f'/tmp/part{{i}}', 'wb').write(b'x' * 2 ** 20)",
    "library import": "def {name}(*args, **kwargs):\n    import dnn_utils\n"
                      "    return dnn_utils.{name}(*args, **kwargs)",
}

HOSTILE_TURNS = itertools.cycle(sorted(HOSTILE))  # each kind in turn


def lesson_notebooks():
    paths = sorted((PROJECT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return {path.stem: grading.read_notebook(path) for path in paths}


def with_exercise(nb, name, source):
    """A copy of `nb` with the exercise cell of `name` holding `source`."""
    nb = nbformat.from_dict(nb)
    for cell in nb.cells:
        if grading.exercise_name(cell) == name:
            cell.source = source
    return nb


def hand_in(nb, kind, rng):
    """(the notebook, or the bytes of a broken file; what it is) for a hand-in of `kind` of lesson `nb`."""
    names = [name for name in map(grading.exercise_name, nb.cells) if name]
    if kind == "wrong":
        mutant = rng.choice([m for m in MUTANTS if m.name in names])
        return with_exercise(nb, mutant.name, edited(mutant.name, mutant.edits)), f"wrong: {mutant.name} {mutant.id}"
    if kind == "not written":
        nb = nbformat.from_dict(nb)
        for cell in nb.cells:
            cell.source = grading.strip_solutions(cell.source) if grading.exercise_name(cell) else cell.source
        return nb, "not written"
    if kind == "broken":
        if rng.random() < 0.5:
            return b'{"cells": [{"cell_type": "code", "source": "def', "broken: not a notebook"
        name = rng.choice(names)
        return with_exercise(nb, name, f"def {name}(*args):\n    return (args"), "broken: syntax error"
    if kind == "hostile":
        what, name = next(HOSTILE_TURNS), rng.choice(names)
        return with_exercise(nb, name, HOSTILE[what].format(name=name)), f"hostile: {what}"
    return nb, "right"


def make_class(folder, learners, seed=13):
    """Write the class into `folder`; return {what each hand-in is: count} and the paths of right or wrong ones."""
    rng, lessons = random.Random(seed), lesson_notebooks()
    kinds = [kind for kind, share in KINDS.items() for _ in range(share)]
    made, plain = collections.Counter(), []
    for learner in range(learners):
        student = f"learner{learner:03d}"
        for lesson, nb in lessons.items():
            content, what = hand_in(nb, rng.choice(kinds), rng)
            path = Path(folder, student, f"{student}_{lesson[:2]}.ipynb")
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                content.cells.append(nbformat.v4.new_markdown_cell(f"Handed in by {student}."))
                nbformat.write(content, str(path))
            made[what.split(":")[0]] += 1
            made[what] += what.startswith("hostile")
            plain += [path] if what == "right" or what.startswith("wrong") else []
    return made, plain


def time_one_at_a_time(paths):
    """Seconds per notebook of `python -m grading grade`, one process per notebook, as `make grade` runs it."""
    start = time.monotonic()
    for path in paths:
        subprocess.run([sys.executable, "-m", "grading", "grade", str(path)], capture_output=True, cwd=PROJECT)
    return (time.monotonic() - start) / len(paths)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=40, help="learners, five notebooks each (default 40)")
    parser.add_argument("--workers", type=int, default=classbook.default_workers())
    parser.add_argument("--before", type=int, default=0, help="also time `grade` on this many notebooks")
    parser.add_argument("--keep", help="write the class and its gradebook here instead of a temporary folder")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dnn_bench_class_") as scratch:
        root = Path(options.keep or scratch)
        made, plain = make_class(root / "handins", options.learners)
        print(f"class: {sum(made[k] for k in KINDS)} notebooks of {options.learners} learners: "
              + ", ".join(f"{made[kind]} {kind}" for kind in KINDS))
        print("hostile: " + ", ".join(f"{count} {what[9:]}" for what, count in sorted(made.items())
                                      if what.startswith("hostile: ")))
        limits = Limits(wall_seconds=classbook.CLASS_WALL, cpu_seconds=classbook.CLASS_CPU)
        settings = classbook.Settings(dataclasses.asdict(limits))
        rows, graded, seconds = gradebook.grade_class(root / "handins", root / "grades", settings, seed=1,
                                                      workers=options.workers, echo=lambda text: None,
                                                      progress=classbook.progress_bar())
        print(f"grade-class, {options.workers} workers: {graded} notebooks in {seconds:.1f} s = "
              f"{graded / seconds * 60:.1f} notebooks a minute")
        _, graded, seconds = gradebook.grade_class(root / "handins", root / "grades", settings, seed=1,
                                                   workers=options.workers, echo=lambda text: None)
        print(f"grade-class again, nothing changed: {graded} notebooks graded, {seconds:.1f} s")
        if options.before:
            per = time_one_at_a_time(plain[:options.before])
            print(f"python -m grading grade, one notebook at a time ({options.before} right or wrong ones): "
                  f"{per:.2f} s per notebook = {60 / per:.1f} notebooks a minute")


if __name__ == "__main__":
    main()
