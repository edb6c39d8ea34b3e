"""The widgets, driven as a person would: set the controls, click the buttons, read what they show.

The trainer's tests use small made-up pictures (8 x 8 RGB, 80 for training and 30 for testing), so each run
takes a fraction of a second.
"""
import base64
import html
import re
import time
from html.parser import HTMLParser

import numpy as np
import pytest

import dnn_utils
import companion.widgets
import companion.widgets.runs


class TableText(HTMLParser):
    """The text of every cell of an HTML table, row by row."""

    def __init__(self, markup):
        super().__init__()
        self.rows, self._cell = [], None
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def table_rows(explorer):
    """The shapes table's rows below its header, as lists of cell texts."""
    return TableText(explorer.table.value).rows[1:]


def text(widget):
    """What an HTML widget shows, without its tags."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", widget.value)).split())


# ----------------------------------------------------------------------------------------------------------
# The shape explorer

def test_the_table_shows_the_course_network():
    explorer = companion.widgets.shape_explorer()
    rows = table_rows(explorer)
    assert [row[0] for row in rows] == ["0 (input)", "1", "2", "3", "4"]
    assert rows[0][4] == "(12288, 209)"
    assert rows[1] == ["1", "(20, 12288)", "(20, 1)", "(20, 209)", "(20, 209)", "ReLU", "245,780"]
    assert rows[4] == ["4", "(1, 5)", "(1, 1)", "(1, 209)", "(1, 209)", "sigmoid", "6"]
    assert "4 layers, 245,973 parameters in all." in text(explorer.table)
    assert explorer.message.value == ""
    png = re.search(r'src="data:image/png;base64,([^"]+)"', explorer.drawing.value)
    assert base64.b64decode(png[1]).startswith(b"\x89PNG") and explorer.drawing.layout.display is None
    assert 'alt="Diagram of the network, L = 4 layers, left to right: the input X = A[0] of 12288 features' \
        in explorer.drawing.value


def test_the_table_follows_the_controls():
    explorer = companion.widgets.shape_explorer([12288, 20, 7, 5, 1], m=209)
    explorer.layers.value = 3  # keeps the first two hidden layers
    explorer.units[0].value = 16
    explorer.examples.value = 50
    explorer.inputs.value = 100
    rows = table_rows(explorer)
    assert len(rows) == 4 and len(explorer.units) == 2
    assert rows[1][1:5] == ["(16, 100)", "(16, 1)", "(16, 50)", "(16, 50)"]
    assert rows[2][1] == "(7, 16)" and rows[3][1] == "(1, 7)"
    assert "1,616" in rows[1]  # 16 * 100 + 16
    explorer.layers.value = 5  # the third hidden layer comes back as it was, a fourth one is added
    assert [box.value for box in explorer.units] == [16, 7, 5, companion.widgets.controls.NEW_LAYER_UNITS]
    assert repr(explorer) == "ShapeExplorer(layer_dims=[100, 16, 7, 5, 5, 1], m=50)"


def test_a_single_layer_is_logistic_regression():
    explorer = companion.widgets.shape_explorer([4, 3, 1], m=2)
    explorer.layers.value = 1
    assert table_rows(explorer)[1] == ["1", "(1, 4)", "(1, 1)", "(1, 2)", "(1, 2)", "sigmoid", "5"]


@pytest.mark.parametrize("control, value, expected", [
    (lambda e: e.units[1], 0, "n[2] = 0: every layer needs at least one unit."),
    (lambda e: e.units[0], -3, "n[1] = -3: every layer needs at least one unit."),
    (lambda e: e.inputs, 0, "n[0] = 0: the input needs at least one feature."),
    (lambda e: e.examples, 0, "m = 0: there must be at least one example."),
])
def test_bad_values_get_a_message_not_a_traceback(control, value, expected):
    explorer = companion.widgets.shape_explorer()
    good = control(explorer).value
    control(explorer).value = value
    assert text(explorer.message) == expected
    assert explorer.table.value == "" and explorer.drawing.layout.display == "none"
    control(explorer).value = good
    assert explorer.message.value == "" and len(table_rows(explorer)) == 5


def test_too_many_layers_to_draw_get_a_message_and_the_table():
    explorer = companion.widgets.shape_explorer()
    most = companion.widgets.explorer.MAX_DRAWN_LAYERS
    explorer.layers.value = most + 2
    assert text(explorer.message) == f"{most + 2} layers are too many to draw (at most {most}); the table lists them all."
    assert len(table_rows(explorer)) == most + 3
    assert explorer.drawing.layout.display == "none"
    explorer.layers.value = most
    assert explorer.message.value == "" and explorer.drawing.layout.display is None


def test_print_shapes_is_the_same_table_as_text(capsys):
    companion.widgets.print_shapes([12288, 20, 7, 5, 1], 209)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["layer", "W[l]", "b[l]", "Z[l]", "A[l]", "activation", "parameters"]
    assert re.match(r"1 +\(20, 12288\) +\(20, 1\) +\(20, 209\) +\(20, 209\) +ReLU +245,780$", lines[2])
    assert lines[-1] == "4 layers, 245,973 parameters in all."


# ----------------------------------------------------------------------------------------------------------
# The trainer

def made_up_pictures(m, rng):
    """m 8 x 8 RGB pictures, flattened and scaled, labelled 1 when their top half is the brighter one; one
    label in eight is then flipped, so that a network makes a few mistakes."""
    X = rng.rand(8, 8, 3, m) * 0.6
    Y = (rng.rand(1, m) > 0.5).astype(float)
    X[:4, :, :, Y[0] == 1] += 0.25
    X[4:, :, :, Y[0] == 0] += 0.25
    flipped = rng.permutation(m)[:m // 8]
    Y[0, flipped] = 1 - Y[0, flipped]
    return X.transpose(3, 0, 1, 2).reshape(m, -1).T, Y


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    return made_up_pictures(80, rng), made_up_pictures(30, rng)


@pytest.fixture
def trainer(data):
    trainer = companion.widgets.cost_trainer(*data)
    yield trainer
    trainer.stop()
    trainer.wait(30)


def train(trainer, iterations=300, learning_rate=0.05, layers=None, timeout=60):
    """Set the controls, click Train and wait for the run to end; returns the run."""
    trainer.iterations.value = iterations
    trainer.learning_rate.value = learning_rate
    if layers is not None:
        trainer.layers.value = layers
    trainer.train_button.click()
    assert trainer.wait(timeout), "the run did not end in time"
    return trainer.runs[-1]


def test_a_screen_reader_hears_each_quarter_of_a_run_and_its_end(trainer, monkeypatch):
    monkeypatch.setattr(companion.widgets.trainer, "REFRESH_SECONDS", 0.0)   # progress at every iteration
    said = []
    monkeypatch.setattr(trainer, "say", lambda text, kind="info": (said.append(text),
                                                                   setattr(trainer.status, "value", text)))
    train(trainer, iterations=400)
    assert [re.sub(r"cost \d\.\d{4}", "cost C", text) for text in said[1:4]] == [
        "Run 1: 25 % done, iteration 100 of 400, training cost C.",
        "Run 1: 50 % done, iteration 200 of 400, training cost C.",
        "Run 1: 75 % done, iteration 300 of 400, training cost C."]
    assert said[0].startswith("Run 1: training a 4-layer network") and len(said) == 6
    assert said[4].startswith("Run 1 finished: 400 iterations") and "Train accuracy" not in said[4]
    assert re.fullmatch(r"Run 1 finished: 400 iterations in \d+\.\d s, final cost \d\.\d{4}\. Train accuracy: "
                        r"\d+\.\d% \(\d+ of 80\); Test accuracy: \d+\.\d% \(\d+ of 30\)\.", said[5]), said[5]


def polylines(trainer, kind):
    """The point lists of the cost plot's train-cost or test-cost lines, as they are drawn."""
    return [points.split() for points in
            re.findall(rf'<polyline class="{kind}" data-run="\d+" points="([^"]*)"', trainer.plot.value)]


