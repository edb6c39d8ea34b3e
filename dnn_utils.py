"""A deep neural network, step by step, in numpy.

The building blocks of the course "Deep Neural Network, step by step" and its application, with the
course's names, arguments and return values, so that code written against the course runs unchanged:

    X, A[l], Z[l]   arrays of shape (n[l], m): one column per example
    parameters      {"W1": (n[1], n[0]), "b1": (n[1], 1), ..., "WL", "bL"}
    caches          one per layer: ((A_prev, W, b), Z)
    grads           {"dA0", "dW1", "db1", ..., "dA{L-1}", "dWL", "dbL"}

Each function is one formula of the notebooks in notebooks/. Bad input raises an error that says what was
seen and what was expected (see companion/arguments.py); the formulas themselves are written as the course
writes them, so the course's published numbers come out the same. two_layer_model and L_layer_model are the
lessons' loops as taught; companion/solutions/engine.py runs the same iterations faster, for the live trainer
and for whoever trains many networks.
"""
import os
from pathlib import Path

import numpy as np

import companion.arguments as check
from companion.arguments import checked

PROJECT_DIR = Path(__file__).resolve().parent
DATASETS_DIR = PROJECT_DIR / "datasets"
COURSE_DATA_ENV = "DNN_COURSE_DATA"


# ----------------------------------------------------------------------------------------------------------
# Activations and their derivatives

@checked(check.sigmoid_args, finite=(0,), guard=check.quiet_overflow)
def sigmoid(Z):
    """Sigmoid activation A = 1 / (1 + exp(-Z)).

    Z -- array of any shape
    Returns A (same shape as Z) and cache (Z, kept for the backward pass).
    """
    A = 1 / (1 + np.exp(-Z))
    cache = Z
    return A, cache


@checked(check.relu_args, finite=(0,))
def relu(Z):
    """ReLU activation A = max(0, Z).

    Z -- array of any shape
    Returns A (same shape as Z) and cache (Z, kept for the backward pass).
    """
    A = np.maximum(0, Z)
    cache = Z
    return A, cache


@checked(check.activation_backward_args, finite="all")
def relu_backward(dA, cache):
    """dZ = dA * g'(Z) for ReLU: the gradient passes where Z > 0 and is 0 elsewhere.

    dA    -- gradient of the loss with respect to A, column i for example i, any shape
    cache -- Z, same shape as dA
    Returns dZ, same shape as dA.
    """
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    return dZ


@checked(check.activation_backward_args, finite="all", guard=check.quiet_overflow)
def sigmoid_backward(dA, cache):
    """dZ = dA * g'(Z) for the sigmoid, where g'(Z) = s (1 - s) with s = sigmoid(Z).

    dA    -- gradient of the loss with respect to A, column i for example i, any shape
    cache -- Z, same shape as dA
    Returns dZ, same shape as dA.
    """
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    return dZ


# ----------------------------------------------------------------------------------------------------------
# Initialization

@checked(check.initialize_parameters_args)
def initialize_parameters(n_x, n_h, n_y, seed=1):
    """Parameters of a two-layer network, W small random (randn * 0.01), b zeros.

    n_x, n_h, n_y -- sizes of the input, hidden and output layers
    Returns {"W1": (n_h, n_x), "b1": (n_h, 1), "W2": (n_y, n_h), "b2": (n_y, 1)}.
    """
    np.random.seed(seed)
    W1 = np.random.randn(n_h, n_x) * 0.01
    b1 = np.zeros((n_h, 1))
    W2 = np.random.randn(n_y, n_h) * 0.01
    b2 = np.zeros((n_y, 1))
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    return parameters


@checked(check.initialize_parameters_deep_args)
def initialize_parameters_deep(layer_dims, seed=3):
    """Parameters of an L-layer network, W[l] = randn(n[l], n[l-1]) * 0.01, b[l] zeros (the step-by-step lesson).

    layer_dims -- [n[0], n[1], ..., n[L]], the size of each layer, input first
    Returns {"W1": (n[1], n[0]), "b1": (n[1], 1), ..., "WL": (n[L], n[L-1]), "bL": (n[L], 1)}.
    """
    np.random.seed(seed)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


