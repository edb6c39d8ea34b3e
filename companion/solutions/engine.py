"""The fast training engine: the lessons' gradient descent, computed with fewer products.

`two_layer_model` and `L_layer_model` in dnn_utils.py are the lessons' loops as taught; the models of the same
names here run the same iterations, on the same building blocks, with two shortcuts that do not change the math:

1. dA0, the gradient with respect to the input X, is never computed: nothing uses it, and it costs as much
   as the first layer's forward pass (a (n[0], n[1]) by (n[1], m) product).

2. With fewer examples than features (m < n[0], as with 209 pictures of 12288 numbers), the first layer's
   Z1 = W1 X + b1 is updated instead of recomputed. Since dW1 = (1/m) dZ1 X^T, one step of gradient descent
   changes it by

       Z1 <- Z1 - (alpha/m) dZ1 (X^T X) - alpha db1

   where X^T X, the (m, m) Gram matrix, is computed once. W1 itself is needed only at the end (or when
   asked for): W1 = W1_start - (1/m) (sum over steps of alpha dZ1) X^T. The large products with X, two per
   step in the lesson's loop (three with dA0), happen twice in a whole run.

The costs and parameters agree with the lesson's loop up to rounding (tests compare them). Without the Gram
matrix (many examples), `dtype=np.float32` does the products with X, the only large ones, in single
precision on a float32 copy of X, the one copy this module ever makes; everything of the size of Z[l] stays
in double precision, where the sigmoid's 1 - AL would otherwise lose digits. With it, the few products with
X are all done in double precision: they are not worth rounding.
"""
import numpy as np

import companion.arguments as check
import dnn_utils
from companion.arguments import checked, checks_done
from dnn_utils import (compute_cost, linear_activation_backward, linear_activation_forward, relu, relu_backward,
                       sigmoid, sigmoid_backward)

GRAM_MAX_EXAMPLES = 4096  # the Gram matrix is m x m: at most 128 MiB in float64


