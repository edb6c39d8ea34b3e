"""Curves: costs over the iterations, other curves and panels, the scale of the activations or gradients layer by
layer, gradient-check errors, the depth margin over data sets, and the live trainer's runs.

Every drawing function creates its figure with matplotlib's object API and returns the Figure; in a
notebook, end the cell with `plt.show()` so that the picture is shown once.
"""
from pathlib import Path

import numpy as np

from companion.plots.canvas import FAIL, PALETTE, PASS, pyplot
from companion.plots.described import Numbers, describe, number, sampled, series_summary


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
        fig, ax = pyplot().subplots(figsize=(6, 4))
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
    _describe_costs(ax, costs, every, label, ylabel)
    return ax.figure


def _describe_costs(ax, costs, every, label, ylabel):
    iterations = np.arange(costs.size) * every
    if not ax.__dict__.get("_dnn_texts"):
        describe(ax, f"Line chart, {ax.get_title()}: {ylabel} against iterations"
                     f"{' (log scale)' if ax.get_yscale() == 'log' else ''}, recorded every {every} iterations.")
    name = f"{label}: the {ylabel}" if label else f"The {ylabel}"
    text = f"{name} goes {series_summary(iterations, costs, 'iteration ')}."
    rises = [int(iterations[i]) for i in range(1, costs.size) if costs[i] > costs[i - 1]]
    if rises and costs.size > 2:
        text += f" It rises at iterations {_listed(rises)}."
    rows = [(int(iterations[i]), number(costs[i])) for i in sampled(costs.size)]
    describe(ax, text, Numbers(f"{ax.get_title()}: {label or ylabel}", ("iteration", ylabel), rows))


def _listed(values, limit=12):
    """Values as "a, b and c" (the first `limit` of them, then how many more)."""
    values = [str(v) for v in values]
    if len(values) > limit:
        return ", ".join(values[:limit]) + f" and {len(values) - limit} more"
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


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
        fig, ax = pyplot().subplots(figsize=(6, 4))
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
    lines = [f"{label}: " + ", ".join(f"{name}[{l}] {number(v)}" for l, v in enumerate(values, start=1))
             for label, values in scales.items()]
    rows = [(f"{name}[{l}]",) + tuple(number(values[l - 1]) if l <= len(values) else "" for values in scales.values())
            for l in range(1, longest + 1)]
    describe(ax, f"Bar chart, {title}: {ylabel} of {name}[l] for layers 1 to {longest}, one bar per "
                 f"{'network' if len(scales) > 1 else 'layer'}. " + "; ".join(lines) + ".",
             Numbers(title, ("layer",) + tuple(scales), rows))
    return ax.figure


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
        fig, ax = pyplot().subplots(figsize=(6.5, 4))
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
    _describe_lines(ax, x, lines, title, xlabel, ylabel, threshold)
    return ax.figure


def _describe_lines(ax, x, lines, title, xlabel, ylabel, threshold):
    scales = [f"{name} on a log scale" for name, scale in (("x", ax.get_xscale()), ("y", ax.get_yscale()))
              if scale == "log"]
    text = (f"Line chart{', ' + title if title else ''}: {ylabel or 'y'} against {xlabel or 'x'}"
            f"{' (' + ' and '.join(scales) + ')' if scales else ''}. ")
    text += " ".join(f"{label}: {series_summary(x, y, (xlabel or 'x') + ' = ')}." for label, y in lines.items())
    if threshold is not None:
        text += f" A dashed line marks {number(threshold)}."
    ys = [np.asarray(y, dtype=float).reshape(-1) for y in lines.values()]
    rows = [(number(x[i]),) + tuple(number(y[i]) for y in ys) for i in sampled(x.size)]
    describe(ax, text, Numbers(title or ylabel or "the curves", (xlabel or "x",) + tuple(lines), rows))


