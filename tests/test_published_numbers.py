"""Every number the course publishes that the project promises, reproduced exactly."""
import numpy as np
import pytest

import dnn_utils as d
import testCases as t

COST_RTOL = 1e-9


def test_linear_forward_on_the_lessons_inputs():
    Z, cache = d.linear_forward(*t.linear_forward_test_case())
    np.testing.assert_allclose(Z, [[3.26295337, -1.23429987]], rtol=1e-8)


def test_compute_cost_on_the_lessons_inputs():
    cost = d.compute_cost(np.array([[.8, .9, .4]]), np.array([[1, 1, 0]]))
    assert isinstance(cost, np.ndarray) and cost.shape == ()
    assert cost == pytest.approx(0.2797765635793422, rel=1e-12)


def test_L_model_forward_on_the_lessons_net():
    AL, caches = d.L_model_forward(*t.L_model_forward_test_case_2hidden())
    np.testing.assert_allclose(AL, [[0.03921668, 0.70498921, 0.19734387, 0.04728177]], rtol=1e-7)
    assert len(caches) == 3


@pytest.mark.parametrize("name", [n for n in t.EXPECTED if n not in ("linear_forward", "compute_cost")])
def test_the_library_gives_every_published_value(name):
    """testCases.EXPECTED holds the lesson's printed outputs; the library must reproduce each of them."""
    E = t.EXPECTED[name]
    if name == "linear_activation_forward":
        for activation in ("sigmoid", "relu"):
            A, _ = d.linear_activation_forward(*t.linear_activation_forward_test_case(), activation=activation)
            np.testing.assert_allclose(A, E[activation], rtol=1e-7, atol=1e-8)
    elif name == "L_model_forward":
        AL, caches = d.L_model_forward(*t.L_model_forward_test_case_2hidden())
        np.testing.assert_allclose(AL, E["AL"], rtol=1e-7)
        assert len(caches) == E["len(caches)"]
    elif name in ("initialize_parameters", "initialize_parameters_deep"):
        test_case = getattr(t, f"{name}_test_case")
        got = getattr(d, name)(*test_case())
        assert got.keys() == E.keys()
        for key in E:
            np.testing.assert_allclose(got[key], E[key], rtol=1e-6, atol=1e-8)
    elif name == "linear_backward":
        for got, expected in zip(d.linear_backward(*t.linear_backward_test_case()), E.values()):
            np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-8)
    elif name == "linear_activation_backward":
        for activation in ("sigmoid", "relu"):
            got = d.linear_activation_backward(*t.linear_activation_backward_test_case(), activation=activation)
            for g, expected in zip(got, E[activation].values()):
                np.testing.assert_allclose(g, expected, rtol=1e-7, atol=1e-8)
    elif name == "L_model_backward":
        grads = d.L_model_backward(*t.L_model_backward_test_case())
        for key in E:
            np.testing.assert_allclose(grads[key], E[key], rtol=1e-7, atol=1e-8)
    elif name == "update_parameters":
        got = d.update_parameters(*t.update_parameters_test_case())
        for key in E:
            np.testing.assert_allclose(got[key], E[key], rtol=1e-7, atol=1e-8)
    else:
        pytest.fail(f"no test for published values of {name}")


@pytest.mark.parametrize("fixture, published, accuracies", [
    ("course_two_layer", {0: 0.693049735659989, 100: 0.6464320953428849, 2499: 0.04421498215868956}, (1.0, 0.72)),
    ("course_L_layer", {0: 0.7717493284237686, 100: 0.6720534400822914, 2499: 0.08843994344170202},
     (0.9856459330143539, 0.8)),
])
def test_models_on_the_course_data(request, course_data, fixture, published, accuracies):
    train_x, train_y, test_x, test_y = course_data
    parameters, costs, printed = request.getfixturevalue(fixture)
    assert sorted(printed) == list(range(0, 2500, 100)) + [2499]
    for iteration, cost in published.items():
        assert printed[iteration] == pytest.approx(cost, rel=COST_RTOL), iteration
    assert len(costs) == 25
    assert all(isinstance(c, np.ndarray) and c.shape == () for c in costs)
    assert [float(c) for c in costs] == [printed[i] for i in range(0, 2500, 100)]
    train_accuracy = d.accuracy(d.predict(train_x, train_y, parameters), train_y)
    test_accuracy = d.accuracy(d.predict(test_x, test_y, parameters), test_y)
    assert (train_accuracy, test_accuracy) == pytest.approx(accuracies, abs=1e-12)
