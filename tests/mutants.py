"""Learner-style mistakes and correct rewrites of the graded functions, as edits of the lessons' code.

Each mutant takes the code of one graded function as the lessons write it (dnn_utils.py, decorators left
out) and makes one mistake in it, the way a learner would type it, expecting the diagnosis `id` of
testCases.MISTAKES. Each variant rewrites the code differently but correctly, and must pass. The edits are
plain text replacements, so the same code can be run here or pasted into a notebook's exercise cell.
"""
import ast
import collections
import linecache
from pathlib import Path

import numpy as np

import dnn_utils

LIBRARY = Path(dnn_utils.__file__)

Mutant = collections.namedtuple("Mutant", "name id edits")
Variant = collections.namedtuple("Variant", "name label edits")

# One W and one b line of initialize_parameters_deep(_scaled), shared by several edits.
DEEP_W = "np.random.randn(layer_dims[l], layer_dims[l - 1])"
DEEP_W_TRANSPOSED = "np.random.randn(layer_dims[l - 1], layer_dims[l])"
DEEP_B = "np.zeros((layer_dims[l], 1))"
COST = "(1. / m) * (-np.dot(Y, np.log(AL).T) - np.dot(1 - Y, np.log(1 - AL).T))"
UPDATE_W = 'parameters["W" + str(l + 1)] = parameters["W" + str(l + 1)] - learning_rate'
SWAP_IF = [('if activation == "sigmoid":', 'if activation == "@":'), ('elif activation == "relu":',
           'elif activation == "sigmoid":'), ('if activation == "@":', 'if activation == "relu":')]
SWAP_ELIF = [('if activation == "relu":', 'if activation == "@":'), ('elif activation == "sigmoid":',
             'elif activation == "relu":'), ('if activation == "@":', 'if activation == "sigmoid":')]


def models(id, edits):
    """The same mistake in both training loops."""
    return [Mutant("two_layer_model", id, edits), Mutant("L_layer_model", id, edits)]