def x_ticks(trainer):
    """The numbers under the cost plot's iterations axis."""
    return [float(value) for value in re.findall(r'text-anchor="middle">([\d.e+]+)</text>', trainer.plot.value)]


def test_a_run_draws_its_costs_and_shows_the_accuracy_and_the_mistakes(trainer, data):
    run = train(trainer, iterations=300)
    assert run.outcome == "finished"
    assert [len(points) for points in polylines(trainer, "train-cost")] == [101]  # every 3 iterations, and the last
    assert [len(points) for points in polylines(trainer, "test-cost")] == [25]
    assert [i for i, _ in run.train_costs] == list(range(0, 300, 3)) + [299]
    assert trainer.progress.value == trainer.progress.max == 300 and trainer.progress.bar_style == "success"
    assert max(x_ticks(trainer)) == 300
    assert re.fullmatch(r"Run 1 finished: 300 iterations in \d+\.\d s, final cost \d\.\d{4}\. Train accuracy: \d+\.\d% "
                        r"\(\d+ of 80\); Test accuracy: \d+\.\d% \(\d+ of 30\)\.", text(trainer.status))
    assert re.fullmatch(r"300 iterations in \d+\.\d s", trainer.timing.value)
    (train_x, train_y), (test_x, test_y) = data
    p_train = dnn_utils.predict(train_x, None, run.parameters)
    p_test = dnn_utils.predict(test_x, None, run.parameters)
    wrong = int(np.sum(p_test != test_y))
    assert text(trainer.accuracy) == (
        f"Train accuracy: {100 * np.mean(p_train == train_y):.1f}% ({int(np.sum(p_train == train_y))} of 80)"
        f" · Test accuracy: {100 * np.mean(p_test == test_y):.1f}% ({30 - wrong} of 30)")
    assert 0 < wrong < 30, "the made-up pictures should give a few mistakes"
    assert len(trainer.gallery.children) == wrong
    assert text(trainer.gallery_title) == f"Misclassified test pictures: {wrong} of 30"
    picture, caption = trainer.gallery.children[0].children
    png = re.search(r'src="data:image/png;base64,([^"]+)"', picture.value)
    assert base64.b64decode(png[1]).startswith(b"\x89PNG")
    index = int(np.flatnonzero(p_test != test_y)[0])
    truth = "cat" if test_y[0, index] else "non-cat"
    assert f'alt="Test picture #{index}"' in picture.value
    assert "<caption>run 1: costs every 100 iterations</caption>" in trainer.costs.value
    assert "<tr><th scope=\"row\">0</th>" in trainer.costs.value and "<th scope=\"row\">201</th>" in trainer.costs.value  # the first recorded in each 100
    assert text(caption) == f"#{index}: predicted {'non-cat' if truth == 'cat' else 'cat'}, is {truth}"
    assert not trainer.train_button.disabled and trainer.stop_button.disabled


