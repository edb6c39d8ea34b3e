"""Argument checks for dnn_utils: bad input gets a message that says what was seen and what was expected.

The lesson's functions in dnn_utils.py stay as short as the formulas they implement; each one is wrapped by
`checked`, which runs a check on the arguments before the call and, after it, makes sure the results are
finite. Finiteness is checked on the (small) results rather than on the (possibly large) inputs, so the
check costs almost nothing per training iteration; only when a result is not finite are the inputs searched
for the NaN or inf that caused it.
"""
import contextlib
import functools
import inspect
import math
import numbers
import threading

import numpy as np

ACTIVATIONS = ("sigmoid", "relu")


_inside = threading.local()


def checked(check_arguments, finite=(), guard=None):
    """Decorate a lesson function.

    check_arguments -- called with the function's name and its arguments, in order, before the call;
                       raises on bad input.
    finite          -- indices of the results that must be finite arrays ("all" for every one, or a callable
                       that takes the result and returns the arrays to check).
    guard           -- a decorator for the edge cases of floating point that the lesson's formula leaves
                       out (quiet_overflow, clipped_probabilities below); it applies to every call, checked
                       or not, so the lesson's code stays the formula alone.
    Only the outermost checked call checks: the lesson functions it calls in turn get arguments it already
    checked, and its own results cover theirs.
    """
    def decorate(func):
        signature = inspect.signature(func)
        in_order = len(signature.parameters) if all(
            parameter.kind == parameter.POSITIONAL_OR_KEYWORD for parameter in signature.parameters.values()) else -1
        call = func if guard is None else guard(func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if getattr(_inside, "checked_call", False):  # called by a checked function: it checks for us
                return call(*args, **kwargs)
            if kwargs or len(args) != in_order:
                try:
                    bound = signature.bind(*args, **kwargs)
                except TypeError as error:
                    raise TypeError(f"{func.__name__}{signature}: {error}") from None
                bound.apply_defaults()
                arguments = bound.arguments
            else:  # every argument given in order: binding them would only name them
                arguments = dict(zip(signature.parameters, args))
            check_arguments(func.__name__, *arguments.values())
            with checks_done():
                result = call(*args, **kwargs)
            _check_results_finite(func.__name__, result, finite, arguments)
            return result

        return wrapper

    return decorate


def quiet_overflow(func):
    """Run func without numpy's overflow warning: in the sigmoid, exp(1000) overflows to inf, and
    1 / (1 + inf) = 0 is the right answer anyway."""
    @functools.wraps(func)
    def run(*args, **kwargs):
        with np.errstate(over="ignore"):
            return func(*args, **kwargs)

    return run


def clipped_probabilities(func):
    """Call func(AL, Y) with AL clipped to [eps, 1 - eps] (eps of AL's float type, about 2e-16): a sigmoid
    that has rounded to exactly 0 or 1 then costs log(eps), large but finite, instead of log(0) = -inf.
    Inside that range the values are untouched, so the cost is the lesson's formula to the last digit."""
    @functools.wraps(func)
    def run(AL, Y):
        AL = np.asarray(AL)
        eps = np.finfo(AL.dtype if AL.dtype.kind == "f" else float).eps
        return func(np.clip(AL, eps, 1 - eps), Y)

    return run


def reports_divergence(func):
    """For the lessons' training loops: run func without numpy's warnings about overflow and NaN and, when the
    run diverged (a kept cost NaN, inf or more than 10 times the first, or parameters no longer finite), stop
    with a FloatingPointError that says so as the fast engine does: the iteration, the rate, a rate to try."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def run(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            parameters, costs = func(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        rate = bound.arguments["learning_rate"]
        kept = [float(np.squeeze(cost)) for cost in costs]
        bad = next((k for k, cost in enumerate(kept) if not np.isfinite(cost) or cost > 10 * kept[0]), None)
        if bad is not None:
            reached = f"the cost went from {kept[0]:.4g} at iteration 0 to {kept[bad]:.4g} at iteration {100 * bad}"
        elif not all(np.isfinite(value).all() for value in parameters.values()):
            reached = (f"the parameters overflowed to inf/NaN after iteration {100 * (len(kept) - 1)} (cost "
                       f"{kept[-1]:.4g} there, {kept[0]:.4g} at iteration 0)" if kept else
                       "the parameters overflowed to inf/NaN")
        else:
            return parameters, costs
        raise FloatingPointError(f"{func.__name__}: {reached}: learning_rate={rate} is too large for this "
                                 f"network; try a smaller one, such as {rate / 10:g}")

    return run


@contextlib.contextmanager
def checks_done():
    """Within this block, checked functions skip their checks: the caller has checked what it passes on."""
    outer = getattr(_inside, "checked_call", False)
    _inside.checked_call = True
    try:
        yield
    finally:
        _inside.checked_call = outer


# ----------------------------------------------------------------------------------------------------------
# Small reusable checks.  `where` is the name of the public function, so every message starts with it.

def array(where, name, value, ndim=2, integers=False):
    """`value` must be a numpy array of floats (or of integers, where `integers`) with `ndim` dimensions."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{where}: {name} must be a numpy array, got {type(value).__name__}"
                        + (f" (convert it with np.array({name}))" if isinstance(value, (list, tuple)) else ""))
    kind = value.dtype.kind  # "f" floats, "i"/"u" integers, "b" booleans, "c" complex, ...
    if integers and kind in "iu":
        pass
    elif kind in "iu":
        raise TypeError(f"{where}: {name} has dtype {value.dtype}; expected floats"
                        + (" (scale pictures to [0, 1] with X / 255.)" if value.dtype == np.uint8 else
                           f" (convert with {name}.astype(float))"))
    elif kind != "f":
        raise TypeError(f"{where}: {name} has dtype {value.dtype}; expected "
                        + ("labels as integers or floats" if integers else "floats")
                        + (f" (convert with {name}.astype(int))" if value.dtype == bool and integers else ""))
    if ndim is not None and value.ndim != ndim:
        raise ValueError(f"{where}: {name} must be a {ndim}-D array, got shape {value.shape}"
                         + (" (reshape it, e.g. with .reshape(1, -1) for labels)" if value.ndim == 1 else ""))
    return value


