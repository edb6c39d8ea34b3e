"""The command line: python -m grading student|nbgrader|grade|grade-class ... (see grading/__init__.py)."""
import argparse
import dataclasses
import signal
import sys

import grading
from .grade import CELL_TIMEOUT, TIMEOUT, grade
from .jail import JailUnavailable, Limits
from .lab.cli import add_lab_command, lab_command
from .notebooks import PROJECT
from .reading import UnreadableNotebook, read_handin
from .student import build_student, build_nbgrader

LIMIT_OPTIONS = {  # option: (field of Limits, unit shown in --help)
    "--memory": ("memory_mb", "MB of memory per process"),
    "--cpu": ("cpu_seconds", "seconds of CPU time per process"),
    "--wall": ("wall_seconds", "seconds of wall-clock time per function"),
    "--processes": ("processes", "processes and threads"),
    "--file-size": ("file_mb", "MB per file written"),
    "--disk": ("disk_mb", "MB in its folder and in /tmp, each"),
    "--output": ("output_kb", "KB of printed output"),
}


def add_jail_options(parser, defaults=None):
    """The jail's options, shared by every command that grades (`defaults`: a Limits, by default Limits())."""
    defaults = defaults or Limits()
    group = parser.add_argument_group("the jail (see docs/grading.md)")
    group.add_argument("--no-jail", action="store_true",
                       help="grade without isolation where no jail can be had (every scorecard says so)")
    for option, (field, unit) in LIMIT_OPTIONS.items():
        group.add_argument(option, type=float if field == "wall_seconds" else int, dest=field,
                           default=getattr(defaults, field), help=f"{unit} (default {getattr(defaults, field)})")


def limits_of(options):
    try:
        return Limits(**{field.name: getattr(options, field.name) for field in dataclasses.fields(Limits)})
    except ValueError as error:
        raise SystemExit(f"grading: {error}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grading", description=grading.__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{student,nbgrader,grade,grade-class,adjust,lab}")
    student = commands.add_parser("student", help="write the student edition")
    student.add_argument("out", nargs="?", default=PROJECT / "build" / "student")
    nbgrader = commands.add_parser("nbgrader", help="write the notebooks as an nbgrader source assignment")
    nbgrader.add_argument("out", nargs="?", default=PROJECT / "build" / "nbgrader")
    grader = commands.add_parser("grade", help="grade a handed-in notebook")
    grader.add_argument("notebook")
    grader.add_argument("--full", action="store_true",
                        help="first run the whole notebook in a kernel (in the jail); exercises whose cell did "
                             "not run score 0")
    grader.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT, help="seconds per cell (--full)")
    grader.add_argument("--timeout", type=int, default=TIMEOUT, help="seconds for the whole notebook (--full)")
    grader.add_argument("--executed", help="save the executed notebook here (--full)")
    grader.add_argument("--seed", type=int, help="seed of the fresh cases (default: drawn at random)")
    add_jail_options(grader)
    add_class_command(commands)
    add_adjust_command(commands)
    add_lab_command(commands)
    options = parser.parse_args(argv)
    if options.command == "lab":
        return lab_command(options)
    if options.command == "grade-class":
        return grade_class_command(options)
    if options.command == "adjust":
        return adjust_command(options)
    if options.command == "student":
        build_student(options.out)
    elif options.command == "nbgrader":
        build_nbgrader(options.out)
    else:
        try:
            read_handin(options.notebook)  # kept read for grade()
        except UnreadableNotebook as error:
            print(error, file=sys.stderr)
            return 2
        except Exception as error:
            print(f"cannot read {options.notebook} as a notebook: {error}", file=sys.stderr)
            return 2
        try:
            card = grade(options.notebook, options.full, limits_of(options), not options.no_jail, options.seed,
                         options.cell_timeout, options.timeout, options.executed)
        except JailUnavailable as error:
            print(error, file=sys.stderr)
            return 3
        print(card.text())
        return 0 if card.score == card.total else 1
    return 0


