"""Pictures for the notebooks: sample images, the network's layer shapes, cost curves, mislabelled images,
the scale of the activations or gradients layer by layer, and loading a picture of your own.

Every drawing function creates its figure with matplotlib's object API and returns the Figure; in a
notebook, end the cell with `plt.show()` so that the picture is shown once. Images follow the course's
layout: a batch of pictures is (m, 64, 64, 3), and a flattened batch is (12288, m), one column per picture,
holding the pixels of each picture row by row, channel last, scaled to [0, 1].
"""
from pathlib import Path

import numpy as np


def _pyplot():
    """matplotlib.pyplot, imported on first use so that importing this module stays cheap."""
    import matplotlib.pyplot as plt
    return plt


def _class_name(classes, label):
    """The name of class `label` (0 or 1) as text, whether `classes` holds bytes (as in the HDF5 files) or str."""
    name = classes[int(label)]
    return name.decode("utf-8") if isinstance(name, bytes) else str(name)


def _grid(count, ncols, size):
    """A figure with `count` image axes on a grid `ncols` wide (unused cells hidden); returns fig and the axes."""
    ncols = max(1, min(ncols, count))
    nrows = -(-count // ncols)
    fig, axes = _pyplot().subplots(nrows, ncols, figsize=(size * ncols, (size + 0.45) * nrows), squeeze=False)
    axes = axes.ravel()
    for ax in axes[count:]:
        fig.delaxes(ax)
    for ax in axes[:count]:
        ax.axis("off")
    return fig, list(axes[:count])


def _as_picture(column, num_px=None):
    """One flattened picture (n,) back to (num_px, num_px, 3)."""
    if num_px is None:
        num_px = int(round(np.sqrt(column.size / 3)))
    return column.reshape(num_px, num_px, 3)


def show_images(images, labels, classes, indices=None, ncols=5, size=1.8, prefix="", title=None):
    """A grid of pictures, each titled with its class name.

    images  -- (m, height, width, 3) pictures: uint8 0..255 or floats in [0, 1]
    labels  -- m labels 0 or 1, shape (1, m) or (m,)
    classes -- the class names, e.g. [b'non-cat', b'cat'] from load_data
    indices -- which pictures to show (default: all of them)
    ncols   -- pictures per row; size -- inches per picture
    prefix  -- text put before each class name, e.g. "prediction: "
    title   -- a title over the whole grid
    Returns the Figure, with one Axes per picture.
    """
    images = np.asarray(images)
    labels = np.asarray(labels).reshape(-1)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"show_images: images must have shape (m, height, width, 3), got {images.shape}")
    if labels.size != images.shape[0]:
        raise ValueError(f"show_images: got {images.shape[0]} images but {labels.size} labels; expected one label "
                         f"per image")
    indices = range(images.shape[0]) if indices is None else [int(i) for i in indices]
    indices = list(indices)
    fig, axes = _grid(len(indices), ncols, size)
    for ax, index in zip(axes, indices):
        ax.imshow(images[index], interpolation="nearest")
        ax.set_title(f"{prefix}{_class_name(classes, labels[index])}", fontsize=9)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_costs(costs, learning_rate, every=100, ax=None, label=None, title=None, ylabel="cost", yscale="linear"):
    """The cost curve of a training run.

    costs         -- the costs a model returned (numbers or 0-d arrays), one per `every` iterations
    learning_rate -- shown in the title
    every         -- iterations between two recorded costs; with the course's 100 the x axis counts
                     hundreds of iterations, as the course plots it
    ax            -- draw on this Axes (to put several curves on one plot); default: a new figure
    label         -- legend entry of this curve
    title         -- default "Learning rate = <learning_rate>"
    ylabel        -- the name of what is plotted, when it is another number recorded during training
    yscale        -- "linear" or "log"
    Returns the Figure.
    """
    costs = np.squeeze(np.array(costs, dtype=float)).reshape(-1)
    if ax is None:
        fig, ax = _pyplot().subplots(figsize=(6, 4))
    if every == 100:
        ax.plot(np.arange(costs.size), costs, label=label)
        ax.set_xlabel("iterations (per hundreds)")
    else:
        ax.plot(np.arange(costs.size) * every, costs, label=label)
        ax.set_xlabel("iterations")
    ax.set_ylabel(ylabel)
    ax.set_yscale(yscale)
    ax.set_title(title if title is not None else f"Learning rate = {learning_rate}")
    if label is not None:
        ax.legend()
    return ax.figure


def print_mislabeled_images(classes, X, y, p, ncols=5, size=1.8, max_images=None):
    """Show the pictures whose prediction is wrong, each titled with the prediction and the true class.

    classes    -- the class names, e.g. [b'non-cat', b'cat']
    X          -- the flattened pictures, (n, m) with n = num_px * num_px * 3, values in [0, 1]
    y          -- the true labels, (1, m)
    p          -- the predictions, (1, m), e.g. from predict
    max_images -- show at most this many (default: all)
    Returns the Figure (None when every prediction is right); its Axes are the mislabelled pictures in order.
    """
    y = np.asarray(y).reshape(-1)
    p = np.asarray(p).reshape(-1)
    if not (X.ndim == 2 and X.shape[1] == y.size == p.size):
        raise ValueError(f"print_mislabeled_images: X must be (n, m) with m = the number of labels; "
                         f"got X {X.shape}, y {y.size} labels, p {p.size} predictions")
    wrong = np.flatnonzero(p != y)
    if max_images is not None:
        wrong = wrong[:max_images]
    if wrong.size == 0:
        print("No mislabelled images: every prediction is right.")
        return None
    fig, axes = _grid(wrong.size, ncols, size)
    for ax, index in zip(axes, wrong):
        ax.imshow(_as_picture(X[:, index]), interpolation="nearest")
        ax.set_title(f"Prediction: {_class_name(classes, p[index])}\nClass: {_class_name(classes, y[index])}",
                     fontsize=8)
    fig.tight_layout()
    return fig


