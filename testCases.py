"""Inputs, expected outputs and checkers for every function of the course.

For each function the lesson's inputs (seeded as the lesson seeds them) come from `<name>_test_case()`, the
outputs the lesson publishes are in `EXPECTED`, and `check_<name>(fn)` runs any implementation `fn`, yours or
the library's, and prints a short verdict:

    >>> check_linear_forward(linear_forward)
    linear_forward: all 3 checks passed.

or says what is wrong: a wrong type, a wrong shape (expected vs got), wrong values (which entry, expected vs
got), inputs that were modified, an error raised. `problems(name, fn)` returns the same findings as a list,
for tests and grading. `gradient_check` compares a backward pass with centred finite differences.
"""
import collections
import contextlib
import copy
import io
import numbers
import os
import sys
import traceback

import numpy as np

import dnn_utils as reference

RTOL, ATOL = 1e-5, 1e-7
LESSON = "the lesson's inputs"  # the label of the cases that use the lesson's own inputs


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

class Case:
    """One call of the function under test: `inputs()` makes fresh arguments; `expected(outputs)` is what
    a correct implementation returns, named by `names` (the function's outputs, in order)."""

    def __init__(self, label, inputs, expected, names, kwargs=None, fresh=False):
        self.label, self.inputs, self.expected, self.names = label, inputs, expected, names
        self.kwargs, self.fresh, self.mistaken_runs = kwargs or {}, fresh, {}


def _random_arrays(seed, *shapes):
    rng = np.random.RandomState(seed)
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
    Y = (np.random.RandomState(seed + 1).rand(1, m) > 0.5).astype(int)
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
        ],
    }
    return cases


def _forward_inputs(sizes, m, seed):
    rng = np.random.RandomState(seed)
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
    y = (np.random.RandomState(seed).rand(1, 12) > 0.5).astype(int)
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
        AL = np.random.RandomState(seed).uniform(0.02, 0.98, size=(1, m))
        return (AL, (np.random.RandomState(seed + 1).rand(1, m) > 0.5).astype(int)), {}
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
        Y = (np.random.RandomState(seed + 1).randn(1, p + 2) @ X > 0).astype(int)
        dims = (p + 2, n, 1) if name == "two_layer_model" else [p + 2] + depth
        return (X, Y, dims), {"learning_rate": 0.05, "num_iterations": int(rng.randint(101, 202))}
    if name == "predict":
        X, parameters = _forward_inputs([p] + depth, m, seed)
        return (X, (np.random.RandomState(seed).rand(1, m) > 0.5).astype(int), parameters), {}
    raise ValueError(f"no fresh cases for {name!r}; expected one of {FUNCTIONS}")


def _fresh_cases(name, seed, count=2):
    """`count` cases of `name` of random sizes, from `seed`, checked against the library's results."""
    rng = np.random.RandomState(seed)
    made = []
    for _ in range(count):
        args, kwargs = _fresh_inputs(name, rng)
        inputs = lambda args=args: copy.deepcopy(args)
        made.append(_against_reference(name, f"fresh inputs drawn at grading time (seed {seed})", inputs,
                                       _cases()[name][-1].names, fresh=True, **kwargs))
    return made


# ----------------------------------------------------------------------------------------------------------
# Comparing what a function returned with what was expected

def _compare(where, got, expected, problems):
    """Append to `problems` a sentence for each way `got` differs from `expected`; `where` names the output."""
    if expected is None:
        return
    if isinstance(expected, np.ndarray):
        _compare_array(where, got, expected, problems)
    elif isinstance(expected, dict):
        if not isinstance(got, dict):
            problems.append(f"wrong type: {where} should be a dict, got {_kind(got)}")
            return
        missing = [key for key in expected if key not in got]
        extra = [key for key in got if key not in expected]
        if missing:
            problems.append(f"wrong keys: {where} is missing {missing}")
        if extra:
            problems.append(f"wrong keys: {where} has unexpected {extra}")
        for key in expected:
            if key in got:
                _compare(f"{where}[{key!r}]", got[key], expected[key], problems)
    elif isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            problems.append(f"wrong type: {where} should be a {type(expected).__name__} of {len(expected)} items, "
                            f"got {_kind(got)}")
        elif len(got) != len(expected):
            problems.append(f"wrong length: {where} should have {len(expected)} items, got {len(got)}")
        else:
            for i, (g, e) in enumerate(zip(got, expected)):
                _compare(f"{where}[{i}]", g, e, problems)
    elif isinstance(expected, numbers.Real):
        _compare_array(where, got, np.asarray(expected, dtype=float), problems)


def _compare_array(where, got, expected, problems):
    if expected.ndim == 0:
        if isinstance(got, np.ndarray) and got.ndim > 0:
            problems.append(f"wrong shape: {where} should be a number (a 0-d array, e.g. from np.squeeze), "
                            f"got an array of shape {got.shape}")
            return
        if not isinstance(got, (numbers.Real, np.ndarray)):
            problems.append(f"wrong type: {where} should be a number, got {_kind(got)}")
            return
    elif not isinstance(got, np.ndarray):
        problems.append(f"wrong type: {where} should be a numpy array of shape {expected.shape}, got {_kind(got)}")
        return
    got = np.asarray(got)
    if got.shape != expected.shape:
        hint = " (it looks transposed)" if got.shape == expected.shape[::-1] and got.ndim == 2 else ""
        problems.append(f"wrong shape: {where} should have shape {expected.shape}, got {got.shape}{hint}")
        return
    if got.dtype.kind not in "fiub":
        problems.append(f"wrong type: {where} should hold numbers, got dtype {got.dtype}")
        return
    close = np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    if not close.all():
        bad = np.argwhere(~close)
        if expected.ndim == 0:
            problems.append(f"wrong values: {where} should be {_num(expected)}, got {_num(got)}")
        else:
            first = tuple(int(i) for i in bad[0])
            problems.append(f"wrong values: {where} differs in {len(bad)} of {expected.size} entries; at index "
                            f"{first} expected {_num(expected[first])}, got {_num(got[first])}")