MUTANTS = [
    Mutant("sigmoid", "sign_flipped", [("np.exp(-Z)", "np.exp(Z)")]),
    Mutant("sigmoid", "precedence", [("1 / (1 + np.exp(-Z))", "1 / 1 + np.exp(-Z)")]),
    Mutant("sigmoid", "cache_is_A", [("cache = Z", "cache = A")]),
    Mutant("relu", "np_max", [("np.maximum(0, Z)", "np.max(0, Z)")]),
    Mutant("relu", "np_max", [("np.maximum(0, Z)", "max(0, Z)")]),
    Mutant("relu", "minimum", [("np.maximum(0, Z)", "np.minimum(0, Z)")]),
    Mutant("relu", "returns_mask", [("np.maximum(0, Z)", "Z > 0")]),
    Mutant("relu", "cache_is_A", [("cache = Z", "cache = A")]),
    Mutant("relu_backward", "mask_inverted", [("dZ[Z <= 0] = 0", "dZ[Z > 0] = 0")]),
    Mutant("relu_backward", "unmasked", [("dZ[Z <= 0] = 0", "")]),
    Mutant("relu_backward", "mask_of_dA", [("dZ[Z <= 0]", "dZ[dA <= 0]")]),
    Mutant("relu_backward", "returns_mask", [("np.array(dA, copy=True)", "np.where(Z > 0, 1, 0)"),
                                             ("dZ[Z <= 0] = 0", "")]),
    Mutant("relu_backward", "aliasing", [("np.array(dA, copy=True)", "dA")]),
    Mutant("sigmoid_backward", "dA_left_out", [("dZ = dA * s", "dZ = s")]),
    Mutant("sigmoid_backward", "one_minus_s_left_out", [("dZ = dA * s * (1 - s)", "dZ = dA * s")]),
    Mutant("sigmoid_backward", "slope_of_Z", [("s = 1 / (1 + np.exp(-Z))", "s = Z")]),
    Mutant("initialize_parameters", "no_scale", [(" * 0.01", "")]),
    Mutant("initialize_parameters", "W_transposed", [("randn(n_h, n_x)", "randn(n_x, n_h)"),
                                                     ("randn(n_y, n_h)", "randn(n_h, n_y)")]),
    Mutant("initialize_parameters", "W_zeros", [("np.random.randn(n_h, n_x) * 0.01", "np.zeros((n_h, n_x))"),
                                                ("np.random.randn(n_y, n_h) * 0.01", "np.zeros((n_y, n_h))")]),
    Mutant("initialize_parameters", "b_not_zeros", [("np.zeros((n_h, 1))", "np.random.randn(n_h, 1) * 0.01"),
                                                    ("np.zeros((n_y, 1))", "np.random.randn(n_y, 1) * 0.01")]),
    Mutant("initialize_parameters", "b_wrong_shape", [("np.zeros((n_h, 1))", "np.zeros(n_h)"),
                                                      ("np.zeros((n_y, 1))", "np.zeros(n_y)")]),
    Mutant("initialize_parameters_deep", "no_scale", [(" * 0.01", "")]),
    Mutant("initialize_parameters_deep", "W_transposed", [(DEEP_W, DEEP_W_TRANSPOSED)]),
    Mutant("initialize_parameters_deep", "b_not_zeros", [(DEEP_B, "np.ones((layer_dims[l], 1))")]),
    Mutant("initialize_parameters_deep", "b_wrong_shape", [(DEEP_B, "np.zeros((1, layer_dims[l]))")]),
    Mutant("initialize_parameters_deep", "loop_off_by_one", [("range(1, L)", "range(1, L - 1)")]),
    Mutant("initialize_parameters_deep", "loop_off_by_one", [("range(1, L)", "range(L)")]),
    Mutant("initialize_parameters_deep_scaled", "scale_0_01", [("/ np.sqrt(layer_dims[l - 1])", "* 0.01")]),
    Mutant("initialize_parameters_deep_scaled", "sqrt_of_n_l", [("np.sqrt(layer_dims[l - 1])",
                                                                 "np.sqrt(layer_dims[l])")]),
    Mutant("initialize_parameters_deep_scaled", "no_sqrt", [("np.sqrt(layer_dims[l - 1])", "layer_dims[l - 1]")]),
    Mutant("initialize_parameters_deep_scaled", "W_transposed", [(DEEP_W, DEEP_W_TRANSPOSED)]),
    Mutant("initialize_parameters_deep_scaled", "b_not_zeros", [(DEEP_B, "np.random.randn(layer_dims[l], 1)")]),
    Mutant("linear_forward", "product_order", [("W.dot(A)", "np.dot(A, W)")]),
    Mutant("linear_forward", "product_order", [("W.dot(A)", "A.T @ W.T")]),
    Mutant("linear_forward", "elementwise", [("W.dot(A)", "W * A")]),
    Mutant("linear_forward", "b_left_out", [("W.dot(A) + b", "W.dot(A)")]),
    Mutant("linear_forward", "b_broadcast", [("W.dot(A) + b", "np.dot(W, A) + b.T")]),
    Mutant("linear_forward", "b_broadcast", [("W.dot(A) + b", "np.dot(W, A) + b[0]")]),
    Mutant("linear_forward", "b_broadcast", [("W.dot(A) + b", "W.dot(A) + b.reshape(-1)")]),
    Mutant("linear_forward", "elementwise", [("W.dot(A)", "np.multiply(A, W)")]),
    Mutant("linear_forward", "cache_order", [("cache = (A, W, b)", "cache = (W, A, b)")]),
    Mutant("linear_activation_forward", "activations_swapped", SWAP_IF),
    Mutant("linear_activation_forward", "activation_ignored", [("relu(Z)", "sigmoid(Z)")]),
    Mutant("linear_activation_forward", "returns_Z", [("return A, cache", "return Z, cache")]),
    Mutant("linear_activation_forward", "cache_order", [("(linear_cache, activation_cache)",
                                                         "(activation_cache, linear_cache)")]),
    Mutant("L_model_forward", "output_relu", [('str(L)], "sigmoid")', 'str(L)], "relu")')]),
    Mutant("L_model_forward", "hidden_sigmoid", [('str(l)], "relu")', 'str(l)], "sigmoid")')]),
    Mutant("L_model_forward", "L_not_halved", [("len(parameters) // 2", "len(parameters)")]),
    Mutant("L_model_forward", "last_cache_missing", [("caches.append(cache)\n    return AL", "return AL")]),
    Mutant("L_model_forward", "hidden_caches_missing", [('"relu")\n        caches.append(cache)', '"relu")')]),
    Mutant("L_model_forward", "hard_coded_layers", [("L = len(parameters) // 2", "L = 3")]),
    Mutant("L_model_forward", "X_to_every_layer", [("linear_activation_forward(A_prev,",
                                                    "linear_activation_forward(X,")]),
    Mutant("L_model_forward", "loop_off_by_one", [("range(1, L)", "range(1, L - 1)")]),
    Mutant("L_model_forward", "loop_off_by_one", [("range(1, L)", "range(L)")]),
    Mutant("compute_cost", "no_minus", [("(-np.dot(Y, np.log(AL).T) - np.dot(",
                                         "(np.dot(Y, np.log(AL).T) + np.dot(")]),
    Mutant("compute_cost", "no_1_over_m", [("(1. / m) * ", "")]),
    Mutant("compute_cost", "only_y_log_a", [(" - np.dot(1 - Y, np.log(1 - AL).T)", "")]),
    Mutant("compute_cost", "not_squeezed", [("cost = np.squeeze(cost)", "")]),
    Mutant("compute_cost", "dot_shapes", [("np.log(AL).T", "np.log(AL)"), ("np.log(1 - AL).T", "np.log(1 - AL)")]),
    Mutant("linear_backward", "dW_no_1_over_m", [("dW = 1. / m * ", "dW = ")]),
    Mutant("linear_backward", "db_sum", [(", axis=1, keepdims=True", "")]),
    Mutant("linear_backward", "db_sum", [(", keepdims=True", "")]),
    Mutant("linear_backward", "db_no_1_over_m", [("db = 1. / m * ", "db = ")]),
    Mutant("linear_backward", "dW_transposed", [("np.dot(dZ, A_prev.T)", "np.dot(A_prev, dZ.T)")]),
    Mutant("linear_backward", "dA_prev_transposed", [("np.dot(W.T, dZ)", "np.dot(dZ.T, W)")]),
    Mutant("linear_backward", "dA_prev_1_over_m", [("dA_prev = np.dot(W.T, dZ)", "dA_prev = 1. / m * np.dot(W.T, dZ)")]),
    Mutant("linear_activation_backward", "whole_cache", [("sigmoid_backward(dA, activation_cache)",
                                                           "sigmoid_backward(dA, cache)")]),
    Mutant("linear_activation_backward", "activations_swapped", SWAP_ELIF),
    Mutant("linear_activation_backward", "activation_ignored", [("sigmoid_backward(dA", "relu_backward(dA")]),
    Mutant("linear_activation_backward", "dZ_skipped", [("linear_backward(dZ, linear_cache)",
                                                         "linear_backward(dA, linear_cache)")]),
    Mutant("linear_activation_backward", "caches_swapped", [("linear_cache, activation_cache = cache",
                                                             "activation_cache, linear_cache = cache")]),
    Mutant("L_model_backward", "dAL_sign", [("dAL = - (", "dAL = (")]),
    Mutant("L_model_backward", "dAL_is_dZ", [("- (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))", "AL - Y")]),
    Mutant("L_model_backward", "hidden_sigmoid", [('current_cache, "relu")', 'current_cache, "sigmoid")')]),
    Mutant("L_model_backward", "output_relu", [('current_cache, "sigmoid")', 'current_cache, "relu")')]),
    Mutant("L_model_backward", "hard_coded_layers", [("L = len(caches)", "L = 2")]),
    Mutant("L_model_backward", "layer_index_off_by_one", [('grads["dW" + str(l + 1)]', 'grads["dW" + str(l)]'),
                                                          ('grads["db" + str(l + 1)]', 'grads["db" + str(l)]')]),
    Mutant("L_model_backward", "loop_index", [("reversed(range(L - 1))", "reversed(range(L))")]),
    Mutant("L_model_backward", "loop_index", [("reversed(range(L - 1))", "reversed(range(1, L - 1))")]),
    Mutant("L_model_backward", "loop_index", [('grads["dA" + str(l + 1)], current_cache',
                                               'grads["dA" + str(l)], current_cache')]),
    Mutant("update_parameters", "in_place", [("    parameters = parameters.copy()\n", "")]),
    Mutant("update_parameters", "in_place", [(UPDATE_W, 'parameters["W" + str(l + 1)] -= learning_rate')]),
    Mutant("update_parameters", "plus", [("] - learning_rate", "] + learning_rate")]),
    Mutant("update_parameters", "no_learning_rate", [("learning_rate * ", "")]),
    Mutant("update_parameters", "b_not_updated", [('parameters["b" + str(l + 1)] = parameters["b" + str(l + 1)] - '
                                                   'learning_rate * grads["db" + str(l + 1)]', "")]),
    Mutant("update_parameters", "L_not_halved", [("len(parameters) // 2", "len(parameters)")]),
    Mutant("update_parameters", "hard_coded_layers", [("range(L)", "range(2)")]),
    Mutant("update_parameters", "layer_index_off_by_one", [("str(l + 1)", "str(l)")]),
    *models("not_updated", [("parameters = update_parameters(", "update_parameters(")]),
    *models("learning_rate_ignored", [("grads, learning_rate)", "grads, 0.0075)")]),
    Mutant("two_layer_model", "cost_after_update", [("        cost = compute_cost(A2, Y)\n", ""), (
        "learning_rate)\n", "learning_rate)\n        cost = compute_cost(linear_activation_forward("
        "linear_activation_forward(X, parameters['W1'], parameters['b1'], 'relu')[0], parameters['W2'], "
        "parameters['b2'], 'sigmoid')[0], Y)\n")]),
    Mutant("L_layer_model", "cost_after_update", [("        cost = compute_cost(AL, Y)\n", ""), (
        "learning_rate)\n", "learning_rate)\n        cost = compute_cost(L_model_forward(X, parameters)[0], Y)\n")]),
    *models("costs_wrong_iterations", [("if i % 100 == 0:", "if print_cost and i % 100 == 0:")]),
    Mutant("L_layer_model", "costs_wrong_iterations", [("if i % 100 == 0:", "if i % 100 == 99:")]),
    Mutant("two_layer_model", "wrong_init", [("initialize_parameters(n_x, n_h, n_y)",
                                              "initialize_parameters_deep(layers_dims)")]),
    Mutant("L_layer_model", "init_0_01", [("initialize_parameters_deep_scaled(", "initialize_parameters_deep(")]),
    Mutant("two_layer_model", "backward_activations_swapped", [('(dA2, cache2, "sigmoid")', '(dA2, cache2, "relu")'),
                                                               ('(dA1, cache1, "relu")', '(dA1, cache1, "sigmoid")')]),
    Mutant("predict", "probabilities", [("p = (probas > 0.5).astype(float)", "p = probas")]),
    Mutant("predict", "threshold_inverted", [("probas > 0.5", "probas < 0.5")]),
    Mutant("predict", "flat_shape", [("(probas > 0.5)", "(probas[0] > 0.5)")]),
]

