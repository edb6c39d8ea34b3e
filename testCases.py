"""Inputs, expected outputs and checkers for every function of the course.

For each function the lesson's inputs (seeded as the lesson seeds them) come from `<name>_test_case()`, the
outputs the lesson publishes are in `EXPECTED`, and `check_<name>(fn)` runs any implementation `fn`, yours or
the library's, and prints a short verdict:

    >>> check_linear_forward(linear_forward)
    linear_forward: all 2 checks passed.

or says what is wrong: a wrong type, a wrong shape (expected vs got), wrong values (which entry, expected vs
got), inputs that were modified, an error raised, then the mistake most likely behind it
(companion/solutions/mistakes.py) and that `hint(name)` gives hints (companion/feedback/hints.py).
`problems(name, fn)` returns the same findings as a list, `examine(name, fn)` the findings and the mistake,
for tests and grading; a grader that ran a function
elsewhere builds Outcome objects from what came back and calls `judge`. `gradient_check` compares a
backward pass with centred finite differences. `stored_checks()` writes the fixed cases, their expected
outputs and the mistakes' fingerprints as plain data, for the student edition (grading/student.py).
"""
import contextlib
import copy
import functools
import io
import threading

import numpy as np

import dnn_utils as reference
from companion.feedback.hints import NOTEBOOKS, hint, hints_note
from companion.feedback.rules import mistaken_run
from companion.feedback.display import one_line_for_unwritten_functions
from companion.feedback.gradients import gradient_check, numerical_gradient, relative_error
from companion.feedback.verdict import (LESSON, RTOL, ATOL, Case, CheckFailed, Checks, Mistake, Outcome, encode,
                                        encode_run)
from companion.solutions.mistakes import MISTAKES


# ----------------------------------------------------------------------------------------------------------
# The lesson's inputs

def sigmoid_test_case():
    return (np.array([[-1.0, 0.0, 2.0], [0.5, -3.0, 10.0]]),)


relu_test_case = sigmoid_test_case


def activation_backward_test_case():
    np.random.seed(1)
    dA = np.random.randn(2, 3)
    Z = np.random.randn(2, 3)
    return dA, Z


def initialize_parameters_test_case():
    return 3, 2, 1


def initialize_parameters_deep_test_case():
    return ([5, 4, 3],)


def linear_forward_test_case():
    np.random.seed(1)
    A = np.random.randn(3, 2)
    W = np.random.randn(1, 3)
    b = np.random.randn(1, 1)
    return A, W, b


def linear_activation_forward_test_case():
    np.random.seed(2)
    A_prev = np.random.randn(3, 2)
    W = np.random.randn(1, 3)
    b = np.random.randn(1, 1)
    return A_prev, W, b


def L_model_forward_test_case_2hidden():
    np.random.seed(6)
    X = np.random.randn(5, 4)
    W1 = np.random.randn(4, 5)
    b1 = np.random.randn(4, 1)
    W2 = np.random.randn(3, 4)
    b2 = np.random.randn(3, 1)
    W3 = np.random.randn(1, 3)
    b3 = np.random.randn(1, 1)
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}
    return X, parameters


def compute_cost_test_case():
    Y = np.asarray([[1, 1, 0]])
    aL = np.array([[.8, .9, 0.4]])
    return aL, Y


def linear_backward_test_case():
    np.random.seed(1)
    dZ = np.random.randn(3, 4)
    A = np.random.randn(5, 4)
    W = np.random.randn(3, 5)
    b = np.random.randn(3, 1)
    linear_cache = (A, W, b)
    return dZ, linear_cache


def linear_activation_backward_test_case():
    np.random.seed(2)
    dA = np.random.randn(1, 2)
    A = np.random.randn(3, 2)
    W = np.random.randn(1, 3)
    b = np.random.randn(1, 1)
    Z = np.random.randn(1, 2)
    linear_cache = (A, W, b)
    activation_cache = Z
    linear_activation_cache = (linear_cache, activation_cache)
    return dA, linear_activation_cache


