"""Pictures for the notebooks: sample images, the network's layer shapes and units, the computation graph of
a layer, cost curves and other curves, decision regions, mislabelled images, the scale of the activations or
gradients layer by layer, gradient-check errors, the depth margin over data sets, and loading a picture of
your own.

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
              initialization
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


def _positive_int(where, name, value):
    """value as an int, or a ValueError naming the argument, the value seen and what was expected."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{where}: {name} must be a positive whole number, got {value!r}")
    return int(value)


def draw_units(layer_dims, activations=None, max_drawn=30):
    """The network unit by unit: each layer a column of circles (its units), joined by its weights.

    layer_dims  -- [n[0], n[1], ..., n[L]], positive whole numbers
    activations -- the activation of each layer 1..L (default: ReLU, then sigmoid at the output)
    max_drawn   -- a layer with more units is drawn compressed: 8 circles at the top, 8 at the bottom and
                   three dots for the rest
    Returns the Figure; its single Axes holds one Circle per unit drawn and one LineCollection of weights.
    """
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Circle

    layer_dims = [_positive_int("draw_units", f"layer_dims[{l}]", n) for l, n in enumerate(layer_dims)]
    if len(layer_dims) < 2:
        raise ValueError(f"draw_units: layer_dims must list the input and at least one layer, got {layer_dims}")
    L = len(layer_dims) - 1
    if activations is None:
        activations = ["ReLU"] * (L - 1) + ["sigmoid"]
    if len(activations) != L:
        raise ValueError(f"draw_units: got {len(activations)} activations for {L} layers; expected one per layer "
                         f"1..L")
    dx = 7
    fig, ax = _pyplot().subplots(figsize=(9.5, 6.5))
    columns = []
    for l, n in enumerate(layer_dims):
        if n <= max_drawn:
            ys = np.arange(n) - (n - 1) / 2
        else:
            ys = np.concatenate([np.arange(3, 11), -np.arange(3, 11)])
            ax.plot([dx * l] * 3, [-1.2, 0, 1.2], "k.", markersize=5)
        columns.append(ys)
    weights = [[(dx * (l - 1), y0), (dx * l, y1)]   # W[l]: every unit of layer l-1 to every unit of layer l
               for l in range(1, L + 1) for y0 in columns[l - 1] for y1 in columns[l]]
    ax.add_collection(LineCollection(weights, color="tab:blue", alpha=0.15, linewidth=0.6))
    bottom = min(ys.min() for ys in columns) - 1
    for l, (n, ys) in enumerate(zip(layer_dims, columns)):
        color = "tab:gray" if l == 0 else ("tab:orange" if l == L else "tab:green")
        for y in ys:
            ax.add_patch(Circle((dx * l, y), 0.35, color=color, zorder=3))
        label = f"layer {l}\n" + ("input x\n" if l == 0 else f"{activations[l - 1]}\n") + f"$n^{{[{l}]}}$ = {n}"
        if l > 0:
            label += f"\n$W^{{[{l}]}}$: ({n}, {layer_dims[l - 1]})\n$b^{{[{l}]}}$: ({n}, 1)"
        ax.text(dx * l, bottom, label, ha="center", va="top", fontsize=10)
    ax.text(-0.8, 0, f"{layer_dims[0]}\ninputs", ha="right", va="center", fontsize=10)
    ax.text(dx * L + 0.8, 0, "$\\hat{y}$", ha="left", va="center", fontsize=11)
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.axis("off")
    ax.set_title(f"The network {layer_dims}: L = {L} layers")
    return fig


