"""The live trainer's runs that notebooks 04 and 05 replay, stored so that the notebooks show them at once.

Each notebook describes what its trainer shows for a few settings (learning rates, depths); its replay cell
shows these runs from trainer_runs.json, and trains them again on demand. This script trains them with the
trainer itself (headless, through the fast engine) and writes the file.

Usage
    python datasets/trainer_runs.py            train the runs and write trainer_runs.json next to this script,
                                               and every_cost.json (notebook 05's cost at every iteration)
    python datasets/trainer_runs.py --check    train them again and compare with the two files
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import dnn_utils  # noqa: E402
from companion.widgets.runs import STORED_RUNS, runs_as_data  # noqa: E402
from companion.widgets.trainer import cost_trainer  # noqa: E402

# notebook: the hidden units and learning rate of each run, in order (2500 iterations, seed 1: the trainer's own)
REPLAYS = {"04_two_layer_model": [([7], 0.0075), ([7], 0.05), ([7], 0.1), ([7], 1)],
           "05_L_layer_model": [([20, 7, 5], 0.0075), ([7], 0.0075), ([20, 7, 5], 0.05), ([20, 7, 5], 0.5)]}


def replay(settings, data=None):
    """Train the runs `settings` ([(hidden units, learning rate)]) one after the other with one trainer on the
    course's data; return the trainer's runs."""
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        train_x, train_y, test_x, test_y, classes = data or dnn_utils.load_data()
    flat = [x.reshape(x.shape[0], -1).T / 255. for x in (train_x, test_x)]
    trainer = cost_trainer((flat[0], train_y), (flat[1], test_y), classes, hidden_units=settings[0][0])
    for hidden_units, rate in settings:
        trainer.architecture.set_hidden_units(hidden_units)
        trainer.learning_rate.value = rate
        trainer.start()
        trainer.wait()
    return trainer.runs


def record():
    """{notebook: its runs as data}, trained now."""
    return {name: runs_as_data(replay(settings)) for name, settings in REPLAYS.items()}


# Notebook 05 shows the cost at every iteration of its L_layer_model (same network, rate and start), stored here
EVERY_COST = HERE / "every_cost.json"


def every_cost(data=None, iterations=2500):
    """{"05_L_layer_model": the cost at each of the `iterations` steps of the four-layer network of notebook 05
    (layers 12288, 20, 7, 5, 1, learning rate 0.0075, from initialize_parameters_deep_scaled)}."""
    import contextlib
    import io
    from companion.widgets.runs import descent
    with contextlib.redirect_stdout(io.StringIO()):
        train_x, train_y = (data or dnn_utils.load_data())[:2]
    X = train_x.reshape(train_x.shape[0], -1).T / 255.
    run = descent(X, train_y, dnn_utils.initialize_parameters_deep_scaled([X.shape[0], 20, 7, 5, 1]), 0.0075)
    return {"05_L_layer_model": [float(run.step()) for _ in range(iterations)]}


def same(stored, fresh, rtol=1e-6):
    """True when two records hold the same runs: the same settings and outcomes, costs equal to rounding."""
    if stored.keys() != fresh.keys():
        return False
    for name in stored:
        for a, b in zip(stored[name], fresh[name], strict=True):
            for key in a:
                if key.endswith("_costs"):
                    x, y = np.array(a[key], dtype=float), np.array(b[key], dtype=float)
                    if x.shape != y.shape or not np.allclose(x, y, rtol=rtol, equal_nan=True):
                        return False
                elif key != "message" and a[key] != b[key]:
                    return False
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the stored file instead of writing it")
    args = parser.parse_args(argv)
    fresh, costs = json.loads(json.dumps(record())), every_cost()
    if args.check:
        stored, stored_costs = json.loads(STORED_RUNS.read_text()), json.loads(EVERY_COST.read_text())
        current = same(stored, fresh) and stored_costs.keys() == costs.keys() and all(
            np.allclose(stored_costs[name], costs[name], rtol=1e-6) for name in costs)
        print("the stored runs are current" if current else "the stored runs differ: run this script")
        return 0 if current else 1
    STORED_RUNS.write_text(json.dumps(fresh, indent=1) + "\n")
    EVERY_COST.write_text(json.dumps(costs) + "\n")
    print(f"wrote {STORED_RUNS} and {EVERY_COST}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
