"""The engine's models (companion/solutions/engine.py) must give what the lessons' loops of dnn_utils give."""
import numpy as np
import pytest

import dnn_utils as d
from companion.solutions import engine
from conftest import random_net, train_printing


def small_problem(n_x, m, seed):
    X, _, _ = random_net([n_x, 1], m, seed)
    w = np.random.RandomState(seed + 1).randn(1, n_x)
    return X, (w @ X > 0).astype(int)


@pytest.mark.parametrize("model, dims", [
    (engine.two_layer_model, (30, 6, 1)),
    (engine.L_layer_model, [30, 8, 5, 1]),
    (engine.L_layer_model, [30, 1]),
    (engine.L_layer_model, [30, 6, 5, 4, 3, 1]),
], ids=["two-layer", "4-layer", "1-layer", "5-layer"])
@pytest.mark.parametrize("m", [12, 60], ids=["m<n_x (Gram matrix)", "m>n_x (direct)"])
def test_the_fast_path_gives_the_lessons_parameters_and_costs(model, dims, m):
    X, Y = small_problem(30, m, 0)
    fast_parameters, fast_costs = model(X, Y, dims, learning_rate=0.05, num_iterations=301)
    lesson_parameters, lesson_costs = model.lesson(X, Y, dims, learning_rate=0.05, num_iterations=301)
    assert fast_parameters.keys() == lesson_parameters.keys()
    for key in lesson_parameters:
        np.testing.assert_allclose(fast_parameters[key], lesson_parameters[key], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose([float(c) for c in fast_costs], [float(c) for c in lesson_costs], rtol=1e-12)
    assert all(isinstance(c, np.ndarray) and c.shape == () for c in fast_costs)


@pytest.mark.parametrize("m", [12, 60])
def test_float32_stays_close_to_float64(m):
    X, Y = small_problem(30, m, 1)
    start = d.initialize_parameters_deep_scaled([30, 8, 5, 1])
    p64, c64 = engine.gradient_descent(X, Y, start, 0.05, 301)
    p32, c32 = engine.gradient_descent(X, Y, start, 0.05, 301, dtype=np.float32)
    assert all(value.dtype == np.float32 for value in p32.values())
    np.testing.assert_allclose([float(c) for c in c32], [float(c) for c in c64], atol=1e-4)
    assert np.array_equal(d.predict(X, None, p64), d.predict(X, None, {k: v.astype(float) for k, v in p32.items()}))


def test_the_fast_path_leaves_its_inputs_alone():
    X, Y = small_problem(30, 12, 2)
    start = d.initialize_parameters_deep_scaled([30, 4, 1])
    kept = {k: v.copy() for k, v in start.items()}
    X_kept = X.copy()
    engine.gradient_descent(X, Y, start, 0.05, 3)
    assert all(np.array_equal(start[k], kept[k]) for k in kept) and np.array_equal(X, X_kept)


@pytest.mark.parametrize("lesson, dims, published", [
    ("two_layer_model", (12288, 7, 1), {0: 0.693049735659989, 100: 0.6464320953428849, 2499: 0.04421498215868956}),
    ("L_layer_model", [12288, 20, 7, 5, 1], {0: 0.7717493284237686, 100: 0.6720534400822914,
                                              2499: 0.08843994344170202}),
])
def test_the_lessons_loop_itself_reproduces_the_course(course_data, lesson, dims, published, request):
    """The notebooks' code (dnn_utils' models, also kept as the engine's `.lesson`), run as written, gives the
    course's numbers too: its first costs are the published ones, and after 101 iterations its parameters and
    costs are the engine's to 1e-9 (the engine's own 2500 iterations give the course's last cost: the fixtures
    course_two_layer and course_L_layer). The lesson's loop takes half a minute for 2500 iterations."""
    train_x, train_y, _, _ = course_data
    assert getattr(engine, lesson).lesson is getattr(d, lesson)
    parameters, costs, printed = train_printing(getattr(d, lesson), train_x, train_y, dims, num_iterations=101)
    for iteration in (0, 100):
        assert printed[iteration] == pytest.approx(published[iteration], rel=1e-9)
    fast_parameters, fast_costs, _ = train_printing(getattr(engine, lesson), train_x, train_y, dims, num_iterations=101)
    np.testing.assert_allclose([float(c) for c in costs], [float(c) for c in fast_costs], rtol=1e-9)
    for key, value in fast_parameters.items():
        np.testing.assert_allclose(parameters[key], value, rtol=1e-9, atol=1e-12, err_msg=key)
    _, _, engine_printed = request.getfixturevalue("course_two_layer" if lesson == "two_layer_model" else "course_L_layer")
    assert engine_printed[2499] == pytest.approx(published[2499], rel=1e-9)


@pytest.mark.parametrize("arguments, message", [
    (lambda X, Y: (X, Y, [5, 3, 1]), r"X has shape \(4, 12\)"),
    (lambda X, Y: (X, Y, [4, 3, 2]), r"layers_dims must end with 1"),
    (lambda X, Y: (X, Y[:, :3], [4, 3, 1]), r"Y has shape \(1, 3\)"),
])
def test_the_engines_models_refuse_bad_input_as_the_lessons_do(arguments, message):
    X, Y = small_problem(4, 12, 3)
    for model in (engine.L_layer_model, d.L_layer_model):
        with pytest.raises(ValueError, match=message) as caught:
            model(*arguments(X, Y), num_iterations=1)
        assert str(caught.value).startswith("L_layer_model: "), caught.value
