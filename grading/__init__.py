"""The student edition of the notebooks, and a grader for the notebooks learners hand in.

    python -m grading student [OUT]        the student edition, in build/student unless OUT is given
    python -m grading nbgrader [OUT]       the notebooks as an nbgrader source assignment (build/nbgrader)
    python -m grading grade NOTEBOOK       the scorecard of a handed-in notebook (python -m grading grade -h)
    python -m grading grade-class DIR OUT  a whole class: gradebook, feedback, summary (classbook.py, gradebook.py)
    python -m grading adjust OUT STUDENT LESSON POINTS --reason WHY   a lasting adjustment (adjustments.py)
    python -m grading lab serve|codes|token|sessions|export|purge     the live lab (lab/, README For instructors)

`make student`, `make grade NB=path/to/notebook.ipynb` and `make grade-class DIR=handins OUT=grades` run them.

The exercise markers are nbgrader's: each exercise cell holds its solution between `### BEGIN SOLUTION`
and `### END SOLUTION`, which the student edition replaces, as nbgrader does, by `# YOUR CODE HERE` and
`raise NotImplementedError()`, indented like the markers.

Grading a notebook (docs/grading.md has the whole story and the threat model)
    Each graded function is checked on its own code: the code of its exercise cell runs in a jail of its own
    (jail.py: bubblewrap, an unprivileged user, no network, a read-only system, limits), in a fresh namespace
    holding numpy and the library's versions of the functions it builds on, never its own. The jail sends
    back plain data only (runner.py, companion/plain.py): what the function returned on the lesson's cases and
    on cases drawn afresh, or the error it raised. The verdict is computed outside, in the grader's process, by
    testCases against the library (verdict.py). One mistake costs one point. With --full the whole notebook
    first runs in a kernel, in the jail too (execute.py), and an exercise whose cell did not run scores 0.
"""
from .notebooks import (PROJECT, NOTEBOOKS, BEGIN, END, STUB, CORE_MODULES, DATA_FILES, ALLOWED_ERRORS_TAG,
                        read_notebook, graded_functions, python_source, parse, exercise_name, checked_name,
                        package_files, project_modules, strip_solutions, cells_needing_exercises)
from .student import (STUDENT_STAMP, student_notebook, allow_errors, build_student, copy_support_files,
                      nbgrader_notebook, build_nbgrader)
from .jail import Jail, JailUnavailable, Limits
from .verdict import Verdict, check_function, builds_on
from .grade import CELL_TIMEOUT, TIMEOUT, Scorecard, expected_exercises, grade, make_jail
