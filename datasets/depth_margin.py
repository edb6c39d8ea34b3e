"""How much the four-layer network beats the two-layer one on the drawn data set, over generator seeds.

One data set of 50 test pictures is a small sample: a single picture is 2 points of test accuracy. This
script draws the data set with each of several generator seeds (the shipped files are seed 1), trains both
models of the lessons on each (the same iterations, through the fast engine), with the course's settings
(learning rate 0.0075, 2500 iterations), and measures their accuracy on that seed's 50 test pictures and on
200 more pictures drawn by the same generator from a seed of their own (HELD_OUT_SEED), which no model
trains on.

Usage
    python datasets/depth_margin.py            measure and write depth_margin.json next to this script
    python datasets/depth_margin.py --check    measure again and compare with depth_margin.json

depth_margin.json holds one row per seed (accuracies as fractions) and the settings; notebook 05 shows it.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

import dnn_utils  # noqa: E402
import make_drawncat  # noqa: E402
from companion.solutions import engine  # noqa: E402

RESULT_FILE = HERE / "depth_margin.json"
SEEDS = tuple(range(1, 9))
HELD_OUT_SEED = 1001
HELD_OUT_SIZE, HELD_OUT_CATS = 200, 132     # the test split's share of cats, 33 of 50
TWO_LAYER, FOUR_LAYER = (12288, 7, 1), (12288, 20, 7, 5, 1)
SETTINGS = {"learning_rate": 0.0075, "num_iterations": 2500}


def flatten(images):
    """(m, 64, 64, 3) uint8 pictures -> (12288, m) in [0, 1], as the notebooks prepare them."""
    return images.reshape(images.shape[0], -1).T / 255.


def held_out_set():
    """The extra pictures: x (12288, 200) in [0, 1] and y (1, 200)."""
    x, y = make_drawncat.make_split(np.random.RandomState(HELD_OUT_SEED), HELD_OUT_SIZE, HELD_OUT_CATS)
    return flatten(x), y.reshape(1, -1)


def measure_seed(seed, held_out):
    """Train both models on the data set of `seed`; their accuracies on its train and test splits and on
    the held-out pictures, as a dict of fractions."""
    train_x, train_y, test_x, test_y, _ = make_drawncat.make_dataset(seed)
    X, Y = flatten(train_x), train_y.reshape(1, -1)
    splits = {"train": (X, Y), "test": (flatten(test_x), test_y.reshape(1, -1)), "held_out": held_out}
    row = {"seed": seed}
    for name, model, dims in (("two_layer", engine.two_layer_model, TWO_LAYER),
                              ("four_layer", engine.L_layer_model, list(FOUR_LAYER))):
        parameters, _ = model(X, Y, dims, **SETTINGS)
        for split, (x, y) in splits.items():
            row[f"{name}_{split}"] = dnn_utils.accuracy(dnn_utils.predict(x, None, parameters), y)
    return row


def measure(seeds=SEEDS):
    held_out = held_out_set()
    rows = []
    for seed in seeds:
        rows.append(measure_seed(seed, held_out))
        print(describe(rows[-1]), flush=True)
    return {"settings": {**SETTINGS, "two_layer": list(TWO_LAYER), "four_layer": list(FOUR_LAYER),
                         "held_out_seed": HELD_OUT_SEED, "held_out_size": HELD_OUT_SIZE,
                         "held_out_cats": HELD_OUT_CATS, "test_size": make_drawncat.N_TEST,
                         "test_cats": make_drawncat.N_TEST_CATS},
            "rows": rows}


def describe(row):
    """One line of the table: test and held-out accuracies of both models and the margins, in points."""
    test = 100 * (row["four_layer_test"] - row["two_layer_test"])
    held = 100 * (row["four_layer_held_out"] - row["two_layer_held_out"])
    return (f"seed {row['seed']}: test {row['two_layer_test']:.0%} vs {row['four_layer_test']:.0%} ({test:+.0f}), "
            f"held-out {row['two_layer_held_out']:.1%} vs {row['four_layer_held_out']:.1%} ({held:+.1f})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help=f"compare with {RESULT_FILE.name} instead of writing")
    args = parser.parse_args(argv)
    result = measure()
    if args.check:
        stored = json.loads(RESULT_FILE.read_text())
        if stored != result:
            print(f"mismatch: {RESULT_FILE.name} differs from the measurement", file=sys.stderr)
            return 1
        print(f"{RESULT_FILE.name} matches the measurement")
        return 0
    RESULT_FILE.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {RESULT_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