def draw_network(layers_dims, m=None, ax=None):
    """The layers of a [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID network with the shape of every array.

    layers_dims -- [n[0], n[1], ..., n[L]]
    m           -- the number of examples, to show the shapes of X and A[l] as (n[l], m); default "m"
    ax          -- draw on this Axes; default: a new figure
    Each layer is a box whose height grows with log n[l]; between two boxes are W[l], b[l] and the activation.
    Given an Axes, it draws without pyplot (so it also works on a bare matplotlib.figure.Figure).
    Returns the Figure.
    """
    from matplotlib.patches import Rectangle

    layers_dims = [int(n) for n in layers_dims]
    L = len(layers_dims) - 1
    columns = "m" if m is None else str(m)
    if ax is None:
        fig, ax = _pyplot().subplots(figsize=(2.6 * (L + 1), 3.6))
    ax.set_xlim(-0.6, 2 * L + 0.6)
    ax.set_ylim(-2.3, 2.2)
    ax.axis("off")
    top = np.log10(max(layers_dims)) + 1
    for l, n in enumerate(layers_dims):
        x = 2 * l
        height = 0.5 + 2.5 * (np.log10(n) + 1) / top
        kind = "input" if l == 0 else ("output" if l == L else "hidden")
        colour = {"input": "#cfe2f3", "hidden": "#d9ead3", "output": "#fce5cd"}[kind]
        ax.add_patch(Rectangle((x - 0.35, -height / 2), 0.7, height, facecolor=colour, edgecolor="#444444"))
        ax.text(x, height / 2 + 0.12, f"$n^{{[{l}]}}$ = {n}", ha="center", va="bottom", fontsize=9)
        name = "$X = A^{[0]}$" if l == 0 else f"$A^{{[{l}]}}$"
        ax.text(x, -height / 2 - 0.12, f"{name}\n({n}, {columns})", ha="center", va="top", fontsize=9)
        if l > 0:
            previous = layers_dims[l - 1]
            ax.annotate("", xy=(x - 0.4, 0), xytext=(x - 1.6, 0),
                        arrowprops=dict(arrowstyle="->", color="#444444"))
            g = "sigmoid" if l == L else "ReLU"
            ax.text(x - 1, 0.12, f"$W^{{[{l}]}}$ ({n}, {previous})\n$b^{{[{l}]}}$ ({n}, 1)",
                    ha="center", va="bottom", fontsize=8)
            ax.text(x - 1, -0.12, g, ha="center", va="top", fontsize=8, style="italic")
    return ax.figure


def plot_layer_scales(scales, name="A", ax=None, title="How big are the activations?",
                      ylabel="standard deviation (log scale)"):
    """Grouped bars, on a log scale, of one number per layer (e.g. the standard deviation of A[l], or the
    size of dW[l]) for several networks side by side.

    scales -- {label: [value for layer 1, value for layer 2, ..., value for layer L]}, e.g. one entry per
              initialisation
    name   -- what the values describe, shown under each group as name[l] (e.g. "A" or "dW")
    ax     -- draw on this Axes; default: a new figure
    Returns the Figure.
    """
    if ax is None:
        fig, ax = _pyplot().subplots(figsize=(6, 4))
    width = 0.8 / max(1, len(scales))
    for k, (label, values) in enumerate(scales.items()):
        values = np.asarray(values, dtype=float)
        layers = np.arange(1, values.size + 1)
        ax.bar(layers + (k - (len(scales) - 1) / 2) * width, values, width=width, label=label)
    longest = max(len(values) for values in scales.values())
    everything = np.concatenate([np.asarray(values, dtype=float).ravel() for values in scales.values()])
    positive = everything[everything > 0]
    if positive.size:  # room above the tallest bar for the legend
        ax.set_ylim(positive.min() / 3, positive.max() * 60)
    ax.set_xticks(np.arange(1, longest + 1))
    ax.set_xticklabels([f"${name}^{{[{l}]}}$" for l in range(1, longest + 1)])
    ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper right")
    return ax.figure


def load_image(path, num_px=64):
    """Open any picture file, as the network needs it.

    path   -- a picture file Pillow can read (JPEG, PNG, GIF, BMP, ...)
    num_px -- the side of the square the picture is resized to (the network was trained on 64 x 64)
    The picture is converted to RGB (transparency and palettes dropped, grey turned to three channels) and
    resized to num_px x num_px, squashing it if it is not square.
    Returns image, the picture as a (1, num_px, num_px, 3) uint8 array, ready for show_images, and x, the
    same picture as a column (num_px * num_px * 3, 1) of floats in [0, 1], ready for predict.
    Raises FileNotFoundError when there is no such file and ValueError when it is not a picture; both
    messages name the path.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path).expanduser()
    if not path.exists():
        raise FileNotFoundError(f"load_image: there is no file {str(path)!r}; check the path (relative paths "
                                f"start from the notebook's folder, {str(Path.cwd())!r})")
    if not path.is_file():
        raise ValueError(f"load_image: {str(path)!r} is a folder, not a picture file")
    try:
        with Image.open(path) as picture:
            picture = picture.convert("RGB").resize((num_px, num_px), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f"load_image: {str(path)!r} is not a picture Pillow can read ({error})") from None
    image = np.asarray(picture, dtype=np.uint8).reshape((1, num_px, num_px, 3))
    x = image.reshape((1, -1)).T / 255.
    return image, x
