"""The gradient checker: a backward pass compared with centred finite differences of the cost, in both editions."""
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Centred finite differences of the scalar function f() with respect to every entry of the array x
    (changed in place and restored): (f(x + h) - f(x - h)) / 2h."""
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(*x.shape):
        old = x[index]
        x[index] = old + h
        plus = f()
        x[index] = old - h
        minus = f()
        x[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad


def relative_error(a, b):
    """|a - b| / (|a| + |b|) over all entries (0 when both are 0)."""
    denominator = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)


def gradient_check(X, Y, parameters, forward=None, backward=None, cost=None, h=1e-7):
    """Compare the backward pass with centred finite differences of the cost, for every W[l] and b[l].

    forward, backward, cost default to dnn_utils' L_model_forward, L_model_backward, compute_cost (in the
    student edition: your own). Returns {"dW1": relative error, "db1": ..., ...}.
    """
    import dnn_utils
    forward = forward or dnn_utils.L_model_forward
    backward = backward or dnn_utils.L_model_backward
    cost = cost or dnn_utils.compute_cost
    AL, caches = forward(X, parameters)
    grads = backward(AL, Y, caches)
    parameters = {key: value.astype(float).copy() for key, value in parameters.items()}
    errors = {}
    for key, value in parameters.items():
        numeric = numerical_gradient(lambda: float(cost(forward(X, parameters)[0], Y)), value, h)
        errors["d" + key] = relative_error(grads["d" + key], numeric)
    return errors