def finite(where, name, value):
    """`value` must hold no NaN or inf."""
    bad = ~np.isfinite(value)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{where}: {name} contains {int(bad.sum())} NaN/inf value(s) (first at index {first}, "
                         f"value {value[first]}); expected only finite numbers")


def labels(where, name, Y):
    """`Y` must be a (1, m) array of 0s and 1s."""
    array(where, name, Y, integers=True)
    if Y.shape[0] != 1:
        raise ValueError(f"{where}: {name} must have shape (1, m), one label per column, got shape {Y.shape}")
    finite(where, name, Y)
    wrong = (Y != 0) & (Y != 1)
    if wrong.any():
        seen = np.unique(Y[wrong])[:5]
        raise ValueError(f"{where}: {name} must hold only 0 and 1 labels, got value(s) {seen.tolist()}")


def same_shape(where, name, value, other_name, other):
    if value.shape != other.shape:
        raise ValueError(f"{where}: {name} has shape {value.shape} but {other_name} has shape {other.shape}; "
                         f"expected them to be the same")


def activation(where, name):
    if name not in ACTIVATIONS:
        raise ValueError(f"{where}: activation must be one of {ACTIVATIONS}, got {name!r}")


def positive_number(where, name, value, integer=False):
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        expected = "a positive integer" if integer else "a positive number"
        raise TypeError(f"{where}: {name} must be {expected}, got {value!r} ({type(value).__name__})")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{where}: {name} must be positive, got {value!r}")