def L_model_backward_test_case():
    np.random.seed(3)
    AL = np.random.randn(1, 2)
    Y = np.array([[1, 0]])
    A1 = np.random.randn(4, 2)
    W1 = np.random.randn(3, 4)
    b1 = np.random.randn(3, 1)
    Z1 = np.random.randn(3, 2)
    linear_cache_activation_1 = ((A1, W1, b1), Z1)
    A2 = np.random.randn(3, 2)
    W2 = np.random.randn(1, 3)
    b2 = np.random.randn(1, 1)
    Z2 = np.random.randn(1, 2)
    linear_cache_activation_2 = ((A2, W2, b2), Z2)
    caches = (linear_cache_activation_1, linear_cache_activation_2)
    return AL, Y, caches


def update_parameters_test_case():
    np.random.seed(2)
    W1 = np.random.randn(3, 4)
    b1 = np.random.randn(3, 1)
    W2 = np.random.randn(1, 3)
    b2 = np.random.randn(1, 1)
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    np.random.seed(3)
    dW1 = np.random.randn(3, 4)
    db1 = np.random.randn(3, 1)
    dW2 = np.random.randn(1, 3)
    db2 = np.random.randn(1, 1)
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return parameters, grads, 0.1


def model_test_case():
    """A small, separable problem: 6 features, 40 examples, labelled by the sign of a linear score."""
    rng = np.random.RandomState(4)
    X = rng.randn(6, 40)
    Y = (np.array([[1.0, -2.0, 0.5, 0.0, 1.5, -1.0]]) @ X > 0).astype(int)
    return X, Y


def print_grads(grads):
    """Print dW1, db1 and dA1 as the lesson shows them."""
    print("dW1 = " + str(grads["dW1"]))
    print("db1 = " + str(grads["db1"]))
    print("dA1 = " + str(grads["dA1"]))


# ----------------------------------------------------------------------------------------------------------
# What the lesson publishes for those inputs (8 significant digits, as printed)

EXPECTED = {
    "linear_forward": {"Z": np.array([[3.26295337, -1.23429987]])},
    "linear_activation_forward": {
        "sigmoid": np.array([[0.96890023, 0.11013289]]),
        "relu": np.array([[3.43896131, 0.]]),
    },
    "L_model_forward": {"AL": np.array([[0.03921668, 0.70498921, 0.19734387, 0.04728177]]), "len(caches)": 3},
    "compute_cost": {"cost": 0.2797765635793422},
    "initialize_parameters": {
        "W1": np.array([[0.01624345, -0.00611756, -0.00528172], [-0.01072969, 0.00865408, -0.02301539]]),
        "b1": np.zeros((2, 1)),
        "W2": np.array([[0.01744812, -0.00761207]]),
        "b2": np.zeros((1, 1)),
    },
    "initialize_parameters_deep": {
        "W1": np.array([[0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388],
                        [-0.00354759, -0.00082741, -0.00627001, -0.00043818, -0.00477218],
                        [-0.01313865, 0.00884622, 0.00881318, 0.01709573, 0.00050034],
                        [-0.00404677, -0.0054536, -0.01546477, 0.00982367, -0.01101068]]),
        "b1": np.zeros((4, 1)),
        "W2": np.array([[-0.01185047, -0.0020565, 0.01486148, 0.00236716],
                        [-0.01023785, -0.00712993, 0.00625245, -0.00160513],
                        [-0.00768836, -0.00230031, 0.00745056, 0.01976111]]),
        "b2": np.zeros((3, 1)),
    },
    "linear_backward": {
        "dA_prev": np.array([[-1.15171336, 0.06718465, -0.3204696, 2.09812712],
                             [0.60345879, -3.72508701, 5.81700741, -3.84326836],
                             [-0.4319552, -1.30987417, 1.72354705, 0.05070578],
                             [-0.38981415, 0.60811244, -1.25938424, 1.47191593],
                             [-2.52214926, 2.67882552, -0.67947465, 1.48119548]]),
        "dW": np.array([[0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716],
                        [0.85508818, 0.37530413, -0.59912655, 0.71278189, -0.58931808],
                        [0.97913304, -0.24376494, -0.08839671, 0.55151192, -0.10290907]]),
        "db": np.array([[-0.14713786], [-0.11313155], [-0.13209101]]),
    },
    "linear_activation_backward": {
        "sigmoid": {
            "dA_prev": np.array([[0.11017994, 0.01105339], [0.09466817, 0.00949723], [-0.05743092, -0.00576154]]),
            "dW": np.array([[0.10266786, 0.09778551, -0.01968084]]),
            "db": np.array([[-0.05729622]]),
        },
        "relu": {
            "dA_prev": np.array([[0.44090989, 0.], [0.37883606, 0.], [-0.2298228, 0.]]),
            "dW": np.array([[0.44513824, 0.37371418, -0.10478989]]),
            "db": np.array([[-0.20837892]]),
        },
    },
    "L_model_backward": {
        "dW1": np.array([[0.41010002, 0.07807203, 0.13798444, 0.10502167],
                         [0., 0., 0., 0.],
                         [0.05283652, 0.01005865, 0.01777766, 0.0135308]]),
        "db1": np.array([[-0.22007063], [0.], [-0.02835349]]),
        "dA1": np.array([[0.12913162, -0.44014127], [-0.14175655, 0.48317296], [0.01663708, -0.05670698]]),
    },
    "update_parameters": {
        "W1": np.array([[-0.59562069, -0.09991781, -2.14584584, 1.82662008],
                        [-1.76569676, -0.80627147, 0.51115557, -1.18258802],
                        [-1.0535704, -0.86128581, 0.68284052, 2.20374577]]),
        "b1": np.array([[-0.04659241], [-1.28888275], [0.53405496]]),
        "W2": np.array([[-0.55569196, 0.0354055, 1.32964895]]),
        "b2": np.array([[-0.84610769]]),
    },
}


