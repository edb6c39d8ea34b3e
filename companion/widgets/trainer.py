"""The live cost trainer: a network trained in the background while its cost curves grow, for classroom demos.

cost_trainer(train, test=None, classes=None, hidden_units=(20, 7, 5))
    Trains [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID on train = (X, Y) in a background thread, so the
    notebook stays usable, and draws the cost curve (train, and test when given) while it learns; each run is
    overlaid on the previous ones, so a class can compare learning rates and depths. Stop ends a run early;
    a run that diverges, or whose ReLUs all die, stops with a message naming its learning rate. At the end:
    the train and test accuracy and the misclassified test pictures. Save and Load write and read a run's
    parameters.

It returns an ipywidgets container: end a notebook cell with it to show it. Its controls are attributes
(`.layers`, `.units`, `.learning_rate`, `.train_button`, ...), so a test or a script can drive them as a
person would: set values, `.train_button.click()`, then `.wait()` for the run to end.
"""
import base64
import html
import io
import re
import threading
import time
from pathlib import Path

import ipywidgets as widgets
import numpy as np

import dnn_utils
from companion.progress import follow
from companion.widgets.controls import (DEFAULT_LAYER_DIMS, Architecture, dims_problem, focus_style, message_html,
                                        side_by_side)
from companion.widgets.runs import (TRAINER_MAX_LAYERS, Run, cost_plot_svg, descent, diverged, dead_layer,
                                    _checked_data, _checked_hidden_units, _step_cost, _cost, _accuracy_text,
                                    _smaller_rate, _seconds, _layer_dims_of)

DEFAULT_CLASSES = (b"non-cat", b"cat")
REFRESH_SECONDS = 0.25  # how often a run redraws its progress and its curve
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
GALLERY_MAX_PICTURES = 24
GALLERY_PIXELS = 96
OUTCOME_KINDS = {"finished": "success", "stopped": "warning", "dead": "warning"}  # how a run ended; else "error"


def cost_trainer(train, test=None, classes=None, hidden_units=DEFAULT_LAYER_DIMS[1:-1]):
    """The live trainer on train = (X, Y) (flattened, scaled pictures, one per column, and their 0/1 labels);
    test = (X, Y) adds the test cost curve, the test accuracy and the gallery of misclassified pictures.
    classes names labels 0 and 1 (default [b'non-cat', b'cat'], as load_data returns them).
    hidden_units are the units of the hidden layers it starts with: (7,) for the two-layer model, the default
    (20, 7, 5) for the course's four-layer model, () for a single sigmoid unit."""
    return CostTrainer(train, test, classes, hidden_units)

# ----------------------------------------------------------------------------------------------------------
# The misclassified pictures

def _class_name(classes, label):
    name = classes[int(label)]
    return name.decode("utf-8") if isinstance(name, bytes) else str(name)