VARIANTS = [
    Variant("sigmoid", "through tanh", [("1 / (1 + np.exp(-Z))", "0.5 * (1 + np.tanh(Z / 2))")]),
    Variant("relu", "a mask", [("np.maximum(0, Z)", "Z * (Z > 0)")]),
    Variant("relu", "np.where", [("np.maximum(0, Z)", "np.where(Z > 0, Z, 0.0)")]),
    Variant("relu_backward", "a product", [("np.array(dA, copy=True)", "dA * (Z > 0)"), ("dZ[Z <= 0] = 0", "")]),
    Variant("sigmoid_backward", "s - s ** 2", [("dZ = dA * s * (1 - s)", "dZ = np.multiply(dA, s - s ** 2)")]),
    Variant("initialize_parameters", "standard_normal", [("np.random.randn(n_h, n_x) * 0.01",
                                                          "0.01 * np.random.standard_normal((n_h, n_x))")]),
    Variant("initialize_parameters_deep", "f-strings", [('"W" + str(l)', 'f"W{l}"'), ('"b" + str(l)', 'f"b{l}"')]),
    Variant("initialize_parameters_deep_scaled", "times a square root",
            [("/ np.sqrt(layer_dims[l - 1])", "* np.sqrt(1 / layer_dims[l - 1])")]),
    Variant("linear_forward", "@", [("W.dot(A)", "W @ A")]),
    Variant("linear_forward", "np.dot", [("W.dot(A)", "np.dot(W, A)")]),
    Variant("linear_activation_forward", "sigmoid written out",
            [("A, activation_cache = sigmoid(Z)", "A, activation_cache = 1 / (1 + np.exp(-Z)), Z")]),
    Variant("L_model_forward", "a while loop", [("for l in range(1, L):", "l = 0\n    while (l := l + 1) < L:")]),
    Variant("compute_cost", "np.mean", [(COST, "-np.mean(Y * np.log(AL) + (1 - Y) * np.log(1 - AL))")]),
    Variant("compute_cost", "a loop over the examples",
            [(COST, "-sum(Y[0, i] * np.log(AL[0, i]) + (1 - Y[0, i]) * np.log(1 - AL[0, i])\n"
                    "               for i in range(m)) / m")]),
    Variant("linear_backward", "@ and reshape",
            [("np.dot(dZ, A_prev.T)", "dZ @ A_prev.T"),
             ("np.sum(dZ, axis=1, keepdims=True)", "dZ.sum(axis=1).reshape(-1, 1)")]),
    Variant("linear_activation_backward", "relu's slope written out", [("dZ = relu_backward(dA, activation_cache)",
                                                                        "dZ = dA * (activation_cache > 0)")]),
    Variant("L_model_backward", "dAL rearranged", [("- (np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))",
                                                    "(1 - Y) / (1 - AL) - Y / AL")]),
    Variant("update_parameters", "np.subtract", [(UPDATE_W + ' * grads["dW" + str(l + 1)]',
                                                  'parameters["W" + str(l + 1)] = np.subtract(parameters["W" + '
                                                  'str(l + 1)], learning_rate * grads["dW" + str(l + 1)])')]),
    Variant("two_layer_model", "dA2 rearranged", [("- (np.divide(Y, A2) - np.divide(1 - Y, 1 - A2))",
                                                   "(1 - Y) / (1 - A2) - Y / A2")]),
    Variant("L_layer_model", "not i % 100", [("if i % 100 == 0:", "if not i % 100:")]),
    Variant("predict", "np.where", [("(probas > 0.5).astype(float)", "np.where(probas > 0.5, 1.0, 0.0)")]),
]


