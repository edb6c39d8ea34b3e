"""The controls the explorer and the trainer share: the layers-and-units chooser, rows, messages, number boxes."""
import html

import ipywidgets as widgets

DEFAULT_LAYER_DIMS = (12288, 20, 7, 5, 1)  # the course's 4-layer model
NEW_LAYER_UNITS = 5  # units of a hidden layer added by raising the number of layers
# Each at least 4.5:1 on white (tests/test_accessibility.py); every message says in words what happened, so
# its colour is never the only sign of it.
MESSAGE_COLOURS = {"info": "#1a5276", "success": "#1e7b34", "warning": "#9a5b00", "error": "#b03a2e"}


def dims_problem(layer_dims, m):
    """What is wrong with a network's sizes and number of examples, as a sentence; None when nothing is."""
    for l, n in enumerate(layer_dims):
        if n < 1:
            what = "the input needs at least one feature" if l == 0 else "every layer needs at least one unit"
            return f"n[{l}] = {n}: {what}."
    if m < 1:
        return f"m = {m}: there must be at least one example."
    return None


class Architecture(widgets.VBox):
    """Controls for the layers of a network: a box for the number of layers L (the output layer included)
    and one box per hidden layer for its number of units. A hidden layer removed by lowering L keeps its
    box, so sliding back brings back its number."""

    def __init__(self, hidden_units, max_layers):
        # A number box, not a slider: its label names it for a screen reader, and the arrow keys step it.
        self.layers = widgets.BoundedIntText(value=len(hidden_units) + 1, min=1, max=max_layers,
                                             description="layers L", layout=widgets.Layout(width="160px"))
        self._boxes = [self._unit_box(l, n) for l, n in enumerate(hidden_units, start=1)]
        self._callbacks = []
        self._row = side_by_side()
        super().__init__([self.layers, widgets.HBox([widgets.Label("units per hidden layer:"), self._row])])
        self.layers.observe(self._resize, "value")
        self._resize()

    @property
    def units(self):
        """The boxes of the hidden layers 1..L-1, in order."""
        return self._boxes[:self.layers.value - 1]

    def hidden_units(self):
        return [box.value for box in self.units]

    def set_hidden_units(self, hidden_units):
        """Show a network with these hidden layers."""
        while len(self._boxes) < len(hidden_units):
            self._add_box(NEW_LAYER_UNITS)
        for box, n in zip(self._boxes, hidden_units):
            box.value = int(n)
        self.layers.value = len(hidden_units) + 1

    def on_change(self, callback):
        """Call callback(change) whenever the number of layers or a layer's units change."""
        self.layers.observe(callback, "value")
        for box in self._boxes:
            box.observe(callback, "value")
        self._callbacks.append(callback)

    @staticmethod
    def _unit_box(l, n):
        return widgets.IntText(value=int(n), description=f"n[{l}]", layout=widgets.Layout(width="120px"),
                               style={"description_width": "36px"})

    def _add_box(self, n):
        box = self._unit_box(len(self._boxes) + 1, n)
        for callback in self._callbacks:
            box.observe(callback, "value")
        self._boxes.append(box)

    def _resize(self, change=None):
        while len(self._boxes) < self.layers.value - 1:
            self._add_box(NEW_LAYER_UNITS)
        self._row.children = tuple(self.units) or (widgets.Label("none (a single sigmoid unit)"),)


# Where the keyboard is, drawn plainly: a dark outline (7.9:1 on white) around the focused control of the
# explorer and the trainer, where JupyterLab's own is a pale blue border (2.1:1).
FOCUS_CSS = (".dnn-widget :focus-visible, .dnn-widget input:focus, .dnn-widget select:focus "
             "{ outline: 3px solid #1a5276 !important; outline-offset: 1px; }")


def focus_style():
    """A hidden HTML widget holding FOCUS_CSS; a widget with the class "dnn-widget" shows it."""
    return widgets.HTML(f"<style>{FOCUS_CSS}</style>", layout=widgets.Layout(display="none"))


def side_by_side(*children):
    """Controls side by side, wrapping onto the next line where the page is too narrow for them all (a
    notebook beside JupyterLab's file browser, a projector's low resolution)."""
    return widgets.HBox(list(children), layout=widgets.Layout(flex_flow="row wrap", align_items="center"))


def message_html(text, kind="info"):
    """A sentence for a widget's message area, coloured by kind (info, success, warning, error). It is a live
    region (role "status"), so a screen reader says it when it appears."""
    return (f'<div class="dnn-message dnn-{kind}" role="status" aria-live="polite" aria-atomic="true" '
            f'style="color: {MESSAGE_COLOURS[kind]}; font-weight: 600">{html.escape(text)}</div>')


def int_box(value, description):
    return widgets.IntText(value=int(value), description=description, style={"description_width": "initial"},
                           layout=widgets.Layout(width="190px"))