@checked(check.initialize_parameters_deep_args)
def initialize_parameters_deep_scaled(layer_dims, seed=1):
    """Parameters of an L-layer network, W[l] = randn(n[l], n[l-1]) / sqrt(n[l-1]), b[l] zeros.

    The initialization the course's application uses inside L_layer_model: dividing by sqrt(n[l-1]) keeps
    the variance of Z[l] about the same in every layer, where a fixed 0.01 shrinks the signal layer after
    layer until a deep network barely learns.

    layer_dims -- [n[0], n[1], ..., n[L]], the size of each layer, input first
    Returns {"W1": (n[1], n[0]), "b1": (n[1], 1), ..., "WL": (n[L], n[L-1]), "bL": (n[L], 1)}.
    """
    np.random.seed(seed)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1]) / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


# ----------------------------------------------------------------------------------------------------------
# Forward propagation

@checked(check.linear_forward_args, finite=(0,))
def linear_forward(A, W, b):
    """The linear part of a layer: Z = W A + b (b is broadcast over the m columns).

    A -- activations of the previous layer, (n[l-1], m)
    W -- weights, (n[l], n[l-1])
    b -- biases, (n[l], 1)
    Returns Z, (n[l], m), and cache (A, W, b) for the backward pass.
    """
    Z = W.dot(A) + b
    cache = (A, W, b)
    return Z, cache


@checked(check.linear_activation_forward_args, finite=(0,))
def linear_activation_forward(A_prev, W, b, activation):
    """One layer: A = g(W A_prev + b) with g the sigmoid or ReLU.

    A_prev     -- activations of the previous layer, (n[l-1], m)
    W, b       -- (n[l], n[l-1]) and (n[l], 1)
    activation -- "sigmoid" or "relu"
    Returns A, (n[l], m), and cache (linear_cache, activation_cache) = ((A_prev, W, b), Z).
    """
    if activation == "sigmoid":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = sigmoid(Z)
    elif activation == "relu":
        Z, linear_cache = linear_forward(A_prev, W, b)
        A, activation_cache = relu(Z)
    cache = (linear_cache, activation_cache)
    return A, cache


@checked(check.L_model_forward_args, finite=(0,))
def L_model_forward(X, parameters):
    """Forward pass: [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID.

    X          -- input data, (n[0], m)
    parameters -- {"W1", "b1", ..., "WL", "bL"}
    Returns AL, the output probabilities (1, m), and caches, the L caches of linear_activation_forward.
    """
    caches = []
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A_prev = A
        A, cache = linear_activation_forward(A_prev, parameters["W" + str(l)], parameters["b" + str(l)], "relu")
        caches.append(cache)
    AL, cache = linear_activation_forward(A, parameters["W" + str(L)], parameters["b" + str(L)], "sigmoid")
    caches.append(cache)
    return AL, caches


# ----------------------------------------------------------------------------------------------------------
# Cost

@checked(check.compute_cost_args, finite="all", guard=check.clipped_probabilities)
def compute_cost(AL, Y):
    """Cross-entropy cost J = -(1/m) sum_i [ y(i) log a(i) + (1 - y(i)) log(1 - a(i)) ].

    AL -- predicted probabilities, (1, m)
    Y  -- true labels 0 or 1, (1, m)
    Returns the cost as a 0-d array.
    """
    m = Y.shape[1]
    cost = (1. / m) * (-np.dot(Y, np.log(AL).T) - np.dot(1 - Y, np.log(1 - AL).T))
    cost = np.squeeze(cost)
    return cost


# ----------------------------------------------------------------------------------------------------------
# Backward propagation

@checked(check.linear_backward_args, finite=(1, 2))  # db finite means dZ is: dA_prev = W^T dZ then is too
def linear_backward(dZ, cache):
    """The linear part of a layer's backward pass.

    dW[l] = (1/m) dZ[l] A[l-1]^T,  db[l] = (1/m) sum over examples of dZ[l],  dA[l-1] = W[l]^T dZ[l]

    dZ    -- gradient of the loss with respect to Z[l], column i for example i, (n[l], m)
    cache -- (A_prev, W, b) from linear_forward
    Returns dA_prev (n[l-1], m), dW (n[l], n[l-1]), db (n[l], 1).
    """
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1. / m * np.dot(dZ, A_prev.T)
    db = 1. / m * np.sum(dZ, axis=1, keepdims=True)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


