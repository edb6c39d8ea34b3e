"""The course's conventions, so code written against the course runs against dnn_utils unchanged."""
import numpy as np

import dnn_utils as d
from conftest import random_net


def test_caches_hold_the_linear_cache_and_Z():
    X, _, parameters = random_net([4, 3, 2, 1], 5, 0)
    AL, caches = d.L_model_forward(X, parameters)
    assert AL.shape == (1, 5) and len(caches) == 3
    (A_prev, W, b), Z = caches[0]
    assert A_prev is X and W is parameters["W1"] and b is parameters["b1"] and Z.shape == (3, 5)


def test_grads_keys_include_dA0():
    X, Y, parameters = random_net([4, 3, 2, 1], 5, 0)
    grads = d.L_model_backward(*d.L_model_forward(X, parameters)[:1], Y, d.L_model_forward(X, parameters)[1])
    assert set(grads) == {"dA0", "dA1", "dA2", "dW1", "db1", "dW2", "db2", "dW3", "db3"}
    assert grads["dA0"].shape == X.shape


def test_update_parameters_leaves_its_input_alone():
    _, _, parameters = random_net([4, 3, 1], 5, 0)
    before = {k: v.copy() for k, v in parameters.items()}
    grads = {"d" + k: np.ones_like(v) for k, v in parameters.items()}
    updated = d.update_parameters(parameters, grads, 0.5)
    assert all(np.array_equal(parameters[k], before[k]) for k in before)
    assert all(np.allclose(updated[k], before[k] - 0.5) for k in before)


def test_the_two_initialisations_of_the_course():
    lesson = d.initialize_parameters_deep([5, 4, 3])
    np.random.seed(3)
    assert np.array_equal(lesson["W1"], np.random.randn(4, 5) * 0.01)
    scaled = d.initialize_parameters_deep_scaled([5, 4, 3])
    np.random.seed(1)
    assert np.array_equal(scaled["W1"], np.random.randn(4, 5) / np.sqrt(5))
    assert np.array_equal(scaled["W2"], np.random.randn(3, 4) / np.sqrt(4))
    assert all(np.array_equal(p[f"b{l}"], np.zeros((n, 1))) for p in (lesson, scaled) for l, n in ((1, 4), (2, 3)))


def test_costs_every_100_and_print_cost_format(capsys):
    X, Y, _ = random_net([4, 3, 1], 20, 1)
    parameters, costs = d.L_layer_model(X, Y, [4, 3, 1], learning_rate=0.05, num_iterations=250, print_cost=True)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"Cost after iteration {i}" for i in (0, 100, 200, 249)]
    assert len(costs) == 3 and all(isinstance(c, np.ndarray) and c.shape == () for c in costs)
    assert lines[0] == f"Cost after iteration 0: {costs[0]}"
    assert costs[2] < costs[0]


def test_print_cost_false_prints_nothing(capsys):
    X, Y, _ = random_net([4, 3, 1], 20, 1)
    d.two_layer_model(X, Y, (4, 3, 1), num_iterations=101)
    assert capsys.readouterr().out == ""


def test_predict_returns_0_1_floats_and_prints_accuracy(capsys):
    X, Y, parameters = random_net([4, 3, 1], 20, 2)
    p = d.predict(X, Y, parameters)
    assert p.shape == (1, 20) and p.dtype == float and set(np.unique(p)) <= {0.0, 1.0}
    assert capsys.readouterr().out == f"Accuracy: {np.mean(p == Y)}\n"
    assert np.array_equal(d.predict(X, None, parameters), p) and capsys.readouterr().out == ""


def test_same_seed_same_training():
    X, Y, _ = random_net([4, 3, 1], 20, 1)
    first = d.L_layer_model(X, Y, [4, 3, 2, 1], num_iterations=101)
    second = d.L_layer_model(X, Y, [4, 3, 2, 1], num_iterations=101)
    assert all(np.array_equal(first[0][k], second[0][k]) for k in first[0])