def test_the_curve_and_the_progress_update_while_it_trains_and_stop_ends_the_run(trainer):
    trainer.iterations.value = 10000
    trainer.train_button.click()
    assert trainer.running and trainer.train_button.disabled and not trainer.stop_button.disabled
    deadline = time.monotonic() + 30
    while not (trainer.progress.value > 0 and polylines(trainer, "train-cost")) and time.monotonic() < deadline:
        time.sleep(0.02)
    live_progress, live_points = trainer.progress.value, len(polylines(trainer, "train-cost")[0])
    assert trainer.running and 0 < live_progress < 10000 and live_points > 0
    assert max(x_ticks(trainer)) == 10000  # while it runs, the axis shows the whole run to come
    assert re.fullmatch(r"iteration \d+ of 10000, elapsed \d+\.\d s, remaining about .+", trainer.timing.value)
    trainer.stop_button.click()
    assert trainer.wait(30)
    run = trainer.runs[-1]
    assert run.outcome == "stopped" and live_progress <= run.at < 10000
    assert trainer.progress.value == run.at and trainer.progress.bar_style == "warning"
    assert text(trainer.status).startswith(f"Run 1 stopped at iteration {run.at} of 10000; the accuracy below is "
                                           f"that of the parameters reached so far. Train accuracy: ")
    assert "Train accuracy" in text(trainer.accuracy) and "Test accuracy" in text(trainer.accuracy)
    assert not trainer.train_button.disabled and trainer.stop_button.disabled
    assert max(x_ticks(trainer)) < 10000   # once stopped, the axis fits what was done
    assert max(x_ticks(trainer)) >= run.at - companion.widgets.runs._nice_step(run.at)


