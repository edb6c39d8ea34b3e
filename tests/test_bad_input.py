"""Bad input gets an error that names the argument, what was seen and what was expected."""
import warnings

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
    # (call, error type, fragments the message must contain)
    (lambda: d.linear_forward(A, np.ones((1, 4)), b), ValueError, ["W", "(1, 4)", "A", "(3, 2)", "4 rows"]),
    (lambda: d.linear_forward(A, W, np.ones((2, 1))), ValueError, ["b", "(2, 1)", "expected (1, 1)"]),
    (lambda: d.linear_activation_forward(A, np.ones((1, 4)), b, "relu"), ValueError,
     ["A_prev", "(3, 2)", "(1, 4)"]),
    (lambda: d.linear_activation_forward(A, W, b, "tanh"), ValueError, ["activation", "'tanh'", "sigmoid", "relu"]),
    (lambda: d.linear_activation_backward(np.ones((1, 2)), ((A, W, b), np.ones((1, 2))), "Relu"), ValueError,
     ["activation", "'Relu'"]),
    (lambda: d.L_model_forward(np.ones((5, 2)), P), ValueError, ["X", "(5, 2)", "W1", "(3, 4)", "4 rows"]),
    (lambda: d.compute_cost(np.full((1, 3), .5), np.array([[1, 0]])), ValueError, ["AL", "(1, 3)", "Y", "(1, 2)"]),
    (lambda: d.compute_cost(np.full((1, 3), .5), np.array([[1, 2, 0]])), ValueError, ["Y", "0 and 1", "[2]"]),
    (lambda: d.compute_cost(np.full((1, 3), .5), np.array([1, 0, 1])), ValueError, ["Y", "2-D", "(3,)"]),
    (lambda: d.compute_cost(np.array([[.5, np.nan]]), np.array([[1, 0]])), ValueError, ["AL", "NaN/inf", "(0, 1)"]),
    (lambda: d.compute_cost(np.array([[.5, 1.5]]), np.array([[1, 0]])), ValueError, ["AL", "[0, 1]", "1.5"]),
    (lambda: d.L_model_backward(np.full((1, 3), .5), np.array([[1, 0]]), [((A, W, b), np.ones((1, 2)))]),
     ValueError, ["AL", "(1, 3)", "Y", "(1, 2)"]),
    (lambda: d.L_model_backward(np.full((1, 2), .5), np.array([[1, 3]]), [((A, W, b), np.ones((1, 2)))]),
     ValueError, ["Y", "0 and 1", "[3]"]),
    (lambda: d.linear_backward(np.ones((2, 2)), (A, W, b)), ValueError, ["dZ", "(2, 2)", "expected (1, 2)"]),
    (lambda: d.initialize_parameters_deep([5]), ValueError, ["layer_dims", "at least two", "[5]"]),
    (lambda: d.initialize_parameters_deep([5, 0, 1]), ValueError, ["layer_dims[1]", "positive", "0"]),
    (lambda: d.initialize_parameters_deep([5, -2, 1]), ValueError, ["layer_dims[1]", "-2"]),
    (lambda: d.initialize_parameters(3, 0, 1), ValueError, ["n_h must be a positive integer", "got 0"]),
    (lambda: d.linear_forward(np.array([[np.inf, 1.], [1., 1.], [1., 1.]]), W, b), ValueError,
     ["A", "NaN/inf", "(0, 0)"]),
    (lambda: d.L_model_forward(np.full((4, 5), np.nan), P), ValueError, ["X", "NaN/inf", "expected only finite"]),
    (lambda: d.L_layer_model(X, Y, [5, 3, 1], num_iterations=1), ValueError, ["X", "(4, 5)", "5 rows"]),
    (lambda: d.L_layer_model(X, np.array([[0, 1, 2, 0, 1]]), [4, 3, 1], num_iterations=1), ValueError,
     ["Y", "0 and 1"]),
    (lambda: d.two_layer_model(X, Y, [4, 3, 2, 1], num_iterations=1), ValueError,
     ["layers_dims", "exactly 3", "[4, 3, 2, 1]"]),
    (lambda: d.L_layer_model(np.where(X > 1, np.nan, X), Y, [4, 3, 1], num_iterations=1), ValueError,
     ["X", "NaN/inf"]),
    (lambda: d.update_parameters(P, {"dW1": P["W1"]}, 0.1), ValueError, ["grads", "'db1'"]),
    (lambda: d.update_parameters(P, {"d" + k: v for k, v in P.items()}, -0.1), ValueError,
     ["learning_rate", "positive", "-0.1"]),
    (lambda: d.linear_forward(A.tolist(), W, b), TypeError, ["A", "numpy array", "list"]),
]


@pytest.mark.parametrize("index", range(len(CATALOGUE)))
def test_bad_input_gets_a_clear_error(index):
    call, error, fragments = CATALOGUE[index]
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


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