# ----------------------------------------------------------------------------------------------------------
# The checks: each one calls the function under test on some inputs and compares with expected outputs.
# Expected outputs are the lesson's published numbers where it publishes them, and the library's own
# (reference) results on further inputs of other shapes, which catch hard-coded sizes.

_GENERATORS = threading.local()


def _seeded(seed, slot="inputs"):
    """np.random.RandomState(seed), the same numbers, without building a generator each time (building one
    takes about 100 µs, seeding one 2 µs, and a grading test draws millions of cases): this thread's generator
    of `slot`, seeded afresh. Draw from it before the next call for the same slot; fresh_cases keeps its own."""
    pool = _GENERATORS.__dict__.setdefault("pool", {})
    rng = pool.get(slot)
    if rng is None:
        rng = pool[slot] = np.random.RandomState()
    rng.seed(seed)
    return rng


def _random_arrays(seed, *shapes):
    rng = _seeded(seed)
    return tuple(rng.randn(*shape) for shape in shapes)


def _against_reference(name, label, inputs, names, fresh=False, **kwargs):
    """A case whose expected outputs are the library's own results on the same inputs."""
    return Case(label, inputs, lambda: getattr(reference, name)(*inputs(), **kwargs), names, kwargs, fresh)


def _published(label, inputs, value, names, kwargs=None):
    return Case(label, inputs, lambda: value, names, kwargs)


def _backward_inputs(sizes, m, seed):
    """Inputs of L_model_backward: a forward pass of a random net with the given layer sizes, random labels."""
    X, parameters = _forward_inputs(sizes, m, seed)
    AL, caches = reference.L_model_forward(X, parameters)
    Y = (_seeded(seed + 1).rand(1, m) > 0.5).astype(int)
    return AL, Y, caches