@checked(check.linear_activation_backward_args, finite=(1, 2))
def linear_activation_backward(dA, cache, activation):
    """One layer's backward pass: dZ[l] = dA[l] * g'(Z[l]), then linear_backward.

    dA         -- gradient of the loss with respect to A[l], column i for example i, (n[l], m)
    cache      -- ((A_prev, W, b), Z) from linear_activation_forward
    activation -- "sigmoid" or "relu", as in the forward pass
    Returns dA_prev (n[l-1], m), dW (n[l], n[l-1]), db (n[l], 1).
    """
    linear_cache, activation_cache = cache
    if activation == "relu":
        dZ = relu_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    elif activation == "sigmoid":
        dZ = sigmoid_backward(dA, activation_cache)
        dA_prev, dW, db = linear_backward(dZ, linear_cache)
    return dA_prev, dW, db


@checked(check.L_model_backward_args, finite=lambda grads: [g for key, g in grads.items() if key != "dA0"])
def L_model_backward(AL, Y, caches):
    """Backward pass of [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID, starting from
    dAL = -(Y / AL - (1 - Y) / (1 - AL)), whose column i is the derivative of example i's loss with respect to
    a[L](i) (the 1/m of the cost is taken in dW and db).

    AL     -- output of L_model_forward, (1, m)
    Y      -- true labels 0 or 1, (1, m)
    caches -- the caches of L_model_forward
    Returns grads {"dA0", "dW1", "db1", ..., "dA{L-1}", "dWL", "dbL"}.
    """
    grads = {}
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dAL = - (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    current_cache = caches[L - 1]
    dA_prev_temp, dW_temp, db_temp = linear_activation_backward(dAL, current_cache, "sigmoid")
    grads["dA" + str(L - 1)] = dA_prev_temp
    grads["dW" + str(L)] = dW_temp
    grads["db" + str(L)] = db_temp
    for l in reversed(range(L - 1)):
        current_cache = caches[l]
        dA_prev_temp, dW_temp, db_temp = linear_activation_backward(grads["dA" + str(l + 1)], current_cache, "relu")
        grads["dA" + str(l)] = dA_prev_temp
        grads["dW" + str(l + 1)] = dW_temp
        grads["db" + str(l + 1)] = db_temp
    return grads


# ----------------------------------------------------------------------------------------------------------
# Gradient descent

@checked(check.update_parameters_args, finite=lambda parameters: list(parameters.values()))
def update_parameters(parameters, grads, learning_rate):
    """One step of gradient descent: W[l] = W[l] - alpha dW[l],  b[l] = b[l] - alpha db[l].

    parameters    -- {"W1", "b1", ..., "WL", "bL"}; left unchanged
    grads         -- {"dW1", "db1", ..., "dWL", "dbL"} from L_model_backward
    learning_rate -- alpha
    Returns a new dict with the updated parameters.
    """
    parameters = parameters.copy()
    L = len(parameters) // 2
    for l in range(L):
        parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate * grads["dW" + str(l + 1)]
        parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - learning_rate * grads["db" + str(l + 1)]
    return parameters


# ----------------------------------------------------------------------------------------------------------
# The models

@checked(check.two_layer_model_args, finite=lambda result: list(result[0].values()),
         guard=check.reports_divergence)
def two_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """Train LINEAR -> RELU -> LINEAR -> SIGMOID by gradient descent.

    X             -- input data, (n_x, m)
    Y             -- labels 0 or 1, (1, m)
    layers_dims   -- (n_x, n_h, n_y)
    print_cost    -- print the cost every 100 iterations and at the last one
    Returns parameters {"W1", "b1", "W2", "b2"} and costs, the cost at iteration 0, 100, 200, ...
    """
    np.random.seed(1)
    grads = {}
    costs = []
    (n_x, n_h, n_y) = layers_dims
    parameters = initialize_parameters(n_x, n_h, n_y)
    for i in range(0, num_iterations):
        W1, b1, W2, b2 = parameters["W1"], parameters["b1"], parameters["W2"], parameters["b2"]
        A1, cache1 = linear_activation_forward(X, W1, b1, "relu")
        A2, cache2 = linear_activation_forward(A1, W2, b2, "sigmoid")
        cost = compute_cost(A2, Y)
        dA2 = - (np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))
        dA1, dW2, db2 = linear_activation_backward(dA2, cache2, "sigmoid")
        dA0, dW1, db1 = linear_activation_backward(dA1, cache1, "relu")
        grads["dW1"], grads["db1"], grads["dW2"], grads["db2"] = dW1, db1, dW2, db2
        parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost and (i % 100 == 0 or i == num_iterations - 1):
            print("Cost after iteration {}: {}".format(i, np.squeeze(cost)))
        if i % 100 == 0:
            costs.append(cost)
    return parameters, costs