# Right answers that lean on the rest of the learner's cells, each kept with what it uses (companion/kept.py):
# {name: (what the cell holds above the function, the edits of the function)}. `import math` and a helper in
# the same cell, `from numpy import exp`, a module-level constant, and a helper written in an earlier cell
# (layer_count, in linear_forward's cell, used by L_model_forward).
WITH_HELPERS = {
    "initialize_parameters_deep_scaled": ("import math\n\n\n", [("np.sqrt(layer_dims[l - 1])",
                                                                  "math.sqrt(layer_dims[l - 1])")]),
    "sigmoid": ("from numpy import exp\n\n\ndef stable_logistic(Z):\n    return 1 / (1 + exp(-Z))\n\n\n",
                [("1 / (1 + np.exp(-Z))", "stable_logistic(Z)")]),
    "linear_forward": ("def layer_count(parameters):\n    return len(parameters) // 2\n\n\n", []),
    "L_model_forward": ("", [("len(parameters) // 2", "layer_count(parameters)")]),
    "compute_cost": ("ONE = 1.\n\n\n", [("(1. / m)", "(ONE / m)")]),
}


def with_helpers(name):
    """The cell of `name` written with the helpers, imports and constants of WITH_HELPERS."""
    above, edits = WITH_HELPERS[name]
    return above + edited(name, edits)