def _cases():
    E = EXPECTED
    lesson = LESSON
    other = "inputs of other sizes"
    cases = {
        "sigmoid": [_against_reference("sigmoid", lesson, sigmoid_test_case, ("A", "cache"))],
        "relu": [_against_reference("relu", lesson, relu_test_case, ("A", "cache"))],
        "sigmoid_backward": [_against_reference("sigmoid_backward", lesson, activation_backward_test_case, ("dZ",))],
        "relu_backward": [_against_reference("relu_backward", lesson, activation_backward_test_case, ("dZ",))],
        "initialize_parameters": [
            _published(lesson, initialize_parameters_test_case, E["initialize_parameters"], ("parameters",)),
            _against_reference("initialize_parameters", other, lambda: (4, 5, 2), ("parameters",)),
        ],
        "initialize_parameters_deep": [
            _published(lesson, initialize_parameters_deep_test_case, E["initialize_parameters_deep"],
                       ("parameters",)),
            _against_reference("initialize_parameters_deep", "a deeper net", lambda: ([6, 5, 4, 3, 1],),
                               ("parameters",)),
        ],
        "initialize_parameters_deep_scaled": [
            _against_reference("initialize_parameters_deep_scaled", lesson, initialize_parameters_deep_test_case,
                               ("parameters",)),
            _against_reference("initialize_parameters_deep_scaled", "a deeper net", lambda: ([6, 5, 4, 3, 1],),
                               ("parameters",)),
        ],
        "linear_forward": [
            Case(lesson, linear_forward_test_case, lambda: (E["linear_forward"]["Z"], linear_forward_test_case()),
                 ("Z", "cache")),
            _against_reference("linear_forward", other, lambda: _random_arrays(5, (4, 3), (2, 4), (2, 1)),
                               ("Z", "cache")),
        ],
        "linear_activation_forward": [
            _published(f"{lesson}, activation='{activation}'", linear_activation_forward_test_case,
                       (E["linear_activation_forward"][activation], None), ("A", None),
                       {"activation": activation})
            for activation in ("sigmoid", "relu")
        ] + [
            _against_reference("linear_activation_forward", f"{other}, activation='{activation}'",
                               lambda: _random_arrays(7, (4, 3), (2, 4), (2, 1)), ("A", "cache"),
                               activation=activation)
            for activation in ("sigmoid", "relu")
        ],
        "L_model_forward": [
            _published(lesson, L_model_forward_test_case_2hidden, (E["L_model_forward"]["AL"], None), ("AL", None)),
            _against_reference("L_model_forward", lesson, L_model_forward_test_case_2hidden, ("AL", "caches")),
            _against_reference("L_model_forward", "a 4-layer net", lambda: _forward_inputs([3, 4, 4, 2, 1], 5, 8),
                               ("AL", "caches")),
        ],
        "compute_cost": [
            _published(lesson, compute_cost_test_case, E["compute_cost"]["cost"], ("cost",)),
            _against_reference("compute_cost", other, lambda: (np.array([[0.3, 0.6, 0.9, 0.1, 0.5]]),
                                                               np.array([[0, 1, 1, 0, 1]])), ("cost",)),
        ],
        "linear_backward": [
            _published(lesson, linear_backward_test_case, tuple(E["linear_backward"].values()),
                       ("dA_prev", "dW", "db")),
            _against_reference("linear_backward", other, lambda: (_random_arrays(9, (2, 5))[0],
                                                                  _random_arrays(10, (3, 5), (2, 3), (2, 1))),
                               ("dA_prev", "dW", "db")),
        ],
        "linear_activation_backward": [
            _published(f"{lesson}, activation='{activation}'", linear_activation_backward_test_case,
                       tuple(E["linear_activation_backward"][activation].values()), ("dA_prev", "dW", "db"),
                       {"activation": activation})
            for activation in ("sigmoid", "relu")
        ],
        "L_model_backward": [
            _against_reference("L_model_backward", lesson, L_model_backward_test_case, ("grads",)),
            _against_reference("L_model_backward", "a 4-layer net", lambda: _backward_inputs([3, 4, 4, 2, 1], 5, 11),
                               ("grads",)),
        ],
        "update_parameters": [
            _published(lesson, update_parameters_test_case, E["update_parameters"], ("parameters",)),
            _against_reference("update_parameters", "a 3-layer net", lambda: _update_inputs([4, 3, 2, 1], 12),
                               ("parameters",)),
        ],
        "two_layer_model": [
            _against_reference("two_layer_model", "a small data set, 201 iterations",
                               lambda: model_test_case() + ((6, 4, 1),), ("parameters", "costs"),
                               learning_rate=0.1, num_iterations=201),
        ],
        "L_layer_model": [
            _against_reference("L_layer_model", "a small data set, 201 iterations",
                               lambda: model_test_case() + ([6, 5, 3, 1],), ("parameters", "costs"),
                               learning_rate=0.1, num_iterations=201),
        ],
        "predict": [
            _against_reference("predict", "a 3-layer net", lambda: _predict_inputs(13), ("p",)),
            _against_reference("predict", "a 3-layer net that predicts both labels", lambda: _predict_inputs(19),
                               ("p",)),
        ],
    }
    return cases