@checked(check.L_layer_model_args, finite=lambda result: list(result[0].values()),
         guard=check.reports_divergence)
def L_layer_model(X, Y, layers_dims, learning_rate=0.0075, num_iterations=3000, print_cost=False):
    """Train [LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID by gradient descent.

    X             -- input data, (n_x, m)
    Y             -- labels 0 or 1, (1, m)
    layers_dims   -- [n[0], n[1], ..., n[L]], input size first
    print_cost    -- print the cost every 100 iterations and at the last one
    Returns parameters {"W1", "b1", ..., "WL", "bL"} and costs, the cost at iteration 0, 100, 200, ...
    The weights start from initialize_parameters_deep_scaled (randn / sqrt(n[l-1]), seed 1), as in the course.
    """
    np.random.seed(1)
    costs = []
    parameters = initialize_parameters_deep_scaled(layers_dims)
    for i in range(0, num_iterations):
        AL, caches = L_model_forward(X, parameters)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        parameters = update_parameters(parameters, grads, learning_rate)
        if print_cost and (i % 100 == 0 or i == num_iterations - 1):
            print("Cost after iteration {}: {}".format(i, np.squeeze(cost)))
        if i % 100 == 0:
            costs.append(cost)
    return parameters, costs


@checked(check.predict_args)
def predict(X, y, parameters):
    """Predict labels with a trained network: 1 where AL > 0.5, else 0.

    X          -- data, (n[0], m)
    y          -- true labels (1, m), or None; when given, the accuracy is printed
    parameters -- trained {"W1", "b1", ..., "WL", "bL"}
    Returns p, the predictions (1, m) as 0.0 / 1.0.
    """
    probas, caches = L_model_forward(X, parameters)
    p = (probas > 0.5).astype(float)
    if y is not None:
        print("Accuracy: " + str(np.mean(p == y)))
    return p


def accuracy(p, y):
    """Fraction of predictions p (1, m) equal to the labels y (1, m)."""
    return float(np.mean(p == y))


# ----------------------------------------------------------------------------------------------------------
# Data

class LoadedData(tuple):
    """(train_x_orig, train_y, test_x_orig, test_y, classes), plus .source telling where it came from."""

    def __new__(cls, arrays, source):
        loaded = super().__new__(cls, arrays)
        loaded.source = source
        return loaded