class GradientDescent:
    """The state of a run of gradient descent on [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID.

    X (n[0], m), Y (1, m) labels 0/1, parameters {"W1", "b1", ..., "WL", "bL"} (not modified).
    `step()` does one iteration and returns its cost; `parameters()` gives the current parameters.
    """

    def __init__(self, X, Y, parameters, learning_rate, dtype=np.float64):
        check.gradient_descent_args(type(self).__name__, X, Y, parameters, learning_rate)
        self.dtype = np.dtype(dtype)
        self.Y = Y.astype(np.float64)
        self.learning_rate = learning_rate
        self.L = len(parameters) // 2
        self.m = X.shape[1]
        self.P = {key: value.astype(np.float64) for key, value in parameters.items()}
        self.gram = self.m < X.shape[0] and self.m <= GRAM_MAX_EXAMPLES
        if self.gram:  # all in float64: the few products with X are not worth rounding
            self.X = X
            self.G = sum(block.T @ block for _, block in _row_blocks(X))
            self.W1_start = self.P.pop("W1")
            self.Z1 = sum(self.W1_start[:, rows] @ block for rows, block in _row_blocks(X)) + self.P["b1"]
            self.sum_alpha_dZ1 = np.zeros_like(self.Z1)
        else:  # the products with X, one per step each way, in self.dtype
            self.X = X.astype(self.dtype, copy=False)
            self.P["W1"] = self.P["W1"].astype(self.dtype)
            self.Z1 = self.sum_alpha_dZ1 = None

    def state(self):
        """What a step changes (steps build new arrays, so this is a snapshot): see restore."""
        return self.P, self.Z1, self.sum_alpha_dZ1

    def restore(self, state):
        self.P, self.Z1, self.sum_alpha_dZ1 = state

    def step(self):
        """One iteration: forward, cost, backward, update. Returns the cost before the update (NaN or inf
        when the run has diverged: see `diverged`)."""
        with checks_done(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return self._step()

    def _step(self):
        P, L, m, alpha = self.P, self.L, self.m, self.learning_rate
        activation = lambda l: "relu" if l < L else "sigmoid"
        first, first_backward = (relu, relu_backward) if L > 1 else (sigmoid, sigmoid_backward)

        # forward: layer 1 from Z1, then layers 2..L as in L_model_forward
        Z1 = self.Z1 if self.gram else P["W1"].dot(self.X).astype(np.float64, copy=False) + P["b1"]
        A, _ = first(Z1)
        caches = []
        for l in range(2, L + 1):
            A, cache = linear_activation_forward(A, P["W" + str(l)], P["b" + str(l)], activation(l))
            caches.append(cache)
        AL = A
        cost = compute_cost(AL, self.Y)

        # backward and update: layers L..2 as in L_model_backward, then layer 1 without dA0
        new = dict(P)
        dA = - (np.divide(self.Y, AL) - np.divide(1 - self.Y, 1 - AL))
        for l in reversed(range(2, L + 1)):
            dA, dW, db = linear_activation_backward(dA, caches[l - 2], activation(l))
            new["W" + str(l)] = P["W" + str(l)] - alpha * dW
            new["b" + str(l)] = P["b" + str(l)] - alpha * db
        dZ1 = first_backward(dA, Z1)
        db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
        new["b1"] = P["b1"] - alpha * db1
        if self.gram:
            Z1 = Z1 - (alpha / m) * dZ1.dot(self.G) - alpha * db1
            # one assignment, so that an interrupted step leaves the state as it was or as it is now
            self.P, self.Z1, self.sum_alpha_dZ1 = new, Z1, self.sum_alpha_dZ1 + alpha * dZ1
        else:
            new["W1"] = P["W1"] - alpha * (1. / m * np.dot(dZ1.astype(self.dtype, copy=False), self.X.T))
            self.P = new
        return cost

    def parameters(self):
        """The current parameters W1, b1, ..., WL, bL, in a new dict of arrays of self.dtype."""
        if self.gram:
            W1 = self.W1_start.copy()
            for rows, block in _row_blocks(self.X):
                W1[:, rows] -= (1. / self.m) * self.sum_alpha_dZ1.dot(block.T)
        else:
            W1 = self.P["W1"]
        current = {"W1": W1}
        current.update((key, self.P[key]) for key in ["b1"] + [k + str(l) for l in range(2, self.L + 1) for k in "Wb"])
        return {key: value.astype(self.dtype, copy=False) for key, value in current.items()}


def _row_blocks(X, rows=2048):
    """(slice, X[slice] in float64) over blocks of rows: products with a float32 X in double precision
    without a double-precision copy of the whole of X."""
    for start in range(0, X.shape[0], rows):
        block = slice(start, start + rows)
        yield block, X[block].astype(np.float64, copy=False)


class TrainingDiverged(FloatingPointError):
    """Gradient descent blew up; `.parameters` and `.costs` hold the run up to the last good iteration."""

    def __init__(self, message, parameters, costs):
        super().__init__(message)
        self.parameters, self.costs = parameters, costs


def diverged(cost, first_cost):
    """True when a cost is NaN or inf, or has grown to more than 10 times the first one."""
    return not np.isfinite(cost) or cost > 10 * first_cost


def gradient_descent(X, Y, parameters, learning_rate, num_iterations, print_cost=False, dtype=np.float64,
                     where="gradient_descent"):
    """Train from `parameters` for `num_iterations` steps; returns (parameters, costs) as the lessons'
    models do: costs holds the cost at iteration 0, 100, 200, ..., and print_cost prints those and the last.

    A run that diverges stops with TrainingDiverged, naming the learning rate. Interrupting it (Ctrl-C, or
    the notebook's stop button) returns the parameters and costs reached so far instead of losing them.
    """
    run = GradientDescent(X, Y, parameters, learning_rate, dtype)
    costs = []
    first_cost = None
    good = run.state()  # the latest parameters whose cost was fine
    i = 0
    try:
        for i in range(num_iterations):
            before = run.state()
            cost = run.step()  # the cost of `before`
            first_cost = float(cost) if first_cost is None else first_cost
            if diverged(cost, first_cost):
                run.restore(good)
                raise TrainingDiverged(
                    f"{where}: the cost went from {first_cost:.4g} at iteration 0 to {float(cost):.4g} at "
                    f"iteration {i}: learning_rate={learning_rate} is too large for this network; try a smaller "
                    f"one, such as {learning_rate / 10:g}", run.parameters(), costs)
            if print_cost and (i % 100 == 0 or i == num_iterations - 1):
                print("Cost after iteration {}: {}".format(i, np.squeeze(cost)))
            if i % 100 == 0:
                costs.append(cost)
            good = before
    except KeyboardInterrupt:
        print(f"Interrupted at iteration {i}: returning the parameters and costs reached so far.")
    return run.parameters(), costs


# ----------------------------------------------------------------------------------------------------------
# The lessons' models, fast: same arguments, same start, same iterations, same results up to rounding

@checked(check.two_layer_model_args, finite=lambda result: list(result[0].values()))
def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """dnn_utils.two_layer_model (kept as `.lesson`), from the same initialize_parameters, through
    gradient_descent. Returns parameters {"W1", "b1", "W2", "b2"} and costs, the cost at iteration 0, 100, ..."""
    np.random.seed(1)
    parameters = dnn_utils.initialize_parameters(*layers_dims)
    return gradient_descent(X, Y, parameters, learning_rate, num_iterations, print_cost, where="two_layer_model")


@checked(check.L_layer_model_args, finite=lambda result: list(result[0].values()))
def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """dnn_utils.L_layer_model (kept as `.lesson`), from the same initialize_parameters_deep_scaled, through
    gradient_descent. Returns parameters {"W1", "b1", ..., "WL", "bL"} and costs (at iteration 0, 100, ...)."""
    np.random.seed(1)
    parameters = dnn_utils.initialize_parameters_deep_scaled(layers_dims)
    return gradient_descent(X, Y, parameters, learning_rate, num_iterations, print_cost, where="L_layer_model")


two_layer_model.lesson, L_layer_model.lesson = dnn_utils.two_layer_model, dnn_utils.L_layer_model