def test_a_diverging_run_stops_with_a_message_naming_the_learning_rate(trainer):
    run = train(trainer, iterations=1000, learning_rate=10.0, layers=1)  # logistic regression
    assert run.outcome == "diverged" and run.parameters is None
    message = text(trainer.status)
    assert re.fullmatch(r"Run 1 diverged: the cost went from \d\.\d+ at iteration 0 to .+ at iteration \d+\. "
                        r"The learning rate 10 is too large for this network; try a smaller one, such as 1\.",
                        message), message
    assert trainer.progress.value == run.at < 1000 and trainer.progress.bar_style == "danger"
    assert trainer.accuracy.value == "" and trainer.gallery.children == ()
    assert "run 1: learning rate 10, hidden units none, 1000 iterations, seed 1: diverged" in trainer.plot.value


def test_runs_are_overlaid_with_a_legend_and_can_be_cleared(trainer):
    train(trainer, iterations=200, learning_rate=0.05)
    train(trainer, iterations=400, learning_rate=0.01, layers=2)
    assert len(polylines(trainer, "train-cost")) == len(polylines(trainer, "test-cost")) == 2
    legend = re.findall(r'<g class="legend-entry" data-run="\d+">.*?<text[^>]*>([^<]*)</text></g>',
                        trainer.plot.value)
    assert [entry.split(": final cost")[0] for entry in legend] == [
        "run 1: learning rate 0.05, hidden units 20-7-5, 200 iterations, seed 1",
        "run 2: learning rate 0.01, hidden units 20, 400 iterations, seed 1"]
    colours = re.findall(r'<polyline class="train-cost" data-run="\d+" points="[^"]*" fill="none" stroke="([^"]+)"',
                         trainer.plot.value)
    assert len(set(colours)) == 2
    trainer.clear_button.click()
    assert trainer.runs == [] and polylines(trainer, "train-cost") == [] and "Press Train" in trainer.plot.value


def test_the_same_seed_gives_the_same_run_and_another_seed_another(trainer):
    first = train(trainer, iterations=100)
    again = train(trainer, iterations=100)
    trainer.seed.value = 7
    other = train(trainer, iterations=100)
    np.testing.assert_allclose(first.train_costs, again.train_costs, rtol=1e-12)
    assert not np.allclose(first.train_costs, other.train_costs)


def test_save_then_load_brings_back_the_network_and_its_accuracy(trainer, tmp_path):
    run = train(trainer, iterations=200, layers=3)
    shown = trainer.accuracy.value
    path = tmp_path / "run.npz"
    trainer.path.value = str(path)
    trainer.save_button.click()
    assert text(trainer.status) == f"Saved the parameters of the network [192, 20, 7, 1] to {str(path)!r}."
    trainer.layers.value, trainer.units[0].value = 5, 3  # the user moves on ...
    trainer.clear_button.click()
    trainer.load_button.click()  # ... and comes back
    assert text(trainer.status) == f"Loaded the parameters of the network [192, 20, 7, 1] from {str(path)!r}."
    assert trainer.layer_dims() == [192, 20, 7, 1]
    assert trainer.accuracy.value == shown
    loaded = dnn_utils.load_parameters(path)
    assert loaded.keys() == run.parameters.keys()
    for key in loaded:
        np.testing.assert_array_equal(loaded[key], run.parameters[key])