def load_data(path=None):
    """Load a cat / non-cat data set, the course's if it can be found, else the one shipped in datasets/.

    path -- folder holding the course's train_catvnoncat.h5 and test_catvnoncat.h5. When None, the folder in
            the environment variable DNN_COURSE_DATA is used if set, then datasets/ if a user dropped the
            course's files there, and otherwise the project's own drawn data set.
    Returns train_x_orig (m_train, 64, 64, 3) uint8, train_y (1, m_train), test_x_orig (m_test, 64, 64, 3),
    test_y (1, m_test), classes [b'non-cat', b'cat']; `.source` of the result says which data it is.
    """
    if path is None and os.environ.get(COURSE_DATA_ENV):
        path = os.environ[COURSE_DATA_ENV]
    if path is None and (DATASETS_DIR / "train_catvnoncat.h5").exists():
        path = DATASETS_DIR
    if path is None:
        train, test = DATASETS_DIR / "train_drawncat.h5", DATASETS_DIR / "test_drawncat.h5"
        source = "the project's drawn cat / non-cat data set (datasets/*_drawncat.h5)"
    else:
        path = Path(path).expanduser()
        if not path.is_dir():
            raise FileNotFoundError(f"load_data: path {str(path)!r} is not a folder; expected the folder that "
                                    f"holds the course's train_catvnoncat.h5 and test_catvnoncat.h5")
        train, test = path / "train_catvnoncat.h5", path / "test_catvnoncat.h5"
        source = f"the course's cat / non-cat files ({path.resolve()})"
    train_x, train_y, classes = _read_h5(train, "train")
    test_x, test_y, _ = _read_h5(test, "test")
    print(f"Loaded {source}: {train_x.shape[0]} training and {test_x.shape[0]} test images")
    return LoadedData((train_x, train_y.reshape((1, -1)), test_x, test_y.reshape((1, -1)), classes), source)


HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
GET_FILES_HINT = ("get the real file (the course's week-4 assignment data, or run `git lfs pull` if it came "
                  "from a Git LFS repository) and point load_data at its folder, or call load_data() with no "
                  "path to use the project's own data set")


def _read_h5(file, split):
    """The arrays {split}_set_x, {split}_set_y and list_classes of one HDF5 file, with clear errors."""
    import h5py

    file = Path(file)
    if not file.is_file():
        raise FileNotFoundError(f"load_data: {file} does not exist; {GET_FILES_HINT}")
    with open(file, "rb") as handle:
        head = handle.read(200)
    if head.startswith(b"version https://git-lfs"):
        raise ValueError(f"load_data: {file} is a Git LFS pointer ({file.stat().st_size} bytes), not the data; "
                         f"{GET_FILES_HINT}")
    if not head.startswith(HDF5_SIGNATURE):
        raise ValueError(f"load_data: {file} is not an HDF5 file (it starts with {head[:16]!r}); {GET_FILES_HINT}")
    keys = (f"{split}_set_x", f"{split}_set_y", "list_classes")
    try:
        with h5py.File(file, "r") as h5:
            missing = [key for key in keys if key not in h5]
            if missing:
                raise KeyError(f"load_data: {file} has no {missing} (it holds {sorted(h5.keys())}); expected "
                               f"{list(keys)} as in the course's files")
            x, y, classes = (np.array(h5[key][:]) for key in keys)
    except OSError as error:
        raise ValueError(f"load_data: {file} could not be read ({error}); it is probably truncated or "
                         f"damaged (size {file.stat().st_size} bytes); {GET_FILES_HINT}") from None
    if x.ndim != 4 or x.shape[0] != y.shape[0]:
        raise ValueError(f"load_data: {file} holds {split}_set_x of shape {x.shape} and {split}_set_y of shape "
                         f"{y.shape}; expected (m, height, width, 3) images and m labels")
    return x, y, classes


# ----------------------------------------------------------------------------------------------------------
# Saving a trained model

def save_parameters(path, parameters):
    """Write parameters {"W1", "b1", ..., "WL", "bL"} to an .npz file, atomically: the file is written
    under a temporary name and renamed, so an interrupted save never leaves a broken file behind."""
    check.parameter_dict("save_parameters", "parameters", parameters)
    path = Path(path)
    temporary = path.with_name(path.name + ".partial")
    with open(temporary, "wb") as handle:
        np.savez(handle, **parameters)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def load_parameters(path):
    """Read parameters saved by save_parameters, checking their keys and shapes."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"load_parameters: {path} does not exist; save a model with "
                                f"save_parameters(path, parameters) first")
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head != b"PK\x03\x04":
        raise ValueError(f"load_parameters: {path} is not an .npz file written by save_parameters "
                         f"(it starts with {head!r})")
    try:
        with np.load(path, allow_pickle=False) as saved:
            parameters = {key: saved[key] for key in saved.files}
    except (OSError, ValueError) as error:
        raise ValueError(f"load_parameters: {path} is not a file written by save_parameters ({error})") from None
    check.parameter_dict("load_parameters", f"the parameters in {path}", parameters)
    return parameters
