"""The command line: python -m grading student|nbgrader|grade ... (see grading/__init__.py)."""
import argparse
import sys

import grading
from .notebooks import PROJECT, read_notebook
from .student import build_student, build_nbgrader
from .execute import execute
from .grade import CELL_TIMEOUT, TIMEOUT, grade, check_exercises


def main(argv=None):
    parser = argparse.ArgumentParser(description=grading.__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{student,nbgrader,grade}")
    student = commands.add_parser("student", help="write the student edition")
    student.add_argument("out", nargs="?", default=PROJECT / "build" / "student")
    nbgrader = commands.add_parser("nbgrader", help="write the notebooks as an nbgrader source assignment")
    nbgrader.add_argument("out", nargs="?", default=PROJECT / "build" / "nbgrader")
    grader = commands.add_parser("grade", help="grade a handed-in notebook")
    grader.add_argument("notebook")
    grader.add_argument("--quick", action="store_true",
                        help="run only the setup, exercise and check cells (no demonstrations, no training)")
    grader.add_argument("--cell-timeout", type=int, default=CELL_TIMEOUT, help="seconds per cell")
    grader.add_argument("--timeout", type=int, default=TIMEOUT, help="seconds for the whole notebook")
    grader.add_argument("--executed", help="save the executed notebook here")
    run = commands.add_parser("_execute")  # the grader's own processes
    run.add_argument("args", nargs=6)
    check = commands.add_parser("_check")
    check.add_argument("args", nargs=3)
    options = parser.parse_args(argv)
    if options.command == "student":
        build_student(options.out)
    elif options.command == "nbgrader":
        build_nbgrader(options.out)
    elif options.command == "grade":
        try:
            read_notebook(options.notebook)
        except Exception as error:
            print(f"cannot read {options.notebook} as a notebook: {error}", file=sys.stderr)
            return 2
        card = grade(options.notebook, options.quick, options.cell_timeout, options.timeout,
                     executed=options.executed)
        print(card.text())
        return 0 if card.score == card.total else 1
    elif options.command == "_execute":
        notebook, executed, progress, cell_timeout, timeout, quick = options.args
        execute(notebook, executed, progress, int(cell_timeout), int(timeout), quick == "1")
    else:
        exercises, results, function_timeout = options.args
        check_exercises(exercises, results, int(function_timeout))
    return 0


if __name__ == "__main__":
    sys.exit(main())