def plot_panels(x, panels, xlabel="x", sharey=False):
    """One small plot per curve, side by side: {title: y values over x}. Each panel marks the axes x = 0 and
    y = 0 when they fall inside it. Returns the Figure, with one Axes per panel in order."""
    x = np.asarray(x, dtype=float).reshape(-1)
    fig, axes = pyplot().subplots(1, len(panels), figsize=(3.6 * len(panels), 3.2), sharey=sharey, squeeze=False)
    for ax, (title, y) in zip(axes[0], panels.items()):
        ax.plot(x, np.asarray(y, dtype=float).reshape(-1), linewidth=2)
        ax.axhline(0, color="gray", linewidth=0.5)
        if x.min() < 0 < x.max():
            ax.axvline(0, color="gray", linewidth=0.5)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
        y = np.asarray(y, dtype=float).reshape(-1)
        peaks = int(np.sum((y[1:-1] > y[:-2]) & (y[1:-1] >= y[2:])))   # the teeth of a sawtooth, the bumps
        shape = f", {peaks} peaks" if peaks > 1 else ""
        describe(ax, f"{title}: {series_summary(x, y, xlabel + ' = ')}{shape}.")
    rows = [(number(x[i]),) + tuple(number(np.asarray(y, dtype=float).reshape(-1)[i]) for y in panels.values())
            for i in sampled(x.size, 21)]
    describe(fig, f"{len(panels)} line charts side by side, each over {xlabel} from {number(x.min())} to "
                  f"{number(x.max())}. " + " ".join(ax.__dict__["_dnn_texts"][0] for ax in axes[0]),
             Numbers("the curves", (xlabel,) + tuple(panels), rows))
    fig.tight_layout()
    return fig


def plot_relative_errors(results, threshold=1e-7):
    """Gradient checks side by side: {title: {gradient name: relative error}}, one panel per check, a bar
    per gradient on a log scale, green below `threshold` and red above. Returns the Figure."""
    fig, axes = pyplot().subplots(1, len(results), figsize=(4 * len(results), 3.8), sharey=True, squeeze=False)
    for ax, (title, errors) in zip(axes[0], results.items()):
        values = [float(v) for v in errors.values()]
        bars = ax.bar(list(errors), values, color=[PASS if v < threshold else FAIL for v in values])
        for bar, v in zip(bars, values):   # a failing bar is hatched too, not only another colour
            if v >= threshold:
                bar.set_hatch("//")
                bar.set_edgecolor("black")
        ax.axhline(threshold, color="black", linestyle="--", linewidth=1)
        ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="x", labelrotation=45)
    axes[0][0].set_ylabel("relative error (log scale)")
    axes[0][0].set_ylim(1e-13, 10)
    axes[0][-1].text(len(values) - 0.5, threshold * 2, f"{threshold:.0e}", ha="right", va="bottom")
    checks = []
    for title, errors in results.items():
        failed = [name for name, v in errors.items() if float(v) >= threshold]
        verdict = f"{', '.join(failed)} above it" if failed else "every gradient below it"
        checks.append(f"{title}: {verdict} (" + ", ".join(f"{name} {number(v)}" for name, v in errors.items()) + ")")
    rows = [(title, name, number(v), "passes" if float(v) < threshold else "fails")
            for title, errors in results.items() for name, v in errors.items()]
    describe(fig, f"Bar charts of gradient checks, the relative error of each gradient on a log scale against the "
                  f"threshold {threshold:.0e} (dashed line; bars below it pass, in green, bars above fail, in "
                  f"hatched vermillion). " + "; ".join(checks) + ".",
             Numbers("relative errors of the gradient checks", ("check", "gradient", "relative error", "verdict"),
                     rows))
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
    fig, ax = pyplot().subplots(figsize=(7, 4.6))
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
        ax.plot(seeds + offset, two, linestyle="none", color=PALETTE[0], label=f"two-layer, {name}", **style)
        ax.plot(seeds + offset, four, linestyle="none", color=PALETTE[1], label=f"four-layer, {name}",
                **dict(style, marker="s"))
    ax.set_xticks(seeds)
    ax.set_xticklabels([str(row["seed"]) for row in rows])
    ax.set_xlabel("generator seed of the data set")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("Two layers against four, data set by data set")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    ax.grid(alpha=0.3, axis="y")
    _describe_depth_margins(ax, rows, majority)
    fig.tight_layout()
    return fig


