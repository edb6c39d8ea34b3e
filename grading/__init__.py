"""The student edition of the notebooks, and a grader for the notebooks learners hand in.

    python -m grading student [OUT]        the student edition, in build/student unless OUT is given
    python -m grading nbgrader [OUT]       the notebooks as an nbgrader source assignment (build/nbgrader)
    python -m grading grade NOTEBOOK       run a handed-in notebook and print its scorecard
                                           (options: --quick, --cell-timeout S, --timeout S, --executed PATH)

`make student` and `make grade NB=path/to/notebook.ipynb` run the first and the last.

The exercise markers are nbgrader's: each exercise cell holds its solution between `### BEGIN SOLUTION`
and `### END SOLUTION`, which the student edition replaces, as nbgrader does, by `# YOUR CODE HERE` and
`raise NotImplementedError()`, indented like the markers.

Grading a notebook
    The notebook runs in a fresh kernel, in a separate process, inside a temporary folder that holds a copy
    of what it needs (the modules, the data set): its working directory, its imports and its HOME are in that
    folder, so a notebook that deletes or writes files by relative path only changes the copies, and one that
    crashes, loops forever or fills the time limit does not stop the grader. Each cell has a time limit and
    so has the whole run; what did not run by then scores 0.
    Then each graded function is checked on its own: the code of its exercise cell (the cell that defines it)
    runs again in a fresh namespace that holds numpy as np and the library's functions (dnn_utils), in
    another process with a time limit, and testCases checks it and names the most likely mistake. A function
    is thus graded on its own code only: a mistake in one exercise costs the points of that exercise, not of
    the later ones that call it. Each graded function is worth one point.
    The temporary folder keeps relative paths away from the project; it is no sandbox against code that
    means harm (absolute paths, the network): grade such notebooks in a container or as a user who cannot
    write to the project.
"""
from .notebooks import (PROJECT, NOTEBOOKS, BEGIN, END, STUB, CORE_MODULES, DATA_FILES, ALLOWED_ERRORS_TAG,
                        read_notebook, graded_functions, python_source, parse, exercise_name, checked_name,
                        imported_names, project_modules, strip_solutions, cells_needing_exercises)
from .student import (STUDENT_STAMP, student_notebook, allow_errors, build_student, copy_support_files,
                      nbgrader_notebook, build_nbgrader)
from .execute import Run, execute, quick_cells
from .grade import (CELL_TIMEOUT, TIMEOUT, FUNCTION_TIMEOUT, Sandbox, Scorecard, check_exercises, define,
                    expected_exercises, grade, _check_one)