def add_class_command(commands):
    """python -m grading grade-class DIR OUT [...]"""
    from .classbook import CLASS_CPU, CLASS_WALL
    parser = commands.add_parser("grade-class", help="grade every learner's hand-ins: gradebook, feedback, summary",
                                 description="Grade the hand-ins of DIR (one folder per learner) into OUT: "
                                             "gradebook.csv, functions.csv, feedback/ (Markdown and HTML), "
                                             "summary.txt and three figures. A second run grades only the "
                                             "hand-ins that changed.")
    parser.add_argument("folder", metavar="DIR", help="one folder per learner, named by the learner's id")
    parser.add_argument("out", metavar="OUT", help="where the gradebook goes (outside DIR)")
    parser.add_argument("--workers", type=int, help="processes grading in parallel (default: one per core)")
    parser.add_argument("--scheduler", metavar="tcp://host:port",
                        help="grade on the Dask cluster of this scheduler instead (docs/grading.md)")
    parser.add_argument("--full", action="store_true", help="first run each whole notebook in a kernel (slow)")
    parser.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT, help="seconds per cell (--full)")
    parser.add_argument("--timeout", type=int, default=TIMEOUT, help="seconds for the whole notebook (--full)")
    parser.add_argument("--seed", type=int, help="seed of the fresh cases (default: drawn once per OUT and kept)")
    parser.add_argument("--course", metavar="FILE", help="the term's settings (TOML): due dates, extensions, late "
                        "and resubmission policies, weights (docs/grading.md)")
    parser.add_argument("--roster", metavar="CSV", help="the class list: id,name,email,section (or Canvas's "
                        "gradebook export); hand-ins of an LMS download are matched to its ids")
    parser.add_argument("--allow-unmatched", action="store_true", help="grade the hand-ins that match no learner "
                        "of --roster under their download's names (without it, such a run stops)")
    add_jail_options(parser, Limits(wall_seconds=CLASS_WALL, cpu_seconds=CLASS_CPU))


def add_adjust_command(commands):
    """python -m grading adjust OUT STUDENT LESSON POINTS --reason WHY [--function NAME] [--by WHO]"""
    parser = commands.add_parser("adjust", help="add an adjustment to OUT/adjustments.csv (kept on every run)",
                                 description="Add a lasting adjustment of a learner's score to OUT/adjustments.csv: "
                                             "every later run of grade-class applies it and shows its reason.")
    parser.add_argument("out", metavar="OUT", help="the OUT of grade-class")
    parser.add_argument("student", metavar="STUDENT", help="the learner's id, as in gradebook.csv")
    parser.add_argument("lesson", metavar="LESSON", help="the lesson, e.g. 03_backward_propagation")
    parser.add_argument("points", metavar="POINTS", help="a value sets (6; for a function 0 to 1), a signed "
                        "number changes (+1, -0.5)")
    parser.add_argument("--function", default="", help="one graded function (default: the whole lesson's score)")
    parser.add_argument("--reason", required=True, help="why: the learner is shown it")
    parser.add_argument("--by", default="", help="who (default: this user)")


def adjust_command(options):
    from .adjustments import Adjustment, add
    from .classbook import ClassError
    try:
        done = add(options.out, Adjustment(options.student, options.lesson, options.function, options.points,
                                           options.reason, options.by))
    except ClassError as error:
        print(f"adjust: {error}", file=sys.stderr)
        return 2
    print(f"{options.out}/adjustments.csv: {done.student},{done.lesson}: {done.words()}; the next run of "
          f"grade-class applies it")
    return 0


def grade_class_command(options):
    """Run grade-class; exit status 0, 2 for bad input, 3 when no jail can be had."""
    from .classbook import ClassError, Settings, default_workers, progress_bar
    from .gradebook import grade_class
    if options.workers is not None and options.workers < 1:
        print(f"grade-class: --workers must be at least 1, got {options.workers}", file=sys.stderr)
        return 2
    limits = limits_of(options)
    settings = Settings(dataclasses.asdict(limits), not options.no_jail, options.full, options.cell_timeout,
                        options.timeout)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped: as after Ctrl-C, the workers stop too
    try:
        grade_class(options.folder, options.out, settings, options.seed, options.workers or default_workers(),
                    options.scheduler, progress=progress_bar(), course=options.course, roster=options.roster,
                    allow_unmatched=options.allow_unmatched)
    except ClassError as error:
        print(f"grade-class: {error}", file=sys.stderr)
        return 2
    except JailUnavailable as error:
        print(error, file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print(f"\ngrade-class: interrupted; what was graded is kept in {options.out}/.cache, and the same command "
              f"goes on from there", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
