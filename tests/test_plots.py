"""companion.plots: every picture draws on small data, with the expected axes and titles; load_image reads any picture."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from companion import plots  # noqa: E402

CLASSES = np.array([b"non-cat", b"cat"])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def pictures(m, num_px=8, seed=0):
    return np.random.RandomState(seed).randint(0, 256, size=(m, num_px, num_px, 3)).astype(np.uint8)


def titles(fig):
    return [ax.get_title() for ax in fig.axes]


def test_show_images_one_titled_axes_per_picture():
    fig = plots.show_images(pictures(7), np.array([[0, 1, 1, 0, 1, 0, 0]]), CLASSES, ncols=3)
    assert len(fig.axes) == 7
    assert titles(fig) == ["non-cat", "cat", "cat", "non-cat", "cat", "non-cat", "non-cat"]


def test_show_images_a_choice_of_pictures_with_a_prefix_and_str_classes():
    fig = plots.show_images(pictures(5), [1, 0, 1, 1, 0], ["dog", "cat"], indices=[4, 0],
                                prefix="prediction: ", title="two of five")
    assert titles(fig) == ["prediction: dog", "prediction: cat"]
    assert fig._suptitle.get_text() == "two of five"


def test_show_images_says_what_is_wrong():
    with pytest.raises(ValueError, match=r"3 images but 2 labels; expected one label per image"):
        plots.show_images(pictures(3), [0, 1], CLASSES)
    with pytest.raises(ValueError, match=r"\(m, height, width, 3\)"):
        plots.show_images(np.zeros((3, 8, 8)), [0, 1, 0], CLASSES)


def test_plot_costs_in_hundreds_of_iterations():
    costs = [np.array(0.69), np.array(0.5), np.array(0.3)]
    fig = plots.plot_costs(costs, 0.0075)
    (ax,) = fig.axes
    assert ax.get_title() == "Learning rate = 0.0075"
    assert ax.get_xlabel() == "iterations (per hundreds)" and ax.get_ylabel() == "cost"
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [0, 1, 2] and np.allclose(line.get_ydata(), [0.69, 0.5, 0.3])


def test_plot_costs_several_curves_on_one_axes():
    fig = plots.plot_costs([0.7, 0.6], 0.1, every=10, label="first", title="both")
    plots.plot_costs([0.7, 0.5], 0.1, every=10, ax=fig.axes[0], label="second", title="both")
    (ax,) = fig.axes
    assert [list(line.get_xdata()) for line in ax.get_lines()] == [[0, 10], [0, 10]]
    assert ax.get_xlabel() == "iterations" and ax.get_title() == "both"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["first", "second"]


def test_plot_costs_other_quantities_on_a_log_scale():
    fig = plots.plot_costs([1e-3, 1e-6], 0.1, every=10, ylabel="spread", yscale="log")
    assert fig.axes[0].get_ylabel() == "spread" and fig.axes[0].get_yscale() == "log"


def test_print_mislabeled_images_shows_only_the_wrong_ones():
    m, num_px = 6, 8
    X = pictures(m, num_px).reshape(m, -1).T / 255.
    y = np.array([[1, 0, 1, 1, 0, 0]])
    p = np.array([[1., 1., 0., 1., 0., 1.]])
    fig = plots.print_mislabeled_images(CLASSES, X, y, p)
    assert len(fig.axes) == 3
    assert titles(fig) == ["Prediction: cat\nClass: non-cat", "Prediction: non-cat\nClass: cat",
                           "Prediction: cat\nClass: non-cat"]
    shown = fig.axes[1].get_images()[0].get_array()
    assert np.allclose(shown, X[:, 2].reshape(num_px, num_px, 3))
    assert len(plots.print_mislabeled_images(CLASSES, X, y, p, max_images=2).axes) == 2


def test_print_mislabeled_images_when_all_are_right(capsys):
    X = pictures(2).reshape(2, -1).T / 255.
    assert plots.print_mislabeled_images(CLASSES, X, np.array([[0, 1]]), np.array([[0., 1.]])) is None
    assert "No mislabelled images" in capsys.readouterr().out


def test_draw_network_names_every_layer_and_shape():
    fig = plots.draw_network([12288, 20, 7, 5, 1], m=209)
    (ax,) = fig.axes
    texts = " ".join(text.get_text() for text in ax.texts)
    for shape in ("(12288, 209)", "(20, 12288)", "(7, 20)", "(5, 7)", "(1, 5)", "(1, 209)", "(1, 1)"):
        assert shape in texts
    assert texts.count("ReLU") == 3 and texts.count("sigmoid") == 1
    assert len(ax.patches) == 5


def test_plot_layer_scales_one_group_of_bars_per_layer():
    fig = plots.plot_layer_scales({"0.01": [0.3, 0.01, 1e-4], "scaled": [0.5, 0.6, 0.4]})
    (ax,) = fig.axes
    assert len(ax.patches) == 6 and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["$A^{[1]}$", "$A^{[2]}$", "$A^{[3]}$"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0.01", "scaled"]


def test_plot_layer_scales_side_by_side_on_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    plots.plot_layer_scales({"a": [1, 2]}, ax=left)
    same = plots.plot_layer_scales({"a": [1e-3, 1e-6], "b": [1, 1]}, name="dW", ax=right, title="gradients")
    assert same is fig and len(fig.axes) == 2
    assert right.get_title() == "gradients" and len(right.patches) == 4
    assert right.get_xticklabels()[1].get_text() == "$dW^{[2]}$"


def test_load_image_resizes_converts_and_flattens_as_the_course(tmp_path):
    rng = np.random.RandomState(1)
    rgba = rng.randint(0, 256, size=(40, 90, 4)).astype(np.uint8)
    path = tmp_path / "wide.png"
    Image.fromarray(rgba, "RGBA").save(path)
    image, x = plots.load_image(path)
    assert image.shape == (1, 64, 64, 3) and image.dtype == np.uint8
    assert x.shape == (12288, 1) and x.min() >= 0 and x.max() <= 1
    assert np.allclose(x[:, 0], image[0].reshape(-1) / 255.)
    expected = np.asarray(Image.fromarray(rgba, "RGBA").convert("RGB").resize((64, 64), Image.Resampling.LANCZOS))
    assert np.array_equal(image[0], expected)


def test_load_image_keeps_a_picture_of_the_right_size_as_it_is(tmp_path):
    picture = pictures(1, 64)[0]
    path = tmp_path / "same.png"
    Image.fromarray(picture).save(path)
    image, x = plots.load_image(str(path))
    assert np.array_equal(image[0], picture)
    assert np.array_equal(x, picture.reshape(1, -1).T / 255.)


def test_load_image_grey_and_other_sizes(tmp_path):
    path = tmp_path / "grey.jpg"
    Image.fromarray(np.full((20, 30), 128, np.uint8), "L").save(path)
    image, x = plots.load_image(path, num_px=16)
    assert image.shape == (1, 16, 16, 3) and x.shape == (16 * 16 * 3, 1)
    assert np.all(np.abs(image.astype(int) - 128) <= 2)


def test_load_image_errors_name_the_path(tmp_path):
    missing = tmp_path / "no_such_picture.jpg"
    with pytest.raises(FileNotFoundError, match="no_such_picture.jpg"):
        plots.load_image(missing)
    text = tmp_path / "notes.jpg"
    text.write_text("not a picture")
    with pytest.raises(ValueError, match=r"notes\.jpg.*not a picture"):
        plots.load_image(text)
    with pytest.raises(ValueError, match="is a folder"):
        plots.load_image(tmp_path)


def test_draw_network_on_a_figure_made_without_pyplot():
    from matplotlib.figure import Figure

    figure = Figure()
    drawn = plots.draw_network((4, 3, 1), ax=figure.add_axes((0, 0, 1, 1)))
    assert drawn is figure and plt.get_fignums() == []
    assert "(4, m)" in " ".join(text.get_text() for text in figure.axes[0].texts)


# ----------------------------------------------------------------------------------------------------------
# The drawings that used to sit in the lessons' cells


def test_draw_units_one_circle_per_unit_drawn_and_a_line_per_weight():
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Circle

    fig = plots.draw_units([3, 4, 1])
    (ax,) = fig.axes
    assert sum(isinstance(patch, Circle) for patch in ax.patches) == 8
    (weights,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(weights.get_segments()) == 3 * 4 + 4 * 1
    texts = " ".join(text.get_text() for text in ax.texts)
    assert "ReLU" in texts and "sigmoid" in texts and "$W^{[1]}$: (4, 3)" in texts
    assert ax.get_title() == "The network [3, 4, 1]: L = 2 layers"


def test_draw_units_compresses_a_wide_layer():
    from matplotlib.patches import Circle

    fig = plots.draw_units([12288, 20, 7, 5, 1], ["ReLU", "ReLU", "ReLU", "sigmoid"])
    circles = [patch for patch in fig.axes[0].patches if isinstance(patch, Circle)]
    assert len(circles) == 16 + 20 + 7 + 5 + 1


@pytest.mark.parametrize("args, message", [
    (([3, 0, 1],), r"layer_dims\[1\] must be a positive whole number, got 0"),
    (([3],), r"at least one layer, got \[3\]"),
    (([3, 4, 1], ["ReLU"]), r"got 1 activations for 2 layers"),
])
def test_draw_units_says_what_is_wrong(args, message):
    with pytest.raises(ValueError, match=message):
        plots.draw_units(*args)


def test_draw_layer_graph_labels_forward_and_backward():
    fig = plots.draw_layer_graph()
    (ax,) = fig.axes
    texts = [text.get_text() for text in ax.texts]
    assert sum("$dZ^{[l]}" in text for text in texts) == 1 and sum("$dW^{[l]}" in text for text in texts) == 1
    arrows = [child for child in ax.get_children() if type(child).__name__ == "Annotation"]
    assert len(arrows) == 10


def test_plot_lines_draws_each_curve_with_its_label_and_scales():
    fig = plots.plot_lines([1, 10, 100], {"a": [1e-3, 1e-6, 1e-9], "b": [1, 2, 3]}, title="t", xscale="log",
                               yscale="log", threshold=1e-7, marker="o")
    (ax,) = fig.axes
    assert [list(line.get_ydata()) for line in ax.get_lines()[:2]] == [[1e-3, 1e-6, 1e-9], [1, 2, 3]]
    assert ax.get_lines()[2].get_ydata()[0] == 1e-7   # the threshold
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log" and ax.get_title() == "t"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


def test_plot_lines_rejects_a_curve_of_the_wrong_length():
    with pytest.raises(ValueError, match=r"the curve 'a' has 2 values for 3 x values"):
        plots.plot_lines([1, 2, 3], {"a": [1, 2]})


def test_plot_panels_one_axes_per_curve():
    x = np.linspace(-1, 1, 5)
    fig = plots.plot_panels(x, {"first": x ** 2, "second": -x}, xlabel="z")
    assert titles(fig) == ["first", "second"]
    assert np.allclose(fig.axes[1].get_lines()[0].get_ydata(), -x) and fig.axes[0].get_xlabel() == "z"


def test_plot_decision_regions_titles_with_the_accuracy():
    X = np.array([[-1.0, 1.0, -2.0, 2.0], [0.0, 0.0, 1.0, 1.0]])
    Y = np.array([[0, 1, 0, 1]])
    right = {"W1": np.array([[10.0, 0.0]]), "b1": np.zeros((1, 1))}    # one sigmoid unit: x1 > 0 is a 1
    wrong = {"W1": np.array([[-10.0, 0.0]]), "b1": np.zeros((1, 1))}
    fig = plots.plot_decision_regions({"right": right, "wrong": wrong}, X, Y, resolution=20)
    assert titles(fig) == ["right\naccuracy 100%", "wrong\naccuracy 0%"]
    with pytest.raises(ValueError, match=r"X must be \(2, m\).*got X \(3, 4\)"):
        plots.plot_decision_regions({"right": right}, np.zeros((3, 4)), Y)


def test_plot_relative_errors_colours_the_bars_by_the_threshold():
    fig = plots.plot_relative_errors({"good": {"dW1": 1e-9, "db1": 1e-10}, "bad": {"dW1": 0.8, "db1": 1e-9}})
    good, bad = fig.axes
    colours = [tuple(np.round(bar.get_facecolor()[:3], 3)) for bar in bad.patches]
    assert colours[0] != colours[1] and good.get_yscale() == "log" and titles(fig) == ["good", "bad"]
    assert [bar.get_height() for bar in bad.patches] == [0.8, 1e-9]


def test_plot_depth_margins_a_pair_of_points_per_seed_and_split():
    rows = [{"seed": s, "two_layer_test": 0.6, "four_layer_test": 0.7, "two_layer_held_out": 0.6,
             "four_layer_held_out": 0.65} for s in (1, 2, 3)]
    fig = plots.plot_depth_margins(rows)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]
    points = [line for line in ax.get_lines()]
    assert len(points) == 4 and all(len(line.get_ydata()) == 3 for line in points)
    assert np.allclose(points[1].get_ydata(), 70)
    with_majority = plots.plot_depth_margins(rows, majority=0.66).axes[0]
    assert with_majority.get_lines()[0].get_ydata()[0] == pytest.approx(66)
    assert "answering the majority: 66%" in [t.get_text() for t in with_majority.get_legend().get_texts()]
    assert len(plots.plot_depth_margins([{k: rows[0][k] for k in ("seed", "two_layer_test",
                                                                      "four_layer_test")}]).axes[0].get_lines()) == 2
    with pytest.raises(ValueError, match="'seed', 'two_layer_test' and 'four_layer_test'"):
        plots.plot_depth_margins([{"seed": 1}])


class FakeRun:
    def __init__(self, label, outcome, train, test, message=""):
        self.label, self.outcome, self.message = label, outcome, message
        self.train_costs, self.test_costs = train, test


def test_show_runs_prints_the_numbers_it_draws(capsys):
    runs = [FakeRun("run 1", "finished", [(0, 0.7), (100, 0.5), (200, 0.3)], [(0, 0.7), (100, 0.6), (200, 0.65)]),
            FakeRun("run 2", "diverged", [(0, 0.7), (1, float("nan"))], [(0, 0.7)], message="it diverged")]
    fig = plots.show_runs(runs)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("run 1: finished; lowest test cost 0.6000 at iteration 100, last test cost 0.6500, "
                      "last training cost 0.3000")
    assert out[1].startswith("run 2: diverged; lowest test cost 0.7000 at iteration 0") and out[2] == "    it diverged"
    (ax,) = fig.axes
    assert len(ax.get_lines()) == 4 and list(ax.get_lines()[2].get_ydata()) == [0.7]   # NaN left out
    with pytest.raises(ValueError, match="got no runs"):
        plots.show_runs([])


def test_show_depth_margins_prints_the_table_and_its_summary(tmp_path, capsys):
    import json

    rows = [{"seed": 1, "two_layer_test": 0.68, "four_layer_test": 0.78, "two_layer_held_out": 0.61,
             "four_layer_held_out": 0.69},
            {"seed": 2, "two_layer_test": 0.70, "four_layer_test": 0.74, "two_layer_held_out": 0.65,
             "four_layer_held_out": 0.73}]
    settings = {"held_out_cats": 132, "held_out_size": 200, "test_cats": 33, "test_size": 50}
    path = tmp_path / "depth_margin.json"
    path.write_text(json.dumps({"settings": settings, "rows": rows}))
    fig = plots.show_depth_margins(path)
    out = capsys.readouterr().out.splitlines()
    assert out[1].split() == ["1", "68%", "78%", "+10", "61.0%", "69.0%", "+8.0"]
    assert out[3] == "margin in points, test: mean +7.0, from +4 to +10; held out: mean +8.0, from +8.0 to +8.0"
    assert out[4] == ('held out, mean accuracy: two layers 63.0%, four layers 71.0%; answering "cat" to every '
                      'picture: 66% (test pictures: 66%)')
    assert fig.axes[0].get_lines()[0].get_ydata()[0] == pytest.approx(66)


def test_show_depth_margins_says_when_the_file_is_missing(tmp_path, capsys):
    assert plots.show_depth_margins(tmp_path / "depth_margin.json") is None
    assert capsys.readouterr().out.startswith("There is no depth_margin.json in ")


# ----------------------------------------------------------------------------------------------------------
# Text alternatives: what a sighted reader takes from each figure, in words and numbers

def test_a_cost_curve_says_where_it_starts_ends_and_rises_and_gives_its_numbers():
    from companion.plots.described import figure_bundle, figure_numbers
    costs = [0.69, 0.6, 0.5, 0.55, 0.4, 0.3]
    fig = plots.plot_costs(costs, learning_rate=0.0075)
    text = plots.figure_description(fig)
    assert text == ("Line chart, Learning rate = 0.0075: cost against iterations, recorded every 100 iterations. "
                    "The cost goes from 0.69 at iteration 0 to 0.3 at iteration 500. It rises at iterations 300.")
    (table,) = figure_numbers(fig)
    assert table.header == ("iteration", "cost") and table.rows[3] == (300, "0.55")
    data, metadata = figure_bundle(fig)
    assert data["text/plain"] == metadata["image/png"]["alt"] == text
    assert f'alt="{text}"' in data["text/html"] and '<th scope="col">iteration</th>' in data["text/html"]
    assert '<th scope="row">300</th><td>0.55</td>' in data["text/html"]


def test_a_network_drawing_names_its_layers_and_shapes():
    text = plots.figure_description(plots.draw_network([12288, 7, 1], m=209))
    assert "L = 2 layers" in text and "hidden layers of 7 ReLU units" in text and "1 sigmoid unit" in text
    assert "Layer 1: W[1] (7, 12288), b[1] (7, 1), A[1] (7, 209)." in text


def test_a_figure_of_ones_own_is_described_from_what_it_holds_or_in_ones_own_words():
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2, 3], [3.0, 1.0, 0.5, 2.0], label="loss")
    ax.set_title("My run")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    assert plots.figure_description(fig) == ("My run. Axes: loss against epoch. loss: from 3 at 0 to 2 at 3, "
                                             "lowest 0.5 at 2.")
    plots.describe(ax, "The loss falls, then rises after epoch 2.")
    assert plots.figure_description(fig) == "The loss falls, then rises after epoch 2."
    with pytest.raises(ValueError, match="describe: text must be a non-empty sentence, got ''"):
        plots.describe(ax, "")
    with pytest.raises(ValueError, match="describe: numbers must be Numbers tables, got list"):
        plots.describe(ax, "x", numbers=[[1, 2]])


def test_figures_say_in_words_what_their_colours_say():
    text = plots.figure_description(plots.plot_relative_errors({"net": {"dW1": 1e-9, "db1": 0.3}}))
    assert "net: db1 above it (dW1 1.00e-09, db1 0.3)" in text and "hatched" in text
    fig = plots.plot_relative_errors({"net": {"dW1": 1e-9, "db1": 0.3}})
    assert [bar.get_hatch() for bar in fig.axes[0].patches] == [None, "//"]  # failing: hatched, not only red
    assert "dashed red arrows" in plots.figure_description(plots.draw_layer_graph())


def test_outside_ipython_nothing_is_installed():
    assert plots.install() is False