def _num(value):
    return f"{float(value):.8g}"


def _kind(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"{type(value).__name__}"


def _unchanged(before, after):
    """True when two nested structures of arrays hold the same values."""
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and before.shape == after.shape and np.array_equal(before, after)
    if isinstance(before, dict):
        return isinstance(after, dict) and before.keys() == after.keys() and all(
            _unchanged(before[k], after[k]) for k in before)
    if isinstance(before, (tuple, list)):
        return len(before) == len(after) and all(_unchanged(b, a) for b, a in zip(before, after))
    return before == after


# ----------------------------------------------------------------------------------------------------------
# Running a check

class Outcome:
    """One case run on a function: its arguments before (`kept`) and after the call (`args`), then the
    outputs (`got`) or the error raised (`error`). `Outcome.of_call` makes one by calling the function here;
    a grader that ran the function elsewhere (in a jail) builds one from what came back."""

    def __init__(self, name, index, case, kept, args, got=None, error=None):
        self.name, self.index, self.case = name, index, case
        self.kept, self.args, self.got, self.error = kept, args, got, error
        self.modified = not _unchanged(self.kept, self.args)
        self._expected = self._findings = None

    @classmethod
    def of_call(cls, name, index, case, fn):
        """Call `fn` on the case's inputs here. A NotImplementedError is let through: nothing to check."""
        args = case.inputs()
        kept = copy.deepcopy(args)
        got = error = None
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # keep the verdict readable
                got = fn(*args, **case.kwargs)
        except NotImplementedError:
            raise
        except Exception as raised:  # a learner's bug: report it, don't crash the notebook
            error = raised
        return cls(name, index, case, kept, args, got, error)

    @property
    def expected(self):
        """What a correct implementation returns on this case."""
        if self._expected is None:
            with contextlib.redirect_stdout(io.StringIO()):
                self._expected = (self.case.expected(),)
        return self._expected[0]

    @property
    def findings(self):
        """The sentences saying how this run differs from a correct one (empty when it does not)."""
        if self._findings is None:
            self._findings = _findings(self)
        return self._findings


def _findings(outcome):
    case, error = outcome.case, outcome.error
    if error is not None:
        lineno, line = getattr(error, "learners_line", None) or _learners_line(error)
        return [f"raised {type(error).__name__}: {error} (line {lineno}: {line}) on {case.label}"]
    found = _differences(case, outcome.got, outcome.expected)
    if found and found[0].startswith("wrong outputs: "):  # nothing more to compare
        return [f"wrong outputs on {case.label}: {found[0][len('wrong outputs: '):]}"]
    found = [f"{finding} on {case.label}" for finding in found]
    if outcome.modified:
        found.append(f"modified its inputs on {case.label}: work on copies (e.g. parameters.copy()) or "
                     f"build new arrays instead of changing the arguments in place")
    return found


_NOT_THE_LEARNERS = (os.path.dirname(np.__file__), os.path.dirname(copy.__file__), reference.__file__,
                     reference.check.__file__, __file__)


def _learners_line(error):
    """The innermost line of the traceback in the learner's code (not in numpy, Python or the library),
    where the mistake is; the innermost line of all when there is none."""
    frames = traceback.extract_tb(error.__traceback__)
    mine = [frame for frame in frames if not frame.filename.startswith(_NOT_THE_LEARNERS)]
    last = (mine or frames)[-1] if frames else None
    return (last.lineno, last.line) if last else (None, "")


def _differences(case, got, expected):
    """How the outputs `got` of a case differ from `expected`, output by output (named as in case.names)."""
    names = case.names
    if len(names) == 1:
        got, expected = (got,), (expected,)
    elif not isinstance(got, tuple) or len(got) != len(names):
        return [f"wrong outputs: expected {len(names)} outputs ({', '.join(n for n in names if n)}), got "
                f"{_kind(got)}" + (f" of {len(got)}" if isinstance(got, tuple) else "")]
    elif not isinstance(expected, tuple) or len(expected) != len(names):  # a mistaken version's outputs
        return [] if _unchanged(expected, got) else ["different outputs"]
    found = []
    for output_name, g, e in zip(names, got, expected):
        if output_name:
            _compare(output_name, g, e, found)
    return found


def cases(name, fresh=None):
    """The cases `name` is checked on: the lesson's and those of other sizes, then, when `fresh` is a seed,
    cases of random sizes drawn from it (a grader draws them afresh, so that copied values earn nothing)."""
    return _cases()[name] + (_fresh_cases(name, fresh) if fresh is not None else [])


def _outcomes(name, fn, fresh=None):
    """Every case of `name` run on `fn`, or None when `fn` is not implemented yet."""
    try:
        return [Outcome.of_call(name, index, case, fn) for index, case in enumerate(cases(name, fresh))]
    except NotImplementedError:
        return None


def _not_implemented(name):
    return (f"not implemented yet: {name} raises NotImplementedError; write your code where it says "
            f"YOUR CODE HERE")


def examine(name, fn, fresh=None):
    """Run the checks of `name` on `fn`: (findings, mistake), the list of findings (empty when all is right)
    and the most likely mistake behind them (a Mistake of MISTAKES[name], or None when none is recognised).
    `fresh`: a seed, to add cases of random sizes drawn from it."""
    return judge(name, _outcomes(name, fn, fresh))


def judge(name, outcomes):
    """(findings, mistake) for the runs `outcomes` (Outcome objects, one per case; None: not implemented)."""
    if outcomes is None:
        return [_not_implemented(name)], None
    found = [finding for outcome in outcomes for finding in outcome.findings]
    return found, (_recognise(name, outcomes) if found else None)


def problems(name, fn):
    """Run every case of function `name` on `fn`; return a list of findings (empty when all is right)."""
    return examine(name, fn)[0]


def diagnose(name, fn):
    """The id of the most likely mistake in `fn` as an implementation of `name`, or None (right, not
    implemented yet, or wrong in a way not in MISTAKES[name])."""
    mistake = examine(name, fn)[1]
    return mistake.id if mistake else None


def report(name, fn):
    """Print the verdict on `fn` as an implementation of `name`; return True when every check passed."""
    found, mistake = examine(name, fn)
    if not found:
        count = len(_cases()[name])
        print(f"{name}: all {count} checks passed." if count > 1 else f"{name}: the check passed.")
        return True
    print(f"{name}: {len(found)} problem(s) found:")
    for finding in found:
        print(f"  - {finding}")
    if mistake:
        print(f"  - likely mistake: {mistake.explanation}")
    return False


class CheckFailed(AssertionError):
    """Raised by a checker called with strict=True when a check fails (for autograders such as nbgrader)."""


def _make_checker(name):
    def check(fn, strict=False):
        if not report(name, fn) and strict:
            raise CheckFailed(f"{name} does not pass its checks yet (see above)")
    check.__name__ = f"check_{name}"
    check.__doc__ = (f"Run the checks of {name} on the function `fn` and print the verdict; with strict=True, "
                     f"also raise CheckFailed when a check fails.")
    return check


# ----------------------------------------------------------------------------------------------------------
# The mistakes learners make most, by name
#
# MISTAKES[name] lists, most likely first, the mistakes recognised in an implementation of `name` that fails
# its checks: an id, the explanation shown to the learner, and how to recognise it from the runs of the
# cases (Outcome objects). Most are recognised by a mistaken version of the function ("like"): the learner's
# outputs, or the error raised, are those of the mistaken version on every case. The others look at what
# went wrong: an error raised, the shape or scale of the outputs, which cases fail.

class Mistake(collections.namedtuple("Mistake", "id explanation recognise")):
    """A mistake: `id` (short, for grading), `explanation` (for the learner), `recognise(outcomes)`."""


_MISTAKEN_RUNS = {}


def _mistaken_run(mistaken, outcome):
    """The run of the mistaken version `mistaken` on the case of `outcome` (kept for the fixed cases, whose
    inputs never change; a fresh case keeps its own)."""
    runs = outcome.case.mistaken_runs if outcome.case.fresh else _MISTAKEN_RUNS
    key = (mistaken, outcome.name, outcome.index)
    if key not in runs:
        runs[key] = Outcome.of_call(outcome.name, outcome.index, outcome.case, mistaken)
    return runs[key]


def _agree(outcome, other):
    """True when two runs of one case raised the same error, or returned the same outputs."""
    if outcome.error is not None or other.error is not None:
        return (type(outcome.error) is type(other.error)) and str(outcome.error) == str(other.error)
    return not _differences(outcome.case, outcome.got, other.got)


def _like(*mistaken_versions):
    """Recognised when, on every case, the function does what one of the mistaken versions does."""
    def recognise(outcomes):
        return any(all(_agree(outcome, _mistaken_run(mistaken, outcome)) for outcome in outcomes)
                   for mistaken in mistaken_versions)
    return recognise


def _raises(*fragments, kinds=Exception):
    """Recognised when a case raised an error of one of the `kinds` whose message holds one of the fragments."""
    def recognise(outcomes):
        return any(isinstance(outcome.error, kinds)
                   and (not fragments or any(fragment in str(outcome.error) for fragment in fragments))
                   for outcome in outcomes)
    return recognise


def _any(*recognisers):
    return lambda outcomes: any(recognise(outcomes) for recognise in recognisers)


def _right_on_the_lesson_only(outcomes):
    """Right on the lesson's inputs, wrong on other sizes: sizes or a number of layers written into the code."""
    lesson = [outcome for outcome in outcomes if outcome.case.label.startswith(LESSON)]
    others = [outcome for outcome in outcomes if not outcome.case.label.startswith(LESSON)]
    return bool(lesson) and not any(o.findings for o in lesson) and any(o.findings for o in others)


def _right_but_changes_its_inputs(outcomes):
    return all(outcome.error is None and not _differences(outcome.case, outcome.got, outcome.expected)
               for outcome in outcomes) and any(outcome.modified for outcome in outcomes)


def _only_wrong_in(output):
    """Recognised when every finding is about the output named `output` (e.g. costs)."""
    def recognise(outcomes):
        found = [finding for outcome in outcomes for finding in outcome.findings]
        return all(finding.split(": ", 1)[-1].startswith(output) for finding in found)
    return recognise


def _Z_looks_transposed(outcomes):
    return any(finding.startswith("wrong shape: Z ") and "(it looks transposed)" in finding
               for outcome in outcomes for finding in outcome.findings)


def _every(prefix, test):
    """Recognised when every returned parameter named prefix... passes test(got, expected), in every case."""
    def recognise(outcomes):
        for outcome in outcomes:
            got, expected = outcome.got, outcome.expected
            if outcome.error is not None or not isinstance(got, dict):
                return False
            for key in (key for key in expected if key.startswith(prefix)):
                if not (isinstance(got.get(key), np.ndarray) and test(got[key], expected[key])):
                    return False
        return True
    return recognise


def _scaled_by(factor):
    """W[l] is the expected one times factor(n[l], n[l-1])."""
    return _every("W", lambda got, W: got.shape == W.shape and np.allclose(got, W * factor(*W.shape), rtol=1e-4,
                                                                             atol=1e-9))


_W_transposed = _every("W", lambda got, W: got.shape == W.shape[::-1])
_b_not_zeros = _every("b", lambda got, b: got.shape == b.shape and bool(np.any(got)))
_b_zeros_of_some_shape = _every("b", lambda got, b: got.size == b.size and not np.any(got))
_W_zeros = _every("W", lambda got, W: got.shape == W.shape and not np.any(got))


def _b_wrong_shape(outcomes):
    return _b_zeros_of_some_shape(outcomes) and any(finding.startswith("wrong shape: parameters['b")
                                                    for outcome in outcomes for finding in outcome.findings)


def _layers_off_by_one(outcomes):
    """The parameters of the first or last layer are missing, or one layer too many, or an index error."""
    for outcome in outcomes:
        if isinstance(outcome.error, IndexError):
            return True
        if isinstance(outcome.got, dict):
            L = len(outcome.expected) // 2
            edges = {f"{kind}{l}" for kind in "Wb" for l in (0, 1, L, L + 1)}
            wrong = set(outcome.got) ^ set(outcome.expected)
            if wrong and wrong <= edges:
                return True
    return False


def _with_output(fn, index, change):
    """fn, with its output number `index` replaced by change(outputs, *args, **kwargs)."""
    def mistaken(*args, **kwargs):
        outputs = list(fn(*args, **kwargs))
        outputs[index] = change(outputs, *args, **kwargs)
        return tuple(outputs)
    return mistaken


def _forward(hidden="relu", output="sigmoid", layers=lambda L: range(1, L), count=lambda p: len(p) // 2,
             keep_last=True):
    """L_model_forward with the activations, the hidden layers looped over and the count of layers given."""
    def forward(X, parameters):
        A, caches, L = X, [], count(parameters)
        for l in layers(L):
            A, cache = reference.linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], hidden)
            caches.append(cache)
        AL, cache = reference.linear_activation_forward(A, parameters[f"W{L}"], parameters[f"b{L}"], output)
        return AL, caches + [cache] * keep_last
    return forward


