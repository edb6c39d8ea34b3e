"""Shared fixtures: the course's own files (where present) and the models trained on them (by the fast engine,
which runs the lessons' iterations), once per run."""
import contextlib
import io
import os
import re
from pathlib import Path

import numpy as np
import pytest

import dnn_utils
from companion.solutions import engine

PROJECT = Path(__file__).resolve().parents[1]
COURSE_DATA = Path(os.environ.get("DNN_COURSE_DATA", PROJECT.parent / "shared" / "datasets"))
COURSE_FILES = ("train_catvnoncat.h5", "test_catvnoncat.h5")


def flatten(images):
    """(m, 64, 64, 3) uint8 images -> (12288, m) floats in [0, 1], as the course prepares them."""
    return images.reshape(images.shape[0], -1).T / 255.


@pytest.fixture(scope="session")
def course_data():
    """(train_x, train_y, test_x, test_y) from the course's files, flattened and scaled; skips without them."""
    if not all((COURSE_DATA / name).is_file() for name in COURSE_FILES):
        pytest.skip(f"the course's files {COURSE_FILES} are not in {COURSE_DATA} (set DNN_COURSE_DATA to their folder)")
    train_x, train_y, test_x, test_y, _ = dnn_utils.load_data(COURSE_DATA)
    return flatten(train_x), train_y, flatten(test_x), test_y


def train_printing(model, X, Y, layers_dims, num_iterations=2500):
    """Train as the course does (lr 0.0075, 2500 iterations, print_cost=True); return parameters, costs and
    the printed costs as {iteration: float}."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        parameters, costs = model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=num_iterations,
                                  print_cost=True)
    lines = printed.getvalue().splitlines()
    pattern = re.compile(r"^Cost after iteration (\d+): (\S+)$")
    assert all(pattern.match(line) for line in lines), lines[:3]
    return parameters, costs, {int(m[1]): float(m[2]) for m in map(pattern.match, lines)}


@pytest.fixture(scope="session")
def course_two_layer(course_data):
    train_x, train_y, _, _ = course_data
    return train_printing(engine.two_layer_model, train_x, train_y, (12288, 7, 1))


@pytest.fixture(scope="session")
def course_L_layer(course_data):
    train_x, train_y, _, _ = course_data
    return train_printing(engine.L_layer_model, train_x, train_y, [12288, 20, 7, 5, 1])


def random_net(sizes, m, seed):
    """X (sizes[0], m), labels Y (1, m) and parameters of a random net with the given layer sizes."""
    rng = np.random.RandomState(seed)
    X = rng.randn(sizes[0], m)
    Y = (rng.rand(1, m) > 0.5).astype(float)
    parameters = {}
    for l in range(1, len(sizes)):
        parameters[f"W{l}"] = rng.randn(sizes[l], sizes[l - 1]) / np.sqrt(sizes[l - 1])
        parameters[f"b{l}"] = rng.randn(sizes[l], 1) * 0.1
    return X, Y, parameters


def assert_each_refused(folder, file_name, read, cases, option):
    """Each text of `cases` written to folder/file_name and read with `read` is refused with a ClassError that
    starts with `option` and the path and holds its message: {text: message}."""
    from grading.classbook import ClassError
    for text, message in cases.items():
        path = folder / file_name
        path.write_text(text)
        with pytest.raises(ClassError) as error:
            read(path)
        assert str(error.value).startswith(f"{option} {path}") and message in str(error.value), error.value
