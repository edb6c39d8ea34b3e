"""Training speed: the fast engine's models (companion/solutions/engine.py) against a plain course-style loop, on
the course's data.

    make bench                      # or: python benchmarks/bench_training.py [--repeats N] [--data FOLDER]

For each model and mode it prints the median time of several runs, the ratio to the plain loop below (the
baseline: the course's loop written plainly in numpy), the floating-point work done and the rate achieved
against this machine's measured matrix-multiply peak, the peak memory allocated while training (in copies of
X), and whether the costs match the baseline's. Where PyTorch is installed, a plain PyTorch CPU version of
the same model is timed too. The course's files are read from --data, DNN_COURSE_DATA or ../shared/datasets,
else the project's own data set is used.
"""
import argparse
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))  # run as a script from anywhere

import dnn_utils  # noqa: E402
from companion.solutions import engine  # noqa: E402

LEARNING_RATE, ITERATIONS = 0.0075, 2500
MODELS = {"two_layer_model": (12288, 7, 1), "L_layer_model": (12288, 20, 7, 5, 1)}


def initial_parameters(model, dims):
    return (dnn_utils.initialize_parameters(*dims) if model == "two_layer_model"
            else dnn_utils.initialize_parameters_deep_scaled(list(dims)))


def plain_loop(X, Y, parameters, learning_rate, num_iterations):
    """The baseline: the course's gradient descent written plainly, every product computed every step."""
    parameters = dict(parameters)
    L, m = len(parameters) // 2, X.shape[1]
    costs = []
    for i in range(num_iterations):
        A, caches = X, []
        for l in range(1, L + 1):
            Z = parameters[f"W{l}"].dot(A) + parameters[f"b{l}"]
            caches.append((A, Z))
            A = np.maximum(0, Z) if l < L else 1 / (1 + np.exp(-Z))
        cost = np.squeeze((1. / m) * (-np.dot(Y, np.log(A).T) - np.dot(1 - Y, np.log(1 - A).T)))
        if i % 100 == 0:
            costs.append(cost)
        dA = - (np.divide(Y, A) - np.divide(1 - Y, 1 - A))
        for l in reversed(range(1, L + 1)):
            A_prev, Z = caches[l - 1]
            if l == L:
                s = 1 / (1 + np.exp(-Z))
                dZ = dA * s * (1 - s)
            else:
                dZ = np.array(dA, copy=True)
                dZ[Z <= 0] = 0
            dW = 1. / m * np.dot(dZ, A_prev.T)
            db = 1. / m * np.sum(dZ, axis=1, keepdims=True)
            dA = np.dot(parameters[f"W{l}"].T, dZ)
            parameters[f"W{l}"] = parameters[f"W{l}"] - learning_rate * dW
            parameters[f"b{l}"] = parameters[f"b{l}"] - learning_rate * db
    return parameters, costs


def torch_loop(X, Y, parameters, learning_rate, num_iterations):
    """The same model in plain PyTorch on the CPU (float64, autograd), for comparison."""
    import torch

    X_t, Y_t = torch.from_numpy(X), torch.from_numpy(Y.astype(np.float64))
    weights = {k: torch.tensor(v, requires_grad=True) for k, v in parameters.items()}
    L = len(weights) // 2
    costs = []
    for i in range(num_iterations):
        A = X_t
        for l in range(1, L + 1):
            Z = weights[f"W{l}"] @ A + weights[f"b{l}"]
            A = torch.relu(Z) if l < L else torch.sigmoid(Z)
        cost = torch.nn.functional.binary_cross_entropy(A, Y_t)
        if i % 100 == 0:
            costs.append(np.array(cost.item()))
        for w in weights.values():
            w.grad = None
        cost.backward()
        with torch.no_grad():
            for w in weights.values():
                w -= learning_rate * w.grad
    return {k: v.detach().numpy() for k, v in weights.items()}, costs


def work(variant, dims, m, iterations):
    """Floating-point operations (2 per multiply-add) of the matrix products a variant performs."""
    layers = list(zip(dims[1:], dims[:-1]))
    per_layer = [2 * n * n_prev * m for n, n_prev in layers]
    if variant in ("plain", "torch"):
        return iterations * 3 * sum(per_layer)
    n1, n0 = layers[0]
    if m < n0:  # the engine with the Gram matrix: X^T X, W1 X and W1 once, then dZ1 (X^T X) per step
        once = 2 * m * m * n0 + 2 * per_layer[0]
        return once + iterations * (3 * sum(per_layer[1:]) + 2 * n1 * m * m)
    return iterations * (2 * per_layer[0] + 3 * sum(per_layer[1:]))