def linear(where, A_name, A, W_name, W, b_name, b):
    """Shapes of one linear step Z = W A + b: W (n, n_prev), A (n_prev, m), b (n, 1)."""
    array(where, A_name, A)
    array(where, W_name, W)
    array(where, b_name, b)
    if W.shape[1] != A.shape[0]:
        raise ValueError(f"{where}: {W_name} has shape {W.shape} and {A_name} has shape {A.shape}; "
                         f"expected {A_name} to have {W.shape[1]} rows ({W_name} is (n[l], n[l-1]) and "
                         f"{A_name} is (n[l-1], m))")
    if A.shape[1] == 0:
        raise ValueError(f"{where}: {A_name} has shape {A.shape}; expected at least one example (column)")
    if b.shape != (W.shape[0], 1):
        raise ValueError(f"{where}: {b_name} has shape {b.shape}; expected {(W.shape[0], 1)} "
                         f"(one bias per unit, as a column)")


def linear_cache(where, cache, name="cache"):
    if not (isinstance(cache, tuple) and len(cache) == 3):
        raise TypeError(f"{where}: {name} must be the tuple (A_prev, W, b) that linear_forward returned, "
                        f"got {_describe(cache)}")
    A_prev, W, b = cache
    linear(where, f"{name}[0] (A_prev)", A_prev, f"{name}[1] (W)", W, f"{name}[2] (b)", b)


def activation_cache(where, cache, name="cache"):
    if not (isinstance(cache, tuple) and len(cache) == 2):
        raise TypeError(f"{where}: {name} must be the tuple (linear_cache, activation_cache) that "
                        f"linear_activation_forward returned, got {_describe(cache)}")
    linear_cache(where, cache[0], f"{name}[0]")
    Z = array(where, f"{name}[1] (Z)", cache[1])
    n, m = cache[0][1].shape[0], cache[0][0].shape[1]
    if Z.shape != (n, m):
        raise ValueError(f"{where}: {name}[1] (Z) has shape {Z.shape}; expected {(n, m)} to match W and A_prev")


def parameter_dict(where, name, parameters, prefix=""):
    """A dict W1, b1, ..., WL, bL with chained shapes; returns L."""
    if not isinstance(parameters, dict):
        raise TypeError(f"{where}: {name} must be a dict with keys W1, b1, ..., WL, bL, got {_describe(parameters)}")
    L = len(parameters) // 2
    expected = {f"{prefix}{k}{l}" for l in range(1, L + 1) for k in "Wb"}
    if L == 0 or set(parameters) != expected:
        raise ValueError(f"{where}: {name} must have keys {prefix}W1, {prefix}b1, ..., {prefix}WL, {prefix}bL; "
                         f"got keys {sorted(parameters)}")
    for l in range(1, L + 1):
        W, b = parameters[f"{prefix}W{l}"], parameters[f"{prefix}b{l}"]
        array(where, f"{name}['{prefix}W{l}']", W)
        array(where, f"{name}['{prefix}b{l}']", b)
        if b.shape != (W.shape[0], 1):
            raise ValueError(f"{where}: {name}['{prefix}b{l}'] has shape {b.shape}; expected {(W.shape[0], 1)} "
                             f"to match {prefix}W{l} of shape {W.shape}")
        if l > 1 and W.shape[1] != parameters[f"{prefix}W{l - 1}"].shape[0]:
            raise ValueError(f"{where}: {name}['{prefix}W{l}'] has shape {W.shape}; expected {W.shape[1]} columns "
                             f"to equal the {parameters[f'{prefix}W{l - 1}'].shape[0]} rows of {prefix}W{l - 1}")
    return L


def layer_dims(where, name, dims, length=None):
    if not isinstance(dims, (list, tuple)):
        raise TypeError(f"{where}: {name} must be a list of layer sizes such as [12288, 20, 7, 5, 1], "
                        f"got {_describe(dims)}")
    if length is not None and len(dims) != length:
        raise ValueError(f"{where}: {name} must have exactly {length} entries (n_x, n_h, n_y), got {list(dims)}")
    if len(dims) < 2:
        raise ValueError(f"{where}: {name} must have at least two entries (input size and output size), "
                         f"got {list(dims)}")
    for i, n in enumerate(dims):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n <= 0:
            raise ValueError(f"{where}: {name}[{i}] must be a positive integer (a layer size), got {n!r} "
                             f"in {list(dims)}")


