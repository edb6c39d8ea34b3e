"""The trainer's runs: the gradient descent a run steps through (the fast engine, or in the student edition the
lesson's loop on the learner's own functions), what a run records and how it ended, and its cost plot as SVG
(light to send to the browser many times a second, from any thread).
"""
import html
from pathlib import Path

import numpy as np

import dnn_utils

if Path(__file__).parents[1].joinpath("solutions", "engine.py").is_file():  # the project: the engine's shortcuts
    from companion.solutions import engine
else:  # the student edition has no companion/solutions: the trainer runs on the learner's own functions
    engine = None

TRAINER_MAX_LAYERS = 8
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")


# ----------------------------------------------------------------------------------------------------------
# The cost plot, drawn as SVG: light to send to the browser many times a second, from any thread

class Run:
    """One training run: its settings, the costs recorded so far and how it ended.

    train_costs holds (iteration, cost) pairs, one every `every` iterations and one for the last iteration, its
    final cost (101 points per run, where the course records 25 over its 2500 iterations), and test_costs one
    every `test_every` iterations (25 points: each needs the full parameters, which the fast engine rebuilds
    at some cost); `outcome` is None while it runs, then "finished", "stopped", "diverged", "dead" (a hidden
    layer's ReLUs all output 0, so the network can no longer learn) or "failed"; `at` is the number of
    iterations done."""

    def __init__(self, number, layer_dims, learning_rate, iterations, seed):
        self.number, self.layer_dims, self.learning_rate = number, list(layer_dims), float(learning_rate)
        self.iterations, self.seed = int(iterations), int(seed)
        self.every = max(1, self.iterations // 100)
        self.test_every = 4 * self.every
        self.colour = COLOURS[(number - 1) % len(COLOURS)]
        self.train_costs, self.test_costs = [], []
        self.outcome, self.at, self.parameters, self.message = None, 0, None, ""
        self.announced = 0  # the quarters of the run the trainer has announced

    @property
    def label(self):
        hidden = "-".join(map(str, self.layer_dims[1:-1])) or "none"
        return (f"run {self.number}: learning rate {self.learning_rate:.3g}, hidden units {hidden}, "
                f"{self.iterations} iterations, seed {self.seed}")

    @property
    def state(self):
        """How the run stands, for the legend."""
        if self.outcome == "finished" and self.train_costs:  # the cost of the last iteration, as the loops print it
            i, cost = self.train_costs[-1]
            return f"final cost {cost:.4f}" if i == self.iterations - 1 else f"cost {cost:.4f} at iteration {i}"
        return {None: "training", "stopped": f"stopped at iteration {self.at}", "diverged": "diverged",
                "dead": f"dead at iteration {self.at}", "failed": "failed"}.get(self.outcome, self.outcome)

    @property
    def span(self):
        """The iterations the plot must show for this run: all it was set to do, unless it ended early."""
        return self.iterations if self.outcome in (None, "finished") else max(self.at, 1)

    def end(self, outcome, at, parameters=None, message=""):
        self.outcome, self.at, self.parameters, self.message = outcome, at, parameters, message


RECORDED = ("number", "layer_dims", "learning_rate", "iterations", "seed", "train_costs", "test_costs", "outcome",
            "at", "message")
STORED_RUNS = dnn_utils.DATASETS_DIR / "trainer_runs.json"  # the notebooks' replays, as the course stored them


def runs_as_data(runs):
    """The runs (Run objects) as plain JSON-ready data, without their parameters."""
    return [{key: getattr(run, key) for key in RECORDED} for run in runs]


def runs_from_data(data):
    """Run objects from runs_as_data's data; a clear error for anything else."""
    if not isinstance(data, list) or not all(isinstance(item, dict) and set(item) == set(RECORDED)
                                             for item in data):
        raise ValueError(f"runs_from_data: expected a list of runs, each a dict of {', '.join(RECORDED)}; "
                         f"got {type(data).__name__}")
    runs = []
    for item in data:
        run = Run(item["number"], item["layer_dims"], item["learning_rate"], item["iterations"], item["seed"])
        run.train_costs = [tuple(pair) for pair in item["train_costs"]]
        run.test_costs = [tuple(pair) for pair in item["test_costs"]]
        run.end(item["outcome"], item["at"], message=item["message"])
        runs.append(run)
    return runs


def stored_runs(name, path=STORED_RUNS):
    """The trainer's runs that the notebook `name` (e.g. "04_two_layer_model") replays, as stored with the
    course in datasets/trainer_runs.json (written by datasets/trainer_runs.py)."""
    import json
    stored = json.loads(Path(path).read_text())
    if name not in stored:
        raise ValueError(f"stored_runs: name={name!r} has no stored runs in {path}; expected one of "
                         f"{', '.join(sorted(stored))}")
    return runs_from_data(stored[name])


def _nice_step(span, count=5):
    """A round tick step (1, 2 or 5 times a power of ten) giving about `count` ticks over [0, span]."""
    raw = span / count
    power = 10 ** np.floor(np.log10(raw))
    return next(factor * power for factor in (1, 2, 5, 10) if raw <= factor * power * (1 + 1e-9))


def _cost_axis_top(runs):
    """The top of the cost axis: the largest cost, but at most twice the largest first cost, so that one
    diverging run does not flatten all the others; rounded up to a tick."""
    costs = [cost for run in runs for _, cost in run.train_costs + run.test_costs if np.isfinite(cost)]
    firsts = [run.train_costs[0][1] for run in runs if run.train_costs and np.isfinite(run.train_costs[0][1])]
    top = min(max(costs, default=1.0), 2 * max(firsts, default=np.inf))
    step = _nice_step(top if top > 0 else 1.0)
    return step * np.ceil(top / step) if top > 0 else step


class _Frame:
    """Where the plot area sits in the picture, and the mapping from (iteration, cost) to pixels."""
    LEFT, RIGHT, TOP, BOTTOM = 64, 20, 16, 44

    def __init__(self, width, height, x_max, y_max):
        self.width, self.height, self.x_max, self.y_max = width, height, x_max, y_max
        self.x0, self.x1 = self.LEFT, width - self.RIGHT
        self.y0, self.y1 = height - self.BOTTOM, self.TOP

    def x(self, iteration):
        return self.x0 + (self.x1 - self.x0) * iteration / self.x_max

    def y(self, cost):
        return self.y0 + (self.y1 - self.y0) * min(cost, self.y_max) / self.y_max


def _axes_svg(frame):
    """Grid lines, tick labels and axis titles."""
    parts = []
    for value in np.arange(0, frame.x_max * (1 + 1e-9), _nice_step(frame.x_max)):
        x = frame.x(value)
        parts.append(f'<line x1="{x:.1f}" y1="{frame.y0}" x2="{x:.1f}" y2="{frame.y1}" stroke="#e5e5e5"/>'
                     f'<text x="{x:.1f}" y="{frame.y0 + 16}" text-anchor="middle">{value:g}</text>')
    for value in np.arange(0, frame.y_max * (1 + 1e-9), _nice_step(frame.y_max)):
        y = frame.y(value)
        parts.append(f'<line x1="{frame.x0}" y1="{y:.1f}" x2="{frame.x1}" y2="{y:.1f}" stroke="#e5e5e5"/>'
                     f'<text x="{frame.x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>')
    parts.append(f'<rect x="{frame.x0}" y="{frame.y1}" width="{frame.x1 - frame.x0}" '
                 f'height="{frame.y0 - frame.y1}" fill="none" stroke="#888888"/>'
                 f'<text x="{(frame.x0 + frame.x1) / 2}" y="{frame.height - 8}" text-anchor="middle">'
                 f'iterations</text><text x="16" y="{(frame.y0 + frame.y1) / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 16 {(frame.y0 + frame.y1) / 2})">cost</text>')
    return "".join(parts)


def _curve_svg(frame, run, kind):
    """One run's train or test cost curve as a polyline, with a dot at its latest point."""
    points = [(frame.x(i), frame.y(cost)) for i, cost in getattr(run, kind) if not np.isnan(cost)]
    if not points:
        return ""
    dash = ' stroke-dasharray="6 4"' if kind == "test_costs" else ""
    css = kind.replace("_costs", "-cost")
    coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    x, y = points[-1]
    return (f'<polyline class="{css}" data-run="{run.number}" points="{coordinates}" fill="none" '
            f'stroke="{run.colour}" stroke-width="2"{dash}/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{run.colour}"/>')


def _legend_svg(runs, top, with_test):
    """Under the plot: one line per run (its colour, settings and state), then what the dashes mean."""
    parts = []
    for k, run in enumerate(runs):
        y = top + 18 * k
        parts.append(f'<g class="legend-entry" data-run="{run.number}"><line x1="{_Frame.LEFT}" y1="{y - 4}" '
                     f'x2="{_Frame.LEFT + 28}" y2="{y - 4}" stroke="{run.colour}" stroke-width="3"/>'
                     f'<text x="{_Frame.LEFT + 36}" y="{y}">{html.escape(run.label)}: '
                     f'{html.escape(run.state)}</text></g>')
    if with_test:
        y = top + 18 * len(runs)
        parts.append(f'<text x="{_Frame.LEFT}" y="{y}" fill="#555555">solid lines: training cost; '
                     f'dashed lines: test cost</text>')
    return "".join(parts)


def cost_plot_svg(runs, width=720, height=320):
    """The cost curves of `runs` (a list of Run) as an SVG picture: iterations across, the cost up, one
    colour per run, solid for the training cost and dashed for the test cost, and a legend under the plot."""
    with_test = any(run.test_costs for run in runs)
    frame = _Frame(width, height, max((run.span for run in runs), default=2500), _cost_axis_top(runs))
    body = [_axes_svg(frame)]
    body += [_curve_svg(frame, run, kind) for run in runs for kind in ("train_costs", "test_costs")]
    if not runs:
        body.append(f'<text x="{(frame.x0 + frame.x1) / 2}" y="{(frame.y0 + frame.y1) / 2}" '
                    f'text-anchor="middle" fill="#595959">Press Train: the cost curve is drawn here while the '
                    f'network learns.</text>')
    body.append(_legend_svg(runs, height + 8, with_test))
    total = height + 18 * (len(runs) + with_test) + 8
    return (f'<svg class="cost-plot" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total}" '
            f'viewBox="0 0 {width} {total}" font-family="sans-serif" font-size="12" role="img" '
            f'aria-label="{html.escape(cost_plot_description(runs))}">{"".join(body)}</svg>')


def cost_plot_description(runs):
    """The cost curves in words, the text alternative of cost_plot_svg: each run's settings, how it stands or
    ended, and where its training and test costs start, end and reach their lowest (the tables of the costs
    every 100 iterations are beside the plot)."""
    from companion.plots.curves import runs_summary
    if not runs:
        return "Cost curves: none yet. Press Train: the cost curve is drawn here while the network learns."
    return (f"Cost curves of {len(runs)} run{'s' if len(runs) > 1 else ''}, cost against iteration, training cost "
            f"solid, test cost dashed. " + " ".join(runs_summary(runs)))


# ----------------------------------------------------------------------------------------------------------
# The trainer

def _checked_data(name, data):
    """(X, Y) as float arrays, X (n, m) and Y (1, m); a clear error otherwise."""
    try:
        X, Y = data
    except (TypeError, ValueError):
        raise TypeError(f"cost_trainer: {name} must be a pair (X, Y), got {type(data).__name__}") from None
    X, Y = np.asarray(X), np.asarray(Y)
    if X.ndim != 2 or Y.shape != (1, X.shape[1]) or not np.issubdtype(X.dtype, np.floating):
        raise ValueError(f"cost_trainer: {name} must be X (n, m) of floats and Y (1, m), got X {X.shape} "
                         f"{X.dtype} and Y {Y.shape} (flatten and scale the pictures first: "
                         f"X = images.reshape(images.shape[0], -1).T / 255.)")
    return np.ascontiguousarray(X), Y.astype(float)  # contiguous rows: the fast engine reads X by rows


def _checked_hidden_units(hidden_units):
    """hidden_units as a list of positive ints, at most TRAINER_MAX_LAYERS - 1 of them; a clear error otherwise."""
    try:
        units = [int(n) for n in hidden_units]
        exact = all(n == u for n, u in zip(units, hidden_units))
    except (TypeError, ValueError):
        units, exact = [], False
    if not exact or any(n < 1 for n in units) or len(units) > TRAINER_MAX_LAYERS - 1:
        raise ValueError(f"cost_trainer: hidden_units must be a list of at most {TRAINER_MAX_LAYERS - 1} positive "
                         f"whole numbers, one per hidden layer (e.g. (7,) or (20, 7, 5)), got {hidden_units!r}")
    return units


class LessonDescent:
    """Gradient descent as the lessons write it, with dnn_utils' L_model_forward, compute_cost,
    L_model_backward and update_parameters (in the student edition: the learner's own, as kept when they
    passed their checks). It offers what the trainer uses of engine.GradientDescent: step() does one
    iteration and returns the cost before it, parameters() gives the current parameters."""

    def __init__(self, X, Y, parameters, learning_rate):
        self.X, self.Y, self.learning_rate = X, Y, learning_rate
        self.current = dict(parameters)

    def step(self):
        output, caches = dnn_utils.L_model_forward(self.X, self.current)
        cost = dnn_utils.compute_cost(output, self.Y)
        gradients = dnn_utils.L_model_backward(output, self.Y, caches)
        self.current = dnn_utils.update_parameters(self.current, gradients, self.learning_rate)
        return cost

    def parameters(self):
        return dict(self.current)


def descent(X, Y, parameters, learning_rate):
    """The gradient descent the trainer runs, one step() at a time: the fast engine (companion/solutions/engine.py)
    where there is one, else LessonDescent (in the student edition: on the learner's own functions)."""
    if engine is None:
        return LessonDescent(X, Y, parameters, learning_rate)
    return engine.GradientDescent(X, Y, parameters, learning_rate)


def diverged(cost, first_cost):
    """True when a cost is NaN or inf, or has grown to more than 10 times the first one (engine's test
    where there is one)."""
    if engine is not None:
        return engine.diverged(cost, first_cost)
    return not np.isfinite(cost) or cost > 10 * first_cost


def _step_cost(descent):
    """One step of gradient descent; its cost as a float, NaN when the numbers overflowed."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
            return float(descent.step())
        except (ValueError, FloatingPointError) as error:  # the library's checks refuse NaN and inf
            if "NaN/inf" in str(error):
                return float("nan")
            raise


def _cost(X, Y, parameters):
    """The cost of parameters on (X, Y); NaN when the numbers overflow."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        try:
            AL, _ = dnn_utils.L_model_forward(X, parameters)
            return float(dnn_utils.compute_cost(AL, Y))
        except ValueError:
            return float("nan")


def dead_layer(X, parameters):
    """The first hidden layer whose ReLUs output 0 for every column of X, or None.

    Such a layer passes no gradient back (relu_backward zeroes dZ wherever Z <= 0) and gives the next layer
    nothing to learn from, so the layers up to it never change again and the network gives every example the
    same answer: the run is over, whatever the number of iterations left."""
    _, caches = dnn_utils.L_model_forward(X, parameters)
    hidden = caches[:-1]  # caches[l - 1] = ((A_prev, W, b), Z) of layer l; A = relu(Z) is all 0 where Z <= 0
    return next((l for l, (_, Z) in enumerate(hidden, start=1) if not (Z > 0).any()), None)


def _accuracy_text(name, X, Y, parameters):
    p = dnn_utils.predict(X, None, parameters)
    right = int(np.sum(p == Y))
    return p, f"{name} accuracy: {100 * dnn_utils.accuracy(p, Y):.1f}% ({right} of {Y.shape[1]})"


def _smaller_rate(run):
    return f"try a smaller one, such as {run.learning_rate / 10:.3g}."


def _seconds(seconds):
    return f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


def _layer_dims_of(parameters):
    L = len(parameters) // 2
    return [parameters["W1"].shape[1]] + [parameters[f"W{l}"].shape[0] for l in range(1, L + 1)]
