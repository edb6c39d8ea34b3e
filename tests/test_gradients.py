"""Every backward function against centred finite differences (relative error < 1e-7)."""
import numpy as np
import pytest

import dnn_utils as d
from conftest import random_net
from testCases import gradient_check, numerical_gradient, relative_error

TOLERANCE = 1e-7
ACTIVATIONS = {"relu": (d.relu, d.relu_backward), "sigmoid": (d.sigmoid, d.sigmoid_backward)}


def away_from_zero(Z, margin=1e-3):
    """Move entries of Z away from ReLU's kink at 0, where finite differences are not a derivative."""
    return np.where(np.abs(Z) < margin, margin * np.sign(Z + 1e-12) + Z, Z)


@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_activation_backward(name, seed):
    forward, backward = ACTIVATIONS[name]
    rng = np.random.RandomState(seed)
    Z = away_from_zero(rng.randn(3, 5) * 2)
    G = rng.randn(3, 5)  # the upstream gradient dA: the cost is sum(G * g(Z))
    numeric = numerical_gradient(lambda: np.sum(G * forward(Z)[0]), Z)
    assert relative_error(backward(G, Z), numeric) < TOLERANCE


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_backward(seed):
    rng = np.random.RandomState(seed)
    A, W, b = rng.randn(4, 6), rng.randn(3, 4), rng.randn(3, 1)
    G = rng.randn(3, 6)  # cost = (1/m) sum(G * Z), so dZ = G and the 1/m goes with dW and db
    cost = lambda: np.sum(G * d.linear_forward(A, W, b)[0]) / 6
    dA_prev, dW, db = d.linear_backward(G, (A, W, b))
    assert relative_error(dW, numerical_gradient(cost, W)) < TOLERANCE
    assert relative_error(db, numerical_gradient(cost, b)) < TOLERANCE
    assert relative_error(dA_prev / 6, numerical_gradient(cost, A)) < TOLERANCE


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linear_activation_backward(activation, seed):
    rng = np.random.RandomState(seed)
    A, W, b = rng.randn(4, 6), rng.randn(3, 4), rng.randn(3, 1)
    G = rng.randn(3, 6)
    cost = lambda: np.sum(G * d.linear_activation_forward(A, W, b, activation)[0]) / 6
    _, cache = d.linear_activation_forward(A, W, b, activation)
    assert np.abs(cache[1]).min() > 1e-4, "pick a seed whose Z stays away from ReLU's kink"
    dA_prev, dW, db = d.linear_activation_backward(G, cache, activation)
    assert relative_error(dW, numerical_gradient(cost, W)) < TOLERANCE
    assert relative_error(db, numerical_gradient(cost, b)) < TOLERANCE
    assert relative_error(dA_prev / 6, numerical_gradient(cost, A)) < TOLERANCE


@pytest.mark.parametrize("sizes", [[4, 1], [5, 3, 1], [4, 5, 3, 1], [6, 4, 4, 3, 1]],
                         ids=["1-layer", "2-layer", "3-layer", "4-layer"])
@pytest.mark.parametrize("seed", [0, 1])
def test_L_model_backward(sizes, seed):
    X, Y, parameters = random_net(sizes, 7, seed)
    errors = gradient_check(X, Y, parameters, h=1e-6)
    assert set(errors) == {f"d{k}{l}" for l in range(1, len(sizes)) for k in "Wb"}
    assert max(errors.values()) < TOLERANCE, errors


def test_L_model_backward_dA0_is_the_gradient_with_respect_to_X():
    X, Y, parameters = random_net([4, 5, 3, 1], 7, 3)
    AL, caches = d.L_model_forward(X, parameters)
    grads = d.L_model_backward(AL, Y, caches)
    # compute_cost has the 1/m factor; the dA's of the backward pass do not
    numeric = numerical_gradient(lambda: float(d.compute_cost(d.L_model_forward(X, parameters)[0], Y)), X)
    assert relative_error(grads["dA0"] / X.shape[1], numeric) < TOLERANCE


def test_gradient_check_notices_a_wrong_backward_pass():
    """The checker itself can fail: a backward pass that forgets 1/m in dW is caught."""
    X, Y, parameters = random_net([4, 3, 1], 7, 0)

    def backward_without_1_over_m(AL, Y, caches):
        grads = d.L_model_backward(AL, Y, caches)
        return {key: value * (AL.shape[1] if key.startswith("dW") else 1) for key, value in grads.items()}

    errors = gradient_check(X, Y, parameters, backward=backward_without_1_over_m)
    assert errors["dW1"] > 0.5 and errors["db1"] < TOLERANCE