def draw_layer_graph():
    """The computation graph of layer l: forward edges in black, backward edges (the gradients) in red.
    Returns the Figure; its Axes holds the node texts and one annotation per edge."""
    fig, ax = _pyplot().subplots(figsize=(12, 4.8))
    nodes = [(0, 3, "$A^{[l-1]}$"), (0, 1.5, "$W^{[l]}$"), (0, -0.3, "$b^{[l]}$"),
             (5, 1.5, "$Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}$"), (9.5, 1.5, "$A^{[l]} = g^{[l]}(Z^{[l]})$"),
             (13.4, 1.5, "layers $l+1, \\dots, L$,\nthen the loss")]
    for x, y, text in nodes:
        ax.text(x, y, text, ha="center", va="center", fontsize=12,
                bbox=dict(boxstyle="round,pad=0.4", facecolor="#eef3fb", edgecolor="gray"))
    forward = [((0.6, 3.0), (3.3, 1.75)), ((0.6, 1.6), (3.3, 1.6)), ((0.6, -0.3), (3.3, 1.3)),
               ((6.7, 1.6), (8.2, 1.6)), ((10.8, 1.6), (12.0, 1.6))]
    backward = [((12.0, 1.35), (10.8, 1.35), (11.4, 0.95), "$dA^{[l]}$", "center"),
                ((8.2, 1.35), (6.7, 1.35), (7.45, 0.85), "$dZ^{[l]} = dA^{[l]} * g'^{[l]}(Z^{[l]})$", "center"),
                ((3.3, 1.95), (0.6, 3.25), (2.2, 2.95), "$dA^{[l-1]} = W^{[l]T} dZ^{[l]}$", "left"),
                ((3.3, 1.4), (0.6, 1.4), (-0.55, 1.0), "$dW^{[l]} = \\frac{1}{m} dZ^{[l]} A^{[l-1]T}$", "left"),
                ((3.3, 1.1), (0.6, -0.55), (2.4, -0.15), "$db^{[l]} = \\frac{1}{m} \\sum_i dZ^{[l](i)}$", "left")]
    for start, end in forward:
        ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", color="black", lw=1.3))
    for start, end, where, label, align in backward:
        ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", color="tab:red", lw=1.3))
        ax.text(*where, label, color="tab:red", ha=align, va="center", fontsize=11)
    ax.set_xlim(-0.8, 14.8)
    ax.set_ylim(-1.0, 3.6)
    ax.axis("off")
    ax.set_title("Layer l: forward (black) and backward (red)")
    return fig


def plot_lines(x, lines, title=None, xlabel="", ylabel="", xscale="linear", yscale="linear", ylim=None,
               threshold=None, marker=None, ax=None):
    """Several curves over the same x on one Axes, with a legend.

    x         -- the x values, shared by every curve
    lines     -- {label: y values, one per x}
    threshold -- a value to mark with a dashed horizontal line (e.g. a pass mark), or None
    marker    -- a matplotlib marker for the points (e.g. "o"), or None for plain lines
    ax        -- draw on this Axes; default: a new figure
    Returns the Figure.
    """
    x = np.asarray(x, dtype=float).reshape(-1)
    if ax is None:
        fig, ax = _pyplot().subplots(figsize=(6.5, 4))
    for label, y in lines.items():
        y = np.asarray(y, dtype=float).reshape(-1)
        if y.size != x.size:
            raise ValueError(f"plot_lines: the curve {label!r} has {y.size} values for {x.size} x values; "
                             f"expected one per x")
        ax.plot(x, y, marker=marker, label=label, linewidth=1.8)
    if threshold is not None:
        ax.axhline(threshold, color="black", linestyle="--", linewidth=1)
    ax.set_xscale(xscale)
    ax.set_yscale(yscale)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    if len(lines) > 1 or threshold is None:
        ax.legend(fontsize=9)
    return ax.figure