def test_save_and_load_say_what_is_wrong(trainer, tmp_path):
    trainer.path.value = str(tmp_path / "none.npz")
    trainer.save_button.click()
    assert text(trainer.status) == "Nothing to save yet: train a run (or load one) first."
    trainer.load_button.click()
    assert text(trainer.status).startswith(f"Could not load {str(tmp_path / 'none.npz')!r}: load_parameters:")
    other = tmp_path / "other.npz"
    dnn_utils.save_parameters(other, dnn_utils.initialize_parameters_deep_scaled([50, 4, 1]))
    trainer.path.value = str(other)
    trainer.load_button.click()
    assert text(trainer.status) == (f"{str(other)!r} holds the network [50, 4, 1]; this trainer takes 192 input "
                                    f"features, one output unit and at most 8 layers.")
    train(trainer, iterations=100)
    trainer.path.value = str(tmp_path / "no such folder" / "run.npz")
    trainer.save_button.click()
    assert text(trainer.status).startswith(f"Could not save to {trainer.path.value!r}:")


def test_a_layer_without_units_is_refused_before_training(trainer):
    trainer.units[1].value = 0
    trainer.train_button.click()
    assert text(trainer.status) == "n[2] = 0: every layer needs at least one unit."
    assert trainer.runs == [] and not trainer.running


def test_without_a_test_set_it_shows_the_train_accuracy_only(data):
    trainer = companion.widgets.cost_trainer(data[0])
    run = train(trainer, iterations=100)
    assert run.test_costs == [] and polylines(trainer, "test-cost") == []
    assert re.fullmatch(r"Train accuracy: \d+\.\d% \(\d+ of 80\)", text(trainer.accuracy))
    assert trainer.gallery.children == ()
    assert repr(trainer) == "CostTrainer(train=80 examples of 192 features, test=none)"


def test_bad_data_is_refused_with_a_clear_error(data):
    (X, Y), _ = data
    with pytest.raises(ValueError, match=r"cost_trainer: train must be X \(n, m\) of floats and Y \(1, m\), "
                                         r"got X \(192, 80\) uint8"):
        companion.widgets.cost_trainer(((X * 255).astype(np.uint8), Y))
    with pytest.raises(TypeError, match="cost_trainer: train must be a pair"):
        companion.widgets.cost_trainer(X)
    with pytest.raises(ValueError, match="cost_trainer: the test pictures have 191 features and the training "
                                         "pictures 192; expected the same number"):
        companion.widgets.cost_trainer((X, Y), (X[1:], Y))


def test_data_that_are_not_pictures_get_a_title_but_no_gallery():
    rng = np.random.RandomState(1)
    X, Y = rng.randn(10, 60), (rng.rand(1, 60) > 0.5).astype(float)  # random labels: mistakes are certain
    trainer = companion.widgets.cost_trainer((X[:, :40], Y[:, :40]), (X[:, 40:], Y[:, 40:]))
    train(trainer, iterations=100)
    assert trainer.gallery.children == ()
    assert re.fullmatch(r"Misclassified test pictures: \d+ of 20 \(their 10 numbers are not square RGB pictures, "
                        r"so they are not drawn\)", text(trainer.gallery_title))


def test_the_trainer_starts_with_the_hidden_layers_it_is_given(data):
    two_layer = companion.widgets.cost_trainer(*data, hidden_units=(7,))
    assert two_layer.layers.value == 2 and [box.value for box in two_layer.units] == [7]
    assert two_layer.layer_dims() == [192, 7, 1]
    assert companion.widgets.cost_trainer(*data, hidden_units=[]).layer_dims() == [192, 1]
    assert companion.widgets.cost_trainer(*data).layer_dims() == [192, 20, 7, 5, 1]
    run = train(two_layer, iterations=100)
    assert run.layer_dims == [192, 7, 1]