def _describe_depth_margins(ax, rows, majority):
    held = all("two_layer_held_out" in row for row in rows)
    margins = [100 * (row["four_layer_test"] - row["two_layer_test"]) for row in rows]
    text = (f"Dot chart, {ax.get_title()}: test accuracy in % of the two-layer and the four-layer network for "
            f"{len(rows)} data sets (generator seeds {', '.join(str(row['seed']) for row in rows)}), "
            f"{'filled dots on the 50 test pictures, hollow dots on 200 held-out pictures' if held else 'on the test pictures'}. "
            f"The four-layer network's margin on the test pictures goes from {min(margins):+.0f} to "
            f"{max(margins):+.0f} points, {np.mean(margins):+.1f} on average.")
    if majority is not None:
        text += f" A dotted line marks {majority:.0%}, answering the majority class to every picture."
    splits = ("test", "held_out") if held else ("test",)
    header = ("seed",) + tuple(f"{net}, {split.replace('_', ' ')} (%)" for split in splits
                               for net in ("two-layer", "four-layer"))
    table = [(row["seed"],) + tuple(f"{100 * row[f'{net}_{split}']:.1f}" for split in splits
                                    for net in ("two_layer", "four_layer")) for row in rows]
    describe(ax, text, Numbers("accuracy by data set", header, table))


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
    fig, ax = pyplot().subplots(figsize=(8, 4.2))
    top = 0.0
    for k, run in enumerate(runs):
        colour = PALETTE[k % len(PALETTE)]
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
    describe(ax, f"Line chart of the cost against the iteration for {len(runs)} run{'s' if len(runs) > 1 else ''} "
                 f"of the trainer, training cost solid, test cost dashed. " + " ".join(runs_summary(runs)),
             [runs_numbers(run, k + 1) for k, run in enumerate(runs)])
    return fig


def runs_summary(runs):
    """One sentence per run of the trainer: its settings, how it ended, where its costs start and end."""
    sentences = []
    for k, run in enumerate(runs):
        train = np.array(run.train_costs, dtype=float).reshape(-1, 2)
        test = np.array(run.test_costs, dtype=float).reshape(-1, 2)
        text = f"Run {k + 1} ({run.label.split(': ', 1)[-1]}): {run.outcome or 'training'}"
        if train.size:
            text += f"; training cost {series_summary(train[:, 0], train[:, 1], 'iteration ')}"
        if test.size:
            text += f"; test cost {series_summary(test[:, 0], test[:, 1], 'iteration ')}"
        sentences.append(text + ".")
    return sentences


def runs_numbers(run, number_shown, every=100):
    """A run's costs every `every` iterations (and its last recorded ones) as a Numbers table."""
    train = {int(i): c for i, c in np.array(run.train_costs, dtype=float).reshape(-1, 2)}
    test = {int(i): c for i, c in np.array(run.test_costs, dtype=float).reshape(-1, 2)}
    blocks = {}
    for i in sorted(set(train) | set(test)):   # the first iteration recorded in each block of `every`
        blocks.setdefault(i // every, i)
    shown = sorted(blocks.values())
    last = max(train, default=None)
    if last is not None and last not in shown:
        shown.append(last)
    header = ("iteration", "training cost") + (("test cost",) if test else ())
    rows = [(i, number(train[i]) if i in train else "") + ((number(test[i]) if i in test else "",) if test else ())
            for i in shown]
    return Numbers(f"run {number_shown}: costs every {every} iterations", header, rows)
