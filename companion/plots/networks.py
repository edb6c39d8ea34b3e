"""Drawings of a network: its layers and shapes, its units, the computation graph of a layer, and what a network
with two inputs decides in every part of the plane.

Every drawing function creates its figure with matplotlib's object API and returns the Figure; in a
notebook, end the cell with `plt.show()` so that the picture is shown once.
"""
import numpy as np

from companion.plots.canvas import pyplot
from companion.plots.described import Numbers, describe


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
        fig, ax = pyplot().subplots(figsize=(2.6 * (L + 1), 3.6))
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
    describe(ax, "Diagram of the network, " + network_sentence(layers_dims, columns), shapes_numbers(layers_dims, columns))
    return ax.figure


def network_sentence(layer_dims, columns="m", activations=None):
    """The layers of a network and the shapes of their arrays, as sentences."""
    L = len(layer_dims) - 1
    activations = activations or ["ReLU"] * (L - 1) + ["sigmoid"]
    hidden = ", ".join(f"{n} {g}" for n, g in zip(layer_dims[1:-1], activations)) or "none"
    text = (f"L = {L} layer{'s' if L > 1 else ''}, left to right: the input X = A[0] of {layer_dims[0]} features, "
            f"shape ({layer_dims[0]}, {columns}); hidden layers of {hidden} units; an output layer of "
            f"{layer_dims[-1]} {activations[-1]} unit{'s' if layer_dims[-1] > 1 else ''}. ")
    text += " ".join(f"Layer {l}: W[{l}] ({n}, {layer_dims[l - 1]}), b[{l}] ({n}, 1), A[{l}] ({n}, {columns})."
                     for l, n in enumerate(layer_dims[1:], start=1))
    return text


def shapes_numbers(layer_dims, columns="m"):
    rows = [(l, n, f"({n}, {layer_dims[l - 1]})" if l else "", f"({n}, 1)" if l else "", f"({n}, {columns})")
            for l, n in enumerate(layer_dims)]
    return Numbers("the shapes layer by layer (layer 0 is the input X)", ("layer", "units n[l]", "W[l]", "b[l]",
                                                                          "A[l]"), rows)


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
    fig, ax = pyplot().subplots(figsize=(9.5, 6.5))
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
    drawn = "" if max(layer_dims) <= max_drawn else (f" A layer of more than {max_drawn} units is drawn as 16 "
                                                     f"circles with three dots between them.")
    describe(ax, f"Diagram of the network {layer_dims} unit by unit: one column of circles per layer, every unit "
                 f"joined by a line (a weight) to every unit of the next layer.{drawn} "
                 + network_sentence(layer_dims, activations=list(activations)), shapes_numbers(layer_dims))
    return fig


def draw_layer_graph():
    """The computation graph of layer l: forward edges in black, backward edges (the gradients) in red.
    Returns the Figure; its Axes holds the node texts and one annotation per edge."""
    fig, ax = pyplot().subplots(figsize=(12, 4.8))
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
    for start, end, where, label, align in backward:   # dashed as well as coloured: told apart in grey scale
        ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", color="#C03000", lw=1.3,
                                                              linestyle="--"))
        ax.text(*where, label, color="#C03000", ha=align, va="center", fontsize=11)
    ax.set_xlim(-0.8, 14.8)
    ax.set_ylim(-1.0, 3.6)
    ax.axis("off")
    ax.set_title("Layer l: forward (solid black) and backward (dashed red)")
    describe(ax, "Computation graph of layer l. Forward, in solid black arrows, left to right: A[l-1], W[l] and b[l] "
                 "go into Z[l] = W[l] A[l-1] + b[l]; Z[l] goes into A[l] = g[l](Z[l]); A[l] goes on to layers l+1 "
                 "to L, then the loss. Backward, in dashed red arrows, right to left: dA[l] comes back from the later "
                 "layers; dZ[l] = dA[l] * g'[l](Z[l]); from dZ[l] come dA[l-1] = W[l]T dZ[l], "
                 "dW[l] = (1/m) dZ[l] A[l-1]T and db[l] = (1/m) times the sum over the examples of dZ[l].")
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
    fig, axes = pyplot().subplots(1, len(runs), figsize=(4.4 * len(runs), 4.5), squeeze=False)
    xx, yy = np.meshgrid(np.linspace(-extent, extent, resolution), np.linspace(-extent, extent, resolution))
    axes_described = []
    for ax, (title, parameters) in zip(axes[0], runs.items()):
        AL, _ = forward(np.vstack([xx.ravel(), yy.ravel()]), parameters)
        ax.contourf(xx, yy, AL.reshape(xx.shape), levels=[0, 0.5, 1], colors=["#f4b6b6", "#b6cdf4"])
        for label, marker, colour in ((0, "x", "#b2182b"), (1, "o", "#2166ac")):
            chosen = Y[0] == label
            ax.scatter(X[0, chosen], X[1, chosen], marker=marker, s=10, color=colour, linewidths=0.8,
                       label=f"y = {label}")
        accuracy = np.mean((forward(X, parameters)[0] > 0.5) == Y)
        ax.set_title(f"{title}\naccuracy {accuracy:.0%}")
        ax.set_aspect("equal")
        ones = float(np.mean(AL > 0.5))
        describe(ax, f"{title}: the network predicts 1 on {ones:.0%} of the square from {-extent} to {extent} "
                     f"(shaded blue) and 0 on the rest (shaded red); accuracy {accuracy:.0%} on the "
                     f"{Y.shape[1]} points ({int(np.sum(Y == 1))} with y = 1, drawn as blue circles, "
                     f"{int(np.sum(Y == 0))} with y = 0, drawn as red crosses).")
        axes_described.append(ax)
    describe(fig, f"Decision regions of {len(runs)} network{'s' if len(runs) > 1 else ''} with two inputs, one "
                  f"panel each. " + " ".join(ax.__dict__["_dnn_texts"][0] for ax in axes_described))
    return fig