def _forward_inputs(sizes, m, seed):
    rng = _seeded(seed)
    X = rng.randn(sizes[0], m)
    parameters = {}
    for l in range(1, len(sizes)):
        parameters[f"W{l}"] = rng.randn(sizes[l], sizes[l - 1])
        parameters[f"b{l}"] = rng.randn(sizes[l], 1)
    return X, parameters


def _update_inputs(sizes, seed):
    _, parameters = _forward_inputs(sizes, 1, seed)
    _, grads = _forward_inputs(sizes, 1, seed + 100)
    return parameters, {"d" + key: value for key, value in grads.items()}, 0.05


def _predict_inputs(seed):
    X, parameters = _forward_inputs([4, 3, 2, 1], 12, seed)
    y = (_seeded(seed).rand(1, 12) > 0.5).astype(int)
    return X, y, parameters


def _fresh_inputs(name, rng):
    """Inputs of `name` of random sizes drawn with `rng`: (args, kwargs)."""
    n, p, m = rng.randint(1, 7), rng.randint(1, 7), rng.randint(1, 9)
    seed = int(rng.randint(2 ** 31))
    depth = [int(k) for k in rng.randint(1, 6, size=rng.randint(2, 5))] + [1]
    activation = str(rng.choice(["sigmoid", "relu"]))
    if name in ("sigmoid", "relu"):
        return _random_arrays(seed, (n, m)), {}
    if name in ("sigmoid_backward", "relu_backward"):
        return _random_arrays(seed, (n, m), (n, m)), {}
    if name == "initialize_parameters":
        return (p, n, int(rng.randint(1, 4))), {}
    if name in ("initialize_parameters_deep", "initialize_parameters_deep_scaled"):
        return ([p] + depth,), {}
    if name in ("linear_forward", "linear_activation_forward"):
        return _random_arrays(seed, (p, m), (n, p), (n, 1)), ({"activation": activation}
                                                               if name == "linear_activation_forward" else {})
    if name == "L_model_forward":
        return _forward_inputs([p] + depth, m, seed), {}
    if name == "compute_cost":
        AL = _seeded(seed).uniform(0.02, 0.98, size=(1, m))
        return (AL, (_seeded(seed + 1).rand(1, m) > 0.5).astype(int)), {}
    if name == "linear_backward":
        return (_random_arrays(seed, (n, m))[0], _random_arrays(seed + 1, (p, m), (n, p), (n, 1))), {}
    if name == "linear_activation_backward":
        dA, Z = _random_arrays(seed, (n, m), (n, m))
        return (dA, (_random_arrays(seed + 1, (p, m), (n, p), (n, 1)), Z)), {"activation": activation}
    if name == "L_model_backward":
        return _backward_inputs([p] + depth, m, seed), {}
    if name == "update_parameters":
        parameters, grads, _ = _update_inputs([p] + depth, seed)
        return (parameters, grads, float(rng.choice([0.01, 0.05, 0.1, 0.3]))), {}
    if name in ("two_layer_model", "L_layer_model"):
        X, Y = _random_arrays(seed, (p + 2, 12 + m))[0], None
        Y = (_seeded(seed + 1).randn(1, p + 2) @ X > 0).astype(int)
        dims = (p + 2, n, 1) if name == "two_layer_model" else [p + 2] + depth
        # a few iterations: a copied result earns nothing all the same, and costs kept every 100 iterations
        # are judged on the fixed cases (201 iterations)
        return (X, Y, dims), {"learning_rate": 0.05, "num_iterations": int(rng.randint(2, 4))}
    if name == "predict":
        X, parameters = _forward_inputs([p] + depth, m, seed)
        return (X, (_seeded(seed).rand(1, m) > 0.5).astype(int), parameters), {}
    raise ValueError(f"no fresh cases for {name!r}; expected one of {FUNCTIONS}")