def test_the_trainers_final_cost_is_the_last_cost_the_lessons_loop_prints(data, capsys):
    """The same network, seed and rate: the trainer's final cost is L_layer_model's last printed cost (that of
    the last iteration, not of the last point drawn before it)."""
    trainer = companion.widgets.cost_trainer(*data, hidden_units=(5,))
    run = train(trainer, iterations=250, learning_rate=0.05)
    (X, Y), _ = data
    dnn_utils.L_layer_model(X, Y, run.layer_dims, learning_rate=0.05, num_iterations=250, print_cost=True)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("Cost after iteration 249: ")
    assert run.state == f"final cost {float(last.rsplit(' ', 1)[1]):.4f}" and run.train_costs[-1][0] == 249
    assert f", {run.state}. Train accuracy: " in text(trainer.status)

@pytest.mark.parametrize("hidden_units", [(0,), (7, -1), ("seven",), (2.5,), 7, tuple(range(1, 9))])
def test_bad_hidden_units_are_refused_with_a_clear_error(data, hidden_units):
    with pytest.raises(ValueError, match=r"cost_trainer: hidden_units must be a list of at most 7 positive whole "
                                         r"numbers, one per hidden layer \(e\.g\. \(7,\) or \(20, 7, 5\)\), got "):
        companion.widgets.cost_trainer(*data, hidden_units=hidden_units)


def test_dead_layer_finds_the_first_hidden_layer_whose_relus_all_output_zero():
    rng = np.random.RandomState(1)
    X = rng.rand(6, 10)
    parameters = dnn_utils.initialize_parameters_deep_scaled([6, 4, 3, 1], seed=1)
    assert companion.widgets.runs.dead_layer(X, parameters) is None
    parameters["b2"] = np.full((3, 1), -1e3)    # every Z[2] negative
    assert companion.widgets.runs.dead_layer(X, parameters) == 2
    parameters["b1"] = np.full((4, 1), -1e3)
    assert companion.widgets.runs.dead_layer(X, parameters) == 1
    parameters["b1"][0] = 1e3                    # one unit of layer 1 alive is enough for layer 1 ...
    assert companion.widgets.runs.dead_layer(X, parameters) == 2  # ... but layer 2 is still dead


def test_a_run_whose_relus_all_die_stops_and_says_why(trainer):
    # With learning rate 2 the first steps throw the hidden layers' weights so far that every ReLU of a layer
    # outputs 0 for every picture: the cost then sits still (at the labels' base rate) however long it runs.
    run = train(trainer, iterations=2000, learning_rate=2.0)
    assert run.outcome == "dead" and 0 < run.at < 2000
    assert re.fullmatch(rf"Run 1 stopped at iteration {run.at}: every ReLU of hidden layer \d outputs 0 for every "
                        r"training example, so no gradient gets through it and the network gives every example "
                        r"the same answer; more iterations cannot change that\. The learning rate 2 pushed the "
                        r"weights too far; try a smaller one, such as 0\.2\.", text(trainer.status))
    assert companion.widgets.runs.dead_layer(trainer.train_data[0], run.parameters) is not None
    assert trainer.progress.bar_style == "warning"
    predictions = dnn_utils.predict(trainer.train_data[0], None, run.parameters)
    assert len(np.unique(predictions)) == 1      # the same answer for every picture ...
    assert "Train accuracy" in text(trainer.accuracy)  # ... which the accuracy shows
    assert f"seed 1: dead at iteration {run.at}" in trainer.plot.value


def test_a_network_dead_from_the_start_says_to_change_the_seed_or_the_units(data):
    trainer = companion.widgets.cost_trainer(*data, hidden_units=[1])
    trainer.seed.value = 3                       # this seed's single unit outputs 0 for every picture
    run = train(trainer, iterations=500, learning_rate=0.01)
    assert (run.outcome, run.at) == ("dead", 0)
    assert text(trainer.status).endswith("more iterations cannot change that. It started that way: try another "
                                         "seed or more units in that layer.")