def _dAL(AL, Y):
    return -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))


def _backward(dAL=_dAL, hidden="relu", output="sigmoid", layers=lambda L: reversed(range(L - 1)),
              upper=lambda l: l + 1):
    """L_model_backward with dAL, the activations, the layers looped over and the gradient fed to each given."""
    def backward(AL, Y, caches):
        L = len(caches)
        Y = Y.reshape(AL.shape)
        grads = dict(zip((f"dA{L - 1}", f"dW{L}", f"db{L}"),
                         reference.linear_activation_backward(dAL(AL, Y), caches[L - 1], output)))
        for l in layers(L):
            grads.update(zip((f"dA{l}", f"dW{l + 1}", f"db{l + 1}"),
                             reference.linear_activation_backward(grads[f"dA{upper(l)}"], caches[l], hidden)))
        return grads
    return backward


def _update(sign=-1, rate=lambda learning_rate: learning_rate, update_b=True, count=lambda p: len(p) // 2):
    """update_parameters with the direction, the step, the parameters updated and the count of layers given."""
    def update(parameters, grads, learning_rate):
        parameters = dict(parameters)
        for l in range(1, count(parameters) + 1):
            for kind in "Wb" if update_b else "W":
                key = f"{kind}{l}"
                parameters[key] = parameters[key] + sign * rate(learning_rate) * grads["d" + key]
        return parameters
    return update


def _model(initialize, assign=True, rate=None):
    """The lessons' training loop from initialize(layers_dims), its updates kept or not, at a rate or another."""
    def model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
        np.random.seed(1)
        parameters, costs = initialize(layers_dims), []
        for i in range(num_iterations):
            AL, caches = reference.L_model_forward(X, parameters)
            cost = reference.compute_cost(AL, Y)
            updated = reference.update_parameters(parameters, reference.L_model_backward(AL, Y, caches),
                                                  rate or learning_rate)
            parameters = updated if assign else parameters
            if i % 100 == 0:
                costs.append(cost)
        return parameters, costs
    return model


def _sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


_OTHER = {"sigmoid": "relu", "relu": "sigmoid"}
_BACKWARD = {"sigmoid": reference.sigmoid_backward, "relu": reference.relu_backward}
_SHAPES_MISMATCH = ("not aligned", "mismatch in its core dimension")
_NOT_UPDATED = ("the parameters are never updated: update_parameters returns a new dict and leaves its argument "
                "alone, so keep its result: parameters = update_parameters(parameters, grads, learning_rate)")
_RATE_IGNORED = ("learning_rate is not used: pass the function's argument learning_rate to update_parameters "
                 "instead of a number")
_COSTS_WHEN = ("the parameters are right but the costs are not: keep the cost of iterations 0, 100, 200, ... "
               "(if i % 100 == 0: costs.append(cost)), whether print_cost is True or not")
_HARD_CODED = ("right on the lesson's network but wrong on one of another depth: loop over the L layers "
               "(L = len(parameters) // 2) instead of writing out a fixed number of them")
_CACHE_IS_A = "the cache must be Z, the activation's input, not A: the backward pass needs Z"

MISTAKES = {
    "sigmoid": [
        Mistake("sign_flipped", "the sign in the exponent is flipped: A = 1 / (1 + np.exp(-Z)), with a minus",
                _like(lambda Z: (1 / (1 + np.exp(Z)), Z))),
        Mistake("precedence", "1 / 1 + np.exp(-Z) divides 1 by 1 first, then adds; the denominator needs "
                              "brackets: 1 / (1 + np.exp(-Z))", _like(lambda Z: (1 + np.exp(-Z), Z))),
        Mistake("cache_is_A", _CACHE_IS_A, _like(lambda Z: (_sigmoid(Z), _sigmoid(Z)))),
    ],
    "relu": [
        Mistake("np_max", "np.max(0, Z) and max(0, Z) look for the largest entry of a whole array (and fail "
                          "here); the maximum entry by entry is np.maximum(0, Z)",
                _raises("only integer scalar arrays", "truth value of an array", "inhomogeneous")),
        Mistake("minimum", "np.minimum(0, Z) keeps the negative part; ReLU keeps the positive part: "
                           "np.maximum(0, Z)", _like(lambda Z: (np.minimum(0, Z), Z))),
        Mistake("returns_mask", "Z > 0 is ReLU's slope (0 or 1), not ReLU itself: A = np.maximum(0, Z)",
                _like(lambda Z: ((Z > 0) * 1.0, Z))),
        Mistake("cache_is_A", _CACHE_IS_A, _like(lambda Z: (np.maximum(0, Z), np.maximum(0, Z)))),
    ],
    "relu_backward": [
        Mistake("mask_inverted", "the mask is inverted: the gradient passes where Z > 0 and is set to 0 where "
                                 "Z <= 0", _like(lambda dA, Z: np.where(Z > 0, 0, dA))),
        Mistake("unmasked", "dZ is dA unchanged: set it to 0 where Z <= 0 (ReLU's slope is 0 there)",
                _like(lambda dA, Z: dA)),
        Mistake("mask_of_dA", "the mask must come from Z, the cache, not from dA: dZ[Z <= 0] = 0",
                _like(lambda dA, Z: np.where(dA <= 0, 0, dA))),
        Mistake("returns_mask", "Z > 0 is ReLU's slope; dZ = dA * g'(Z) keeps dA where Z > 0 and 0 elsewhere",
                _like(lambda dA, Z: (Z > 0) * 1.0)),
        Mistake("aliasing", "dZ = dA makes dZ a second name for the same array, so setting entries of dZ to 0 "
                            "changes dA too; start from a copy: dZ = np.array(dA, copy=True)",
                _right_but_changes_its_inputs),
    ],
    "sigmoid_backward": [
        Mistake("dA_left_out", "dA is left out: dZ = dA * s * (1 - s), the sigmoid's slope times dA",
                _like(lambda dA, Z: _sigmoid(Z) * (1 - _sigmoid(Z)))),
        Mistake("one_minus_s_left_out", "the sigmoid's slope is s * (1 - s), not s: dZ = dA * s * (1 - s)",
                _like(lambda dA, Z: dA * _sigmoid(Z))),
        Mistake("slope_of_Z", "the cache holds Z, not the sigmoid's output: compute s = 1 / (1 + np.exp(-Z)) "
                              "first, then dZ = dA * s * (1 - s)", _like(lambda dA, Z: dA * Z * (1 - Z))),
    ],
    "initialize_parameters": [
        Mistake("no_scale", "the weights are not scaled: W = np.random.randn(...) * 0.01",
                _scaled_by(lambda n, p: 100)),
        Mistake("W_transposed", "W1 must have shape (n_h, n_x) and W2 (n_y, n_h): one row per unit of the layer, "
                                "one column per input", _W_transposed),
        Mistake("W_zeros", "the weights are all zeros: every unit then computes the same thing and learns the "
                           "same thing; start them random: np.random.randn(...) * 0.01", _W_zeros),
        Mistake("b_not_zeros", "the biases should start at zero: b = np.zeros((n, 1))", _b_not_zeros),
        Mistake("b_wrong_shape", "each b must be a column of shape (n, 1): np.zeros((n, 1)), not np.zeros(n)",
                _b_wrong_shape),
    ],
    "initialize_parameters_deep": [
        Mistake("no_scale", "the weights are not scaled: W[l] = np.random.randn(n[l], n[l-1]) * 0.01",
                _scaled_by(lambda n, p: 100)),
        Mistake("W_transposed", "W[l] must have shape (n[l], n[l-1]) = (layer_dims[l], layer_dims[l - 1]), "
                                "not (n[l-1], n[l])", _W_transposed),
        Mistake("b_not_zeros", "the biases should start at zero: b[l] = np.zeros((n[l], 1))", _b_not_zeros),
        Mistake("b_wrong_shape", "each b[l] must be a column of shape (n[l], 1): np.zeros((layer_dims[l], 1))",
                _b_wrong_shape),
        Mistake("loop_off_by_one", "the loop over the layers is off by one: for l in range(1, L) with "
                                   "L = len(layer_dims) makes W1, b1, ..., W[L-1], b[L-1]", _layers_off_by_one),
    ],
    "initialize_parameters_deep_scaled": [
        Mistake("scale_0_01", "these weights are scaled by 1 / sqrt(n[l-1]), not by 0.01: "
                              "np.random.randn(n[l], n[l-1]) / np.sqrt(n[l-1])",
                _scaled_by(lambda n, p: np.sqrt(p) * 0.01)),
        Mistake("sqrt_of_n_l", "divide by the square root of the previous layer's size, n[l-1] = "
                               "layer_dims[l - 1], not of this layer's", _scaled_by(lambda n, p: np.sqrt(p / n))),
        Mistake("no_sqrt", "divide by the square root of n[l-1], not by n[l-1] itself: "
                           "/ np.sqrt(layer_dims[l - 1])",
                _scaled_by(lambda n, p: 1 / np.sqrt(p))),
        Mistake("W_transposed", "W[l] must have shape (n[l], n[l-1]) = (layer_dims[l], layer_dims[l - 1])",
                _W_transposed),
        Mistake("b_not_zeros", "the biases should start at zero: b[l] = np.zeros((n[l], 1))", _b_not_zeros),
    ],
    "linear_forward": [
        Mistake("product_order", "Z = W A: W (n[l], n[l-1]) comes first and A (n[l-1], m) second, as "
                                 "np.dot(W, A) or W @ A", _any(_raises(*_SHAPES_MISMATCH), _Z_looks_transposed)),
        Mistake("elementwise", "W * A multiplies entry by entry; the layer needs the matrix product "
                               "np.dot(W, A)", _raises("could not be broadcast")),
        Mistake("b_left_out", "b is left out: Z = np.dot(W, A) + b",
                _like(_with_output(reference.linear_forward, 0, lambda outputs, A, W, b: outputs[0] - b))),
        Mistake("cache_order", "the cache must be the tuple (A, W, b), in that order",
                _like(_with_output(reference.linear_forward, 1, lambda outputs, A, W, b: (W, A, b)),
                      _with_output(reference.linear_forward, 1, lambda outputs, A, W, b: (A, W)))),
    ],
    "linear_activation_forward": [
        Mistake("activations_swapped", "the activations are swapped: activation='sigmoid' calls sigmoid(Z) and "
                                       "activation='relu' calls relu(Z)",
                _like(lambda A_prev, W, b, activation: reference.linear_activation_forward(A_prev, W, b,
                                                                                           _OTHER[activation]))),
        Mistake("activation_ignored", "the activation argument is ignored: use sigmoid when it is 'sigmoid' and "
                                      "relu when it is 'relu'",
                _like(*(lambda A_prev, W, b, activation, g=g: reference.linear_activation_forward(A_prev, W, b, g)
                        for g in ("sigmoid", "relu")))),
        Mistake("returns_Z", "the function returns Z; it should return A = g(Z), the activation's output",
                _like(_with_output(reference.linear_activation_forward, 0,
                                   lambda outputs, *args, **kw: outputs[1][1]))),
        Mistake("cache_order", "the cache must be (linear_cache, activation_cache) = ((A_prev, W, b), Z)",
                _like(_with_output(reference.linear_activation_forward, 1,
                                   lambda outputs, *args, **kw: outputs[1][::-1]))),
    ],
    "L_model_forward": [
        Mistake("output_relu", "the output layer must use sigmoid (a probability), only the hidden layers relu",
                _like(_forward(output="relu"))),
        Mistake("hidden_sigmoid", "the hidden layers must use relu; only the output layer uses sigmoid",
                _like(_forward(hidden="sigmoid"))),
        Mistake("L_not_halved", "parameters holds two entries per layer (W and b): L = len(parameters) // 2",
                _like(_forward(count=len))),
        Mistake("last_cache_missing", "the output layer's cache is not kept: append it to caches too "
                                      "(one cache per layer, L in all)", _like(_forward(keep_last=False))),
        Mistake("hard_coded_layers", _HARD_CODED, _right_on_the_lesson_only),
        Mistake("loop_off_by_one", "the loop over the hidden layers is off by one: for l in range(1, L) gives "
                                   "layers 1 to L-1, then layer L uses sigmoid",
                _like(*(_forward(layers=layers) for layers in (lambda L: range(1, L - 1), lambda L: range(L),
                                                               lambda L: range(1, L + 1), lambda L: range(2, L))))),
    ],
    "compute_cost": [
        Mistake("no_minus", "the cost has no minus sign: J = -(1/m) sum(y log(a) + (1 - y) log(1 - a))",
                _like(lambda AL, Y: -reference.compute_cost(AL, Y))),
        Mistake("no_1_over_m", "the cost is a sum, not a mean: divide by m, J = -(1/m) sum(...)",
                _like(lambda AL, Y: reference.compute_cost(AL, Y) * Y.shape[1])),
        Mistake("only_y_log_a", "the cost has only the y log(a) term; add (1 - y) log(1 - a), the loss of the "
                                "examples labelled 0", _like(lambda AL, Y: -np.sum(Y * np.log(AL)) / Y.shape[1])),
        Mistake("not_squeezed", "the cost is a (1, 1) array: np.squeeze(cost) turns it into a number",
                _like(lambda AL, Y: np.reshape(reference.compute_cost(AL, Y), (1, 1)))),
        Mistake("dot_shapes", "np.dot(Y, np.log(AL)) multiplies two (1, m) rows: transpose the second, "
                              "np.dot(Y, np.log(AL).T), or use np.sum(Y * np.log(AL))", _raises(*_SHAPES_MISMATCH)),
    ],
    "linear_backward": [
        Mistake("dW_no_1_over_m", "dW has no 1/m: dW = (1/m) np.dot(dZ, A_prev.T)",
                _like(_with_output(reference.linear_backward, 1, lambda out, dZ, cache: out[1] * dZ.shape[1]))),
        Mistake("db_sum", "db sums over the examples only, one value per unit, kept as a column: "
                          "db = (1/m) np.sum(dZ, axis=1, keepdims=True)",
                _like(*(_with_output(reference.linear_backward, 2, change) for change in (
                    lambda out, dZ, cache: np.sum(dZ) / dZ.shape[1],
                    lambda out, dZ, cache: np.sum(dZ, axis=1) / dZ.shape[1],
                    lambda out, dZ, cache: np.sum(dZ, axis=0, keepdims=True) / dZ.shape[1])))),
        Mistake("db_no_1_over_m", "db has no 1/m: db = (1/m) np.sum(dZ, axis=1, keepdims=True)",
                _like(_with_output(reference.linear_backward, 2, lambda out, dZ, cache: out[2] * dZ.shape[1]))),
        Mistake("dW_transposed", "dW must have the shape of W, (n[l], n[l-1]): dW = (1/m) np.dot(dZ, A_prev.T)",
                _like(_with_output(reference.linear_backward, 1, lambda out, dZ, cache: out[1].T))),
        Mistake("dA_prev_transposed", "dA_prev must have the shape of A_prev, (n[l-1], m): "
                                      "dA_prev = np.dot(W.T, dZ)",
                _like(_with_output(reference.linear_backward, 0, lambda out, dZ, cache: out[0].T))),
    ],
    "linear_activation_backward": [
        Mistake("activations_swapped", "the activations are swapped: activation='relu' needs relu_backward and "
                                       "'sigmoid' sigmoid_backward",
                _like(lambda dA, cache, activation: reference.linear_activation_backward(dA, cache,
                                                                                         _OTHER[activation]))),
        Mistake("activation_ignored", "the activation argument is ignored: use relu_backward when it is 'relu' "
                                      "and sigmoid_backward when it is 'sigmoid'",
                _like(*(lambda dA, cache, activation, g=g: reference.linear_activation_backward(dA, cache, g)
                        for g in ("sigmoid", "relu")))),
        Mistake("dZ_skipped", "dA goes straight into linear_backward: first dZ = relu_backward(dA, "
                              "activation_cache) (or sigmoid_backward), then linear_backward(dZ, linear_cache)",
                _like(lambda dA, cache, activation: reference.linear_backward(dA, cache[0]))),
        Mistake("caches_swapped", "the two caches are swapped: the activation's backward takes activation_cache "
                                  "(Z) and linear_backward takes linear_cache (A_prev, W, b)",
                _like(lambda dA, cache, activation: reference.linear_backward(_BACKWARD[activation](dA, cache[0]),
                                                                              cache[1]),
                      lambda dA, cache, activation: reference.linear_backward(_BACKWARD[activation](dA, cache[1]),
                                                                              cache[1]))),
    ],
    "L_model_backward": [
        Mistake("dAL_sign", "dAL has its sign flipped: dAL = -(Y / AL - (1 - Y) / (1 - AL))",
                _like(_backward(dAL=lambda AL, Y: -_dAL(AL, Y)))),
        Mistake("dAL_is_dZ", "AL - Y is dZ of the output layer, not dAL: start from dAL = -(Y / AL - (1 - Y) / "
                             "(1 - AL)) and let sigmoid_backward do the rest",
                _like(_backward(dAL=lambda AL, Y: AL - Y))),
        Mistake("hidden_sigmoid", "the hidden layers use relu, so their backward pass is 'relu'; only layer L is "
                                  "'sigmoid'", _like(_backward(hidden="sigmoid"))),
        Mistake("output_relu", "the output layer uses sigmoid, so its backward pass is 'sigmoid'",
                _like(_backward(output="relu"))),
        Mistake("hard_coded_layers", _HARD_CODED, _right_on_the_lesson_only),
        Mistake("loop_index", "the loop over the hidden layers is off: for l in reversed(range(L - 1)), "
                              "layer l + 1 uses caches[l] and grads['dA' + str(l + 1)] and gives dA{l}, dW{l+1}, "
                              "db{l+1}",
                _any(_raises(kinds=(KeyError, IndexError)),
                     _like(_backward(layers=lambda L: reversed(range(1, L - 1)))))),
    ],
    "update_parameters": [
        Mistake("in_place", "the parameters passed in are changed: work on a copy, parameters = "
                            "parameters.copy(), and assign new arrays (W = W - ...), not W -= ...",
                _right_but_changes_its_inputs),
        Mistake("plus", "gradient descent steps against the gradient: W = W - learning_rate * dW, with a minus",
                _like(_update(sign=+1))),
        Mistake("no_learning_rate", "the step has no learning rate: W = W - learning_rate * dW",
                _like(_update(rate=lambda learning_rate: 1))),
        Mistake("b_not_updated", "b is not updated: b = b - learning_rate * db, for every layer",
                _like(_update(update_b=False))),
        Mistake("L_not_halved", "parameters holds two entries per layer (W and b): L = len(parameters) // 2",
                _like(_update(count=len))),
        Mistake("hard_coded_layers", _HARD_CODED, _right_on_the_lesson_only),
    ],
    "two_layer_model": [
        Mistake("not_updated", _NOT_UPDATED, _like(_model(lambda dims: reference.initialize_parameters(*dims),
                                                          assign=False))),
        Mistake("learning_rate_ignored", _RATE_IGNORED,
                _like(_model(lambda dims: reference.initialize_parameters(*dims), rate=0.0075))),
        Mistake("wrong_init", "the two-layer model starts from initialize_parameters(n_x, n_h, n_y)",
                _like(_model(reference.initialize_parameters_deep),
                      _model(reference.initialize_parameters_deep_scaled))),
        Mistake("costs_wrong_iterations", _COSTS_WHEN, _only_wrong_in("costs")),
    ],
    "L_layer_model": [
        Mistake("not_updated", _NOT_UPDATED, _like(_model(reference.initialize_parameters_deep_scaled,
                                                          assign=False))),
        Mistake("init_0_01", "a deep network starts from initialize_parameters_deep_scaled(layers_dims) "
                             "(randn / sqrt(n[l-1])), not initialize_parameters_deep (randn * 0.01)",
                _like(_model(reference.initialize_parameters_deep))),
        Mistake("learning_rate_ignored", _RATE_IGNORED,
                _like(_model(reference.initialize_parameters_deep_scaled, rate=0.0075))),
        Mistake("costs_wrong_iterations", _COSTS_WHEN, _only_wrong_in("costs")),
    ],
    "predict": [
        Mistake("probabilities", "predict returns the probabilities AL; it should return 0/1 labels: "
                                 "p = (AL > 0.5), as floats", _like(lambda X, y, parameters:
                                                                    reference.L_model_forward(X, parameters)[0])),
        Mistake("threshold_inverted", "the threshold is inverted: a label is 1 where AL > 0.5",
                _like(lambda X, y, parameters: (reference.L_model_forward(X, parameters)[0] < 0.5) * 1.0)),
        Mistake("flat_shape", "p must have shape (1, m), like AL and y, not (m,): keep the row, e.g. "
                              "p = (AL > 0.5).astype(float)",
                _like(lambda X, y, parameters: (reference.L_model_forward(X, parameters)[0][0] > 0.5) * 1.0)),
    ],
}


def _recognise(name, outcomes):
    """The first mistake of MISTAKES[name] recognised in these outcomes, or None."""
    return next((mistake for mistake in MISTAKES[name] if mistake.recognise(outcomes)), None)


FUNCTIONS = ("sigmoid", "relu", "sigmoid_backward", "relu_backward", "initialize_parameters",
             "initialize_parameters_deep", "initialize_parameters_deep_scaled", "linear_forward",
             "linear_activation_forward", "L_model_forward", "compute_cost", "linear_backward",
             "linear_activation_backward", "L_model_backward", "update_parameters", "two_layer_model",
             "L_layer_model", "predict")

check_sigmoid = _make_checker("sigmoid")
check_relu = _make_checker("relu")
check_sigmoid_backward = _make_checker("sigmoid_backward")
check_relu_backward = _make_checker("relu_backward")
check_initialize_parameters = _make_checker("initialize_parameters")
check_initialize_parameters_deep = _make_checker("initialize_parameters_deep")
check_initialize_parameters_deep_scaled = _make_checker("initialize_parameters_deep_scaled")
check_linear_forward = _make_checker("linear_forward")
check_linear_activation_forward = _make_checker("linear_activation_forward")
check_L_model_forward = _make_checker("L_model_forward")
check_compute_cost = _make_checker("compute_cost")
check_linear_backward = _make_checker("linear_backward")
check_linear_activation_backward = _make_checker("linear_activation_backward")
check_L_model_backward = _make_checker("L_model_backward")
check_update_parameters = _make_checker("update_parameters")
check_two_layer_model = _make_checker("two_layer_model")
check_L_layer_model = _make_checker("L_layer_model")
check_predict = _make_checker("predict")


# ----------------------------------------------------------------------------------------------------------
# Gradient checking

def numerical_gradient(f, x, h=1e-5):
    """Centred finite differences of the scalar function f() with respect to every entry of the array x
    (changed in place and restored): (f(x + h) - f(x - h)) / 2h."""
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(*x.shape):
        old = x[index]
        x[index] = old + h
        plus = f()
        x[index] = old - h
        minus = f()
        x[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad


def relative_error(a, b):
    """|a - b| / (|a| + |b|) over all entries (0 when both are 0)."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def gradient_check(X, Y, parameters, forward=None, backward=None, cost=None, h=1e-7):
    """Compare the backward pass with centred finite differences of the cost, for every W[l] and b[l].

    forward, backward, cost default to the library's L_model_forward, L_model_backward, compute_cost.
    Returns {"dW1": relative error, "db1": ..., ...}.
    """
    forward = forward or reference.L_model_forward
    backward = backward or reference.L_model_backward
    cost = cost or reference.compute_cost
    AL, caches = forward(X, parameters)
    grads = backward(AL, Y, caches)
    parameters = {key: value.astype(float).copy() for key, value in parameters.items()}
    errors = {}
    for key, value in parameters.items():
        numeric = numerical_gradient(lambda: float(cost(forward(X, parameters)[0], Y)), value, h)
        errors["d" + key] = relative_error(grads["d" + key], numeric)
    return errors


# ----------------------------------------------------------------------------------------------------------
# In a notebook, a function not written yet says so in one line

def _one_line_for_unwritten_functions():
    """In Jupyter, show the NotImplementedError of a function not written yet (`raise NotImplementedError()`
    in an exercise) as one line that names it, instead of a traceback. Other errors are shown as usual.
    Importing this module does it; outside IPython it does nothing."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return

    def show(shell, etype, value, tb, tb_offset=None):
        frames = traceback.extract_tb(tb)
        if str(value) or not frames or frames[-1].name == "<module>":  # not an exercise's stub: as usual
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
            return None
        print(f"NotImplementedError: {frames[-1].name} is not written yet, and this cell needs it: write it "
              f"where it says YOUR CODE HERE, run its cell, then run this cell again.", file=sys.stderr)
        return None

    shell.set_custom_exc((NotImplementedError,), show)


_one_line_for_unwritten_functions()