def matmul_peak(dtype, n=2000, repeats=5):
    a = np.random.RandomState(0).rand(n, n).astype(dtype)
    a @ a
    best = min(_timed(lambda: a @ a)[1] for _ in range(repeats))
    return 2 * n ** 3 / best / 1e9


def _timed(run):
    start = time.perf_counter()
    result = run()
    return result, time.perf_counter() - start


def measure(run, repeats):
    """(result of the first run, median seconds, peak MiB allocated during the first run)."""
    tracemalloc.start()
    result, first = _timed(run)
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()  # tracing slows numpy a little: the timed runs go untraced
    times = [_timed(run)[1] for _ in range(repeats)]
    return result, statistics.median(times), peak


def load(folder):
    folder = folder or os.environ.get(dnn_utils.COURSE_DATA_ENV) or PROJECT.parent / "shared" / "datasets"
    use_course = (Path(folder) / "train_catvnoncat.h5").is_file()
    train_x, train_y, *_ = dnn_utils.load_data(folder if use_course else None)
    return train_x.reshape(train_x.shape[0], -1).T / 255., train_y


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per row (median reported)")
    parser.add_argument("--iterations", type=int, default=ITERATIONS)
    parser.add_argument("--data", help="folder with the course's files")
    args = parser.parse_args(argv)
    X, Y = load(args.data)
    peaks = {np.float64: matmul_peak(np.float64), np.float32: matmul_peak(np.float32)}
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, numpy {np.__version__}")
    print(f"matrix-multiply peak: {peaks[np.float64]:.1f} GFLOP/s float64, {peaks[np.float32]:.1f} GFLOP/s float32")
    print(f"data: X {X.shape}, {args.iterations} iterations, lr {LEARNING_RATE}, median of {args.repeats} runs")
    header = f"{'model':<16} {'mode':<16} {'seconds':>8} {'ratio':>6} {'GFLOP':>7} {'GFLOP/s':>8} {'% peak':>7} " \
             f"{'peak MiB':>9} {'X copies':>8}  costs match"
    print(header)
    print("-" * len(header))
    try:
        import torch  # noqa: F401
        have_torch = True
    except ImportError:
        have_torch = False
    for model, dims in MODELS.items():
        start = initial_parameters(model, dims)
        variants = [
            ("plain loop", np.float64, lambda: plain_loop(X, Y, start, LEARNING_RATE, args.iterations), "plain"),
            ("engine", np.float64, lambda: getattr(engine, model)(X, Y, list(dims), LEARNING_RATE,
                                                                   args.iterations), "fast"),
            ("float32 mode", np.float32, lambda: engine.gradient_descent(X, Y, start, LEARNING_RATE,
                                                                        args.iterations, dtype=np.float32), "fast"),
        ]
        if have_torch:
            variants.append(("PyTorch CPU", np.float64, lambda: torch_loop(X, Y, start, LEARNING_RATE,
                                                                          args.iterations), "torch"))
        baseline = None
        for mode, dtype, run, kind in variants:
            (_, costs), seconds, peak = measure(run, args.repeats)
            costs = np.array([float(c) for c in costs])
            if baseline is None:
                baseline = (seconds, costs)
            exact = dtype == np.float64 and kind != "torch"  # same arithmetic: costs equal to 1e-9 relative
            tolerance = "1e-9 relative" if exact else "1e-4"
            match = np.allclose(costs, baseline[1], rtol=1e-9, atol=0) if exact else \
                np.allclose(costs, baseline[1], rtol=0, atol=1e-4)
            flops = work(kind, dims, X.shape[1], args.iterations) / 1e9
            print(f"{model:<16} {mode:<16} {seconds:8.2f} {seconds / baseline[0]:6.2f} {flops:7.1f} "
                  f"{flops / seconds:8.1f} {100 * flops / seconds / peaks[dtype]:6.0f}% {peak:9.1f} "
                  f"{peak * 2 ** 20 / X.nbytes:8.2f}  {'yes' if match else 'NO'} (within {tolerance})")
        if not have_torch:
            print(f"{model:<16} {'PyTorch CPU':<16} not installed: PyTorch is optional, not a dependency")


if __name__ == "__main__":
    main()
