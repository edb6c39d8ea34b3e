"""The layer-shapes explorer: the shapes of a network's arrays, layer by layer, as its sizes change.

shape_explorer(layer_dims=None, m=209)
    A box for the number of layers, a box per hidden layer for its units, boxes for the number of input
    features and of examples; shows, as they change, the shapes of W[l], b[l], Z[l] and A[l] of every layer,
    the number of parameters and a drawing of the network.

print_shapes(layer_dims, m) prints the shapes table as text: a static output to keep next to the explorer,
which nbval can compare (it ignores widget views). The explorer is an ipywidgets container: end a notebook
cell with it to show it; its controls are attributes (`.layers`, `.units`, `.inputs`, `.examples`), so a test
or a script can drive them as a person would.
"""
import base64
import functools
import html
import io

import ipywidgets as widgets

from companion.plots.networks import draw_network, network_sentence
from companion.widgets.controls import (DEFAULT_LAYER_DIMS, Architecture, dims_problem, focus_style, int_box,
                                        message_html, side_by_side)

EXPLORER_MAX_LAYERS = 12  # the explorer's number of layers goes this far ...
MAX_DRAWN_LAYERS = 8  # ... but only this many layers fit in a drawing


def shape_explorer(layer_dims=None, m=209):
    """The layer-shapes explorer, starting from layer_dims (default [12288, 20, 7, 5, 1]) and m examples."""
    return ShapeExplorer(layer_dims, m)


def layer_shapes(layer_dims, m):
    """One dict per layer l = 1..L: its number, the shapes of W, b, Z and A, its activation and its number of
    parameters, for [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID on m examples."""
    L = len(layer_dims) - 1
    rows = []
    for l in range(1, L + 1):
        n, previous = layer_dims[l], layer_dims[l - 1]
        rows.append({"layer": l, "W": (n, previous), "b": (n, 1), "Z": (n, m), "A": (n, m),
                     "activation": "sigmoid" if l == L else "ReLU", "parameters": n * previous + n})
    return rows




SHAPES_HEADER = ("layer", "W[l]", "b[l]", "Z[l]", "A[l]", "activation", "parameters")


def _shapes_cells(layer_dims, m):
    """The shapes table as rows of text cells (the input layer first) and its total number of parameters."""
    layers = layer_shapes(layer_dims, m)
    rows = [("0 (input)", "", "", "", f"({layer_dims[0]}, {m})", "X = A[0]", "0")]
    for row in layers:
        rows.append((str(row["layer"]),) + tuple(str(row[key]) for key in "WbZA")
                    + (row["activation"], f"{row['parameters']:,}"))
    return rows, sum(row["parameters"] for row in layers)


def shapes_table_html(layer_dims, m):
    """The shapes table as HTML, with the total number of parameters under it."""
    rows, total = _shapes_cells(layer_dims, m)
    cell = 'style="padding: 2px 12px; text-align: right; font-family: monospace"'
    head = "".join(f'<th scope="col" {cell}>{html.escape(name)}</th>' for name in SHAPES_HEADER)
    body = "".join("<tr>" + "".join(f"<td {cell}>{html.escape(text)}</td>" for text in row) + "</tr>"
                   for row in rows)
    L = len(layer_dims) - 1
    return (f'<table class="shapes-table" style="border-collapse: collapse"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
            f'<p class="parameter-count">{L} layers, {total:,} parameters in all.</p>')


def print_shapes(layer_dims, m):
    """Print the shapes table as text, one line per layer, and the total number of parameters."""
    layer_dims = [int(n) for n in layer_dims]
    rows, total = _shapes_cells(layer_dims, m)
    table = [SHAPES_HEADER] + rows
    widths = [max(len(row[k]) for row in table) for k in range(len(SHAPES_HEADER))]
    for row in table:
        print("  ".join(text.ljust(width) for text, width in zip(row, widths)).rstrip())
    print(f"{len(layer_dims) - 1} layers, {total:,} parameters in all.")


@functools.lru_cache(maxsize=64)
def network_png(layer_dims, m):
    """draw_network's picture of the network (layer_dims a tuple), as PNG bytes. It is drawn
    without pyplot, so it never shows up as a stray figure in a notebook, and remembered, since drawing takes
    a fraction of a second and a class often goes back to a network it has seen."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2.2 * len(layer_dims), 3.2))
    draw_network(layer_dims, m=m, ax=figure.add_axes((0, 0, 1, 1)))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def drawing_html(layer_dims, m):
    """network_png's picture as an <img> whose alt text says what it shows: the layers and their shapes."""
    png = base64.b64encode(network_png(layer_dims, m)).decode("ascii")
    alt = "Diagram of the network, " + network_sentence(list(layer_dims), m)
    return (f'<img class="network-drawing" src="data:image/png;base64,{png}" alt="{html.escape(alt)}" '
            f'style="max-width: 100%; height: auto">')


class ShapeExplorer(widgets.VBox):
    """The layer-shapes explorer: see shape_explorer. Controls: .layers, .units (one box per hidden layer),
    .inputs (n[0]), .examples (m); what it shows: .message, .table (HTML) and .drawing (HTML: the picture and its description)."""

    def __init__(self, layer_dims=None, m=209):
        layer_dims = [int(n) for n in (DEFAULT_LAYER_DIMS if layer_dims is None else layer_dims)]
        if len(layer_dims) < 2:
            raise ValueError(f"shape_explorer: layer_dims must have at least two entries (input size and output "
                             f"size), got {layer_dims}")
        self.output_units = layer_dims[-1]
        self.inputs = int_box(layer_dims[0], "input features n[0]")
        self.examples = int_box(m, "examples m")
        self.architecture = Architecture(layer_dims[1:-1], max(EXPLORER_MAX_LAYERS, len(layer_dims) - 1))
        self.message = widgets.HTML()
        self.table = widgets.HTML()
        self.drawing = widgets.HTML()  # an <img> with its description as alt text (an Image widget has none)
        super().__init__([self.architecture, side_by_side(self.inputs, self.examples), self.message,
                          self.table, self.drawing, focus_style()])
        self.add_class("dnn-widget")
        for control in (self.inputs, self.examples):
            control.observe(self.refresh, "value")
        self.architecture.on_change(self.refresh)
        self.refresh()

    layers = property(lambda self: self.architecture.layers, doc="The box for the number of layers L.")
    units = property(lambda self: self.architecture.units, doc="The boxes for the units of each hidden layer.")

    def layer_dims(self):
        return [self.inputs.value] + self.architecture.hidden_units() + [self.output_units]

    def refresh(self, change=None):
        """Redraw the table and the picture for the current values, or say what is wrong with them."""
        layer_dims, m = self.layer_dims(), self.examples.value
        problem = dims_problem(layer_dims, m)
        self.table.value = "" if problem else shapes_table_html(layer_dims, m)
        L = len(layer_dims) - 1
        if not problem and L > MAX_DRAWN_LAYERS:
            problem = (f"{L} layers are too many to draw (at most {MAX_DRAWN_LAYERS}); the table lists them all.")
        self.message.value = message_html(problem, "error") if problem else ""
        drawn = not problem
        self.drawing.value = drawing_html(tuple(layer_dims), m) if drawn else ""
        self.drawing.layout.display = None if drawn else "none"

    def __repr__(self):
        return f"ShapeExplorer(layer_dims={self.layer_dims()}, m={self.examples.value})"