def _picture_png(column):
    """One flattened picture (num_px * num_px * 3 values in [0, 1]) as PNG bytes, enlarged without blurring;
    None when the column is not a square RGB picture."""
    from PIL import Image

    num_px = int(round(np.sqrt(column.size / 3)))
    if num_px * num_px * 3 != column.size:
        return None
    pixels = np.clip(column.reshape(num_px, num_px, 3) * 255, 0, 255).astype(np.uint8)
    picture = Image.fromarray(pixels).resize((GALLERY_PIXELS, GALLERY_PIXELS), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def misclassified_tiles(X, y, p, classes, limit=GALLERY_MAX_PICTURES):
    """A picture and a caption (index, prediction, true class) for each of the first `limit` examples whose
    prediction p differs from the label y; [] when none does or the columns are not pictures."""
    tiles = []
    for index in np.flatnonzero(p.ravel() != y.ravel())[:limit]:
        png = _picture_png(X[:, index])
        if png is None:
            return []
        caption = (f"#{index}: predicted {_class_name(classes, p.ravel()[index])}, "
                   f"is {_class_name(classes, y.ravel()[index])}")
        picture = base64.b64encode(png).decode("ascii")
        tiles.append(widgets.VBox([widgets.HTML(f'<img src="data:image/png;base64,{picture}" '
                                                f'alt="Test picture #{index}">'),   # the caption under it says the rest
                                   widgets.HTML(f'<div style="font-size: 11px; line-height: 1.2">'
                                                f'{html.escape(caption)}</div>')],
                                  layout=widgets.Layout(width=f"{GALLERY_PIXELS + 16}px", margin="2px")))
    return tiles


def strip_tags(text):
    """HTML as the words it shows."""
    return html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ").strip()


def costs_html(runs):
    """The costs of the runs every 100 iterations, as tables in a <details> element: the cost curves in words."""
    from companion.plots.curves import runs_numbers
    from companion.plots.described import numbers_html
    return numbers_html([runs_numbers(run, run.number) for run in runs]).replace(
        "The numbers in this figure", "The costs of the runs, every 100 iterations")


class CostTrainer(widgets.VBox):
    """The live trainer: see cost_trainer.

    Controls: .layers, .units (the architecture), .learning_rate, .iterations, .seed, .train_button,
    .stop_button, .clear_button, .path, .save_button, .load_button. What it shows: .progress, .timing,
    .status, .plot (the SVG cost curves), .accuracy, .gallery_title and .gallery. .runs lists the runs so
    far; .wait(timeout) blocks until the current run has ended.
    """

    def __init__(self, train, test=None, classes=None, hidden_units=DEFAULT_LAYER_DIMS[1:-1]):
        hidden_units = _checked_hidden_units(hidden_units)
        self.train_data = _checked_data("train", train)
        self.test_data = None if test is None else _checked_data("test", test)
        if self.test_data is not None and self.test_data[0].shape[0] != self.train_data[0].shape[0]:
            raise ValueError(f"cost_trainer: the test pictures have {self.test_data[0].shape[0]} features and the "
                             f"training pictures {self.train_data[0].shape[0]}; expected the same number")
        self.classes = DEFAULT_CLASSES if classes is None else tuple(classes)
        self.runs = []
        self._thread, self._stop, self._parameters = None, threading.Event(), None
        super().__init__(self._build_controls(hidden_units) + self._build_outputs() + [focus_style()])
        self.add_class("dnn-widget")
        self.train_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self.clear_button.on_click(lambda _: self.clear())
        self.save_button.on_click(lambda _: self.save())
        self.load_button.on_click(lambda _: self.load())

    def _build_controls(self, hidden_units):
        self.architecture = Architecture(hidden_units, TRAINER_MAX_LAYERS)
        # A list and number boxes, not sliders: their labels name them for a screen reader, and the keyboard
        # works them as it works any form (arrow keys, typing).
        self.learning_rate = widgets.Dropdown(options=[(f"{rate:g}", rate) for rate in LEARNING_RATES],
                                              value=0.0075, description="learning rate",
                                              style={"description_width": "initial"},
                                              layout=widgets.Layout(width="200px"))
        self.iterations = widgets.BoundedIntText(value=2500, min=100, max=10000, step=100, description="iterations",
                                                 style={"description_width": "initial"},
                                                 layout=widgets.Layout(width="190px"))
        self.seed = widgets.BoundedIntText(value=1, min=0, max=2 ** 31 - 1, description="seed",
                                           layout=widgets.Layout(width="160px"))
        # Darker than ipywidgets' own green and red, so their white text reads at 4.5:1 and more.
        self.train_button = widgets.Button(description="Train", button_style="success", icon="play",
                                           style={"button_color": "#1e7b34", "text_color": "white"})
        self.stop_button = widgets.Button(description="Stop", button_style="danger", icon="stop", disabled=True,
                                          style={"button_color": "#b03a2e", "text_color": "white"})
        self.clear_button = widgets.Button(description="Clear runs", icon="trash")
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="progress")
        self.timing = widgets.Label()
        return [self.architecture, side_by_side(self.learning_rate, self.iterations, self.seed),
                side_by_side(self.train_button, self.stop_button, self.clear_button, self.progress, self.timing)]

    def _build_outputs(self):
        self.status = widgets.HTML()
        self.plot = widgets.HTML(cost_plot_svg([]))
        self.costs = widgets.HTML()  # the costs of the runs, every 100 iterations, as tables
        self.accuracy = widgets.HTML()
        self.gallery_title = widgets.HTML()
        self.gallery = widgets.Box(layout=widgets.Layout(flex_flow="row wrap"))
        self.path = widgets.Text(value="trained_parameters.npz", description="file")
        self.save_button = widgets.Button(description="Save", icon="save")
        self.load_button = widgets.Button(description="Load", icon="folder-open")
        return [self.status, self.plot, self.costs, self.accuracy, self.gallery_title, self.gallery,
                side_by_side(self.path, self.save_button, self.load_button)]

    layers = property(lambda self: self.architecture.layers, doc="The box for the number of layers L.")
    units = property(lambda self: self.architecture.units, doc="The boxes for the units of each hidden layer.")

    def layer_dims(self):
        return [self.train_data[0].shape[0]] + self.architecture.hidden_units() + [1]

    @property
    def running(self):
        return self._thread is not None and self._thread.is_alive()

    def say(self, text, kind="info"):
        """Show a sentence in the status line."""
        self.status.value = message_html(text, kind)

    # -- what the buttons do ------------------------------------------------------------------------------

    def start(self):
        """Train: check the settings, then train a new run in a background thread."""
        if self.running:
            return
        layer_dims = self.layer_dims()
        problem = dims_problem(layer_dims, self.train_data[0].shape[1])
        if problem:
            self.say(problem, "error")
            return
        run = Run(len(self.runs) + 1, layer_dims, self.learning_rate.value, self.iterations.value, self.seed.value)
        self.runs.append(run)
        self._stop.clear()
        self._set_running(True)
        self.progress.max, self.progress.value, self.progress.bar_style = run.iterations, 0, "info"
        self.accuracy.value = self.gallery_title.value = ""
        self.gallery.children = ()
        self.say(f"Run {run.number}: training a {len(layer_dims) - 1}-layer network {layer_dims} with learning "
                 f"rate {run.learning_rate:.3g} for {run.iterations} iterations...")
        self._thread = threading.Thread(target=self._train, args=(run,), name=f"training run {run.number}",
                                        daemon=True)
        self._thread.start()

    def stop(self):
        """Stop: end the current run after the iteration it is doing; its parameters so far are kept."""
        self._stop.set()

    def wait(self, timeout=None, show_progress=False):
        """Block until the current run (if any) has ended; True when it has, False if timeout ran out.
        show_progress=True shows a line under the cell saying how far the run has got (companion.progress), for
        a trainer that is not on the page."""
        thread = self._thread
        if thread is not None and show_progress:
            run = self.runs[-1]
            hidden = "-".join(map(str, run.layer_dims[1:-1])) or "none"
            follow(thread, lambda: run.at, run.iterations,
                   f"run {run.number} (learning rate {run.learning_rate:.3g}, hidden units {hidden})", timeout)
        elif thread is not None:
            thread.join(timeout)
        return not self.running

    def clear(self):
        """Clear runs: forget the curves of the runs so far."""
        if self.running:
            self.say("Stop the current run before clearing the curves.", "warning")
            return
        self.runs = []
        self.plot.value = cost_plot_svg(self.runs)
        self.costs.value = self.status.value = ""

    def save(self):
        """Save: write the parameters shown (the last run's, or the loaded ones) to the file in .path."""
        if self._parameters is None:
            self.say("Nothing to save yet: train a run (or load one) first.", "warning")
            return
        path = Path(self.path.value).expanduser()
        try:
            dnn_utils.save_parameters(path, self._parameters)
        except (OSError, ValueError, TypeError) as error:
            self.say(f"Could not save to {str(path)!r}: {error}", "error")
            return
        self.say(f"Saved the parameters of the network {_layer_dims_of(self._parameters)} to {str(path)!r}.",
                 "success")

    def load(self):
        """Load: read parameters from the file in .path, show their architecture, accuracy and mistakes."""
        if self.running:
            self.say("Wait for the run to end (or stop it) before loading parameters.", "warning")
            return
        path = Path(self.path.value).expanduser()
        try:
            parameters = dnn_utils.load_parameters(path)
        except (OSError, ValueError, TypeError) as error:
            self.say(f"Could not load {str(path)!r}: {error}", "error")
            return
        layer_dims, n_x = _layer_dims_of(parameters), self.train_data[0].shape[0]
        if layer_dims[0] != n_x or layer_dims[-1] != 1 or len(layer_dims) - 1 > TRAINER_MAX_LAYERS:
            self.say(f"{str(path)!r} holds the network {layer_dims}; this trainer takes {n_x} input features, "
                     f"one output unit and at most {TRAINER_MAX_LAYERS} layers.", "error")
            return
        self.architecture.set_hidden_units(layer_dims[1:-1])
        self._evaluate(parameters)
        self.say(f"Loaded the parameters of the network {layer_dims} from {str(path)!r}.", "success")

    # -- the training thread ------------------------------------------------------------------------------

    def _train(self, run):
        """The body of the training thread: run gradient descent, then show how it went, whatever happens
        (errors are shown in the widget: a background thread has nowhere else to report them)."""
        started = time.perf_counter()
        try:
            self._descend(run, started)
        except Exception as error:
            run.end("failed", run.at, message=f"Run {run.number} failed at iteration {run.at}: "
                                              f"{type(error).__name__}: {error}")
        try:
            self._finish(run, started)
        except Exception as error:
            self.say(f"Run {run.number} ended, but showing its results failed: {type(error).__name__}: {error}",
                     "error")
        finally:
            self._set_running(False)

    def _descend(self, run, started):
        X, Y = self.train_data
        parameters = dnn_utils.initialize_parameters_deep_scaled(run.layer_dims, seed=run.seed)
        steps = descent(X, Y, parameters, run.learning_rate)
        first_cost, next_refresh = None, started + REFRESH_SECONDS
        for i in range(run.iterations):
            run.at = i
            if self._stop.is_set():
                return run.end("stopped", i, steps.parameters())
            if i % run.test_every == 0:
                parameters = steps.parameters()
                dead = dead_layer(X, parameters)
                if dead is not None:
                    return run.end("dead", i, parameters, self._dead_message(run, dead, i))
                if self.test_data is not None:
                    run.test_costs.append((i, _cost(*self.test_data, parameters)))
            cost = _step_cost(steps)
            first_cost = cost if first_cost is None else first_cost
            blew_up = diverged(cost, first_cost)
            if i % run.every == 0 or blew_up or i == run.iterations - 1:  # the last: the final cost, as printed
                run.train_costs.append((i, cost))
            if blew_up:
                return run.end("diverged", i, message=self._divergence_message(run, first_cost, cost, i))
            if time.perf_counter() >= next_refresh:
                self._show_progress(run, i + 1, started)
                next_refresh = time.perf_counter() + REFRESH_SECONDS
        run.end("finished", run.iterations, steps.parameters())

    @staticmethod
    def _divergence_message(run, first_cost, cost, i):
        became = f"to {cost:.4g}" if np.isfinite(cost) else "to NaN/inf (the numbers overflowed)"
        return (f"Run {run.number} diverged: the cost went from {first_cost:.4g} at iteration 0 {became} at "
                f"iteration {i}. The learning rate {run.learning_rate:.3g} is too large for this network; "
                + _smaller_rate(run))

    @staticmethod
    def _dead_message(run, l, i):
        what = (f"Run {run.number} stopped at iteration {i}: every ReLU of hidden layer {l} outputs 0 for every "
                f"training example, so no gradient gets through it and the network gives every example the "
                f"same answer; more iterations cannot change that.")
        if i == 0:
            return what + " It started that way: try another seed or more units in that layer."
        return what + f" The learning rate {run.learning_rate:.3g} pushed the weights too far; " + _smaller_rate(run)

    def _show_progress(self, run, done, started):
        elapsed = time.perf_counter() - started
        remaining = elapsed / done * (run.iterations - done) if done else 0.0
        self.progress.value = done
        self._announce_progress(run, done)
        self.timing.value = f"iteration {done} of {run.iterations}, elapsed {_seconds(elapsed)}, " \
                            f"remaining about {_seconds(remaining)}"
        self.plot.value = cost_plot_svg(self.runs)

    def _announce_progress(self, run, done):
        """Say in the status line (a live region) each quarter of a run reached, with its last training cost."""
        quarter = 4 * done // run.iterations
        if run.outcome is None and 0 < quarter < 4 and quarter > run.announced:
            run.announced = quarter
            self.say(f"Run {run.number}: {25 * quarter} % done, iteration {done} of {run.iterations}, training "
                     f"cost {run.train_costs[-1][1]:.4f}.")

    def _finish(self, run, started):
        """Show how a run ended: progress, curve, message, and for a usable run its accuracy and mistakes."""
        self._show_progress(run, run.at, started)
        elapsed = _seconds(time.perf_counter() - started)
        self.timing.value = f"{run.at} iterations in {elapsed}"
        kind = OUTCOME_KINDS.get(run.outcome, "error")
        self.progress.bar_style = "danger" if kind == "error" else kind
        if run.outcome == "finished":
            self.say(f"Run {run.number} finished: {run.iterations} iterations in {elapsed}, {run.state}.", kind)
        elif run.outcome == "stopped":
            self.say(f"Run {run.number} stopped at iteration {run.at} of {run.iterations}; the accuracy below "
                     f"is that of the parameters reached so far.", kind)
        else:
            self.say(run.message, kind)
        if run.parameters is not None:
            self._evaluate(run.parameters)
        if run.outcome in ("finished", "stopped"):
            accuracy = re.sub(r"\s+·\s+", "; ", strip_tags(self.accuracy.value))
            self.say(f"{strip_tags(self.status.value)} {accuracy}.", kind)  # the whole outcome, announced at once
        self.costs.value = costs_html(self.runs)

    def _evaluate(self, parameters):
        """Show the train and test accuracy of parameters and the misclassified test pictures."""
        self._parameters = parameters
        texts = [_accuracy_text("Train", *self.train_data, parameters)[1]]
        if self.test_data is not None:
            p, test_text = _accuracy_text("Test", *self.test_data, parameters)
            self._show_mistakes(p)
            texts.append(test_text)
        self.accuracy.value = ('<p class="accuracy">' + " &nbsp;·&nbsp; ".join(f"<b>{text}</b>" for text in texts)
                               + "</p>")

    def _show_mistakes(self, p):
        """The gallery of the test pictures whose prediction p is wrong, under a title that counts them."""
        X, Y = self.test_data
        tiles = misclassified_tiles(X, Y, p, self.classes)
        wrong = int(np.sum(p != Y))
        title = f"Misclassified test pictures: {wrong} of {Y.shape[1]}" if wrong else "No misclassified test pictures."
        if wrong and not tiles:
            title += f" (their {X.shape[0]} numbers are not square RGB pictures, so they are not drawn)"
        elif len(tiles) < wrong:
            title += f", the first {len(tiles)} shown"
        self.gallery.children = tuple(tiles)
        self.gallery_title.value = f"<b>{html.escape(title)}</b>"

    def _set_running(self, running):
        self.train_button.disabled = self.clear_button.disabled = self.load_button.disabled = running
        self.stop_button.disabled = not running

    def __repr__(self):
        X = self.train_data[0]
        test = "none" if self.test_data is None else f"{self.test_data[0].shape[1]} examples"
        return f"CostTrainer(train={X.shape[1]} examples of {X.shape[0]} features, test={test})"