def plot_panels(x, panels, xlabel="x", sharey=False):
    """One small plot per curve, side by side: {title: y values over x}. Each panel marks the axes x = 0 and
    y = 0 when they fall inside it. Returns the Figure, with one Axes per panel in order."""
    x = np.asarray(x, dtype=float).reshape(-1)
    fig, axes = _pyplot().subplots(1, len(panels), figsize=(3.6 * len(panels), 3.2), sharey=sharey, squeeze=False)
    for ax, (title, y) in zip(axes[0], panels.items()):
        ax.plot(x, np.asarray(y, dtype=float).reshape(-1), linewidth=2)
        ax.axhline(0, color="gray", linewidth=0.5)
        if x.min() < 0 < x.max():
            ax.axvline(0, color="gray", linewidth=0.5)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_decision_regions(runs, X, Y, forward=None, extent=3, resolution=150):
    """What networks with two inputs predict in every part of the plane, one panel per network.

    runs    -- {title: parameters}, networks whose input layer has 2 units
    X, Y    -- the points (2, m) and their labels 0 / 1 (1, m), drawn on top
    forward -- the forward pass, forward(X, parameters) -> (AL, caches); default dnn_utils.L_model_forward
    Each panel is shaded blue where the prediction is above 0.5, red elsewhere, and its title ends with the
    accuracy on the points. Returns the Figure.
    """
    if forward is None:
        from dnn_utils import L_model_forward as forward
    X, Y = np.asarray(X, dtype=float), np.asarray(Y).reshape(1, -1)
    if X.ndim != 2 or X.shape[0] != 2 or X.shape[1] != Y.shape[1]:
        raise ValueError(f"plot_decision_regions: X must be (2, m) with one label per column, got X {X.shape} "
                         f"and {Y.shape[1]} labels")
    fig, axes = _pyplot().subplots(1, len(runs), figsize=(4.4 * len(runs), 4.5), squeeze=False)
    xx, yy = np.meshgrid(np.linspace(-extent, extent, resolution), np.linspace(-extent, extent, resolution))
    for ax, (title, parameters) in zip(axes[0], runs.items()):
        AL, _ = forward(np.vstack([xx.ravel(), yy.ravel()]), parameters)
        ax.contourf(xx, yy, AL.reshape(xx.shape), levels=[0, 0.5, 1], colors=["#f4b6b6", "#b6cdf4"])
        ax.scatter(X[0], X[1], c=Y[0], cmap="bwr_r", s=8, edgecolors="none")
        accuracy = np.mean((forward(X, parameters)[0] > 0.5) == Y)
        ax.set_title(f"{title}\naccuracy {accuracy:.0%}")
        ax.set_aspect("equal")
    return fig


def plot_relative_errors(results, threshold=1e-7):
    """Gradient checks side by side: {title: {gradient name: relative error}}, one panel per check, a bar
    per gradient on a log scale, green below `threshold` and red above. Returns the Figure."""
    fig, axes = _pyplot().subplots(1, len(results), figsize=(4 * len(results), 3.8), sharey=True, squeeze=False)
    for ax, (title, errors) in zip(axes[0], results.items()):
        values = [float(v) for v in errors.values()]
        ax.bar(list(errors), values, color=["tab:green" if v < threshold else "tab:red" for v in values])
        ax.axhline(threshold, color="black", linestyle="--", linewidth=1)
        ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="x", labelrotation=45)
    axes[0][0].set_ylabel("relative error (log scale)")
    axes[0][0].set_ylim(1e-13, 10)
    axes[0][-1].text(len(values) - 0.5, threshold * 2, f"{threshold:.0e}", ha="right", va="bottom")
    return fig


def plot_depth_margins(rows, majority=None):
    """The test accuracy of the two-layer and the four-layer network on data sets drawn with several seeds.

    rows     -- dicts with "seed", "two_layer_test" and "four_layer_test" (fractions), as
                datasets/depth_margin.py writes them, and optionally "two_layer_held_out" and "four_layer_held_out"
    majority -- the accuracy (a fraction) of answering the majority class to every picture, drawn as a dotted
                line; None for no line
    One pair of points per seed joined by a line, on the test pictures (and, hollow, on the held-out ones).
    Returns the Figure.
    """
    rows = list(rows)
    if not rows or any(not {"seed", "two_layer_test", "four_layer_test"} <= set(row) for row in rows):
        raise ValueError("plot_depth_margins: rows must be a non-empty list of dicts with 'seed', "
                         "'two_layer_test' and 'four_layer_test'")
    fig, ax = _pyplot().subplots(figsize=(7, 4.6))
    seeds = np.arange(len(rows))
    if majority is not None:
        ax.axhline(100 * majority, color="gray", linestyle=":", label=f"answering the majority: {majority:.0%}")
    for split, style in (("test", dict(marker="o")), ("held_out", dict(marker="o", fillstyle="none"))):
        if not all(f"two_layer_{split}" in row for row in rows):
            continue
        two = 100 * np.array([row[f"two_layer_{split}"] for row in rows])
        four = 100 * np.array([row[f"four_layer_{split}"] for row in rows])
        offset = -0.12 if split == "test" else 0.12
        ax.vlines(seeds + offset, two, four, color="gray", linewidth=1)
        name = "test (50 pictures)" if split == "test" else "held out (200 pictures)"
        ax.plot(seeds + offset, two, linestyle="none", color="tab:blue", label=f"two-layer, {name}", **style)
        ax.plot(seeds + offset, four, linestyle="none", color="tab:orange", label=f"four-layer, {name}", **style)
    ax.set_xticks(seeds)
    ax.set_xticklabels([str(row["seed"]) for row in rows])
    ax.set_xlabel("generator seed of the data set")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("Two layers against four, data set by data set")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return fig