def data(where, X, Y, n_x):
    """X (n_x, m) finite, Y (1, m) labels: checked once at the start of training or prediction."""
    array(where, "X", X)
    labels(where, "Y", Y)
    if X.shape[1] != Y.shape[1]:
        raise ValueError(f"{where}: X has shape {X.shape} and Y has shape {Y.shape}; expected the same number "
                         f"of examples (columns) in both")
    if X.shape[0] != n_x:
        raise ValueError(f"{where}: X has shape {X.shape}; expected {n_x} rows (features) to match the input "
                         f"layer size {n_x}")
    finite(where, "X", X)


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"{type(value).__name__} {value!r}"[:80]


# ----------------------------------------------------------------------------------------------------------
# Finiteness of results, blaming the input that caused it.

def _check_results_finite(where, result, finite_spec, arguments):
    if not finite_spec:
        return
    if finite_spec == "all":
        outputs = result if isinstance(result, tuple) else (result,)
    elif callable(finite_spec):
        outputs = finite_spec(result)
    else:
        outputs = [result[i] for i in finite_spec]
    if all(math.isfinite(out.sum() if isinstance(out, np.ndarray) else np.sum(out)) for out in outputs):
        return
    if not all(np.isfinite(out).all() for out in outputs):
        for name, value in _named_arrays(arguments):
            finite(where, name, value)
        raise FloatingPointError(f"{where}: the inputs are finite but the result overflowed to inf/NaN; "
                                 f"the values are too large (is the learning rate too high?)")


def _named_arrays(value, name=None):
    if isinstance(value, np.ndarray):
        if np.issubdtype(value.dtype, np.floating):
            yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _named_arrays(item, key if name is None else f"{name}[{key!r}]")
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            yield from _named_arrays(item, f"{name}[{i}]")


# ----------------------------------------------------------------------------------------------------------
# The checks of each public function of dnn_utils, named after it.

def sigmoid_args(where, Z):
    array(where, "Z", Z, ndim=None)


relu_args = sigmoid_args


def activation_backward_args(where, dA, cache):
    array(where, "dA", dA, ndim=None)
    if isinstance(cache, (tuple, list)):
        raise TypeError(f"{where}: cache must be Z, the activation's cache (the second item of the cache "
                        f"linear_activation_forward returned), got a {type(cache).__name__} of {len(cache)} items")
    Z = array(where, "cache (Z)", cache, ndim=None)
    same_shape(where, "dA", dA, "cache (Z)", Z)


def initialize_parameters_args(where, n_x, n_h, n_y, seed=None):
    for name, n in (("n_x", n_x), ("n_h", n_h), ("n_y", n_y)):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n <= 0:
            raise ValueError(f"{where}: {name} must be a positive integer (a layer size), got {n!r}")


def initialize_parameters_deep_args(where, layer_dims_, seed=None):
    layer_dims(where, "layer_dims", layer_dims_)


def linear_forward_args(where, A, W, b):
    linear(where, "A", A, "W", W, "b", b)


def linear_activation_forward_args(where, A_prev, W, b, activation_):
    activation(where, activation_)
    linear(where, "A_prev", A_prev, "W", W, "b", b)


def L_model_forward_args(where, X, parameters):
    parameter_dict(where, "parameters", parameters)
    array(where, "X", X)
    if X.shape[0] != parameters["W1"].shape[1]:
        raise ValueError(f"{where}: X has shape {X.shape} and parameters['W1'] has shape "
                         f"{parameters['W1'].shape}; expected X to have {parameters['W1'].shape[1]} rows "
                         f"(one per input feature)")


def compute_cost_args(where, AL, Y):
    array(where, "AL", AL)
    labels(where, "Y", Y)
    same_shape(where, "AL", AL, "Y", Y)
    finite(where, "AL", AL)
    if (AL < 0).any() or (AL > 1).any():
        raise ValueError(f"{where}: AL must hold probabilities in [0, 1] (the sigmoid's output), got values "
                         f"from {AL.min()} to {AL.max()}")