def library_source(name):
    """The code of `name` in dnn_utils.py, from its `def` line (the decorators left out)."""
    text = LIBRARY.read_text()
    node = next(node for node in ast.parse(text).body if isinstance(node, ast.FunctionDef) and node.name == name)
    return "\n".join(text.splitlines()[node.lineno - 1:node.end_lineno]) + "\n"


def edited(name, edits):
    """The code of `name` with every replacement (old, new) made; each `old` must be there."""
    source = library_source(name)
    for old, new in edits:
        assert old in source, f"{name}: {old!r} is not in its code"
        source = source.replace(old, new)
    return source


def build(name, source):
    """Define the function `name` from its code, with numpy and the library's functions at hand."""
    filename = f"<{name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"np": np, **{key: value for key, value in vars(dnn_utils).items() if not key.startswith("_")}}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


def notebook(**written):
    """A learner's notebook as one namespace: every graded function as the learner wrote it (the lesson's code,
    or written[name], each in a cell of its own), numpy imported, no function of the library's: the functions
    a graded one calls are the learner's too, as in the student edition."""
    import testCases
    namespace = {"np": np}
    for name in testCases.FUNCTIONS:
        source = written.get(name) or library_source(name)
        filename = f"<cell of {name}>"
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), namespace)
    return namespace


def mutant_function(mutant):
    return build(mutant.name, edited(mutant.name, mutant.edits))


def label(item):
    """A test id: function and diagnosis (or variant) with the first replacement made."""
    return f"{item.name}-{getattr(item, 'id', None) or item.label}-{item.edits[0][1][:30].strip()}"
