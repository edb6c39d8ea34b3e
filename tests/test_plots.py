"""dnn_plots: every picture draws on small data, with the expected axes and titles; load_image reads any picture."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import dnn_plots  # noqa: E402

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
    fig = dnn_plots.show_images(pictures(7), np.array([[0, 1, 1, 0, 1, 0, 0]]), CLASSES, ncols=3)
    assert len(fig.axes) == 7
    assert titles(fig) == ["non-cat", "cat", "cat", "non-cat", "cat", "non-cat", "non-cat"]


def test_show_images_a_choice_of_pictures_with_a_prefix_and_str_classes():
    fig = dnn_plots.show_images(pictures(5), [1, 0, 1, 1, 0], ["dog", "cat"], indices=[4, 0],
                                prefix="prediction: ", title="two of five")
    assert titles(fig) == ["prediction: dog", "prediction: cat"]
    assert fig._suptitle.get_text() == "two of five"


def test_show_images_says_what_is_wrong():
    with pytest.raises(ValueError, match=r"3 images but 2 labels; expected one label per image"):
        dnn_plots.show_images(pictures(3), [0, 1], CLASSES)
    with pytest.raises(ValueError, match=r"\(m, height, width, 3\)"):
        dnn_plots.show_images(np.zeros((3, 8, 8)), [0, 1, 0], CLASSES)


def test_plot_costs_in_hundreds_of_iterations():
    costs = [np.array(0.69), np.array(0.5), np.array(0.3)]
    fig = dnn_plots.plot_costs(costs, 0.0075)
    (ax,) = fig.axes
    assert ax.get_title() == "Learning rate = 0.0075"
    assert ax.get_xlabel() == "iterations (per hundreds)" and ax.get_ylabel() == "cost"
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [0, 1, 2] and np.allclose(line.get_ydata(), [0.69, 0.5, 0.3])


def test_plot_costs_several_curves_on_one_axes():
    fig = dnn_plots.plot_costs([0.7, 0.6], 0.1, every=10, label="first", title="both")
    dnn_plots.plot_costs([0.7, 0.5], 0.1, every=10, ax=fig.axes[0], label="second", title="both")
    (ax,) = fig.axes
    assert [list(line.get_xdata()) for line in ax.get_lines()] == [[0, 10], [0, 10]]
    assert ax.get_xlabel() == "iterations" and ax.get_title() == "both"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["first", "second"]


def test_plot_costs_other_quantities_on_a_log_scale():
    fig = dnn_plots.plot_costs([1e-3, 1e-6], 0.1, every=10, ylabel="spread", yscale="log")
    assert fig.axes[0].get_ylabel() == "spread" and fig.axes[0].get_yscale() == "log"


def test_print_mislabeled_images_shows_only_the_wrong_ones():
    m, num_px = 6, 8
    X = pictures(m, num_px).reshape(m, -1).T / 255.
    y = np.array([[1, 0, 1, 1, 0, 0]])
    p = np.array([[1., 1., 0., 1., 0., 1.]])
    fig = dnn_plots.print_mislabeled_images(CLASSES, X, y, p)
    assert len(fig.axes) == 3
    assert titles(fig) == ["Prediction: cat\nClass: non-cat", "Prediction: non-cat\nClass: cat",
                           "Prediction: cat\nClass: non-cat"]
    shown = fig.axes[1].get_images()[0].get_array()
    assert np.allclose(shown, X[:, 2].reshape(num_px, num_px, 3))
    assert len(dnn_plots.print_mislabeled_images(CLASSES, X, y, p, max_images=2).axes) == 2


def test_print_mislabeled_images_when_all_are_right(capsys):
    X = pictures(2).reshape(2, -1).T / 255.
    assert dnn_plots.print_mislabeled_images(CLASSES, X, np.array([[0, 1]]), np.array([[0., 1.]])) is None
    assert "No mislabelled images" in capsys.readouterr().out


def test_draw_network_names_every_layer_and_shape():
    fig = dnn_plots.draw_network([12288, 20, 7, 5, 1], m=209)
    (ax,) = fig.axes
    texts = " ".join(text.get_text() for text in ax.texts)
    for shape in ("(12288, 209)", "(20, 12288)", "(7, 20)", "(5, 7)", "(1, 5)", "(1, 209)", "(1, 1)"):
        assert shape in texts
    assert texts.count("ReLU") == 3 and texts.count("sigmoid") == 1
    assert len(ax.patches) == 5


def test_plot_layer_scales_one_group_of_bars_per_layer():
    fig = dnn_plots.plot_layer_scales({"0.01": [0.3, 0.01, 1e-4], "scaled": [0.5, 0.6, 0.4]})
    (ax,) = fig.axes
    assert len(ax.patches) == 6 and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["$A^{[1]}$", "$A^{[2]}$", "$A^{[3]}$"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0.01", "scaled"]


def test_plot_layer_scales_side_by_side_on_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    dnn_plots.plot_layer_scales({"a": [1, 2]}, ax=left)
    same = dnn_plots.plot_layer_scales({"a": [1e-3, 1e-6], "b": [1, 1]}, name="dW", ax=right, title="gradients")
    assert same is fig and len(fig.axes) == 2
    assert right.get_title() == "gradients" and len(right.patches) == 4
    assert right.get_xticklabels()[1].get_text() == "$dW^{[2]}$"


def test_load_image_resizes_converts_and_flattens_as_the_course(tmp_path):
    rng = np.random.RandomState(1)
    rgba = rng.randint(0, 256, size=(40, 90, 4)).astype(np.uint8)
    path = tmp_path / "wide.png"
    Image.fromarray(rgba, "RGBA").save(path)
    image, x = dnn_plots.load_image(path)
    assert image.shape == (1, 64, 64, 3) and image.dtype == np.uint8
    assert x.shape == (12288, 1) and x.min() >= 0 and x.max() <= 1
    assert np.allclose(x[:, 0], image[0].reshape(-1) / 255.)
    expected = np.asarray(Image.fromarray(rgba, "RGBA").convert("RGB").resize((64, 64), Image.Resampling.LANCZOS))
    assert np.array_equal(image[0], expected)


def test_load_image_keeps_a_picture_of_the_right_size_as_it_is(tmp_path):
    picture = pictures(1, 64)[0]
    path = tmp_path / "same.png"
    Image.fromarray(picture).save(path)
    image, x = dnn_plots.load_image(str(path))
    assert np.array_equal(image[0], picture)
    assert np.array_equal(x, picture.reshape(1, -1).T / 255.)


def test_load_image_grey_and_other_sizes(tmp_path):
    path = tmp_path / "grey.jpg"
    Image.fromarray(np.full((20, 30), 128, np.uint8), "L").save(path)
    image, x = dnn_plots.load_image(path, num_px=16)
    assert image.shape == (1, 16, 16, 3) and x.shape == (16 * 16 * 3, 1)
    assert np.all(np.abs(image.astype(int) - 128) <= 2)


def test_load_image_errors_name_the_path(tmp_path):
    missing = tmp_path / "no_such_picture.jpg"
    with pytest.raises(FileNotFoundError, match="no_such_picture.jpg"):
        dnn_plots.load_image(missing)
    text = tmp_path / "notes.jpg"
    text.write_text("not a picture")
    with pytest.raises(ValueError, match=r"notes\.jpg.*not a picture"):
        dnn_plots.load_image(text)
    with pytest.raises(ValueError, match="is a folder"):
        dnn_plots.load_image(tmp_path)


def test_draw_network_on_a_figure_made_without_pyplot():
    from matplotlib.figure import Figure

    figure = Figure()
    drawn = dnn_plots.draw_network((4, 3, 1), ax=figure.add_axes((0, 0, 1, 1)))
    assert drawn is figure and plt.get_fignums() == []
    assert "(4, m)" in " ".join(text.get_text() for text in figure.axes[0].texts)
