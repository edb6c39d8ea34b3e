"""Bad input gets an error that names the argument, what was seen and what was expected."""
import warnings
from pathlib import Path

import numpy as np
import pytest

import dnn_utils as d
import testCases as t
from conftest import random_net


def params(*sizes):
    return random_net(list(sizes), 3, 0)[2]


X, Y, P = random_net([4, 3, 1], 5, 0)
A, W, b = np.ones((3, 2)), np.ones((1, 3)), np.ones((1, 1))

CATALOGUE = [
    # (what a user did, the call, the error type, words the message must contain)
    ("`linear_forward(A, W, b)` with W (1, 4) and A (3, 2)", lambda: d.linear_forward(A, np.ones((1, 4)), b),
     ValueError, ["W", "(1, 4)", "A", "(3, 2)", "4 rows"]),
    ("`linear_forward(A, W, b)` with b (2, 1) for W (1, 3)", lambda: d.linear_forward(A, W, np.ones((2, 1))),
     ValueError, ["b", "(2, 1)", "expected (1, 1)"]),
    ("`linear_forward` with A of 0 columns", lambda: d.linear_forward(np.ones((3, 0)), W, b),
     ValueError, ["A", "(3, 0)", "at least one example"]),
    ("`linear_activation_forward` with W (1, 4) and A_prev (3, 2)",
     lambda: d.linear_activation_forward(A, np.ones((1, 4)), b, "relu"), ValueError, ["A_prev", "(3, 2)", "(1, 4)"]),
    ("`linear_activation_forward(..., 'tanh')`", lambda: d.linear_activation_forward(A, W, b, "tanh"),
     ValueError, ["activation", "'tanh'", "sigmoid", "relu"]),
    ("`linear_activation_backward(..., 'Relu')`",
     lambda: d.linear_activation_backward(np.ones((1, 2)), ((A, W, b), np.ones((1, 2))), "Relu"),
     ValueError, ["activation", "'Relu'"]),
    ("`L_model_forward(X, parameters)` with X (5, 2) for W1 (3, 4)", lambda: d.L_model_forward(np.ones((5, 2)), P),
     ValueError, ["X", "(5, 2)", "W1", "(3, 4)", "4 rows"]),
    ("`L_model_forward` with raw uint8 pictures", lambda: d.L_model_forward(np.ones((4, 2), np.uint8), P),
     TypeError, ["X", "uint8", "X / 255."]),
    ("`L_model_forward` with a boolean X", lambda: d.L_model_forward(np.ones((4, 2), bool), P),
     TypeError, ["X", "bool", "expected floats"]),
    ("`L_model_forward` with parameters missing b2", lambda: d.L_model_forward(X, {"W1": P["W1"], "b1": P["b1"],
                                                                                  "W2": P["W2"]}),
     ValueError, ["parameters", "W1, b1, ..., WL, bL", "['W1', 'W2', 'b1']"]),
    ("`L_model_forward` with NaN in X", lambda: d.L_model_forward(np.full((4, 5), np.nan), P),
     ValueError, ["X", "NaN/inf", "expected only finite"]),
    ("`linear_forward` with inf in A", lambda: d.linear_forward(np.array([[np.inf, 1.], [1., 1.], [1., 1.]]), W, b),
     ValueError, ["A", "NaN/inf", "(0, 0)"]),
    ("`linear_forward` with a list for A", lambda: d.linear_forward(A.tolist(), W, b),
     TypeError, ["A", "numpy array", "list", "np.array(A)"]),
    ("`compute_cost(AL, Y)` with AL (1, 3) and Y (1, 2)", lambda: d.compute_cost(np.full((1, 3), .5), np.array([[1, 0]])),
     ValueError, ["AL", "(1, 3)", "Y", "(1, 2)"]),
    ("`compute_cost` with labels 1, 2, 0", lambda: d.compute_cost(np.full((1, 3), .5), np.array([[1, 2, 0]])),
     ValueError, ["Y", "0 and 1", "[2]"]),
    ("`compute_cost` with 1-D labels of shape (3,)", lambda: d.compute_cost(np.full((1, 3), .5), np.array([1, 0, 1])),
     ValueError, ["Y", "2-D", "(3,)", "reshape"]),
    ("`compute_cost` with boolean labels", lambda: d.compute_cost(np.full((1, 2), .5), np.array([[True, False]])),
     TypeError, ["Y", "bool", "Y.astype(int)"]),
    ("`compute_cost` with NaN in AL", lambda: d.compute_cost(np.array([[.5, np.nan]]), np.array([[1, 0]])),
     ValueError, ["AL", "NaN/inf", "(0, 1)"]),
    ("`compute_cost` with AL outside [0, 1]", lambda: d.compute_cost(np.array([[.5, 1.5]]), np.array([[1, 0]])),
     ValueError, ["AL", "[0, 1]", "1.5"]),
    ("`compute_cost` with Y of shape (2, 3)", lambda: d.compute_cost(np.full((2, 3), .5), np.ones((2, 3))),
     ValueError, ["Y", "(1, m)", "(2, 3)"]),
    ("`L_model_backward` with AL (1, 3) and Y (1, 2)",
     lambda: d.L_model_backward(np.full((1, 3), .5), np.array([[1, 0]]), [((A, W, b), np.ones((1, 2)))]),
     ValueError, ["AL", "(1, 3)", "Y", "(1, 2)"]),
    ("`L_model_backward` with labels 1, 3",
     lambda: d.L_model_backward(np.full((1, 2), .5), np.array([[1, 3]]), [((A, W, b), np.ones((1, 2)))]),
     ValueError, ["Y", "0 and 1", "[3]"]),
    ("`L_model_backward` with caches that are not a list", lambda: d.L_model_backward(np.full((1, 2), .5),
                                                                                     np.array([[1, 0]]), None),
     TypeError, ["caches", "L_model_forward returned", "NoneType"]),
    ("`linear_backward` with dZ (2, 2) for W (1, 3)", lambda: d.linear_backward(np.ones((2, 2)), (A, W, b)),
     ValueError, ["dZ", "(2, 2)", "expected (1, 2)"]),
    ("`linear_backward` with a cache of 2 items", lambda: d.linear_backward(np.ones((1, 2)), (A, W)),
     TypeError, ["cache", "(A_prev, W, b)", "tuple of length 2"]),
    ("`relu_backward(dA, cache)` with dA (2, 3) and Z (3, 2)", lambda: d.relu_backward(np.ones((2, 3)), np.ones((3, 2))),
     ValueError, ["dA", "(2, 3)", "(3, 2)"]),
    ("`initialize_parameters_deep([5])`", lambda: d.initialize_parameters_deep([5]),
     ValueError, ["layer_dims", "at least two", "[5]"]),
    ("`initialize_parameters_deep([5, 0, 1])`", lambda: d.initialize_parameters_deep([5, 0, 1]),
     ValueError, ["layer_dims[1]", "positive", "0"]),
    ("`initialize_parameters_deep([5, -2, 1])`", lambda: d.initialize_parameters_deep([5, -2, 1]),
     ValueError, ["layer_dims[1]", "-2"]),
    ("`initialize_parameters(3, 0, 1)`", lambda: d.initialize_parameters(3, 0, 1),
     ValueError, ["n_h must be a positive integer", "got 0"]),
    ("`L_layer_model` with X (4, 5) for layers_dims [5, 3, 1]", lambda: d.L_layer_model(X, Y, [5, 3, 1], num_iterations=1),
     ValueError, ["X", "(4, 5)", "5 rows"]),
    ("`L_layer_model` with labels 0, 1, 2", lambda: d.L_layer_model(X, np.array([[0, 1, 2, 0, 1]]), [4, 3, 1],
                                                                     num_iterations=1),
     ValueError, ["Y", "0 and 1"]),
    ("`L_layer_model` with X and Y of different lengths", lambda: d.L_layer_model(X, Y[:, :3], [4, 3, 1],
                                                                                   num_iterations=1),
     ValueError, ["X", "(4, 5)", "Y", "(1, 3)", "same number of examples"]),
    ("`L_layer_model` ending in 2 units", lambda: d.L_layer_model(X, Y, [4, 3, 2], num_iterations=1),
     ValueError, ["layers_dims", "end with 1", "[4, 3, 2]"]),
    ("`two_layer_model` with 4 layer sizes", lambda: d.two_layer_model(X, Y, [4, 3, 2, 1], num_iterations=1),
     ValueError, ["layers_dims", "exactly 3", "[4, 3, 2, 1]"]),
    ("`L_layer_model` with NaN in X", lambda: d.L_layer_model(np.where(X > 1, np.nan, X), Y, [4, 3, 1],
                                                               num_iterations=1),
     ValueError, ["X", "NaN/inf"]),
    ("`L_layer_model(..., num_iterations=0)`", lambda: d.L_layer_model(X, Y, [4, 3, 1], num_iterations=0),
     ValueError, ["num_iterations", "positive", "0"]),
    ("`L_layer_model(..., num_iterations=2.5)`", lambda: d.L_layer_model(X, Y, [4, 3, 1], num_iterations=2.5),
     TypeError, ["num_iterations", "positive integer", "2.5"]),
    ("`L_layer_model(..., learning_rate=0)`", lambda: d.L_layer_model(X, Y, [4, 3, 1], learning_rate=0),
     ValueError, ["learning_rate", "positive", "0"]),
    ("`update_parameters` with grads missing db1", lambda: d.update_parameters(P, {"dW1": P["W1"]}, 0.1),
     ValueError, ["grads", "'db1'"]),
    ("`update_parameters` with a negative learning rate",
     lambda: d.update_parameters(P, {"d" + k: v for k, v in P.items()}, -0.1),
     ValueError, ["learning_rate", "positive", "-0.1"]),
    ("`update_parameters` with dW1 of the wrong shape",
     lambda: d.update_parameters(P, {"dW1": np.ones((4, 3)), "db1": P["b1"], "dW2": P["W2"], "db2": P["b2"]}, 0.1),
     ValueError, ["grads['dW1']", "(4, 3)", "parameters['W1']", "(3, 4)"]),
    ("`predict(X, y, parameters)` with y of another length", lambda: d.predict(X, Y[:, :2], P),
     ValueError, ["X", "y", "(1, 2)", "same number of examples"]),
]