# A fresh case is fair: the library computes it without overflow, 0/0 or division by zero, and no sigmoid in it
# comes near rounding to 0 or 1 (|Z| <= SIGMOID_BOUND: 1 - sigmoid(Z) >= 2e-9 keeps 7 of its digits, where the
# checks compare 5). A drawn case that is not is drawn again, from the same generator, so a seed always gives
# the same cases: a right function, however it is written, never loses its point on the library's bad luck.
SIGMOID_BOUND = 20
FAIR_TRIES = 200


def fair_expected(name, args, kwargs):
    """The library's results on a case of `name`, or None when the case is not fair (see SIGMOID_BOUND)."""
    try:
        with np.errstate(over="raise", divide="raise", invalid="raise"), \
                contextlib.redirect_stdout(io.StringIO()):
            expected = getattr(reference, name)(*_copied(args), **kwargs)
            inside = _sigmoid_inputs(name, args, kwargs, expected)
    except Exception:  # FloatingPointError, or an argument check refusing a non-finite result
        return None
    for Z in inside:
        Z = np.asarray(Z, dtype=float)
        if not np.isfinite(Z).all() or (Z.size and np.abs(Z).max() > SIGMOID_BOUND):
            return None
    return expected


def _sigmoid_inputs(name, args, kwargs, expected):
    """The Z of the sigmoids the library computes on a case (the output layer's, for a network)."""
    sigmoid = kwargs.get("activation") == "sigmoid"
    if name in ("sigmoid", "sigmoid_backward"):
        return [args[-1]]
    if name == "linear_activation_forward":
        return [expected[1][1]] if sigmoid else []
    if name == "linear_activation_backward":
        return [args[1][1]] if sigmoid else []
    if name == "L_model_forward":
        return [expected[1][-1][1]]
    if name == "L_model_backward":
        return [args[2][-1][1]]
    if name == "compute_cost":
        AL = np.asarray(args[0], dtype=float)
        return [np.log(AL) - np.log1p(-AL)]
    if name == "predict":
        return [reference.L_model_forward(args[0], args[2])[1][-1][1]]
    if name in ("two_layer_model", "L_layer_model"):  # the trained network, on its training data
        return [reference.L_model_forward(args[0], expected[0])[1][-1][1]]
    return []


def _copied(value):
    """A copy of plain data (arrays, dicts, lists, tuples, numbers, strings), each array copied on its own."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copied(item) for item in value)
    return copy.deepcopy(value)


@functools.lru_cache(maxsize=None)
def _output_names():
    return {name: cases[-1].names for name, cases in _cases().items()}


def fresh_cases(name, seed, count=2):
    """`count` fair cases of `name` of random sizes, from `seed`, checked against the library's results."""
    rng = _seeded(seed, slot="draws")
    made, names = [], _output_names()[name]
    for _ in range(FAIR_TRIES):
        if len(made) == count:
            return made
        args, kwargs = _fresh_inputs(name, rng)
        expected = fair_expected(name, args, kwargs)
        if expected is not None:
            made.append(Case(f"fresh inputs drawn at grading time (seed {seed})", lambda args=args: _copied(args),
                             lambda kept=expected: _copied(kept), names, kwargs, fresh=True))
    raise RuntimeError(f"fresh_cases: {FAIR_TRIES} draws of {name} from seed {seed} gave {len(made)} fair cases; "
                       f"expected {count}")


def cases(name, fresh=None):
    """The cases `name` is checked on: the lesson's and those of other sizes, then, when `fresh` is a seed,
    cases of random sizes drawn from it (a grader draws them afresh, so that copied values earn nothing)."""
    if name not in FUNCTIONS:
        raise ValueError(f"cases: name={name!r} is not a graded function; expected one of {', '.join(FUNCTIONS)}")
    return _cases()[name] + (fresh_cases(name, fresh) if fresh is not None else [])


