"""A learner's helpers: a function is graded with the functions it calls that the learner wrote at top level in
earlier cells (never one with a graded function's name, never an import of the library), and the definition
that counts is the one the learner's own check ran on."""
import nbformat
import pytest

import grading
from grading.grade import Definitions, exercise_cell
from mutants import library_source

SETUP = "import numpy as np\nfrom testCases import *"
RELU_BACKWARD = "def relu_backward(dA, cache):\n    Z = cache\n    dZ = dA * relu_derivative(Z)\n    return dZ"
LEAKY = "def relu(Z):\n    A = np.where(Z > 0, Z, 0.01 * Z)  # the leaky ReLU of the video\n    return A, Z"


def notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def jail():
    with grading.make_jail() as made:
        yield made


def graded(path, jail, name):
    return grading.grade(path, seed=4, jail=jail, exercises=[name]).verdicts[name]


def test_a_helper_of_an_earlier_cell_is_graded_with_the_function_that_calls_it(tmp_path, jail):
    path = notebook(tmp_path / "03.ipynb", SETUP, "def relu_derivative(Z):\n    return (Z > 0).astype(float)",
                    RELU_BACKWARD, "check_relu_backward(relu_backward)")
    verdict = graded(path, jail, "relu_backward")
    assert (verdict.points, verdict.comment) == (1, "ok"), verdict
    alone = grading.check_function(jail, "relu_backward", RELU_BACKWARD, seed=4)  # as it was graded before
    assert alone.points == 0 and "NameError: name 'relu_derivative' is not defined" in alone.comment, alone


def test_helpers_come_with_what_they_call_and_import_and_as_they_stood_then(tmp_path, jail):
    path = notebook(tmp_path / "03.ipynb", SETUP, "import math as m",
                    "def relu_derivative(Z):\n    return 0 * Z  # a first try",
                    "def step(x):\n    return m.copysign(1.0, x) > 0\n\n\ndef relu_derivative(Z):\n"
                    "    return np.vectorize(step)(Z).astype(float)",
                    RELU_BACKWARD, "check_relu_backward(relu_backward)",
                    "def relu_derivative(Z):\n    return 1  # scratch, after the exercise")
    nb = grading.read_notebook(path)
    helpers = Definitions(nb).helpers(4, "relu_backward")
    assert helpers == ("import numpy as np\nimport math as m\ndef step(x):\n    return m.copysign(1.0, x) > 0\n"
                       "def relu_derivative(Z):\n    return np.vectorize(step)(Z).astype(float)\n")
    assert graded(path, jail, "relu_backward").points == 1


def test_a_graded_functions_name_and_the_library_are_never_carried_over(tmp_path):
    path = notebook(tmp_path / "02.ipynb", SETUP, "from dnn_utils import linear_forward as lf\nimport testCases",
                    "def linear_forward(A, W, b):\n    return lf(A, W, b)",
                    "def sigmoid(Z):\n    return 1 / (1 + np.exp(-Z)), Z",
                    "def linear_activation_forward(A_prev, W, b, activation):\n"
                    "    Z, linear_cache = linear_forward(A_prev, W, b)\n"
                    "    A, activation_cache = sigmoid(Z) if activation == 'sigmoid' else (lf, testCases)\n"
                    "    return A, (linear_cache, activation_cache)")
    assert Definitions(grading.read_notebook(path)).helpers(4, "linear_activation_forward") == ""


def test_the_definition_the_learners_check_ran_on_counts(tmp_path, jail):
    """A scratch cell further down that defines relu again (a leaky ReLU) does not replace the checked one;
    a corrected definition checked again does."""
    right, wrong = library_source("relu"), library_source("relu").replace("np.maximum(0, Z)", "np.minimum(0, Z)")
    path = notebook(tmp_path / "02.ipynb", SETUP, right, "check_relu(relu)", LEAKY)
    nb = grading.read_notebook(path)
    assert exercise_cell(nb, "relu") == (1, None)
    assert graded(path, jail, "relu").points == 1
    path = notebook(tmp_path / "02b.ipynb", SETUP, wrong, "check_relu(relu)", right, "check_relu(relu)", LEAKY)
    assert exercise_cell(grading.read_notebook(path), "relu") == (3, None)
    path = notebook(tmp_path / "02c.ipynb", SETUP, right, LEAKY)  # no check: the last definition
    assert exercise_cell(grading.read_notebook(path), "relu") == (2, None)
    assert graded(path, jail, "relu").points == 0


def test_importing_the_librarys_solutions_scores_0(tmp_path, jail):
    path = notebook(tmp_path / "02.ipynb", SETUP, "from dnn_utils import relu as library_relu",
                    "def relu(Z):\n    from dnn_utils import relu as library_relu\n    return library_relu(Z)",
                    "check_relu(relu)")
    verdict = graded(path, jail, "relu")
    assert (verdict.points, verdict.outcome) == (0, "attempt") and "library's solutions" in verdict.comment, verdict


def test_the_learners_readme_states_the_rules():
    readme = grading.student.STUDENT_README
    for rule in ("the last cell defining the function before the\n  last cell that checks it",
                 "Functions you define at top level in earlier cells", "must not have the name of a graded function",
                 "Importing the library's solutions scores 0"):
        assert rule in readme, rule
