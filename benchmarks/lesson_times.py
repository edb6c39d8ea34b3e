"""How long the lessons' training cells take on a learner's own functions: the times their prose quotes.

    make bench-lessons              # or: python benchmarks/lesson_times.py [--cells nb05-25,nb04-24]

A learner who wrote every exercise right runs the notebooks' own solution code (the exercise cells of
notebooks 01 to 05), without the course's argument checks and, in the student edition, without the fast engine:
the trainer and `descent` then step through the lesson's loop on those functions. This script builds exactly
that: it runs every exercise cell of the five notebooks, hands the functions they define out through
dnn_utils (as the student edition does with the learner's kept functions) and turns the fast engine off. Then
it runs the code cells of notebooks 04 and 05 from the top, as Run All does, with `train_again = True` in the
cells that have it, and times each training cell: wall-clock time, the CPU time of the process (all its
threads, BLAS's included), the share of the machine's cores the other processes used meanwhile (from
/proc/stat) and the load average of /proc/loadavg before and after, so that a time measured on a busy machine
says so. The prose of each cell quotes the range "from about <quiet> on a 2-core machine with nothing else
running to about <busy> on a busy one": run this on a quiet machine for the first number and under load for
the second, and record both in docs/benchmarks.md ("Training cells on a learner's functions").
"""
import argparse
import contextlib
import io
import json
import os
import platform
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))  # run as a script from anywhere
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402

import dnn_utils  # noqa: E402
import testCases  # noqa: E402
from companion.widgets import runs as trainer_runs  # noqa: E402

NOTEBOOKS = PROJECT / "notebooks"
LESSONS = ("01_initialization", "02_forward_propagation", "03_backward_propagation", "04_two_layer_model",
           "05_L_layer_model")
# The cells that train on the learner's functions, by notebook: {cell id: what it does}.
TRAINING_CELLS = {
    "04_two_layer_model": {"nb04-24": "two_layer_model, 2500 iterations",
                           "nb04-34a": "train_again: the trainer's four runs"},
    "05_L_layer_model": {"nb05-25": "first_iterations, two runs of 150 iterations",
                         "nb05-29": "L_layer_model, 2500 iterations",
                         "nb05-30b": "train_again: 2500 steps of descent",
                         "nb05-45a": "train_again: the trainer's four runs"},
}
BEGIN = "### BEGIN SOLUTION"


def cells(lesson):
    return json.loads((NOTEBOOKS / f"{lesson}.ipynb").read_text())["cells"]


def code(cell):
    """A code cell's source as Python: IPython's magics (%matplotlib inline) left out."""
    return "".join(line for line in "".join(cell["source"]).splitlines(keepends=True)
                   if not line.lstrip().startswith("%"))


def learners_functions():
    """The graded functions as the exercise cells of notebooks 01 to 05 write them, run in one namespace
    (each cell sees the functions of the cells before it, as in the student edition)."""
    namespace = {"np": np, "__name__": "learner"}
    for lesson in LESSONS:
        for cell in cells(lesson):
            if cell["cell_type"] == "code" and BEGIN in "".join(cell["source"]):
                exec(compile(code(cell), f"{lesson}:{cell.get('id')}", "exec"), namespace)
    missing = sorted(set(testCases.FUNCTIONS) - set(namespace))
    if missing:
        raise SystemExit(f"lesson_times: the notebooks' exercise cells do not define {missing}")
    return {name: namespace[name] for name in testCases.FUNCTIONS}


def as_in_the_student_edition():
    """dnn_utils hands out the notebooks' own functions, and the trainer runs the lesson's loop on them."""
    for name, function in learners_functions().items():
        setattr(dnn_utils, name, function)
    trainer_runs.engine = None


def load():
    """The 1-minute load average and the running/total tasks, from /proc/loadavg."""
    try:
        fields = Path("/proc/loadavg").read_text().split()
        return f"{fields[0]} ({fields[3]})"
    except OSError:
        return "?"


def busy_seconds():
    """CPU seconds all processes of the machine have used since boot (user, nice, system, irq, softirq, steal:
    every column of /proc/stat's first line but idle and iowait); None where there is no /proc/stat."""
    try:
        ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def minutes(seconds):
    return f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)} min {seconds % 60:04.1f} s"


def run_lesson(lesson, wanted, results):
    """Run the code cells of `lesson` from the top, as Run All does, to the last cell in `wanted`, timing those
    (the training cells not timed run too, as stored: later cells use what they make)."""
    namespace = {"__name__": "__main__"}
    last = max((i for i, cell in enumerate(cells(lesson)) if cell.get("id") in wanted), default=-1)
    for cell in cells(lesson)[:last + 1]:
        if cell["cell_type"] != "code":
            continue
        timed = cell.get("id") in wanted
        source = code(cell).replace("train_again = False", "train_again = True") if timed else code(cell)
        before, machine = load(), busy_seconds()
        wall, cpu = time.perf_counter(), time.process_time()
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(source, f"{lesson}:{cell.get('id')}", "exec"), namespace)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if timed:
            # the other processes' share of the machine's cores while the cell ran: 0% on a quiet machine
            others = None if machine is None else max(0.0, busy_seconds() - machine - cpu) / (wall * os.cpu_count())
            row = {"lesson": lesson, "cell": cell["id"], "what": TRAINING_CELLS[lesson][cell["id"]], "wall": wall,
                   "cpu": cpu, "others": others, "load_before": before, "load_after": load()}
            results.append(row)
            print(f"| {lesson} | {row['cell']} | {row['what']} | {minutes(wall)} | {minutes(cpu)} | "
                  f"{'?' if others is None else f'{100 * others:.0f}%'} | {row['load_before']} | "
                  f"{row['load_after']} |", flush=True)
        import matplotlib.pyplot as plt
        plt.close("all")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    every = [cell for lesson in TRAINING_CELLS.values() for cell in lesson]
    parser.add_argument("--cells", default=",".join(every),
                        help=f"the training cells to time, by id, comma-separated (default: all, {','.join(every)})")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    wanted = set(args.cells.split(","))
    unknown = wanted - set(every)
    if unknown:
        parser.error(f"--cells: {sorted(unknown)} are not training cells; expected some of {every}")
    as_in_the_student_edition()
    print(f"{os.cpu_count()} CPUs, {platform.python_version()}, numpy {np.__version__}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    print("CPU: this process's CPU time (all its threads); others: the CPU time of every other process while the cell "
          "ran, as a share of all the cores (0% on a quiet machine); load: the 1-minute load average of /proc/loadavg "
          "(running/total tasks) before and after the cell\n")
    print("| notebook | cell | what | wall | CPU | others | load before | load after |\n"
          "| --- | --- | --- | --- | --- | --- | --- | --- |")
    results = []
    for lesson, training in TRAINING_CELLS.items():
        if wanted & set(training):
            run_lesson(lesson, wanted & set(training), results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