FUNCTIONS = ("sigmoid", "relu", "sigmoid_backward", "relu_backward", "initialize_parameters",
             "initialize_parameters_deep", "initialize_parameters_deep_scaled", "linear_forward",
             "linear_activation_forward", "L_model_forward", "compute_cost", "linear_backward",
             "linear_activation_backward", "L_model_backward", "update_parameters", "two_layer_model",
             "L_layer_model", "predict")

_CHECKS = Checks(cases, MISTAKES.__getitem__, failed=lambda name: [hints_note(name)], names=FUNCTIONS,
                 where=NOTEBOOKS.get)
examine, judge, problems, diagnose, report = (_CHECKS.examine, _CHECKS.judge, _CHECKS.problems, _CHECKS.diagnose,
                                              _CHECKS.report)
upstream = _CHECKS.upstream

check_sigmoid = _CHECKS.checker("sigmoid")
check_relu = _CHECKS.checker("relu")
check_sigmoid_backward = _CHECKS.checker("sigmoid_backward")
check_relu_backward = _CHECKS.checker("relu_backward")
check_initialize_parameters = _CHECKS.checker("initialize_parameters")
check_initialize_parameters_deep = _CHECKS.checker("initialize_parameters_deep")
check_initialize_parameters_deep_scaled = _CHECKS.checker("initialize_parameters_deep_scaled")
check_linear_forward = _CHECKS.checker("linear_forward")
check_linear_activation_forward = _CHECKS.checker("linear_activation_forward")
check_L_model_forward = _CHECKS.checker("L_model_forward")
check_compute_cost = _CHECKS.checker("compute_cost")
check_linear_backward = _CHECKS.checker("linear_backward")
check_linear_activation_backward = _CHECKS.checker("linear_activation_backward")
check_L_model_backward = _CHECKS.checker("L_model_backward")
check_update_parameters = _CHECKS.checker("update_parameters")
check_two_layer_model = _CHECKS.checker("two_layer_model")
check_L_layer_model = _CHECKS.checker("L_layer_model")
check_predict = _CHECKS.checker("predict")


# ----------------------------------------------------------------------------------------------------------
# The checks as data, for the student edition: no reference implementation, no mistaken version

def _stored_spec(name, spec, fixed):
    """A rule of MISTAKES[name] as plain data: a "like" rule carries its versions' runs on the fixed cases."""
    if spec["rule"] == "like":
        return {"rule": "like", "runs": [[encode_run(mistaken_run(version, _probe(name, index, case)))
                                          for index, case in enumerate(fixed)] for version in spec["versions"]]}
    if spec["rule"] == "any":
        return {"rule": "any", "of": [_stored_spec(name, part, fixed) for part in spec["of"]]}
    return dict(spec)


def _probe(name, index, case):
    """An Outcome standing for a run of `case`, only to key the mistaken versions' runs."""
    return Outcome(name, index, case, None, None)


def stored_checks(names=None):
    """The fixed cases of the functions `names` (default: all), their expected outputs and the mistakes'
    rules, as JSON-ready data: {name: {"cases": [{"label", "inputs", "kwargs", "names", "expected"}],
    "mistakes": [{"id", "rule"...}]}}. The student edition's checks (companion/feedback/stored.py) judge from it
    exactly as these do."""
    stored = {}
    for name in names or FUNCTIONS:
        fixed = cases(name)
        with contextlib.redirect_stdout(io.StringIO()):  # predict prints its accuracy
            expected = [encode(case.expected()) for case in fixed]
        stored[name] = {
            "cases": [{"label": case.label, "inputs": encode(case.inputs()), "kwargs": encode(case.kwargs),
                       "names": list(case.names), "expected": outputs} for case, outputs in zip(fixed, expected)],
            "mistakes": [{"id": m.id, **_stored_spec(name, m.recognise.spec, fixed)} for m in MISTAKES[name]],
        }
    return stored


one_line_for_unwritten_functions()