def linear_backward_args(where, dZ, cache):
    array(where, "dZ", dZ)
    linear_cache(where, cache)
    A_prev, W, _ = cache
    expected = (W.shape[0], A_prev.shape[1])
    if dZ.shape != expected:
        raise ValueError(f"{where}: dZ has shape {dZ.shape}; expected {expected} (n[l], m) to match "
                         f"W {W.shape} and A_prev {A_prev.shape} in the cache")


def linear_activation_backward_args(where, dA, cache, activation_):
    activation(where, activation_)
    array(where, "dA", dA)
    activation_cache(where, cache)
    same_shape(where, "dA", dA, "cache[1] (Z)", cache[1])


def L_model_backward_args(where, AL, Y, caches):
    array(where, "AL", AL)
    labels(where, "Y", Y)
    same_shape(where, "AL", AL, "Y", Y)
    if not isinstance(caches, (list, tuple)) or len(caches) == 0:
        raise TypeError(f"{where}: caches must be the non-empty list that L_model_forward returned, "
                        f"got {_describe(caches)}")
    for l, cache in enumerate(caches):
        activation_cache(where, cache, f"caches[{l}]")
    if caches[-1][1].shape != AL.shape:
        raise ValueError(f"{where}: AL has shape {AL.shape} but the last cache's Z has shape "
                         f"{caches[-1][1].shape}; expected caches to come from the forward pass that gave AL")


def update_parameters_args(where, parameters, grads, learning_rate):
    L = parameter_dict(where, "parameters", parameters)
    positive_number(where, "learning_rate", learning_rate)
    if not isinstance(grads, dict):
        raise TypeError(f"{where}: grads must be the dict that L_model_backward returned, got {_describe(grads)}")
    for l in range(1, L + 1):
        for kind in "Wb":
            key = f"d{kind}{l}"
            if key not in grads:
                raise ValueError(f"{where}: grads has no key {key!r}; expected dW1, db1, ..., dW{L}, db{L} "
                                 f"to match parameters (got keys {sorted(grads)})")
            array(where, f"grads[{key!r}]", grads[key])
            same_shape(where, f"grads[{key!r}]", grads[key], f"parameters['{kind}{l}']", parameters[f"{kind}{l}"])


def two_layer_model_args(where, X, Y, layers_dims, learning_rate, num_iterations, print_cost):
    layer_dims(where, "layers_dims", layers_dims, length=3)
    L_layer_model_args(where, X, Y, layers_dims, learning_rate, num_iterations, print_cost)


def L_layer_model_args(where, X, Y, layers_dims, learning_rate, num_iterations, print_cost):
    layer_dims(where, "layers_dims", layers_dims)
    positive_number(where, "learning_rate", learning_rate)
    positive_number(where, "num_iterations", num_iterations, integer=True)
    data(where, X, Y, layers_dims[0])
    if layers_dims[-1] != 1:
        raise ValueError(f"{where}: layers_dims must end with 1 (one sigmoid output unit for a yes/no label), "
                         f"got {list(layers_dims)}")


def predict_args(where, X, y, parameters):
    L_model_forward_args(where, X, parameters)
    finite(where, "X", X)
    if y is not None:
        labels(where, "y", y)
        if y.shape[1] != X.shape[1]:
            raise ValueError(f"{where}: X has shape {X.shape} and y has shape {y.shape}; expected the same "
                             f"number of examples (columns) in both")


def gradient_descent_args(where, X, Y, parameters, learning_rate):
    L = parameter_dict(where, "parameters", parameters)
    positive_number(where, "learning_rate", learning_rate)
    data(where, X, Y, parameters["W1"].shape[1])
    if parameters[f"W{L}"].shape[0] != 1:
        raise ValueError(f"{where}: parameters['W{L}'] has shape {parameters[f'W{L}'].shape}; expected 1 row "
                         f"(one sigmoid output unit for a yes/no label)")
