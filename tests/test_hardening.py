"""Odd inputs and interrupted or diverging runs: properties over random nets, saving, stopping."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from companion.solutions import engine
import dnn_utils as d
from conftest import random_net
from testCases import gradient_check

nets = st.lists(st.integers(1, 6), min_size=1, max_size=4).map(lambda hidden: [4] + hidden + [1])
batches = st.integers(1, 9)
seeds = st.integers(0, 2 ** 16)


@settings(max_examples=40, deadline=None)
@given(sizes=nets, m=batches, seed=seeds)
def test_forward_and_backward_shapes(sizes, m, seed):
    X, Y, parameters = random_net(sizes, m, seed)
    AL, caches = d.L_model_forward(X, parameters)
    assert AL.shape == (1, m) and len(caches) == len(sizes) - 1
    grads = d.L_model_backward(AL, Y, caches)
    for l in range(1, len(sizes)):
        assert grads[f"dW{l}"].shape == parameters[f"W{l}"].shape
        assert grads[f"db{l}"].shape == parameters[f"b{l}"].shape
        assert grads[f"dA{l - 1}"].shape == (sizes[l - 1], m)


@settings(max_examples=25, deadline=None)
@given(sizes=nets, m=batches, seed=seeds)
def test_gradients_match_finite_differences(sizes, m, seed):
    X, Y, parameters = random_net(sizes, m, seed)
    Zs = [cache[1] for cache in d.L_model_forward(X, parameters)[1]]
    if min(np.abs(Z).min() for Z in Zs) < 1e-4:  # too close to ReLU's kink for finite differences
        return
    # h = 1e-5: near the best step of centred differences in float64 (about eps ** (1/3)); with 1e-6 rounding
    # alone reaches 1e-6 on narrow nets, e.g. sizes [4, 5, 1, 1, 5, 1], m 5, seed 5 gives 1.1e-6 on dW3
    assert max(gradient_check(X, Y, parameters, h=1e-5).values()) < 1e-6


@settings(max_examples=40, deadline=None)
@given(m=batches, seed=seeds, scale=st.floats(0.01, 100))
def test_cost_is_finite_and_non_negative(m, seed, scale):
    X, Y, parameters = random_net([4, 3, 1], m, seed)
    AL, _ = d.L_model_forward(X * scale, {k: v * scale for k, v in parameters.items()})
    cost = d.compute_cost(AL, Y)
    assert np.isfinite(cost) and cost >= 0


@settings(max_examples=20, deadline=None)
@given(sizes=nets, seed=seeds)
def test_same_seed_same_result_and_inputs_untouched(sizes, seed):
    X, Y, parameters = random_net(sizes, 6, seed)
    kept = {k: v.copy() for k, v in parameters.items()}
    grads = d.L_model_backward(*d.L_model_forward(X, parameters)[:1], Y, d.L_model_forward(X, parameters)[1])
    first = d.update_parameters(parameters, grads, 0.1)
    second = d.update_parameters(parameters, grads, 0.1)
    assert all(np.array_equal(parameters[k], kept[k]) for k in kept)
    assert all(np.array_equal(first[k], second[k]) for k in first)
    assert d.initialize_parameters_deep(sizes, seed=seed % 100).keys() == parameters.keys()


def test_a_diverging_run_stops_and_names_the_learning_rate():
    X, Y, _ = random_net([30, 1], 12, 0)
    with pytest.raises(engine.TrainingDiverged, match=r"learning_rate=50\.0 is too large.*try a smaller one, "
                                                         r"such as 5") as caught:
        engine.L_layer_model(X, Y, [30, 8, 1], learning_rate=50.0, num_iterations=300)
    assert caught.value.costs and all(np.isfinite(v).all() for v in caught.value.parameters.values())
    assert "L_layer_model" in str(caught.value)


@pytest.mark.parametrize("model, dims", [(d.L_layer_model, [30, 8, 1]), (d.two_layer_model, (30, 8, 1))])
def test_the_lessons_loops_report_divergence_as_the_engine_does_without_numpys_warnings(model, dims):
    X, Y, _ = random_net([30, 1], 12, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning of numpy's would fail the test
        with pytest.raises(FloatingPointError, match=rf"^{model.__name__}: the cost went from 0\.\d+ at iteration 0 to "
                                                     r"\S+ at iteration \d+: learning_rate=1000000\.0 is too large for "
                                                     r"this network; try a smaller one, such as 100000$"):
            model(X, Y, dims, learning_rate=1e6, num_iterations=300)
        parameters, costs = model(X, Y, dims, learning_rate=0.0075, num_iterations=101)  # a good rate: no error
    assert len(costs) == 2 and costs[1] < costs[0]


def test_an_interrupted_run_keeps_what_it_learned(monkeypatch, capsys):
    X, Y, _ = random_net([30, 1], 12, 0)
    step = engine.GradientDescent.step
    calls = []

    def step_then_interrupt(self):
        calls.append(1)
        if len(calls) == 251:
            raise KeyboardInterrupt
        return step(self)

    monkeypatch.setattr(engine.GradientDescent, "step", step_then_interrupt)
    parameters, costs = engine.L_layer_model(X, Y, [30, 8, 1], learning_rate=0.05, num_iterations=1000)
    assert "Interrupted at iteration 250" in capsys.readouterr().out
    assert len(costs) == 3
    monkeypatch.setattr(engine.GradientDescent, "step", step)
    expected, _ = engine.L_layer_model(X, Y, [30, 8, 1], learning_rate=0.05, num_iterations=250)
    assert all(np.allclose(parameters[k], expected[k]) for k in expected)


def test_saved_parameters_survive_a_restart(tmp_path):
    parameters = d.initialize_parameters_deep([5, 4, 3, 1])
    d.save_parameters(tmp_path / "model.npz", parameters)
    loaded = d.load_parameters(tmp_path / "model.npz")
    assert list(loaded) == list(parameters) and all(np.array_equal(loaded[k], parameters[k]) for k in loaded)
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_an_interrupted_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    d.save_parameters(path, d.initialize_parameters_deep([5, 4, 1]))
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", fail)
    with pytest.raises(KeyboardInterrupt):
        d.save_parameters(path, d.initialize_parameters_deep([5, 3, 1]))
    assert path.read_bytes() == before


@pytest.mark.parametrize("content, message", [
    (None, "does not exist"),
    (b"not a zip file", "is not an .npz file written by save_parameters"),
])
def test_loading_a_bad_file_says_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "model.npz"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises((FileNotFoundError, ValueError), match=message):
        d.load_parameters(path)


def test_loading_parameters_with_wrong_keys_or_shapes(tmp_path):
    np.savez(tmp_path / "keys.npz", W1=np.ones((3, 4)))
    with pytest.raises(ValueError, match=r"keys W1, b1, \.\.\., WL, bL; got keys \['W1'\]"):
        d.load_parameters(tmp_path / "keys.npz")
    np.savez(tmp_path / "shapes.npz", W1=np.ones((3, 4)), b1=np.ones((2, 1)))
    with pytest.raises(ValueError, match=r"\['b1'\] has shape \(2, 1\); expected \(3, 1\)"):
        d.load_parameters(tmp_path / "shapes.npz")


@pytest.mark.parametrize("m", [40, 400], ids=["Gram matrix", "direct"])
def test_a_run_that_overflows_inside_a_step_is_reported_as_divergence(m):
    """NaN born inside a step (not only a growing cost) is divergence, not a confusing input error."""
    rng = np.random.RandomState(0)
    X = rng.rand(192, m) * 3
    Y = (rng.rand(1, m) > 0.5).astype(int)
    with pytest.raises(engine.TrainingDiverged, match="learning_rate=300"):
        engine.gradient_descent(X, Y, d.initialize_parameters_deep_scaled([192, 20, 1]), 300, 500)


def test_gradient_descent_checks_its_arguments():
    X, Y, parameters = random_net([4, 3, 2], 5, 0)
    with pytest.raises(ValueError, match=r"GradientDescent: parameters\['W2'\] has shape \(2, 3\); expected 1 row"):
        engine.GradientDescent(X, Y, parameters, 0.1)
    X, Y, parameters = random_net([4, 3, 1], 5, 0)
    with pytest.raises(ValueError, match="GradientDescent: X has shape"):
        engine.GradientDescent(X[:3], Y, parameters, 0.1)