def show_depth_margins(path):
    """The table that datasets/depth_margin.py writes, printed and drawn: both networks' accuracies for every
    generator seed, the margins in points with their mean and range, the mean held-out accuracies against
    answering the majority class.

    path -- the JSON file (datasets/depth_margin.json)
    Returns the Figure of plot_depth_margins, or None, after one line saying so, when there is no such file.
    """
    import json

    path = Path(path)
    if not path.is_file():
        print(f"There is no {path.name} in {str(path.parent)!r}: run python datasets/depth_margin.py in the "
              f"project to measure it (a minute or two).")
        return None
    table = json.loads(path.read_text())
    rows, settings = table["rows"], table["settings"]
    points = {split: [100 * (row[f"four_layer_{split}"] - row[f"two_layer_{split}"]) for row in rows]
              for split in ("test", "held_out")}
    print(f"{'seed':>4}  {'test: 2 layers':>14}  {'4 layers':>8}  {'margin':>6}  {'held out: 2 layers':>18}  "
          f"{'4 layers':>8}  {'margin':>6}")
    for row, test, held in zip(rows, points["test"], points["held_out"]):
        print(f"{row['seed']:>4}  {row['two_layer_test']:>14.0%}  {row['four_layer_test']:>8.0%}  {test:>+6.0f}  "
              f"{row['two_layer_held_out']:>18.1%}  {row['four_layer_held_out']:>8.1%}  {held:>+6.1f}")
    test, held = points["test"], points["held_out"]
    print(f"margin in points, test: mean {np.mean(test):+.1f}, from {min(test):+.0f} to {max(test):+.0f}; "
          f"held out: mean {np.mean(held):+.1f}, from {min(held):+.1f} to {max(held):+.1f}")
    majority = settings["held_out_cats"] / settings["held_out_size"]
    print(f"held out, mean accuracy: two layers {np.mean([row['two_layer_held_out'] for row in rows]):.1%}, "
          f"four layers {np.mean([row['four_layer_held_out'] for row in rows]):.1%}; answering \"cat\" to every "
          f"picture: {majority:.0%} (test pictures: {settings['test_cats'] / settings['test_size']:.0%})")
    return plot_depth_margins(rows, majority=majority)


def show_runs(runs):
    """The runs of the live trainer as a table and a figure that stay in a saved notebook.

    runs -- the trainer's runs (cost_trainer(...).runs): each with .label, .outcome, .message and the
            (iteration, cost) pairs .train_costs and .test_costs
    Prints one line per run: how it ended, its lowest test cost and where, its last training and test cost
    (and, for a run that did not finish, the trainer's message). Draws the training costs solid and the test
    costs dashed, one colour per run. Returns the Figure.
    """
    runs = list(runs)
    if not runs:
        raise ValueError("show_runs: got no runs; expected the runs of a trainer that has trained at least once")
    fig, ax = _pyplot().subplots(figsize=(8, 4.2))
    top = 0.0
    for k, run in enumerate(runs):
        colour = f"C{k % 10}"
        train = np.array(run.train_costs, dtype=float).reshape(-1, 2)
        test = np.array(run.test_costs, dtype=float).reshape(-1, 2)
        line = f"{run.label}: {run.outcome}"
        if test.size:
            best = int(np.argmin(test[:, 1]))
            line += (f"; lowest test cost {test[best, 1]:.4f} at iteration {int(test[best, 0])}, "
                     f"last test cost {test[-1, 1]:.4f}")
        if train.size:
            line += f", last training cost {train[-1, 1]:.4f}"
        print(line)
        if run.outcome != "finished" and run.message:
            print("    " + run.message)
        finite = np.isfinite(train[:, 1])
        ax.plot(train[finite, 0], train[finite, 1], color=colour, label=f"run {k + 1}, training")
        if test.size:
            ax.plot(test[:, 0], test[:, 1], color=colour, linestyle="--", label=f"run {k + 1}, test")
        if train.size:
            top = max(top, 2 * train[0, 1], np.nanmax(test[:, 1]) if test.size else 0)
    ax.set_ylim(0, top * 1.05 if top > 0 else 1)
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    ax.set_title("The trainer's runs: training cost solid, test cost dashed")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    return fig


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