def message(index):
    call, error = CATALOGUE[index][1:3]
    with pytest.raises(error) as caught:
        call()
    return f"{error.__name__}: {caught.value}"


@pytest.mark.parametrize("index", range(len(CATALOGUE)), ids=lambda i: CATALOGUE[i][0].strip("`"))
def test_bad_input_gets_a_clear_error(index):
    text = message(index)
    for fragment in CATALOGUE[index][3]:
        assert fragment in text, f"{fragment!r} not in {text!r}"


def test_the_catalogue_is_in_the_readme():
    """README's troubleshooting table shows what a user sees; regenerate it with `python tests/test_bad_input.py`."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    missing = [CATALOGUE[i][0] for i in range(len(CATALOGUE)) if f"`{message(i)}`" not in readme]
    assert not missing, f"README.md does not show the message for {missing}"


def troubleshooting_table():
    rows = ["| you did | you see |", "| --- | --- |"]
    rows += [f"| {CATALOGUE[i][0]} | `{message(i)}` |".replace("\n", " ") for i in range(len(CATALOGUE))]
    return "\n".join(rows)


def test_compute_cost_is_finite_when_AL_reaches_0_or_1():
    cost = d.compute_cost(np.array([[1.0, 0.0, 1.0, 0.0]]), np.array([[0, 1, 1, 0]]))
    assert np.isfinite(cost) and cost > 10


def test_sigmoid_of_large_values_raises_no_overflow_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A, _ = d.sigmoid(np.array([[-1000.0, 1000.0, 0.0]]))
        dZ = d.sigmoid_backward(np.ones((1, 3)), np.array([[-1000.0, 1000.0, 0.0]]))
    np.testing.assert_array_equal(A, [[0.0, 1.0, 0.5]])
    np.testing.assert_array_equal(dZ, [[0.0, 0.0, 0.25]])


def test_a_result_that_overflows_is_reported_with_the_likely_cause():
    with pytest.raises(FloatingPointError, match="too large"), np.errstate(over="ignore"):
        d.linear_forward(np.full((2, 2), 1e200), np.full((1, 2), 1e200), np.zeros((1, 1)))


def test_the_checks_do_not_change_the_lessons_numbers():
    """Every checked function still gives the lesson's outputs (the checks only look)."""
    for name in t.FUNCTIONS:
        assert t.problems(name, getattr(d, name)) == [], name


if __name__ == "__main__":
    print(troubleshooting_table())
